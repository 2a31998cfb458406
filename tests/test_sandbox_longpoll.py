"""Bots Long Poll on the sandbox: VK's envelopes, wait, replay by ts, failed codes, bulk drain."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import aiohttp

from vkbot.sandbox import SandboxControl


class Poller:
    """A minimal long-poll client that does exactly what the docs say (no retries)."""

    def __init__(self, vk_call: Any, session: aiohttp.ClientSession) -> None:
        self.vk_call = vk_call
        self.session = session
        self.server: dict[str, Any] = {}

    async def connect(self) -> dict[str, Any]:
        self.server = (await self.vk_call("groups.getLongPollServer", group_id=1001))["response"]
        return self.server

    async def poll(self, ts: str | int | None = None, wait: int = 0) -> dict[str, Any]:
        params = {
            "act": "a_check",
            "key": self.server["key"],
            "ts": str(ts or self.server["ts"]),
            "wait": str(wait),
        }
        async with self.session.get(self.server["server"], params=params) as resp:
            return await resp.json()


async def test_events_use_vk_envelope_and_message_fields(sandbox: SandboxControl, vk_call) -> None:
    async with aiohttp.ClientSession() as session:
        poller = Poller(vk_call, session)
        server = await poller.connect()
        assert isinstance(server["ts"], str) and server["server"].startswith(sandbox.url)
        await sandbox.inject_message(30, "Здравствуйте")
        await vk_call("messages.send", peer_id=30, message="Добрый день", random_id=9)
        await sandbox.admin_message(30, "Это я, основательница")
        await sandbox.press_button(30, {"cmd": "status"})
        answer = await poller.poll()
    assert isinstance(answer["ts"], str)
    types = [u["type"] for u in answer["updates"]]
    assert types == ["message_new", "message_reply", "message_reply", "message_event"]
    for update in answer["updates"]:
        assert update["group_id"] == 1001 and update["v"] == "5.199"
        assert re.fullmatch(r"[0-9a-f]{40}", update["event_id"])
    new = answer["updates"][0]["object"]
    assert new["client_info"]["button_actions"] and new["message"]["out"] == 0
    assert {
        "version",
        "conversation_message_id",
        "random_id",
        "fwd_messages",
        "attachments",
        "important",
        "is_hidden",
    } <= new["message"].keys()
    reply, admin = answer["updates"][1]["object"], answer["updates"][2]["object"]
    assert reply["out"] == 1 and reply["random_id"] == 9 and "admin_author_id" not in reply
    assert admin["admin_author_id"] == 1
    assert answer["updates"][3]["object"]["payload"] == {"cmd": "status"}
    assert [s["text"] for s in await sandbox.sent(30)] == ["Добрый день"]


async def test_wait_is_honoured_and_an_event_ends_it_early(sandbox: SandboxControl, vk_call) -> None:
    async with aiohttp.ClientSession() as session:
        poller = Poller(vk_call, session)
        await poller.connect()
        started = time.monotonic()
        empty = await poller.poll(wait=1)
        assert empty["updates"] == [] and empty["ts"] == poller.server["ts"]
        assert 0.9 <= time.monotonic() - started < 10  # wait=1 honoured, not the default 25
        started = time.monotonic()
        waiting = asyncio.create_task(poller.poll(wait=20))
        await asyncio.sleep(0.2)
        await sandbox.inject_message(31, "now")
        answer = await waiting
        assert [u["object"]["message"]["text"] for u in answer["updates"]] == ["now"]
        assert time.monotonic() - started < 10  # the event ended a 20 s wait early


async def test_an_older_ts_replays_what_a_restarted_client_missed(sandbox: SandboxControl, vk_call) -> None:
    async with aiohttp.ClientSession() as session:
        poller = Poller(vk_call, session)
        saved_ts = (await poller.connect())["ts"]
        for i in range(3):
            await sandbox.inject_message(32, f"m{i}")
        first = await poller.poll(saved_ts)
        fresh = Poller(vk_call, session)  # a restarted client: new key, its own saved ts
        await fresh.connect()
        replay = await fresh.poll(saved_ts)
    assert [u["event_id"] for u in replay["updates"]] == [u["event_id"] for u in first["updates"]]
    assert len(replay["updates"]) == 3 and replay["ts"] == first["ts"]


async def test_failed_codes_from_faults(sandbox: SandboxControl, vk_call) -> None:
    async with aiohttp.ClientSession() as session:
        poller = Poller(vk_call, session)
        ts = (await poller.connect())["ts"]
        await sandbox.inject_message(33, "before")
        await sandbox.add_faults({"longpoll_failed": 1, "count": 1}, {"longpoll_failed": 2, "count": 1})
        assert await poller.poll(ts) == {"failed": 1, "ts": int(ts)}
        assert await poller.poll(ts) == {"failed": 2}
        assert await poller.poll(ts) == {"failed": 2}  # that key is gone for good
        await poller.connect()
        seen = await poller.poll(ts)
        assert [u["object"]["message"]["text"] for u in seen["updates"]] == ["before"]

        await sandbox.inject_message(33, "lost from the stream")
        await sandbox.add_faults({"longpoll_failed": 3})
        assert await poller.poll(seen["ts"]) == {"failed": 3}
        again = await poller.connect()
        assert int(again["ts"]) > int(seen["ts"])
        assert (await poller.poll(again["ts"]))["updates"] == []
        assert (await poller.poll(seen["ts"]))["updates"] == []  # dropped from the stream, not replayable
        assert [u["object"]["message"]["text"] for u in (await poller.poll(ts))["updates"]] == ["before"]
    history = (await vk_call("messages.getHistory", peer_id=33))["response"]
    assert [m["text"] for m in history["items"]] == ["lost from the stream", "before"]


async def test_dropped_connections_and_slow_answers(sandbox: SandboxControl, vk_call) -> None:
    await sandbox.add_faults({"drop_connections": 2, "method": "groups.getById"})
    async with aiohttp.ClientSession() as session:
        for _ in range(2):
            try:
                async with session.post(
                    f"{sandbox.url}/method/groups.getById", data={"access_token": "sandbox-community-token"}
                ) as resp:
                    await resp.read()
                raise AssertionError("the connection should have been dropped")
            except aiohttp.ClientConnectionError:
                pass
    assert "response" in await vk_call("groups.getById")
    await sandbox.add_faults({"delay_ms": 1500, "method": "users.get", "count": 1})
    started = time.monotonic()
    await vk_call("users.get", user_ids=1)
    assert time.monotonic() - started >= 1.5
    started = time.monotonic()
    await vk_call("users.get", user_ids=1)
    assert time.monotonic() - started < 1.5  # the fault was used up (a loaded machine stays well under)


async def test_accept_then_timeout_sends_but_never_answers(sandbox: SandboxControl, vk_call) -> None:
    await sandbox.inject_message(34, "hi")
    await sandbox.add_faults({"accept_then_timeout": "messages.send", "count": 1})
    params = {
        "peer_id": "34",
        "message": "ответ",
        "random_id": "77",
        "access_token": "sandbox-community-token",
        "v": "5.199",
    }
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5)) as session:
        try:
            async with session.post(f"{sandbox.url}/method/messages.send", data=params) as resp:
                await resp.read()
            raise AssertionError("the answer should have been withheld")
        except TimeoutError:
            pass
    retry = await vk_call(
        "messages.send", **{k: v for k, v in params.items() if k not in ("access_token", "v")}
    )
    assert [s["message_id"] for s in await sandbox.sent(34)] == [retry["response"]]
    assert (await sandbox.calls())["deduplicated"] == 1


async def test_error_rules_by_share_and_count_also_inside_execute(sandbox: SandboxControl, vk_call) -> None:
    await sandbox.inject_message(35, "hi")
    await sandbox.add_faults({"method": "messages.send", "error_code": 10, "rate": 0.5, "count": 3})
    code = (
        "return ["
        + ",".join(
            f'API.messages.send({{"peer_id": 35, "message": "m{i}", "random_id": {i + 1}}})'
            for i in range(20)
        )
        + "];"
    )
    answer = await vk_call("execute", code=code)
    failures = [r for r in answer["response"] if r is False]
    assert len(failures) == 3 and [e["error_code"] for e in answer["execute_errors"]] == [10, 10, 10]
    assert len(await sandbox.sent(35)) == 17
    assert (await sandbox.calls())["errors"]["10"] == 3
    assert (await sandbox.add_faults({"method": "users.get", "error_code": 6}))["rules"]
    assert (await vk_call("users.get", user_ids=1))["error"]["error_code"] == 6
    await sandbox.clear_faults()
    assert "response" in await vk_call("users.get", user_ids=1)


async def test_bulk_of_20000_is_injected_and_drained_quickly(sandbox: SandboxControl, vk_call) -> None:
    async with aiohttp.ClientSession() as session:
        poller = Poller(vk_call, session)
        ts = (await poller.connect())["ts"]
        started = time.monotonic()
        result = await sandbox.bulk(20_000, seed=3)
        injected_s = time.monotonic() - started
        received, answers = 0, 0
        started = time.monotonic()
        while received < 20_000:
            answer = await poller.poll(ts, wait=1)
            assert 0 < len(answer["updates"]) <= 1000
            received += len(answer["updates"])
            answers += 1
            ts = answer["ts"]
        drained_s = time.monotonic() - started
    assert result["count"] == 20_000 and result["last_message_id"] - result["first_message_id"] == 19_999
    assert injected_s < 5 and drained_s < 10 and answers == 20
    again = await sandbox.bulk(5, seed=3)
    assert again["first_message_id"] > result["last_message_id"]


async def test_a_ts_outside_the_kept_window_answers_failed_1() -> None:
    from vkbot.sandbox import SandboxOptions, running_sandbox

    async with running_sandbox(SandboxOptions(event_window=100)) as sb, aiohttp.ClientSession() as session:
        control = SandboxControl(session, sb.url)
        data = {"access_token": "sandbox-community-token", "group_id": "1001"}
        async with session.post(f"{sb.api_url}groups.getLongPollServer", data=data) as resp:
            server = (await resp.json())["response"]
        await control.bulk(300, seed=1)

        async def poll(ts: int) -> dict[str, Any]:
            params = {"act": "a_check", "key": server["key"], "ts": str(ts), "wait": "0"}
            async with session.get(server["server"], params=params) as resp:
                return await resp.json()

        stale = await poll(int(server["ts"]))
        assert stale["failed"] == 1 and stale["ts"] > int(server["ts"])
        kept = await poll(stale["ts"])
        assert len(kept["updates"]) == len(sb.state.events) and len(kept["updates"]) >= 100
        future = await poll(sb.state.next_ts + 50)
        assert future == {"failed": 1, "ts": sb.state.next_ts}
