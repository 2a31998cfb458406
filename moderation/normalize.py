"""Normalise a message for the rules: Unicode forms, look-alikes, masks, spaced letters, repeats.

The steps, in order:

1. NFKC, lower case, ё -> е, format characters (zero-width, soft hyphen, bidi marks) and combining
   accents removed, typographic quotes and apostrophes unified.
2. Runs of three or more single letters joined by one separator are glued: "х у й", "х.у.й", "х-у-й",
   "т_в_а_р_ь", "с/у/к/а".
3. Words that contain Cyrillic and also Latin look-alikes, digits or symbols are read in Cyrillic
   ("xуй", "п0шла", "$ука"); masked words ("бл*ть", "х**ня", "f*ck") are read through a lexicon of
   known words, trying each candidate letter for an ambiguous symbol ("бл@дь" -> "блядь").
   Latin words spelled with digits or symbols ("sh1t", "b1tch") are read the same way, through the
   lexicon only.
4. Latin-script Russian ("idi nahui, pidoras") is read in Cyrillic as an extra variant, only when
   the message carries a common Russian word in Latin letters, so English is never read as Russian.
5. Words written backwards ("ьдялб ... читай задом наперёд") are read back, only when the message says
   so or a word opens with a letter no word opens with (ь, ъ), and only into a known word of the
   lexicon or a second-person pronoun.
6. Repeated letters are collapsed ("сууукааа" -> "сука"); the uncollapsed text is kept too.

Everything is precompiled once in ``Normalizer``; the common case (plain Cyrillic or plain English)
costs a few C-level passes and no per-word Python loop.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from moderation.trie import compile_trie

CYR = "а-яіїєґ"
_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# A character its twin follows: a letter among these is dropped (see collapse). Any character, not the
# letter class, is what the scan tests at each position, which is cheaper; twins are few.
_TWIN_RE = re.compile(r"(.)(?=\1)", re.DOTALL)
_LETTER_RE = re.compile(r"[^\W\d_]")
# Three or more single characters, each joined to the next by exactly one separator.
# A "letter" here is a word character other than "_" (which is a separator: "т_в_а_р_ь") or * @ $.
_SPACED_RE = re.compile(
    r"(?<![^\W_])(?<![*@$])(?:[^\W_]|[*@$])(?:[ .\-_/](?:[^\W_]|[*@$])(?![^\W_])(?![*@$])){2,}"
)
_SPACED_SEP_RE = re.compile(r"[ .\-_/]")
# What every _SPACED_RE match holds (its second and third letters with the separators before them), found
# without the lookbehinds at each position: a cheap exact precheck, as most texts hold no spaced word.
_SPACED_HINT_RE = re.compile(r"[ .\-_/](?:[^\W_]|[*@$])[ .\-_/](?:[^\W_]|[*@$])(?![^\W_])(?![*@$])")
_MASK_CHARS = "*#"
# Characters that may stand inside a word for a letter or hide one.
_SPECIAL = "0-9@$!|*#.a-zαβεκμορτυχγηι"
# A token that mixes Cyrillic with specials, or hides letters behind * or #.
_TOKEN_RE = re.compile(r"(?:[\w@$*#]|(?<=[\w@$*#])[.!|](?=[\w@$*#]))+")
_SUSPECT_RE = re.compile(rf"[{CYR}][{_SPECIAL}]|[{_SPECIAL}][{CYR}]|[^\W_][*#]|[*#][^\W_]")
_CYR_RE = re.compile(f"[{CYR}]")
_LATIN_RE = re.compile("[a-z]")
_LATIN_WORD_RE = re.compile(r"\b[a-z][a-z']*\b")
# A whole token of Latin look-alike letters in a Cyrillic message ("cyka" written in Latin).
# A Latin word spelled with digits or symbols for letters ("sh1t", "b1tch", "a$$hole"): read back
# only when the reading is a known word, so "mp4", "h264" and "covid19" stay as they are.
_LEET_HINT_RE = re.compile(r"[a-z][013457@$]|[013457@$][a-z]")
_LEET_WORD_RE = re.compile(r"(?<![\w@$*#])(?=[\w@$]*[a-z])[a-z013457@$]*[013457@$][a-z013457@$]*(?![\w@$*#])")
_LEET_I = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_L = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LATIN_LOOKALIKE_WORD_RE = re.compile(
    r"(?<![\w*@$])[aceopxykmhtb0-9@$]*[aceopxykmhtb][aceopxykmhtb0-9@$]*(?![\w*@$])"
)


def _strip_table() -> dict[int, str | None]:
    """ё -> е; format and combining characters dropped; quotes and apostrophes unified."""
    table: dict[int, str | None] = {ord("ё"): "е", ord("Ё"): "е"}
    for code in range(0x2FFFF):
        if code in (0x200C, 0x200D) or unicodedata.category(chr(code)) in ("Cf", "Mn", "Me"):
            table[code] = None
    for quote in "«»„“”‟❝❞〝〞＂":
        table[ord(quote)] = '"'
    for apostrophe in "’‘ʼ`´ʹ":
        table[ord(apostrophe)] = "'"
    for dash in "‐‑‒–—―−":
        table[ord(dash)] = "-"
    return table


_TABLE = _strip_table()


def _char_class(codes: list[int]) -> str:
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


# The characters _TABLE may change: most texts hold none, and the rest only a few (quotes, dashes), so
# they are replaced one match at a time instead of translating every character. The BMP part compiles
# to a bitmap; anything beyond the BMP is looked up (and kept when not in the table).
_NEEDS_TABLE_RE = re.compile(f"[{_char_class([c for c in _TABLE if c <= 0xFFFF])}\U00010000-\U0010ffff]")


def _from_table(match: re.Match[str]) -> str:
    char = match.group()
    return _TABLE.get(ord(char), char) or ""


@dataclass(frozen=True, slots=True)
class Normalized:
    """A message read for matching: ``collapsed`` is what the rules see."""

    original: str
    text: str  # normalised, repeated letters kept
    collapsed: str  # normalised, repeated letters collapsed
    translit: str | None  # Cyrillic reading of Latin-script Russian, collapsed; None if not Russian
    masked: tuple[str, ...]  # masked words the lexicon could not read

    @property
    def variants(self) -> tuple[str, ...]:
        return (self.collapsed,) if self.translit is None else (self.collapsed, self.translit)

    @cached_property
    def tokens(self) -> tuple[str, ...]:
        return tuple(_WORD_RE.findall(self.collapsed))


def _glue(match: re.Match[str]) -> str:
    run = match.group()
    # "what a s i c k person": the English article before a spelled-out word stays a word.
    if run[:2] in ("a ", "i ") and len(run) >= 9:
        return run[:2] + _SPACED_SEP_RE.sub("", run[2:])
    return _SPACED_SEP_RE.sub("", run)


def collapse(text: str) -> str:
    """Collapse runs of the same letter ("сууука" -> "сука"); digits and punctuation stay."""
    return _TWIN_RE.sub(_drop_letter, text)


def _drop_letter(match: re.Match[str]) -> str:
    char = match.group()
    return "" if _LETTER_RE.match(char) else char


@dataclass(frozen=True, slots=True)
class NormalizationData:
    lookalike: dict[str, str]  # symbol -> candidate Cyrillic letters, plain reading first
    translit: dict[str, str]  # Latin spelling -> Cyrillic, any length
    vowel_y: str
    markers: frozenset[str]
    lexicon: str  # newline-separated known words, for masked words
    reversal_hints: tuple[str, ...] = ()  # "наоборот": the message says words run backwards
    reversal_words: frozenset[str] = frozenset()  # pronouns read back besides the lexicon's words

    @classmethod
    def load(cls, data_dir: Path) -> NormalizationData:
        tables = tomllib.loads((data_dir / "normalize.toml").read_text(encoding="utf-8"))
        translit = dict(tables["translit"])
        vowel_y = str(translit.pop("vowel_y", "й"))
        words = [
            line.strip()
            for line in (data_dir / "lexicon.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        # Every form of the core insult nouns (generated, forms.toml) reads back from a mask too.
        forms_path = data_dir / "forms.toml"
        if forms_path.is_file():
            forms = tomllib.loads(forms_path.read_text(encoding="utf-8"))
            words += [str(w) for name in ("insult_nouns_ru", "insult_nouns_uk") for w in forms.get(name, [])]
        return cls(
            lookalike=dict(tables["lookalike"]),
            translit=translit,
            vowel_y=vowel_y,
            markers=frozenset(tables["translit_markers"]["words"]),
            reversal_hints=tuple(tables.get("reversal", {}).get("hints", ())),
            reversal_words=frozenset(tables.get("reversal", {}).get("words", ())),
            # Shortest first: a mask reads as the shortest known word ("х*й" -> "хуй", not "хуевый").
            lexicon="\n" + "\n".join(sorted(set(words), key=lambda w: (len(w), w))) + "\n",
        )


class Normalizer:
    """Precompiled normalisation; immutable after construction, so safe to share between threads."""

    def __init__(self, data: NormalizationData):
        self._data = data
        self._plain = str.maketrans({k: v[0] for k, v in data.lookalike.items() if len(k) == 1})
        self._lookalike_latin = str.maketrans(
            {k: v[0] for k, v in data.lookalike.items() if (k.isascii() and k.isalpha()) or k in "0@$"}
        )
        keys = sorted(data.translit, key=len, reverse=True)
        self._translit_re = compile_trie("|".join(re.escape(k) for k in keys))
        # "y" after a vowel is й ("moy"), unless it opens я/ю/е itself ("znayu" -> знаю).
        self._vowel_y_re = re.compile(r"(?<=[aeiouy])y(?![aeiou])")
        # Exact precheck for the token pass: a token can read differently only if it holds a mask
        # or a Cyrillic letter with a look-alike symbol in the same run; plain Cyrillic words
        # followed by "." or "!" (almost every message) skip the per-token pass.
        symbols = "".join(re.escape(k) for k in data.lookalike if len(k) == 1 and k not in "!|")
        key = rf"(?:[{symbols}]|[!|](?=[\w@$*#]))"
        run = r"[\w@$*#.!|]*?"
        # A match may start only at a letter (symbol) no letter (symbol) precedes: a run with one such
        # earlier in it matches from there too, so the answer is the same, and a word is read once,
        # not once per letter. That needs every symbol to be a run character, as the data has it.
        first = all(re.fullmatch(r"[\w@$*#.!|]", k) for k in data.lookalike if len(k) == 1)
        cyr_start, key_start = (f"(?<![{CYR}])", f"(?<![{symbols}])") if first else ("", "")
        self._may_read_re = re.compile(
            rf"[{_MASK_CHARS}]|{cyr_start}[{CYR}]{run}{key}|{key_start}{key}{run}[{CYR}]"
        )
        # Cheaper still: without any look-alike symbol or mask in the text, nothing can be read.
        self._any_key_re = re.compile(rf"[{symbols}{_MASK_CHARS}!|]")
        # Backwards words: a hint in the message, or a word opening with ь / ъ (one search: this runs on
        # every message).
        self._reversal_marks = compile_trie("|".join(map(re.escape, (*data.reversal_hints, " ь", " ъ"))))
        # The lexicon's words as a set: "\nword\n" in the lexicon string scanned all 10 KB (17 us a word).
        self._known = frozenset(data.lexicon.split("\n")[1:-1])
        markers = sorted(data.markers, key=len, reverse=True)
        self._marker_re = compile_trie(r"\b(?:" + "|".join(re.escape(m) for m in markers) + r")\b")

    def normalize(self, text: str) -> Normalized:
        masked: list[str] = []
        base = unicodedata.normalize("NFKC", text).lower()
        if _NEEDS_TABLE_RE.search(base):
            base = _NEEDS_TABLE_RE.sub(_from_table, base)  # base.translate(_TABLE), for the few it changes
        base = unicodedata.normalize("NFC", base)
        if _SPACED_HINT_RE.search(base) and _SPACED_RE.search(base):
            base = _SPACED_RE.sub(_glue, base)
        has_cyrillic = _CYR_RE.search(base) is not None
        if self._any_key_re.search(base) and self._may_read_re.search(base) and _SUSPECT_RE.search(base):
            base = _TOKEN_RE.sub(lambda m: self._read_token(m.group(), masked), base)
        has_latin = _LATIN_RE.search(base) is not None
        if has_latin and _LEET_HINT_RE.search(base):
            base = _LEET_WORD_RE.sub(self._leet_word, base)
        if has_cyrillic and has_latin and _LATIN_LOOKALIKE_WORD_RE.search(base):
            base = _LATIN_LOOKALIKE_WORD_RE.sub(self._latin_lookalike_word, base)
        if base[:1] in ("ь", "ъ") or self._reversal_marks.search(base):
            base = _WORD_RE.sub(self._reversed_word, base)
        translit = None
        if has_latin and self._marker_re.search(base):
            translit = collapse(_LATIN_WORD_RE.sub(self._transliterate, base))
        return Normalized(text, base, collapse(base), translit, tuple(masked))

    def _read_token(self, token: str, masked: list[str]) -> str:
        """Read one suspicious token: look-alikes in a Cyrillic word, masks through the lexicon."""
        has_mask = any(c in _MASK_CHARS for c in token)
        if not has_mask and not _CYR_RE.search(token):
            return token  # a domain or an English word: nothing to read
        core = token.strip(".!|")
        inner = core.strip(_MASK_CHARS)
        if inner != core and len(inner) >= 4 and not any(c in _MASK_CHARS for c in inner):
            return inner  # *emphasis* or a #hashtag, not a mask
        if not has_mask:
            plain = core.translate(self._plain)
            if self._known_word(collapse(plain)) or not self._needs_lexicon(core):
                return plain
        found = self._lexicon_match(core, cyrillic=bool(_CYR_RE.search(core)))
        if found is not None:
            return found
        if has_mask:
            masked.append(core)
            return core.translate(self._plain) if _CYR_RE.search(core) else core
        return core.translate(self._plain)

    def _known_word(self, word: str) -> bool:
        """``f"\n{word}\n" in lexicon``, as a set lookup."""
        return "\n" not in word and word in self._known

    def _needs_lexicon(self, token: str) -> bool:
        # Only symbols with several readings make the lexicon worth a look.
        return any(len(self._data.lookalike.get(c, "")) > 1 for c in token if not c.isalpha() or c.isascii())

    def _lexicon_match(self, token: str, cyrillic: bool) -> str | None:
        parts: list[str] = []
        for char in collapse(token):
            if char in _MASK_CHARS:
                parts.append(r"[^\W\d_]{1,3}?")
            elif cyrillic and char in self._data.lookalike:
                parts.append("[" + re.escape(self._data.lookalike[char]) + "]")
            elif char in ".!|":
                parts.append(r"[^\W\d_]")
            else:
                parts.append(re.escape(char))
        pattern = re.sub(r"(?:\[\^\\W\\d_\]\{1,3\}\?)+", r"[^\\W\\d_]{1,4}?", "".join(parts))
        match = re.search(rf"\n({pattern})\n", self._data.lexicon)
        return match.group(1) if match else None

    def _leet_word(self, match: re.Match[str]) -> str:
        word = match.group()
        for table in (_LEET_I, _LEET_L):
            plain = word.translate(table)
            if self._known_word(plain) or self._known_word(collapse(plain)):
                return plain
        return word

    def _reversed_word(self, match: re.Match[str]) -> str:
        word = match.group()
        back = word[::-1]
        if back in self._data.reversal_words or self._known_word(collapse(back)):
            return back
        return word

    def _latin_lookalike_word(self, match: re.Match[str]) -> str:
        word = match.group()
        plain = word.translate(self._lookalike_latin)
        return plain if self._known_word(collapse(plain)) else word

    def _transliterate(self, match: re.Match[str]) -> str:
        word = self._vowel_y_re.sub("\x00", match.group())
        out = self._translit_re.sub(lambda m: self._data.translit[m.group()], word)
        return out.replace("\x00", self._data.vowel_y)
