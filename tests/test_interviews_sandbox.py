"""A relative arranges a call with the founder in the sandbox, on a hand-moved clock: moves it by word,
then cancels it by word. (Booking by button and both reminders inside the window: the one Chromium
module, tests/test_interviews_browser.py, whose suite runs that story through the sandbox.)

The production suite (listener, pipeline, outbox) with a ``ManualClock``; the interviews' pass is run
at chosen moments as the scheduler runs it every minute.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

import i18n
from tests.app_helpers import running_app, sandbox_config
from tests.test_intake_sandbox import Relative
from vkbot.app import App
from vkbot.clock import ManualClock
from vkbot.config import Config
from vkbot.ops.interviews import interviews_once
from vkbot.sandbox import SandboxControl
from waitlist.interviews.models import WlInterview

FOUNDER = 9001
EVERY_DAY = {day: ["10:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def interviews_config(sandbox: SandboxControl, tmp_path: Path, **interviews: Any) -> Config:
    conf = {
        "enabled": "true",
        "weekly": json.dumps(EVERY_DAY),
        "min_notice_hours": "30",
        **interviews,
    }
    return sandbox_config(
        sandbox.url,
        f"sqlite:///{tmp_path / 'suite.db'}",
        tmp_path / "files",
        waitlist={"queue_limit": 1000},
        waitlist__interviews=conf,
        alerts={"founder_user_id": FOUNDER},
    )


def time_buttons(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    raw = message.get("keyboard") or {}
    data = json.loads(raw) if isinstance(raw, str) else raw
    found = []
    for row in data.get("buttons", []):
        for button in row:
            payload = json.loads(button["action"].get("payload") or "{}")
            if payload.get("iv") == "pick":
                found.append((button["action"]["label"], payload))
    return found


async def pass_once(app: App, clock: ManualClock) -> int:
    """The interviews' pass at the clock's time, as the scheduler runs it."""
    return await interviews_once(
        app.engine, app.config.waitlist, clock, FOUNDER, app.config.alerts.language, app.sender.wake.set
    )


def call_of(app: App, peer_id: int) -> WlInterview:
    with Session(app.engine) as session:
        return session.exec(select(WlInterview).where(WlInterview.peer_id == peer_id)).one()


async def test_a_relative_moves_and_then_cancels_the_call_by_words(
    sandbox: SandboxControl, tmp_path: Path
) -> None:
    clock = ManualClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # Monday 12:00 in Moscow
    async with running_app(interviews_config(sandbox, tmp_path), clock=clock) as app:
        await sandbox.wait_for_call("groups.getLongPollServer")
        relative = Relative(sandbox, 4402)
        await relative.start()
        await relative.finish(photo=False)
        await pass_once(app, clock)
        [offer] = await relative.answers()
        label, payload = time_buttons(offer)[0]
        await sandbox.inject_message(relative.user_id, label, payload=payload)
        await relative.answers()
        first = call_of(app, relative.user_id).starts_at

        [again] = await relative.say("Перенести, пожалуйста")
        others = time_buttons(again)
        assert again["text"].startswith(i18n.text("interviews.move_lead", "ru"))
        assert label not in [lbl for lbl, _ in others]
        await sandbox.inject_message(relative.user_id, others[2][0], payload=others[2][1])
        await relative.answers()
        moved = call_of(app, relative.user_id)
        assert (
            moved.status == "booked"
            and moved.starts_at is not None
            and moved.starts_at > (first or moved.starts_at) - timedelta(days=30)
        )
        assert moved.starts_at != first

        [cancelled] = await relative.say("отменить")
        assert cancelled["text"] == i18n.text("interviews.cancelled", "ru")
        assert call_of(app, relative.user_id).status == "cancelled"
