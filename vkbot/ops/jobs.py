"""The waitlist's periodic jobs as plain async functions (the app schedules them), and the outbox's deny hook.

- ``notify_once``: ``waitlist.due_notifications`` -> outbox rows, in ONE transaction: a notice is
  marked sent only together with the row that sends it, so a crash loses neither.
- ``sweep_once``: the daily retention sweep (files, abandoned intakes, old sign-ups, declined texts, and
  the dashboard's audit rows older than ``[dashboard] audit_keep_days``).
- ``reconcile_once``: VK's unread/unanswered conversations against what we stored and answered; the
  founder gets the day's report once (key ``reconcile:<date>``) when there is a gap and her id is known.
- ``record_undeliverable``: the ``OutboxSender.on_undeliverable`` hook: VK said 901 & co., so the
  relative is marked as not to be written to first (their news waits for their next message).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

import i18n
import waitlist
from vkbot.adapters.message_texts import StoredMessageTexts
from vkbot.adapters.outbound import reply_requests
from vkbot.clock import Clock
from vkbot.core.store.db import begin_write
from vkbot.core.store.models import OutboxRow
from vkbot.dashboard import audit
from vkbot.effects.outbox import MethodCaller, OutboxRequest, enqueue, message_request
from vkbot.ops.reconcile import ReconcileReport, reconcile
from waitlist.models import WlNotice
from waitlist.ports import FileStore

__all__ = [
    "digest_once",
    "notify_once",
    "queue_notices",
    "reconcile_once",
    "record_undeliverable",
    "sweep_once",
]

log = logging.getLogger("vkbot.ops.jobs")


def queue_notices(session: Session, settings: waitlist.WaitlistSettings, clock: Clock) -> int:
    """The news owed now (turn, slip, clip, invitation) as outbox rows in the session's transaction."""
    replies = waitlist.due_notifications(session, settings=settings, clock=clock)
    return enqueue(session, [r for reply in replies for r in reply_requests(reply)], now=clock.now())


def _notify(engine: Engine, settings: waitlist.WaitlistSettings, clock: Clock) -> int:
    with Session(engine) as session:
        begin_write(session)
        added = queue_notices(session, settings, clock)
        session.commit()
    if added:
        log.info("%d notice(s) queued for sending", added)
    return added


async def notify_once(
    engine: Engine,
    settings: waitlist.WaitlistSettings,
    clock: Clock,
    wake: Callable[[], None] | None = None,
) -> int:
    """Queue the news owed now (turn, slip, clip, invitation); returns outbox rows added."""
    added = await asyncio.to_thread(_notify, engine, settings, clock)
    if added and wake is not None:
        wake()
    return added


def _sweep(
    engine: Engine, settings: waitlist.WaitlistSettings, clock: Clock, files: FileStore, audit_keep_days: int
) -> waitlist.SweepReport:
    with Session(engine) as session:
        begin_write(session)
        report = waitlist.sweep(session, settings, clock, files, StoredMessageTexts(session))
        trimmed = audit.trim(session, clock.now() - timedelta(days=audit_keep_days))
        session.commit()
    log.info("retention sweep: %s; dashboard audit rows forgotten: %d", report, trimmed)
    return report


async def sweep_once(
    engine: Engine,
    settings: waitlist.WaitlistSettings,
    clock: Clock,
    files: FileStore,
    audit_keep_days: int = 365,
) -> waitlist.SweepReport:
    """The daily sweep: the waitlist's retention, and the dashboard's audit rows older than its keep."""
    return await asyncio.to_thread(_sweep, engine, settings, clock, files, audit_keep_days)


async def reconcile_once(
    engine: Engine,
    client: MethodCaller,
    clock: Clock,
    founder_user_id: int = 0,
    wake: Callable[[], None] | None = None,
    grace_s: float = 120.0,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> ReconcileReport:
    """Run the reconciliation; with gaps and a founder id, queue her one message for the day."""
    report = await reconcile(engine, client, now=clock.now(), grace_s=grace_s)
    if report.gaps:
        log.warning("reconciliation: %s", report.summary())
    else:
        log.info("reconciliation: %s", report.summary())
    if report.gaps and founder_user_id:
        key = f"reconcile:{clock.now().date().isoformat()}"
        request = message_request(key, founder_user_id, report.founder_text(lang))
        await asyncio.to_thread(_enqueue_one, engine, request, clock.now())
        if wake is not None:
            wake()
    return report


def _enqueue_one(engine: Engine, request: OutboxRequest, now: datetime) -> None:
    with Session(engine) as session:
        enqueue(session, [request], now=now)
        session.commit()


def record_undeliverable(engine: Engine, clock: Clock) -> Callable[[int, int], None]:
    """The ``on_undeliverable(peer_id, code)`` hook: remember VK refused, so nobody writes first again.

    Notices VK refused are owed again (``sent_at`` cleared): the relative hears them with the answer
    to their next message, which VK always lets us send.
    """

    def hook(peer_id: int, code: int) -> None:
        if peer_id <= 0 or peer_id >= 2_000_000_000:
            return
        with Session(engine) as session:
            waitlist.record_message_allow(session, peer_id, False, clock.now())
            refused = session.scalars(
                select(col(OutboxRow.key)).where(
                    col(OutboxRow.peer_id) == peer_id,
                    col(OutboxRow.status) == "undeliverable",
                    col(OutboxRow.key).startswith("wl:"),
                )
            ).all()
            owed = 0
            for key in refused:
                notice = session.get(WlNotice, key)
                if notice is not None and notice.sent_at is not None:
                    notice.sent_at = None
                    session.add(notice)
                    owed += 1
            session.commit()
        log.info(
            "peer %s may not be written to (VK error %s): recorded, %d notice(s) owed", peer_id, code, owed
        )

    return hook


def _digest(engine: Engine, founder_user_id: int, clock: Clock, tz_name: str) -> int:
    from zoneinfo import ZoneInfo

    from moderation.models import ModItem
    from moderation.review import daily_digest

    tz = ZoneInfo(tz_name)
    now = clock.now()
    yesterday = (now.astimezone(tz) - timedelta(days=1)).date()
    start = datetime.combine(yesterday, time(), tz).astimezone(UTC)
    with Session(engine) as session:
        items = session.scalars(
            select(col(ModItem.id)).where(
                col(ModItem.created_at) >= start, col(ModItem.created_at) < start + timedelta(days=1)
            )
        ).first()
        if items is None:
            return 0  # a quiet day: no message
        text = daily_digest(session, yesterday, tz=tz)
        # Counts only, never an abusive word; one message a day (the key names the day).
        request = message_request(f"digest:{yesterday.isoformat()}", founder_user_id, text)
        added = enqueue(session, [request], now=now)
        session.commit()
    return added


async def digest_once(
    engine: Engine, founder_user_id: int, clock: Clock, tz_name: str, wake: Callable[[], None] | None = None
) -> int:
    """Yesterday's moderation digest to the founder (counts first); nothing when her id is not set."""
    if not founder_user_id:
        return 0
    added = await asyncio.to_thread(_digest, engine, founder_user_id, clock, tz_name)
    if added and wake is not None:
        wake()
    return added
