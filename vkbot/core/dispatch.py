"""The dispatcher: handles stored events in arrival order, turning each into outbox rows in one transaction.

An event is marked processed in the same transaction that writes its outbox rows, so a crash either
keeps both or neither; a replay after restart starts from the first unprocessed event. Events are
handled in order of storage, which keeps one relative's messages in order. On PostgreSQL several
dispatchers (processes) share the events by conversation (``vkbot.core.claims``); on SQLite one runs.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Literal, Protocol

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from vkbot.clock import Clock
from vkbot.core.claims import claim, upcoming
from vkbot.core.store.db import begin_write
from vkbot.core.store.models import StoredEvent
from vkbot.core.store.write_turns import writers_waiting
from vkbot.core.worker import run_worker
from vkbot.effects.outbox import OutboxRequest, enqueue

log = logging.getLogger("vkbot.core.dispatch")


class EventHandler(Protocol):
    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        """Decide what to do about one stored event; may write domain rows through ``session``."""
        ...

    def give_up(self, session: Session, event: StoredEvent, error: str) -> list[OutboxRequest]:
        """Called once when handling failed ``max_attempts`` times: e.g. tell the writer the message is kept."""
        ...


# A handler may also define ``prepare(session, events) -> None``: called once per batch, before ``handle``,
# in the same transaction, to do per-batch lookups in one query (the pipeline loads conversations so);
# ``slow(event) -> bool``: True for an event whose handling takes long (see ``process_pending``); and
# ``fetch_ahead(session, events) -> Callable[[], None] | None``: the slow part of those events (downloads),
# as work the dispatcher runs before their transaction, with no transaction open (in ``run``: in the
# background, while other conversations' events go on being handled; see ``_pass``).


@dataclass(frozen=True)
class _Batch:
    handled: int
    # Slow events held back, with their conversations' peers (their later events wait behind them).
    slow: dict[int, int | None]
    held_back: int  # events held back: the slow ones and those behind them
    waiting: frozenset[int]  # events claimed and not handled (held back, or left for the next batch)


@dataclass
class Dispatcher:
    engine: Engine
    handler: EventHandler
    # One transaction per batch: big enough to amortise it, small enough that replies leave promptly and
    # the SQLite write lock is never held near its 30 s busy timeout (photo checks run inside).
    batch_size: int = 200
    slow_batch_size: int = 5  # events with photos to check, per transaction (see process_pending)
    fetch_batch_size: int = 20  # ``run``: slow events whose media one background fetch downloads
    # SQLite: once a batch has held the one write lock this long and another writer (the listener
    # storing, the sender claiming) waits for it, the events handled so far are committed and the
    # rest wait for the next pass, behind that writer; holding it for a whole batch made both wait a
    # batch per message (bench/intake.py: the tail of the latency). Only while the dispatcher keeps
    # up: a batch that is behind (see ``_transaction``) gives way to nobody, or it would fall
    # further behind with each small transaction (bench/intake.py under load: 9 s behind).
    hold_turn_s: float = 0.05
    max_attempts: int = 3
    idle_poll_s: float = 0.5
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    on_enqueued: Callable[[], None] | None = None  # wakes the outbox sender
    # "log": a failing event is logged once with its context, kept and retried (production);
    # "raise": the handler's exception propagates with its traceback (tests, ``feed_raw_event``).
    on_error: Literal["log", "raise"] = "log"
    clock: Clock = field(kw_only=True)  # required: the process's one clock
    processed: int = 0
    failed: int = 0

    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)
    # Events the next batch claims: twice what the last one handled (up to ``batch_size``), so that a
    # batch that gives way has not loaded, parsed and prepared far more events than it got to handle
    # (200 cost 100-150 ms under load), while a backlog still grows the batches to full size.
    _claim: int = field(default=0, init=False, repr=False)
    _held_back: int = field(default=0, init=False, repr=False)  # events the last batch left waiting
    # ``run`` only: slow events whose slow part (``fetch_ahead``) was done in the background, handled
    # now like quick ones; slow events waiting for it, whose conversations the claims leave out (else
    # a backlog's batches filled up with events waiting behind photos: bench/ingest.py claimed each
    # event 6 times and handled 1-2 a batch); the background fetch in flight. Each maps event id to
    # peer; all touched on the event loop only.
    _ready: dict[int, int | None] = field(default_factory=dict, init=False, repr=False)
    _blocked: dict[int, int | None] = field(default_factory=dict, init=False, repr=False)
    _fetching: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    async def run(self, stop: asyncio.Event) -> None:
        # A failed pass (e.g. the database busy or down) leaves the events stored and unprocessed.
        self._loop = asyncio.get_running_loop()
        try:
            await run_worker("dispatcher", self._pass, stop, self.wake, self.idle_poll_s)
        finally:
            self._loop = None
            if self._fetching is not None:
                self._fetching.cancel()  # its thread ends with its downloads; nothing waits for it
                self._fetching = None
            self._ready = {}
            self._blocked = {}

    async def _pass(self) -> int:
        """As ``process_pending``, but a slow event's slow part runs beside the passes, not in them.

        Downloading and checking a photo took 250-800 ms (2-3 s at load 7), and every event stored
        meanwhile waited for it: most of bench/intake.py's slowest 1%. Now the quick events keep being
        handled while a background thread fetches; the slow event (and what follows it in its
        conversation) waits for its fetch, then goes in an ordinary batch with its bytes ready.
        """
        if getattr(self.handler, "fetch_ahead", None) is None:
            return await asyncio.to_thread(self.process_pending)
        ready = self._ready
        # A conversation waits whole behind its slow event until that is fetched (one with a fetched
        # event is claimed: that event goes first).
        skip = {peer for peer in self._blocked.values() if peer is not None} - set(ready.values())
        batch = await asyncio.to_thread(self._quick_batch, frozenset(ready), skip)
        # Handled or gone: forgotten; a fetch that ended during the pass added its events meanwhile
        # (assigning ``ready & waiting`` dropped them, and they were fetched again, and again).
        self._ready = {i: peer for i, peer in self._ready.items() if i not in ready or i in batch.waiting}
        self._blocked.update(batch.slow)
        # One fetch at a time, and only once the last one's events are handled: the downloader holds
        # one fetch's bytes (a new fetch drops what an unhandled event would have found).
        if self._blocked and self._fetching is None and not self._ready:
            wanted = dict(list(self._blocked.items())[: self.fetch_batch_size])
            self._fetching = asyncio.get_running_loop().create_task(self._fetch_in_background(wanted))
        return batch.handled

    async def _fetch_in_background(self, events: dict[int, int | None]) -> None:
        try:
            await asyncio.to_thread(self._fetch_ahead, list(events))
        finally:
            self._fetching = None
        for event_id in events:
            self._blocked.pop(event_id, None)
        self._ready = {**self._ready, **events}
        self.wake.set()

    def _committed(self) -> None:
        """Wake the sender as soon as a transaction's replies are committed, not after the whole pass."""
        loop = self._loop
        if self.on_enqueued is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.on_enqueued)

    def process_pending(self) -> int:
        """Handle one batch of unprocessed events; returns how many were looked at.

        Events the handler calls slow (a photo to download and check) wait for a second transaction,
        with everything after them in their conversation: the rest of the batch is committed first, so
        its replies do not wait for the check (bench/intake.py found the latency tail there).
        """
        batch = self._quick_batch(frozenset())
        handled = batch.handled
        if batch.slow:
            # Few at a time: each holds SQLite's write lock while its photos are checked, and the
            # listener and the sender must get their turns in between (the 500-relatives test saw
            # 30-40 s batches of 100 starve them). Their downloads are done before it, holding nothing.
            self._fetch_ahead(None)
            handled += self._transaction(self.slow_batch_size, defer_slow=False).handled
        return handled

    def _quick_batch(self, ready: frozenset[int], skip_peers: Collection[int] = ()) -> _Batch:
        """A batch of the quick events (slow ones in ``ready`` count as quick: their slow part is done),
        leaving out the conversations in ``skip_peers``."""
        # The claim also takes the events held back last time, so that they do not crowd out new ones.
        limit = min(self.batch_size, (self._claim or self.batch_size) + self._held_back)
        batch = self._transaction(limit, defer_slow=True, ready=ready, skip_peers=skip_peers)
        self._claim = min(self.batch_size, max(8, 2 * batch.handled))
        self._held_back = batch.held_back
        return batch

    def _fetch_ahead(self, event_ids: list[int] | None) -> None:
        """The handler's slow part of these events (None: the next few pending), holding no transaction."""
        fetch_ahead = getattr(self.handler, "fetch_ahead", None)
        if fetch_ahead is None:
            return
        try:
            with Session(self.engine) as session:
                if event_ids is None:
                    events = upcoming(session, self.slow_batch_size, self.max_attempts)
                else:
                    events = list(
                        session.scalars(select(StoredEvent).where(col(StoredEvent.id).in_(event_ids)))
                    )
                work = fetch_ahead(session, events)
            if work is not None:
                work()
        except Exception:  # only an optimisation: the transaction then downloads what it needs itself
            log.exception("fetching media ahead of the transaction failed")

    def _transaction(
        self,
        limit: int,
        *,
        defer_slow: bool,
        ready: frozenset[int] = frozenset(),
        skip_peers: Collection[int] = (),
    ) -> _Batch:
        """One batch in one transaction."""
        # The session ends with the commit: expiring every object it loaded (a batch's events, the
        # writers' rows) would be work for nothing.
        with Session(self.engine, expire_on_commit=False) as session:
            begin_write(session)
            began = time.monotonic()
            claimed = claim(session, limit, self.max_attempts, skip_peers)
            # Behind (more events pending than this batch takes): the whole batch, as fast as it goes.
            until = began + self.hold_turn_s if len(claimed) < limit else math.inf
            events, slow = self._quick_part(claimed, ready) if defer_slow else (claimed, {})
            quick_ids = {event.id for event in events}
            waiting = {e.id for e in claimed if e.id not in quick_ids}
            held_back = len(waiting)
            prepare = getattr(self.handler, "prepare", None)  # optional: batch-wide lookups up front
            if events and prepare is not None:
                prepare(session, events)
            handled = self._handle_batch(session, events, until) if events else 0
            if handled is None:  # one failed: redo the batch event by event, which isolates it
                handled = 0
                for event in events:
                    if handled and self._give_way(until):
                        break
                    self._handle_one(session, event)
                    handled += 1
            waiting.update(event.id for event in events[handled:])
            session.commit()
        if handled:
            self._committed()
        return _Batch(handled, slow, held_back, frozenset(i for i in waiting if i is not None))

    def _give_way(self, until: float) -> bool:
        """True when the batch should commit now: it has held the write lock its share and others wait."""
        return time.monotonic() >= until and writers_waiting(self.engine) > 0

    def _quick_part(
        self, events: list[StoredEvent], ready: frozenset[int]
    ) -> tuple[list[StoredEvent], dict[int, int | None]]:
        """The events before any slow one of their conversation (a handler without ``slow``: all), and
        the slow ones with their peers; an event in ``ready`` had its slow part done ahead and counts
        as quick."""
        slow = getattr(self.handler, "slow", None)
        if slow is None:
            return events, {}
        held_back: set[object] = set()
        quick: list[StoredEvent] = []
        slow_ids: dict[int, int | None] = {}
        for event in events:
            conversation = event.peer_id if event.peer_id is not None else ("event", event.id)
            if conversation in held_back:
                continue  # what follows a slow event in its conversation stays behind it
            if event.id not in ready and slow(event):
                held_back.add(conversation)
                slow_ids[event.id] = event.peer_id  # type: ignore[index]
            else:
                quick.append(event)
        return quick, slow_ids

    def _handle_batch(self, session: Session, events: list[StoredEvent], until: float) -> int | None:
        """Fast path: the batch (or its first part, see ``hold_turn_s``) in one savepoint and one outbox
        insert; returns how many events it handled, or None (nothing kept) if one failed.

        A savepoint and an insert per event cost more than the handlers themselves (bench/ingest.py).
        """
        savepoint = session.begin_nested()
        handled: list[int] = []
        try:
            requests: list[OutboxRequest] = []
            for event in events:
                if handled and self._give_way(until):
                    break
                requests.extend(self.handler.handle(session, event))
                handled.append(event.id)  # type: ignore[arg-type]
            enqueue(session, requests, now=self.clock.now())
            session.flush()
            # One statement for the batch: per-object updates cost more than a simple handler itself.
            session.execute(
                update(StoredEvent)
                .where(StoredEvent.id.in_(handled))  # type: ignore[union-attr]
                .values(processed_at=self.clock.now(), process_error=None),
                execution_options={"synchronize_session": False},
            )
            savepoint.commit()
        except Exception:
            savepoint.rollback()
            return None
        self.processed += len(handled)
        return len(handled)

    def _handle_one(self, session: Session, event: StoredEvent) -> None:
        savepoint = session.begin_nested()
        try:
            requests = self.handler.handle(session, event)
            enqueue(session, requests, now=self.clock.now())
            event.processed_at = self.clock.now()
            event.process_error = None
            session.flush()
            savepoint.commit()
            self.processed += 1
            return
        except Exception as exc:  # one bad event must not stop the others; it is kept and retried
            savepoint.rollback()
            if self.on_error == "raise":
                raise
            error = f"{type(exc).__name__}: {exc}"[:2000]
            log.exception("event %s (%s) failed: %s", event.id, event.type, error)
        event.attempts += 1
        event.process_error = error
        if event.attempts >= self.max_attempts:
            self.failed += 1
            fallback = self.handler.give_up(session, event, error)
            enqueue(session, fallback, now=self.clock.now())
            event.processed_at = self.clock.now()
        session.flush()
