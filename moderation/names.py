"""People's names in a text, so that neither the rules nor the learned score read a name as a word.

Relatives name the dead in full in every order and condolence, and common surnames are made of insult
roots: Козлов, Баранов, Дураков, Сучков, Сукин; in English Dick, Willy, Fanny, Cox. How a name is
found, and why by its shape rather than by a list of surnames, is in ``data/names.toml``. Pure; the
data is loaded once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from moderation.settings import DEFAULT_DATA_DIR
from moderation.trie import compile_trie

__all__ = ["NameWords", "name_words", "without_names"]

# A capitalised word: one capital, then lower-case letters (an apostrophe or hyphen inside), or a
# Cyrillic word in capitals (the elderly type in caps lock: "КОЗЛОВ ИВАН ПЕТРОВИЧ"). Not a Latin word in
# capitals: "RIP", "FUCK YOU".
_TITLE_WORD = re.compile(
    r"(?<![\w'’-])([A-ZА-ЯЁІЇЄҐ][a-zа-яёіїєґ]+(?:['’-][A-Za-zА-Яа-яЁёІіЇїЄєҐґ]+)*|[А-ЯЁІЇЄҐ]{2,})(?![\w'’]|-(?!\d))"
)
# Initials beside a surname: "Сукин В.П.", "В. П. Сукин", "Cox J.".
_INITIALS_AFTER = re.compile(r"\s*[A-ZА-ЯЁІЇЄ]\.")
_INITIALS_BEFORE = re.compile(r"[A-ZА-ЯЁІЇЄ]\.\s*$")
_INITIALS = re.compile(r"\b[A-ZА-ЯЁІЇЄ]\.")
_LATIN = re.compile(r"[A-Za-z]")
# Patronymics in any case (words are matched in lower case): Петрович, Петровичу, Ильич, Ивановна, Ильинична, Михайлівна, Андріївна.
_PATRONYMIC = re.compile(
    r"\w{2,}(?:ович|евич|ьич|йович)(?:а|у|ем|ом|е)?|\w{2,}(?:овн|евн|ичн|івн|ївн)(?:а|ы|е|у|ой|и|і|ою|о)"
)
# What every patronymic holds: most runs hold none, and this scan costs less than _PATRONYMIC per word.
_PATRONYMIC_HINT = re.compile("вич|ьич|вн|ичн")
# A Cyrillic surname's ending in any case: Козлов(а, у, ым), Сукин(а), Тупицын, Заболотский, Шевченко,
# Ковальчук, Гнатюк, Черных. "Мельник" has none and stays a word; its run's given name and patronymic
# are still left out.
_SURNAME = re.compile(
    r"\w{2,}(?:ов|ев|ёв|ин|ын|ий|ой|ко|ук|юк|чук|як|ич|их|ых|ець|ський|цький)"
    r"(?:а|у|ым|ом|е|ой|ою|ых|ыми|ого|ому|им|ую|ая|ої|ій|ім|ою|і|и)?"
)
# Case endings added to a given name's stem (ru, uk): Иван -> Ивана, Ивану, Иваном, Иване; Анна -> Анны,
# Анне, Анну, Анной; Андрій -> Андрія, Андрієві; Ольга -> Ольги, Ользі is not made (too rare to matter).
_ENDINGS = ("", *"а у ом е ы и і ой ою ей ю я ем ові еві є єм ію ією ієм".split())
_STEM_END = re.compile(r"[аяоеьйиі]$")


def _forms(name: str) -> set[str]:
    low = name.lower().replace("ё", "е")
    if _LATIN.search(low):
        return {low, f"{low}'s", f"{low}’s"}
    stem = _STEM_END.sub("", low)
    return {low} | {stem + ending for ending in _ENDINGS}


@dataclass(frozen=True, slots=True)
class NameWords:
    given: frozenset[str]  # given names in every case form, lower case, е for ё
    introduce: frozenset[str]  # a word after which one given name is a name
    names_follow: frozenset[str]  # words after which a surname or a place's name follows
    full_name: frozenset[str]  # words that ask or give a full name ("отчество", "по батькові")
    origin: frozenset[str]  # words of living, birth or burial: a preposition after one opens a place
    prepositions: frozenset[str]
    # Any surname, place or full-name cue in a text (lower case), as one search: most texts hold none;
    # and the full-name cues alone.
    _cue_search: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _full_name_search: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _preposition_before: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_cue_search", compile_trie(_alternatives(self.names_follow | self.full_name))
        )
        object.__setattr__(self, "_full_name_search", compile_trie(_alternatives(self.full_name)))
        # A preposition ending the text before a run: "родился в| Пиздюлино" (the words of living or birth
        # before it are checked in ``_name_words``).
        object.__setattr__(
            self, "_preposition_before", re.compile(rf"{_alternatives(self.prepositions)}\s+$")
        )

    @classmethod
    def load(cls, path: Path = DEFAULT_DATA_DIR / "names.toml") -> NameWords:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        given = {form for names in raw["given"].values() for name in names for form in _forms(name)}
        cues = raw["cues"]
        return cls(
            frozenset(given),
            frozenset(cues["introduce"]),
            frozenset(cues["surname"]) | set(cues["place"]),
            frozenset(cues["full_name"]),
            frozenset(cues["origin"]),
            frozenset(cues["prepositions"]),
        )

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the words of people's names are in ``text``, in order."""
        words = list(_TITLE_WORD.finditer(text))
        if not words:
            return []
        # Most runs are one word opening a sentence ("Здравствуйте", "Хочу"): a name only when it is a
        # given name, a surname or a place cue stands in the text, or initials stand beside it.
        lower = text.lower()
        any_one = self._cue_search.search(lower) is not None or _INITIALS.search(text) is not None
        full_name = any_one and self._full_name_search.search(lower) is not None
        given = self.given
        found: list[tuple[int, int]] = []
        for run in _runs(text, words):
            low = [m.group(1).lower().replace("ё", "е") for m in run]
            # Else a run is a name only with a given name or a patronymic in it, or after a preposition.
            if (
                any_one
                or any(w in given for w in low)
                or _PATRONYMIC_HINT.search(" ".join(low))
                or self._preposition_before.search(lower, max(0, run[0].start() - 6), run[0].start())
            ):
                found += self._name_words(text, run, low, full_name)
        if found and len(found) < len(words):
            # A name said again is still a name ("деревня не Мудово, а Мудово-2").
            named = {text[start:end].lower() for start, end in found}
            found = sorted({*found, *(m.span(1) for m in words if m.group(1).lower() in named)})
        return found

    def _name_words(
        self, text: str, run: list[re.Match[str]], low: list[str], full_name: bool
    ) -> list[tuple[int, int]]:
        near = _words_before(text, run[0].start())
        before = near[-1] if near else ""
        latin = [bool(_LATIN.match(w)) for w in low]
        given = [w in self.given for w in low]
        patronymic = [
            not lat and _PATRONYMIC.fullmatch(w) is not None for w, lat in zip(low, latin, strict=True)
        ]
        surname = [not lat and _SURNAME.fullmatch(w) is not None for w, lat in zip(low, latin, strict=True)]
        keep: list[bool]
        if any(patronymic) or (len(run) > 1 and any(given) and not all(latin)):
            # A Cyrillic full name: its patronymics, given names and surname-shaped words.
            keep = [p or g or s for p, g, s in zip(patronymic, given, surname, strict=True)]
        else:
            # A Latin full name: a given name and the words after it ("Dick Butts", "Fanny Cox").
            first = next((i for i in range(len(run) - 1) if given[i]), len(run))
            keep = [i >= first for i in range(len(run))]
        if full_name and not all(latin):
            # A full name asked or given: a surname-shaped word alone ("Баранов. Отчество Евгеньевич"),
            # and every word beside a given name or a patronymic ("Кобила Іван, по батькові Михайлович").
            beside = any(given) or any(patronymic)
            keep = [k or s or (beside and not lat) for k, s, lat in zip(keep, surname, latin, strict=True)]
        if _beside_initials(text, run):
            keep = [k or lat or s for k, lat, s in zip(keep, latin, surname, strict=True)]
        # What the words before say: "RIP Dick", "Uncle Willy", "дядя Вася"; "фамилия Хуев", "деревня
        # Сучки" (a surname or a place whatever its shape), also a few words on: "фамилия дедушки Сучков",
        # "деревня не Мудово"; a place after a word of living or birth: "родился в Пиздюлино".
        place = before in self.prepositions and not self.origin.isdisjoint(near[:-1])
        for i, prev in enumerate([before, *low[:-1]]):
            if prev in self.names_follow or (i == 0 and (place or not self.names_follow.isdisjoint(near))):
                keep[i:] = [True] * (len(run) - i)
                break
            keep[i] = keep[i] or (given[i] and prev in self.introduce)
        return [m.span(1) for m, k in zip(run, keep, strict=True) if k]


def _alternatives(words: frozenset[str]) -> str:
    """A pattern for any of these words or phrases, whole; longest first."""
    return rf"\b(?:{'|'.join(sorted(map(re.escape, words), key=len, reverse=True))})\b"


def _beside_initials(text: str, run: list[re.Match[str]]) -> bool:
    start, end = run[0].start(), run[-1].end()
    return bool(_INITIALS_AFTER.match(text, end) or _INITIALS_BEFORE.search(text[max(0, start - 6) : start]))


def _runs(text: str, words: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    """Capitalised words next to each other (one or two spaces between them), as runs."""
    runs = [[words[0]]]
    end = words[0].end()
    for word in words[1:]:
        start = word.start()
        if 0 < start - end <= 2 and text[end:start].isspace():
            runs[-1].append(word)
        else:
            runs.append([word])
        end = word.end()
    return runs


_WORDS_BEFORE = re.compile(r"[\w.]+")
# A sentence's end; not the dot of "R.I.P." or "Mr.".
_SENTENCE_END = re.compile(r"[!?\n]|(?<!\b\w)(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)\.\s")


def _words_before(text: str, start: int, count: int = 3) -> list[str]:
    """The last ``count`` words of the sentence before ``start``, nearest last ("R.I.P" is one word)."""
    head = text[max(0, start - 60) : start]
    ends = list(_SENTENCE_END.finditer(head))
    if ends:
        head = head[ends[-1].end() :]
    return [word.lower().strip(".") for word in _WORDS_BEFORE.findall(head)[-count:]]


@lru_cache(maxsize=1)
def name_words() -> NameWords:
    """The shipped names data."""
    return NameWords.load()


# The rules and the learned score both read each message: the last few texts are remembered.
@lru_cache(maxsize=8)
def without_names(text: str) -> str:
    """``text`` with the words of people's names left out (each replaced by a space); the same text when
    it names no one."""
    spans = name_words().spans(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts += [text[last:start], " "]
        last = end
    parts.append(text[last:])
    return "".join(parts)
