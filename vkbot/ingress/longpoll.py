"""The Bots Long Poll listener: polls VK, parses each update at the edge, hands events to a sink, never dies.

Order of work per answer: parse every update (``parse_event``; malformed ones become ``MalformedEvent``),
``await sink.store(events, new_ts)`` (the sink writes the events and the new ts in one transaction),
and only then move on with ``new_ts``. If ``store`` raises, the same ts is polled again after a backoff
and VK delivers the same events again; the sink is unique on ``event_id``, so nothing is stored twice.

``failed`` answers (vk-api.md 4.3):

- 1: history outdated or partly lost -> continue from the ``ts`` in the answer (stored at once).
- 2: key expired -> ``groups.getLongPollServer`` again for a new key, keep our ts.
- 3: information lost -> new key and new ts; the events in between are gone, so ``on_gap`` gets a
  ``GapReport`` (the next issue fills it from the message history) and a warning is logged.
- anything else, or an answer without ``ts``: logged, then a new server after a backoff.

Timeouts, dropped connections, non-JSON answers and errors from ``groups.getLongPollServer`` (10 during
VK maintenance, also others) back off with jitter and try again; after a few failed polls in a row the
server is fetched anew. Backoff uses "equal jitter" (half fixed, half random) so a failing VK is never
hammered, which would earn error 29 on ``getLongPollServer``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

from vkbot.api.client import VkClient
from vkbot.api.errors import VkError
from vkbot.clock import Clock
from vkbot.ingress.events import MalformedEvent, VkEvent, parse_event

log = logging.getLogger("vkbot.ingress.longpoll")

T = TypeVar("T")

ListenerState = Literal["connecting", "polling", "backoff", "stopped"]

# After this many failed polls in a row, fetch a fresh server/key instead of retrying the old one.
_REFETCH_AFTER_FAILURES = 3


class LongPollAnswerError(VkError):
    """The long-poll server (or getLongPollServer) answered something unusable; fetch a new server."""


@dataclass(frozen=True)
class GapReport:
    """Events between ``since_ts`` and ``new_ts`` were lost by VK (``failed: 3``) at ``at`` (UTC)."""

    since_ts: str | None
    new_ts: str
    at: datetime


class EventSink(Protocol):
    """Where the listener puts events: the store (production) or a recording list (tests)."""

    async def load_ts(self) -> str | None:
        """The ts saved by the last ``store``, or None on the very first start."""
        ...

    async def store(self, events: Sequence[VkEvent | MalformedEvent], ts: str) -> None:
        """Store ``events`` (ignoring ones already stored) and ``ts`` atomically; raise if that failed."""
        ...


@dataclass
class _Server:
    url: str
    key: str


class LongPollListener:
    """Polls one community's Bots Long Poll server until ``stop`` is set."""

    def __init__(
        self,
        client: VkClient,
        group_id: int,
        sink: EventSink,
        *,
        wait: int = 25,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Clock,
        on_gap: Callable[[GapReport], Awaitable[object]] | None = None,
        rng: random.Random | None = None,
    ):
        self._client = client
        self._group_id = group_id
        self._sink = sink
        self._wait = wait
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._sleep = sleep
        self._clock = clock
        self._on_gap = on_gap
        self._rng = rng or random.Random()
        self._state: ListenerState = "stopped"
        self._last_poll_at: datetime | None = None
        self._last_event_at: datetime | None = None
        self._consecutive_failures = 0
        self._server: _Server | None = None
        self._ts: str | None = None
        self._ts_loaded = False
        # Set by failed 3: the ts we had when VK lost the events (None if we had none).
        self._gap_since: str | None = None
        self._gap_pending = False

    # -- health ---------------------------------------------------------------------------------

    @property
    def state(self) -> ListenerState:
        return self._state

    @property
    def last_poll_at(self) -> datetime | None:
        """When the last good answer (events or an empty poll) arrived."""
        return self._last_poll_at

    @property
    def last_event_at(self) -> datetime | None:
        """When the last answer with at least one update arrived."""
        return self._last_event_at

    @property
    def consecutive_failures(self) -> int:
        return self._consecutive_failures

    @property
    def ts(self) -> str | None:
        """The ts the next poll asks for (already stored by the sink)."""
        return self._ts

    # -- loop -----------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; returns promptly then (an unfinished poll is abandoned, ts unchanged)."""
        self._state = "connecting"
        self._server = None
        self._ts_loaded = False
        try:
            while not stop.is_set():
                try:
                    await self._step(stop)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    await self._failure(exc, stop)
        finally:
            self._state = "stopped"

    async def _step(self, stop: asyncio.Event) -> None:
        if not self._ts_loaded:  # inside the retried step: a store that is down at start-up is waited for
            self._ts = await self._sink.load_ts()
            self._ts_loaded = True
            log.info("long poll for group %s starting from ts %s", self._group_id, self._ts or "(server's)")
        if self._server is None:
            self._state = "connecting"
            await self._connect()
        assert self._server is not None and self._ts is not None
        self._state = "polling"
        answer = await _until_stopped(
            self._client.longpoll_check(self._server.url, self._server.key, self._ts, self._wait), stop
        )
        if answer is None:  # stopped mid-poll
            return
        await self._handle(answer)

    async def _connect(self) -> None:
        info = await self._client.call("groups.getLongPollServer", {"group_id": self._group_id}, batch=False)
        if not isinstance(info, dict) or not all(
            info.get(k) not in (None, "") for k in ("server", "key", "ts")
        ):
            raise LongPollAnswerError("groups.getLongPollServer: answer lacks server, key or ts")
        self._server = _Server(str(info["server"]), str(info["key"]))
        server_ts = str(info["ts"])
        if self._gap_pending:
            await self._report_gap(server_ts)
        elif self._ts is None:
            self._ts = server_ts

    async def _report_gap(self, new_ts: str) -> None:
        report = GapReport(since_ts=self._gap_since, new_ts=new_ts, at=self._clock.now())
        log.warning(
            "long poll lost events (failed 3) between ts %s and %s; history must fill the gap",
            report.since_ts,
            report.new_ts,
        )
        # Save the new ts first: a crash after this point must not report the same gap differently.
        await self._sink.store([], new_ts)
        self._ts = new_ts
        self._gap_pending = False
        if self._on_gap is not None:
            try:
                await self._on_gap(report)
            except Exception:
                log.exception("on_gap handler failed for gap %s..%s", report.since_ts, report.new_ts)

    async def _handle(self, answer: dict[str, Any]) -> None:
        failed = answer.get("failed")
        if failed is not None:
            await self._handle_failed(failed, answer)
            return
        new_ts = answer.get("ts")
        if new_ts is None or new_ts == "":
            raise LongPollAnswerError("a_check answer without ts or failed")
        updates = answer.get("updates")
        events: list[VkEvent | MalformedEvent]
        if isinstance(updates, list):
            events = [parse_event(update) for update in updates]
        elif updates is None:
            events = []
        else:
            events = [MalformedEvent(updates, f"updates is {type(updates).__name__}, not a list")]
        for event in events:
            if isinstance(event, MalformedEvent):
                log.warning(
                    "malformed update kept raw (event_id=%s, type=%s): %s",
                    event.event_id,
                    event.type,
                    event.reason,
                )
        await self._sink.store(events, str(new_ts))
        self._ts = str(new_ts)
        now = self._clock.now()
        self._last_poll_at = now
        if events:
            self._last_event_at = now
        self._consecutive_failures = 0

    async def _handle_failed(self, failed: Any, answer: dict[str, Any]) -> None:
        if failed == 1 and answer.get("ts") not in (None, ""):
            new_ts = str(answer["ts"])
            log.info("long poll failed 1: continuing from ts %s (was %s)", new_ts, self._ts)
            await self._sink.store([], new_ts)
            self._ts = new_ts
            self._consecutive_failures = 0
            self._last_poll_at = self._clock.now()
        elif failed == 2:
            log.info("long poll failed 2: key expired, fetching a new one")
            self._server = None
        elif failed == 3:
            self._gap_since = self._ts
            self._gap_pending = True
            self._server = None
        else:
            raise LongPollAnswerError(f"a_check answered failed={failed!r}")

    async def _failure(self, exc: BaseException, stop: asyncio.Event) -> None:
        self._consecutive_failures += 1
        n = self._consecutive_failures
        if not isinstance(exc, VkError):
            log.exception("long poll step failed unexpectedly (failure %d)", n)
        if n >= _REFETCH_AFTER_FAILURES or isinstance(exc, LongPollAnswerError):
            self._server = None
        cap = min(self._backoff_max_s, self._backoff_base_s * 2 ** min(n - 1, 30))
        delay = cap / 2 + self._rng.uniform(0, cap / 2)
        if isinstance(exc, VkError):
            log.warning("long poll failure %d (%s); retrying in %.2f s", n, exc, delay)
        self._state = "backoff"
        await _until_stopped(self._sleep(delay), stop)


async def _until_stopped(work: Awaitable[T], stop: asyncio.Event) -> T | None:
    """Await ``work`` unless ``stop`` is set first; then cancel it and return None."""
    if stop.is_set():
        if asyncio.iscoroutine(work):
            work.close()
        return None
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        stopper.cancel()
        raise
    if task in done:
        stopper.cancel()
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return None
