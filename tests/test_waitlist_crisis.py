"""``sounds_like_crisis`` asks one alternation of the crisis patterns: it must say what asking each did."""

from __future__ import annotations

import re

from waitlist import vocabulary
from waitlist.crisis import sounds_like_crisis
from waitlist.language import normalize
from waitlist.testing import SCRIPTS

TEXTS = [
    "я не знаю как дальше жить",
    "Не знаю, как мне теперь жить без него",
    "зачем мне теперь жить",
    "жизнь потеряла всякий смысл",
    "устала жить",
    "не хочу больше просыпаться",
    "не знаю як далі жити",
    "навіщо мені тепер жити",
    "життя втратило сенс",
    "I don't know how to go on",
    "what is the point of living",
    "sick of living",
    "I do not want to wake up",
    "как жить дальше я не знаю",
    "мы знаем как жить",
    "он любил жизнь",
    "",
    "🙏",
    *(text for script in SCRIPTS.values() for text in script.values()),
]


def test_one_alternation_says_what_each_pattern_did() -> None:
    patterns = vocabulary.crisis_patterns()
    assert not any(re.search(r"\\\d|\(\?P=", p.pattern) for p in patterns)  # no group references
    hits = 0
    for text in TEXTS:
        words = normalize(text)
        each = bool(words) and any(p.search(words) for p in patterns)
        assert sounds_like_crisis(text) == each, text
        hits += each
    assert 10 <= hits < len(TEXTS)  # both answers are tried
