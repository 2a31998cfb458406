"""Families added after blind set E (tests/data/moderation-blind-e.jsonl, scored untouched: recall
0.540, fpr 0). Each family is tested with phrasings that are not in set E, and with the ok sentences
closest to it (grief, orders, war vocabulary, idioms, swearing at fate, quoted abuse, a mother
cursing her son's killer).
"""

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from moderation.policy import ModerationContext, decide
from moderation.settings import ModerationSettings

SETTINGS = ModerationSettings()


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


def _status(clf: OfflineClassifier, text: str, channel: str = "message") -> str:
    classification = clf.classify(text, channel)
    context = ModerationContext(
        "comment" if channel == "comment" else "message",
        has_order_content=classification.has_order_words,
    )
    return decide(classification, context, SETTINGS).status


def _hidden(clf: OfflineClassifier, case: str) -> bool:
    channel, text = ("comment", case[2:]) if case.startswith("C:") else ("message", case)
    return _status(clf, text, channel) == "quarantined"


def check(clf: OfflineClassifier, case: str, hidden: bool) -> None:
    text = case[2:] if case.startswith("C:") else case
    assert _hidden(clf, case) == hidden, clf.classify(text)


# --- Aim: plain insults said to people were read as swearing at no one ---
# A vocative insult closing a sentence may be followed by an insulting adjective (", гнида ебучая");
# "ну и ..." opens an exclamation; a verbless sentence around an insult is name-calling; a comment
# is never an order, so order words in one protect nothing ("тебе самой такой ролик закажут").
AIM_ABUSE = [
    "Сиди и дальше клепай свои видосики, мразь конченая",
    "C:Бездари все как один, позорище",
    "C:Мародёрка в чистом виде",
    "C:ну и быдло тут в комментах",
    "Спасибо за ничего, тварь ебучая",
]
# A demonstrative after the insult or a past verb among the two words after it ("твари эти ...",
# "мразь, которая сбила ...") is about someone else; "какой-то урод" is someone unnamed; an apology
# for swearing means the tight words are not aimed at the reader.
AIM_OK = [
    "Ну и твари эти оккупанты, убили сына",
    "Мразь, которая сбила моего сына, до сих пор на свободе",
    "Твари конченые, убили моего мальчика",
    "Какой-то урод разбил памятник сыну, можно ролик?",
    "Спасибо вам, блядь, ревела весь вечер. Извините за выражение",
    "Дура я старая, всё перепутала, простите",
    "Замовкни, серце, не плач. Хочу замовити відео з татом",
]


@pytest.mark.parametrize("case", AIM_ABUSE)
def test_aim_abuse(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", AIM_OK)
def test_aim_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


def test_comment_order_words_protect_nothing(clf: OfflineClassifier) -> None:
    text = "Ты тварь, закажу ролик про тебя"
    assert _status(clf, text, "message") == "flagged"  # a message with order words: shown, marked
    assert _status(clf, text, "comment") == "quarantined"
    assert not clf.classify("Скоро и тебе закажут", "message").has_order_words
