"""Families added after blind set G (tests/data/moderation-blind-g.jsonl, scored untouched: recall
0.660, fpr_ok 0.060). Each family is tested with phrasings that are not in set G, and with the ok
sentences closest to it (grief, orders, war vocabulary, quoted abuse reported to the admin, tributes
to the dead, relatives describing their own car, home or parents in an order).
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


# --- Abuse quoted in a report to the admin: «...» after "пишет / пише / writes", or followed by
# "удалите / заблокируйте" is someone else's words (the first false positive of set G) ---
QUOTED_ABUSE = [
    "чтоб вы все сдохли, крысы, удалите свой паблик",
    "C:мразь ты, пишешь тут каждый день, удалите этот паблик",
    "you vultures, nobody writes to you anymore, die already",
]
QUOTED_OK = [
    "Здравствуйте. Под роликом про деда кто-то пишет «сдохни, тварь» уже третий день. Мама плачет.",
    "Адмін, тут якийсь тролль пише «щоб ви всі здохли, мрази» під відео мого брата. Заблокуйте його",
    'someone writes "die you filthy vultures" under my dad\'s clip every night. please block them',
    "«Чтоб ты сдохла, гнида» — вот такое мне прислали в личку. Заблокируйте его, пожалуйста",
    'Под постом про Мишу: "мрази, сдохните все". Удалите, пожалуйста, это увидит его вдова.',
]


@pytest.mark.parametrize("case", QUOTED_ABUSE)
def test_unquoted_abuse_still_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", QUOTED_OK)
def test_quoted_abuse_reported_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- An interjection (курва, сука, бля) set off by commas, at fate or the war, with no addressee
# (the second false positive of set G); the same word with "ты" or an adjective is aimed ---
INTERJECTION_ABUSE = [
    "Курва ти, а не художниця, віддай гроші",
    "сука ты, верни деньги за ролик",
    "Ти курва, і всі це знають.",
    "сука тупая, мразь, когда будет видео",
]
INTERJECTION_OK = [
    "Курва, ще один похорон. Друга з батальйону привезли вчора.",
    "Сука, опять прилёт по нашему району, соседа хороним в субботу.",
    "Бля, пятый год без него, а я всё жду, что позвонит. Сделайте ролик с папой, пожалуйста",
    "Третій місяць без сина на зв'язку, курва. Проклята війна.",
]


@pytest.mark.parametrize("case", INTERJECTION_ABUSE)
def test_aimed_swearword(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", INTERJECTION_OK)
def test_interjection_at_fate_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- A tribute to the dead (rest easy, земля пухом, царство небесное): an insult word said fondly
# to fallen friends is aimed at no reader (the third false positive of set G) ---
TRIBUTE_ABUSE = [
    "you bastards sell dead people's faces for cash",
    "эх вы, сволочи, наживаетесь на горе",
    "C:сволочи вы, а не мастера, верните деньги",
]
TRIBUTE_OK = [
    "ну что, сволочи, за вас, пацаны. земля вам пухом",
    "you stupid bastards promised to come home. rest in peace, boys",
    "Ех ви, падлюки мої рідні, чекайте мене там. Вічна вам пам'ять",
    "C:скоты вы мои любимые, не дождались дембеля. царство небесное, братва",
]


@pytest.mark.parametrize("case", TRIBUTE_ABUSE)
def test_insult_without_tribute(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", TRIBUTE_OK)
def test_tribute_to_the_dead_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
