"""Group hate: a people or a faith dehumanised, told to leave or be purged, called thieves by birth, is
hidden; grief that names a people, a faith or the enemy stays visible.
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from tests.moderation_cases import check, clf  # noqa: F401  (clf is a fixture the tests take)

HIDDEN = [
    # ru.hate.thieves_by_birth
    "C:Таджики все до одного воры, и ты не лучше",
    "C:Gypsies are all thieves, and so are you",
    # ru.hate.war_slur_on_mourners
    "C:Рашистські вдови знов плачуть за своїми орками, смішно",
    # ru.hate.purge_a_faith
    "C:Синагогу опять открыли. Выгнать бы всех из страны, и тебя с ними",
    "C:Цыгане тут ролики заказывают? Вычистить бы эту погань из города",
    "C:Muslims everywhere now, time to kick them out of the country",
    "Вычистить бы всех этих евреев из страны",
    # ru.hate.slurs
    "C:чурки пусть валят к себе в аул и там своих оживляют",
    "C:эти чурки со своими мечетями пусть валят домой",
    # ru.hate.keep_them_out
    "C:понаехавшие со своими мечетями, не лезьте к нам",
    "C:зверьё бородатое, не лезьте сюда",
    # ru.hate.dehumanise
    "Цыгане и таджики - не люди, а биомусор",
    # en.hate.dehumanise
    "Jews are vermin",
    # ru.hate.vermin_simile
    # a people to be crushed like vermin
    "Понаехавших надо давить как клопов",
    "Таджиков травить как крыс, а не ролики им делать",
]
VISIBLE = [
    # (no rule comes near)
    "С каждым новым роликом у вас всё лучше получается",
    "Цыгане украли у мамы кошелёк на вокзале, воры проклятые, а там были фото сына",
    "Рашисти вбили чоловіка, я вдова з двома дітьми. Скільки коштує ролик?",
    "Мой муж мусульманин, его хоронили по исламу. Хочу ролик, где он у мечети",
    "Вигнати б цю нечисть з нашої землі, сина вбили. Зробіть ролик",
    "Орков вычистить бы с нашей земли. Сына убили под Херсоном",
    "Тебя бы на фронт не пустили, сынок, ты же хромал",
    "Сына похоронили по-мусульмански, мечеть помогла. Хочу ролик, где он с бородой, как в последний год",
    "Он говорил, что окопы кишели крысами, их травили как могли",
]


@pytest.mark.parametrize("case", HIDDEN)
def test_hate_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", VISIBLE)
def test_hate_neighbour_stays_visible(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
