"""Odd long-poll answers the sandbox cannot produce (non-JSON, junk updates, unknown failed): a scripted server.

The scripted server is a plain aiohttp app on the other side of the client's HTTP seam: it answers
``groups.getLongPollServer`` and then replays a list of canned poll answers, recording each request.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.test_longpoll import RecordingSink, short_sleep, wait_until
from vkbot.api.client import VkClient
from vkbot.clock import ManualClock
from vkbot.ingress.events import MalformedEvent, VkEvent
from vkbot.ingress.longpoll import LongPollListener

GROUP = 77

GOOD = {
    "type": "message_new",
    "event_id": "ev-good",
    "group_id": GROUP,
    "v": "5.199",
    "object": {
        "message": {
            "id": 1,
            "date": 1732540000,
            "peer_id": 5,
            "from_id": 5,
            "text": "hi",
            "conversation_message_id": 1,
            "out": 0,
            "version": 1,
        }
    },
}


class ScriptedVk:
    """Serves getLongPollServer answers and poll answers from lists; records what the listener asked."""

    def __init__(self) -> None:
        self.server_answers: list[Any] = []
        self.poll_answers: list[Any] = []
        self.server_calls = 0
        self.polls: list[dict[str, str]] = []
        self.url = ""

    async def method(self, request: web.Request) -> web.Response:
        self.server_calls += 1
        assert request.headers.get("Authorization") == "Bearer tok"
        default = {"server": f"{self.url}/lp", "key": f"key{self.server_calls}", "ts": "100"}
        answer = self.server_answers.pop(0) if self.server_answers else default
        return web.json_response({"response": answer} if "error" not in answer else answer)

    async def poll(self, request: web.Request) -> web.StreamResponse:
        self.polls.append(dict(request.query))
        if not self.poll_answers:
            await asyncio.sleep(0.05)
            return web.json_response({"ts": request.query["ts"], "updates": []})
        answer = self.poll_answers.pop(0)
        if isinstance(answer, bytes):
            return web.Response(body=answer, content_type="text/html")
        return web.json_response(answer)


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedVk]:
    vk = ScriptedVk()
    app = web.Application()
    app.router.add_post("/method/groups.getLongPollServer", vk.method)
    app.router.add_get("/lp", vk.poll)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    vk.url = f"http://127.0.0.1:{port}"
    yield vk
    await runner.cleanup()


async def run_until(scripted: ScriptedVk, sink: RecordingSink, done: Any) -> LongPollListener:
    async with aiohttp.ClientSession() as session:
        client = VkClient(
            session, base_url=f"{scripted.url}/method/", token="tok", max_retries=0, sleep=short_sleep
        )
        listener = LongPollListener(
            client,
            GROUP,
            sink,
            wait=1,
            backoff_base_s=0.01,
            backoff_max_s=0.02,
            sleep=short_sleep,
            rng=random.Random(1),
            clock=ManualClock(),
        )
        stop = asyncio.Event()
        task = asyncio.create_task(listener.run(stop))
        try:
            await wait_until(lambda: done(listener))
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)
            await client.aclose()
    return listener


async def test_a_malformed_update_is_stored_raw_with_its_reason_next_to_good_ones(
    scripted: ScriptedVk,
) -> None:
    bad = {"type": "message_new", "event_id": "ev-bad", "group_id": GROUP, "object": {"message": {"text": 1}}}
    scripted.poll_answers = [{"ts": "101", "updates": [GOOD, bad, "junk", {**GOOD, "type": "like_add"}]}]
    sink = RecordingSink()
    await run_until(scripted, sink, lambda _: sink.ts == "101")
    good, bad_event, junk, unknown = sink.events
    assert isinstance(good, VkEvent) and good.event_id == "ev-good"
    assert (
        isinstance(bad_event, MalformedEvent)
        and bad_event.event_id == "ev-bad"
        and "message" in bad_event.reason
    )
    assert isinstance(junk, MalformedEvent) and junk.raw == "junk"
    assert isinstance(unknown, MalformedEvent) and "like_add" in unknown.reason
    assert sink.stores[0] == (4, "101")


async def test_unusable_answers_are_survived_and_ts_only_moves_with_a_good_one(scripted: ScriptedVk) -> None:
    scripted.server_answers = [{"server": f"{scripted.url}/lp", "ts": "100"}]  # no key: refetch
    scripted.poll_answers = [
        b"<html>502 Bad Gateway</html>",  # not JSON
        {"updates": []},  # no ts -> new server
        {"failed": 4, "min_version": 0, "max_version": 19},  # unknown failed -> new server
        {"failed": 1, "ts": 105},  # int ts, as VK sometimes sends
        {"ts": 106, "updates": [GOOD]},
        {"ts": "107", "updates": "oops"},  # updates not a list: kept as one malformed record
    ]
    sink = RecordingSink()
    listener = await run_until(scripted, sink, lambda _: sink.ts == "107")
    assert [ts for _, ts in sink.stores] == ["105", "106", "107"]
    assert isinstance(sink.events[0], VkEvent)
    assert isinstance(sink.events[1], MalformedEvent) and "not a list" in sink.events[1].reason
    # First server answer lacked a key, then the no-ts and failed-4 answers each forced a new server.
    assert scripted.server_calls == 4
    asked = [(p["ts"], p["key"]) for p in scripted.polls[:5]]
    assert asked[:4] == [("100", "key2"), ("100", "key2"), ("100", "key3"), ("100", "key4")]
    assert asked[4] == ("105", "key4")
    assert all(p["act"] == "a_check" and p["wait"] == "1" for p in scripted.polls)
    assert listener.state == "stopped" and listener.consecutive_failures == 0


async def test_a_saved_ts_wins_over_the_servers(scripted: ScriptedVk) -> None:
    sink = RecordingSink(ts="42")
    await run_until(scripted, sink, lambda _: len(scripted.polls) >= 1)
    assert scripted.polls[0]["ts"] == "42"


async def test_getlongpollserver_errors_never_kill_the_listener(scripted: ScriptedVk) -> None:
    error = {"error": {"error_code": 10, "error_msg": "Internal server error", "request_params": []}}
    scripted.server_answers = [error, error, {"error": {"error_code": 5, "error_msg": "auth"}}]
    sink = RecordingSink()
    listener = await run_until(scripted, sink, lambda lp: lp.last_poll_at is not None)
    assert scripted.server_calls == 4  # 10, 10, 5 (even auth errors are retried, with backoff), then a server
    assert listener.consecutive_failures == 0
