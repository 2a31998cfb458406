"""The planner: turns consent and delivered clips into wall posts at free slots, and revocations into takedowns.

``plan`` is idempotent: it reads the tables, changes rows in the caller's session and returns the
effects to perform now. Running it twice in a row returns nothing new the second time; and since
each effect carries a stable key (and a post a stable guid), performing one twice is harmless too.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, not_, or_
from sqlmodel import Session, col, select

import i18n
from publishing.approval import ask_families, expire_unanswered
from publishing.captions import caption_for, revoked_handoff_text, title_for
from publishing.effects import (
    DeletePost,
    Effect,
    HandToFounder,
    PublishClip,
    delete_key,
    handoff_key,
    publish_key,
)
from publishing.models import PubPost
from publishing.ports import Clock
from publishing.postponed import MIN_AHEAD, handover_limit, pull_back, recall_stale
from publishing.settings import PublishingSettings
from publishing.slots import assign_slot, is_paused
from waitlist.consent import mark_publication_handled, pending_publication_events, publishable
from waitlist.effects import Reply
from waitlist.models import WlOrder

__all__ = ["guid_for", "plan"]

log = logging.getLogger("publishing.planner")

# Posts a revocation withdraws.
ACTIVE = ("awaiting", "queued", "posted", "handed_to_founder")
# Posts that hold their order's place: a new one is planned only when none of these exists (a family
# that declined or did not answer is not asked again unless they grant publication anew).
SETTLED = (*ACTIVE, "declined", "expired")


def guid_for(order_id: int, generation: int) -> str:
    """Stable per order and consent generation: VK answers a repeated wall.post with the first post."""
    return f"memorial-{order_id}-{generation}"


def plan(session: Session, settings: PublishingSettings, clock: Clock) -> list[Effect]:
    """Act on consent changes, queue newly publishable clips, and return what is due now."""
    now = clock.now()
    effects: list[Effect] = []
    effects += _act_on_consent_events(session, settings, now)
    effects += _withdraw_unpublishable(session, settings, now)
    if settings.enabled:
        _draft_new_posts(session, settings, now)
        effects += ask_families(session, settings, now)
        effects += expire_unanswered(session, settings, now)
        if is_paused(session):
            pull_back(session, now)
        else:
            effects += _due_publications(session, settings, now)
        effects += recall_stale(session, now)
    # Takedowns run even when publishing is switched off: a revocation is always honoured.
    effects += _due_deletions(session, now)
    return effects


def _posts(session: Session, order_id: int, statuses: tuple[str, ...] = ACTIVE) -> list[PubPost]:
    query = select(PubPost).where(PubPost.order_id == order_id, col(PubPost.status).in_(statuses))
    return list(session.exec(query))


def _withdraw(session: Session, post: PubPost, settings: PublishingSettings, now: datetime) -> list[Effect]:
    """Take a post out of the schedule; a posted one gets its DeletePost from ``_due_deletions``."""
    before = post.status
    post.status, post.withdrawn_at, post.awaiting_answer, post.updated_at = "withdrawn", now, None, now
    session.add(post)
    log.info("post %s of order %s withdrawn (consent revoked or clip gone)", post.id, post.order_id)
    if before == "handed_to_founder" or (before == "posted" and post.vk_post_id is None):
        # She may have pasted it by hand already: she must hear that it has to come down.
        text = revoked_handoff_text(settings, post.caption)
        key = handoff_key(post.guid) + ":revoked"
        return [HandToFounder(post.order_id, post.caption, "revoked", key, post.file_id, text)]
    if before == "queued":
        return _tell_family(session, post, "publishing.revoked.cancelled", "cancelled")
    return []


def _tell_family(session: Session, post: PubPost, text_key: str, what: str) -> list[Effect]:
    order = session.get(WlOrder, post.order_id)
    if order is None or order.peer_id is None:
        return []
    text = i18n.text(text_key, order.lang or i18n.DEFAULT_LANGUAGE)
    return [Reply(order.peer_id, text, f"pub:{post.guid}:{what}", proactive=True)]


def _act_on_consent_events(session: Session, settings: PublishingSettings, now: datetime) -> list[Effect]:
    effects: list[Effect] = []
    for event in pending_publication_events(session):
        if not event.granted:
            for post in _posts(session, event.order_id):
                effects += _withdraw(session, post, settings, now)
        else:
            # Granted anew after "do not publish" or silence: the family is asked again (a new generation).
            for post in _posts(session, event.order_id, ("declined", "expired")):
                post.status, post.withdrawn_at, post.updated_at = "withdrawn", now, now
                session.add(post)
        assert event.id is not None
        mark_publication_handled(session, event.id, now)
    return effects


def _withdraw_unpublishable(session: Session, settings: PublishingSettings, now: datetime) -> list[Effect]:
    """Safety net beside the events: a queued post whose order no longer allows it never goes up."""
    effects: list[Effect] = []
    # Only the posts to withdraw are read: this runs every minute beside the whole backlog.
    query = (
        select(PubPost)
        .join(WlOrder, col(WlOrder.id) == col(PubPost.order_id))
        .where(col(PubPost.status).in_(("awaiting", "queued")), not_(publishable()))
    )
    for post in session.exec(query).all():
        effects += _withdraw(session, post, settings, now)
    return effects


def _draft_new_posts(session: Session, settings: PublishingSettings, now: datetime) -> None:
    """A post awaiting the family's approval for each newly publishable clip (asked by ``ask_families``)."""
    settled = select(PubPost.id).where(
        col(PubPost.order_id) == col(WlOrder.id), col(PubPost.status).in_(SETTLED)
    )
    # Each order's last generation comes with it: one query however long the backlog (a first run).
    latest = select(func.max(PubPost.generation)).where(col(PubPost.order_id) == col(WlOrder.id))
    query = (
        select(WlOrder, latest.scalar_subquery())
        .where(publishable(), ~settled.exists())
        .order_by(col(WlOrder.delivered_at))
    )
    for order, last in session.exec(query).all():
        assert order.id is not None and order.clip_file_id is not None
        generation = 0 if last is None else last + 1
        session.add(
            PubPost(
                order_id=order.id,
                generation=generation,
                guid=guid_for(order.id, generation),
                status="awaiting",
                caption=caption_for(order, settings),
                file_id=order.clip_file_id,
                comments="closed" if settings.close_comments else "open",
                created_at=now,
                updated_at=now,
            )
        )
        log.info("order %s: post drafted; the family is asked to approve it", order.id)


def _due_publications(session: Session, settings: PublishingSettings, now: datetime) -> list[Effect]:
    query = (
        select(PubPost)
        .where(
            PubPost.status == "queued",
            col(PubPost.dispatched_at).is_(None),
            col(PubPost.slot_at).is_not(None),
            col(PubPost.slot_at) <= handover_limit(settings, now),
        )
        .order_by(col(PubPost.slot_at), col(PubPost.id))
    )
    effects: list[Effect] = []
    late = timedelta(minutes=settings.late_grace_minutes)
    for post in session.exec(query).all():
        assert post.slot_at is not None
        if post.slot_at < now - late:
            _reschedule(session, settings, post, now)
            continue
        # Ahead of its slot only as a VK postponed post; too close for that, it waits for its time.
        publish_at = post.slot_at if post.slot_at > now + MIN_AHEAD else None
        if publish_at is None and post.slot_at > now:
            continue
        order = session.get(WlOrder, post.order_id)
        assert order is not None  # _withdraw_unpublishable ran first
        post.dispatched_at = post.updated_at = now
        session.add(post)
        title = title_for(order, settings)
        key = publish_key(post.guid)
        effects.append(
            PublishClip(post.order_id, post.file_id, post.caption, post.guid, key, title, publish_at)
        )
    return effects


def _reschedule(session: Session, settings: PublishingSettings, post: PubPost, now: datetime) -> None:
    """A slot missed while the suite was down (or paused): the next free one, so a restart posts no burst."""
    missed = post.slot_at
    if assign_slot(session, settings, post, now) and missed is not None and post.slot_at is not None:
        log.warning(
            "post %s missed its slot %s; moved to %s", post.id, missed.isoformat(), post.slot_at.isoformat()
        )
        post.updated_at = now


def _due_deletions(session: Session, now: datetime) -> list[Effect]:
    """Withdrawn posts on the wall, or waiting in VK's postponed list, come down (with their video)."""
    on_vk = or_(col(PubPost.vk_post_id).is_not(None), col(PubPost.vk_postponed_id).is_not(None))
    query = select(PubPost).where(
        PubPost.status == "withdrawn", on_vk, col(PubPost.delete_dispatched_at).is_(None)
    )
    effects: list[Effect] = []
    for post in session.exec(query).all():
        target = post.vk_post_id or post.vk_postponed_id
        assert target is not None
        post.delete_dispatched_at = post.updated_at = now
        session.add(post)
        effects.append(DeletePost(target, delete_key(post.guid)))
    return effects
