"""Messages VK's long poll lost are recovered from history and answered by the real pipeline, each once.

Issue 12: a message recovered after ``failed: 3`` or after a long downtime was stored without an
``event_id``, the pipeline called it malformed and nobody answered it. These tests run the production
pipeline (not the echo handler): every relative who wrote gets the same replies, exactly once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.app_helpers import SANDBOX_GROUP_ID, SANDBOX_TOKEN, running_app, sandbox_config
from vkbot.core.store.models import StoredEvent
from vkbot.ingress.events import MessageNew, event_type_of
from vkbot.sandbox import SandboxControl, SandboxOptions, start_sandbox_thread

HELLO = "Здравствуйте, хочу заказать ролик"


async def _wait_until(check: Callable[[], Awaitable[bool]], timeout: float) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.25)
    return True


def _replies_per_writer(sent: list[dict], writers: range) -> Counter[int]:
    """How many replies each writer got (0 for the unanswered)."""
    got = Counter(m["peer_id"] for m in sent)
    return Counter({w: got[w] for w in writers})


async def _answered(sandbox: SandboxControl, writers: range, timeout: float) -> Counter[int]:
    async def everyone() -> bool:
        got = {m["peer_id"] for m in await sandbox.sent()}
        return all(w in got for w in writers)

    await _wait_until(everyone, timeout)
    await asyncio.sleep(1.0)  # a second answer to anyone would show now
    return _replies_per_writer(await sandbox.sent(), writers)


def _assert_each_answered_once(replies: Counter[int], engine) -> None:  # type: ignore[no-untyped-def]
    unanswered = sorted(w for w, n in replies.items() if n == 0)
    print(
        f"writers={len(replies)} unanswered={len(unanswered)} replies-per-writer={Counter(replies.values())}"
    )
    assert unanswered == []
    # Everyone wrote the same first message, so everyone hears the same number of replies: a message
    # handled twice (stored twice, or answered again) would show as a writer with more.
    assert len(set(replies.values())) == 1, Counter(replies.values())
    with Session(engine) as session:
        stored = session.scalars(
            select(StoredEvent).where(StoredEvent.type == event_type_of(MessageNew))
        ).all()
    assert len(stored) == len({e.message_key for e in stored}) == len(replies)
    assert all(e.processed_at is not None and e.malformed_reason is None for e in stored)


async def test_a_gap_during_a_stream_leaves_nobody_unanswered(sandbox, tmp_path) -> None:
    writers = range(20_000, 20_300)
    config = sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 'suite.db'}", tmp_path / "files")
    async with running_app(config) as app:
        for i, writer in enumerate(writers):
            if i == len(writers) // 3:
                # The poll answering failed 3 is held back first, so the messages written meanwhile
                # leave the stream for certain (they stay in VK's history).
                await sandbox.add_faults({"delay_ms": 1500, "method": "longpoll", "count": 1})
                await sandbox.add_faults({"longpoll_failed": 3})
            await sandbox.inject_message(from_id=writer, text=HELLO)
            await asyncio.sleep(0.01)
        replies = await _answered(sandbox, writers, timeout=120)
        with Session(app.engine) as session:
            from_history = session.scalars(select(StoredEvent).where(StoredEvent.source == "history")).all()
    assert from_history, "the gap was not filled from history"
    _assert_each_answered_once(replies, app.engine)


@pytest.fixture
async def short_memory_sandbox() -> AsyncIterator[SandboxControl]:
    """A sandbox whose long poll keeps only the last 200 events, as VK forgets a night's worth."""
    server = start_sandbox_thread(
        SandboxOptions(
            group_id=SANDBOX_GROUP_ID, community_token=SANDBOX_TOKEN, rate_per_s=20, seed=3, event_window=200
        )
    )
    try:
        async with aiohttp.ClientSession() as session:
            yield SandboxControl(session, server.url)
    finally:
        server.stop()


async def test_a_night_down_with_many_messages_waiting_answers_every_one(
    short_memory_sandbox: SandboxControl, tmp_path: Path
) -> None:
    sandbox = short_memory_sandbox
    # 700: more than three pages of getConversations (200 each) beyond the 200 events long poll keeps.
    writers = range(30_000, 30_700)
    config = sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 'suite.db'}", tmp_path / "files")
    first = writers[0]
    async with running_app(config):
        await sandbox.inject_message(from_id=first, text=HELLO)
        assert await _wait_until(lambda: _has_reply(sandbox, first), 30)
    for writer in writers[1:]:  # the night: the suite is down, relatives keep writing
        await sandbox.inject_message(from_id=writer, text=HELLO)
    async with running_app(config) as app:
        replies = await _answered(sandbox, writers, timeout=180)
    _assert_each_answered_once(replies, app.engine)


async def _has_reply(sandbox: SandboxControl, peer_id: int) -> bool:
    return bool(await sandbox.sent(peer_id=peer_id))
