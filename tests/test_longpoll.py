"""The long-poll listener against the sandbox: every message stored once through failures, restarts and gaps."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from tests.conftest import SANDBOX_GROUP_ID, SANDBOX_TOKEN
from vkbot.api.client import VkClient
from vkbot.clock import ManualClock
from vkbot.ingress.events import MalformedEvent, MessageNew, VkEvent
from vkbot.ingress.longpoll import GapReport, LongPollListener
from vkbot.sandbox import SandboxControl

FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class RecordingSink:
    """An in-memory EventSink: records every store call exactly as the listener made it."""

    def __init__(self, ts: str | None = None) -> None:
        self.ts = ts
        self.events: list[VkEvent | MalformedEvent] = []
        self.stores: list[tuple[int, str]] = []
        self.fail_next = 0
        self.fail_loads = 0

    async def load_ts(self) -> str | None:
        if self.fail_loads:
            self.fail_loads -= 1
            raise RuntimeError("database is starting")
        return self.ts

    async def store(self, events: Sequence[VkEvent | MalformedEvent], ts: str) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("database is locked")
        self.events.extend(events)
        self.stores.append((len(events), ts))
        self.ts = ts

    def texts(self) -> list[str]:
        return [
            e.obj.message.text
            for e in self.events
            if isinstance(e, VkEvent) and isinstance(e.obj, MessageNew)
        ]


async def short_sleep(seconds: float) -> None:
    await asyncio.sleep(min(seconds, 0.02))


async def wait_until(check: Callable[[], bool], within_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


class Running:
    """A listener running in the background until ``stop()``."""

    def __init__(self, listener: LongPollListener) -> None:
        self.listener = listener
        self.stop_event = asyncio.Event()
        self.task = asyncio.create_task(listener.run(self.stop_event))

    async def stop(self) -> None:
        self.stop_event.set()
        await asyncio.wait_for(self.task, 5)


@pytest.fixture
async def client(sandbox: SandboxControl) -> AsyncIterator[VkClient]:
    async with aiohttp.ClientSession() as session:
        vk = VkClient(
            session,
            base_url=f"{sandbox.url}/method/",
            token=SANDBOX_TOKEN,
            timeout_s=5,
            max_retries=0,  # the listener's own backoff is under test
            sleep=short_sleep,
        )
        yield vk
        await vk.aclose()


StartListener = Callable[..., Running]


@pytest.fixture
async def start(client: VkClient) -> AsyncIterator[StartListener]:
    running: list[Running] = []

    def _start(sink: RecordingSink, **kwargs: Any) -> Running:
        options: dict[str, Any] = {
            "wait": 1,
            "backoff_base_s": 0.01,
            "backoff_max_s": 0.05,
            "sleep": short_sleep,
            "clock": ManualClock(FIXED_NOW),
            "rng": random.Random(3),
        }
        options.update(kwargs)
        run = Running(LongPollListener(client, SANDBOX_GROUP_ID, sink, **options))
        running.append(run)
        return run

    yield _start
    for run in running:
        if not run.task.done():
            await run.stop()


async def test_a_message_arrives_typed_and_health_is_reported(
    sandbox: SandboxControl, start: StartListener
) -> None:
    sink = RecordingSink()
    run = start(sink)
    await wait_until(lambda: run.listener.state == "polling")
    await sandbox.inject_message(5001, "Здравствуйте, можно видео?")
    await wait_until(lambda: len(sink.events) == 1)
    event = sink.events[0]
    assert isinstance(event, VkEvent) and event.type == "message_new" and event.group_id == SANDBOX_GROUP_ID
    assert event.message is not None and event.message.from_id == 5001
    assert run.listener.last_event_at == FIXED_NOW and run.listener.last_poll_at == FIXED_NOW
    assert run.listener.consecutive_failures == 0
    await run.stop()
    assert run.listener.state == "stopped"


async def test_every_injected_message_is_stored_once_across_failed_1_2_and_dropped_connections(
    sandbox: SandboxControl, start: StartListener
) -> None:
    sink = RecordingSink()
    run = start(sink)
    await wait_until(lambda: run.listener.state == "polling")
    expected: list[str] = []

    async def inject(text: str) -> None:
        await sandbox.inject_message(6000 + len(expected), text)
        expected.append(text)

    await inject("before any fault")
    await wait_until(lambda: len(sink.texts()) == 1)
    for fault in ({"longpoll_failed": 1, "count": 1}, {"longpoll_failed": 2, "count": 1}):
        await sandbox.add_faults(fault)
        await inject(f"around {fault}")
        await inject(f"after {fault}")
        await wait_until(lambda: len(sink.texts()) == len(expected))
    await sandbox.add_faults({"drop_connections": 3, "method": "longpoll"})
    for i in range(5):
        await inject(f"through drops {i}")
    await wait_until(lambda: len(sink.texts()) == len(expected))
    await asyncio.sleep(0.3)  # would anything arrive twice?
    assert sorted(sink.texts()) == sorted(expected)
    ids = [e.event_id for e in sink.events]
    assert len(ids) == len(set(ids))
    assert run.listener.consecutive_failures == 0


async def test_restart_after_a_clean_stop_resumes_from_the_saved_ts(
    sandbox: SandboxControl, start: StartListener
) -> None:
    sink = RecordingSink()
    first = start(sink)
    await wait_until(lambda: first.listener.state == "polling")
    await sandbox.inject_message(7001, "first")
    await sandbox.inject_message(7002, "second")
    await wait_until(lambda: len(sink.texts()) == 2)
    await first.stop()
    saved = sink.ts
    await sandbox.inject_message(7003, "while stopped")
    await sandbox.inject_message(7004, "also while stopped")
    second = start(sink)
    await wait_until(lambda: len(sink.texts()) == 4)
    await sandbox.inject_message(7005, "after restart")
    await wait_until(lambda: len(sink.texts()) == 5)
    await asyncio.sleep(0.3)
    assert sink.texts() == ["first", "second", "while stopped", "also while stopped", "after restart"]
    assert saved is not None and int(sink.ts) > int(saved)
    await second.stop()


async def test_failed_3_reports_the_gap_and_listening_goes_on(
    sandbox: SandboxControl, start: StartListener
) -> None:
    gaps: list[GapReport] = []

    async def on_gap(report: GapReport) -> None:
        gaps.append(report)

    sink = RecordingSink()
    run = start(sink, on_gap=on_gap)
    await wait_until(lambda: run.listener.state == "polling")
    await sandbox.inject_message(8001, "before the gap")
    await wait_until(lambda: len(sink.texts()) == 1)
    ts_before = sink.ts
    await sandbox.add_faults({"longpoll_failed": 3, "count": 1})
    await wait_until(lambda: len(gaps) == 1, within_s=5)
    await sandbox.inject_message(8002, "after the gap")
    await wait_until(lambda: "after the gap" in sink.texts())
    report = gaps[0]
    assert report.since_ts == ts_before and report.at == FIXED_NOW
    assert report.new_ts is not None and sink.stores[-1][1] == sink.ts
    assert sink.texts() == ["before the gap", "after the gap"]


async def test_long_poll_server_errors_and_store_failures_are_retried(
    sandbox: SandboxControl, start: StartListener
) -> None:
    await sandbox.add_faults({"method": "groups.getLongPollServer", "error_code": 10, "count": 3})
    sink = RecordingSink()
    sink.fail_loads = 2  # the store is not up yet when the listener starts
    run = start(sink)
    await wait_until(lambda: run.listener.state == "polling")
    sink.fail_next = 2  # the store is down for the next two answers
    await sandbox.inject_message(9001, "survives")
    await wait_until(lambda: sink.texts() == ["survives"])
    calls = await sandbox.calls()
    assert calls["errors"]["10"] == 3
    assert run.listener.consecutive_failures == 0
    await asyncio.sleep(0.2)
    assert sink.texts() == ["survives"]  # replayed after the store failures, stored once


async def test_stop_interrupts_a_long_wait_promptly(sandbox: SandboxControl, start: StartListener) -> None:
    run = start(RecordingSink(), wait=25)
    await wait_until(lambda: run.listener.state == "polling")
    await asyncio.sleep(0.1)
    started = asyncio.get_running_loop().time()
    await run.stop()
    assert asyncio.get_running_loop().time() - started < 1
