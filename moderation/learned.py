"""The learned tier at run time: a linear model over character and word n-grams, loaded from .npz + JSON.

The model file holds no pickle: per feature block (``char``, ``word``) a vocabulary (UTF-8, one
n-gram a line), each feature's scale (idf or log-count ratio) and coefficient; the JSON header holds
the version, the feature settings and the policy thresholds (chosen out of fold on the training data,
see ``moderation.training``). Scoring is Python and numpy, no sparse-matrix machinery: each word's
ids (its character n-grams, itself as a word) are looked up once (memoised), so a message costs a dict
lookup per word and per word pair, one sort of its ids and one pass over a table (``LearnedModel``).
tests/test_moderation_learned_exact.py holds the scores to the plain definition read from the file.

``features`` is the one definition of what the model sees; training (``moderation.training``) calls
it too, so the shipped model and its training can never disagree about the input.
"""

from __future__ import annotations

import json
import logging
import math
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import numpy as np

from moderation.names import without_names
from moderation.policy import LearnedScore
from moderation.settings import DEFAULT_LEARNED_MODEL, ModerationSettings
from moderation.trie import compile_trie

log = logging.getLogger("moderation.learned")

__all__ = [
    "DEFAULT_MODEL",
    "FORMAT",
    "GriefWords",
    "LearnedModel",
    "LearnedTier",
    "ModelFormatError",
    "features",
    "holds_contact",
    "model_arrays",
    "read_words",
    "scored",
    "too_short",
    "word_search",
    "write_model",
]

FORMAT = "vkbot-learned-linear/1"
DEFAULT_MODEL = DEFAULT_LEARNED_MODEL
DEFAULT_GRIEF = DEFAULT_LEARNED_MODEL.parent / "grief.toml"
# Header keys every model file carries.
_HEADER_KEYS = frozenset({"format", "version", "features", "blocks", "intercept", "thresholds"})

# Zero-width and other format characters that split a word without showing ("с\u200bука").
_FORMAT_CHARS = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
# A token: letters and digits with the symbols that stand for or hide a letter ("п0шла", "бл*ть", "х|й").
_TOKEN_RE = re.compile(r"[\w@$*|']+")
_CYR = "а-яіїєґ"
_HAS_CYR_RE = re.compile(f"[{_CYR}]")
_HIDING_RE = re.compile(r"[*|_']+")
_REPEATS_RE = re.compile(r"([^\W\d_])\1{2,}")
_LOOKALIKES = str.maketrans(
    {
        "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к", "m": "м", "n": "п", "o": "о",
        "p": "р", "r": "г", "t": "т", "u": "и", "x": "х", "y": "у", "0": "о", "3": "з", "4": "ч",
        "6": "б", "@": "а", "$": "с",
    }
)  # fmt: skip
_NOT_CYR_LETTER_RE = re.compile(f"[^{_CYR}]")
_MEMO_SIZE = 100_000
_NO_IDS = np.zeros(0, dtype=np.int32)
_NO_PAIRS: Mapping[str, int] = {}
_FIRST = np.ones(1, dtype=bool)


@lru_cache(maxsize=_MEMO_SIZE)
def read_word(token: str) -> str:
    """One token as the model reads it: hiding symbols dropped, look-alikes in a Cyrillic word read
    as Cyrillic, runs of one letter shortened to one ("сууука" -> "сука", "xуй" -> "хуй")."""
    word = _HIDING_RE.sub("", token)
    if _HAS_CYR_RE.search(word) and _NOT_CYR_LETTER_RE.search(word):
        word = word.translate(_LOOKALIKES)
    return _REPEATS_RE.sub(r"\1", word).strip("@$")


def read_words(text: str) -> list[str]:
    """The words of a text as the model reads them (see ``read_word``); runs of three or more
    one-letter tokens are glued ("х у й", "т.в.а.р.ь")."""
    return list(_read_words(text))


# The suite reads a message's words three times (the learned score, reads_as_relative, spared): the
# last few texts are remembered, never more, so no text is read faster for having been seen long ago.
@lru_cache(maxsize=8)
def _read_words(text: str) -> tuple[str, ...]:
    text = without_names(text).lower().replace("ё", "е")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    if _FORMAT_CHARS.search(text):
        text = _FORMAT_CHARS.sub("", text)
    words = tuple(filter(None, map(read_word, _TOKEN_RE.findall(text))))
    if list(map(len, words)).count(1) < 3:
        return words  # no run of three one-letter words: nothing to glue (the common case)
    glued: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) >= 3:
            glued.append(read_word("".join(run)))
        else:
            glued += run
        run = []
        if word:
            glued.append(word)
    return tuple(glued)


@dataclass(frozen=True, slots=True)
class FeatureSettings:
    char_min: int = 2
    char_max: int = 5
    word_max: int = 2  # word n-grams 1..word_max

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FeatureSettings:
        return cls(int(raw["char_min"]), int(raw["char_max"]), int(raw["word_max"]))

    def to_json(self) -> dict[str, int]:
        return {"char_min": self.char_min, "char_max": self.char_max, "word_max": self.word_max}


@lru_cache(maxsize=_MEMO_SIZE)
def _char_grams(word: str, low: int, high: int) -> tuple[str, ...]:
    padded = f" {word} "
    size = len(padded)
    return tuple(padded[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1))


def _marks(text: str) -> list[str]:
    # Punctuation the words lose: a question reads differently from a shout.
    return [mark for mark, sign in (("<q>", "?"), ("<!>", "!")) if sign in text]


def _longer_grams(words: Sequence[str], word_max: int, shortest: int = 2) -> list[str]:
    """Word n-grams shortest..word_max, shortest first, each in text order."""
    grams: list[str] = []
    for n in range(shortest, word_max + 1):
        grams += map(" ".join, zip(*(words[k:] for k in range(n)), strict=False))
    return grams


def _words_and_grams(text: str, word_max: int) -> tuple[list[str], list[str]]:
    """The text's words, and its word n-grams 1..word_max plus punctuation marks."""
    words = read_words(text)
    return words, words + _longer_grams(words, word_max) + _marks(text)


def features(text: str, settings: FeatureSettings) -> tuple[list[str], list[str]]:
    """(character n-grams within words, word n-grams) of the normalised text; repeats kept."""
    words, grams = _words_and_grams(text, settings.word_max)
    return [g for w in words for g in _char_grams(w, settings.char_min, settings.char_max)], grams


class ModelFormatError(ValueError):
    """The model file is missing, unreadable or not of this format."""


class _Block:
    """One feature block as the file holds it: n-grams, and per n-gram coefficient*scale and scale squared."""

    def __init__(self, vocab: Sequence[str], scale: np.ndarray, coef: np.ndarray, l2: bool):
        if not len(vocab) == len(scale) == len(coef):
            raise ModelFormatError("vocabulary, scales and coefficients differ in length")
        self.vocab = vocab
        self.weight = coef.astype(np.float64) * scale
        self.square = scale.astype(np.float64) ** 2
        self.l2 = l2


class LearnedModel:
    """A shipped model: ``score(text)`` in [0, 1]; its scores never change after loading, so threads may
    share it (the word memo only grows, one whole entry at a time).

    Both blocks share one id space (word n-grams after the character n-grams) and one table, a row per
    feature: (char weight, char scale², word weight, word scale²), zeros in the other block's columns.
    A message's distinct ids are then summed in one numpy pass. Each word's ids (its character n-grams
    and itself as a word unigram) are worked out once and memoised: words repeat across messages far
    more than texts do. So is what follows each word: its word pairs in the vocabulary (second word ->
    id), looked up with the next word instead of joining the two and searching all word n-grams.
    """

    def __init__(self, header: dict[str, Any], arrays: dict[str, np.ndarray]):
        missing = _HEADER_KEYS - set(header)
        if header.get("format") != FORMAT or missing:
            raise ModelFormatError(
                f"not a {FORMAT} model (format {header.get('format')!r}, missing {sorted(missing)})"
            )
        self.header = header
        self.version: str = str(header["version"])
        self.settings = FeatureSettings.from_json(header["features"])
        self.intercept = float(header["intercept"])
        self.thresholds: dict[str, float] = {k: float(v) for k, v in header["thresholds"].items()}
        blocks: dict[str, _Block] = {}
        for name, spec in header["blocks"].items():
            vocab = arrays[f"{name}_vocab"].tobytes().decode("utf-8").split("\n") if spec["size"] else []
            blocks[name] = _Block(vocab, arrays[f"{name}_scale"], arrays[f"{name}_coef"], bool(spec["l2"]))
        char, word = blocks["char"], blocks["word"]
        offset = len(char.vocab)
        table = np.zeros((offset + len(word.vocab), 4))
        table[:offset, 0], table[:offset, 1] = char.weight, char.square
        table[offset:, 2], table[offset:, 3] = word.weight, word.square
        self._table = table
        self._l2 = (char.l2, word.l2)
        self._char_ids = {gram: i for i, gram in enumerate(char.vocab)}
        self._word_ids = {gram: offset + i for i, gram in enumerate(word.vocab)}
        # Words hold no space, so a word n-gram with one space is a pair: first word -> second -> id.
        self._follows: dict[str, dict[str, int]] = {}
        if self.settings.word_max >= 2:
            for gram, i in self._word_ids.items():
                first, _, second = gram.partition(" ")
                if second and " " not in second:
                    self._follows.setdefault(first, {})[second] = i
        self._memo: dict[str, tuple[np.ndarray, Mapping[str, int]]] = {}

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> LearnedModel:
        """Read the .npz (no pickle) and its header; raises ``ModelFormatError``."""
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            header = json.loads(arrays.pop("header").tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise ModelFormatError(f"cannot read the learned model {path}: {exc}") from exc
        return cls(header, arrays)

    def _word(self, word: str) -> tuple[np.ndarray, Mapping[str, int]]:
        """The sorted distinct ids of a word's character n-grams and of the word itself, and the ids of
        the word pairs it opens by their second word; memoised."""
        settings = self.settings
        grams = _char_grams(word, settings.char_min, settings.char_max)
        found = {i for i in map(self._char_ids.get, grams) if i is not None}
        unigram = self._word_ids.get(word)
        if unigram is not None:
            found.add(unigram)
        entry = (np.array(sorted(found), dtype=np.int32), self._follows.get(word, _NO_PAIRS))
        if len(self._memo) < _MEMO_SIZE:
            self._memo[word] = entry
        return entry

    def _ids(self, words: Sequence[str], text: str) -> np.ndarray:
        """The distinct feature ids of a text with these words, sorted."""
        memo = self._memo
        try:
            entries = [memo[word] for word in words]
        except KeyError:
            entries = [memo[word] if word in memo else self._word(word) for word in words]
        parts = [ids for ids, _ in entries]
        # The word pairs: each word's followers looked up with the next word.
        pairs = zip(entries, words[1:], strict=False)  # each word and the next
        more = [i for (_, follows), after in pairs if (i := follows.get(after)) is not None]
        get = self._word_ids.get
        grams = _longer_grams(words, self.settings.word_max, shortest=3) + _marks(text)
        more += [i for i in map(get, grams) if i is not None]
        if more:
            parts.append(np.array(more, dtype=np.int32))
        elif len(parts) < 2:
            return parts[0] if parts else _NO_IDS  # one word's ids: sorted and distinct already
        ids = np.concatenate(parts)
        ids.sort()
        distinct: np.ndarray = ids[np.concatenate((_FIRST, ids[1:] != ids[:-1]))]
        return distinct

    def _logit(self, words: Sequence[str], text: str) -> float:
        ids = self._ids(words, text)
        if not ids.size:
            return self.intercept
        char, char_square, word, word_square = self._table.take(ids, axis=0).sum(axis=0).tolist()
        char_l2, word_l2 = self._l2
        # A block none of whose features is present adds 0 (its square sum is 0 then).
        if char_l2:
            char = char / math.sqrt(char_square) if char_square else 0.0
        if word_l2:
            word = word / math.sqrt(word_square) if word_square else 0.0
        return float(self.intercept + char + word)

    def logit(self, text: str) -> float:
        return self._logit(read_words(text), text)

    def score(self, text: str) -> float:
        return _sigmoid(self.logit(text))

    def scores(self, texts: Iterable[str]) -> list[float]:
        return [_sigmoid(self.logit(text)) for text in texts]


def word_search(prefixes: Iterable[str], phrases: Iterable[str]) -> re.Pattern[str]:
    """One search over a text's words between spaces (" word word ... "): a prefix after a space, a
    phrase between two spaces. It finds something iff some word starts with a prefix or the words
    hold a phrase, when there are words; a prefix holding a space starts no word and is left out."""
    either = [f" (?:{'|'.join(map(re.escape, words))}){end}" for words, end in (
        ([p for p in prefixes if " " not in p], ""),
        (list(phrases), " "),
    ) if words]  # fmt: skip
    return compile_trie("|".join(either) or "(?!)")


@dataclass(frozen=True, slots=True)
class GriefWords:
    """Words of mourning (``model/grief.toml``): with one, a score alone never hides the text."""

    prefixes: tuple[str, ...]
    phrases: tuple[str, ...]
    # Both as one search over " word word ... ": a prefix after a space, a phrase between two spaces.
    _search: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_search", word_search(self.prefixes, self.phrases))

    @classmethod
    def load(cls, path: Path = DEFAULT_GRIEF) -> GriefWords:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        read = [" ".join(read_words(p)) for p in raw.get("phrases", [])]
        return cls(tuple(raw.get("prefixes", [])), tuple(p for p in read if p))

    def found(self, words: Sequence[str]) -> bool:
        if not words:
            return "" in self.phrases  # "  " holds only the empty phrase
        return self._search.search(f" {' '.join(words)} ") is not None


class LearnedTier:
    """The model with the thresholds it is judged by (the model's calibrated ones unless configured)
    and the grief words that keep a score from hiding a mourner's words."""

    def __init__(
        self,
        model: LearnedModel,
        review: float | None = None,
        hide: float | None = None,
        grief: GriefWords | None = None,
    ):
        self.model = model
        self.grief = grief if grief is not None else GriefWords.load()
        self.hide = model.thresholds["hide"] if hide is None else hide
        self.review = min(model.thresholds["review"] if review is None else review, self.hide)

    @classmethod
    def from_settings(cls, settings: ModerationSettings) -> LearnedTier | None:
        """The configured tier; None when it is off, or (logged) when its model cannot be read."""
        if not settings.learned_enabled:
            return None
        try:
            model = LearnedModel.load(settings.learned_model)
        except ModelFormatError as exc:
            log.error("learned tier off, the rules decide alone: %s", exc)
            return None
        return cls(model, settings.learned_review_threshold, settings.learned_hide_threshold)

    def assess(self, text: str) -> LearnedScore:
        words = _read_words(text)
        score = _sigmoid(self.model._logit(words, text))
        return scored(score, self.model.version, self.review, self.hide, text, words, self.grief)


def scored(
    score: float, version: str, review: float, hide: float, text: str, words: Sequence[str], grief: GriefWords
) -> LearnedScore:
    """A score with what the policy reads beside it in the text: words of mourning, too few words, a
    contact (the pipeline's tier and the training's view of the policy both build it here)."""
    return LearnedScore(
        score, version, review, hide, grief.found(words), too_short(words), holds_contact(text)
    )


# Fewer words than this are too little for the score: alone it never hides such a text and marks it only
# from its hide threshold (policy). It scored common short texts above hide ("Привет" 0.66, "Help" 0.83,
# "No" 0.91, "Daughter" 0.92: its hand-written data holds almost no short ok text), while the rules catch
# short abuse ("сдохни тварь").
SHORT_TEXT_WORDS = 3


def too_short(words: Sequence[str]) -> bool:
    return len(words) < SHORT_TEXT_WORDS


# A phone or card number, an e-mail or a messenger handle: in a private message, a relative leaving a way
# to reach her or a refund card; the score took them for the hand-written spam ("contact her on WhatsApp
# +1 (302) ..."): it hid "Мой номер +7 912 345-67-89, лучше в WhatsApp" (0.78).
_CONTACT = re.compile(r"\+?\d[\d\s().-]{8,}\d|[\w.+-]+@[\w-]+\.\w+|(?<![\w@])@[A-Za-z_]\w{3,}")


def holds_contact(text: str) -> bool:
    return _CONTACT.search(text) is not None


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def model_arrays(
    header: dict[str, Any], blocks: Mapping[str, tuple[Sequence[str], np.ndarray, np.ndarray]]
) -> dict[str, np.ndarray]:
    """The arrays of a model file: the JSON header as bytes, and per block vocabulary, scales, coefficients."""
    arrays: dict[str, np.ndarray] = {
        "header": np.frombuffer(json.dumps(header, sort_keys=True, ensure_ascii=False).encode(), np.uint8)
    }
    for name, (vocab, scale, coef) in blocks.items():
        if any("\n" in gram for gram in vocab):
            raise ValueError(f"a {name} n-gram holds a newline")
        arrays[f"{name}_vocab"] = np.frombuffer("\n".join(vocab).encode("utf-8"), np.uint8)
        arrays[f"{name}_scale"] = np.asarray(scale, dtype=np.float32)
        arrays[f"{name}_coef"] = np.asarray(coef, dtype=np.float32)
    return arrays


def write_model(
    target: Path | IO[bytes],
    header: dict[str, Any],
    blocks: Mapping[str, tuple[Sequence[str], np.ndarray, np.ndarray]],
) -> None:
    """Write a model as .npz with fixed zip timestamps, so equal inputs give byte-identical files."""
    arrays = model_arrays(header, blocks)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as out:
                np.lib.format.write_array(out, arrays[name], allow_pickle=False)
