"""The health endpoint: ``GET /health`` answers JSON about the listener, dispatch, outbox and tokens; 503 when stalled.

What it reports (all times UTC ISO 8601, ages in seconds):

- ``listener``: state, ts, last good poll and its age (the lag), last event, failures in a row;
- ``dispatch``: stored events not handled yet and failed ones; ``outbox``: counts by status and the latest
  parked rows with their reasons (``vkbot.ops.status.read_status``, the same as ``vkbot status``);
- ``alerts``: the open alert incidents and whether each channel was told (``vkbot.ops.alerts``);
- ``tokens``: the admin user token's status (last refresh, last error) when a provider is given.

``healthy`` is false, and the answer HTTP 503, when the listener has had no good poll for
``stall_after_s`` (or never had one that long after start) or the database cannot be read. Parked rows
and a failed refresh are reported, and alerted on (``vkbot.ops.alerts``), but do not make the process
unhealthy: restarting it would not fix them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session

from vkbot.clock import Clock
from vkbot.ops.settings import HealthSettings
from vkbot.ops.status import read_status

log = logging.getLogger("vkbot.ops.health")


class ListenerView(Protocol):
    """What health and alerts read of the long-poll listener (``vkbot.ingress.longpoll.LongPollListener``)."""

    @property
    def state(self) -> str: ...
    @property
    def last_poll_at(self) -> datetime | None: ...
    @property
    def last_event_at(self) -> datetime | None: ...
    @property
    def consecutive_failures(self) -> int: ...
    @property
    def ts(self) -> str | None: ...


class TokenStatusView(Protocol):
    """What is shown of a token (``vkbot.auth.store.TokenStatus``): no secrets."""

    @property
    def last_refresh_at(self) -> datetime | None: ...
    @property
    def last_error(self) -> str | None: ...

    def as_dict(self) -> dict[str, object]: ...


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def poll_age_s(listener: ListenerView, now: datetime, started_at: datetime) -> float:
    """Seconds since the last good poll (since start when there was none yet)."""
    return (now - (listener.last_poll_at or started_at)).total_seconds()


def listener_stalled(
    listener: ListenerView, now: datetime, started_at: datetime, stall_after_s: float
) -> bool:
    """No good poll for ``stall_after_s`` seconds: VK, the network or the listener itself is stuck."""
    return listener.state == "stopped" or poll_age_s(listener, now, started_at) >= stall_after_s


@dataclass
class HealthSources:
    """Where the report comes from; ``token_status`` is e.g. ``AuthStore.status`` (sync, reads the DB)."""

    engine: Engine
    group_id: int
    listener: ListenerView
    token_status: Callable[[], TokenStatusView] | None = None
    clock: Clock = field(kw_only=True)
    started_at: datetime | None = None  # None: when it was made, by ``clock``
    since: datetime = field(init=False)  # what "no poll yet" is measured from

    def __post_init__(self) -> None:
        self.since = self.started_at or self.clock.now()


def _read_db(sources: HealthSources) -> dict[str, Any]:
    with Session(sources.engine) as session:
        report = read_status(session, sources.group_id)
    if sources.token_status is not None:
        report["tokens"] = {"admin_user": sources.token_status().as_dict()}
    return report


async def collect_health(sources: HealthSources, stall_after_s: float) -> dict[str, Any]:
    """The health report; ``healthy`` says whether the endpoint answers 200."""
    now = sources.clock.now()
    listener = sources.listener
    stalled = listener_stalled(listener, now, sources.since, stall_after_s)
    live = {
        "state": listener.state,
        "ts": listener.ts,
        "last_poll_at": _iso(listener.last_poll_at),
        "lag_s": round(poll_age_s(listener, now, sources.since), 3),
        "last_event_at": _iso(listener.last_event_at),
        "consecutive_failures": listener.consecutive_failures,
        "stalled": stalled,
    }
    problems = [f"no good long poll for {live['lag_s']:.0f} s"] if stalled else []
    try:
        report = await asyncio.to_thread(_read_db, sources)
    except Exception as exc:  # the endpoint must answer even when the database does not
        log.warning("health: reading the database failed: %s", type(exc).__name__)
        report = {}
        problems.append(f"database: {type(exc).__name__}")
    report["listener"] = {**report.get("listener", {}), **live}
    report["problems"] = problems
    report["healthy"] = not problems
    report["checked_at"] = now.isoformat()
    return report


def health_app(sources: HealthSources, settings: HealthSettings) -> web.Application:
    """An aiohttp application serving ``GET /health``."""

    async def health(_request: web.Request) -> web.Response:
        report = await collect_health(sources, settings.stall_after_s)
        return web.json_response(report, status=200 if report["healthy"] else 503)

    app = web.Application()
    app.router.add_get("/health", health)
    return app


class HealthServer:
    """Serves the endpoint until ``stop``; ``run`` goes into ``App.extra_tasks``."""

    def __init__(self, sources: HealthSources, settings: HealthSettings):
        self.sources = sources
        self.settings = settings
        self.port: int | None = None  # the bound port once started (useful with port 0)
        self.started = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(health_app(self.sources, self.settings), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.settings.host, self.settings.port)
            await site.start()
            self.port = runner.addresses[0][1]
            log.info("health endpoint on http://%s:%s/health", self.settings.host, self.port)
            self.started.set()
            await stop.wait()
        finally:
            await runner.cleanup()
