"""The policy: abuse hidden, grief and war kept, protected conversations only flagged, self-harm urgent."""

from __future__ import annotations

import pytest

from moderation.classifier import Classification, OfflineClassifier, Signal
from moderation.policy import ModerationContext, decide
from moderation.settings import ModerationSettings

SETTINGS = ModerationSettings()
OPEN = ModerationContext("message")


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


def verdict(clf: OfflineClassifier, text: str, context: ModerationContext = OPEN):
    return decide(clf.classify(text, context.channel), context, SETTINGS)


GRIEF_AND_WAR = [
    "Моего сына убили под Авдеевкой, хоронили в закрытом гробу. Сделайте ролик, прошу.",
    "Проклятая война, сука, забрала у меня всех. Простите за мат.",
    "Папу расстреляли оккупанты, эти твари даже тело не отдали.",
    "Дід загинув на фронті, бабуся померла від горя. Вічна пам'ять.",
    "My husband was killed by a drone strike. I just want to see him smile again.",
    "Убейте, не помню, какого числа похороны были. Кажется, в субботу.",
    "Мне написали «чтоб ты сдохла вместе с ним». Как такое удалить?",
    "Нашу суку пришлось усыпить, она была с папой до конца.",
    "Какого хрена военкомат тянул с похоронкой три месяца, пиздец просто.",
    "Батько застрахував життя, але страховка не допомогла.",
]


@pytest.mark.parametrize("text", GRIEF_AND_WAR)
def test_grief_and_war_never_hidden(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined"


def test_dog_is_ok_addressed_bitch_is_not(clf: OfflineClassifier) -> None:
    assert verdict(clf, "Наша сука ощенилась, можно щенков в ролик?").status == "ok"
    assert verdict(clf, "Ну ты и сука, на горе наживаешься").status == "quarantined"


@pytest.mark.parametrize(
    "text",
    [
        "Я знаю, где ты живешь. Жди гостей.",
        "Чтоб ты сгорела вместе со своими видосами",
        "Тебе не жить, если не удалишь.",
        "Щоб ти здохла разом зі своїми роликами",
        "I hope you die slowly",
        "I will find you, mark my words",
    ],
)
def test_threats_and_death_wishes_without_obscenity(clf: OfflineClassifier, text: str) -> None:
    v = verdict(clf, text)
    assert v.status == "quarantined"
    assert v.evidence
    assert not v.answer


def test_protected_conversation_only_flagged(clf: OfflineClassifier) -> None:
    protected = ModerationContext("message", protected=True)
    v = verdict(clf, "Ты тупая тварь, где мое видео?", protected)
    assert v.status == "flagged"
    assert "protected_conversation" in v.reasons


def test_order_inside_abuse_still_answered(clf: OfflineClassifier) -> None:
    ctx = ModerationContext("message", has_order_content=True)
    v = verdict(clf, "Мразь, хочу заказать видео с отцом", ctx)
    assert v.status == "flagged" and v.answer


def test_self_harm_is_urgent_and_shown(clf: OfflineClassifier) -> None:
    v = verdict(clf, "Не хочу жить без него, сука, и вы все твари")
    assert v.urgent and v.status == "flagged" and v.answer
    assert v.categories[0] == "self_harm"


def test_ml_alone_flags_and_quarantines_only_when_enabled() -> None:
    empty = Classification()
    assert decide(empty, OPEN, SETTINGS, {"insult": 0.99}).status == "flagged"
    enabled = SETTINGS.model_copy(update={"ml_quarantine_enabled": True})
    assert decide(empty, OPEN, enabled, {"insult": 0.99}).status == "quarantined"
    assert decide(empty, OPEN, enabled, {"insult": 0.9}).status == "flagged"
    protected = ModerationContext("message", protected=True)
    assert decide(empty, protected, enabled, {"insult": 0.99}).status == "flagged"


def test_unaimed_signal_does_not_flag() -> None:
    weak = Classification((Signal("obscene", "rules", 0.3, "ru.obscene.blya:unaimed"),))
    assert decide(weak, OPEN, SETTINGS).status == "ok"


def test_civil_criticism_visible(clf: OfflineClassifier) -> None:
    for text in [
        "Считаю такие ролики неэтичными, вы зарабатываете на чужом горе.",
        "Слишком дорого, и ответа я жду уже неделю. Разочарована.",
    ]:
        assert verdict(clf, text).status == "ok"
