"""The outbox: every effect on VK is a row with an idempotency key, executed once by a sender.

Creating a row is idempotent on ``key``; sending is idempotent on VK's side through ``random_id``
(messages) or ``guid`` (wall posts), so a row re-sent after a crash does nothing twice. Senders claim
rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) so several can cooperate.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dbtypes import insert_ignoring_duplicates
from vkbot.api.errors import UserTokenMissing, VkApiError, VkError, is_retryable
from vkbot.core.store.db import begin_write
from vkbot.core.store.models import OutboxRow

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


def enqueue(session: Session, requests: Iterable[OutboxRequest]) -> int:
    """Add rows, ignoring keys that exist already; the caller commits. Returns rows added."""
    now = datetime.now(UTC)
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


@dataclass
class OutboxSender:
    """Drains due rows: claims a batch, executes them concurrently (the client packs them into ``execute``)."""

    engine: Engine
    client: MethodCaller
    batch_size: int = 25
    idle_poll_s: float = 0.5
    max_attempts: int = 8
    lease_s: float = 120.0
    retry_base_s: float = 2.0
    retry_max_s: float = 300.0
    executors: dict[str, Executor] = field(default_factory=dict)
    on_undeliverable: Callable[[int, int], None] | None = None  # (peer_id, error code), runs in a thread
    # Told of each row that ended (done or parked) inside the transaction that records it, so the
    # area that asked for the effect (e.g. moderation's removal list) stays in step with VK.
    on_outcome: Callable[[Session, OutboxRow], None] | None = None
    worker_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    stats: SenderStats = field(default_factory=SenderStats)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("outbox sender %s started", self.worker_id)
        failures = 0
        while not stop.is_set():
            try:
                done = await self.drain_once()
                failures = 0
            except Exception:  # e.g. the database busy or unreachable: rows stay claimed or pending
                failures += 1
                log.exception(
                    "outbox sender %s: a pass failed (%d in a row); retrying", self.worker_id, failures
                )
                await pause(stop, retry_delay_s(failures))
                continue
            if done == 0:
                self.wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
                await asyncio.wait(waiters, timeout=self.idle_poll_s, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
        log.info("outbox sender %s stopped", self.worker_id)

    async def drain_once(self) -> int:
        rows = await asyncio.to_thread(self._claim)
        if not rows:
            return 0
        try:
            outcomes = await asyncio.gather(*(self._execute(row) for row in rows), return_exceptions=True)
        except asyncio.CancelledError:
            # Shutting down mid-send: hand the rows back now rather than when the lease runs out.
            # Whatever VK did already is harmless to repeat (random_id / guid).
            self._release(rows)
            raise
        await asyncio.to_thread(self._record, rows, list(outcomes))
        return len(rows)

    def _release(self, rows: list[OutboxRow]) -> None:
        with Session(self.engine) as session:
            begin_write(session)
            for row in rows:
                current = session.get(OutboxRow, row.id)
                if current is not None and current.claimed_by == self.worker_id:
                    current.claimed_by = current.claimed_until = None
            session.commit()

    async def _execute(self, row: OutboxRow) -> Any:
        executor = self.executors.get(row.kind, call_executor)
        return await executor(row, self.client)

    def _claim(self) -> list[OutboxRow]:
        now = datetime.now(UTC)
        with Session(self.engine, expire_on_commit=False) as session:
            # A read-then-write transaction: on SQLite take the write lock first, or a commit by the
            # dispatcher in between fails it at once with "database is locked" (see begin_write).
            begin_write(session)
            query = (
                select(OutboxRow)
                .where(OutboxRow.status == "pending")
                .where(OutboxRow.not_before <= now)  # type: ignore[arg-type]
                .where(or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now))  # type: ignore[union-attr,operator]
                .order_by(OutboxRow.id)  # type: ignore[arg-type]
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            rows = list(session.scalars(query))
            for row in rows:
                row.claimed_by = self.worker_id
                row.claimed_until = now + timedelta(seconds=self.lease_s)
            session.commit()
            for row in rows:
                session.expunge(row)
            return rows

    def _record(self, rows: list[OutboxRow], outcomes: list[Any]) -> None:
        now = datetime.now(UTC)
        undeliverable: list[tuple[int, int]] = []
        with Session(self.engine) as session:
            begin_write(session)
            # One SELECT for the batch, not one per row: with a claim of 500 the per-row gets left the
            # rate limiter idle for a quarter of a second per batch (bench/outbox.py).
            query = select(OutboxRow).where(OutboxRow.id.in_([row.id for row in rows]))  # type: ignore[union-attr]
            loaded = {current.id: current for current in session.scalars(query)}
            for row, outcome in zip(rows, outcomes, strict=True):
                current = loaded.get(row.id)
                if current is None or current.claimed_by != self.worker_id:
                    continue  # the lease ran out and another sender owns it now
                current.attempts += 1
                current.claimed_by = current.claimed_until = None
                if not isinstance(outcome, BaseException):
                    current.status, current.result, current.done_at = "done", outcome, now
                    current.last_error = None
                    self.stats.sent += 1
                    if self.on_outcome:
                        self.on_outcome(session, current)
                    continue
                reason = describe(outcome)
                current.last_error = reason
                self.stats.last_error = reason
                if isinstance(outcome, VkApiError) and outcome.code in UNDELIVERABLE_CODES:
                    current.status, current.done_at = "undeliverable", now
                    self.stats.undeliverable += 1
                    if current.peer_id is not None:
                        undeliverable.append((current.peer_id, outcome.code))
                    log.warning(
                        "outbox row %s: VK will not deliver to peer %s: %s", row.id, row.peer_id, reason
                    )
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
            session.commit()
        if self.on_undeliverable:
            for peer_id, code in undeliverable:
                self.on_undeliverable(peer_id, code)


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile (the workers' idle and retry waits)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def retry_delay_s(failures: int) -> float:
    """After ``failures`` failed passes in a row: 1 s, 2 s, ... up to 30 s."""
    return min(30.0, 0.5 * 2 ** min(failures, 6))


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
    counts = dict(session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all())  # type: ignore[arg-type]
    parked = session.scalars(
        select(OutboxRow).where(OutboxRow.status == "parked").order_by(OutboxRow.id.desc()).limit(20)  # type: ignore[union-attr]
    ).all()
    return {
        "counts": {str(k): int(v) for k, v in counts.items()},
        "parked": [
            {"id": r.id, "method": r.method, "reason": r.last_error, "peer_id": r.peer_id} for r in parked
        ],
    }
