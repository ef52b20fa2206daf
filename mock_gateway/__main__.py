"""The `mock-gateway` command: serve, wait, seed, check, openapi, postman."""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from mock_gateway.config import PREFIX, SettingsError, load_settings

POSTMAN_FILE = "mock-gateway.postman_collection.json"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mock-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the gateway with gunicorn")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8080)")
    serve.add_argument("--threads", type=int, help="worker threads (default 8)")
    seed = commands.add_parser("seed", help="write a generated fixture data set")
    seed.add_argument("--offers", type=int, default=300, help="number of offers (default 300)")
    seed.add_argument("--seed", type=int, default=20261129, help="random seed")
    seed.add_argument("--out", type=Path, required=True, help="directory to write")
    commands.add_parser("check", help="validate settings, schemas and fixtures")
    openapi = commands.add_parser("openapi", help="print or write the OpenAPI documents")
    openapi.add_argument(
        "--write", type=Path, help="write openapi.json and control-openapi.json into this directory"
    )
    postman = commands.add_parser(
        "postman", help="print or write the Postman collection (v2.1) of the API and control plane"
    )
    postman.add_argument("--write", type=Path, help=f"write {POSTMAN_FILE} into this directory")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args)
        if args.command == "seed":
            return _seed(args)
        if args.command == "check":
            return _check()
        if args.command == "postman":
            return _postman(args.write)
        return _openapi(args.write)
    except (SettingsError, ValueError, OSError) as error:
        print(f"mock-gateway: {error}", file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace) -> int:
    for flag, name in (("host", "HOST"), ("port", "PORT"), ("threads", "THREADS")):
        value = getattr(args, flag)
        if value is not None:
            os.environ[PREFIX + name] = str(value)
    settings = load_settings()  # fail here, with one line, before gunicorn starts
    _check_port_free(settings.host, settings.port)
    command = [sys.executable, "-m", "gunicorn", "-c", "python:mock_gateway.gunicorn_conf"]
    os.execv(sys.executable, command)
    return 0  # not reached


def _check_port_free(host: str, port: int) -> None:
    """Fail in the foreground, with one line, when another process holds the port."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise OSError(
            f"cannot listen on {host}:{port}: {error.strerror or error} (is another mock or "
            "server running there? stop it, or choose another port with --port or "
            "MOCK_GATEWAY_PORT)"
        ) from None


def _seed(args: argparse.Namespace) -> int:
    from mock_gateway.data.fixtures import write_documents
    from mock_gateway.data.generate import generate_catalog

    if args.offers < 1:
        raise ValueError("--offers must be at least 1")
    for path in write_documents(generate_catalog(args.offers, args.seed), args.out):
        print(path)
    return 0


def _check() -> int:
    from mock_gateway.assembly import load_data_set
    from mock_gateway.data.fixtures import FixtureError, check_documents
    from mock_gateway.data.generate import generate_catalog
    from mock_gateway.schemas import SchemaLoadError, Schemas

    try:
        settings = load_settings()
        schemas = Schemas()
        data = load_data_set(settings, schemas)
        if settings.catalog_size:
            generated = generate_catalog(settings.catalog_size, settings.seed)
            check_documents(generated, schemas, "generated ")
    except (SettingsError, FixtureError, SchemaLoadError) as error:
        print(f"mock-gateway check: {error}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(schemas)} schemas, {len(data.catalog.offers)} offers, "
        f"{len(data.catalog.models)} models, {len(settings.buyers)} buyer(s)"
    )
    return 0


def _openapi(directory: Path | None) -> int:
    from mock_gateway.openapi import build_api_document, build_control_document
    from mock_gateway.schemas import Schemas

    schemas = Schemas.load()
    api = json.dumps(build_api_document(schemas), indent=2) + "\n"
    if directory is None:
        print(api, end="")
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "openapi.json").write_text(api)
    control = json.dumps(build_control_document(schemas), indent=2) + "\n"
    (directory / "control-openapi.json").write_text(control)
    print(directory / "openapi.json")
    print(directory / "control-openapi.json")
    return 0


def _postman(directory: Path | None) -> int:
    from mock_gateway.openapi import build_api_document, build_control_document
    from mock_gateway.postman import build_collection
    from mock_gateway.schemas import Schemas

    schemas = Schemas.load()
    collection = build_collection(build_api_document(schemas), build_control_document(schemas))
    text = json.dumps(collection, indent=2, ensure_ascii=False) + "\n"
    if directory is None:
        print(text, end="")
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / POSTMAN_FILE
    target.write_text(text)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
