"""VK's per-token rate limit shared by every process on one PostgreSQL database.

VK counts requests per token in a rolling second, whichever process sends them; each process keeping
its own 20/s made two processes answer error 6 hundreds of times. Here each request start is a row
(``RateStart``) stamped by the database's clock; a process may start one when fewer than the limit
started within the window (one second plus a margin, as ``RollingWindowLimiter``), checked and
recorded under a transaction-scoped advisory lock per token so two processes never both take the
last slot. On SQLite (one process) the in-memory ``RollingWindowLimiter`` does the same job.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from vkbot.api.limiter import Limiter, RollingWindowLimiter
from vkbot.core.store.models import RateStart

log = logging.getLogger("vkbot.core.rate")

_TABLE = RateStart.__table__  # type: ignore[attr-defined]
_NOW = text("SELECT extract(epoch FROM clock_timestamp())::float8")
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


@dataclass(frozen=True)
class Slot:
    """The answer of one try: ``started_at`` (database clock) when a request may start, else how long to wait."""

    started_at: float | None
    wait_s: float


class SharedRateLimiter:
    """Async gate like ``RollingWindowLimiter``, counted in the database across processes."""

    def __init__(
        self, engine: Engine, bucket: str, rate_per_s: int, *, window_s: float = 1.0, margin_s: float = 0.1
    ):
        if rate_per_s < 1:
            raise ValueError("rate_per_s must be at least 1")
        self.engine = engine
        self.bucket = bucket
        self.capacity = rate_per_s
        self.window_s = window_s + margin_s
        digest = hashlib.sha256(f"vkbot-rate:{bucket}".encode()).digest()
        self._lock_key = int.from_bytes(digest[:8], "big") >> 1
        self._turn = asyncio.Lock()  # this process's callers wait in arrival order, one asking at a time

    async def acquire(self) -> None:
        async with self._turn:
            failures = 0
            while True:
                try:
                    slot = await asyncio.to_thread(self.take)
                except Exception:  # the database unreachable: calls wait for it rather than fail or overrun
                    failures += 1
                    log.warning(
                        "rate limit %s: the database did not answer (%d in a row)", self.bucket, failures
                    )
                    await asyncio.sleep(min(5.0, 0.2 * 2**failures))
                    continue
                if slot.started_at is not None:
                    return
                await asyncio.sleep(slot.wait_s)

    def take(self) -> Slot:
        """Record one start if the window has room; otherwise say when the oldest start leaves it."""
        with self.engine.begin() as conn:
            conn.execute(_LOCK, {"key": self._lock_key})
            now = float(conn.scalar(_NOW) or 0.0)
            bucket = col(RateStart.bucket) == self.bucket
            conn.execute(delete(_TABLE).where(bucket, col(RateStart.started_at) <= now - self.window_s))
            count, oldest = conn.execute(
                select(func.count(), func.min(col(RateStart.started_at))).where(bucket)
            ).one()
            if count < self.capacity:
                conn.execute(insert(_TABLE).values(bucket=self.bucket, started_at=now))
                return Slot(now, 0.0)
            return Slot(None, max(0.001, float(oldest) + self.window_s - now))


def token_bucket(kind: str, token: str) -> str:
    """A limit's name: its kind and a hash of the token (the token itself is never stored)."""
    return f"{kind}:{hashlib.sha256(token.encode()).hexdigest()[:32]}"


def limiter_for(engine: Engine, bucket: str, rate_per_s: int) -> Limiter:
    """Shared through the database on PostgreSQL; in memory elsewhere (SQLite runs one process)."""
    if engine.dialect.name == "postgresql":
        return SharedRateLimiter(engine, bucket, rate_per_s)
    return RollingWindowLimiter(rate_per_s)
