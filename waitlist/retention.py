"""Keeping data no longer than needed: "delete my data", and the sweep of expired texts, intakes and files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from waitlist.interviews.booking import erase_interviews
from waitlist.models import (
    WlConsent,
    WlConversation,
    WlErasure,
    WlFile,
    WlFounderAlert,
    WlInbox,
    WlNotice,
    WlOrder,
    WlPendingAttachment,
    WlProcessedEvent,
    WlPublicationEvent,
    WlSignup,
    WlStoryPart,
)
from waitlist.ports import Clock, FileStore, MessageTexts
from waitlist.rows import write_deferred
from waitlist.settings import WaitlistSettings

__all__ = [
    "ErasureReport",
    "SweepReport",
    "delete_personal_data",
    "erase_order",
    "remove_order_files",
    "sweep",
]


@dataclass
class ErasureReport:
    orders: int = 0
    files: int = 0
    texts: int = 0
    evidence_kept: int = 0


@dataclass
class SweepReport:
    declined_texts_erased: int = 0
    abandoned_intakes: int = 0
    cancelled_orders: int = 0
    old_signups: int = 0
    delivered_file_sets: int = 0
    processed_events: int = 0


def _delete_file_if_unused(session: Session, files: FileStore, file_id: str) -> bool:
    # Content-addressed: the same photo may belong to two orders, so only the last reference removes it.
    session.flush()
    if session.exec(select(WlFile.id).where(WlFile.file_id == file_id)).first() is None:
        files.delete(file_id)
        return True
    return False


def remove_order_files(
    session: Session, order: WlOrder, files: FileStore, at: datetime, *, keep_clip: bool = False
) -> int:
    removed = 0
    for row in session.exec(select(WlFile).where(WlFile.order_id == order.id)).all():
        if keep_clip and row.kind == "clip":
            continue
        session.delete(row)
        removed += _delete_file_if_unused(session, files, row.file_id)
    if not keep_clip:
        order.clip_file_id = None
    order.files_removed_at = at
    session.add(order)
    return removed


def erase_order(session: Session, order: WlOrder, files: FileStore, at: datetime) -> int:
    """Leave an anonymous tombstone: status and dates stay so counts stay right; everything personal goes."""
    removed = remove_order_files(session, order, files, at)
    for part in session.exec(select(WlStoryPart).where(WlStoryPart.order_id == order.id)).all():
        session.delete(part)
    for notice in session.exec(select(WlNotice).where(WlNotice.order_id == order.id)).all():
        session.delete(notice)
    if order.publish_consent:
        # Publishing must take the clip down or never post it: the revocation is an event it acts on.
        session.add(WlPublicationEvent(order_id=order.id or 0, granted=False, at=at))
    if order.status in ("draft", "waiting", "in_progress"):
        order.status, order.cancelled_at = "cancelled", order.cancelled_at or at
    order.peer_id = None
    order.subject_name = order.relation = order.wish_note = order.contact = None
    order.founder_note = order.status_reason = None
    order.publish_consent, order.wishes = False, ""
    order.erased_at, order.updated_at = at, at
    session.add(order)
    return removed


def delete_personal_data(
    session: Session,
    peer_id: int,
    *,
    files: FileStore,
    texts: MessageTexts | None,
    at: datetime,
    settings: WaitlistSettings | None = None,
) -> ErasureReport:
    """Remove everything personal of this writer; stored message texts go through ``texts`` (vkbot's)."""
    report = ErasureReport()
    for order in session.exec(select(WlOrder).where(WlOrder.peer_id == peer_id)).all():
        report.files += erase_order(session, order, files, at)
        report.orders += 1
    for signup in session.exec(select(WlSignup).where(WlSignup.peer_id == peer_id)).all():
        if signup.status in ("draft", "listed", "invited"):
            signup.status, signup.closed_at = "cancelled", at
        signup.peer_id, signup.contact, signup.erased_at = None, None, at
        session.add(signup)
    erase_interviews(session, peer_id)
    for model in (WlPendingAttachment, WlInbox, WlNotice, WlFounderAlert):
        for row in session.exec(select(model).where(model.peer_id == peer_id)).all():
            session.delete(row)
    for consent in session.exec(select(WlConsent).where(WlConsent.peer_id == peer_id)).all():
        consent.peer_id = None  # the wording and time stay as a record; whose it was does not
        session.add(consent)
    write_deferred(session)  # this batch's earlier messages of the writer are erased too
    for event in session.exec(select(WlProcessedEvent).where(WlProcessedEvent.peer_id == peer_id)).all():
        event.replies, event.peer_id = [], None  # a replay stays harmless and says nothing
        session.add(event)
    conv = session.get(WlConversation, peer_id)
    if conv is not None:
        session.delete(conv)
    for erasure in session.exec(select(WlErasure).where(WlErasure.peer_id == peer_id)).all():
        session.delete(erasure)
    if texts is not None:
        report.texts = texts.erase_texts(peer_id, keep_evidence=True)
        report.evidence_kept = texts.count_evidence(peer_id)
    else:
        # No access to stored messages here: leave the promise for the sweep, which has it.
        session.add(WlErasure(peer_id=peer_id, reason="delete_request", due_at=at))
    session.flush()
    return report


def _due_erasures(session: Session, texts: MessageTexts, now: datetime) -> int:
    done = 0
    query = select(WlErasure).where(col(WlErasure.done_at).is_(None), col(WlErasure.due_at) <= now)
    for erasure in session.exec(query).all():
        peer_id = erasure.peer_id
        if peer_id is not None:
            conv = session.get(WlConversation, peer_id)
            if erasure.reason == "consent_declined" and conv is not None and conv.pd_consent:
                erasure.done_at = now  # the writer agreed later: nothing to remove
            else:
                texts.erase_texts(peer_id, keep_evidence=True)
                for row in session.exec(
                    select(WlInbox).where(WlInbox.peer_id == peer_id, col(WlInbox.order_id).is_(None))
                ).all():
                    row.text = ""
                    session.add(row)
                done += 1
        erasure.done_at, erasure.peer_id = now, None
        session.add(erasure)
    return done


def sweep(
    session: Session, settings: WaitlistSettings, clock: Clock, files: FileStore, texts: MessageTexts
) -> SweepReport:
    """Clear what has outlived its purpose; run it daily (the caller commits)."""
    now = clock.now()
    report = SweepReport(declined_texts_erased=_due_erasures(session, texts, now))
    stale = now - timedelta(days=settings.abandoned_intake_days)
    for order in session.exec(
        select(WlOrder).where(WlOrder.status == "draft", col(WlOrder.updated_at) < stale)
    ).all():
        peer_id = order.peer_id
        erase_order(session, order, files, now)
        conv = session.get(WlConversation, peer_id) if peer_id is not None else None
        if conv is not None and conv.order_id == order.id:
            conv.state, conv.order_id = "new", None
            session.add(conv)
        report.abandoned_intakes += 1
    cancelled_before = now - timedelta(days=settings.cancelled_order_days)
    query = select(WlOrder).where(
        col(WlOrder.status).in_(("cancelled", "declined")),
        col(WlOrder.erased_at).is_(None),
        col(WlOrder.updated_at) < cancelled_before,
    )
    for order in session.exec(query).all():
        erase_order(session, order, files, now)
        report.cancelled_orders += 1
    old = now - timedelta(days=settings.signup_days)
    for signup in session.exec(
        select(WlSignup).where(col(WlSignup.erased_at).is_(None), col(WlSignup.created_at) < old)
    ).all():
        if signup.status in ("draft", "listed"):
            signup.status, signup.closed_at = "cancelled", now
        signup.peer_id, signup.contact, signup.erased_at = None, None, now
        session.add(signup)
        report.old_signups += 1
    delivered_before = now - timedelta(days=settings.files_after_delivery_days)
    query = select(WlOrder).where(
        WlOrder.status == "delivered",
        col(WlOrder.keep_files).is_(False),
        col(WlOrder.files_removed_at).is_(None),
        col(WlOrder.delivered_at) < delivered_before,
    )
    for order in session.exec(query).all():
        remove_order_files(session, order, files, now)
        report.delivered_file_sets += 1
    events_before = now - timedelta(days=settings.processed_event_days)
    write_deferred(session)
    for event in session.exec(
        select(WlProcessedEvent).where(col(WlProcessedEvent.created_at) < events_before)
    ).all():
        session.delete(event)
        report.processed_events += 1
    # An alert has done its work once sent; the words it quotes are not kept longer than the replies.
    for alert in session.exec(select(WlFounderAlert).where(col(WlFounderAlert.created_at) < events_before)):
        session.delete(alert)
    session.flush()
    return report
