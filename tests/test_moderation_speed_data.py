"""The moderation path's shortcuts are exact: prefilters never change a signal, a normalised text or
a verdict.

Each shortcut is compared with the plain way it replaces (every rule group's combined regex over the
whole text; the per-token reading pass run on every text; a word list found by startswith per word
and a substring test per phrase; the words of a text read afresh on every call) on the labelled sets
and on mutations of them that add look-alike symbols, masks, spacing and repeats. The last test runs
the suite's whole moderation of a message both ways and compares the verdicts.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

import moderation.learned as learned
import moderation.relative as relative
from moderation.classifier import Classification, OfflineClassifier, Signal, _keep
from moderation.learned import GriefWords, LearnedModel, LearnedTier, read_words
from moderation.normalize import NormalizationData, Normalizer, collapse
from moderation.policy import ModerationContext, Verdict, decide, decide_unless_context_matters
from moderation.prefilter import required_literals, word_starts
from moderation.relative import RelativeWords, _Words, spared, with_guards
from moderation.settings import DEFAULT_DATA_DIR, ModerationSettings

DATA = Path(__file__).resolve().parent / "data"
SETS = [
    DATA / "moderation-own.jsonl",
    DATA / "moderation-heldout.jsonl",
    DATA / "moderation-blind-a.jsonl",
    DATA / "moderation-blind-b.jsonl",
    DATA / "moderation-dev.jsonl",
]
_SWAPS = "aceopxy0134@$*#!|.- "


def _items() -> list[tuple[str, str]]:
    rows = [
        json.loads(line)
        for path in SETS
        if path.is_file()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [(row["text"], row.get("channel", "message")) for row in rows]


def _texts() -> list[str]:
    texts = [text for text, _ in _items()]
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


def _plain_classify(clf: OfflineClassifier, text: str) -> Classification:
    """``classify`` without prefilters: the plain scan of every variant, unquoted, and the order search."""
    norm = clf.normalize(text)
    plain: dict[tuple[str, str], Signal] = {}
    for variant in norm.variants:
        for signal in _plain_scan(clf, clf._unquote(variant)).values():
            _keep(plain, signal)
    if norm.masked:
        _keep(plain, Signal("obscene", "rules", 0.3, "masked_word"))
    if clf.rules.context.order.search(norm.collapsed):
        _keep(plain, Signal("order", "rules", 0.0, "order_words"))
    return Classification(tuple(plain.values()))


def test_prefiltered_classify_equals_plain_classify(clf: OfflineClassifier) -> None:
    """Order, reporting and naming patterns are skipped only when they cannot match."""
    differing = [text for text in TEXTS if clf.classify(text) != _plain_classify(clf, text)]
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


def _plain_found(words: _Words, read: Sequence[str], joined: str) -> bool:
    """What ``_Words.found`` replaces: startswith per word, a substring test per phrase."""
    return any(w.startswith(words.prefixes) for w in read) or any(f" {p} " in joined for p in words.phrases)


def test_word_lists_are_found_as_by_startswith_and_substring() -> None:
    lists = RelativeWords.load()
    grief = GriefWords.load()
    # A hand-built list with what the shipped ones lack: the empty prefix, regex characters, a long phrase.
    odd = _Words(("", "a.b", "ф*"), ("ты что", "x+y", "и так далее и так далее"))
    texts = [*TEXTS, "", "?!", "a.b c", "axb", "ф*ня", "x+y", "и так далее и так далее", "ты что ж"]
    checked = found = 0
    for text in texts:
        read = read_words(text)
        joined = f" {' '.join(read)} "
        for words in (lists.setting, lists.asking, lists.thanks, lists.fate, odd):
            expected = _plain_found(words, read, joined)
            assert words.found(read, joined) == expected, (text, words.prefixes[:3])
            checked, found = checked + 1, found + expected
        grief_plain = _Words(grief.prefixes, grief.phrases)
        assert grief.found(read) == _plain_found(grief_plain, read, joined), text
    assert found > 100 and checked - found > 100  # both answers occur


def test_read_words_remembered_equals_read_afresh() -> None:
    # Interleaved so the small memo both hits and evicts.
    order = [t for pair in zip(TEXTS, TEXTS[3:] + TEXTS[:3], strict=True) for t in pair]
    assert [read_words(t) for t in order] == [list(learned._read_words.__wrapped__(t)) for t in order]
    first = read_words("ты сука")
    first.append("changed")
    assert read_words("ты сука") == ["ты", "сука"]  # a caller's list is its own


def _verdicts(
    clf: OfflineClassifier, tier: LearnedTier, text: str, channel: str, plain: bool
) -> tuple[Verdict, Verdict]:
    """The suite's moderation of one message (vkbot.core.pipeline: the verdict, and the verdict as
    if the conversation were protected), fast (the rest of the context only when a tier would hide)
    or plain."""
    message = channel != "comment"
    classification = _plain_classify(clf, text) if plain else clf.classify(text, channel)
    base = ModerationContext(
        channel="message" if message else "comment",
        has_order_content=message and classification.has_order_words,
    )
    score = tier.assess(text)
    settings = ModerationSettings()
    verdict = None if plain else decide_unless_context_matters(classification, base, settings, learned=score)
    if verdict is not None:
        return verdict, verdict
    context = with_guards(base, text, classification, clf)
    return (
        decide(classification, context, settings, learned=score),
        decide(classification, dataclasses.replace(context, protected=True), settings, learned=score),
    )


def test_whole_verdict_equals_the_plain_path(clf: OfflineClassifier, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both tiers, the relative and spared checks and the policy, with every shortcut and without."""
    tier = LearnedTier(LearnedModel.load())
    items = _items()
    items += [(text, "comment" if i % 2 else "message") for i, text in enumerate(TEXTS[len(items) :])]
    fast = [_verdicts(clf, tier, text, channel, plain=False) for text, channel in items]
    monkeypatch.setattr(learned, "_read_words", learned._read_words.__wrapped__)
    monkeypatch.setattr(_Words, "found", lambda self, read, joined: _plain_found(self, read, joined))
    slow = [_verdicts(clf, tier, text, channel, plain=True) for text, channel in items]
    differing = []
    for (text, _), got, want in zip(items, fast, slow, strict=True):
        for a, b in zip(got, want, strict=True):
            assert a.learned_score is not None and b.learned_score is not None
            if dataclasses.replace(a, learned_score=None) != dataclasses.replace(b, learned_score=None):
                differing.append(text)
            elif abs(a.learned_score - b.learned_score) > 1e-12:
                differing.append(text)
    assert not differing
    statuses = {v.status for pair in fast for v in pair}
    assert statuses == {"ok", "flagged", "quarantined"}  # the sets reach every outcome


def test_spared_with_the_quote_precheck_equals_without(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [*TEXTS, "мне пишут «ты тварь»", "he wrote 'you are scum' to me", 'пишут "сдохни тварь"', "“a b”"]
    fast = [spared(t) for t in texts]
    monkeypatch.setattr(relative, "_OPENING_QUOTE", re.compile(""))  # always searches _QUOTED
    assert fast == [spared(t) for t in texts]
    assert "reported" in fast


def test_a_verdict_given_before_the_context_holds_whatever_the_rest_of_the_context(
    clf: OfflineClassifier,
) -> None:
    """``decide_unless_context_matters``: when it gives a verdict, protection, a question, a relative's
    words and every ``spared`` reason leave it as it is (the pipeline then works none of them out)."""
    tier = LearnedTier(LearnedModel.load())
    settings = ModerationSettings()
    rest = [
        {"protected": protected, "question": question, "relative": relative, "spared": why}
        for protected in (False, True)
        for question in (False, True)
        for relative in (False, True)
        for why in ("", "thanks", "fate", "reported")
    ]
    given = deferred = 0
    for index, text in enumerate(TEXTS):
        classification = clf.classify(text)
        score = tier.assess(text)
        for base in (
            ModerationContext(channel="message", has_order_content=classification.has_order_words),
            ModerationContext(channel="comment", memorial=index % 3 == 0),
        ):
            verdict = decide_unless_context_matters(classification, base, settings, learned=score)
            if verdict is None:
                deferred += 1
                continue
            given += 1
            for changes in rest:
                assert (
                    decide(classification, dataclasses.replace(base, **changes), settings, learned=score)
                    == verdict
                )
    assert given > 200 and deferred > 200  # both answers occur
