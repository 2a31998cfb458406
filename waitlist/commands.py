"""Recognise commands that work at any point of the dialog: words in ru/uk/en, or a button's payload."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from waitlist.language import normalize

__all__ = ["Command", "parse_answer", "parse_command"]


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


# Whole-message phrases only, so a story that mentions "cancel" is never taken for a command.
_PHRASES: dict[Command, tuple[str, ...]] = {
    Command.STATUS: (
        "статус",
        "мой статус",
        "какой статус",
        "где мой заказ",
        "моя очередь",
        "очередь",
        "статус заказу",
        "де моє замовлення",
        "моя черга",
        "черга",
        "status",
        "my status",
        "queue",
        "where is my order",
    ),
    Command.CANCEL: (
        "отмена",
        "отменить",
        "отменить заказ",
        "скасувати",
        "скасувати замовлення",
        "відміна",
        "cancel",
        "cancel order",
        "cancel my order",
    ),
    Command.DELETE: (
        "удалить мои данные",
        "удалите мои данные",
        "удалить данные",
        "видалити мої дані",
        "видаліть мої дані",
        "delete my data",
        "delete data",
        "erase my data",
    ),
    Command.PRICE: (
        "цена",
        "сколько стоит",
        "стоимость",
        "ціна",
        "скільки коштує",
        "вартість",
        "price",
        "how much",
        "cost",
    ),
    Command.RESEND: (
        "прислать ролик еще раз",
        "пришлите ролик еще раз",
        "ролик еще раз",
        "надіслати ролик ще раз",
        "ролик ще раз",
        "send the clip again",
        "resend",
        "send again",
    ),
    Command.HUMAN: (
        "позвать человека",
        "живой человек",
        "человек",
        "оператор",
        "покликати людину",
        "людина",
        "talk to a person",
        "person",
        "human",
        "operator",
    ),
    Command.HELP: ("помощь", "помогите", "команды", "допомога", "команди", "help", "commands"),
    Command.NEW_ORDER: (
        "новый заказ",
        "еще один заказ",
        "еще заказ",
        "нове замовлення",
        "ще одне замовлення",
        "new order",
        "another order",
        "one more order",
    ),
    Command.NO_PUBLISH: (
        "не публиковать",
        "не публикуйте",
        "не публікувати",
        "не публікуйте",
        "do not publish",
        "don't publish",
        "dont publish",
        "do not post",
    ),
    Command.MAY_PUBLISH: (
        "можно публиковать",
        "публикуйте",
        "можна публікувати",
        "публікуйте",
        "may publish",
        "you may publish",
        "can publish",
    ),
    Command.LANG_RU: ("по русски", "русский", "на русском", "russian"),
    Command.LANG_UK: ("українською", "українська", "по українськи", "ukrainian"),
    Command.LANG_EN: ("english", "in english", "english please", "английский", "англійська"),
}
_LOOKUP: dict[str, Command] = {normalize(p): cmd for cmd, phrases in _PHRASES.items() for p in phrases}

_YES = frozenset(
    map(
        normalize,
        (
            "да",
            "согласен",
            "согласна",
            "согласен а",
            "хорошо",
            "конечно",
            "можно",
            "да можно",
            "давайте",
            "так",
            "згоден",
            "згодна",
            "звісно",
            "можна",
            "добре",
            "yes",
            "agree",
            "i agree",
            "sure",
            "ok",
            "ок",
            "okay",
            "y",
            "можно публиковать",
            "можна публікувати",
            "may publish",
            "you may publish",
            "подтверждаю",
            "підтверджую",
            "confirm",
            "верно",
            "все верно",
            "вірно",
            "все вірно",
            "усе вірно",
            "all correct",
            "correct",
        ),
    )
)
_NO = frozenset(
    map(
        normalize,
        (
            "нет",
            "не согласен",
            "не согласна",
            "не надо",
            "нельзя",
            "ні",
            "не згоден",
            "не згодна",
            "не треба",
            "не можна",
            "no",
            "i do not agree",
            "nope",
            "no thanks",
            "не публиковать",
            "не публікувати",
            "do not publish",
            "don't publish",
        ),
    )
)
_DONE = frozenset(
    map(
        normalize,
        (
            "готово",
            "все",
            "всё",
            "дальше",
            "далее",
            "хватит",
            "это все",
            "больше нет",
            "готово все",
            "досить",
            "далі",
            "це все",
            "більше немає",
            "done",
            "next",
            "that's all",
            "thats all",
            "finished",
            "no more",
        ),
    )
)
_FIX = frozenset(map(normalize, ("исправить", "поправить", "виправити", "fix", "correct something")))
_HERE = frozenset(
    map(
        normalize,
        (
            "пишите сюда",
            "пишите сюда в вк",
            "сюда",
            "в вк",
            "пишіть сюди",
            "пишіть сюди у вк",
            "сюди",
            "write here",
            "write here in vk",
            "here",
            "vk",
        ),
    )
)
_SKIP = frozenset(
    map(
        normalize,
        (
            "пропустить",
            "без записи",
            "нет записи",
            "пропустити",
            "без запису",
            "немає запису",
            "skip",
            "no recording",
        ),
    )
)


def parse_command(text: str, payload: dict[str, Any] | None) -> Command | None:
    """The command this message is, if it is one (a button's payload wins over the words)."""
    if payload and isinstance(payload.get("cmd"), str):
        try:
            return Command(payload["cmd"])
        except ValueError:
            return None
    return _LOOKUP.get(normalize(text)) if len(text) <= 60 else None


def parse_answer(text: str, payload: dict[str, Any] | None) -> str | None:
    """``yes``, ``no``, ``done``, ``skip`` or another button answer; ``None`` for free text."""
    if payload and isinstance(payload.get("a"), str):
        return str(payload["a"])
    words = normalize(text)
    if not words or len(text) > 60:
        return None
    for name, vocabulary in (
        ("yes", _YES),
        ("no", _NO),
        ("done", _DONE),
        ("skip", _SKIP),
        ("fix", _FIX),
        ("here", _HERE),
    ):
        if words in vocabulary:
            return name
    return None
