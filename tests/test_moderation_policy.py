"""The policy: abuse hidden, grief and war kept, protected conversations only flagged, self-harm urgent."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.classifier import SELF_HARM, Classification, OfflineClassifier, Signal
from moderation.evaluation import evaluate, load_items
from moderation.policy import LearnedScore, ModerationContext, decide
from moderation.settings import ModerationSettings
from tests.moderation_cases import status

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


def test_the_learned_score_alone_marks_nothing_in_a_protected_conversation(clf: OfflineClassifier) -> None:
    """A relative's answers in her own order's conversation ("Granddaughter") are not marked on a score
    alone, hiding or review; elsewhere the same score marks or hides, and the rules still mark there."""
    protected = ModerationContext("message", protected=True)
    empty = Classification()
    for score in (0.6, 0.95):  # the review band, then above hide
        learned = LearnedScore(score, "test-1", review=0.5, hide=0.9)
        assert decide(empty, OPEN, SETTINGS, learned=learned).status != "ok"
        assert decide(empty, protected, SETTINGS, learned=learned).status == "ok"
        rules = clf.classify("Ты тупая тварь, где мое видео?", "message")
        assert decide(rules, protected, SETTINGS, learned=learned).status == "flagged"
    comment = ModerationContext("comment", protected=True)  # a comment has no conversation to protect it
    assert decide(empty, comment, SETTINGS, learned=LearnedScore(0.6, "test-1", 0.5, 0.9)).status == "flagged"


def test_order_inside_abuse_still_answered(clf: OfflineClassifier) -> None:
    ctx = ModerationContext("message", has_order_content=True)
    v = verdict(clf, "Мразь, хочу заказать видео с отцом", ctx)
    assert v.status == "flagged" and v.answer


def test_comment_order_words_protect_nothing(clf: OfflineClassifier) -> None:
    text = "Ты тварь, закажу ролик про тебя"
    assert status(clf, text, "message") == "flagged"  # a message with order words: shown, marked
    # The policy itself, told the comment has order words, still hides it: a comment is never an order.
    as_comment = ModerationContext("comment", has_order_content=True)
    assert decide(clf.classify(text, "comment"), as_comment, SETTINGS).status == "quarantined"
    assert not clf.classify("Скоро и тебе закажут", "message").has_order_words


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


# False friends found while generalising the rules: each was hidden, or would have been, by a rule.
GRIEF_FALSE_FRIENDS = [
    "Врачи сказали, недолго ей осталось, успеете сделать видео до её дня рождения?",
    "Служил на Черноморском флоте, погиб в 2022. Сделайте ролик.",
    "Дед в ватнике на фото, 1943 год, можно оживить?",
    "У сына был синдром Дауна, он был самым добрым человеком. Вы сможете сделать видео?",
    "Скоро мы все тут подохнем от обстрелов, но видео сделайте, пожалуйста.",
    "Я вас нашла через знакомых, хочу заказать видео с папой.",
    "Давайте встретимся у подъезда, я передам вам фотографии.",
    "Гореть им в аду, тем кто убил моего сына. Сделайте видео, прошу.",
    "Мне сказали, что вы шарлатаны, но я не верю. Сколько стоит?",
    "Вы выиграли моё сердце, спасибо за видео!",
    "Кто-то пишет гадости под видео, удалите пожалуйста.",
    "На вашем месте должны работать профессионалы, а не новички.",
    "Украинские семьи не заслуживают такого горя. Сделайте видео для мамы.",
    "Хохлома на фото за спиной у бабушки, это её работа.",
    "Вы не представляете, какие ублюдки бомбили наш город. Сына не стало. Сделайте видео.",
    "Эти твари убили моего мужа, вы бы видели, что они сделали. Сделайте ролик.",
    "Вы ответите за сроки? Мне нужно к девятому мая.",
    "Вы пожалеете, что не видели его улыбку, он был таким светлым.",
    "Вам конец месяца подходит для оплаты?",
    "Ты следующая в очереди, написали мне в чате заказов, это правда?",
    "Дура я, что не сохранила голосовые. Простите.",
    "Идиотская ситуация: видео пришло без звука.",
]


@pytest.mark.parametrize("text", GRIEF_FALSE_FRIENDS)
def test_false_friends_stay_visible(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined"


@pytest.mark.parametrize(
    "text",
    [
        "Гореть тебе в аду за такие ролики",  # infinitive + dative curse
        "Смотри, как бы с тобой чего не случилось",  # veiled threat idiom
        "Надеюсь, тебя скоро закопают",  # passive death wish
        "Подожжём твою квартиру, поняла?",  # generated first-person threat verb
        "Мы тебя вычислили, сиди и бойся",  # doxxing
        "Ты реально больная, на мёртвых наживаешься",  # ambiguous adjective said to the reader
        "Проходимки вроде тебя наживаются на горе",  # generated insult noun form
    ],
)
def test_general_abuse_classes(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined"


# Two sets written by hand for this check, in the dev set's style, never from it:
# - held-out (84 items) was written before any rule change (first look: recall 0.595, fpr_ok 0.071);
#   some rule classes were then added after reading its misses, so its figure is optimistic;
# - fresh (41 items) was written after those changes and first scored recall 0.696, fpr_ok 0;
#   four general constructions followed;
# - fresh3 (30 items) was written last and never tuned on: recall 0.562 (old rules 0.50), fpr 0;
#   the blind-A families (not its misses) later took it to 0.75;
# The honest estimate for unseen data is the first looks (0.56-0.70), not the tuned figures.
# The bands below hold the current figures with a little room, so a regression fails loudly.
@pytest.mark.parametrize(
    ("name", "min_recall"),
    [
        ("moderation-heldout.jsonl", 0.85),
        ("moderation-fresh.jsonl", 0.80),
        ("moderation-fresh3.jsonl", 0.70),
        # blind-a: written before reading the rules, first look 0.735; its misses then guided rule
        # families, so 1.0 is tuned. blind-b: same author and time, scored once at the end: 0.833.
        ("moderation-blind-a.jsonl", 0.95),
        ("moderation-blind-b.jsonl", 0.80),
    ],
)
def test_hand_written_sets_keep_grief_visible_and_recall(name: str, min_recall: float) -> None:
    items = load_items(Path(__file__).resolve().parent / "data" / name)
    figures = evaluate(items, OfflineClassifier(), SETTINGS).summary()
    assert figures["fpr_grief"] == 0
    assert figures["fpr_ok"] <= 0.05
    assert figures["recall_abusive"] >= min_recall


def test_under_a_memorial_post_what_the_rules_would_mark_is_hidden_but_grief_and_self_harm_are_not() -> None:
    memorial = ModerationContext("comment", memorial=True)
    ordinary = ModerationContext("comment")
    weak_insult = Classification((Signal("insult", "rules", 0.6, "ru.insult.weak"),))
    assert decide(weak_insult, ordinary, SETTINGS).status == "flagged"
    assert decide(weak_insult, memorial, SETTINGS).status == "quarantined"
    lenient = ModerationSettings(memorial_comments_strict=False)
    assert decide(weak_insult, memorial, lenient).status == "flagged", "the setting turns it off"

    # The learned score's review band stays shown and marked there too: hiding it deleted condolences.
    review_band = LearnedScore(0.6, "test-1", review=0.5, hide=0.9)
    for context in (memorial, ordinary):
        marked = decide(Classification(), context, SETTINGS, learned=review_band)
        assert (marked.status, marked.reasons) == ("flagged", ("learned:0.60>=review",))
    above_hide = LearnedScore(0.95, "test-1", review=0.5, hide=0.9)
    assert decide(Classification(), memorial, SETTINGS, learned=above_hide).status == "quarantined"
    grief = LearnedScore(0.6, "test-1", review=0.5, hide=0.9, grief=True)
    assert decide(weak_insult, memorial, SETTINGS, learned=grief).status == "flagged", "a mourner swears"

    self_harm = Classification((Signal(SELF_HARM, "rules", 0.9, "ru.self_harm"), *weak_insult.signals))
    urgent = decide(self_harm, memorial, SETTINGS)
    assert urgent.urgent and urgent.status == "flagged", "shown, whatever else"
    message = ModerationContext("message", memorial=True)  # memorial applies to comments only
    assert decide(weak_insult, message, SETTINGS).status == "flagged"
