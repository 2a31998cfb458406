"""The waitlist's tables (prefix wl_): conversations, orders and their parts, consent, sign-ups, notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from dbtypes import UTCDateTime

__all__ = [
    "WlConsent",
    "WlConversation",
    "WlErasure",
    "WlFile",
    "WlFlag",
    "WlFounderAlert",
    "WlInbox",
    "WlNotice",
    "WlOrder",
    "WlOrderEvent",
    "WlOrderNumber",
    "WlPendingAttachment",
    "WlProcessedEvent",
    "WlPublicationEvent",
    "WlSignup",
    "WlStoryPart",
]


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _peer(nullable: bool = False, index: bool = True) -> Any:
    return Field(default=None, sa_type=sa.BigInteger, nullable=nullable, index=index)


class WlConversation(SQLModel, table=True):
    """One relative's conversation with the community: where the dialog stands, their language."""

    __tablename__ = "wl_conversation"

    peer_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    lang: str = Field(default="ru", max_length=8)
    lang_locked: bool = False  # the writer chose a language explicitly; detection no longer switches it
    state: str = Field(default="new", max_length=32)
    track: str = Field(default="order", max_length=16)  # order | signup
    order_id: int | None = Field(default=None, foreign_key="wl_order.id")
    signup_id: int | None = Field(default=None, foreign_key="wl_signup.id")
    confirm_pending: str | None = Field(default=None, max_length=16)  # cancel | delete awaiting yes/no
    pd_consent: bool = False
    notify_ok: bool | None = None  # answered at intake: may we write when the turn comes
    messages_allowed: bool | None = None  # VK's message_allow / message_deny / error 901
    messages_allowed_at: datetime | None = _dt()
    takeover_until: datetime | None = _dt()
    # Who stepped the bot back: "relative" (asked for a person, still waiting) or "founder" (she wrote).
    takeover_by: str | None = Field(default=None, max_length=16)
    takeover_acked_at: datetime | None = _dt()  # the last "your message is passed on" during a takeover
    # The other language the writer's last message pointed to; a second one in a row switches.
    lang_pending: str | None = Field(default=None, max_length=8)
    tz: str | None = Field(default=None, max_length=64)
    created_at: datetime = _dt(nullable=False)
    updated_at: datetime = _dt(nullable=False, index=True)


class WlOrderNumber(SQLModel, table=True):
    """Allocates the order numbers relatives are told, safely under concurrency on any database."""

    __tablename__ = "wl_order_number"

    number: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="wl_order.id", unique=True)


class WlOrder(SQLModel, table=True):
    """An order, from the first answer (draft) to delivery; erased orders stay as anonymous tombstones."""

    __tablename__ = "wl_order"

    id: int | None = Field(default=None, primary_key=True)
    number: int | None = Field(default=None, unique=True)
    peer_id: int | None = _peer(nullable=True)
    status: str = Field(default="draft", max_length=16, index=True)
    subject_name: str | None = Field(default=None, sa_type=sa.Text)
    relation: str | None = Field(default=None, sa_type=sa.Text)
    wishes: str = Field(default="", max_length=128)  # comma list of wish ids
    wish_note: str | None = Field(default=None, sa_type=sa.Text)
    contact: str | None = Field(default=None, sa_type=sa.Text)
    publish_consent: bool | None = None
    founder_note: str | None = Field(default=None, sa_type=sa.Text)
    status_reason: str | None = Field(default=None, sa_type=sa.Text)
    queue_rank: float | None = Field(default=None, index=True)
    estimate_told: datetime | None = _dt()
    clip_file_id: str | None = Field(default=None, max_length=64)
    keep_files: bool = False
    lang: str = Field(default="ru", max_length=8)
    created_at: datetime = _dt(nullable=False)
    updated_at: datetime = _dt(nullable=False)
    completed_at: datetime | None = _dt()
    delivered_at: datetime | None = _dt()
    cancelled_at: datetime | None = _dt()
    files_removed_at: datetime | None = _dt()
    erased_at: datetime | None = _dt()


class WlStoryPart(SQLModel, table=True):
    """One message of the story; the same text twice is one part (unique digest per order)."""

    __tablename__ = "wl_story_part"
    __table_args__ = (sa.UniqueConstraint("order_id", "digest"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="wl_order.id", index=True)
    text: str = Field(sa_type=sa.Text)
    digest: str = Field(max_length=64)
    truncated: bool = False
    forwarded: bool = False
    created_at: datetime = _dt(nullable=False)


class WlFile(SQLModel, table=True):
    """A photo, voice recording or finished clip of an order, with the photo check's measures."""

    __tablename__ = "wl_file"
    __table_args__ = (sa.UniqueConstraint("order_id", "file_id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="wl_order.id", index=True)
    file_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=16)  # photo | voice | clip
    size_bytes: int = 0
    width: int | None = None
    height: int | None = None
    sharpness: float | None = None
    faces: int | None = None
    poor: bool = False
    asked_better: bool = False
    vk_ref: str | None = Field(default=None, max_length=255)
    caption: str | None = Field(default=None, sa_type=sa.Text)  # the words sent with it, kept with it
    created_at: datetime = _dt(nullable=False)


class WlPendingAttachment(SQLModel, table=True):
    """A photo or recording sent before consent: only its reference is kept until the writer agrees."""

    __tablename__ = "wl_pending_attachment"

    id: int | None = Field(default=None, primary_key=True)
    peer_id: int = _peer()
    kind: str = Field(max_length=16)
    url: str | None = Field(default=None, sa_type=sa.Text)
    vk_ref: str = Field(max_length=255)
    ext: str | None = Field(default=None, max_length=16)
    caption: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = _dt(nullable=False)


class WlConsent(SQLModel, table=True):
    """A consent answer with the exact wording shown, its version and time."""

    __tablename__ = "wl_consent"

    id: int | None = Field(default=None, primary_key=True)
    peer_id: int | None = _peer(nullable=True)
    order_id: int | None = Field(default=None, foreign_key="wl_order.id", index=True)
    kind: str = Field(max_length=16)  # personal_data | publication
    granted: bool
    version: str = Field(max_length=32)
    wording: str = Field(sa_type=sa.Text)
    lang: str = Field(max_length=8)
    at: datetime = _dt(nullable=False)


class WlPublicationEvent(SQLModel, table=True):
    """Publishing acts on these: a grant or revocation of consent to publish an order's clip."""

    __tablename__ = "wl_publication_event"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="wl_order.id", index=True)
    granted: bool
    consent_id: int | None = Field(default=None, foreign_key="wl_consent.id")
    at: datetime = _dt(nullable=False)
    handled_at: datetime | None = _dt(index=True)


class WlSignup(SQLModel, table=True):
    """A place on the sign-up list: only a way to reach the writer, invited in order as places free."""

    __tablename__ = "wl_signup"

    id: int | None = Field(default=None, primary_key=True)
    peer_id: int | None = _peer(nullable=True)
    contact: str | None = Field(default=None, sa_type=sa.Text)
    lang: str = Field(default="ru", max_length=8)
    status: str = Field(
        default="draft", max_length=16, index=True
    )  # draft|listed|invited|converted|cancelled|lapsed
    created_at: datetime = _dt(nullable=False)
    listed_at: datetime | None = _dt(index=True)
    invited_at: datetime | None = _dt()
    closed_at: datetime | None = _dt()
    erased_at: datetime | None = _dt()


class WlInbox(SQLModel, table=True):
    """Messages kept for the founder: off-script words, requests for a person, corrections."""

    __tablename__ = "wl_inbox"

    id: int | None = Field(default=None, primary_key=True)
    peer_id: int | None = _peer(nullable=True)
    order_id: int | None = Field(default=None, foreign_key="wl_order.id")
    kind: str = Field(max_length=16)
    text: str = Field(default="", sa_type=sa.Text)
    event_key: str = Field(max_length=128)
    created_at: datetime = _dt(nullable=False)
    handled_at: datetime | None = _dt()


class WlProcessedEvent(SQLModel, table=True):
    """An incoming message already handled, with the replies it produced, so a replay repeats them."""

    __tablename__ = "wl_processed_event"

    event_key: str = Field(primary_key=True, max_length=128)
    peer_id: int | None = _peer(nullable=True)
    replies: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = _dt(nullable=False, index=True)


class WlNotice(SQLModel, table=True):
    """News the bot owes a relative (turn, delay, clip, invitation): sent proactively or with the next reply."""

    __tablename__ = "wl_notice"

    key: str = Field(primary_key=True, max_length=128)
    peer_id: int = _peer()
    order_id: int | None = Field(default=None, foreign_key="wl_order.id")
    kind: str = Field(max_length=16)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    attachment_file: str | None = Field(default=None, max_length=64)
    created_at: datetime = _dt(nullable=False)
    sent_at: datetime | None = _dt(index=True)


class WlOrderEvent(SQLModel, table=True):
    """The founder's acts on an order (status, move, delivery, keep files) with her reason."""

    __tablename__ = "wl_order_event"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="wl_order.id", index=True)
    kind: str = Field(max_length=16)
    value: str = Field(default="", max_length=64)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    at: datetime = _dt(nullable=False)


class WlErasure(SQLModel, table=True):
    """A promised removal of a writer's texts (after a declined consent), done by the sweep."""

    __tablename__ = "wl_erasure"

    id: int | None = Field(default=None, primary_key=True)
    peer_id: int | None = _peer(nullable=True)
    reason: str = Field(max_length=32)
    due_at: datetime = _dt(nullable=False, index=True)
    done_at: datetime | None = _dt()


class WlFlag(SQLModel, table=True):
    """Switches the founder sets (sign-ups open or closed, when they may reopen)."""

    __tablename__ = "wl_flag"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", sa_type=sa.Text)
    updated_at: datetime = _dt(nullable=False)


class WlFounderAlert(SQLModel, table=True):
    """Something the founder must hear at once (a request for a person, a crisis); vkbot sends it to her."""

    __tablename__ = "wl_founder_alert"

    key: str = Field(primary_key=True, max_length=160)  # the outbox key of the VK message to her
    event_key: str = Field(max_length=128, index=True)  # the relative's message that raised it
    peer_id: int | None = _peer(nullable=True)
    kind: str = Field(max_length=16)  # human | crisis
    text: str = Field(default="", sa_type=sa.Text)  # what the relative wrote (bounded)
    order_number: int | None = None
    created_at: datetime = _dt(nullable=False)
