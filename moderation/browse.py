"""Small reads for the founder's screens that the review functions do not give: counts, never texts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session, col

from moderation.models import HIDDEN_STATUSES, ModItem

__all__ = ["hidden_count"]


def hidden_count(session: Session) -> int:
    """How many messages and comments are out of her sight now (hidden by the filter or by her)."""
    query = select(func.count()).select_from(ModItem).where(col(ModItem.status).in_(HIDDEN_STATUSES))
    return int(session.scalar(query) or 0)
