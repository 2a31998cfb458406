"""What vkbot hands the domain: one incoming message from a relative, parsed once at the edge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

AttachmentKind = Literal["photo", "audio_message", "doc", "sticker", "video", "other"]

__all__ = ["AttachmentKind", "InboundAttachment", "InboundButton", "InboundMessage"]


@dataclass(frozen=True)
class InboundAttachment:
    kind: str  # one of AttachmentKind
    url: str | None  # photo: the largest size; audio_message: link_ogg or link_mp3; doc: url
    vk_ref: str  # "photo-1_2_key": kept so the founder can find the original
    size_bytes: int | None = None
    ext: str | None = None  # the file's extension; for kinds kept by reference, the VK kind ("wall", "poll")
    title: str | None = None  # a video's, file's or link's title, a poll's question: for the founder


@dataclass(frozen=True)
class InboundMessage:
    event_key: str  # stable unique id of the message; replies' idempotency keys derive from it
    peer_id: int
    from_id: int
    text: str
    date: datetime
    attachments: tuple[InboundAttachment, ...] = ()
    forwarded_texts: tuple[str, ...] = ()
    payload: dict[str, Any] | None = None  # a text button's payload, parsed
    keyboard_supported: bool = True
    lang_hint: str | None = None


@dataclass(frozen=True)
class InboundButton:
    """A callback button press (message_event); handled like a message whose payload is set."""

    event_key: str
    peer_id: int
    user_id: int
    payload: dict[str, Any] = field(default_factory=dict)
    date: datetime | None = None

    def as_message(self, at: datetime, keyboard_supported: bool = True) -> InboundMessage:
        return InboundMessage(
            event_key=self.event_key,
            peer_id=self.peer_id,
            from_id=self.user_id,
            text="",
            date=self.date or at,
            payload=self.payload,
            keyboard_supported=keyboard_supported,
        )
