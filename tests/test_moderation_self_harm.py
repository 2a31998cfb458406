"""Self-harm: a relative who writes that she wants to die is shown to the founder at once (urgent),
answered, and never hidden; a relative telling how her son or father died, or "finishing" an order,
raises nothing.
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from moderation.policy import ModerationContext, decide
from tests.moderation_cases import SETTINGS, clf  # noqa: F401  (clf is a fixture the tests take)

URGENT = [
    "не хочу жить без него",
    "Иногда думаю покончить с собой",
    "Я больше не могу, наглотаюсь таблеток и всё",
    "Не хочу жити без нього",
    "Хочу до нього, накладу на себе руки",
    "I don't want to live without him",
    "I want to die",
]
NOT_URGENT = [
    "Сын покончил с собой в армии, хочу ролик с ним",
    "Папа не хотел жить после смерти мамы, сделайте ролик с ними вместе",
    "He killed himself last spring. Can you make a clip?",
    "Врачи говорят, ему недолго жить",
    "Думала покончить с этим заказом сегодня, пришлите счёт",
]


def _verdict(clf: OfflineClassifier, text: str):
    classification = clf.classify(text)
    context = ModerationContext("message", has_order_content=classification.has_order_words)
    return decide(classification, context, SETTINGS)


@pytest.mark.parametrize("text", URGENT)
def test_self_harm_is_urgent_shown_and_answered(clf: OfflineClassifier, text: str) -> None:
    verdict = _verdict(clf, text)
    assert verdict.urgent and verdict.status == "flagged" and verdict.answer
    assert verdict.categories[0] == "self_harm"


@pytest.mark.parametrize("text", NOT_URGENT)
def test_a_death_told_is_no_self_harm(clf: OfflineClassifier, text: str) -> None:
    verdict = _verdict(clf, text)
    assert not verdict.urgent and verdict.status == "ok"
