"""Alerts: the founder hears once per incident, by VK message and by e-mail (a local aiosmtpd server), never per failure."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from tests.app_helpers import eventually, running_app, sandbox_config
from vkbot.app import App
from vkbot.effects.outbox import enqueue, message_request
from vkbot.ops.alerts import AlertMonitor, AlertSettings, SmtpSettings
from vkbot.sandbox import SandboxControl

FOUNDER = 9001
DROP_EVERY_POLL = {"drop_connections": 1_000_000, "method": "longpoll"}


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return _free_port()


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


class NoHandler:
    def handle(self, session: Session, event: Any) -> list[Any]:
        return []

    def give_up(self, session: Session, event: Any, error: str) -> list[Any]:
        return []


@pytest.fixture
def config(sandbox: SandboxControl, tmp_path: Any) -> Any:
    return sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 'suite.db'}", tmp_path / "files")


def _settings(smtp_port: int, stall_after_s: float = 30.0) -> AlertSettings:
    return AlertSettings(
        founder_user_id=FOUNDER,
        stall_after_s=stall_after_s,
        check_every_s=0.05,
        smtp=SmtpSettings(
            host="127.0.0.1",
            port=smtp_port,
            from_addr="bot@example.org",
            to=["founder@example.org"],
            starttls=False,
        ),
    )


async def _start(monitor: AlertMonitor) -> tuple[asyncio.Task[None], asyncio.Event]:
    stop = asyncio.Event()
    return asyncio.create_task(monitor.run(stop)), stop


async def _founder_messages(sandbox: SandboxControl) -> list[str]:
    return [m["text"] for m in await sandbox.sent(FOUNDER)]


async def test_a_stalled_listener_is_one_incident_with_one_mail_and_one_vk_message(
    sandbox: SandboxControl, config: Any, inbox: Inbox, smtp_port: int
) -> None:
    await sandbox.allow(FOUNDER)
    async with running_app(config, NoHandler()) as app:
        monitor = _monitor(app, _settings(smtp_port, stall_after_s=1.8))
        task, stop = await _start(monitor)
        try:
            await sandbox.add_faults(DROP_EVERY_POLL)  # dozens of failed polls, one incident

            async def told() -> bool:
                """one e-mail and one VK message"""
                return len(inbox.messages) >= 1 and len(await _founder_messages(sandbox)) >= 1

            await eventually(told)
            await asyncio.sleep(1.0)  # many more checks and failures while the incident lasts
            failures = app.listener.consecutive_failures
            during = (len(inbox.messages), len(await _founder_messages(sandbox)))
            await sandbox.clear_faults()

            async def resolved() -> bool:
                """the incident resolved once polls succeed"""
                return len(monitor.history) == 1

            await eventually(resolved)
            # The same trouble after resolution is a new incident: the founder hears again, once.
            await sandbox.add_faults(DROP_EVERY_POLL)

            async def told_twice() -> bool:
                """a second e-mail and VK message"""
                return len(inbox.messages) >= 2 and len(await _founder_messages(sandbox)) >= 2

            await eventually(told_twice)
            await asyncio.sleep(1.0)
            texts = await _founder_messages(sandbox)
        finally:
            await sandbox.clear_faults()
            stop.set()
            await task
    assert failures >= 3
    assert during == (1, 1)
    assert len(inbox.messages) == 2 and len(texts) == 2
    assert all("не получает сообщения" in t for t in texts)
    assert "не получает сообщения" in inbox.messages[0]["Subject"]
    assert inbox.messages[0]["To"] == "founder@example.org"
    assert monitor.history[0].state == "resolved"


async def test_many_parked_rows_are_one_incident(
    sandbox: SandboxControl, config: Any, inbox: Inbox, smtp_port: int
) -> None:
    await sandbox.allow(FOUNDER)
    peers = list(range(4000, 4010))
    for peer in peers:
        await sandbox.allow(peer)
    await sandbox.add_faults({"method": "messages.send", "error_code": 100, "rate": 1.0, "count": len(peers)})
    async with running_app(config, NoHandler()) as app:
        with Session(app.engine) as session:
            requests = [message_request(f"t:{peer}", peer, "hello") for peer in peers]
            enqueue(session, requests, now=app.sender.clock.now())
            session.commit()
        app.sender.wake.set()

        async def all_parked() -> bool:
            """ten rows parked"""
            return app.sender.stats.parked == len(peers)

        await eventually(all_parked)
        monitor = _monitor(app, _settings(smtp_port))
        task, stop = await _start(monitor)
        try:

            async def told() -> bool:
                """the founder's VK message sent"""
                return len(await _founder_messages(sandbox)) >= 1

            await eventually(told)
            await asyncio.sleep(0.5)
            texts = await _founder_messages(sandbox)
        finally:
            stop.set()
            await task
    assert len(inbox.messages) == 1
    assert len(texts) == 1 and "отложено строк: 10" in texts[0]
    assert "100" in inbox.messages[0].get_content()
    assert [i.state for i in monitor.incidents.values()] == ["notified"]


async def test_mail_that_failed_is_sent_once_when_the_server_is_back(
    sandbox: SandboxControl, config: Any, smtp_port: int
) -> None:
    await sandbox.allow(FOUNDER)
    async with running_app(config, NoHandler()) as app:
        monitor = _monitor(app, _settings(smtp_port, stall_after_s=1.8))
        task, stop = await _start(monitor)
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        try:
            await sandbox.add_faults(DROP_EVERY_POLL)

            async def vk_told() -> bool:
                """the VK message went out although no SMTP server listens"""
                return len(await _founder_messages(sandbox)) == 1

            await eventually(vk_told)
            [incident] = monitor.incidents.values()
            assert (incident.state, incident.mail_sent) == ("open", False)
            controller.start()

            async def mailed() -> bool:
                """the e-mail once the server is up"""
                return len(inbox.messages) == 1

            await eventually(mailed)
            await asyncio.sleep(0.5)
        finally:
            await sandbox.clear_faults()
            stop.set()
            await task
            controller.stop()
    assert len(inbox.messages) == 1
    assert len(await _founder_messages(sandbox)) == 1
    assert incident.state == "notified"


def _monitor(app: App, settings: AlertSettings) -> AlertMonitor:
    return AlertMonitor(app.engine, settings, app.listener, wake_sender=app.sender.wake.set, clock=app.clock)
