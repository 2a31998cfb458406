"""The interviews' periodic pass: offers, follow-ups, reminders and the founder's notes -> outbox rows, in
ONE transaction with the rows that record them as told (a crash loses neither, a rerun sends nothing twice).

It runs every minute and almost always finds nothing to do: it asks first, reading only, and takes the
database's write lock only when something is due (SQLite has one writer; the intake must not wait)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import Session

from vkbot.adapters.outbound import reply_requests
from vkbot.clock import Clock
from vkbot.core.store.db import begin_write
from vkbot.effects.outbox import enqueue
from waitlist.interviews.due import due_interview_messages, interview_work_due
from waitlist.settings import WaitlistSettings

__all__ = ["interviews_once", "queue_interview_messages"]

log = logging.getLogger("vkbot.ops.interviews")


def queue_interview_messages(
    session: Session, settings: WaitlistSettings, clock: Clock, founder_id: int, founder_lang: str
) -> int:
    replies = due_interview_messages(
        session, settings=settings, clock=clock, founder_id=founder_id, founder_lang=founder_lang
    )
    return enqueue(session, [r for reply in replies for r in reply_requests(reply)], now=clock.now())


def _pass(engine: Engine, settings: WaitlistSettings, clock: Clock, founder_id: int, lang: str) -> int:
    with Session(engine) as session:
        if not interview_work_due(session, settings=settings, now=clock.now(), founder_id=founder_id):
            return 0
    with Session(engine) as session:
        begin_write(session)
        added = queue_interview_messages(session, settings, clock, founder_id, lang)
        session.commit()
    if added:
        log.info("%d interview message(s) queued", added)
    return added


async def interviews_once(
    engine: Engine,
    settings: WaitlistSettings,
    clock: Clock,
    founder_id: int = 0,
    founder_lang: str = "ru",
    wake: Callable[[], None] | None = None,
) -> int:
    """Queue the call offers and reminders owed now; returns outbox rows added."""
    if not settings.interviews.enabled:
        return 0
    added = await asyncio.to_thread(_pass, engine, settings, clock, founder_id, founder_lang)
    if added and wake is not None:
        wake()
    return added
