"""A relative books a call with the founder through buttons, in the sandbox, on a hand-moved clock.

The production suite (listener, pipeline, outbox) with a ``ManualClock``; the interviews' pass is run
at chosen moments as the scheduler runs it every minute. The sending window is the default 9-21.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

import i18n
from tests.app_helpers import eventually, running_app, sandbox_config
from tests.test_intake_sandbox import Relative
from vkbot.app import App
from vkbot.clock import ManualClock
from vkbot.config import Config
from vkbot.ops.interviews import interviews_once
from vkbot.sandbox import SandboxControl
from waitlist.interviews.models import WlInterview

FOUNDER = 9001
EVERY_DAY = {day: ["10:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
SUNDAY_NIGHT = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)  # 23:30 in Moscow: outside the window


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


async def test_a_relative_books_a_call_by_buttons_and_both_are_reminded_inside_the_window(
    sandbox: SandboxControl, tmp_path: Path
) -> None:
    clock = ManualClock(SUNDAY_NIGHT)
    await sandbox.allow(FOUNDER)  # she has written to the community: it may write to her
    async with running_app(interviews_config(sandbox, tmp_path), clock=clock) as app:
        await sandbox.wait_for_call("groups.getLongPollServer")
        relative = Relative(sandbox, 4401)
        await relative.start()
        await relative.finish(photo=False)

        assert await pass_once(app, clock) == 0  # 23:30 for them: the offer waits for the morning
        clock.set(datetime(2026, 12, 7, 6, 0, tzinfo=UTC))  # Monday 09:00 in Moscow
        assert await pass_once(app, clock) == 1
        [offer] = await relative.answers()
        offered = time_buttons(offer)
        assert [label for label, _ in offered] == [
            "вторник, 8 декабря, 15:00",  # 30 hours' notice at least
            "вторник, 8 декабря, 16:00",
            "вторник, 8 декабря, 17:00",
        ]
        label, payload = offered[1]
        await sandbox.inject_message(relative.user_id, label, payload=payload)
        [booked] = await relative.answers()
        assert booked["text"].startswith("Спасибо, записали: вторник, 8 декабря, 16:00")
        call = call_of(app, relative.user_id)
        assert call.status == "booked" and call.starts_at == datetime(2026, 12, 8, 13, 0, tzinfo=UTC)

        # The day before, at 16:00 in Moscow (inside the window): one reminder each.
        clock.set(call.starts_at - timedelta(hours=24))
        assert await pass_once(app, clock) == 2
        [day] = await relative.answers()
        assert day["text"].startswith("Напоминаем о звонке с автором роликов: завтра, 16:00")

        async def founder_heard(count: int) -> bool:
            return len(await sandbox.sent(peer_id=FOUNDER)) >= count

        await eventually(lambda: founder_heard(1))
        clock.advance(minutes=20)
        assert await pass_once(app, clock) == 0  # each reminder once

        # An hour before (15:00 in Moscow): one more each, then nothing.
        clock.set(call.starts_at - timedelta(minutes=60))
        assert await pass_once(app, clock) == 2
        [hour] = await relative.answers()
        assert hour["text"].startswith("Через час звонок с автором роликов: сегодня, 16:00")
        await eventually(lambda: founder_heard(2))
        assert await pass_once(app, clock) == 0
    to_her = [m["text"] for m in await sandbox.sent(peer_id=FOUNDER)]
    assert len(to_her) == 2
    assert to_her[0].startswith(
        i18n.text("interviews.founder.day", "ru", when="", number="", subject="", contact="")[:14]
    )
    assert all(f"Заказ № {call_number(app, call)}" in text for text in to_her)
    every = await sandbox.sent()
    assert len({m["random_id"] for m in every}) == len(every), "a message went twice"


def call_number(app: App, call: WlInterview) -> int:
    from waitlist.models import WlOrder

    with Session(app.engine) as session:
        order = session.get(WlOrder, call.order_id)
        assert order is not None and order.number is not None
        return order.number


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
