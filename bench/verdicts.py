"""Dump the suite's moderation verdicts on every labelled text, to prove a speed change changes none.

Usage::

    .venv/bin/python bench/verdicts.py dump OUT.jsonl [--root OTHER_CHECKOUT]
    .venv/bin/python bench/verdicts.py compare BASE.jsonl NEW.jsonl

``dump`` runs ``bench/moderation.py``'s path (what ``vkbot.core.pipeline`` does per message less its
database reads) with this checkout's ``moderation`` package, or with the one at ``--root`` (say a
detached worktree of main), on each distinct text of ``tests/data/*.jsonl`` and of the corpora and
written sets under ``data/training`` (every text column), as a private message and as a wall comment.
A line per text and channel: the rule signals, and each verdict's status, tier, categories, reasons,
answer, urgent, evidence and learned score; for a message also the verdict as if the conversation were
protected. ``compare`` says how many lines it compared and prints the first differences; scores may
differ by 1e-9, nothing else may. Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a script from anywhere

from bench.moderation import _paths, moderation_of  # noqa: E402  (after the path above)

_TOLERANCE = 1e-9
_SWAPS = "aceopxy0134@$*#!|.-? «»\"'"


def texts() -> list[str]:
    """The distinct texts of the labelled sets and the training data, in a fixed order, then each once
    more with a few characters swapped for look-alikes, masks, separators or repeats (seeded), which
    reach the normaliser's rarer paths."""
    found: dict[str, None] = {}
    for path in sorted((REPO / "tests" / "data").glob("*.jsonl")) + sorted(
        (REPO / "data" / "training").glob("*/*.jsonl")
    ):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found[json.loads(line)["text"]] = None
    for path in sorted((REPO / "data" / "training").glob("*/*.tsv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                for key, value in row.items():
                    if key != "index" and value:
                        found[value] = None
    plain = list(found)
    rng = random.Random(9)
    for text in plain:
        chars = list(text)
        for _ in range(max(1, len(chars) // 12)):
            at = rng.randrange(len(chars))
            chars[at] = rng.choice(_SWAPS) if rng.random() < 0.7 else chars[at] * 3
        found["".join(chars)] = None
    return list(found)


def _verdict(verdict: Any) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "status": verdict.status,
        "tier": verdict.tier,
        "categories": list(verdict.categories),
        "reasons": list(verdict.reasons),
        "urgent": verdict.urgent,
        "answer": verdict.answer,
        "evidence": verdict.evidence,
        "learned_score": verdict.learned_score,
        "model_version": verdict.model_version,
    }


def dump(out: Path, root: Path | None) -> int:
    suite = _paths(root)["combined"]
    # The classification again, for its signals: the same package as the suite's.
    classify = _classifier(root)
    count = 0
    with out.open("w", encoding="utf-8") as fh:
        for text in texts():
            signals = [[s.category, s.source, s.score, s.rule] for s in classify(text).signals]
            for channel in ("message", "comment"):
                verdict, protected = suite(text, channel)  # type: ignore[misc]
                row = {
                    "text": text,
                    "channel": channel,
                    "signals": signals,
                    "verdict": _verdict(verdict),
                    "protected": _verdict(protected),
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    print(f"{count} verdicts ({count // 2} distinct texts, each as a message and as a comment) -> {out}")
    return 0


def _classifier(root: Path | None) -> Any:
    with moderation_of(root):
        from moderation.classifier import OfflineClassifier

        return OfflineClassifier().classify


def _differences(base: Any, new: Any, where: str = "") -> Iterator[str]:
    if isinstance(base, float) and isinstance(new, float):
        if not math.isclose(base, new, rel_tol=0.0, abs_tol=_TOLERANCE):
            yield f"{where}: {base!r} != {new!r}"
    elif isinstance(base, dict) and isinstance(new, dict) and base.keys() == new.keys():
        for key in base:
            yield from _differences(base[key], new[key], f"{where}.{key}")
    elif isinstance(base, list) and isinstance(new, list) and len(base) == len(new):
        for index, (a, b) in enumerate(zip(base, new, strict=True)):
            yield from _differences(a, b, f"{where}[{index}]")
    elif base != new:
        yield f"{where}: {base!r} != {new!r}"


def compare(base_path: Path, new_path: Path) -> int:
    base = base_path.read_text(encoding="utf-8").splitlines()
    new = new_path.read_text(encoding="utf-8").splitlines()
    differing = 0
    if len(base) != len(new):
        print(f"{len(base)} lines against {len(new)}: not the same texts")
        return 1
    for a, b in zip(base, new, strict=True):
        found = list(_differences(json.loads(a), json.loads(b)))
        if found:
            differing += 1
            if differing <= 10:
                print(json.loads(a)["text"][:100], *found, sep="\n  ")
    texts = len({json.loads(line)["text"] for line in base})
    print(f"compared {len(base)} verdict lines ({texts} distinct texts, both channels): {differing} differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dumping = sub.add_parser("dump", help="write the verdicts")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--root", type=Path, help="another checkout whose moderation package to run")
    comparing = sub.add_parser("compare", help="compare two dumps")
    comparing.add_argument("base", type=Path)
    comparing.add_argument("new", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.out, args.root.resolve() if args.root else None)
    return compare(args.base, args.new)


if __name__ == "__main__":
    sys.exit(main())
