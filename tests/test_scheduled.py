"""Time-of-day jobs survive restarts: a run missed while the suite was down happens at the next start, once."""
# ruff: noqa: F811

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from tests.app_helpers import eventually
from tests.db_fixtures import db_url, engine  # noqa: F401  (fixtures; tests take them as parameters)
from vkbot.clock import SystemClock
from vkbot.ops import scheduled
from vkbot.ops.scheduled import _record_run

# APScheduler fires on real time, so the jobs' records are on it too.
CLOCK = SystemClock()


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    sched = AsyncIOScheduler(timezone="UTC")
    sched.start()
    yield sched
    sched.shutdown(wait=False)


def a_day_ago() -> datetime:
    return datetime.now(UTC) - timedelta(days=1, hours=1)


def daily_at_an_hour_ago() -> CronTrigger:
    """Fires once a day at a time that passed an hour ago (so a run recorded a day ago missed it)."""
    past = datetime.now(UTC) - timedelta(hours=1)
    return CronTrigger(hour=past.hour, minute=past.minute, timezone="UTC")


class CountingJob:
    def __init__(self, fail: bool = False) -> None:
        self.runs = 0
        self.fail = fail

    async def __call__(self) -> None:
        self.runs += 1
        if self.fail:
            raise RuntimeError("the job's own failure")


async def until(condition: Callable[[], bool]) -> None:
    async def check() -> bool:
        return condition()

    await eventually(check, timeout=10)


async def settle() -> None:
    """Long enough for a job scheduled 'now' to have run (its absence is what some tests check)."""
    await asyncio.sleep(0.5)


async def test_a_daily_run_missed_while_down_runs_at_start_and_is_recorded(
    engine: Engine, scheduler: AsyncIOScheduler
) -> None:
    _record_run(engine, "digest", a_day_ago())
    job = CountingJob()
    before = datetime.now(UTC)

    scheduled.add_job(scheduler, engine, "digest", job, daily_at_an_hour_ago(), CLOCK)

    await until(lambda: job.runs == 1)
    await until(lambda: (scheduled.last_run(engine, "digest") or before) > before)
    recorded = scheduled.last_run(engine, "digest")
    assert recorded is not None and recorded > before
    await settle()
    assert job.runs == 1  # once, not once per missed day; the next run is tomorrow
    assert scheduler.get_job("digest").next_run_time > datetime.now(UTC)


async def test_a_daily_job_that_already_ran_today_does_not_run_at_start(
    engine: Engine, scheduler: AsyncIOScheduler
) -> None:
    _record_run(engine, "sweep", datetime.now(UTC) - timedelta(minutes=30))  # after today's fire time
    job = CountingJob()

    scheduled.add_job(scheduler, engine, "sweep", job, daily_at_an_hour_ago(), CLOCK)

    await settle()
    assert job.runs == 0


async def test_a_new_install_does_not_fire_daily_jobs_at_start_but_starts_their_record(
    engine: Engine, scheduler: AsyncIOScheduler
) -> None:
    job = CountingJob()
    started = datetime.now(UTC)

    scheduled.add_job(scheduler, engine, "reconcile", job, daily_at_an_hour_ago(), CLOCK)

    await settle()
    assert job.runs == 0
    recorded = scheduled.last_run(engine, "reconcile")
    assert recorded is not None and recorded >= started - timedelta(seconds=1)


async def test_a_failed_run_is_not_recorded_so_the_next_start_runs_it_again(
    engine: Engine, scheduler: AsyncIOScheduler
) -> None:
    missed_since = a_day_ago()
    _record_run(engine, "digest", missed_since)
    job = CountingJob(fail=True)

    scheduled.add_job(scheduler, engine, "digest", job, daily_at_an_hour_ago(), CLOCK)

    await until(lambda: job.runs == 1)
    await settle()
    last = scheduled.last_run(engine, "digest")
    assert last is not None and abs((last - missed_since).total_seconds()) < 1
    assert scheduled.missed_a_run(engine, "digest", daily_at_an_hour_ago(), datetime.now(UTC))


async def test_interval_jobs_run_at_start_and_keep_no_record(
    engine: Engine, scheduler: AsyncIOScheduler
) -> None:
    job = CountingJob()

    scheduled.add_job(scheduler, engine, "notices", job, IntervalTrigger(seconds=60), CLOCK)

    await until(lambda: job.runs == 1)
    assert scheduled.last_run(engine, "notices") is None


def test_two_processes_recording_a_new_job_at_once_keep_one_record(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both find no record and insert one: the second's insert fails on the key and it updates instead
    (two `vkbot run` starting on an empty PostgreSQL database did exit on this)."""
    earlier, later = a_day_ago(), datetime.now(UTC)
    _record_run(engine, "digest", earlier)  # the other process's row, invisible to the first look below
    real_get = scheduled.Session.get
    looks: list[str] = []

    def get_missing_once(session: object, model: object, key: str) -> object:
        looks.append(key)
        return None if len(looks) == 1 else real_get(session, model, key)  # type: ignore[arg-type]

    monkeypatch.setattr(scheduled.Session, "get", get_missing_once)
    _record_run(engine, "digest", later)
    monkeypatch.undo()
    assert looks == ["job:digest", "job:digest"]
    assert scheduled.last_run(engine, "digest") == later
