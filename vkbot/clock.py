"""The one clock the suite reads time from: injected, so tests move time instead of sleeping.

``Clock`` is the protocol every part of ``vkbot`` takes; the domain packages declare their own
one-method protocol (``waitlist.ports.Clock``, ...), which these classes satisfy too. Times are aware UTC.

``SystemClock`` is the one reader of the wall clock in ``vkbot`` besides the sandbox (tests/test_clock_reads.py):
``open_app`` and ``vkbot.cli.main`` each make one and pass it down.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock tests set and advance by hand."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 1, 12, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, delta: timedelta | None = None, **parts: float) -> None:
        """``advance(timedelta(minutes=5))`` or ``advance(minutes=5)``."""
        self._now += (delta or timedelta()) + timedelta(**parts)
