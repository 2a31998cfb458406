"""The moderation tables (prefix mod_): moderated items, the founder's corrections, ban proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from dbtypes import UTCDateTime

__all__ = [
    "HIDDEN_STATUSES",
    "MAX_TEXT",
    "ItemStatus",
    "ModBanProposal",
    "ModItem",
    "ModLabel",
    "UTCDateTime",
]

ItemStatus = Literal["ok", "flagged", "quarantined", "restored", "hidden_by_founder"]
# Out of the founder's sight: hidden by the filter, or by her own hand.
HIDDEN_STATUSES: tuple[str, ...] = ("quarantined", "hidden_by_founder")
# Stranger text is bounded; VK's own limits are lower, so a cut text is a sign of something odd.
MAX_TEXT = 10_000


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _vk_id(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=sa.BigInteger, nullable=nullable, index=index)


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_type=sa.JSON, nullable=False)


class ModItem(SQLModel, table=True):
    """One moderated private message or wall comment, with the verdict it got and what became of it."""

    __tablename__ = "mod_item"
    __table_args__ = (sa.Index("ix_mod_item_status_created", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(max_length=128, unique=True)  # the stored event's key, e.g. "evt:123"
    channel: str = Field(max_length=16)  # message | comment
    author_id: int = Field(sa_type=sa.BigInteger, index=True)
    peer_id: int | None = _vk_id(index=True)
    cmid: int | None = _vk_id()  # conversation_message_id, for messages.delete
    post_id: int | None = _vk_id()
    comment_id: int | None = _vk_id()
    text: str = Field(default="", sa_type=sa.Text)
    text_truncated: bool = False
    text_erased_at: datetime | None = _dt()  # "delete my data" blanked it (never for evidence)
    status: str = Field(max_length=24)  # ItemStatus
    categories: list[str] = _json(list)
    reasons: list[str] = _json(list)
    urgent: bool = False
    evidence: bool = Field(default=False, index=True)  # a threat or death wish, kept for the police
    scores: list[dict[str, Any]] = _json(list)  # the classifier's signals, for tuning
    tier: str | None = Field(default=None, max_length=16)  # which tier set the status: rules|learned|ml
    learned_score: float | None = None  # the learned tier's score for this text, when it ran
    model_version: str | None = Field(default=None, max_length=64)  # ...and its model's version
    # Removal from VK (wall comment, or community inbox): pending|done|failed|skipped|restored|restore_failed.
    removal_state: str | None = Field(default=None, max_length=16)
    removal_note: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = _dt(nullable=False)
    reviewed_at: datetime | None = _dt()
    reviewed_by: str | None = Field(default=None, max_length=64)  # "founder", "assistant:<name>"


class ModLabel(SQLModel, table=True):
    """A correction by the founder or her helper: the text, scores and verdict it corrects."""

    __tablename__ = "mod_label"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="mod_item.id", index=True)
    label: str = Field(max_length=16)  # abusive | not_abusive
    text: str = Field(default="", sa_type=sa.Text)
    scores: list[dict[str, Any]] = _json(list)
    verdict: dict[str, Any] = _json(dict)  # status, categories, reasons at the time of the correction
    created_at: datetime = _dt(nullable=False)
    by: str = Field(max_length=64)


class ModBanProposal(SQLModel, table=True):
    """A repeat offender proposed for a ban; at most one open ("proposed") proposal per author."""

    __tablename__ = "mod_ban_proposal"

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(sa_type=sa.BigInteger, index=True)
    item_ids: list[int] = _json(list)
    status: str = Field(default="proposed", max_length=16, index=True)  # proposed|accepted|dismissed|banned
    ban_days: int = 30
    reason_code: int = 2  # groups.ban reason: 1 spam, 2 verbal abuse
    end_date: datetime | None = _dt()
    reason: str = Field(default="", max_length=255)
    created_at: datetime = _dt(nullable=False)
    decided_at: datetime | None = _dt()
    decided_by: str | None = Field(default=None, max_length=64)
