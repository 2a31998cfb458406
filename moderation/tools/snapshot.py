"""Dump the offline tier's full output on every labelled item and test text, to diff a refactor.

Usage::

    python -m moderation.tools.snapshot > before.jsonl            # tests/data/*.jsonl + test texts
    python -m moderation.tools.snapshot --texts-from before.jsonl > after.jsonl
    python -m moderation.tools.snapshot --patterns > patterns.json  # every compiled rule pattern

One JSON line per text: where it comes from, the text, and its sorted signals (category, rule, score).
The texts are every item of every ``tests/data/*.jsonl`` file, every string literal in the moderation
tests (a leading "C:" comment mark dropped) and every rule's ``examples`` / ``ok_examples``. Two dumps
over the same texts are identical iff the tier's behaviour on them is. ``--texts-from`` reuses the
texts of an earlier dump, so moving test cases between files cannot change what is compared.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from moderation.classifier import OfflineClassifier

REPO = Path(__file__).resolve().parents[2]
DATA_GLOB = "tests/data/*.jsonl"
TEST_GLOBS = ("tests/test_moderation_*.py", "tests/moderation_cases.py")


def labelled_texts(repo: Path = REPO) -> Iterator[tuple[str, str]]:
    for path in sorted(repo.glob(DATA_GLOB)):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                row = json.loads(raw)
                yield f"{path.name}:{row.get('id', '?')}", row["text"]


def test_texts(repo: Path = REPO) -> Iterator[tuple[str, str]]:
    """Every string literal of the moderation tests: cases, and harmless extras (docstrings, names)."""
    for pattern in TEST_GLOBS:
        for path in sorted(repo.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
                    text = node.value[2:] if node.value.startswith("C:") else node.value
                    yield "tests", text


def example_texts(clf: OfflineClassifier) -> Iterator[tuple[str, str]]:
    for rule in clf.rules.rules:
        for text in (*rule.examples, *rule.ok_examples):
            yield "examples", text


def dump(clf: OfflineClassifier, texts: list[tuple[str, str]]) -> Iterator[str]:
    seen: set[tuple[str, str]] = set()
    for source, text in texts:
        if (source, text) in seen:
            continue
        seen.add((source, text))
        signals = sorted((s.category, s.rule, round(s.score, 4)) for s in clf.classify(text).signals)
        yield json.dumps({"source": source, "text": text, "signals": signals}, ensure_ascii=False)


def patterns(clf: OfflineClassifier) -> dict[str, object]:
    """Each rule's compiled pattern and options, and the context patterns: equal data, equal behaviour."""
    rules = {
        rule.name: [
            rule.category,
            rule.aim,
            rule.score,
            rule.pattern,
            rule.spares_fate,
            None if rule.unless is None else rule.unless.pattern,
            rule.beats_order,
        ]
        for rule in clf.rules.rules
    }
    context = {
        key: getattr(value, "pattern", sorted(value) if isinstance(value, frozenset) else value)
        for key, value in ((k, getattr(clf.rules.context, k)) for k in clf.rules.context.__slots__)
    }
    return {"rules": rules, "context": context}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts-from", type=Path, help="compare on the texts of this earlier dump")
    parser.add_argument("--patterns", action="store_true", help="dump compiled rule patterns instead")
    args = parser.parse_args(argv)
    clf = OfflineClassifier()
    if args.patterns:
        print(json.dumps(patterns(clf), ensure_ascii=False, indent=1, sort_keys=True))
        return 0
    if args.texts_from:
        rows = [json.loads(line) for line in args.texts_from.read_text(encoding="utf-8").splitlines()]
        texts = [(row["source"], row["text"]) for row in rows]
    else:
        texts = [*labelled_texts(), *test_texts(), *example_texts(clf)]
    for line in dump(clf, texts):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
