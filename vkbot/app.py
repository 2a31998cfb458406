"""The app factory: creates the HTTP session, database, VK client, workers and scheduler once, runs them,
and closes them in reverse order. Every feature is wired here and nowhere else."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlmodel import Session

from vkbot.adapters.moderation import report_outcome
from vkbot.api.client import VkClient
from vkbot.api.tokens import UserTokenSource
from vkbot.auth import make_admin_token_provider
from vkbot.auth.store import AuthStore
from vkbot.clock import Clock, SystemClock
from vkbot.config import Config, VkSettings
from vkbot.core.dispatch import Dispatcher, EventHandler
from vkbot.core.rate import limiter_for, token_bucket
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.events_repo import EventStore
from vkbot.core.store.models import OutboxRow
from vkbot.effects.delivery import delivery_executors
from vkbot.effects.outbox import OutboxSender
from vkbot.effects.publisher import PublishingJob, publishing_executors, publishing_outcome
from vkbot.ingress.history import HistoryGapFiller
from vkbot.ingress.longpoll import LongPollListener
from vkbot.ingress.settings_check import check_at_start
from vkbot.ops import scheduled
from vkbot.ops.alerts import AlertMonitor, SmtpMailer
from vkbot.ops.founder_alerts import email_executors
from vkbot.ops.health import HealthServer, HealthSources
from vkbot.ops.interviews import interviews_once
from vkbot.ops.jobs import digest_once, notify_once, reconcile_once, record_undeliverable, sweep_once
from vkbot.ops.ml_review import MlReviewer
from vkbot.ops.names import names_once
from waitlist.filestore import LocalFileStore

if TYPE_CHECKING:
    from vkbot.dashboard.server import DashboardServer

log = logging.getLogger("vkbot.app")

Worker = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
USER_RATE_PER_S = 3  # VK's limit for a user token


@dataclass
class App:
    config: Config
    engine: Engine
    http: aiohttp.ClientSession
    client: VkClient
    store: EventStore
    listener: LongPollListener
    dispatcher: Dispatcher
    sender: OutboxSender
    scheduler: AsyncIOScheduler
    gap_filler: HistoryGapFiller
    clock: Clock  # the one every part was given
    extra_tasks: list[Worker] = field(default_factory=list)
    dashboard: DashboardServer | None = None  # when [dashboard] is enabled and has a password
    shutdown_grace_s: float = 5.0

    async def run(self, stop: asyncio.Event) -> None:
        """Run listener, dispatcher, sender and jobs until ``stop`` is set; a crash of one stops all, loudly."""
        tasks = [
            asyncio.create_task(self.listener.run(stop), name="longpoll"),
            asyncio.create_task(self.dispatcher.run(stop), name="dispatch"),
            asyncio.create_task(self.sender.run(stop), name="outbox"),
            *(
                asyncio.create_task(job(stop), name=getattr(job, "__name__", "job"))
                for job in self.extra_tasks
            ),
        ]
        self.scheduler.start()
        # Everything made at start-up lives as long as the app: keep the collector from rescanning it
        # (about 5% of dispatch time on bench/ingest.py).
        gc.freeze()
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and task.exception() is not None:
                log.error("worker %s crashed", task.get_name(), exc_info=task.exception())
        stop.set()
        self.scheduler.shutdown(wait=False)
        # Workers finish what they hold within the grace period; a call VK never answers is cancelled.
        _, still_running = await asyncio.wait(tasks, timeout=self.shutdown_grace_s)
        for task in still_running:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        stopper.cancel()


def build_handler(config: Config, clock: Clock) -> EventHandler:
    from vkbot.core.pipeline import build_pipeline

    return build_pipeline(config, clock=clock)


def _schedule_jobs(
    scheduler: AsyncIOScheduler,
    config: Config,
    engine: Engine,
    client: VkClient,
    clock: Clock,
    wake: Callable[[], None],
    founder_id: int,
    files: LocalFileStore,
) -> None:
    """The periodic work: notices, publishing, the daily retention sweep and reconciliation."""
    publisher = PublishingJob(
        engine,
        config.publishing,
        clock,
        config.vk.group_id,
        on_enqueued=wake,
        founder_id=founder_id,
    )
    every_minute = IntervalTrigger(seconds=60)
    jobs: list[tuple[str, Callable[[], Awaitable[object]], Any]] = [
        ("notices", lambda: notify_once(engine, config.waitlist, clock, wake), every_minute),
        ("publishing", publisher.run_once, every_minute),
        # interviews: call offers and reminders (waitlist/interviews)
        (
            "interviews",
            lambda: interviews_once(
                engine,
                config.waitlist,
                clock,
                founder_id,
                config.alerts.language,
                wake,
            ),
            every_minute,
        ),
        ("names", lambda: names_once(engine, client, clock), every_minute),
        (
            "sweep",
            lambda: sweep_once(engine, config.waitlist, clock, files, config.dashboard.audit_keep_days),
            CronTrigger(hour=3, minute=30),
        ),
        (
            "digest",
            lambda: digest_once(engine, founder_id, clock, config.waitlist.timezone, wake),
            CronTrigger(hour=9, minute=0, timezone=config.waitlist.timezone),
        ),
        (
            "reconcile",
            lambda: reconcile_once(engine, client, clock, founder_id, wake, lang=config.alerts.language),
            CronTrigger(hour=8, minute=0, timezone=config.waitlist.timezone),
        ),
    ]
    for name, job, trigger in jobs:
        scheduled.add_job(scheduler, engine, name, job, trigger, clock)


def _fill_after_restart(
    gap_filler: HistoryGapFiller,
    listener: LongPollListener,
    stopped_since: datetime | None,
    started: datetime,
) -> Worker:
    """Recover from history once at start. After a stop long enough for VK to drop the old ts (failed 1
    loses events silently): from the newest message stored before the stop, as soon as polling works. On
    a first start (nothing stored), whose long poll begins at VK's current ts, after whatever a relative
    wrote while the suite was starting (the demo lost its first relative's message so): from the start,
    as soon as that ts is known; older history stays unanswered."""
    first_start = stopped_since is None

    def ready() -> bool:
        return listener.ts is not None if first_start else listener.last_poll_at is not None

    async def fill_after_restart(stop: asyncio.Event) -> None:
        while not ready() and not stop.is_set():
            await asyncio.sleep(0.05)
        if not stop.is_set():
            try:
                await gap_filler.fill((stopped_since or started) - gap_filler.margin)
            except Exception:  # the next gap's fill reaches back to it
                log.exception("start-up history fill failed")
        await stop.wait()  # App.run stops every worker when any one returns

    return fill_after_restart


def _check_longpoll_settings(client: VkClient, group_id: int, engine: Engine, clock: Clock) -> Worker:
    """Once at start, beside the listener: set the Long Poll settings the suite needs, say what stays off."""

    async def check_longpoll_settings(stop: asyncio.Event) -> None:
        try:
            await check_at_start(client, group_id, engine, clock)
        except Exception:  # the listener still works with whatever VK has; status shows no check
            log.exception("the Long Poll settings check failed")
        await stop.wait()  # App.run stops every worker when any one returns

    return check_longpoll_settings


def _outcomes(config: Config, clock: Clock, founder_id: int) -> Callable[[Session, OutboxRow], None]:
    """The sender's ``on_outcome``: moderation's removal list and publishing's failures stay in step."""
    publishing = publishing_outcome(config.publishing, clock, founder_id)

    def outcome(session: Session, row: OutboxRow) -> None:
        report_outcome(session, row.key, row.status == "done", row.last_error)
        publishing(session, row)

    return outcome


def make_client(
    http: aiohttp.ClientSession,
    vk: VkSettings,
    user_tokens: UserTokenSource | None = None,
    engine: Engine | None = None,
) -> VkClient:
    """The one VK client of a process; with ``engine``, its rate limits are the database's (shared by
    every process on PostgreSQL), else its own (which must then see every call of the token)."""
    limiters = None
    if engine is not None:
        limiters = (
            limiter_for(engine, token_bucket("community", vk.token.get_secret_value()), vk.rate_per_s),
            limiter_for(engine, f"user:{vk.group_id}", USER_RATE_PER_S),  # one admin per community
        )
    return VkClient(
        http,
        base_url=vk.api_base_url,
        version=vk.api_version,
        token=vk.token.get_secret_value(),
        rate_per_s=vk.rate_per_s,
        timeout_s=vk.request_timeout_s,
        max_retries=vk.max_retries,
        backoff_base_s=vk.backoff_base_s,
        backoff_max_s=vk.backoff_max_s,
        flood_pause_s=vk.flood_pause_s,
        execute_batch=vk.execute_batch,
        user_tokens=user_tokens,
        user_rate_per_s=USER_RATE_PER_S,
        limiters=limiters,
    )


@contextlib.asynccontextmanager
async def open_app(
    config: Config, handler: EventHandler | None = None, *, clock: Clock | None = None
) -> AsyncIterator[App]:
    """Create every resource once and close it in reverse order on exit."""
    clock = clock or SystemClock()
    started = clock.now()
    engine = make_engine(config.storage.database_url)
    await asyncio.to_thread(migrate, engine)
    vk = config.vk
    founder_id = config.alerts.founder_user_id  # her VK id: hand-offs, alerts, digests; 0: none by VK message
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
    try:
        # None when no admin user token is connected: user-only features then degrade visibly.
        user_tokens = make_admin_token_provider(config, engine, http, clock=clock)
    except Exception:  # MissingSecretKey names VKBOT_SECRET_KEY; nothing else may start without it
        await http.close()
        engine.dispose()
        raise
    client = make_client(http, vk, user_tokens, engine)
    try:
        files = LocalFileStore(config.storage.files_dir)
        store = EventStore(engine, vk.group_id, clock)
        dispatcher = Dispatcher(engine, handler or build_handler(config, clock), clock=clock)
        sender = OutboxSender(
            engine,
            client,
            clock,
            batch_size=config.outbox.batch_size,
            idle_poll_s=config.outbox.idle_poll_s,
            max_attempts=config.outbox.max_attempts,
            lease_s=config.outbox.lease_s,
            on_undeliverable=record_undeliverable(engine, clock),
            on_outcome=_outcomes(config, clock, founder_id),
        )
        sender.executors.update(delivery_executors(files, client, vk.group_id))
        sender.executors.update(
            publishing_executors(engine, files, client, config.publishing, clock, vk.group_id, founder_id)
        )
        if config.alerts.smtp.host:  # her urgent alerts by e-mail (vkbot.ops.founder_alerts)
            sender.executors.update(email_executors(SmtpMailer(config.alerts.smtp)))
        dispatcher.on_enqueued = sender.wake.set
        gap_filler = HistoryGapFiller(
            client,
            store,
            vk.group_id,
            max_window=timedelta(hours=vk.gap_fill_max_window_h),
            comments=user_tokens is not None,
            on_stored=dispatcher.wake.set,
            clock=clock,
        )
        listener = LongPollListener(
            client,
            vk.group_id,
            _WakingSink(store, dispatcher.wake),
            wait=vk.longpoll_wait,
            backoff_base_s=vk.backoff_base_s,
            backoff_max_s=vk.backoff_max_s,
            on_gap=gap_filler.fill,
            clock=clock,
        )
        scheduler = AsyncIOScheduler(timezone="UTC")
        _schedule_jobs(scheduler, config, engine, client, clock, sender.wake.set, founder_id, files)
        app = App(
            config, engine, http, client, store, listener, dispatcher, sender, scheduler, gap_filler, clock
        )
        app.extra_tasks.append(
            _fill_after_restart(gap_filler, listener, await gap_filler.since_last_stored(), started)
        )
        app.extra_tasks.append(_check_longpoll_settings(client, vk.group_id, engine, clock))
        token_status = AuthStore(engine, None).status
        if MlReviewer.available(config.moderation):
            app.extra_tasks.append(
                MlReviewer(engine, config.moderation, vk.group_id, wake=sender.wake.set, clock=clock).run
            )
        else:
            log.info(
                "Detoxify tier off (no prepared model at %s): offline rules only",
                config.moderation.ml_checkpoint,
            )
        sources = HealthSources(engine, vk.group_id, listener, token_status=token_status, clock=clock)
        if config.health.enabled:
            app.extra_tasks.append(HealthServer(sources, config.health).run)
        if config.dashboard.enabled:
            from vkbot.dashboard.server import dashboard_server  # the web stack only when it is wanted

            app.dashboard = dashboard_server(config, engine, sources, wake=sender.wake.set, clock=clock)
            if app.dashboard is not None:
                app.extra_tasks.append(app.dashboard.run)
        if config.alerts.enabled:
            monitor = AlertMonitor(
                engine,
                config.alerts,
                listener,
                token_status=token_status,
                wake_sender=sender.wake.set,
                clock=clock,
            )
            app.extra_tasks.append(monitor.run)
        yield app
    finally:
        await client.aclose()
        await http.close()
        engine.dispose()


class _WakingSink:
    """The event store as the listener's sink, waking the dispatcher once events are stored."""

    def __init__(self, store: EventStore, wake: asyncio.Event):
        self._store = store
        self._wake = wake

    async def load_ts(self) -> str | None:
        return await self._store.load_ts()

    async def store(self, events: Any, ts: str) -> None:
        await self._store.store(events, ts)
        if events:
            self._wake.set()
