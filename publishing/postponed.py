"""VK postponed posts: a post handed to VK ahead of its slot (``publish_date``), kept in step with ours.

The rule that keeps VK's postponed list and ours in agreement: a post holding a ``vk_postponed_id`` while
not dispatched (the founder moved, pinned or re-captioned it, publishing was paused) or no longer wanted
(withdrawn: ``planner._due_deletions``) is taken back from VK. A taken-back post gets a new guid, because
VK answers a repeated guid with the post it first made, even a deleted one. At its slot the executor
looks for the live post (a new id); a postponed post gone from VK by other hands becomes a failure for
the founder.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from publishing.effects import DeletePost, Effect
from publishing.models import PubPost
from publishing.settings import PublishingSettings

__all__ = ["MIN_AHEAD", "check_key", "handover_limit", "pull_back", "recall_stale"]

log = logging.getLogger("publishing.postponed")

# VK wants publish_date in the future; a slot closer than this is posted at its time instead.
MIN_AHEAD = timedelta(minutes=5)


def check_key(guid: str, attempt: int) -> str:
    """The key of the look at the wall after a postponed post's slot (one per attempt)."""
    return f"pub:{guid}:check:{attempt}"


def handover_limit(settings: PublishingSettings, now: datetime) -> datetime:
    """Posts with a slot up to here are handed over now (to VK's postponed list, or posted when due)."""
    if not settings.postpone_on_vk:
        return now
    return now + timedelta(hours=settings.postpone_ahead_hours)


def _waiting_on_vk() -> SelectOfScalar[PubPost]:
    return select(PubPost).where(
        col(PubPost.status).in_(("awaiting", "queued")),
        col(PubPost.vk_postponed_id).is_not(None),
        col(PubPost.vk_post_id).is_(None),
    )


def pull_back(session: Session, now: datetime) -> None:
    """Paused: every post waiting in VK's postponed list is taken back (``recall_stale`` sends the calls)."""
    for post in session.exec(_waiting_on_vk()).all():
        if post.dispatched_at is not None:
            post.dispatched_at, post.updated_at = None, now
            session.add(post)


def recall_stale(session: Session, now: datetime) -> list[Effect]:
    """Delete from VK's postponed list what is no longer handed over as it stands there."""
    query = _waiting_on_vk().where(col(PubPost.dispatched_at).is_(None))
    effects: list[Effect] = []
    for post in session.exec(query).all():
        assert post.vk_postponed_id is not None
        effects.append(DeletePost(post.vk_postponed_id, f"pub:{post.guid}:recall", recall=True))
        log.info(
            "post %s taken back from VK's postponed list (postponed id %s)", post.id, post.vk_postponed_id
        )
        post.vk_postponed_id = None
        post.guid = _renewed(post.guid, now)
        post.updated_at = now
        session.add(post)
    return effects


def _renewed(guid: str, now: datetime) -> str:
    base = guid.split("-r", 1)[0]
    return f"{base}-r{now.timestamp():.0f}"
