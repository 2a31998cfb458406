"""The interview tables: one row per order's call, and the booked times (unique: never two calls at once)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from dbtypes import UTCDateTime

__all__ = ["WlInterview", "WlInterviewSlot"]


class WlInterview(SQLModel, table=True):
    """An order's call with the founder: offered, booked, "write to me instead", or cancelled.

    ``offered``: every time shown so far (slot keys), so "other times" shows new ones. ``told``: the
    messages already queued for the booked time (reminders, her notes); cleared when the time moves.
    """

    __tablename__ = "wl_interview"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="wl_order.id", unique=True)
    peer_id: int = Field(sa_type=sa.BigInteger, index=True)
    status: str = Field(
        default="offered", max_length=16, index=True
    )  # offered|booked|write_me|written|cancelled|lapsed
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True, index=True)
    minutes: int = 45
    tz: str = Field(max_length=64)  # the zone the relative is shown times in
    tz_assumed: bool = True  # the community's zone, not one we know is theirs: the offer says so
    offered: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    last_offer: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # the times of the latest offer
    rounds: int = 0  # offers sent (each "other times" is one more)
    offer_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    told: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class WlInterviewSlot(SQLModel, table=True):
    """A booked call time (UTC, to the minute): the primary key makes a time bookable once."""

    __tablename__ = "wl_interview_slot"

    slot: str = Field(primary_key=True, max_length=20)
    interview_id: int = Field(foreign_key="wl_interview.id", unique=True)
