"""Typed VK messages -> ``waitlist.InboundMessage`` (the only shape the domain sees)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from vkbot.ingress.events import Attachment, ForeignMessage, Message
from waitlist.inbound import InboundAttachment, InboundMessage

# The domain bounds what it stores; this only caps what it is handed (the raw event keeps everything).
MAX_TEXT_CHARS = 20_000
MAX_FORWARDED = 20
_TITLE_CHARS = 200


def _ref(kind: str, body: Any) -> str:
    owner = getattr(body, "owner_id", "") if body is not None else ""
    media = getattr(body, "id", "") if body is not None else ""
    key = getattr(body, "access_key", None) if body is not None else None
    return f"{kind}{owner}_{media}" + (f"_{key}" if key else "")


def to_attachment(att: Attachment) -> InboundAttachment:
    if att.type == "photo" and att.photo is not None:
        return InboundAttachment("photo", att.photo.largest_url(), _ref("photo", att.photo), None, "jpg")
    if att.type == "audio_message" and att.audio_message is not None:
        am = att.audio_message
        return InboundAttachment(
            "audio_message", am.link_ogg or am.link_mp3, _ref("audio_message", am), None, "ogg"
        )
    if att.type == "doc" and att.doc is not None:
        doc = att.doc
        kind = "photo" if doc.ext.lower() in {"jpg", "jpeg", "png", "webp", "heic"} else "doc"
        return InboundAttachment(
            kind, doc.url, _ref("doc", doc), doc.size or None, doc.ext or None, _title(doc.title)
        )
    if att.type == "sticker":
        return InboundAttachment("sticker", None, "sticker", None, None)
    body = _Raw(att.raw_body())
    if att.type == "video":
        return InboundAttachment("video", None, _ref("video", body), None, None, body.title)
    if att.type == "link":
        return InboundAttachment("other", body.url, "link", None, "link", body.title)
    if att.type in ("wall", "poll", "market", "audio", "story", "graffiti", "wall_reply"):
        # Kept for the founder by reference ("wall-1_5", "poll7_9"); ext names the kind for the wording.
        return InboundAttachment("other", None, _ref(att.type, body), None, att.type, body.title)
    return InboundAttachment("other", None, att.type, None, att.type)


class _Raw:
    """Attribute access over a raw attachment body (kinds without a typed model)."""

    def __init__(self, body: Any):
        body = body if isinstance(body, dict) else {}
        # A shared wall post names its wall in to_id (owner_id on newer versions).
        self.owner_id = body.get("owner_id", body.get("to_id", body.get("from_id", "")))
        self.id, self.access_key = body.get("id", ""), body.get("access_key")
        self.url = body.get("url") if isinstance(body.get("url"), str) else None
        # A video's or link's title, a poll's question, a wall post's first words.
        self.title = next((_title(body[k]) for k in ("title", "question", "text") if body.get(k)), None)


def _title(value: Any) -> str | None:
    """A title as the founder's inbox shows it: text only, one line, bounded."""
    if not isinstance(value, str) or not value.strip():
        return None
    return storable(" ".join(value.split())[:_TITLE_CHARS])


def forwarded(messages: list[ForeignMessage], depth: int = 0) -> list[ForeignMessage]:
    """Forwarded messages, nested ones included, flattened in reading order."""
    flat: list[ForeignMessage] = []
    for fwd in messages:
        flat.append(fwd)
        if depth < 3:
            flat.extend(forwarded(fwd.fwd_messages, depth + 1))
    return flat[:MAX_FORWARDED]


def storable(text: str) -> str:
    """The text as a database text column takes it: PostgreSQL refuses NUL characters and lone surrogates.

    Only for texts copied out of an event (the dialog's rows, moderation items); the raw JSON keeps them.
    """
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def parse_payload(payload: str | None) -> dict[str, Any] | None:
    if not payload:
        return None
    try:
        value = json.loads(payload)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _quoted(message: Message) -> list[ForeignMessage]:
    """The message a relative replied to, with what it forwarded, unless it is the community's own (a
    quote of our question brings nothing new). Its text was read when it came; only its files count."""
    quoted = message.reply_message
    if quoted is None or quoted.from_id is None or quoted.from_id <= 0:
        return []
    return [quoted, *forwarded(quoted.fwd_messages)]


def inbound_attachments(message: Message) -> tuple[InboundAttachment, ...]:
    """The message's files, with those of forwarded and quoted messages: relatives often forward the old
    photo, or answer "this one" quoting the message that had it."""
    attachments = [to_attachment(a) for a in message.attachments]
    for fwd in [*forwarded(message.fwd_messages), *_quoted(message)]:
        attachments.extend(to_attachment(a) for a in fwd.attachments)
    return tuple(attachments)


def to_inbound(
    message: Message, event_key: str, *, keyboard_supported: bool, lang_hint: str | None
) -> InboundMessage:
    fwds = forwarded(message.fwd_messages)
    return InboundMessage(
        event_key=event_key,
        peer_id=message.peer_id,
        from_id=message.from_id,
        text=storable(message.text[:MAX_TEXT_CHARS]),
        date=datetime.fromtimestamp(message.date, UTC),
        attachments=inbound_attachments(message),
        forwarded_texts=tuple(storable(f.text[:MAX_TEXT_CHARS]) for f in fwds if f.text),
        payload=parse_payload(message.payload),
        keyboard_supported=keyboard_supported,
        lang_hint=lang_hint,
    )


VK_LANG_IDS = {0: "ru", 1: "uk", 3: "en"}  # client_info.lang_id
