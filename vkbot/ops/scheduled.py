"""Scheduled jobs that a restart does not lose: each daily job's last good run is kept in ``vk_cursors``.

APScheduler keeps its jobs in memory, so a suite that is down at 03:30 would skip that night's retention
sweep, and one restarted at 09:05 the founder's 09:00 digest. Each good run of a time-of-day job is
recorded; at start, a job whose scheduled time came since its last recorded run runs at once (once,
however many runs were missed; the jobs are idempotent per day). Interval jobs simply run at start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from vkbot.clock import Clock
from vkbot.core.store.db import begin_write
from vkbot.core.store.models import Cursor

__all__ = ["add_job", "last_run", "missed_a_run"]

log = logging.getLogger("vkbot.ops.scheduled")

Job = Callable[[], Awaitable[object]]


def _cursor_name(job_name: str) -> str:
    return f"job:{job_name}"


def last_run(engine: Engine, job_name: str) -> datetime | None:
    with Session(engine) as session:
        cursor = session.get(Cursor, _cursor_name(job_name))
        return cursor.updated_at if cursor is not None else None


def _record_run(engine: Engine, job_name: str, at: datetime) -> None:
    name = _cursor_name(job_name)
    for attempt in (1, 2):
        with Session(engine) as session:
            begin_write(session)
            cursor = session.get(Cursor, name) or Cursor(name=name, updated_at=at)
            cursor.updated_at = at
            session.add(cursor)
            try:
                session.commit()
                return
            except IntegrityError:
                # Two processes starting on one database both found no record and both inserted it:
                # the second now finds the first's row and updates it.
                if attempt == 2:
                    raise


def missed_a_run(engine: Engine, job_name: str, trigger: BaseTrigger, now: datetime) -> bool:
    """True when the trigger fired (or should have) after the job's last recorded run.

    A job never recorded starts its record now: a new install does not send the day's digest at once.
    """
    previous = last_run(engine, job_name)
    if previous is None:
        _record_run(engine, job_name, now)
        return False
    due = trigger.get_next_fire_time(None, previous + timedelta(microseconds=1))
    return due is not None and due <= now


def _guarded(name: str, job: Job, engine: Engine | None, clock: Clock) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job()
        except Exception:  # logged once; the job runs again at its next time (or at the next start)
            log.exception("scheduled job %s failed", name)
            return
        if engine is not None:
            try:
                await asyncio.to_thread(_record_run, engine, name, clock.now())
            except Exception:  # the job ran; at worst it runs once more after a restart
                log.exception("could not record the run of scheduled job %s", name)

    return run


def add_job(
    scheduler: AsyncIOScheduler,
    engine: Engine,
    name: str,
    job: Job,
    trigger: BaseTrigger,
    clock: Clock,
) -> None:
    """Schedule ``job``; interval jobs also run at start, time-of-day jobs when they missed a run."""
    now = clock.now()
    recorded = not isinstance(trigger, IntervalTrigger)
    run_now = not recorded or missed_a_run(engine, name, trigger, now)
    if recorded and run_now:
        log.info("scheduled job %s missed a run while the suite was down: running it now", name)
    # max_instances=1: a slow pass is never overlapped by the next; coalesce: missed runs run once.
    # (APScheduler 3 pauses a job given next_run_time=None, so the argument is only passed when set.)
    first = {"next_run_time": now} if run_now else {}
    guarded = _guarded(name, job, engine if recorded else None, clock)
    scheduler.add_job(guarded, trigger, id=name, max_instances=1, coalesce=True, **first)
