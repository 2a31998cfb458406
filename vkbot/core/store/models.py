"""Core tables: received VK events, long-poll state, and the outbox of effects on VK."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Text
from sqlmodel import Field, SQLModel

from dbtypes import UTCDateTime
from vkbot.core.store.keys import event_key


def _utc_column(nullable: bool = True) -> Any:
    return Column(DateTime(timezone=True), nullable=nullable)


def _aware_column(nullable: bool = True) -> Any:
    """The same column, read back with its UTC zone on SQLite too (tables added after dbtypes existed)."""
    return Column(UTCDateTime(), nullable=nullable)


class StoredEvent(SQLModel, table=True):
    """One incoming VK event, stored before anything acts on it (raw JSON kept as received)."""

    __tablename__ = "vk_events"
    __table_args__ = (
        Index("ix_vk_events_pending", "processed_at", "id"),
        # The founder's thread list: each relative's newest message (migration desk_0001).
        Index("ix_vk_events_thread", "type", "peer_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # VK's event_id; NULL for messages recovered from history and for updates that had none.
    event_id: str | None = Field(default=None, unique=True, max_length=64)
    # "peer_id:conversation_message_id" for new messages, so a message recovered from history and the
    # same message arriving by long poll are one row.
    message_key: str | None = Field(default=None, unique=True, max_length=64)
    type: str = Field(max_length=64, index=True)
    # For an edit: the message_key of the message it edits, so the edit is recorded against it.
    target_key: str | None = Field(default=None, max_length=64, index=True)
    peer_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    from_id: int | None = Field(default=None, sa_type=BigInteger)
    source: str = Field(default="longpoll", max_length=16)
    raw: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # Why the event could not be parsed; NULL when it parsed.
    malformed_reason: str | None = Field(default=None, sa_column=Column(Text))
    received_at: datetime = Field(sa_column=_utc_column(False))
    processed_at: datetime | None = Field(default=None, sa_column=_utc_column())
    process_error: str | None = Field(default=None, sa_column=Column(Text))
    attempts: int = 0

    @property
    def key(self) -> str:
        """``evt:<id>``: what effects and moderation records of this event are named after."""
        return event_key(self.id)


class LongPollState(SQLModel, table=True):
    """The last long-poll ts whose events are all stored, per community."""

    __tablename__ = "vk_longpoll_state"

    group_id: int = Field(sa_type=BigInteger, primary_key=True)
    ts: str = Field(max_length=64)
    updated_at: datetime = Field(sa_column=_utc_column(False))


class OutboxRow(SQLModel, table=True):
    """One effect on VK, executed once by the sender; ``key`` makes creating it idempotent."""

    __tablename__ = "vk_outbox"
    __table_args__ = (
        Index("ix_vk_outbox_due", "status", "not_before", "id"),
        # The sender's per-peer order check: the earlier pending rows of one peer.
        Index("ix_vk_outbox_peer_order", "peer_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=255)
    kind: str = Field(max_length=32)  # see vkbot.effects.outbox.KINDS
    method: str = Field(max_length=64)
    params: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # VK de-duplicates messages.send on this; stable across retries and restarts. Indexed: every
    # message the bot sends comes back as a ``message_reply`` event, recognised as ours by it.
    random_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    peer_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    status: str = Field(default="pending", max_length=16)  # pending | done | parked | skipped
    attempts: int = 0
    not_before: datetime = Field(sa_column=_utc_column(False))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    result: Any | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=_utc_column(False))
    done_at: datetime | None = Field(default=None, sa_column=_utc_column())
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_column=_utc_column())


class Cursor(SQLModel, table=True):
    """How far a background reader (e.g. the Detoxify second opinion) got through ``vk_events``."""

    __tablename__ = "vk_cursors"

    name: str = Field(primary_key=True, max_length=64)
    event_id: int = 0
    updated_at: datetime = Field(sa_column=_aware_column(False))


class AlertIncident(SQLModel, table=True):
    """One alert incident (``vkbot.ops.alerts``); kept so a restart neither forgets nor re-reports it."""

    __tablename__ = "vk_alert_incidents"
    # The monitor loads the open ones (resolved_at NULL) at start.
    __table_args__ = (Index("ix_vk_alert_incidents_open", "resolved_at", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # see vkbot.ops.alerts.IncidentKind
    detail: str = Field(sa_column=Column(Text, nullable=False))
    opened_at: datetime = Field(sa_column=_aware_column(False))
    resolved_at: datetime | None = Field(default=None, sa_column=_aware_column())
    # When each channel took the notice; NULL: not yet (retried on the next check).
    vk_notified_at: datetime | None = Field(default=None, sa_column=_aware_column())
    mail_notified_at: datetime | None = Field(default=None, sa_column=_aware_column())


class RateStart(SQLModel, table=True):
    """One request started on a token, when several processes share its limit (PostgreSQL; see ``vkbot.core.rate``).

    Kept for one rolling window, then deleted: a few dozen rows per token at any time.
    """

    __tablename__ = "vk_rate_starts"
    __table_args__ = (Index("ix_vk_rate_starts_bucket", "bucket", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # Which limit: a hash of the token, never the token itself.
    bucket: str = Field(max_length=64)
    # The database's clock (seconds since the epoch), the one clock every process agrees on.
    started_at: float


class VkUserName(SQLModel, table=True):
    """A relative's name as VK gives it (``users.get``), for the founder's conversations; erased with their data."""

    __tablename__ = "vk_user_names"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    fetched_at: datetime = Field(sa_column=_aware_column(False))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
