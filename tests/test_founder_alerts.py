"""The founder's urgent alerts: words of despair and requests for a person reach her once by VK message and
by e-mail (a local aiosmtpd server), a request for a person waits for the end of her quiet hours, despair
never waits, and a replayed message sends nothing twice."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlmodel import Session

from tests.feeding import Fed, make_fed
from vkbot.config import ConfigError, load_config
from vkbot.core.pipeline import build_pipeline
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import OutboxSender
from vkbot.ops.alerts import SmtpMailer
from vkbot.ops.founder_alerts import EMAIL_KIND, email_executors, quiet_until
from vkbot.ops.settings import AlertSettings, SmtpSettings

FOUNDER = 777
MOSCOW = ZoneInfo("Europe/Moscow")
DESPAIR = "Мужа не стало, я не хочу больше жить"
HELLO = "Здравствуйте, мама умерла, хочу ролик"


@pytest.mark.parametrize(
    ("local", "until"),
    [
        (datetime(2026, 12, 7, 23, 30), datetime(2026, 12, 8, 8, 0)),  # before midnight: tomorrow morning
        (datetime(2026, 12, 8, 3, 0), datetime(2026, 12, 8, 8, 0)),  # after midnight: this morning
        (datetime(2026, 12, 8, 8, 0), None),  # the quiet hours are over
        (datetime(2026, 12, 7, 21, 59), None),
    ],
)
def test_quiet_hours_across_midnight_end_in_her_morning(local: datetime, until: datetime | None) -> None:
    now = local.replace(tzinfo=MOSCOW).astimezone(UTC)
    expected = until.replace(tzinfo=MOSCOW) if until else None
    assert quiet_until(now, 22, 8, MOSCOW) == expected
    assert quiet_until(now, None, None, MOSCOW) is None


def test_quiet_hours_inside_one_day_and_half_set_hours_are_refused() -> None:
    lunch = datetime(2026, 12, 7, 13, 15, tzinfo=MOSCOW)
    assert quiet_until(lunch, 13, 14, MOSCOW) == datetime(2026, 12, 7, 14, 0, tzinfo=MOSCOW)
    assert quiet_until(lunch, 14, 15, MOSCOW) is None
    with pytest.raises(ConfigError, match="quiet_until_hour"):
        load_config(None, environ={"VKBOT_ALERTS__QUIET_FROM_HOUR": "22"})
    with pytest.raises(ConfigError, match="time zone"):
        load_config(None, environ={"VKBOT_ALERTS__TIMEZONE": "Mars/Olympus"})


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def alerted(tmp_path: Path, smtp: tuple[Mailbox, int]) -> Iterator[Fed]:
    """The real pipeline with her VK id, quiet hours 22-8 in Moscow and an SMTP server; 23:00 there now."""
    _, port = smtp
    made = make_fed(f"sqlite:///{tmp_path / 'fed.db'}", tmp_path / "files")
    config = made.pipeline.config
    mail = SmtpSettings(
        host="127.0.0.1", port=port, from_addr="bot@example.org", to=["founder@example.org"], starttls=False
    )
    alerts = AlertSettings(
        founder_user_id=FOUNDER, quiet_from_hour=22, quiet_until_hour=8, timezone="Europe/Moscow", smtp=mail
    )
    made.clock.set(datetime(2026, 12, 7, 23, 0, tzinfo=MOSCOW).astimezone(UTC))
    made.pipeline = build_pipeline(config.model_copy(update={"alerts": alerts}), clock=made.clock)
    yield made
    made.engine.dispose()


def _to_her(fed: Fed) -> list[OutboxRow]:
    with Session(fed.engine) as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id))  # type: ignore[arg-type]
        return [r for r in rows if r.peer_id == FOUNDER or r.kind == EMAIL_KIND]


def test_despair_reaches_her_at_once_by_vk_and_e_mail_and_a_replay_adds_nothing(alerted: Fed) -> None:
    raw = alerted.updates.message(9001, DESPAIR)
    alerted(raw)
    vk, mail = _to_her(alerted)
    assert vk.method == "messages.send" and DESPAIR in vk.params["message"]
    assert "vk.com/id9001" in vk.params["message"]
    assert mail.kind == EMAIL_KIND and mail.params["body"] == vk.params["message"]
    now = alerted.clock.now()
    for row in (vk, mail):
        due = row.not_before if row.not_before.tzinfo else row.not_before.replace(tzinfo=UTC)
        assert due <= max(now, datetime.now(UTC)), "despair never waits for her quiet hours"

    alerted(raw)  # the same update again (long poll and history both delivered it)
    alerted.write(9001, "я правда не хочу больше жить")  # a second message is a second alert
    assert len(_to_her(alerted)) == 4


def test_a_request_for_a_person_waits_for_her_morning_and_is_told_once(alerted: Fed) -> None:
    alerted.write(9002, HELLO)
    alerted.write(9002, "позвать человека")
    alerted.write(9002, "позвать человека")  # still waiting: no second alert
    vk, mail = _to_her(alerted)
    morning = datetime(2026, 12, 8, 8, 0, tzinfo=MOSCOW)
    for row in (vk, mail):
        due = row.not_before if row.not_before.tzinfo else row.not_before.replace(tzinfo=UTC)
        assert due == morning


class Recording:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Mapping[str, Any] | None]] = []

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *, batch: bool = True) -> Any:
        self.calls.append((method, params))
        return 1


async def test_the_outbox_sends_the_e_mail_once(alerted: Fed, smtp: tuple[Mailbox, int]) -> None:
    mailbox, _ = smtp
    alerted.write(9003, DESPAIR)
    client = Recording()
    sender = OutboxSender(alerted.engine, client, alerted.clock)
    sender.executors.update(email_executors(SmtpMailer(alerted.pipeline.config.alerts.smtp)))
    while await sender.drain_once():
        pass
    assert await sender.drain_once() == 0
    (mail,) = mailbox.messages
    assert mail["To"] == "founder@example.org" and "vk.com/id9003" in mail["Subject"]
    assert DESPAIR in mail.get_content()
    to_her = [p for method, p in client.calls if method == "messages.send" and p and p["peer_id"] == FOUNDER]
    assert len(to_her) == 1 and DESPAIR in to_her[0]["message"]
    assert {r.status for r in _to_her(alerted)} == {"done"}


def test_without_smtp_no_e_mail_rows_and_without_her_id_none_at_all(tmp_path: Path) -> None:
    plain = make_fed(f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "a", alerts={"founder_user_id": FOUNDER})
    plain.write(9004, DESPAIR)
    assert [r.kind for r in _to_her(plain)] == ["message"]
    plain.engine.dispose()
    silent = make_fed(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b")
    silent.write(9005, DESPAIR)
    assert _to_her(silent) == []  # the alert waits under Needs you
    silent.engine.dispose()
