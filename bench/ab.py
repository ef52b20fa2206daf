"""Paired A/B: this tree's memory store against another revision's, on this machine.

    .venv/bin/python bench/ab.py --against REV [--pairs 12] [--seconds 3] [W1 W2 ...]

bench/run.py compares the mock with a bare Flask app, and between two of its runs a ratio moves
by about ±0.15 on a shared machine: too much to tell whether a change made the mock a few
percent slower. This answers that question directly. For each workload it starts both servers
at once (REV from a temporary git worktree, each as bench/run.py starts the mock: gunicorn, one
worker, the server core), then alternates wrk runs between them, the order flipped every pair,
so that the machine's drift falls on both sides. It prints each side's median req/s and the
median of the per-pair ratios (this tree / REV): above 1 this tree is faster.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.run import (
    ROOT,
    WORKLOADS,
    ensure_wrk,
    mock_env,
    prepare,
    run_wrk,
    serve,
    workload_script,
)


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """`revision` checked out in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory() as parent:
        path = Path(parent) / "tree"
        git = ["git", "-C", str(ROOT)]
        subprocess.run([*git, "worktree", "add", "-q", "--detach", str(path), revision], check=True)
        try:
            yield path
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(path)], check=False)


def compare(
    wrk: str, workload: str, trees: dict[str, Path], pairs: int, seconds: int, directory: Path
) -> dict[str, float]:
    """Alternating runs of one workload on both trees; medians and the paired ratio."""
    kind = workload[:2]
    rps: dict[str, list[float]] = {name: [] for name in trees}
    with ExitStack() as stack:
        scripts, bases = {}, {}
        for name, root in trees.items():
            server = stack.enter_context(serve(mock_env(kind), root=root))
            barcodes, stocked = prepare(server.base)
            folder = directory / f"{workload}-{name}"
            folder.mkdir()
            scripts[name] = workload_script(
                kind, barcodes[:5000], stocked, len(barcodes) // 20, folder
            )
            bases[name] = server.base
            run_wrk(wrk, scripts[name], server.base, 1)  # warm-up
        order = list(trees)
        for index in range(pairs):
            for name in order if index % 2 == 0 else order[::-1]:
                rps[name].append(run_wrk(wrk, scripts[name], bases[name], seconds)["rps"])
    this, other = order
    ratios = [a / b for a, b in zip(rps[this], rps[other], strict=True)]
    return {
        "this_rps": statistics.median(rps[this]),
        "other_rps": statistics.median(rps[other]),
        "ratio": statistics.median(ratios),
        "ratio_low": min(ratios),
        "ratio_high": max(ratios),
        "pairs_above_1": sum(r > 1 for r in ratios),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", required=True, help="a git revision (commit, tag, branch)")
    parser.add_argument("--pairs", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("workloads", nargs="*", help=f"some of {', '.join(WORKLOADS)} (all)")
    args = parser.parse_args()
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    args.workloads = args.workloads or list(WORKLOADS)
    wrk = ensure_wrk()
    print(
        f"| workload | this tree req/s | {args.against} req/s | paired ratio (range) | pairs > 1 |"
    )
    print("|---|---|---|---|---|")
    with worktree(args.against) as other, tempfile.TemporaryDirectory() as directory:
        for workload in args.workloads:
            r = compare(
                wrk, workload, {"this": ROOT, "other": other}, args.pairs, args.seconds,
                Path(directory),
            )  # fmt: skip
            print(
                f"| {workload} | {r['this_rps']:.0f} | {r['other_rps']:.0f} | "
                f"{r['ratio']:.3f} ({r['ratio_low']:.2f}–{r['ratio_high']:.2f}) | "
                f"{r['pairs_above_1']}/{args.pairs} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
