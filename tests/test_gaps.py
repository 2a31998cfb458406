"""Filling long-poll gaps from VK's history: what long poll lost is stored once and handled like the rest.

Each test runs on one ``SystemClock``: the sandbox dates messages by the wall clock, as VK does.
"""
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.app_helpers import SANDBOX_GROUP_ID, SANDBOX_TOKEN, eventually
from tests.db_fixtures import db_url, engine  # noqa: F401  (fixtures; tests take them as parameters)
from vkbot.api import StaticUserToken, VkClient
from vkbot.clock import SystemClock
from vkbot.core.store.events_repo import EventRecord, EventStore
from vkbot.core.store.models import StoredEvent
from vkbot.ingress.history import HistoryGapFiller
from vkbot.ingress.longpoll import GapReport, LongPollListener

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _client(http: aiohttp.ClientSession, url: str, user_token: str | None = None) -> VkClient:
    return VkClient(
        http,
        base_url=f"{url}/method/",
        token=SANDBOX_TOKEN,
        timeout_s=5,
        backoff_base_s=0.05,
        backoff_max_s=0.2,
        user_tokens=StaticUserToken(user_token) if user_token else None,
    )


def _stored(engine, **where) -> list[StoredEvent]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        query = select(StoredEvent).order_by(StoredEvent.id)
        for name, value in where.items():
            query = query.where(getattr(StoredEvent, name) == value)
        return list(session.scalars(query))


async def test_messages_written_while_away_are_recovered_once_in_order(sandbox, http, engine) -> None:
    for i in range(6):
        await sandbox.inject_message(from_id=501 + i % 2, text=f"away {i}")
    await sandbox.admin_message(501, "the founder answered by hand")  # outgoing: not a relative's message
    client = _client(http, sandbox.url)
    clock = SystemClock()
    filler = HistoryGapFiller(
        client, EventStore(engine, SANDBOX_GROUP_ID, clock), SANDBOX_GROUP_ID, clock=clock
    )
    try:
        assert await filler.fill(LONG_AGO) == 6
        assert await filler.fill(LONG_AGO) == 0  # a second read of the same history adds nothing
    finally:
        await client.aclose()
    rows = _stored(engine)
    assert [r.raw["object"]["message"]["text"] for r in rows] == [f"away {i}" for i in range(6)]
    assert {r.source for r in rows} == {"history"}
    assert all(r.malformed_reason is None and r.type == "message_new" for r in rows)
    # A stable synthetic id from the message's identity: the pipeline answers it like any other.
    assert [r.event_id for r in rows] == [f"history:msg:{r.message_key.replace(':', '_')}" for r in rows]
    assert [r.message_key for r in rows] == [f"{501 + i % 2}:{i // 2 + 1}" for i in range(6)]
    assert filler.last_result is not None and filler.last_result.messages_seen == 6


async def test_a_message_seen_by_long_poll_and_by_history_is_one_row(sandbox, http, engine) -> None:
    clock = SystemClock()
    store = EventStore(engine, SANDBOX_GROUP_ID, clock)
    first_ts = str((await sandbox.summary())["next_ts"])
    store.store_sync([], first_ts)  # the listener will replay every event from here
    for i in range(5):
        await sandbox.inject_message(from_id=520, text=f"both {i}")
    client = _client(http, sandbox.url)
    try:
        assert await HistoryGapFiller(client, store, SANDBOX_GROUP_ID, clock=clock).fill(LONG_AGO) == 5
        listener = LongPollListener(client, SANDBOX_GROUP_ID, store, wait=1, clock=clock)
        stop = asyncio.Event()
        task = asyncio.create_task(listener.run(stop))

        async def caught_up() -> bool:
            """the listener stored the answer with the five message_new events"""
            return listener.last_event_at is not None

        await eventually(caught_up)
        stop.set()
        await task
    finally:
        await client.aclose()
    assert len(_stored(engine, type="message_new")) == 5
    assert Counter(r.source for r in _stored(engine, type="message_new")) == {"history": 5}


async def test_the_gap_starts_at_the_newest_stored_message(sandbox, http, engine) -> None:
    clock = SystemClock()
    store = EventStore(engine, SANDBOX_GROUP_ID, clock)
    client = _client(http, sandbox.url)
    filler = HistoryGapFiller(client, store, SANDBOX_GROUP_ID, margin=timedelta(0), clock=clock)
    try:
        assert await filler.fill(GapReport(None, "1", clock.now())) == 0  # empty store: no anchor
        old = await sandbox.inject_message(from_id=530, text="long handled")
        # A stored message from "now + 1 h" makes the gap start after every message in history.
        future = {**old, "date": old["date"] + 3600, "conversation_message_id": 99}
        store.store_sync([_message_new(future)], None)
        await sandbox.inject_message(from_id=530, text="in the gap, but older than the anchor")
        assert await filler.fill(GapReport("5", "9", clock.now())) == 0
        store_then = len(_stored(engine))
        assert filler.last_result is not None and filler.last_result.start == datetime.fromtimestamp(
            future["date"], UTC
        )
        assert await filler.fill(LONG_AGO) == 2  # an explicit start reaches back
    finally:
        await client.aclose()
    assert store_then == 1


async def test_a_gap_after_an_edit_does_not_reach_back_to_the_edited_messages_date(
    sandbox, http, engine
) -> None:
    clock = SystemClock()
    store = EventStore(engine, SANDBOX_GROUP_ID, clock)
    anchor = await sandbox.inject_message(from_id=535, text="stored before the gap")
    store.store_sync([_message_new(anchor)], "7")
    # An edit arrives last; it carries the edited message's original date (here years ago).
    old = {**anchor, "date": int(LONG_AGO.timestamp()), "conversation_message_id": 1, "text": "правка"}
    store.store_sync([EventRecord.parse(_envelope("message_edit", old, "lp-edit"))], "8")
    client = _client(http, sandbox.url)
    filler = HistoryGapFiller(
        client, store, SANDBOX_GROUP_ID, margin=timedelta(0), comments=False, clock=clock
    )
    try:
        await filler.fill(GapReport("8", "9", clock.now()))
    finally:
        await client.aclose()
    assert filler.last_result is not None
    assert filler.last_result.start == datetime.fromtimestamp(anchor["date"], UTC)


async def test_a_gap_fill_never_reaches_further_back_than_its_window(sandbox, http, engine) -> None:
    clock = SystemClock()
    store = EventStore(engine, SANDBOX_GROUP_ID, clock)
    late = await sandbox.inject_message(from_id=536, text="delivered late, dated long ago")
    store.store_sync([_message_new({**late, "date": int(LONG_AGO.timestamp())})], "7")  # the ts saved now
    client = _client(http, sandbox.url)
    window = timedelta(hours=2)
    filler = HistoryGapFiller(client, store, SANDBOX_GROUP_ID, max_window=window, comments=False, clock=clock)
    try:
        before = clock.now()
        await filler.fill(GapReport("7", "9", before))
    finally:
        await client.aclose()
    assert filler.last_result is not None
    assert (
        before - window - timedelta(minutes=2)
        <= filler.last_result.start
        <= before - window + timedelta(minutes=2)
    )


async def test_history_is_paged_past_200_conversations_and_200_messages(sandbox, http, engine) -> None:
    await sandbox.bulk(1700, seed=7)  # about 212 writers
    for i in range(205):
        await sandbox.inject_message(from_id=540, text=f"long story {i}")
    client = _client(http, sandbox.url)
    clock = SystemClock()
    try:
        filler = HistoryGapFiller(
            client, EventStore(engine, SANDBOX_GROUP_ID, clock), SANDBOX_GROUP_ID, clock=clock
        )
        stored = await filler.fill(LONG_AGO)
    finally:
        await client.aclose()
    assert stored == 1905
    assert len({r.message_key for r in _stored(engine)}) == 1905


async def test_comments_without_a_user_token_are_reported_plainly(sandbox, http, engine) -> None:
    post = await sandbox.create_post("Памяти Алексея")
    await sandbox.add_comment(from_id=550, post_id=post["post_id"], text="светлая память")
    reports: list[str] = []
    client = _client(http, sandbox.url)
    clock = SystemClock()
    filler = HistoryGapFiller(
        client,
        EventStore(engine, SANDBOX_GROUP_ID, clock),
        SANDBOX_GROUP_ID,
        on_unrecovered=reports.append,
        clock=clock,
    )
    try:
        await filler.fill(LONG_AGO)
    finally:
        await client.aclose()
    assert len(reports) == 1
    assert "could not be recovered" in reports[0] and "no admin user token" in reports[0]
    assert filler.last_result is not None and filler.last_result.comments_unrecovered == reports[0]
    assert _stored(engine, type="wall_reply_new") == []


async def test_comments_are_recovered_with_the_admin_user_token(sandbox, http, engine) -> None:
    clock = SystemClock()
    store = EventStore(engine, SANDBOX_GROUP_ID, clock)
    post = await sandbox.create_post("Памяти Ольги")
    seen = await sandbox.add_comment(from_id=560, post_id=post["post_id"], text="seen by long poll")
    store.store_sync([_comment_event(seen["comment_id"], post["post_id"], "seen by long poll")], None)
    await sandbox.add_comment(from_id=561, post_id=post["post_id"], text="lost in the gap")
    token = (await sandbox.mint_user_token())["access_token"]
    client = _client(http, sandbox.url, user_token=token)
    filler = HistoryGapFiller(client, store, SANDBOX_GROUP_ID, clock=clock)
    try:
        assert await filler.fill(LONG_AGO) == 1
        assert await filler.fill(LONG_AGO) == 0
    finally:
        await client.aclose()
    comments = _stored(engine, type="wall_reply_new")
    assert [c.raw["object"]["text"] for c in comments] == ["seen by long poll", "lost in the gap"]
    recovered = comments[1]
    assert recovered.source == "history" and recovered.malformed_reason is None
    assert recovered.raw["object"]["post_owner_id"] == -SANDBOX_GROUP_ID
    assert filler.last_result is not None and filler.last_result.comments_unrecovered is None


async def test_a_failed_fill_is_retried_from_its_own_start(sandbox, http, engine) -> None:
    clock = SystemClock()
    store = EventStore(engine, SANDBOX_GROUP_ID, clock)
    anchor = await sandbox.inject_message(from_id=570, text="stored before the gap")
    store.store_sync([_message_new(anchor)], None)
    await sandbox.inject_message(from_id=571, text="lost in the gap")
    await sandbox.add_faults({"method": "messages.getConversations", "error_code": 100, "count": 1})
    client = _client(http, sandbox.url)
    filler = HistoryGapFiller(client, store, SANDBOX_GROUP_ID, comments=False, clock=clock)
    try:
        with pytest.raises(Exception, match="100"):
            await filler.fill(GapReport("1", "2", clock.now()))
        # Meanwhile long poll stored a much newer message; the next fill still reaches the old gap.
        later = {**anchor, "date": anchor["date"] + 3600, "conversation_message_id": 50, "peer_id": 572}
        store.store_sync([_message_new({**later, "from_id": 572})], None)
        assert await filler.fill(GapReport("3", "4", clock.now())) == 1
    finally:
        await client.aclose()
    assert [r.raw["object"]["message"]["text"] for r in _stored(engine, source="history")] == [
        "lost in the gap"
    ]


def _envelope(event_type: str, obj: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {
        "type": event_type,
        "object": obj,
        "group_id": SANDBOX_GROUP_ID,
        "event_id": event_id,
        "v": "5.199",
    }


def _message_new(message: dict[str, Any]) -> EventRecord:
    """The message as long poll would have delivered it."""
    event_id = f"lp-{message['peer_id']}-{message['conversation_message_id']}"
    return EventRecord.parse(_envelope("message_new", {"message": message, "client_info": {}}, event_id))


def _comment_event(comment_id: int, post_id: int, text: str) -> EventRecord:
    """A ``wall_reply_new`` as long poll would have delivered it."""
    obj = {
        "id": comment_id,
        "from_id": 560,
        "date": int(time.time()),
        "text": text,
        "post_id": post_id,
        "owner_id": -SANDBOX_GROUP_ID,
        "post_owner_id": -SANDBOX_GROUP_ID,
    }
    return EventRecord.parse(
        {
            "type": "wall_reply_new",
            "object": obj,
            "group_id": SANDBOX_GROUP_ID,
            "event_id": f"lp-c{comment_id}",
        }
    )


class _History:
    """VK's history answers for one conversation (the fill's only calls when comments are off)."""

    def __init__(self, peer_id: int, items: list[dict[str, Any]]):
        self.peer_id, self.items = peer_id, items

    async def call(self, method: str, params: dict[str, Any] | None = None, *, batch: bool = True) -> Any:
        if method == "messages.getConversations":
            last = self.items[0]
            return {
                "count": 1,
                "items": [{"conversation": {"peer": {"id": self.peer_id}}, "last_message": last}],
            }
        assert method == "messages.getHistory"
        return {"count": len(self.items), "items": self.items}


async def test_recovered_messages_that_do_not_parse_are_each_kept_with_their_reason(engine) -> None:
    clock = SystemClock()
    now = int(clock.now().timestamp())
    good = {"id": 3, "date": now, "peer_id": 580, "from_id": 580, "text": "ok", "conversation_message_id": 3}
    broken = [{"id": i, "date": now, "from_id": 580, "text": f"no peer {i}"} for i in (1, 2)]
    store = EventStore(engine, SANDBOX_GROUP_ID, clock)
    filler = HistoryGapFiller(
        _History(580, [good, *broken]), store, SANDBOX_GROUP_ID, comments=False, clock=clock
    )
    assert await filler.fill(LONG_AGO) == 3
    rows = _stored(engine, source="history")
    kept = [r for r in rows if r.malformed_reason]
    assert [r.raw["object"]["message"]["text"] for r in kept] == ["no peer 1", "no peer 2"]
    assert all("peer_id" in (r.malformed_reason or "") for r in kept)
    assert [r.event_id for r in rows if not r.malformed_reason] == ["history:msg:580_3"]
