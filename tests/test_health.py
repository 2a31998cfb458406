"""The health endpoint: 200 with the listener, outbox and tokens while all is well, 503 once the listener stalls."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sqlmodel import Session

from tests.app_helpers import eventually, running_app, sandbox_config
from vkbot.app import App
from vkbot.effects.outbox import enqueue, message_request
from vkbot.ops.health import HealthServer, HealthSettings, HealthSources
from vkbot.sandbox import SandboxControl

DROP_EVERY_POLL = {"drop_connections": 1_000_000, "method": "longpoll"}


class NoHandler:
    def handle(self, session: Session, event: Any) -> list[Any]:
        return []

    def give_up(self, session: Session, event: Any, error: str) -> list[Any]:
        return []


@dataclass
class FakeTokenStatus:
    last_refresh_at: datetime | None
    last_error: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "last_refresh_at": self.last_refresh_at.isoformat() if self.last_refresh_at else None,
            "last_error": self.last_error,
        }


@pytest.fixture
def config(sandbox: SandboxControl, tmp_path: Any) -> Any:
    return sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 'suite.db'}", tmp_path / "files")


async def _serve_health(
    app: App, stall_after_s: float, **sources: Any
) -> tuple[HealthServer, asyncio.Task[None], asyncio.Event]:
    server = HealthServer(
        HealthSources(app.engine, app.config.vk.group_id, app.listener, clock=app.clock, **sources),
        HealthSettings(enabled=True, port=0, stall_after_s=stall_after_s),
    )
    stop = asyncio.Event()
    task = asyncio.create_task(server.run(stop))
    await asyncio.wait_for(server.started.wait(), 10)
    return server, task, stop


async def _get(port: int | None) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/health") as resp:
        return resp.status, await resp.json()


async def test_a_working_suite_answers_200_with_listener_outbox_and_token(
    sandbox: SandboxControl, config: Any
) -> None:
    refreshed = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    async with running_app(config, NoHandler()) as app:
        server, task, stop = await _serve_health(
            app, 30, token_status=lambda: FakeTokenStatus(refreshed, None)
        )
        try:
            await eventually(lambda: _polled(app))
            status, body = await _get(server.port)
        finally:
            stop.set()
            await task
    assert status == 200
    assert body["healthy"] is True
    assert body["listener"]["state"] == "polling"
    assert body["listener"]["last_poll_at"] is not None
    assert 0 <= body["listener"]["lag_s"] < 30
    assert body["outbox"]["parked"] == []
    assert body["tokens"]["admin_user"]["last_refresh_at"] == refreshed.isoformat()


async def test_parked_rows_are_listed_with_their_reason(sandbox: SandboxControl, config: Any) -> None:
    await sandbox.allow(4242)
    await sandbox.add_faults({"method": "messages.send", "error_code": 100, "rate": 1.0, "count": 1})
    async with running_app(config, NoHandler()) as app:
        with Session(app.engine) as session:
            enqueue(session, [message_request("t:parked", 4242, "hello")], now=app.sender.clock.now())
            session.commit()
        app.sender.wake.set()
        server, task, stop = await _serve_health(app, 30)
        try:

            async def parked() -> bool:
                """the row parked"""
                return app.sender.stats.parked == 1

            await eventually(parked)
            status, body = await _get(server.port)
        finally:
            stop.set()
            await task
    assert status == 200  # parked rows are alerted on, a restart would not fix them
    assert body["outbox"]["counts"]["parked"] == 1
    [row] = body["outbox"]["parked"]
    assert row["method"] == "messages.send" and row["peer_id"] == 4242
    assert "100" in row["reason"]


async def test_a_listener_without_a_good_poll_makes_the_endpoint_answer_503(
    sandbox: SandboxControl, config: Any
) -> None:
    async with running_app(config, NoHandler()) as app:
        await eventually(lambda: _polled(app))
        server, task, stop = await _serve_health(app, 1.8)  # a quiet poll takes 1 s
        try:
            assert (await _get(server.port))[0] == 200
            await sandbox.add_faults(DROP_EVERY_POLL)
            await asyncio.sleep(4.0)  # the poll in flight (wait 1 s) ends, then only dropped ones
            status, body = await _get(server.port)
            await sandbox.clear_faults()

            async def healthy_again() -> bool:
                """200 once polls succeed again"""
                return (await _get(server.port))[0] == 200

            await eventually(healthy_again)
        finally:
            stop.set()
            await task
    assert status == 503
    assert body["healthy"] is False
    assert body["listener"]["stalled"] is True
    assert body["listener"]["consecutive_failures"] >= 1
    assert "long poll" in body["problems"][0]


async def _polled(app: App) -> bool:
    return app.listener.last_poll_at is not None
