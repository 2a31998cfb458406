"""Comments under memorial posts: closed at the family's (or the founder's) wish, else moderated strictly.

``memorial_post`` tells moderation whether a comment sits under one of our memorial posts (its stricter
threshold applies there); ``set_comments`` records the wish and, for a post already on the wall,
returns the ``SwitchComments`` effect (a post still to come is posted with its comments as wished).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, select

from publishing.effects import SwitchComments
from publishing.models import PubPost

__all__ = ["comments_key", "memorial_post", "set_comments"]

log = logging.getLogger("publishing.comments")

# Posts whose comments can still be switched: to come (the wish travels with the post) or on the wall.
_SWITCHABLE = ("awaiting", "queued", "posted")


def comments_key(guid: str, closed: bool, at: datetime) -> str:
    # One key per switch: closing, opening and closing again are three calls, each sent once.
    return f"pub:{guid}:comments:{'close' if closed else 'open'}:{at.timestamp():.0f}"


def memorial_post(session: Session, vk_post_id: int | None) -> bool:
    """Whether ``vk_post_id`` is one of our memorial posts (posted, whatever its status now)."""
    if vk_post_id is None:
        return False
    return session.exec(select(PubPost.id).where(PubPost.vk_post_id == vk_post_id)).first() is not None


def set_comments(session: Session, post_id: int, closed: bool, now: datetime) -> SwitchComments | None:
    """Record the wish; the effect to send when the post is on the wall already (None otherwise)."""
    post = session.get(PubPost, post_id)
    if post is None:
        raise LookupError(f"no post {post_id}")
    if post.status not in _SWITCHABLE:
        raise ValueError(f"post {post_id} is {post.status}: its comments cannot be switched")
    wanted = "closed" if closed else "open"
    if post.comments == wanted:
        return None
    post.comments, post.updated_at = wanted, now
    post.comments_closed_at = None
    session.add(post)
    log.info("post %s: comments %s", post_id, wanted)
    if post.status != "posted" or post.vk_post_id is None:
        return None  # posted later with close_comments as wished (read at send time)
    if closed:
        post.comments_closed_at = now
    return SwitchComments(post.vk_post_id, closed, comments_key(post.guid, closed, now))
