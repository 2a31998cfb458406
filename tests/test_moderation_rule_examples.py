"""Every rule carries the texts it must match and must not, and every rule file stays readable.

A rule "matches" a text when the offline tier gives the rule's own signal for it at full strength:
its pattern matched and its aim held (a match recorded as ``:unaimed``, ``:fate``, ``:unless`` or
``:tribute`` hides nothing, so it does not count).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from moderation.classifier import OfflineClassifier
from moderation.rules import Rule, alternatives, expand_fragments
from moderation.settings import DEFAULT_DATA_DIR

MAX_LINE = 400
CLASSIFIER = OfflineClassifier()


def fires(rule: Rule, text: str) -> bool:
    return any(signal.rule == rule.name for signal in CLASSIFIER.classify(text).signals)


def example_failures(rule: Rule) -> list[str]:
    """What is wrong with a rule's examples; empty when it fires on each and on no ok_example."""
    if not rule.examples:
        return [f"{rule.name}: no examples"]
    missed = [text for text in rule.examples if not fires(rule, text)]
    wrongly = [text for text in rule.ok_examples if fires(rule, text)]
    problems = [f"{rule.name} matches none of its examples"] if len(missed) == len(rule.examples) else []
    problems += [f"{rule.name} misses {text!r}" for text in missed]
    return problems + [f"{rule.name} fires on its ok_example {text!r}" for text in wrongly]


@pytest.mark.parametrize("rule", CLASSIFIER.rules.rules, ids=lambda rule: rule.name)
def test_rule_matches_its_examples_and_spares_its_ok_examples(rule: Rule) -> None:
    assert not example_failures(rule)


def test_the_example_check_fails_a_rule_without_examples_or_matching_none() -> None:
    real = CLASSIFIER.rules.rules[0]
    assert example_failures(replace(real, examples=())) == [f"{real.name}: no examples"]
    # A rule the tier does not run fires on nothing: it matches none of its examples.
    ghost = replace(real, name="ghost.rule", ok_examples=())
    assert example_failures(ghost)[0] == "ghost.rule matches none of its examples"
    swapped = replace(real, examples=real.examples[:1], ok_examples=real.examples[:1])
    assert example_failures(swapped) == [f"{real.name} fires on its ok_example {real.examples[0]!r}"]


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in CLASSIFIER.rules.rules]
    assert len(names) == len(set(names))


def test_no_long_lines_in_the_rule_data() -> None:
    files = sorted(Path(DEFAULT_DATA_DIR).parent.rglob("*.toml"))
    assert files
    long = [
        f"{path.name}:{number} ({len(line.encode())} bytes)"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if len(line.encode()) > MAX_LINE  # bytes, as editors and reviewers count a Cyrillic line
    ]
    assert not long, f"lines over {MAX_LINE} bytes: {long}"


def test_a_pattern_list_is_its_alternatives_joined() -> None:
    assert alternatives(["a", "b\\s+c"], "here") == "a|b\\s+c"
    assert alternatives("a|b", "here") == "a|b"
    with pytest.raises(ValueError, match="here"):
        alternatives([], "here")
    with pytest.raises(ValueError, match="here"):
        alternatives(["a", 1], "here")


def test_fragments_nest_and_a_missing_one_is_named() -> None:
    fragments = {"you": "ты|вы", "threat": "<frag:you>\\s+труп"}
    assert expand_fragments("\\b<frag:threat>", fragments, "r") == "\\b(?:(?:ты|вы)\\s+труп)"
    with pytest.raises(ValueError, match="no fragment 'nope'"):
        expand_fragments("<frag:nope>", fragments, "r")
    with pytest.raises(ValueError, match="nest"):
        expand_fragments("<frag:loop>", {"loop": "<frag:loop>"}, "r")
