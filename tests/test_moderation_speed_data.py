"""The offline tier's shortcuts are exact: prefilters never change a signal or a normalised text.

Each shortcut is compared with the plain way it replaces (every rule group's combined regex over the
whole text; the per-token reading pass run on every text) on the labelled sets and on mutations of
them that add look-alike symbols, masks, spacing and repeats.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from moderation.classifier import OfflineClassifier, Signal, _keep
from moderation.normalize import NormalizationData, Normalizer, collapse
from moderation.prefilter import required_literals, word_starts
from moderation.settings import DEFAULT_DATA_DIR

DATA = Path(__file__).resolve().parent / "data"
SETS = [
    DATA / "moderation-own.jsonl",
    DATA / "moderation-heldout.jsonl",
    DATA / "moderation-blind-a.jsonl",
    DATA / "moderation-blind-b.jsonl",
    DATA / "moderation-dev.jsonl",
]
_SWAPS = "aceopxy0134@$*#!|.- "


def _texts() -> list[str]:
    texts = [
        json.loads(line)["text"]
        for path in SETS
        if path.is_file()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rng = random.Random(5)
    mutated = []
    for text in texts:
        chars = list(text)
        for _ in range(max(1, len(chars) // 12)):
            at = rng.randrange(len(chars))
            chars[at] = rng.choice(_SWAPS) if rng.random() < 0.7 else chars[at] * 3
        mutated.append("".join(chars))
    return texts + mutated


TEXTS = _texts()


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


def _plain_scan(clf: OfflineClassifier, text: str) -> dict[tuple[str, str], Signal]:
    """The scan without prefilters: every group's combined regex over the whole text."""
    signals: dict[tuple[str, str], Signal] = {}
    words = len(re.findall(r"[^\W_]+(?:'[^\W_]+)*", text))
    for group in clf.rules.groups:
        for match in group.regex.finditer(text):
            assert match.lastgroup is not None
            rule = group.rules[int(match.lastgroup[1:])]
            _keep(signals, clf._signal(rule, text, match, words))
    return signals


def test_prefiltered_scan_equals_plain_scan(clf: OfflineClassifier) -> None:
    assert len(TEXTS) >= 200
    differing = []
    for text in TEXTS:
        for variant in clf.normalize(text).variants:
            fast: dict[tuple[str, str], Signal] = {}
            clf._scan(variant, fast)
            if list(fast.items()) != list(_plain_scan(clf, variant).items()):
                differing.append(variant)
    assert not differing


def test_normalizer_prechecks_equal_the_full_pass() -> None:
    fast = Normalizer(NormalizationData.load(DEFAULT_DATA_DIR))
    full = Normalizer(NormalizationData.load(DEFAULT_DATA_DIR))
    everything = re.compile("")  # matches any text: the token pass always runs
    full._any_key_re = everything
    full._may_read_re = everything
    assert [fast.normalize(t) for t in TEXTS] == [full.normalize(t) for t in TEXTS]


def test_some_mutation_actually_reaches_the_token_pass() -> None:
    fast = Normalizer(NormalizationData.load(DEFAULT_DATA_DIR))
    assert sum(1 for t in TEXTS if fast._may_read_re.search(t.lower())) > 50


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b(?:на|по)?ху[йя]\w*", {"нах", "пох", "хуй", "хуя"}),
        (r"\bты\s+(?:дура|урод)", {"ты"}),  # a short word ends the beginning
        (r"\b(?:убью|убей)\s+тебя", {"убь", "убе"}),
        (r"\b\w*fuck\w*", None),  # may begin with any letter
        (r"(?:сука)", None),  # no word boundary: may begin inside a word
        (r"(?i)\bсука", None),
    ],
)
def test_word_starts(pattern: str, expected: set[str] | None) -> None:
    found = word_starts(pattern, 3)
    assert (None if found is None else set(found)) == expected


def test_required_literals() -> None:
    assert required_literals(r"\b[^\W\d_]*?п[иеі]зд\w*") == {"пизд", "пезд", "пізд"}
    assert required_literals(r"\b(?:\w*fuck\w*|shit\w*)") == {"fuck", "shit"}
    assert required_literals(r"\w+") is None


def test_every_rule_is_prefiltered_or_has_needles(clf: OfflineClassifier) -> None:
    """A rule with neither would be searched on every message; keep the data prefilterable."""
    for group in clf.rules.groups:
        for rule in group.ungated:
            assert rule.strings, rule.regex.pattern


def test_prefiltered_classify_equals_plain_classify(clf: OfflineClassifier) -> None:
    """Order, reporting and naming patterns are skipped only when they cannot match."""
    context = clf.rules.context
    differing = []
    for text in TEXTS:
        norm = clf.normalize(text)
        plain: dict[tuple[str, str], Signal] = {}
        for variant in norm.variants:
            for signal in _plain_scan(clf, clf._unquote(variant)).values():
                _keep(plain, signal)
        if norm.masked:
            _keep(plain, Signal("obscene", "rules", 0.3, "masked_word"))
        if context.order.search(norm.collapsed):
            _keep(plain, Signal("order", "rules", 0.0, "order_words"))
        if clf.classify(text).signals != tuple(plain.values()):
            differing.append(text)
    assert not differing


def test_said_before_starting_only_at_sentence_starts_blanks_the_same(clf: OfflineClassifier) -> None:
    fast = clf._aim.said_before
    plain = re.compile(fast.pattern.removeprefix(r"(?<![^.!?\n])"))
    assert plain.pattern != fast.pattern
    texts = [v for t in TEXTS for v in clf.normalize(t).variants]
    texts += ["мне написали: ты тварь, сказал он. а я - молчу, - ответила она", "тварь, сказал он"]

    def blank(pattern: re.Pattern[str], text: str) -> str:
        return pattern.sub(lambda m: " " * len(m.group()), text)

    assert [blank(fast, t) for t in texts] == [blank(plain, t) for t in texts]
    assert sum(1 for t in texts if fast.search(t)) >= 2


def test_collapse_equals_dropping_every_repeated_letter() -> None:
    plain = re.compile(r"(?<=([^\W\d_]))\1+")
    texts = [*TEXTS, "сууука!!! 1100 ..  \n\naAa __ ёё", "ʼʼ ßß ΩΩ"]
    assert [collapse(t) for t in texts] == [plain.sub("", t) for t in texts]
    assert collapse("сууука!!! 1100") == "сука!!! 1100"
