"""Domain replies -> outbox rows; keyboards built with vk_api's VkKeyboard so VK accepts them."""

from __future__ import annotations

from vk_api.keyboard import VkKeyboard, VkKeyboardColor

from vkbot.effects.outbox import OutboxRequest, message_request
from waitlist.effects import Button, Keyboard, Reply

_COLORS = {
    "primary": VkKeyboardColor.PRIMARY,
    "secondary": VkKeyboardColor.SECONDARY,
    "positive": VkKeyboardColor.POSITIVE,
    "negative": VkKeyboardColor.NEGATIVE,
}
MAX_LABEL = 40  # VK refuses longer button labels
MAX_MESSAGE = 4096  # longer texts are split; VK's own limit is higher but clients render this well


def keyboard_json(keyboard: Keyboard) -> str:
    """VK's JSON for a keyboard; the few keyboards the dialog uses are built once (most replies carry one)."""
    try:
        key = (
            keyboard.one_time,
            keyboard.inline,
            tuple(tuple(_button_key(b) for b in r) for r in keyboard.rows),
        )
        hash(key)
    except TypeError:  # a payload with a list or dict value: built each time
        return _build_keyboard(keyboard)
    return _cached_keyboard(key, keyboard)


def _button_key(button: Button) -> tuple[object, ...]:
    return (button.label, button.color, tuple(button.payload.items()))


_KEYBOARDS: dict[object, str] = {}
_MAX_KEYBOARDS = 1024  # labels are per language and step: a few dozen in practice


def _cached_keyboard(key: object, keyboard: Keyboard) -> str:
    found = _KEYBOARDS.get(key)
    if found is None:
        found = _build_keyboard(keyboard)
        if len(_KEYBOARDS) >= _MAX_KEYBOARDS:
            _KEYBOARDS.clear()
        _KEYBOARDS[key] = found
    return found


def _build_keyboard(keyboard: Keyboard) -> str:
    kb = VkKeyboard(one_time=keyboard.one_time and not keyboard.inline, inline=keyboard.inline)
    for index, row in enumerate(keyboard.rows):
        if index:
            kb.add_line()
        for button in row:
            kb.add_button(
                button.label[:MAX_LABEL],
                color=_COLORS.get(button.color, VkKeyboardColor.SECONDARY),
                payload=button.payload,
            )
    return kb.get_keyboard()


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at paragraph or line breaks where possible, never inside a word if it can be helped."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return parts


def reply_requests(reply: Reply, *, keyboard_supported: bool = True) -> list[OutboxRequest]:
    """One outbox row per message VK will show; the keyboard rides on the last part."""
    if reply.attachment_file:
        return [
            OutboxRequest(
                key=reply.key,
                method="messages.send",
                kind="send_file",
                peer_id=reply.peer_id,
                params={"peer_id": reply.peer_id, "message": reply.text, "file_id": reply.attachment_file},
            )
        ]
    parts = split_text(reply.text)
    keyboard = keyboard_json(reply.keyboard) if reply.keyboard and keyboard_supported else None
    return [
        message_request(
            reply.key if i == 0 else f"{reply.key}:part{i}",
            reply.peer_id,
            part,
            keyboard=keyboard if i == len(parts) - 1 else None,
        )
        for i, part in enumerate(parts)
    ]
