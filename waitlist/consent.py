"""Consent records (personal data, publication) with the exact wording, version and time; publication events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, select

import i18n
from waitlist.models import WlConsent, WlOrder, WlPublicationEvent
from waitlist.settings import WaitlistSettings

__all__ = [
    "mark_publication_handled",
    "pending_publication_events",
    "publishable",
    "publishable_orders",
    "record_pd_consent",
    "set_publication",
]


def record_pd_consent(
    session: Session,
    peer_id: int,
    granted: bool,
    lang: str,
    settings: WaitlistSettings,
    at: datetime,
    wording_key: str | None = None,
) -> WlConsent:
    row = WlConsent(
        peer_id=peer_id,
        kind="personal_data",
        granted=granted,
        version=settings.pd_consent_version,
        wording=i18n.text(wording_key or settings.pd_consent_text_key, lang),
        lang=lang,
        at=at,
    )
    session.add(row)
    return row


def set_publication(
    session: Session, order: WlOrder, granted: bool, lang: str, settings: WaitlistSettings, at: datetime
) -> None:
    """Record the answer with its wording; every change is an event publishing acts on."""
    consent = WlConsent(
        peer_id=order.peer_id,
        order_id=order.id,
        kind="publication",
        granted=granted,
        version=settings.publication_consent_version,
        wording=i18n.text(settings.publication_consent_text_key, lang),
        lang=lang,
        at=at,
    )
    session.add(consent)
    session.flush()
    order.publish_consent = granted
    order.updated_at = at
    session.add(order)
    assert order.id is not None
    session.add(WlPublicationEvent(order_id=order.id, granted=granted, consent_id=consent.id, at=at))


def publishable() -> ColumnElement[bool]:
    """An order's clip may go on the wall: delivered, not erased, the family said yes and has not taken it
    back. A clause, so publishing keeps its backlog in the database (joined and negated there)."""
    return and_(
        col(WlOrder.status) == "delivered",
        col(WlOrder.publish_consent).is_(True),
        col(WlOrder.clip_file_id).is_not(None),
        col(WlOrder.erased_at).is_(None),
    )


def publishable_orders(session: Session) -> list[WlOrder]:
    """Delivered clips whose family said yes to publishing (and has not taken it back)."""
    query = select(WlOrder).where(publishable())
    return list(session.exec(query.order_by(col(WlOrder.delivered_at))))


def pending_publication_events(session: Session) -> list[WlPublicationEvent]:
    """Grants and revocations publishing has not acted on yet, oldest first."""
    query = (
        select(WlPublicationEvent)
        .where(col(WlPublicationEvent.handled_at).is_(None))
        .order_by(col(WlPublicationEvent.id))
    )
    return list(session.exec(query))


def mark_publication_handled(session: Session, event_id: int, at: datetime) -> None:
    event = session.get(WlPublicationEvent, event_id)
    if event is not None and event.handled_at is None:
        event.handled_at = at
        session.add(event)
