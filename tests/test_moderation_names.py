"""People's names are read as names, not as words, by the rules and the learned score (moderation.names)."""

from __future__ import annotations

import pytest

from moderation.classifier import ABUSE_CATEGORIES, OfflineClassifier
from moderation.learned import read_words
from moderation.names import without_names


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


# (text, the words read as a name)
NAMED = [
    ("Козлов Иван Петрович", ["Козлов", "Иван", "Петрович"]),
    ("Светлая память Ивану Петровичу Сукину", ["Ивану", "Петровичу", "Сукину"]),
    ("Мой папа Дураков Николай, умер в марте", ["Дураков", "Николай"]),
    ("КОЗЛОВ ИВАН ПЕТРОВИЧ", ["КОЗЛОВ", "ИВАН", "ПЕТРОВИЧ"]),
    ("Тато Дурко Іван Михайлович помер у лікарні", ["Дурко", "Іван", "Михайлович"]),
    ("Сучков В.П., 1950-2024", ["Сучков"]),
    ("Фамилия Хуев, пишется через у", ["Хуев"]),
    ("В ролике фамилия дедушки Сучков, а не Сычков", ["Сучков"]),
    ("Бабушка из деревни Сучки", ["Сучки"]),
    ("My father Dick Butts passed away", ["Dick", "Butts"]),
    ("RIP Dick, the best grandad", ["Dick"]),
    ("R.I.P. Dick", ["Dick"]),
    ("Uncle Willy, rest easy", ["Willy"]),
    # a place after a word of living, birth or burial; a place cue a word or two before; a place said again
    ("Похоронен в Сучково, рядом с женой", ["Сучково"]),
    ("We buried him at Penistone last spring", ["Penistone"]),
    ("Я тоже из Хреновое, соседи были", ["Хреновое"]),
    ("Село не Кобиляки, а Нові Кобиляки-2", ["Кобиляки"]),
    # a full name asked or given: a surname alone, a word beside a given name or patronymic
    ("Свиньин. Отчество Андреевич, 1950-2020", ["Свиньин", "Андреевич"]),
    ("Гнида Петро, по батькові Іванович", ["Гнида", "Петро", "Іванович"]),
]
# No name here: the insult stays a word.
UNNAMED = [
    "You Dick",  # a given name alone, after no word that introduces one
    "What a Dick move",
    "Козлов по жизни и помер как козёл",  # a surname alone is not known to be one
    "Причем тут хорошо плохо, дебил?",  # not a patronymic
    "Сукин сын, чтоб ты сдох",
    "He left. Dick was here",  # the cue is in another sentence
    "Ви неправильно написали прізвище в титрах. Прикро",
    "иди в Жопу",  # a preposition alone opens no place
    "валите в свою Хохляндию",
]


@pytest.mark.parametrize(("text", "name"), NAMED)
def test_the_words_of_a_name_are_left_out(text: str, name: list[str]) -> None:
    left = without_names(text)
    assert not any(word in left.split() or f"{word}," in left.split() for word in name)
    assert [w for w in text.split() if w.strip(",.") in name] and left.split() != text.split()


@pytest.mark.parametrize("text", UNNAMED)
def test_insults_that_look_like_names_stay_words(text: str) -> None:
    assert without_names(text) == text


def test_a_patronymic_does_not_make_an_insult_a_surname() -> None:
    assert without_names("Сука Петровна, ты тварь").split()[0] == "Сука"
    # A full name given, but "Козёл" stands beside no name and has no surname's shape.
    assert without_names("Отчество у него Козлович, а сам он Козёл").split()[-1] == "Козёл"


@pytest.mark.parametrize(
    ("text", "as_a_word"),
    [
        ("Дураков Иван Петрович", "Таких дураков ещё поискать"),
        ("Хочу ролик для папы, Сукин Виктор Петрович", "Сукин ты сын"),
        ("Сучков Иван Петрович", "Ну ты и сучка"),
    ],
)
def test_no_insult_rule_matches_a_surname(clf: OfflineClassifier, text: str, as_a_word: str) -> None:
    def abuse(text: str) -> list[str]:
        return [s.rule for s in clf.classify(text, "message").signals if s.category in ABUSE_CATEGORIES]

    assert abuse(text) == []
    assert abuse(as_a_word)  # the same root as a word still matches


def test_the_learned_score_reads_no_name() -> None:
    assert read_words("Козлов Иван Петрович") == []
    assert read_words("Светлая память Ивану Петровичу Козлову") == ["светлая", "память"]
