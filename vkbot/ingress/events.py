"""Typed models of Bots Long Poll / Callback events, parsed once at the edge by ``parse_event``.

``EVENT_MODELS`` is the one table of event types we understand (type string -> model of ``object``);
everything else (an unknown type, a missing field, a wrong type) becomes a ``MalformedEvent`` that keeps
the raw JSON and the reason, so it can be stored and looked at later. ``parse_event`` never raises.
Each type has its own model class, so consumers route on the class; ``event_type_of`` gives the type
string back for store queries, and ``identity`` the columns the store keeps beside the raw JSON.

Shapes follow vk-api.md 4.4/4.5 (API 5.199). Models accept and keep fields they do not name
(``extra="allow"``), because VK adds fields over time and the raw event is the record.

Sizes: VK caps a message at ~9000 characters, so a text over ``MAX_TEXT_CHARS`` is abnormal. It is kept
whole (never lost, never silently cut); ``Message.oversized`` flags it so that consumers (classifiers,
previews) can refuse or truncate it themselves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

MAX_TEXT_CHARS = 100_000


class _VkModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# -- attachments ----------------------------------------------------------------------------------


class PhotoSize(_VkModel):
    type: str = ""
    url: str
    width: int = 0
    height: int = 0


class Photo(_VkModel):
    id: int
    owner_id: int
    album_id: int | None = None
    date: int | None = None
    access_key: str | None = None
    text: str = ""
    sizes: list[PhotoSize] = Field(default_factory=list)
    orig_photo: PhotoSize | None = None

    def largest_url(self) -> str | None:
        """The original if VK gave it, else the size with the most pixels (ties: the later one)."""
        if self.orig_photo is not None:
            return self.orig_photo.url
        if not self.sizes:
            return None
        best = max(enumerate(self.sizes), key=lambda pair: (pair[1].width * pair[1].height, pair[0]))
        return best[1].url


class AudioMessage(_VkModel):
    id: int
    owner_id: int
    duration: int = 0
    waveform: list[int] = Field(default_factory=list)
    link_ogg: str | None = None
    link_mp3: str | None = None
    access_key: str | None = None
    transcript: str | None = None


class Doc(_VkModel):
    id: int
    owner_id: int
    title: str = ""
    size: int = 0
    ext: str = ""
    url: str | None = None
    type: int | None = None
    access_key: str | None = None


class Sticker(_VkModel):
    sticker_id: int | None = None
    product_id: int | None = None


class Attachment(_VkModel):
    """``{"type": t, t: {...}}``: photo, audio_message, doc and sticker typed; other kinds kept raw."""

    type: str
    photo: Photo | None = None
    audio_message: AudioMessage | None = None
    doc: Doc | None = None
    sticker: Sticker | None = None

    def raw_body(self) -> Any:
        """The untyped body for kinds without a model (video, link, wall, ...)."""
        return (self.model_extra or {}).get(self.type)


# -- messages, comments, posts --------------------------------------------------------------------


def _payload_as_string(value: Any) -> Any:
    # Message payloads are JSON strings; tolerate an object (some senders) by encoding it.
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _int_or_none(value: Any) -> Any:
    # Seen in the wild: a forwarded message's from_id as a string or an object; keep the message.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def message_key(peer_id: int, conversation_message_id: int) -> str:
    """ "peer_id:conversation_message_id": a message's identity, stable even where its ``id`` is 0."""
    return f"{peer_id}:{conversation_message_id}"


class ForeignMessage(_VkModel):
    """A forwarded or replied-to message (only a few fields are guaranteed; an odd author is None)."""

    from_id: int | None = None
    date: int
    text: str = ""
    conversation_message_id: int | None = None
    id: int | None = None
    peer_id: int | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    fwd_messages: list[ForeignMessage] = Field(default_factory=list)

    _check_from_id = field_validator("from_id", mode="before")(_int_or_none)


class Message(_VkModel):
    """A message object (``messages_message``, 5.199)."""

    id: int = 0  # 0 for bots in chats; identify by (peer_id, conversation_message_id)
    date: int
    peer_id: int
    from_id: int
    text: str = ""
    conversation_message_id: int
    out: int = 0
    version: int | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    fwd_messages: list[ForeignMessage] = Field(default_factory=list)
    reply_message: ForeignMessage | None = None
    payload: str | None = None
    admin_author_id: int | None = None
    random_id: int | None = None
    update_time: int | None = None
    is_cropped: bool | None = None
    important: bool | None = None

    _check_payload = field_validator("payload", mode="before")(_payload_as_string)

    @property
    def oversized(self) -> bool:
        """True when the text is longer than any real VK message (kept whole; see module docstring)."""
        return len(self.text) > MAX_TEXT_CHARS

    @property
    def identity(self) -> tuple[int, int]:
        """(peer_id, conversation_message_id): stable even where ``id`` is 0."""
        return (self.peer_id, self.conversation_message_id)

    @property
    def key(self) -> str:
        """The identity as the store's ``message_key``: a message seen twice (long poll, history) is one row."""
        return message_key(self.peer_id, self.conversation_message_id)

    @property
    def private(self) -> bool:
        """A person writing to the community in a private conversation (not a chat, not us)."""
        return not self.out and 0 < self.from_id == self.peer_id


class MessageReply(Message):
    """``message_reply``: a message the community sent (ours, or the founder writing by hand)."""


class MessageEdit(Message):
    """``message_edit``: the edited message; ``date`` is the original's, ``update_time`` the edit's."""


class ClientInfo(_VkModel):
    button_actions: list[str] = Field(default_factory=list)
    keyboard: bool | None = None
    inline_keyboard: bool | None = None
    carousel: bool | None = None
    lang_id: int | None = None


class Comment(_VkModel):
    """A wall comment (``wall_reply_new``/``_edit``/``_restore``), with the post it belongs to."""

    id: int
    from_id: int
    date: int
    text: str = ""
    post_id: int
    post_owner_id: int | None = None
    owner_id: int | None = None
    parents_stack: list[int] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    reply_to_user: int | None = None
    reply_to_comment: int | None = None


class WallReplyNew(Comment):
    """``wall_reply_new``."""


class WallReplyEdit(Comment):
    """``wall_reply_edit``."""


class WallReplyRestore(Comment):
    """``wall_reply_restore``."""


class WallPost(_VkModel):
    id: int
    owner_id: int
    from_id: int | None = None
    created_by: int | None = None
    date: int
    text: str = ""
    post_type: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    postponed_id: int | None = None


class WallPostNew(WallPost):
    """``wall_post_new``."""


# -- event objects --------------------------------------------------------------------------------


class MessageNew(_VkModel):
    message: Message
    client_info: ClientInfo | None = None

    @property
    def keyboard_supported(self) -> bool:
        """Whether the writer's client shows keyboards (assumed when VK does not say)."""
        info = self.client_info
        return True if info is None or info.keyboard is None else info.keyboard


class MessageAllow(_VkModel):
    user_id: int
    key: str = ""


class MessageDeny(_VkModel):
    user_id: int


class MessageEvent(_VkModel):
    """A callback-button press; answer with ``messages.sendMessageEventAnswer`` within a minute."""

    user_id: int
    peer_id: int
    event_id: str
    payload: dict[str, Any] | None = None
    conversation_message_id: int | None = None

    @property
    def private(self) -> bool:
        """Pressed in a private conversation with the community, not in a group chat."""
        return 0 < self.user_id == self.peer_id

    @field_validator("payload", mode="before")
    @classmethod
    def _payload_object(cls, value: Any) -> Any:
        # VK's docs call it a string but it arrives as an object; accept a JSON string too.
        if isinstance(value, str):
            return json.loads(value) if value else None
        return value


class WallReplyDelete(_VkModel):
    owner_id: int
    id: int
    post_id: int
    deleter_id: int | None = None
    user_id: int | None = None  # the schema's name for the deleter


class GroupJoin(_VkModel):
    user_id: int
    join_type: str = "join"


class GroupLeave(_VkModel):
    user_id: int
    self_: int | None = Field(default=None, alias="self")  # 1 = left by themselves, 0 = removed


class UserBlock(_VkModel):
    admin_id: int
    user_id: int
    unblock_date: int = 0  # 0 = forever
    reason: int = 0
    comment: str = ""


class UserUnblock(_VkModel):
    admin_id: int
    user_id: int
    by_end_date: int = 0


EventObject = (
    MessageNew
    | MessageReply
    | MessageEdit
    | MessageAllow
    | MessageDeny
    | MessageEvent
    | WallReplyNew
    | WallReplyEdit
    | WallReplyRestore
    | WallReplyDelete
    | WallPostNew
    | GroupJoin
    | GroupLeave
    | UserBlock
    | UserUnblock
)

# The one table of event types we parse (lesson 8): type -> model of the event's "object", one class per
# type, so code routes on the class and names a type string only through ``event_type_of``.
EVENT_MODELS: dict[str, type[_VkModel]] = {
    "message_new": MessageNew,
    "message_reply": MessageReply,
    "message_edit": MessageEdit,
    "message_allow": MessageAllow,
    "message_deny": MessageDeny,
    "message_event": MessageEvent,
    "wall_reply_new": WallReplyNew,
    "wall_reply_edit": WallReplyEdit,
    "wall_reply_restore": WallReplyRestore,
    "wall_reply_delete": WallReplyDelete,
    "wall_post_new": WallPostNew,
    "group_join": GroupJoin,
    "group_leave": GroupLeave,
    "user_block": UserBlock,
    "user_unblock": UserUnblock,
}
_TYPE_OF: dict[type[_VkModel], str] = {model: name for name, model in EVENT_MODELS.items()}


def event_type_of(model: type[_VkModel]) -> str:
    """The VK type string of an event model (for queries on the store's ``type`` column)."""
    return _TYPE_OF[model]


# -- envelope and parsing -------------------------------------------------------------------------


@dataclass(frozen=True)
class VkEvent:
    """One event as VK delivered it: the envelope, the typed ``obj`` and the raw JSON (the record)."""

    type: str
    event_id: str
    group_id: int
    v: str | None
    obj: EventObject
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def message(self) -> Message | None:
        """The message of message_new/reply/edit events, else None."""
        if isinstance(self.obj, MessageNew):
            return self.obj.message
        return self.obj if isinstance(self.obj, Message) else None

    @property
    def peer_id(self) -> int | None:
        """The conversation it happened in, or the user it concerns; None for wall events."""
        message = self.message
        if message is not None:
            return message.peer_id
        if isinstance(self.obj, MessageEvent):
            return self.obj.peer_id
        return getattr(self.obj, "user_id", None)

    @property
    def author_id(self) -> int | None:
        """Who wrote, pressed or did it (None where VK does not say)."""
        message = self.message
        if message is not None:
            return message.from_id
        return getattr(self.obj, "from_id", None) or getattr(self.obj, "user_id", None)


@dataclass(frozen=True)
class MalformedEvent:
    """An update we could not parse: kept raw with the reason, never fatal."""

    raw: Any = field(repr=False)
    reason: str
    event_id: str | None = None
    type: str | None = None
    kind: Literal["malformed"] = "malformed"


def parse_event(raw: Any) -> VkEvent | MalformedEvent:
    """Parse one ``updates`` item into a ``VkEvent``; anything wrong gives a ``MalformedEvent``. Never raises."""
    try:
        return _parse(raw)
    except Exception as exc:  # a bug or pathological input (e.g. recursion) must not stop the listener
        return MalformedEvent(raw, f"unexpected {type(exc).__name__}: {exc}"[:500])


def _parse(raw: Any) -> VkEvent | MalformedEvent:
    if not isinstance(raw, dict):
        return MalformedEvent(raw, f"update is {type(raw).__name__}, not an object")
    event_type = raw.get("type") if isinstance(raw.get("type"), str) else None
    event_id = raw.get("event_id") if isinstance(raw.get("event_id"), str) and raw.get("event_id") else None
    if event_type is None:
        return MalformedEvent(raw, "no event type", event_id, None)
    if event_id is None:
        return MalformedEvent(raw, "no event_id", None, event_type)
    model = EVENT_MODELS.get(event_type)
    if model is None:
        return MalformedEvent(raw, f"unknown event type {event_type!r}", event_id, event_type)
    group_id = raw.get("group_id")
    if not isinstance(group_id, int) or isinstance(group_id, bool):
        return MalformedEvent(raw, "group_id missing or not an integer", event_id, event_type)
    obj = raw.get("object")
    if not isinstance(obj, dict):
        return MalformedEvent(raw, "object missing or not an object", event_id, event_type)
    try:
        parsed = model.model_validate(obj)
    except ValidationError as exc:
        return MalformedEvent(raw, _describe(exc), event_id, event_type)
    version = raw.get("v")
    return VkEvent(
        type=event_type,
        event_id=event_id,
        group_id=group_id,
        v=None if version is None else str(version),
        obj=parsed,  # type: ignore[arg-type]  # EVENT_MODELS only holds EventObject members
        raw=raw,
    )


def _describe(exc: ValidationError) -> str:
    """A short reason naming the fields: ``message.peer_id: Field required; ...``."""
    parts = [f"{'.'.join(str(p) for p in err['loc']) or 'object'}: {err['msg']}" for err in exc.errors()[:5]]
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


# -- identities -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventIdentity:
    """What the store keeps beside the raw JSON: the columns it deduplicates and looks events up on."""

    event_id: str  # VK's, a stable synthetic one (history), or a hash of the JSON (an update without one)
    type: str
    message_key: str | None = None  # message_new: "peer_id:conversation_message_id"
    target_key: str | None = None  # message_edit: the message_key of the message it edits
    peer_id: int | None = None
    from_id: int | None = None


def identity(event: VkEvent | MalformedEvent) -> EventIdentity:
    """The identity columns of a parsed event; a malformed one is known by its ``event_id`` or its content."""
    if isinstance(event, MalformedEvent):
        return EventIdentity(event.event_id or content_key(event.raw), event.type or "unknown")
    obj = event.obj
    message = event.message
    return EventIdentity(
        event_id=event.event_id,
        type=event.type,
        message_key=message.key if isinstance(obj, MessageNew) and message is not None else None,
        target_key=obj.key if isinstance(obj, MessageEdit) else None,
        peer_id=event.peer_id,
        from_id=event.author_id,
    )


def content_key(raw: Any) -> str:
    """A stable name for an update VK sent without an ``event_id``: the same update is stored once."""
    try:
        blob = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        blob = repr(raw)
    return "raw:" + hashlib.sha256(blob.encode("utf-8", "replace")).hexdigest()[:40]
