"""Guess the language of one message (ru, uk, en) only when the text says so clearly, and follow the
writer's language over the conversation rather than one message."""

from __future__ import annotations

import re

__all__ = ["detect_language", "follow", "normalize"]

_UK_LETTERS = re.compile(r"[іїєґ]", re.IGNORECASE)
_RU_LETTERS = re.compile(r"[ыэъё]", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яёіїєґ]", re.IGNORECASE)
_LATIN_WORD = re.compile(r"\b[a-z]{2,}\b", re.IGNORECASE)
_WORD = re.compile(r"[\w']+", re.UNICODE)

# Common Ukrainian words without the letters that give it away.
# Only words that are not also Russian ("мама", "помер" are both).
_UK_WORDS = frozenset(
    {
        "що",
        "це",
        "мене",
        "тато",
        "дякую",
        "ласка",
        "ні",
        "син",
        "донька",
        "загинув",
        "дуже",
        "його",
        "вона",
        "вони",
        "чи",
        "як",
        "доброго",
    }
)
# A single English word flips the language only if it is a clear one (never "ok").
_EN_WORDS = frozenset(
    {
        "hello",
        "hi",
        "please",
        "status",
        "help",
        "cancel",
        "yes",
        "no",
        "price",
        "thanks",
        "thank",
        "english",
        "my",
        "mother",
        "father",
        "son",
        "daughter",
    }
)


def normalize(text: str) -> str:
    """Lower case, words only: what command and answer matching compares."""
    return " ".join(_WORD.findall(text.lower().replace("ё", "е"))).replace("_", " ").strip()


def detect_language(text: str) -> str | None:
    """``"uk"``, ``"ru"`` or ``"en"`` when the text is clear; ``None`` keeps the conversation's language."""
    if not text:
        return None
    if _UK_LETTERS.search(text):
        return "uk"
    words = set(normalize(text).split())
    if _CYRILLIC.search(text):
        if words & _UK_WORDS:
            return "uk"
        if _RU_LETTERS.search(text) or len(words) >= 3:
            # Longer Cyrillic text without Ukrainian markers is Russian.
            return "ru"
        return None
    latin = _LATIN_WORD.findall(text)
    if len(latin) >= 2 or (latin and latin[0].lower() in _EN_WORDS):
        return "en"
    return None


# A message this long in another language is the writer's language by itself; a shorter one ("Maria
# Smith", "mother") needs the next one to agree.
_SWITCH_WORDS = 4


def follow(current: str, pending: str | None, text: str, *, first: bool) -> tuple[str, str | None]:
    """The conversation's language after ``text`` and the other language now pending (or None).

    The first message decides alone; later, another language takes over after two messages in a row
    that point to it, or one long one. A message that says nothing clear changes nothing.
    """
    detected = detect_language(text)
    if detected is None:
        return current, pending
    if detected == current:
        return current, None
    if first or pending == detected or len(normalize(text).split()) >= _SWITCH_WORDS:
        return detected, None
    return current, detected
