"""VK's per-token limit shared through PostgreSQL: limiters in separate engines (as processes) never overrun it."""
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import threading
import time

import aiohttp
import pytest

from tests.app_helpers import SANDBOX_TOKEN
from tests.db_fixtures import PG_URL, db_url, engine  # noqa: F401  (fixtures)
from vkbot.api import VkClient
from vkbot.core.rate import SharedRateLimiter, Slot, limiter_for, token_bucket
from vkbot.core.store.db import make_engine


def _take_many(limiter: SharedRateLimiter, count: int, starts: list[float], lock: threading.Lock) -> None:
    deadline = time.monotonic() + 60
    taken = 0
    while taken < count and time.monotonic() < deadline:
        slot = limiter.take()
        if slot.started_at is None:
            time.sleep(slot.wait_s)
            continue
        with lock:
            starts.append(slot.started_at)
        taken += 1


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="VKBOT_TEST_PG_URL not set (.ci/run starts PostgreSQL)")
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_three_processes_never_start_more_than_the_limit_in_a_window(engine, db_url) -> None:
    engines = [make_engine(db_url) for _ in range(3)]  # each its own pool, as separate processes
    limiters = [SharedRateLimiter(e, "community:test", 10) for e in engines]
    starts: list[float] = []
    lock = threading.Lock()
    threads = [threading.Thread(target=_take_many, args=(lim, 15, starts, lock)) for lim in limiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for e in engines:
        e.dispose()
    assert len(starts) == 45
    window = limiters[0].window_s
    starts.sort()
    busiest = max(sum(1 for t in starts if s <= t < s + window) for s in starts)
    assert busiest == 10  # full windows, never more
    # Another token's limit is its own: it is not held back by this one's full window.
    other = SharedRateLimiter(engine, "community:other", 10)
    assert other.take().started_at is not None


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="VKBOT_TEST_PG_URL not set (.ci/run starts PostgreSQL)")
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_two_clients_on_one_token_share_its_limit_and_vk_never_answers_6(
    sandbox, engine, db_url
) -> None:
    engines = [make_engine(db_url) for _ in range(2)]
    bucket = token_bucket("community", SANDBOX_TOKEN)
    # 18/s shared stays under the sandbox's 20/s; each client alone at 18/s would make 36/s together.
    async with aiohttp.ClientSession() as http:
        clients = [
            VkClient(
                http,
                base_url=f"{sandbox.url}/method/",
                token=SANDBOX_TOKEN,
                timeout_s=10,
                execute_batch=False,
                limiters=(limiter_for(e, bucket, 18), limiter_for(e, "user:test", 3)),
            )
            for e in engines
        ]
        try:
            started = time.monotonic()
            await asyncio.gather(
                *(client.call("groups.getById", {"group_id": 1001}) for client in clients for _ in range(45))
            )
            elapsed = time.monotonic() - started
        finally:
            for client in clients:
                await client.aclose()
    for e in engines:
        e.dispose()
    calls = await sandbox.calls()
    assert calls["methods"].get("groups.getById") == 90
    assert calls["errors"].get("6", 0) == 0
    assert elapsed >= 4 * 1.1  # 90 starts at 18 per 1.1 s take at least four full windows


def test_sqlite_keeps_the_in_process_limiter(tmp_path) -> None:
    sqlite = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert not isinstance(limiter_for(sqlite, "community:x", 20), SharedRateLimiter)
    finally:
        sqlite.dispose()


async def test_a_database_that_does_not_answer_holds_calls_back_until_it_does(tmp_path) -> None:
    """Two failed tries (the database unreachable): acquire waits and tries again instead of raising."""
    sqlite = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    limiter = SharedRateLimiter(sqlite, "community:x", 5)
    attempts: list[int] = []

    def flaky_take():  # type: ignore[no-untyped-def]
        attempts.append(1)
        if len(attempts) < 3:
            raise OSError("connection refused")
        return Slot(1.0, 0.0)

    limiter.take = flaky_take  # type: ignore[method-assign]
    try:
        await asyncio.wait_for(limiter.acquire(), 30)
    finally:
        sqlite.dispose()
    assert len(attempts) == 3
