"""Two outbox senders on one PostgreSQL database drain a backlog together: nothing twice, each peer in order."""
# ruff: noqa: F811

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from tests.app_helpers import SANDBOX_TOKEN, eventually
from tests.db_fixtures import PG_URL, db_url, engine  # noqa: F401  (fixtures; tests take them as parameters)
from vkbot.api import VkClient
from vkbot.clock import SystemClock
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import OutboxSender, enqueue, message_request

ROWS = 2000
PEERS = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="VKBOT_TEST_PG_URL not set (.ci/run starts PostgreSQL)"),
]


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_two_senders_drain_2000_rows_with_no_duplicate(sandbox, engine) -> None:
    for peer in range(PEERS):  # VK lets the community write only to people who wrote first
        await sandbox.inject_message(from_id=700 + peer, text="hello")
    clock = SystemClock()  # two senders racing in real time: their leases run on it
    with Session(engine) as session:
        enqueue(
            session,
            [message_request(f"backlog:{i}", 700 + i % PEERS, f"reply {i}") for i in range(ROWS)],
            now=clock.now(),
        )
        session.commit()

    async with aiohttp.ClientSession() as http_a, aiohttp.ClientSession() as http_b:
        # 9 + 9 calls/s stays under the sandbox's 20/s for the shared token: no error 6, so any
        # repeated random_id in the sandbox's counter could only come from a row sent twice.
        clients = [
            VkClient(http, base_url=f"{sandbox.url}/method/", token=SANDBOX_TOKEN, rate_per_s=9, timeout_s=10)
            for http in (http_a, http_b)
        ]
        senders = [OutboxSender(engine, client, clock, batch_size=25, idle_poll_s=0.05) for client in clients]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(sender.run(stop)) for sender in senders]

        async def drained() -> bool:
            """every row is done"""
            return await asyncio.to_thread(_done_count, engine) == ROWS

        try:
            await eventually(drained, timeout=90, every=0.2)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
            for client in clients:
                await client.aclose()

    sent = await sandbox.sent()
    assert len(sent) == ROWS
    assert Counter(m["text"] for m in sent) == Counter(f"reply {i}" for i in range(ROWS))
    assert len({m["random_id"] for m in sent}) == ROWS
    for peer in range(PEERS):  # two senders, yet each conversation in the order it was written
        order = [int(m["text"].split()[1]) for m in sent if m["peer_id"] == 700 + peer]
        assert order == list(range(peer, ROWS, PEERS)), f"peer {700 + peer}"
    assert (await sandbox.calls())["deduplicated"] == 0  # no row reached VK twice
    assert [s.stats.sent > 0 for s in senders] == [True, True]  # both really took part
    assert sum(s.stats.sent for s in senders) == ROWS
    with Session(engine) as session:
        attempts = Counter(session.scalars(select(OutboxRow.attempts)))
    assert attempts == {1: ROWS}


def _done_count(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.scalar(select(func.count()).where(OutboxRow.status == "done")) or 0
