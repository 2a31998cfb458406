"""Families added after blind set F (tests/data/moderation-blind-f.jsonl, scored untouched: recall
0.740, fpr_ok 0.020). Each family is tested with phrasings that are not in set F, and with the ok
sentences closest to it (grief, orders, war vocabulary, a relative's own home or child's school,
swearing at fate, quoted abuse reported to the admin, a mother cursing her son's killer).
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


def _hidden(clf: OfflineClassifier, case: str) -> bool:
    channel, text = ("comment", case[2:]) if case.startswith("C:") else ("message", case)
    classification = clf.classify(text, channel)
    context = ModerationContext(
        "comment" if channel == "comment" else "message",
        has_order_content=channel == "message" and classification.has_order_words,
    )
    return decide(classification, context, SETTINGS).status == "quarantined"


def check(clf: OfflineClassifier, case: str, hidden: bool) -> None:
    text = case[2:] if case.startswith("C:") else case
    assert _hidden(clf, case) == hidden, clf.classify(text)


# --- A curse at fate: an abstract noun in the vocative (война / болезнь / рак / судьба / водка
# проклятая), anywhere in the sentence or as a sentence of its own, makes a death wish or "иди ты"
# swearing at no reader (the false positive of set F) ---
FATE_ABUSE = [
    "Чтоб ты сдохла, тварь",
    "Чтоб ты сдохла со своими роликами",
    "C:Чтоб ты сдохла. Война проклятая забрала пацанов, а ты на этом наживаешься",
    "Рак тебе в печень, чтоб ты сдохла",
    "Чтоб ты сдохла от рака, как твои клиенты",
    "Щоб ти здохла разом зі своїми відео",
    "Иди ты на хуй со своей войной",
]
FATE_OK = [
    "Война проклятая, чтоб ты сдохла. Сына забрала, мужа забрала",
    "Чтоб ты сгорела, проклятая болезнь, маму за полгода съела",
    "Щоб ти здохла, клята війно. Синку, я чекаю",
    "Рак проклятый! Чтоб ты сдох! Папе было 52",
    "Чтоб ты сдохла! Водка проклятая. Папа из-за неё умер",
    "Иди ты на хуй, болезнь, ненавижу тебя. Хочу ролик с мамой",
    "Сдохни, судьба, сколько можно отнимать",
    "Сука ты, война проклятая, сколько ж ты забрала",
    "Гори в аду, военкомат проклятый, забрали мальчика без подготовки",
]


@pytest.mark.parametrize("case", FATE_ABUSE)
def test_curse_at_a_reader(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", FATE_OK)
def test_curse_at_fate_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Phishing and investment bait: more link endings, a messenger handle as the link ("DM @name on
# Telegram"), a sanction stated for the page ("группа будет заморожена", never asked), the owner's
# confirmation demanded, "turned $300 into $9,400" ---
SPAM_ABUSE = [
    "Служба поддержки ВКонтакте: канал будет ограничен через 12 часов. Подтвердите права: vk-support.app/verify",
    "Your community will be restricted today. Owner must confirm: meta-verify.help/login",
    "Без подтверждения администратора сообщество будет отключено. Подробнее: vk-owner.space/id",
    "Made $500 into $12,000 in a week with crypto signals, write @btc_guru_max in Telegram",
    "Пиши в тг @invest_olga: инвестиции в крипту, доход 300% в месяц",
]
SPAM_OK = [
    "Страница сына будет удалена? Фото оттуда: vk.com/id555",
    "Подтвердите, пожалуйста, что фото дошли: disk.yandex.ru/d/abc",
    "Мамин инстаграм @lyuda_petrova, там все её фото, возьмите оттуда",
    "Напишите мне в телеграм @olga_mama, если нужны ещё фото сына. Оплату перевела",
    "Группа сына в ВК была заблокирована, фото сохранила тут: cloud.mail.ru/public/x",
    "Служба поддержки ВК сказала, что ваша группа в порядке. Видео тут: vk.com/video1",
]


@pytest.mark.parametrize("case", SPAM_ABUSE)
def test_phishing_and_bait(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", SPAM_OK)
def test_phishing_and_bait_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Words written backwards: read back when the message says so ("читай задом наперёд", "наоборот",
# "backwards") or a word opens with ь / ъ, and only into a known word or a second-person pronoun ---
REVERSED_ABUSE = [
    "акус ыт, прочитай наоборот",
    "C:kcuf uoy, read it backwards",
    "йух ебет, читай справа налево",
    "C:ьтялб тупая",
]
REVERSED_OK = [
    "Укус пчелы у папы был, наоборот, не страшный",
    "Прочитайте наоборот: сначала дата смерти, потом рождения. Так папа хотел",
    "Можно текст задом наперёд, как в его любимом фильме? Хочу ролик",
    "Read it backwards, it spells his name: nomis",
]


@pytest.mark.parametrize("case", REVERSED_ABUSE)
def test_reversed_words(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", REVERSED_OK)
def test_reversed_words_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


def test_reversal_reads_only_known_words(clf: OfflineClassifier) -> None:
    assert (
        clf.normalize("ьдялб продажная, читай задом наперёд").collapsed
        == "блядь продажная, читай задом наперед"
    )
    assert clf.normalize("nomis, backwards").collapsed == "nomis, backwards"
