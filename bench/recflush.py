"""Micro-benchmark: N ``record_with_effects`` calls for new flagged verdicts in one transaction, with a
baseline ``moderation/records.py`` (from a git revision) loaded beside this checkout's, in the same run.

Usage::

    .venv/bin/python bench/recflush.py [--base REV] [--n 200] [--rounds 15]

Each round: a fresh SQLite file (WAL), ``note_absent`` for the batch's keys (as the pipeline's
``prepare``), then the N calls and a commit; base and new alternate; the median per version is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import event  # noqa: E402
from sqlmodel import Session, SQLModel, create_engine  # noqa: E402

import moderation.records as new_records  # noqa: E402
from moderation.classifier import Classification, Signal  # noqa: E402
from moderation.models import ModItem  # noqa: E402, F401  (the table)
from moderation.policy import Verdict  # noqa: E402
from moderation.settings import ModerationSettings  # noqa: E402
from moderation.subject import Subject  # noqa: E402


def _base(rev: str) -> ModuleType:
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:moderation/records.py"], check=True, capture_output=True
    ).stdout
    spec = importlib.util.spec_from_loader("records_base", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{rev}:moderation/records.py", "exec"), module.__dict__)
    return module


def _round(records: ModuleType, n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/b.db")
        event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA journal_mode=WAL"))
        SQLModel.metadata.create_all(engine)
        settings = ModerationSettings()
        verdict = Verdict("flagged", ("insult",), ("rule:insult",), False, answer=False, evidence=False)
        signals = Classification((Signal("insult", "rules", 0.9, "insult_root"),))
        at = datetime(2026, 12, 7, tzinfo=UTC)
        subjects = [
            Subject.comment(f"evt:{i}", 9000 + i, post_id=10, comment_id=100 + i, text="ты бездарная дура")
            for i in range(n)
        ]
        with Session(engine) as session:
            savepoint = session.begin_nested()  # as the dispatcher's batch
            records.note_absent(session, [s.source_key for s in subjects])
            start = time.perf_counter()
            for subject in subjects:
                records.record_with_effects(
                    session, subject, verdict, signals, at, settings=settings, group_id=77
                )
            session.flush()  # the dispatcher's flush after the batch
            elapsed = time.perf_counter() - start
            savepoint.commit()
            session.commit()
        engine.dispose()
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="main")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    versions = {"base": _base(args.base), "new": new_records}
    times: dict[str, list[float]] = {name: [] for name in versions}
    for _ in range(args.rounds):
        for name, module in versions.items():
            times[name].append(_round(module, args.n))
    base, new = (statistics.median(times[k]) for k in ("base", "new"))
    print(f"{args.n} flagged record_with_effects calls in one transaction, median of {args.rounds} rounds:")
    print(f"  base ({args.base}): {base * 1e3:.2f} ms ({base / args.n * 1e6:.1f} us/call)")
    print(f"  new: {new * 1e3:.2f} ms ({new / args.n * 1e6:.1f} us/call)")
    print(f"  new/base: {new / base:.3f}")


if __name__ == "__main__":
    main()
