"""The dispatcher's wake-up: events stored while a pass runs are looked at right after it, not after the idle wait."""

from __future__ import annotations

import asyncio
import time

from vkbot.core.dispatch import Dispatcher
from vkbot.core.store.db import make_engine


class Probe(Dispatcher):
    """Finds nothing; during its first pass the listener stores events and sets the wake."""

    calls: list[float]
    loop: asyncio.AbstractEventLoop

    def process_pending(self) -> int:
        self.calls.append(time.monotonic())
        if len(self.calls) == 1:
            self.loop.call_soon_threadsafe(self.wake.set)  # what _WakingSink does after a store
        return 0


async def test_a_wake_set_during_an_empty_pass_starts_the_next_pass_at_once(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'unused.db'}")
    probe = Probe(engine, handler=None, idle_poll_s=120)  # type: ignore[arg-type]
    probe.calls, probe.loop = [], asyncio.get_running_loop()
    stop = asyncio.Event()
    task = asyncio.create_task(probe.run(stop))
    try:
        deadline = time.monotonic() + 30  # far below the 120 s idle wait a lost wake-up would cost
        while len(probe.calls) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        engine.dispose()
    assert len(probe.calls) >= 2
