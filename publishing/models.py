"""The publishing table (prefix pub_): one row per planned wall post of an order's clip."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from dbtypes import UTCDateTime

__all__ = ["STATUSES", "PubFlag", "PubPost"]

# awaiting: the family was (or is about to be) shown the exact post and has not answered; queued: the
# family approved it, waiting for its slot (or handed to the outbox); posted: on the wall with
# vk_post_id; withdrawn: consent revoked (deleted from the wall if it was posted); handed_to_founder: no
# wall right, the founder got a ready post to paste by hand; declined: the family said "do not publish";
# expired: no answer in time, not published. A handed_to_founder post with ``failed_at`` is a failure
# (the suite tried and gave up) rather than a missing right.
STATUSES = ("awaiting", "queued", "posted", "withdrawn", "handed_to_founder", "declined", "expired")


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class PubPost(SQLModel, table=True):
    """A clip's place on the wall: its slot, caption, guid (VK de-duplicates on it) and VK post id.

    A revoked and later re-granted consent starts a new row with the next ``generation``, hence a new
    guid: VK would otherwise answer the repeat with the deleted post's id.
    """

    __tablename__ = "pub_post"
    __table_args__ = (sa.UniqueConstraint("order_id", "generation"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="wl_order.id", index=True)
    generation: int = 0
    guid: str = Field(max_length=64, unique=True)
    status: str = Field(default="awaiting", max_length=24, index=True)
    slot_at: datetime | None = _dt(index=True)  # None until the family approves
    # The founder fixed the time: the planner never moves it (except forward after downtime).
    pinned: bool = False
    # "Not before" this moment (the family's wish, e.g. after the funeral).
    not_before: datetime | None = _dt()
    asked_at: datetime | None = _dt()  # the family was shown the post and asked
    # What the next message of the family answers: "text" (their own caption) or "date"; None: the buttons.
    awaiting_answer: str | None = Field(default=None, max_length=16)
    approved_at: datetime | None = _dt()
    caption: str = Field(sa_type=sa.Text)
    file_id: str = Field(max_length=64)
    # "video<owner>_<id>" once uploaded, so a retried post does not upload the clip twice.
    vk_video: str | None = Field(default=None, max_length=64)
    vk_post_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    # Handed to VK as a postponed post (publish_date): its id in VK's postponed list until it goes live
    # (VK then gives the live post a new id, ``vk_post_id``).
    vk_postponed_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    handoff_reason: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = _dt(nullable=False)
    updated_at: datetime = _dt(nullable=False)
    dispatched_at: datetime | None = _dt()  # PublishClip handed to the caller (outbox)
    posted_at: datetime | None = _dt()
    withdrawn_at: datetime | None = _dt()
    delete_dispatched_at: datetime | None = _dt()  # DeletePost handed to the caller
    handed_at: datetime | None = _dt()
    # The outbox gave up on it (retries used up or an error that retrying cannot fix): handed to the
    # founder, and the calendar marks it as a failure rather than a plain hand-off.
    failed_at: datetime | None = _dt()
    # Comments under the post: "open" (moderated with the stricter memorial threshold) or "closed" (the
    # family's wish or the founder's: posted with close_comments, or wall.closeComments afterwards).
    comments: str = Field(default="open", max_length=16)
    comments_closed_at: datetime | None = _dt()  # when VK was told to close them


class PubFlag(SQLModel, table=True):
    """Publishing-wide switches the founder sets from the CLI (``paused``), kept in the database."""

    __tablename__ = "pub_flag"

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(default="", max_length=255)
    updated_at: datetime = _dt(nullable=False)
