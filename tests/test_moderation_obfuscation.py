"""Obfuscated abuse (look-alike letters, leetspeak, masks, Latin-script Russian, words written backwards,
spaced letters) is read back and hidden; ordinary Latin words, codes and transliterated grief are not.
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from tests.moderation_cases import check, clf  # noqa: F401  (clf is a fixture the tests take)

HIDDEN = [
    # ru.insult.ambiguous
    "C:st00pid b1tch",
    # en.insult.nouns
    "C:you are a $lut",
    # ru.threat.one_more_time
    "Ещё раз выложишь такое — найду, пожалеешь",
    # ru.death_wish.nobody_will_cry
    "Подохнешь — никто не заплачет",
    # ru.insult.you_are_harsh
    "C:ty tupaya suka",
    # ru.obscene.go_to
    "C:idi nahuy so svoimi rolikami",
    # ru.threat.phrases
    "C:ya znayu gde ty zhivesh",
    # Words written backwards: read back when the message says so ("читай задом наперёд", "наоборот",
    # "backwards") or a word opens with ь / ъ, and only into a known word or a second-person pronoun
    "акус ыт, прочитай наоборот",
    "C:kcuf uoy, read it backwards",
    "йух ебет, это наоборот читается",
    "C:ьтялб тупая",
    # ru.hate.keep_them_out
    "C:бородатые ваши — зверьё, а не люди",
    # ru.obscene.imperative
    "у_ё_б_ы_в_а_й отсюда",
    # ru.insult.nouns
    "ty mraz i urod",
    # ru.insult.adjectives
    "tupaya gnida",
]
VISIBLE = [
    # (no rule comes near)
    "Когда я умру, никто не заплачет, кроме кошки. Но пока жива — хочу видео с мужем",
    "Ya znayu, chto vy zanyaty, no otvet'te pozhaluysta",
    # Words written backwards: read back when the message says so ("читай задом наперёд", "наоборот",
    # "backwards") or a word opens with ь / ъ, and only into a known word or a second-person pronoun
    "Укус пчелы у папы был, наоборот, не страшный",
    "Прочитайте наоборот: сначала дата смерти, потом рождения. Так папа хотел",
    "Можно текст задом наперёд, как в его любимом фильме? Хочу ролик",
    "Read it backwards, it spells his name: nomis",
]


@pytest.mark.parametrize("case", HIDDEN)
def test_obfuscated_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", VISIBLE)
def test_obfuscated_neighbour_stays_visible(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


def test_leet_reads_only_known_words(clf: OfflineClassifier) -> None:
    assert clf.normalize("sh1t b1tch a55hole wh0re").collapsed == "shit bitch ashole whore"
    for text in ("mp4 h264 covid19 b2b 4k 1080p", "l33t sp34k", "flat 101b"):
        assert clf.normalize(text).collapsed == text


def test_translit_y_before_a_vowel(clf: OfflineClassifier) -> None:
    assert clf.normalize("ya znayu gde ty, moy syn").translit == "я знаю где ты, мой сын"


def test_reversal_reads_only_known_words(clf: OfflineClassifier) -> None:
    assert (
        clf.normalize("ьдялб продажная, читай задом наперёд").collapsed
        == "блядь продажная, читай задом наперед"
    )
    assert clf.normalize("nomis, backwards").collapsed == "nomis, backwards"
