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
    serve.add_argument("--threads", type=int, help="threads per worker (default 8)")
    serve.add_argument(
        "--workers", type=int, help="worker processes (default 1; above 1 needs a Redis store)"
    )
    wait = commands.add_parser("wait", help="wait until a mock answers ready (for scripts)")
    wait.add_argument("--url", help="the mock's address (default http://127.0.0.1:PORT)")
    wait.add_argument("--pid", type=int, help="fail at once if this process (the server) exits")
    wait.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
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
        if args.command == "wait":
            return _wait(args)
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
    for flag, name in (
        ("host", "HOST"),
        ("port", "PORT"),
        ("threads", "THREADS"),
        ("workers", "WORKERS"),
    ):
        value = getattr(args, flag)
        if value is not None:
            os.environ[PREFIX + name] = str(value)
    settings = load_settings()  # fail here, with one line, before gunicorn starts
    _check_port_free(settings.host, settings.port)
    # gunicorn in this process (not a second interpreter): a faster start
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = ["mock-gateway", "-c", "python:mock_gateway.serving.gunicorn_conf"]
    WSGIApplication("%(prog)s serve").run()
    return 0  # not reached: gunicorn exits


def _wait(args: argparse.Namespace) -> int:
    """Poll /__mock/ready (or /healthcheck, with the control plane off) until it answers 200."""
    import time
    import urllib.error
    import urllib.request

    port = os.environ.get(PREFIX + "PORT") or os.environ.get("PORT") or "8080"
    base = (args.url or f"http://127.0.0.1:{port}").rstrip("/")
    token = (os.environ.get(PREFIX + "ADMIN_TOKEN") or "").strip()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    deadline = time.monotonic() + args.timeout
    paths = ["/__mock/ready", "/healthcheck"]
    warned = False
    while True:
        if args.pid is not None and not _alive(args.pid):
            print(
                f"mock-gateway wait: the server (pid {args.pid}) exited before it was ready; "
                "its message is above",
                file=sys.stderr,
            )
            return 1
        if args.pid is not None and not args.url:  # `serve --port N &`: the port it listens on
            found = _listening_port(args.pid)
            if found is not None:
                base = f"http://127.0.0.1:{found}"
        for path in paths:
            try:
                request = urllib.request.Request(base + path, headers=headers)
                with urllib.request.urlopen(request, timeout=1) as answer:
                    pids = answer.headers.get("X-Mock-Gateway-Pid", "").split()
                    # with --pid, only that server's answer counts (the control plane says
                    # which process answers; the bare health check cannot)
                    ours = args.pid is None or str(args.pid) in pids or not pids
                    if answer.status == 200 and ours:
                        print(f"ready: {base}")
                        return 0
                    if not ours and not warned:
                        warned = True
                        print(
                            f"mock-gateway wait: another server (pid {pids[0]}) answers at "
                            f"{base}; waiting for pid {args.pid}",
                            file=sys.stderr,
                        )
            except urllib.error.HTTPError as error:
                if error.code == 401 and path == paths[0] and token:
                    print(
                        f"mock-gateway wait: {base} refused the admin token in "
                        f"{PREFIX}ADMIN_TOKEN (401): it is not the server's token",
                        file=sys.stderr,
                    )
                    return 1
                if error.code in (401, 404) and path == paths[0]:
                    continue  # a token is needed, or the control plane is off: the health check
            except OSError:
                pass
            break
        if time.monotonic() > deadline:
            print(f"mock-gateway wait: {base} was not ready within {args.timeout:g} s",
                  file=sys.stderr)  # fmt: skip
            return 1
        time.sleep(0.1)


def _listening_port(pid: int) -> int | None:
    """The TCP port a process listens on, from /proc (Linux); None when it has none yet or
    /proc cannot tell (the caller keeps its default)."""
    try:
        sockets = {
            os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1]  # "socket:[inode]"
            for fd in os.listdir(f"/proc/{pid}/fd")
        }
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as rows:
                for row in list(rows)[1:]:
                    fields = row.split()
                    if fields[3] == "0A" and fields[9] in sockets:  # LISTEN, one of its sockets
                        return int(fields[1].rsplit(":", 1)[1], 16)
    except (OSError, IndexError, ValueError):
        return None
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a child that exited but was not reaped yet is gone too
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def _check_port_free(host: str, port: int) -> None:
    """Fail in the foreground, with one line, when another process holds the port."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise OSError(
            f"cannot listen on {host}:{port}: {os.strerror(error.errno or 0)} (is another mock or "
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
    from mock_gateway.contract.schemas import SchemaLoadError, Schemas
    from mock_gateway.data.fixtures import FixtureError, check_documents
    from mock_gateway.data.generate import generate_catalog
    from mock_gateway.serving.assembly import load_data_set

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
    from mock_gateway.contract.openapi import build_api_document, build_control_document
    from mock_gateway.contract.schemas import Schemas

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
    from mock_gateway.contract.openapi import build_api_document, build_control_document
    from mock_gateway.contract.postman import build_collection
    from mock_gateway.contract.schemas import Schemas

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
