"""What the domain decides to send: replies with keyboards; vkbot turns them into outbox rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Button", "Keyboard", "Reply", "merge_replies"]

MAX_TEXT = 4096  # VK's limit for one message


@dataclass(frozen=True)
class Button:
    label: str
    payload: dict[str, Any]
    color: str = "secondary"  # primary | secondary | positive | negative


@dataclass(frozen=True)
class Keyboard:
    rows: tuple[tuple[Button, ...], ...]
    one_time: bool = False
    inline: bool = False


@dataclass(frozen=True)
class Reply:
    peer_id: int
    text: str
    key: str  # idempotency key, unique per intended message; VK random_id derives from it
    keyboard: Keyboard | None = None
    attachment_file: str | None = None  # a FileStore id to upload and attach (the finished clip)
    proactive: bool = False  # started by the bot: vkbot checks permission; the window is already applied

    def to_json(self) -> dict[str, Any]:
        kb = None
        if self.keyboard is not None:
            kb = {
                "one_time": self.keyboard.one_time,
                "inline": self.keyboard.inline,
                "rows": [[[b.label, b.payload, b.color] for b in row] for row in self.keyboard.rows],
            }
        return {
            "peer_id": self.peer_id,
            "text": self.text,
            "key": self.key,
            "keyboard": kb,
            "attachment_file": self.attachment_file,
            "proactive": self.proactive,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        kb_data = data.get("keyboard")
        keyboard = None
        if kb_data is not None:
            rows = tuple(
                tuple(Button(label, payload, color) for label, payload, color in row)
                for row in kb_data["rows"]
            )
            keyboard = Keyboard(rows=rows, one_time=kb_data["one_time"], inline=kb_data["inline"])
        return cls(
            peer_id=int(data["peer_id"]),
            text=str(data["text"]),
            key=str(data["key"]),
            keyboard=keyboard,
            attachment_file=data.get("attachment_file"),
            proactive=bool(data.get("proactive", False)),
        )


def merge_replies(replies: list[Reply]) -> list[Reply]:
    """Replies that leave together as one message each to its peer, where VK's limit allows.

    The first reply's key names the message; the latest keyboard is the one shown; a message carries
    one attachment, so a second attachment starts a new message.
    """
    merged: list[Reply] = []
    for reply in replies:
        last = merged[-1] if merged else None
        if (
            last is None
            or last.peer_id != reply.peer_id
            or last.proactive != reply.proactive
            or (last.attachment_file and reply.attachment_file)
            or len(last.text) + 2 + len(reply.text) > MAX_TEXT
        ):
            merged.append(reply)
            continue
        merged[-1] = Reply(
            last.peer_id,
            f"{last.text}\n\n{reply.text}" if last.text and reply.text else last.text or reply.text,
            last.key,
            reply.keyboard or last.keyboard,
            last.attachment_file or reply.attachment_file,
            last.proactive,
        )
    return merged
