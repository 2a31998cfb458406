"""The outbox: every effect on VK is a row with an idempotency key, executed once by a sender.

Creating a row is idempotent on ``key``; sending is idempotent on VK's side through ``random_id``
(messages) or ``guid`` (wall posts), so a row re-sent after a crash does nothing twice. Senders claim
rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) so several can cooperate.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Integer, bindparam, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from dbtypes import insert_ignoring_duplicates
from vkbot.api.errors import UserTokenMissing, VkApiError, VkError, is_retryable
from vkbot.clock import Clock
from vkbot.core.store.db import begin_write
from vkbot.core.store.models import OutboxRow
from vkbot.core.worker import run_worker

log = logging.getLogger("vkbot.effects.outbox")

# VK answers these when the community may not write to the user: not retryable, not a fault of ours.
UNDELIVERABLE_CODES = frozenset({900, 901, 902, 936, 950, 987, 988})


def random_id_for(key: str) -> int:
    """A stable, non-zero 63-bit random_id derived from the row's key (same key, same id, forever)."""
    value = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") >> 1
    return value or 1


@dataclass(frozen=True)
class OutboxRequest:
    """An effect a handler decided on; ``key`` names it uniquely (e.g. ``"evt:<event_id>:reply:0"``)."""

    key: str
    method: str
    params: Mapping[str, Any]
    kind: str = "call"
    peer_id: int | None = None
    not_before: datetime | None = None


def message_request(
    key: str, peer_id: int, text: str, *, keyboard: str | None = None, attachment: str | None = None
) -> OutboxRequest:
    params: dict[str, Any] = {"peer_id": peer_id, "message": text}
    if keyboard is not None:
        params["keyboard"] = keyboard
    if attachment:
        params["attachment"] = attachment
    return OutboxRequest(key=key, method="messages.send", params=params, kind="message", peer_id=peer_id)


def enqueue(session: Session, requests: Iterable[OutboxRequest], *, now: datetime) -> int:
    """Add rows, ignoring keys that exist already; the caller commits. Returns rows added.

    ``now`` (the caller's clock) is when the rows are created and due unless they say later; it must
    be the sender's clock, or rows come due early or late.
    """
    rows = []
    for req in requests:
        params = dict(req.params)
        random_id = None
        if req.method == "messages.send":
            random_id = random_id_for(req.key)
            params["random_id"] = random_id
        rows.append(
            {
                "key": req.key[:255],
                "kind": req.kind,
                "method": req.method,
                "params": params,
                "random_id": random_id,
                "peer_id": req.peer_id,
                "status": "pending",
                "attempts": 0,
                "not_before": req.not_before or now,
                "created_at": now,
            }
        )
    return insert_ignoring_duplicates(session, OutboxRow.__table__, rows)  # type: ignore[attr-defined]


class MethodCaller(Protocol):
    async def call(
        self, method: str, params: Mapping[str, Any] | None = None, *, batch: bool = True
    ) -> Any: ...


Executor = Callable[[OutboxRow, MethodCaller], Awaitable[Any]]


async def call_executor(row: OutboxRow, client: MethodCaller) -> Any:
    return await client.call(row.method, row.params)


@dataclass
class SenderStats:
    sent: int = 0
    retried: int = 0
    parked: int = 0
    undeliverable: int = 0
    last_error: str | None = None


# A row that ended: its outcome (a result, an exception or UNTRIED) and when.
Ended = tuple[OutboxRow, Any, datetime]

# The outcome of a claimed row its run never reached (an earlier row of the peer failed, or we are
# stopping): handed back untried.
UNTRIED = object()


@dataclass
class OutboxSender:
    """Sends due rows as they come, in order within each conversation, without one slow call holding the rest.

    - Order: a row of a peer goes out only after every earlier row of that peer is done, undeliverable
      or parked (see ``_claim``), so each relative reads the replies in the order they were written.
      A peer's due rows are claimed as a run and sent one after the other by one task; the first
      failure ends the run (the rest go back untried) and, while it is retried, holds the peer's
      later rows back.
    - A parked row (retries used up, or an error that retrying cannot fix) no longer holds anything
      back: the later rows still go out, because a relative must be answered; the parked row stays
      in ``backlog`` for the founder.
    - No batch barrier: runs are recorded row by row as they end, and new rows are claimed while
      others are in flight, so a call VK never answers holds back only its own peer.
    - Rows are claimed with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) that this sender
      renews while it holds them, so several senders can cooperate and none takes a slow row from
      another. Sending is idempotent on VK's side (``random_id`` / ``guid``) after a crash.
    """

    engine: Engine
    client: MethodCaller
    clock: Clock  # leases and outcomes; the clock ``enqueue`` was given
    batch_size: int = 25  # rows claimed at once
    idle_poll_s: float = 0.5
    max_attempts: int = 8
    lease_s: float = 120.0
    retry_base_s: float = 2.0
    retry_max_s: float = 300.0
    max_in_flight: int = 200  # rows held at once (across peers); the client packs calls into execute
    max_run: int = 10  # rows of one peer claimed together (the rest wait for the next claim)
    executors: dict[str, Executor] = field(default_factory=dict)
    on_undeliverable: Callable[[int, int], None] | None = None  # (peer_id, error code), runs in a thread
    # Told of each row that ended (done or parked) inside the transaction that records it, so the
    # area that asked for the effect (e.g. moderation's removal list) stays in step with VK.
    on_outcome: Callable[[Session, OutboxRow], None] | None = None
    worker_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    stats: SenderStats = field(default_factory=SenderStats)
    # Rows claimed and not yet handed to ``_finished``; their runs; ended rows waiting to be recorded.
    _held: set[int] = field(default_factory=set, init=False, repr=False)
    _runs: set[asyncio.Task[None]] = field(default_factory=set, init=False, repr=False)
    _finished: list[Ended] = field(default_factory=list, init=False, repr=False)
    _lease_ends: datetime | None = field(default=None, init=False, repr=False)
    _stopping: bool = field(default=False, init=False, repr=False)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox sender %s started", self.worker_id)
        self._stopping = False
        try:
            await run_worker(f"outbox sender {self.worker_id}", self._pass, stop, self.wake, self.idle_poll_s)
            # Stopping: runs end after the call in flight (the app cancels us after its grace period).
            self._stopping = True
            if self._runs:
                await asyncio.wait(list(self._runs))
            await self._record_finished()
        finally:
            self._abandon()
        log.info("outbox sender %s stopped", self.worker_id)

    async def _pass(self) -> int:
        """Record what ended, keep the leases of what is held, claim what may go now.

        On SQLite in one transaction, not three: each waits for the write lock, which the dispatcher
        holds while it handles a batch, and a reply's row waited for up to three of its batches
        (bench/intake.py); recording first frees a peer whose run just ended for the claim. On
        PostgreSQL (no such lock) the claim has its own transaction, so that other senders see the
        peers freed by the record: claiming a freed peer's next rows in the same transaction kept
        every peer with the first sender (tests/test_outbox_postgres.py).
        """
        finished, self._finished = self._finished, []
        renew = list(self._held) if self._held and self._lease_half_gone() else []
        room = min(self.batch_size, self.max_in_flight - len(self._held))
        until = self.clock.now() + timedelta(seconds=self.lease_s)
        together = self.engine.dialect.name == "sqlite"
        runs: list[list[OutboxRow]] = []
        try:
            if together or finished or renew:
                runs = await asyncio.to_thread(
                    self._write_pass, finished, renew, until, room if together else 0
                )
        except BaseException:
            self._finished[:0] = finished  # e.g. the database busy: recorded on a later pass
            raise
        if not together and room > 0:
            runs = await asyncio.to_thread(self._write_pass, [], [], until, room)
        if renew:
            self._lease_ends = until
        if runs and not self._held:  # otherwise the rows already held have the earliest lease
            self._lease_ends = runs[0][0].claimed_until
        for rows in runs:
            self._held.update(row.id for row in rows if row.id is not None)
            task = asyncio.get_running_loop().create_task(self._send_run(rows))
            self._runs.add(task)
            task.add_done_callback(self._runs.discard)
        return len(finished) + sum(len(rows) for rows in runs)

    async def _send_run(self, rows: list[OutboxRow]) -> None:
        """One peer's rows in order; the first failure hands the rest back untried."""
        failed = False
        for row in rows:
            if failed or self._stopping:
                outcome: Any = UNTRIED
            else:
                try:
                    outcome = await self._execute(row)
                except Exception as exc:  # recorded: retried, parked or undeliverable
                    outcome = exc
                    failed = True
            self._held.discard(row.id)  # type: ignore[arg-type]
            self._finished.append((row, outcome, self.clock.now()))
            self.wake.set()  # the next pass records it (and frees the peer once the run ends)

    async def _record_finished(self) -> int:
        finished, self._finished = self._finished, []
        if not finished:
            return 0
        try:
            await asyncio.to_thread(self._record, finished)
        except BaseException:
            self._finished[:0] = finished  # e.g. the database busy: recorded on a later pass
            raise
        return len(finished)

    def _lease_half_gone(self) -> bool:
        now = self.clock.now()
        left = (self._lease_ends or now) - now
        return left.total_seconds() < self.lease_s / 2

    def _write_pass(
        self, finished: list[Ended], renew: list[int], until: datetime, room: int
    ) -> list[list[OutboxRow]]:
        """``_pass``'s transaction: record ``finished``, extend the lease of ``renew`` (rows held, so no
        other sender takes a call VK holds for minutes), claim up to ``room`` rows."""
        with Session(self.engine, expire_on_commit=False) as session:
            begin_write(session)
            undeliverable = self._record_in(session, finished) if finished else []
            if renew:
                self._update_held_in(session, renew, claimed_until=until)
            runs = self._claim_in(session, room) if room > 0 else []
            session.commit()
            _detach(session, runs)
        self._tell_undeliverable(undeliverable)
        return runs

    def _abandon(self) -> None:
        """Cancelled or stopped: record what ended, hand the rest back now.

        Whatever VK did already is harmless to repeat (``random_id`` / ``guid``).
        """
        for task in self._runs:
            task.cancel()
        unsent, self._held = list(self._held), set()
        finished, self._finished = self._finished, []
        try:
            if finished:
                self._record(finished)
        finally:
            if unsent:
                self._release(unsent)

    async def drain_once(self) -> int:
        """Claim once, send and record it all; returns rows claimed (0: nothing due).

        For tests and one-shot commands; ``run`` does not wait for a claim like this.
        """
        until = self.clock.now() + timedelta(seconds=self.lease_s)
        runs = await asyncio.to_thread(self._write_pass, [], [], until, self.batch_size)
        rows = [row for run in runs for row in run]
        if not rows:
            return 0
        try:
            await asyncio.gather(*(self._send_run(run) for run in runs))
        except asyncio.CancelledError:
            self._finished.clear()
            self._release([row.id for row in rows if row.id is not None])
            raise
        await self._record_finished()
        return len(rows)

    def _release(self, row_ids: list[int]) -> None:
        self._update_held(row_ids, claimed_by=None, claimed_until=None)

    def _update_held(self, row_ids: list[int], **values: Any) -> None:
        with Session(self.engine) as session:
            begin_write(session)
            self._update_held_in(session, row_ids, **values)
            session.commit()

    def _update_held_in(self, session: Session, row_ids: list[int], **values: Any) -> None:
        """Change rows this sender still holds (a row another sender has taken meanwhile is left alone)."""
        session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id).in_(row_ids))
            .where(col(OutboxRow.claimed_by) == self.worker_id)
            .values(**values),
            execution_options={"synchronize_session": False},
        )

    async def _execute(self, row: OutboxRow) -> Any:
        executor = self.executors.get(row.kind, call_executor)
        return await executor(row, self.client)

    def _claim_in(self, session: Session, limit: int) -> list[list[OutboxRow]]:
        """Claim up to ``limit`` due rows as runs: each peer's next rows in order; a row without a peer alone.

        Inside a read-then-write transaction: on SQLite it must have taken the write lock first
        (``begin_write``), or a commit by the dispatcher in between fails it with "database is locked".

        A peer's rows are held back while an earlier one is in flight (claimed) or failed and waits to
        be retried. Otherwise its run is its pending rows from the first one that is due or was tried,
        as far as they are due, consecutive and ours: on PostgreSQL another sender may be claiming
        the first one right now (``SKIP LOCKED`` hides it), and then none is taken. An earlier row
        scheduled for later and never tried (a notice held for the sending window) does not hold
        back a reply written after it.
        """
        now = self.clock.now()
        candidates = list(session.scalars(_CLAIM, {"now": now, "limit": limit}))
        runs = self._runs_of(session, candidates, now)
        claimed = [row for run in runs for row in run]
        if claimed:
            until = now + timedelta(seconds=self.lease_s)
            ids = [row.id for row in claimed]
            session.execute(_TAKE, {"ids": ids, "by": self.worker_id, "until": until})
            for row in claimed:  # as stored now, without the ORM writing it again at the flush
                set_committed_value(row, "claimed_by", self.worker_id)
                set_committed_value(row, "claimed_until", until)
        return runs

    def _runs_of(self, session: Session, rows: list[OutboxRow], now: datetime) -> list[list[OutboxRow]]:
        """Group claimed candidates by peer, keeping only each peer's consecutive rows from its first."""
        by_peer: dict[int, list[OutboxRow]] = {}
        runs: list[list[OutboxRow]] = []
        for row in rows:
            if row.peer_id is None:
                runs.append([row])
            else:
                by_peer.setdefault(row.peer_id, []).append(row)
        if not by_peer:
            return runs
        # Every row of these peers that comes before or within a run and must go first.
        last = max(row.id for row in rows if row.id is not None)
        lined_up = session.execute(_LINED_UP, {"peers": list(by_peer), "now": now, "last": last}).all()
        queue: dict[int, list[int]] = {}
        for peer_id, row_id in lined_up:
            queue.setdefault(peer_id, []).append(row_id)
        for peer_id, candidates in by_peer.items():
            run: list[OutboxRow] = []
            for row, row_id in zip(candidates, queue.get(peer_id, []), strict=False):
                if row.id != row_id or len(run) == self.max_run:
                    break  # a gap: that row is another sender's, or not due yet
                run.append(row)
            if run:
                runs.append(run)
        runs.sort(key=lambda run: run[0].id or 0)  # the longest waiting first
        return runs

    def _record(self, finished: list[Ended]) -> None:
        with Session(self.engine) as session:
            begin_write(session)
            undeliverable = self._record_in(session, finished)
            session.commit()
        self._tell_undeliverable(undeliverable)

    def _tell_undeliverable(self, undeliverable: list[tuple[int, int]]) -> None:
        if self.on_undeliverable:
            for peer_id, code in undeliverable:
                self.on_undeliverable(peer_id, code)

    def _record_in(self, session: Session, finished: list[Ended]) -> list[tuple[int, int]]:
        """Record the outcomes (done at the moment VK answered); returns the (peer, error code) pairs VK
        will not deliver to."""
        now = self.clock.now()
        undeliverable: list[tuple[int, int]] = []
        # One SELECT for the batch, not one per row: with a claim of 500 the per-row gets left the
        # rate limiter idle for a quarter of a second per batch (bench/outbox.py).
        ids = [row.id for row, *_ in finished]
        loaded = {current.id: current for current in session.scalars(_BY_IDS, {"ids": ids})}
        for row, outcome, at in finished:
            current = loaded.get(row.id)
            if current is None or current.claimed_by != self.worker_id:
                continue  # the lease ran out and another sender owns it now
            current.claimed_by = current.claimed_until = None
            if outcome is UNTRIED:
                continue  # claimed again with its peer's next run
            current.attempts += 1
            if not isinstance(outcome, BaseException):
                current.status, current.result, current.done_at = "done", outcome, at
                current.last_error = None
                self.stats.sent += 1
                if self.on_outcome:
                    self.on_outcome(session, current)
                continue
            reason = describe(outcome)
            current.last_error = reason
            self.stats.last_error = reason
            if isinstance(outcome, VkApiError) and outcome.code in UNDELIVERABLE_CODES:
                current.status, current.done_at = "undeliverable", at
                self.stats.undeliverable += 1
                if current.peer_id is not None:
                    undeliverable.append((current.peer_id, outcome.code))
                log.warning("outbox row %s: VK will not deliver to peer %s: %s", row.id, row.peer_id, reason)
            elif _retryable(outcome) and current.attempts < self.max_attempts:
                delay = min(self.retry_max_s, self.retry_base_s * 2 ** (current.attempts - 1))
                current.not_before = now + timedelta(seconds=random.uniform(delay / 2, delay))
                self.stats.retried += 1
                log.warning("outbox row %s (%s) will be retried: %s", row.id, row.method, reason)
            else:
                current.status = "parked"
                self.stats.parked += 1
                log.error("outbox row %s (%s) parked: %s", row.id, row.method, reason)
                if self.on_outcome:
                    self.on_outcome(session, current)
        session.flush()
        return undeliverable


# The sender's statements, built once: building them through the ORM on every pass was a fifth of the
# suite's time under bench/intake.py (py-spy). Parameters: ``now``, ``limit``, ``ids``, ``by``, ``until``,
# ``peers``, ``last``; see ``OutboxSender._claim_in`` and ``_runs_of`` for what the statements do.
_TABLE = OutboxRow.__table__  # type: ignore[attr-defined]
_NOW = bindparam("now", type_=_TABLE.c.not_before.type)
_EARLIER = aliased(OutboxRow)
_HELD_BACK = (
    select(col(_EARLIER.id))
    .where(col(_EARLIER.peer_id) == col(OutboxRow.peer_id))
    .where(col(_EARLIER.status) == "pending")
    .where(col(_EARLIER.id) < col(OutboxRow.id))
    .where(
        or_(
            col(_EARLIER.claimed_until) >= _NOW,
            (col(_EARLIER.attempts) > 0) & (col(_EARLIER.not_before) > _NOW),
        )
    )
    .exists()
)
_CLAIM = (
    select(OutboxRow)
    .where(col(OutboxRow.status) == "pending")
    .where(col(OutboxRow.not_before) <= _NOW)
    .where(or_(col(OutboxRow.claimed_until).is_(None), col(OutboxRow.claimed_until) < _NOW))
    .where(or_(col(OutboxRow.peer_id).is_(None), ~_HELD_BACK))
    .order_by(col(OutboxRow.id))
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True)
)
_TAKE = (
    update(_TABLE)
    .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))
    .values(claimed_by=bindparam("by"), claimed_until=bindparam("until", type_=_TABLE.c.claimed_until.type))
)
_LINED_UP = (
    select(_TABLE.c.peer_id, _TABLE.c.id)
    .where(_TABLE.c.peer_id.in_(bindparam("peers", expanding=True)))
    .where(_TABLE.c.status == "pending")
    .where(or_(_TABLE.c.not_before <= _NOW, _TABLE.c.attempts > 0))
    .where(_TABLE.c.id <= bindparam("last", type_=Integer))
    .order_by(_TABLE.c.id)
)
_BY_IDS = select(OutboxRow).where(col(OutboxRow.id).in_(bindparam("ids", expanding=True)))


def _detach(session: Session, runs: list[list[OutboxRow]]) -> None:
    """Claimed rows outlive their session (they travel to the runs)."""
    for row in (row for run in runs for row in run):
        session.expunge(row)


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, UserTokenMissing):
        return False
    if isinstance(exc, VkError):
        return is_retryable(exc)
    return isinstance(exc, (OSError, asyncio.TimeoutError))


def describe(exc: BaseException) -> str:
    if isinstance(exc, UserTokenMissing):
        return "needs the admin user token (run `vkbot connect`)"
    return f"{type(exc).__name__}: {exc}"[:1000]


def backlog(session: Session) -> dict[str, Any]:
    """Counts by status and the parked rows with their reasons (for `vkbot status` and health)."""
    status = col(OutboxRow.status)
    counts: dict[str, int] = {
        row[0]: row[1] for row in session.execute(select(status, func.count()).group_by(status))
    }
    parked = session.scalars(
        select(OutboxRow).where(status == "parked").order_by(col(OutboxRow.id).desc()).limit(20)
    ).all()
    return {
        "counts": {str(k): int(v) for k, v in counts.items()},
        "parked": [
            {"id": r.id, "method": r.method, "reason": r.last_error, "peer_id": r.peer_id} for r in parked
        ],
    }
