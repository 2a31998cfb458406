"""Benchmark of the intake dialog alone, in process: relatives walked through the whole intake in words.

Usage: ``.venv/bin/python bench/dialog.py [--relatives 60] [--baseline /work/main]``.

Each relative sends the 13 messages of ``waitlist.testing.complete_order`` (greeting, consent, name,
relation, one photo, story, wishes, contact, two yes/no answers, confirmation) through
``waitlist.testing.Desk``: one transaction per message on an in-memory SQLite database, no VK, no
moderation. ``--baseline`` runs the same walk with another checkout's code (its ``waitlist``), in a
child process in the same run, so the ratio compares the two on the same machine at the same time.

The last line is one JSON object: ``{"relatives", "messages", "per_s", "baseline_per_s", "ratio", ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def walk(relatives: int) -> dict[str, float]:
    from waitlist.filestore import LocalFileStore
    from waitlist.testing import Desk, complete_order, memory_engine

    with tempfile.TemporaryDirectory() as tmp:
        warm = Desk(memory_engine(), LocalFileStore(Path(tmp)))
        complete_order(warm, 10_000)  # warm-up: imports, caches, the photo check's cascade
        desk = Desk(memory_engine(), LocalFileStore(Path(tmp)))
        started = time.perf_counter()
        for peer in range(1, relatives + 1):
            complete_order(desk, peer, ("ru", "uk", "en")[peer % 3])
        elapsed = time.perf_counter() - started
    messages = relatives * 13
    return {
        "relatives": relatives,
        "messages": messages,
        "seconds": round(elapsed, 3),
        "per_s": messages / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relatives", type=int, default=60)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout to compare with")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(walk(args.relatives)))
        return
    result: dict[str, object] = {"loadavg_1m_start": os.getloadavg()[0]}

    def run(checkout: Path) -> dict[str, float]:
        # Each in its own interpreter with its checkout first on the path: the same walk, other code.
        out = subprocess.run(
            [
                sys.executable,
                str(REPO / "bench" / "dialog.py"),
                "--child",
                "--relatives",
                str(args.relatives),
            ],
            cwd=checkout,
            env={**os.environ, "PYTHONPATH": str(checkout)},
            capture_output=True,
            text=True,
            check=True,
        )
        figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
        return figures

    mine = run(REPO)
    result.update(mine)
    print(f"this checkout: {mine['messages']} messages in {mine['seconds']} s, {mine['per_s']:.1f} msg/s")
    if args.baseline is not None:
        base = run(args.baseline)
        result["baseline"] = str(args.baseline)
        result["baseline_per_s"] = base["per_s"]
        result["ratio"] = round(mine["per_s"] / base["per_s"], 3)
        print(f"baseline {args.baseline}: {base['per_s']:.1f} msg/s; ratio {result['ratio']}")
    result["loadavg_1m_end"] = os.getloadavg()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
