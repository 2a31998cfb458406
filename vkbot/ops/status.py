"""What `vkbot status` and the health endpoint report, read from the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from vkbot.config import Config
from vkbot.core.store.db import make_engine
from vkbot.core.store.models import AlertIncident, LongPollState, StoredEvent
from vkbot.effects.outbox import backlog


def read_status(session: Session, group_id: int) -> dict[str, Any]:
    state = session.get(LongPollState, group_id)
    stored = session.scalar(select(func.count()).select_from(StoredEvent)) or 0
    last_event = session.scalar(select(func.max(StoredEvent.received_at)))
    pending = session.scalar(
        select(func.count()).select_from(StoredEvent).where(col(StoredEvent.processed_at).is_(None))
    )
    failed = session.scalar(
        select(func.count()).select_from(StoredEvent).where(col(StoredEvent.process_error).is_not(None))
    )
    return {
        "listener": {
            "ts": state.ts if state else None,
            "ts_saved_at": state.updated_at.isoformat() if state else None,
            "last_event_at": last_event.isoformat() if last_event else None,
            "stored_events": int(stored),
        },
        "dispatch": {"pending": int(pending or 0), "failed": int(failed or 0)},
        "outbox": backlog(session),
        "alerts": {"open": open_incidents(session)},
    }


def collect_status(config: Config) -> dict[str, Any]:
    from vkbot.auth import capabilities
    from vkbot.auth.store import AuthStore
    from vkbot.ingress.settings_check import load_report

    engine = make_engine(config.storage.database_url)
    try:
        with Session(engine) as session:
            status = read_status(session, config.vk.group_id)
            status["longpoll_settings"] = load_report(session, config.vk.group_id)
        token = AuthStore(engine, None).status()
        status["admin_token"] = token.as_dict()
        status["capabilities"] = {name: cap.as_dict() for name, cap in capabilities(token).items()}
        return status
    finally:
        engine.dispose()


def demo_summary(session: Session) -> str:
    """One line for the demo: events, replies sent, orders, quarantined items."""
    from sqlalchemy import text

    def count(sql: str) -> int:
        try:
            return int(session.execute(text(sql)).scalar() or 0)
        except Exception:  # a table of a package not installed yet
            session.rollback()
            return 0

    events = count("SELECT count(*) FROM vk_events")
    sent = count("SELECT count(*) FROM vk_outbox WHERE status = 'done'")
    by_status = {
        status: count(f"SELECT count(*) FROM wl_order WHERE status = '{status}'")
        for status in ("draft", "waiting", "in_progress", "delivered", "cancelled")
    }
    listed = count("SELECT count(*) FROM wl_signup WHERE status = 'listed'")
    hidden = count("SELECT count(*) FROM mod_item WHERE status = 'quarantined'")
    orders = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in by_status.items())
    return (
        f"demo: {events} events stored, {sent} replies sent, orders: {orders}; {listed} on the waiting list, "
        f"{hidden} hidden from the founder"
    )


def open_incidents(session: Session) -> list[dict[str, Any]]:
    """The incidents not resolved yet, oldest first, for ``vkbot status`` and the health endpoint."""
    rows = session.scalars(
        select(AlertIncident).where(col(AlertIncident.resolved_at).is_(None)).order_by(col(AlertIncident.id))
    ).all()
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "detail": row.detail,
            "opened_at": row.opened_at.isoformat(),
            "vk_notified": row.vk_notified_at is not None,
            "mail_notified": row.mail_notified_at is not None,
        }
        for row in rows
    ]
