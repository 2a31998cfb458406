"""What the vkbot side reports back after acting on an effect: the video, the post id, a hand-off."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

import i18n
from publishing.captions import handoff_text
from publishing.effects import HandToFounder, handoff_key
from publishing.models import PubPost
from publishing.settings import PublishingSettings
from waitlist.effects import Reply
from waitlist.models import WlOrder

__all__ = [
    "Publication",
    "handed_to_founder",
    "mark_posted_by_hand",
    "postponed_for",
    "publication_for",
    "record_failed",
    "record_handed_to_founder",
    "record_posted",
    "record_postponed",
    "record_takedown_handed_to_founder",
    "record_taken_down",
    "record_video",
    "takedowns_for_founder",
]

log = logging.getLogger("publishing.outcomes")


@dataclass(frozen=True)
class Publication:
    """A post still meant to go up, as the executor needs it (read again right before posting)."""

    guid: str
    caption: str
    file_id: str
    vk_video: str | None
    close_comments: bool = False  # the family (or the founder) wants no comments under it


def _post_for_key(session: Session, key: str) -> PubPost | None:
    # Keys are "pub:<guid>:<what>" (publishing.effects); the guid names the post.
    parts = key.split(":")
    if len(parts) < 3 or parts[0] != "pub":
        raise ValueError(f"not a publishing key: {key!r}")
    return session.exec(select(PubPost).where(PubPost.guid == parts[1])).first()


def publication_for(session: Session, key: str) -> Publication | None:
    """The post behind ``key`` if it should still be published; None once withdrawn or handed off.

    The executor asks right before posting, so a revocation that arrived after the outbox row was
    written still stops the post.
    """
    post = _post_for_key(session, key)
    if post is None or post.status != "queued":
        return None
    return Publication(post.guid, post.caption, post.file_id, post.vk_video, post.comments == "closed")


def record_video(session: Session, key: str, video: str, *, at: datetime) -> None:
    """Remember the uploaded video (``video<owner>_<id>``) so a retried post does not upload again."""
    post = _post_for_key(session, key)
    if post is not None and post.vk_video is None:
        post.vk_video, post.updated_at = video, at
        session.add(post)


def record_postponed(session: Session, key: str, postponed_id: int, *, at: datetime) -> None:
    """VK holds the post in its postponed list under ``postponed_id`` until the slot."""
    post = _post_for_key(session, key)
    if post is not None and post.vk_post_id is None:
        post.vk_postponed_id, post.updated_at = postponed_id, at
        session.add(post)


def postponed_for(session: Session, key: str) -> tuple[int, str | None] | None:
    """(postponed id, video) of a post still waiting in VK's postponed list to go live; None otherwise."""
    post = _post_for_key(session, key)
    if post is None or post.status != "queued" or post.vk_postponed_id is None or post.vk_post_id is not None:
        return None
    return post.vk_postponed_id, post.vk_video


def record_posted(session: Session, key: str, post_id: int, *, at: datetime) -> None:
    """Record VK's post id. A post withdrawn meanwhile keeps that status; the next plan deletes it."""
    post = _post_for_key(session, key)
    if post is None:
        log.error("wall post %s made for unknown key %s", post_id, key)
        return
    post.vk_post_id, post.updated_at = post_id, at
    if post.posted_at is None:
        post.posted_at = at
    if post.comments == "closed" and post.comments_closed_at is None:
        post.comments_closed_at = at  # posted with close_comments
    if post.status == "queued":
        post.status = "posted"
    session.add(post)


def record_handed_to_founder(
    session: Session, key: str, reason: str, settings: PublishingSettings, *, at: datetime
) -> HandToFounder | None:
    """Mark the post as the founder's to paste by hand and return the hand-off (None if not queued)."""
    post = _post_for_key(session, key)
    if post is None or post.status != "queued":
        return None
    post.status, post.handoff_reason, post.handed_at, post.updated_at = "handed_to_founder", reason, at, at
    session.add(post)
    text = handoff_text(settings, post.caption, post.file_id, reason)
    return HandToFounder(post.order_id, post.caption, reason, handoff_key(post.guid), post.file_id, text)


def record_failed(
    session: Session, key: str, error: str, settings: PublishingSettings, *, at: datetime
) -> HandToFounder | None:
    """The outbox gave up on the post: a failure on the calendar, and the ready post goes to the founder.

    The last try may have reached VK before it failed, so her message says to look on the wall first.
    None when the post is no longer queued (posted, withdrawn or already hers).
    """
    reason = i18n.text("publishing.handoff.failed_reason", settings.lang, error=error[:300])
    handoff = record_handed_to_founder(session, key, reason, settings, at=at)
    post = _post_for_key(session, key)
    if handoff is not None and post is not None:
        post.failed_at = at
        session.add(post)
        log.error("post %s failed for good (%s); handed to the founder", post.id, error)
    return handoff


def handed_to_founder(session: Session) -> list[PubPost]:
    """Posts waiting for the founder to paste them by hand (the dashboard lists these)."""
    query = select(PubPost).where(PubPost.status == "handed_to_founder").order_by(col(PubPost.slot_at))
    return list(session.exec(query))


def record_takedown_handed_to_founder(session: Session, key: str, reason: str, *, at: datetime) -> None:
    """The suite could not delete a withdrawn post: the founder must; her list shows it until she does."""
    post = _post_for_key(session, key)
    if post is not None and post.status == "withdrawn":
        post.handoff_reason, post.handed_at, post.updated_at = reason, at, at
        session.add(post)


def takedowns_for_founder(session: Session) -> list[PubPost]:
    """Withdrawn posts still on the wall that the founder has to delete by hand (the dashboard lists these)."""
    query = select(PubPost).where(
        PubPost.status == "withdrawn",
        col(PubPost.vk_post_id).is_not(None),
        col(PubPost.handoff_reason).is_not(None),
    )
    return list(session.exec(query.order_by(col(PubPost.withdrawn_at))))


@dataclass(frozen=True)
class TakenDown:
    """A withdrawn post is off the wall: its video to delete too, and the family's notice."""

    video: str | None
    family: Reply | None


def record_taken_down(session: Session, key: str, *, at: datetime) -> TakenDown:
    """The wall post is gone (deleted now or earlier): what remains is its video and telling the family."""
    post = _post_for_key(session, key)
    if post is None:
        return TakenDown(None, None)
    post.handoff_reason, post.updated_at = None, at  # off the founder's list of takedowns
    session.add(post)
    order = session.get(WlOrder, post.order_id)
    family = None
    # Only a post that was live is "removed"; one taken from VK's postponed list was "cancelled" already.
    if order is not None and order.peer_id is not None and post.vk_post_id is not None:
        text = i18n.text("publishing.revoked.removed", order.lang or i18n.DEFAULT_LANGUAGE)
        family = Reply(order.peer_id, text, f"pub:{post.guid}:removed", proactive=True)
    return TakenDown(post.vk_video, family)


def mark_posted_by_hand(session: Session, post_id: int, vk_post_id: int | None, *, at: datetime) -> PubPost:
    """The founder pasted a handed-off post herself: the calendar shows it as posted."""
    post = session.get(PubPost, post_id)
    if post is None:
        raise LookupError(f"no post {post_id}")
    if post.status != "handed_to_founder":
        raise ValueError(f"post {post_id} is {post.status}, not handed to the founder")
    post.status, post.posted_at, post.updated_at = "posted", at, at
    if vk_post_id is not None:
        post.vk_post_id = vk_post_id
    session.add(post)
    return post
