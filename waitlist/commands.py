"""Recognise commands that work at any point of the dialog and short answers: words in ru/uk/en
(waitlist/data/commands.toml, answers.toml), or a button's payload."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Any

from waitlist import vocabulary

__all__ = ["Command", "parse_answer", "parse_command"]


# Commands and answers are short; a longer message is the writer's own words (a story, a question).
_LONGEST = 80


class Command(StrEnum):
    STATUS = "status"
    CANCEL = "cancel"
    DELETE = "delete"
    PRICE = "price"
    RESEND = "resend"
    HUMAN = "human"
    HELP = "help"
    NEW_ORDER = "new_order"
    NO_PUBLISH = "no_publish"
    MAY_PUBLISH = "may_publish"
    LANG_RU = "lang_ru"
    LANG_UK = "lang_uk"
    LANG_EN = "lang_en"


def parse_command(text: str, payload: dict[str, Any] | None) -> Command | None:
    """The command this message is, if it is one (a button's payload wins over the words)."""
    if payload and isinstance(payload.get("cmd"), str):
        try:
            return Command(payload["cmd"])
        except ValueError:
            return None
    name = _command_name(text) if len(text) <= _LONGEST else None
    return Command(name) if name is not None else None


def parse_answer(text: str, payload: dict[str, Any] | None) -> str | None:
    """``yes``, ``no``, ``done``, ``skip`` or another button answer; ``None`` for free text."""
    if payload and isinstance(payload.get("a"), str):
        return str(payload["a"])
    return _answer_kind(text) if len(text) <= _LONGEST else None


# One message is asked about several times while it is handled; the same short words come again and again.
@lru_cache(maxsize=4096)
def _command_name(text: str) -> str | None:
    return vocabulary.commands().find(text)


@lru_cache(maxsize=4096)
def _answer_kind(text: str) -> str | None:
    return vocabulary.answers().kind_of(text)
