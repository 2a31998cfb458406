"""Load the rule files under ``moderation/data`` and compile them once into a few combined regexes.

A rule file holds ``[[rule]]`` entries: a name, a category, an aim, a ``pattern`` (a regex, or a list of
alternatives joined with "|" at load time), optional ``unless``, and the texts it must match
(``examples``) and must not (``ok_examples``), checked by tests/test_moderation_rule_examples.py.
A pattern may name a shared regex fragment, ``<frag:NAME>``, from the file's ``[fragments]`` table or
the rule's own (``[rule.fragments]``); a fragment is a string or a list of alternatives, and may name
other fragments. ``<forms:NAME>`` is a generated word list from forms.toml.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from moderation.prefilter import GATE_PREFIX, required_literals, word_starts
from moderation.trie import compile_trie as _compile_trie_uncached

# Every pipeline loads the rules afresh (and the tests build hundreds): a compile depends on the pattern
# text alone and its result (re.Pattern, frozenset) is immutable, so each text is compiled once a process.
compile_trie = functools.lru_cache(maxsize=4096)(_compile_trie_uncached)
_word_starts = functools.lru_cache(maxsize=4096)(word_starts)
_required_literals = functools.lru_cache(maxsize=4096)(required_literals)

Aim = Literal["none", "loose", "tight"]

# One combined regex per file: a match in one file never hides a match in another.
RULE_FILES = ("self_harm", "threats", "hate", "spam", "insults", "obscene")
DEFAULT_SCORES = {
    "self_harm": 1.0,
    "threat": 0.95,
    "death_wish": 0.95,
    "hate": 0.9,
    "spam": 0.9,
    "insult": 0.9,
    "obscene": 0.9,
}
# Score of a word that needs an addressee and has none (swearing at the war): recorded, never hides.
UNAIMED_SCORE = 0.3
# Patterns are written in plain spelling; the text they run on has repeated letters collapsed.
_PATTERN_REPEATS_RE = re.compile(r"(?<!\\)([^\W\d_])\1+")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    category: str
    aim: Aim
    score: float
    pattern: str
    # A curse at fate ("чтоб ты сдохла, война проклятая"): a vocative fate noun in the sentence makes
    # the match swearing at no reader. On by default for death wishes.
    spares_fate: bool = False
    # When this matches the message, the rule's match is recorded but hides nothing (a kin vocative:
    # "сынок, ..." is a relative speaking to her own).
    unless: re.Pattern[str] | None = None
    # A match makes the message no order whatever order words it holds: "скинь фотки в купальнике, тогда
    # закажу" is harassment with an order as bait.
    beats_order: bool = False
    examples: tuple[str, ...] = ()  # texts on which the rule must fire
    ok_examples: tuple[str, ...] = ()  # texts on which it must not


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """All rules of one file behind one regex; ``rules[i]`` is group ``r{i}``.

    The prefilter: every match of rule ``i`` begins a word with one of ``starts[i]``; a rule with
    None there (no beginning derivable) is in ``ungated``, searched on its own after a check that
    the text holds one of the strings its every match contains.
    """

    regex: re.Pattern[str]
    rules: tuple[Rule, ...]
    patterns: tuple[re.Pattern[str], ...]  # each rule alone, to try only the rules that can start
    starts: tuple[frozenset[str] | None, ...]
    ungated: tuple[Ungated, ...]


@dataclass(frozen=True, slots=True)
class Ungated:
    strings: frozenset[str]  # every match contains one of them; empty: nothing can be promised
    needles: re.Pattern[str] | None  # the same strings as one literal alternation
    regex: re.Pattern[str]

    def may_match(self, text: str) -> bool:
        if self.needles is not None and self.needles.search(text) is None:
            return False
        return self.regex.search(text) is not None


@dataclass(frozen=True, slots=True)
class ContextPatterns:
    address: re.Pattern[str]
    targets: re.Pattern[str]
    reporting: re.Pattern[str]
    first_person: re.Pattern[str]
    tight_adjectives: re.Pattern[str]
    order: re.Pattern[str]
    tight_particles: frozenset[str]
    naming: re.Pattern[str] | None = None  # "назвал вас гиеной": the name is someone else's word
    third_person: re.Pattern[str] | None = None  # "эти твари": about someone else
    third_person_after: re.Pattern[str] | None = None  # "ублюдки бомбили": they acted
    indefinite: re.Pattern[str] | None = None  # "какой-то урод": someone unnamed
    apology: re.Pattern[str] | None = None  # "простите за мат": swearing, not abuse of the reader
    verb_like: re.Pattern[str] | None = None  # a sentence without one is name-calling
    fate_vocative: re.Pattern[str] | None = None  # ", война проклятая": fate addressed in a sentence
    fate_alone: re.Pattern[str] | None = None  # "Война проклятая!": a sentence that is only that
    interjection: re.Pattern[str] | None = None  # "Курва, третій похорон": swearing at no one
    tribute: re.Pattern[str] | None = None  # "rest easy", "земля пухом": words to the dead
    living_reader: re.Pattern[str] | None = None  # "а ты, мразь, наживаешься": a living reader spoken to
    kin_vocative: re.Pattern[str] | None = None  # "Брат, курва, зачем ты ...": the "ты" is the dead one
    report_requests: frozenset[str] = frozenset()  # "удалите": reporting words that unquote only quotes


@dataclass(frozen=True, slots=True)
class RuleSet:
    groups: tuple[RuleGroup, ...]
    context: ContextPatterns

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for group in self.groups for rule in group.rules)


def collapse_pattern(pattern: str) -> str:
    """Collapse doubled letters in a pattern's literals, as the text is collapsed."""
    return _PATTERN_REPEATS_RE.sub(r"\1", pattern)


def _read(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc


_FORMS_RE = re.compile(r"<forms:(\w+)>")


def _load_forms(path: Path) -> dict[str, list[str]]:
    """The generated word lists (moderation/tools/expand_forms.py); a missing file means none."""
    if not path.is_file():
        return {}
    return {str(k): [str(w) for w in v] for k, v in _read(path).items()}  # type: ignore[attr-defined]


def expand_forms(pattern: str, forms: dict[str, list[str]], where: str) -> str:
    """Replace each ``<forms:NAME>`` with an alternation of that list, longest words first."""

    def alternation(match: re.Match[str]) -> str:
        words = forms.get(match.group(1))
        if not words:
            raise ValueError(f"{where}: no word list {match.group(1)!r} in forms.toml")
        return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) + ")"

    return _FORMS_RE.sub(alternation, pattern)


_FRAGMENT_RE = re.compile(r"<frag:(\w+)>")


def alternatives(value: object, where: str) -> str:
    """A pattern written as one string or as a list of alternatives, as one regex string."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "|".join(value)
    raise ValueError(f"{where}: a pattern must be a string or a non-empty list of strings")


def expand_fragments(pattern: str, fragments: dict[str, str], where: str, depth: int = 0) -> str:
    """Replace each ``<frag:NAME>`` with ``(?:FRAGMENT)``, fragments inside fragments too.

    A fragment shared by several rules ("a detail of the reader's life", "a menace") is written once,
    and a long alternation gets a name instead of a 1,000-character line.
    """
    if depth > 10:
        raise ValueError(f"{where}: fragments nest more than 10 deep (a fragment names itself?)")

    def fragment(match: re.Match[str]) -> str:
        text = fragments.get(match.group(1))
        if text is None:
            raise ValueError(f"{where}: no fragment {match.group(1)!r} in [fragments]")
        return f"(?:{expand_fragments(text, fragments, where, depth + 1)})"

    return _FRAGMENT_RE.sub(fragment, pattern)


def _fragments(table: object, where: str) -> dict[str, str]:
    return {str(k): alternatives(v, f"{where}: fragment {k}") for k, v in dict(table or {}).items()}  # type: ignore[call-overload]


def _texts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: examples and ok_examples must be lists of strings")
    return tuple(value)


def _load_group(path: Path, forms: dict[str, list[str]]) -> RuleGroup:
    data = _read(path)
    defaults = dict(data.get("defaults", {}))  # type: ignore[call-overload]
    shared = _fragments(data.get("fragments"), str(path))
    rules: list[Rule] = []
    compiled: list[re.Pattern[str]] = []  # each rule alone, compiled once
    for entry in data.get("rule", []):  # type: ignore[attr-defined]
        merged = {**defaults, **entry}
        category = str(merged["category"])
        aim = str(merged.get("aim", "none"))
        if aim not in ("none", "loose", "tight"):
            raise ValueError(f"{path}: rule {merged.get('name')}: aim must be none, loose or tight")
        where = f"{path}: rule {merged.get('name')}"
        fragments = {**shared, **_fragments(entry.get("fragments"), where)}
        pattern = expand_fragments(alternatives(merged["pattern"], where), fragments, where)
        pattern = collapse_pattern(expand_forms(pattern, forms, where))
        try:
            compiled.append(compile_trie(pattern))
        except re.error as exc:
            raise ValueError(f"{path}: rule {merged.get('name')}: bad pattern: {exc}") from exc
        score = float(merged.get("score", DEFAULT_SCORES.get(category, 0.9)))
        spares_fate = bool(merged.get("spares_fate", category == "death_wish"))
        unless = None
        if "unless" in merged:
            unless_text = expand_fragments(alternatives(merged["unless"], where), fragments, where)
            try:
                unless = compile_trie(collapse_pattern(unless_text))
            except re.error as exc:
                raise ValueError(f"{path}: rule {merged.get('name')}: bad unless: {exc}") from exc
        beats_order = bool(merged.get("beats_order", False))
        examples = _texts(entry.get("examples", []), where)
        ok_examples = _texts(entry.get("ok_examples", []), where)
        rules.append(
            Rule(
                str(merged["name"]),
                category,
                aim,  # type: ignore[arg-type]
                score,
                pattern,
                spares_fate,
                unless,
                beats_order,
                examples,
                ok_examples,
            )
        )
    combined = "|".join(f"(?P<r{i}>{rule.pattern})" for i, rule in enumerate(rules))
    patterns = tuple(compiled)
    starts = tuple(_word_starts(rule.pattern, GATE_PREFIX) for rule in rules)
    ungated: list[Ungated] = []
    for alone, found in zip(patterns, starts, strict=True):
        if found is None:
            needles = _required_literals(alone.pattern)
            # Literal alternatives only: the regex engine scans for their first letters in C.
            needle_re = compile_trie("|".join(map(re.escape, sorted(needles)))) if needles else None
            ungated.append(Ungated(needles or frozenset(), needle_re, alone))
    return RuleGroup(compile_trie(combined), tuple(rules), patterns, starts, tuple(ungated))


def _load_context(path: Path) -> ContextPatterns:
    data = _read(path)
    fragments = _fragments(data.get("fragments"), str(path))

    def text(key: str) -> str:
        where = f"{path}: {key}"
        return expand_fragments(alternatives(data[key], where), fragments, where)

    def compiled(key: str) -> re.Pattern[str]:
        return compile_trie(collapse_pattern(text(key)))

    return ContextPatterns(
        address=compiled("address"),
        targets=compiled("targets"),
        reporting=compiled("reporting"),
        first_person=compiled("first_person"),
        tight_adjectives=compiled("tight_adjectives"),
        order=compiled("order"),
        tight_particles=frozenset(str(w) for w in data["tight_particles"]),  # type: ignore[attr-defined]
        naming=compiled("naming") if "naming" in data else None,
        third_person=compiled("third_person") if "third_person" in data else None,
        third_person_after=compiled("third_person_after") if "third_person_after" in data else None,
        indefinite=compiled("indefinite") if "indefinite" in data else None,
        apology=compiled("apology") if "apology" in data else None,
        verb_like=compiled("verb_like") if "verb_like" in data else None,
        interjection=compiled("interjection") if "interjection" in data else None,
        tribute=compiled("tribute") if "tribute" in data else None,
        living_reader=compiled("living_reader") if "living_reader" in data else None,
        kin_vocative=compiled("kin_vocative") if "kin_vocative" in data else None,
        report_requests=frozenset(str(w) for w in data.get("report_requests", [])),  # type: ignore[attr-defined]
        fate_vocative=(
            compile_trie(collapse_pattern(rf"(?:^|[,:—-])\s*(?:{text('fate_phrase')})\s*(?:[,:—-]|$)"))
            if "fate_phrase" in data
            else None
        ),
        fate_alone=(
            compile_trie(collapse_pattern(rf"\W*(?:{text('fate_phrase')})\W*"))
            if "fate_phrase" in data
            else None
        ),
    )


def load_rules(data_dir: Path) -> RuleSet:
    """Read and compile every rule file; errors name the file and the rule."""
    forms = _load_forms(data_dir / "forms.toml")
    groups = tuple(_load_group(data_dir / f"{name}.toml", forms) for name in RULE_FILES)
    return RuleSet(groups, _load_context(data_dir / "context.toml"))
