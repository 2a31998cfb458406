"""Dump every signal the offline tier gives for labelled files, to diff a refactor's semantics.

Usage: ``python -m moderation.tools.snapshot FILE.jsonl... > before.txt``; one line per item:
id, sorted signals (category, rule, score). Two snapshots are identical iff nothing changed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from moderation.classifier import OfflineClassifier


def snapshot(paths: list[Path]) -> list[str]:
    clf = OfflineClassifier()
    lines: list[str] = []
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            row = json.loads(raw)
            result = clf.classify(row["text"], row.get("channel", "message"))
            signals = sorted((s.category, s.rule, round(s.score, 4)) for s in result.signals)
            lines.append(f"{row.get('id', '?')}\t{signals}")
    return lines


if __name__ == "__main__":
    print("\n".join(snapshot([Path(p) for p in sys.argv[1:]])))
