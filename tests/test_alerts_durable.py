"""Alert incidents are rows: a restart (a new AlertMonitor on the same database) tells the founder nothing twice.

Runs on SQLite and, when VKBOT_TEST_PG_URL is set, PostgreSQL; e-mail goes to a local aiosmtpd server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.db_fixtures import db_url, engine  # noqa: F401  (fixtures; tests take them as parameters)
from tests.test_alerts import FOUNDER, Inbox, _settings, inbox, smtp_port  # noqa: F401  (fixtures too)
from vkbot.clock import ManualClock
from vkbot.commands.core import _print_status
from vkbot.core.store.models import AlertIncident, OutboxRow
from vkbot.ops.alerts import AlertMonitor
from vkbot.ops.status import read_status

STALL_S = 30.0


@dataclass
class FakeListener:
    """A listener that never polled, as after a fresh start; tests set ``last_poll_at`` to recover it."""

    state: str = "polling"
    last_poll_at: datetime | None = None
    last_event_at: datetime | None = None
    consecutive_failures: int = 0
    ts: str | None = None


def _start_process(db: Engine, port: int, clock: ManualClock) -> tuple[AlertMonitor, FakeListener]:
    """What a (re)started app builds: a fresh listener and a fresh monitor on the same database."""
    listener = FakeListener()
    monitor = AlertMonitor(
        db, _settings(port, stall_after_s=STALL_S), listener, clock=clock, started_at=clock.now()
    )
    return monitor, listener


def _founder_rows(db: Engine) -> list[OutboxRow]:
    with Session(db) as session:
        return list(session.exec(select(OutboxRow).where(OutboxRow.peer_id == FOUNDER)).all())


def _incident_rows(db: Engine) -> list[AlertIncident]:
    with Session(db) as session:
        return list(session.exec(select(AlertIncident).order_by(col(AlertIncident.id))).all())


async def test_an_open_incident_is_not_told_again_after_a_restart(
    engine: Engine,  # noqa: F811
    inbox: Inbox,  # noqa: F811
    smtp_port: int,  # noqa: F811
) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    first, _ = _start_process(engine, smtp_port, clock)
    clock.advance(seconds=STALL_S + 1)
    [incident] = await first.check()
    assert incident.state == "notified" and len(inbox.messages) == 1 and len(_founder_rows(engine)) == 1

    # kill -9: the first monitor just disappears; the listener is still stuck after the restart.
    clock.advance(seconds=5)
    second, _ = _start_process(engine, smtp_port, clock)
    early = await second.check()  # no poll yet to judge by: the incident stays open
    clock.advance(seconds=STALL_S + 1)
    late = await second.check()  # stalled again: the same incident, not a new one
    await second.check()

    assert [i.id for i in early] == [incident.id] and [i.id for i in late] == [incident.id]
    assert len(inbox.messages) == 1
    [row] = _founder_rows(engine)
    assert row.key == f"alert:incident:{incident.id}"
    [stored] = _incident_rows(engine)
    assert stored.resolved_at is None and stored.vk_notified_at is not None
    assert stored.mail_notified_at is not None


async def test_a_channel_that_failed_before_the_restart_is_sent_once_after_it(
    engine: Engine,  # noqa: F811
    smtp_port: int,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    first, _ = _start_process(engine, smtp_port, clock)
    clock.advance(seconds=STALL_S + 1)
    [incident] = await first.check()  # no SMTP server listens yet
    assert (incident.vk_sent, incident.mail_sent, incident.state) == (True, False, "open")
    with Session(engine) as session:
        status = read_status(session, 1001)
    [shown] = status["alerts"]["open"]
    assert (shown["kind"], shown["vk_notified"], shown["mail_notified"]) == ("listener_stalled", True, False)
    # `vkbot status` in plain text says the same (the token part is read elsewhere)
    _print_status(status | {"admin_token": {"connected": False}, "capabilities": {}})
    assert f"open alert #{shown['id']}: listener_stalled" in capsys.readouterr().out

    back = Inbox()
    controller = Controller(back, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(seconds=5)
        second, _ = _start_process(engine, smtp_port, clock)
        [reloaded] = await second.check()
        await second.check()
        clock.advance(seconds=STALL_S + 1)
        await second.check()
    finally:
        controller.stop()
    assert reloaded.id == incident.id and reloaded.state == "notified"
    assert len(back.messages) == 1 and "не получает сообщения" in back.messages[0]["Subject"]
    assert len(_founder_rows(engine)) == 1
    [stored] = _incident_rows(engine)
    assert stored.mail_notified_at is not None


async def test_a_resolved_incident_that_recurs_after_a_restart_is_told_again(
    engine: Engine,  # noqa: F811
    inbox: Inbox,  # noqa: F811
    smtp_port: int,  # noqa: F811
) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    first, listener = _start_process(engine, smtp_port, clock)
    clock.advance(seconds=STALL_S + 1)
    [incident] = await first.check()
    listener.last_poll_at = clock.now()  # polls succeed again
    assert await first.check() == []
    assert [i.state for i in first.history] == ["resolved"]

    clock.advance(seconds=5)
    second, _ = _start_process(engine, smtp_port, clock)
    assert await second.check() == []  # nothing open is carried over
    clock.advance(seconds=STALL_S + 1)
    [recurred] = await second.check()

    assert recurred.id != incident.id and recurred.state == "notified"
    assert len(inbox.messages) == 2
    assert sorted(r.key for r in _founder_rows(engine)) == sorted(
        f"alert:incident:{i}" for i in (incident.id, recurred.id)
    )
    old, new = _incident_rows(engine)
    assert old.resolved_at is not None and new.resolved_at is None


async def test_the_vk_row_and_its_record_commit_together(
    engine: Engine,  # noqa: F811
    inbox: Inbox,  # noqa: F811
    smtp_port: int,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    monitor, _ = _start_process(engine, smtp_port, clock)
    original = AlertMonitor._set

    def failing_vk_record(session: Session, incident: Any, column: str, now: datetime) -> None:
        if column == "vk_notified_at":
            raise RuntimeError("the database went away")
        original(session, incident, column, now)

    monkeypatch.setattr(AlertMonitor, "_set", staticmethod(failing_vk_record))
    clock.advance(seconds=STALL_S + 1)
    [incident] = await monitor.check()
    # Not recorded, so not queued either: a restart now would queue it, once.
    assert (incident.vk_sent, _founder_rows(engine)) == (False, [])

    monkeypatch.undo()
    await monitor.check()
    await monitor.check()
    assert len(_founder_rows(engine)) == 1 and len(inbox.messages) == 1
    assert incident.state == "notified"


@pytest.mark.parametrize(
    ("language", "title"), [("ru", "Бот не получает"), ("en", "The bot is not receiving")]
)
async def test_alerts_speak_the_founders_language(
    engine: Engine,  # noqa: F811
    inbox: Inbox,  # noqa: F811
    smtp_port: int,  # noqa: F811
    language: str,
    title: str,
) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    settings = _settings(smtp_port, stall_after_s=STALL_S).model_copy(update={"language": language})
    monitor = AlertMonitor(engine, settings, FakeListener(), clock=clock, started_at=clock.now())
    clock.advance(seconds=STALL_S + 1)
    await monitor.check()

    [mail] = inbox.messages
    [row] = _founder_rows(engine)
    assert title in mail["Subject"] and title in row.params["message"]
    since = {"ru": "С 2026-03-01 12:00 UTC.", "en": "Since 2026-03-01 12:00 UTC."}[language]
    assert since in row.params["message"]
