"""The classifier protocol, its result types, and the offline rule tier that runs everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from moderation.aim import (
    LOOSE_CHECKS,
    SENTENCE_END_RE,
    TIGHT_CHECKS,
    WORD_RE,
    AimWords,
    Around,
    aimed,
    sentence_bounds,
)
from moderation.names import without_names
from moderation.normalize import NormalizationData, Normalized, Normalizer
from moderation.prefilter import GATE_PREFIX, word_starts
from moderation.rules import UNAIMED_SCORE, Rule, RuleGroup, RuleSet, load_rules
from moderation.settings import DEFAULT_DATA_DIR
from moderation.trie import compile_trie

Source = Literal["rules", "ml"]
# Categories that can take a message out of sight; "self_harm" and "order" only inform the policy.
ABUSE_CATEGORIES = ("threat", "death_wish", "hate", "insult", "obscene", "spam")
SELF_HARM = "self_harm"
ORDER = "order"

# The first letters of each word, as long as the rules' derived beginnings (rules.GATE_PREFIX).
_HEAD_MEMO_SIZE = 200_000
_WORD_HEAD_RE = re.compile(rf"\b\w{{1,{GATE_PREFIX}}}")
_QUOTED_RE = re.compile(r"\"[^\"\n]{1,300}\"|(?<!\w)'[^'\n]{1,300}'(?!\w)")
_AFTER_COLON_RE = re.compile(r":[^.!?\n]*")


@dataclass(frozen=True, slots=True)
class Signal:
    """One finding: a category, who found it, how sure (0..1), and which rule or label."""

    category: str
    source: Source
    score: float
    rule: str


@dataclass(frozen=True, slots=True)
class Classification:
    signals: tuple[Signal, ...] = ()

    def has(self, category: str, min_score: float = 0.0) -> bool:
        return any(s.category == category and s.score >= min_score for s in self.signals)

    def max_score(self, categories: Iterable[str] = ABUSE_CATEGORIES, source: Source | None = None) -> float:
        wanted = set(categories)
        scores = [
            s.score for s in self.signals if s.category in wanted and (source is None or s.source == source)
        ]
        return max(scores, default=0.0)

    def categories(self, min_score: float = 0.0) -> tuple[str, ...]:
        """Categories found at or above ``min_score``, strongest first."""
        best: dict[str, float] = {}
        for s in self.signals:
            if s.score >= min_score:
                best[s.category] = max(best.get(s.category, 0.0), s.score)
        return tuple(sorted(best, key=lambda c: (-best[c], c)))

    @property
    def has_order_words(self) -> bool:
        return self.has(ORDER)

    def with_signals(self, extra: Iterable[Signal]) -> Classification:
        return Classification(self.signals + tuple(extra))


class Classifier(Protocol):
    def classify(self, text: str, channel: str) -> Classification: ...


class OfflineClassifier:
    """Rules over normalised text. Loads its data once; holds no mutable state, so threads may share it."""

    def __init__(self, data_dir: Path = DEFAULT_DATA_DIR):
        self._normalizer = Normalizer(NormalizationData.load(data_dir))
        self._rules: RuleSet = load_rules(data_dir)
        self._aim = AimWords.load(data_dir)
        # The exact prefilter: word beginning -> bit mask of the rules (numbered across all groups)
        # whose matches can begin there; each group owns bits offset .. offset + len(rules).
        self._starts: dict[str, int] = {}
        self._groups: list[tuple[RuleGroup, int, int]] = []  # group, its first bit, all its bits
        bit = 0
        for group in self._rules.groups:
            self._groups.append((group, bit, ((1 << len(group.rules)) - 1) << bit))
            for starts in group.starts:
                for start in starts or ():
                    self._starts[start] = self._starts.get(start, 0) | 1 << bit
                bit += 1
        # Three more bits, after the rules': the context patterns that run on every message.
        context = self._rules.context
        order = word_starts(context.order.pattern, GATE_PREFIX)
        reporting = word_starts(context.reporting.pattern, GATE_PREFIX)
        naming = None if context.naming is None else word_starts(context.naming.pattern, GATE_PREFIX)
        self._order_bit, self._context_bits = 1 << bit, 6 << bit
        self._order_open = order is None  # no beginning derivable: always searched
        self._context_open = reporting is None or (context.naming is not None and naming is None)
        for starts, flag in ((order, 1 << bit), (reporting, 2 << bit), (naming, 4 << bit)):
            for start in starts or ():
                self._starts[start] = self._starts.get(start, 0) | flag
        # Word head -> its mask, memoised: heads repeat across messages. A pure function's memo, so
        # sharing between threads is safe; bounded so odd input cannot grow it without end.
        self._head_masks: dict[str, int] = {}
        # One search for the strings of every rule without a beginning: most texts hold none.
        ungated = [rule for group in self._rules.groups for rule in group.ungated]
        strings = sorted({string for rule in ungated for string in rule.strings})
        self._any_needle = (
            compile_trie("|".join(map(re.escape, strings))) if all(rule.strings for rule in ungated) else None
        )

        # Rules whose aimed match makes the message no order (Rule.beats_order).
        self._beats_order = frozenset(rule.name for rule in self._rules.rules if rule.beats_order)

    @property
    def rules(self) -> RuleSet:
        return self._rules

    def normalize(self, text: str) -> Normalized:
        return self._normalizer.normalize(text)

    def classify(self, text: str, channel: str = "message") -> Classification:
        # channel is part of the protocol; the rules read comments and messages alike.
        norm = self._normalizer.normalize(without_names(text))
        signals: dict[tuple[str, str], Signal] = {}
        order_possible = self._order_open
        for variant in norm.variants:
            heads = self._heads(variant)
            if variant is norm.collapsed:
                order_possible |= bool(heads[1] & self._order_bit)
            # Without a reporting or naming word, _unquote would return the text unchanged.
            if self._context_open or heads[1] & self._context_bits:
                text = self._unquote(variant)
                if text != variant:
                    heads = self._heads(text)
                variant = text
            self._scan(variant, signals, heads)
        if norm.masked:
            _keep(signals, Signal("obscene", "rules", UNAIMED_SCORE, "masked_word"))
        if any(s.rule in self._beats_order for s in signals.values()):
            order_possible = False  # an order as bait for harassment is no order
        if order_possible and self._rules.context.order.search(norm.collapsed):
            _keep(signals, Signal(ORDER, "rules", 0.0, "order_words"))
        return Classification(tuple(signals.values()))

    def _unquote(self, text: str) -> str:
        """Blank out what someone else wrote when the message reports it ("мне написали «сдохни»")."""
        naming = self._rules.context.naming
        if naming is not None and naming.search(text):
            text = naming.sub(lambda m: " " * len(m.group()), text)
        ctx = self._rules.context
        reported = [m.group() for m in ctx.reporting.finditer(text)]
        if not reported:
            return text
        text = _QUOTED_RE.sub(lambda m: " " * len(m.group()), text)
        if all(word in ctx.report_requests for word in reported):
            return text  # "«...». Удалите": only the quoted words are someone else's
        text = self._aim.said_before.sub(lambda m: " " * len(m.group()), text)
        return _AFTER_COLON_RE.sub(lambda m: " " * len(m.group()), text)

    def _heads(self, text: str) -> tuple[list[tuple[int, int]], int]:
        """Word starts where some rule could begin, with their bit masks, and all bits found."""
        head_masks = self._head_masks
        candidates: list[tuple[int, int]] = []
        found = 0
        for head in _WORD_HEAD_RE.finditer(text):
            word = head.group()
            mask = head_masks.get(word)
            if mask is None:
                mask = self._head_mask(word)
            if mask:
                candidates.append((head.start(), mask))
                found |= mask
        return candidates, found

    def _scan(
        self,
        text: str,
        signals: dict[tuple[str, str], Signal],
        heads: tuple[list[tuple[int, int]], int] | None = None,
    ) -> None:
        words = -1  # counted only when something matched
        candidates, found = self._heads(text) if heads is None else heads
        needle = self._any_needle is None or self._any_needle.search(text) is not None
        for group, offset, bits in self._groups:
            if needle and group.ungated and any(rule.may_match(text) for rule in group.ungated):
                matches: Iterable[tuple[Rule, re.Match[str]]] = _all_matches(group, text)
            elif found & bits:
                # Only rules with a beginning can match, and only at these starts: the same matches.
                matches = _matches_at(group, text, candidates, offset)
            else:
                continue
            for rule, match in matches:
                if words < 0:
                    words = len(WORD_RE.findall(text))
                _keep(signals, self._signal(rule, text, match, words))

    def _head_mask(self, word: str) -> int:
        starts = self._starts
        mask = 0
        for length in range(1, len(word) + 1):
            mask |= starts.get(word[:length], 0)
        if len(self._head_masks) < _HEAD_MEMO_SIZE:
            self._head_masks[word] = mask
        return mask

    def _signal(self, rule: Rule, text: str, match: re.Match[str], words: int) -> Signal:
        if rule.unless is not None and rule.unless.search(text):
            return Signal(rule.category, "rules", UNAIMED_SCORE, f"{rule.name}:unless")
        if rule.spares_fate and self._fate_addressed(text, match):
            return Signal(rule.category, "rules", UNAIMED_SCORE, f"{rule.name}:fate")
        if rule.aim == "none":
            return Signal(rule.category, "rules", rule.score, rule.name)
        tribute = self._rules.context.tribute
        if (
            rule.category == "insult"
            and tribute is not None
            and tribute.search(text)
            and not self._living_reader(text, match)
        ):
            # "well, you bastards, ... rest easy", "эх вы, сволочи, земля вам пухом": fond words to the dead.
            return Signal(rule.category, "rules", UNAIMED_SCORE, f"{rule.name}:tribute")
        checks = LOOSE_CHECKS if rule.aim == "loose" else TIGHT_CHECKS
        if aimed(checks, Around(text, match, words, self._rules.context, self._aim))[0]:
            return Signal(rule.category, "rules", rule.score, rule.name)
        return Signal(rule.category, "rules", UNAIMED_SCORE, f"{rule.name}:unaimed")

    def _living_reader(self, text: str, match: re.Match[str]) -> bool:
        """The insult's sentence speaks to a living reader ("а ты, мразь, наживаешься")."""
        living = self._rules.context.living_reader
        start, end = sentence_bounds(text, match)
        return living is not None and living.search(text, start, end) is not None

    def _fate_addressed(self, text: str, match: re.Match[str]) -> bool:
        """A fate noun in the vocative in the match's sentence ("чтоб ты сдохла, война проклятая"), or a
        neighbouring sentence that is nothing but one ("Война проклятая! Чтоб ты сдохла")."""
        ctx = self._rules.context
        if ctx.fate_vocative is None or ctx.fate_alone is None:
            return False
        start, end = sentence_bounds(text, match)
        if ctx.fate_vocative.search(text[start:end].strip()):
            return True
        before = text[:start].rstrip()
        previous = before[: -1 if before else None]  # drop the previous sentence's end mark
        previous_start = max((m.end() for m in SENTENCE_END_RE.finditer(previous)), default=0)
        following = SENTENCE_END_RE.search(text, end + 1)
        return bool(
            (before and ctx.fate_alone.fullmatch(before[previous_start:]))
            or ctx.fate_alone.fullmatch(text[end : following.start() if following else len(text)])
        )


def _all_matches(group: RuleGroup, text: str) -> Iterator[tuple[Rule, re.Match[str]]]:
    for match in group.regex.finditer(text):
        if match.lastgroup is not None:
            yield group.rules[int(match.lastgroup[1:])], match


def _matches_at(
    group: RuleGroup, text: str, candidates: list[tuple[int, int]], offset: int
) -> Iterator[tuple[Rule, re.Match[str]]]:
    """What ``group.regex.finditer(text)`` yields when rules match only where their bits are set.

    The combined regex tries its rules in order at each position and takes the first that matches;
    so does this, at the candidate positions only, with only the rules that can begin there.
    """
    end = 0
    full = (1 << len(group.rules)) - 1
    for at, mask in candidates:
        here = mask >> offset & full
        if not here or at < end:
            continue
        while here:  # the set bits only, lowest (first rule) first
            low = here & -here
            index = low.bit_length() - 1
            if (match := group.patterns[index].match(text, at)) is not None:
                yield group.rules[index], match
                end = match.end()
                break
            here ^= low


def _keep(signals: dict[tuple[str, str], Signal], signal: Signal) -> None:
    """Keep the strongest signal per (category, rule family)."""
    key = (signal.category, signal.rule.split(":")[0])
    current = signals.get(key)
    if current is None or signal.score > current.score:
        signals[key] = signal
