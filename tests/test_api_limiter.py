"""The rolling-window limiter never lets more than its capacity start within any window, on a fake clock."""

from __future__ import annotations

import asyncio

from vkbot.api.limiter import RollingWindowLimiter


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


async def test_no_rolling_second_ever_holds_more_than_the_vk_limit() -> None:
    t = FakeTime()
    limiter = RollingWindowLimiter(20, clock=t.clock, sleep=t.sleep)
    starts: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        starts.append(t.now)

    await asyncio.gather(*(one() for _ in range(200)))
    assert len(starts) == 200
    # VK's rule: at most 20 in any rolling second; ours keeps a 0.1 s margin (20 per 1.1 s), so even
    # with 0.1 s of jitter no rolling second at the server holds more than 20.
    for i, start in enumerate(starts):
        in_window = [s for s in starts[i:] if s - start < 1.1]
        assert len(in_window) <= 20
    # ...but it is not needlessly slow: 200 calls take about 200/20 windows of 1.1 s.
    assert starts[-1] - starts[0] <= (200 / 20) * 1.1 + 0.01


async def test_a_quiet_limiter_does_not_wait() -> None:
    t = FakeTime()
    limiter = RollingWindowLimiter(3, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        await limiter.acquire()
    assert t.now == 1000.0
    assert limiter.capacity == 3 and limiter.in_window() == 3


async def test_a_rate_of_one_allows_one_per_window() -> None:
    t = FakeTime()
    limiter = RollingWindowLimiter(1, clock=t.clock, sleep=t.sleep)
    await limiter.acquire()
    await limiter.acquire()
    assert t.now >= 1001.0
