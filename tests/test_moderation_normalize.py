"""Each normalisation trick reads the hidden word back, and ordinary words stay as they are."""

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("xуй", "хуй"),  # Latin x inside a Cyrillic word
        ("cукa", "сука"),  # Latin c and a
        ("п0шла", "пошла"),  # digit for a letter
        ("бл@дь", "блядь"),  # ambiguous symbol read through the lexicon
        ("х*й", "хуй"),  # masking
        ("бл**ь", "блядь"),
        ("f*ck", "fuck"),
        ("х у й", "хуй"),  # separators between single letters
        ("х.у.й", "хуй"),
        ("х-у-й", "хуй"),
        ("сууукааа", "сука"),  # repeats
        ("с\u200bу\u200bк\u200bа", "сука"),  # zero-width characters
        ("ＳＵＫＡ тварь", "suka"),  # NFKC folds full-width letters
        ("ёбаный", "ебаный"),
        ("х*йло", "хуйло"),  # a mask read through the lexicon
        ("мр*зью", "мразью"),  # any generated form of a core insult noun (forms.toml) reads back
        ("тvарь", "тварь"),  # Latin v for в
    ],
)
def test_tricks_read_back(clf: OfflineClassifier, raw: str, word: str) -> None:
    assert word in clf.normalize(raw).collapsed


def test_latin_transliteration_only_for_russian(clf: OfflineClassifier) -> None:
    assert "пидорас" in (clf.normalize("idi nahui, pidoras").translit or "")
    assert clf.normalize("Thank you for the lovely clip of my grandfather").translit is None


def test_plain_words_untouched(clf: OfflineClassifier) -> None:
    text = "Застрахуйте, пожалуйста: сабля деда, 300 рублей, оскорблять нельзя."
    assert clf.normalize(text).collapsed.startswith("застрахуйте, пожалуйста: сабля деда, 300 рублей")
    assert clf.normalize("bit.ly/abc and example.com").collapsed == "bit.ly/abc and example.com"


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ("т_в_а_р_ь", "тварь"),  # underscore between letters
        ("с/у/к/а", "сука"),  # slash between letters
        ("сvка", "сука"),  # v for у
        ("wлюха", "шлюха"),  # w for ш
        ("xуeсоs", "хуесос"),  # s for с
        ("test_case_one", "test_case_one"),  # an identifier is no spelled-out word
    ],
)
def test_more_separators_and_lookalikes(clf: OfflineClassifier, raw: str, read: str) -> None:
    assert clf.normalize(raw).collapsed == read
