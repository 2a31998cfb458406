"""The one loop every background worker runs: do a pass, back off after a failure, idle until woken.

The dispatcher and the outbox sender each give ``run_worker`` one pass (``step``) that returns how
much it did; alerts and the Detoxify review only need ``pause``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("vkbot.core.worker")


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if ``stop`` is set meanwhile (the workers' idle and retry waits)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def retry_delay_s(failures: int) -> float:
    """After ``failures`` failed passes in a row: 1 s, 2 s, ... up to 30 s."""
    return min(30.0, 0.5 * 2 ** min(failures, 6))


async def run_worker(
    name: str,
    step: Callable[[], Awaitable[int]],
    stop: asyncio.Event,
    wake: asyncio.Event,
    idle_s: float,
) -> None:
    """Call ``step`` until ``stop``: again at once while it does something, else after ``wake`` or ``idle_s``.

    ``wake`` is cleared before each pass, not after it, so a wake-up that arrives during a pass is
    not lost. A failed pass (e.g. the database busy or unreachable) is logged and retried after a
    growing delay; the work it did not finish stays stored for the next pass.
    """
    failures = 0
    while not stop.is_set():
        wake.clear()
        try:
            done = await step()
            failures = 0
        except Exception:
            failures += 1
            log.exception("%s: a pass failed (%d in a row); retrying", name, failures)
            await pause(stop, retry_delay_s(failures))
            continue
        if done:
            continue
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=idle_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
