"""Her calls changed from the dashboard, through aiohttp's test client (no browser): the order page shows
its call, she moves or cancels it there or from the call's page (CSRF, audited), the relative is told
through the outbox; and the interviews job, on the manual clock, takes the write lock only when work is due.

Her hours: every day 10:00-18:00 in Moscow; it is Wednesday 12:00 there; relative 1 (ru) booked Thursday
10:00, relative 2 (uk, Kyiv) Thursday 11:00 (Moscow time).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import i18n
import vkbot.ops.interviews as interviews_job
from tests.test_interviews_booking import EVERY_DAY, FOUNDER, NOON, due, settings, times
from vkbot.clock import ManualClock
from vkbot.config import load_config
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.models import OutboxRow
from vkbot.dashboard.context import Dashboard
from vkbot.dashboard.models import DashAudit
from vkbot.dashboard.server import dashboard_server
from vkbot.dashboard.web import dashboard_app
from vkbot.ops.health import HealthSources
from vkbot.ops.interviews import interviews_once
from vkbot.ops.jobs import notify_once
from waitlist.filestore import LocalFileStore
from waitlist.interviews.models import WlInterview, WlInterviewSlot
from waitlist.models import WlNotice
from waitlist.testing import Desk, complete_order

PASSWORD = "a long enough password"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
THURSDAY_10, THURSDAY_11 = (datetime(2026, 11, 26, h, 0, tzinfo=UTC) for h in (7, 8))


class _Listener:
    state = "polling"
    last_poll_at = None
    last_event_at = None
    consecutive_failures = 0
    ts = None


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def _booked(engine: Engine, tmp_path: Path, clock: ManualClock) -> Desk:
    desk = Desk(engine, LocalFileStore(tmp_path / "files"), settings=settings(), clock=clock)
    complete_order(desk, 1, photos=0)
    complete_order(desk, 2, "uk", photos=0)
    for offer in due(desk):
        desk.send(offer.peer_id, payload=times(offer)[offer.peer_id - 1][1])
    return desk


def _dashboard(engine: Engine, clock: ManualClock) -> Dashboard:
    config = load_config(
        None,
        environ={
            "VKBOT_DASHBOARD__ENABLED": "true",
            "VKBOT_DASHBOARD__PASSWORD": PASSWORD,
            "VKBOT_DASHBOARD__PORT": "0",
            "VKBOT_WAITLIST__INTERVIEWS__ENABLED": "true",
            "VKBOT_WAITLIST__INTERVIEWS__WEEKLY": json.dumps(EVERY_DAY),
        },
    )
    server = dashboard_server(
        config, engine, HealthSources(engine, 1, _Listener(), clock=clock), wake=lambda: None, clock=clock
    )
    assert server is not None
    return server.dashboard


@asynccontextmanager
async def signed_in(dashboard: Dashboard) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(dashboard_app(dashboard))) as client:
        async with client.get("/login") as answer:
            token = CSRF.search(await answer.text())
        assert token is not None
        form = {"csrf": token.group(1), "name": "", "password": PASSWORD}
        async with client.post("/login", data=form, allow_redirects=False) as answer:
            assert answer.status == 302
        yield client


async def _page(client: TestClient[Any, Any], path: str) -> tuple[str, str]:
    async with client.get(path) as answer:
        assert answer.status == 200, path
        page = await answer.text()
    token = CSRF.search(page)
    assert token is not None
    return page, token.group(1)


def _call(engine: Engine, peer: int) -> WlInterview:
    with Session(engine) as session:
        found = session.exec(select(WlInterview).where(WlInterview.peer_id == peer)).one()
        session.expunge(found)
        return found


def _sent_to(engine: Engine, peer: int) -> list[str]:
    """The texts queued for ``peer`` about a change of their call, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxRow)
            .where(OutboxRow.peer_id == peer, col(OutboxRow.key).startswith("iv:"))
            .order_by(col(OutboxRow.id))
        ).all()
        return [str(r.params.get("message", "")) for r in rows if ":call_" in r.key]


def _slots(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(s.slot for s in session.exec(select(WlInterviewSlot)))


async def test_she_moves_a_call_from_its_order_page_and_the_relative_is_told_once(
    engine: Engine, tmp_path: Path
) -> None:
    clock = ManualClock(NOON)
    _booked(engine, tmp_path, clock)
    call = _call(engine, 1)
    async with signed_in(_dashboard(engine, clock)) as her:
        page, csrf = await _page(her, "/orders/1")
        block = page[page.index('<h2 id="call">') :]
        assert "Назначен" in block and "завтра, 10:00" in block
        options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', block)
        # Her free times with 20 hours' notice, without the two booked (its own and relative 2's).
        assert options[:2] == [("2026-11-26T09:00Z", "завтра, 12:00"), ("2026-11-26T10:00Z", "завтра, 13:00")]
        move = f"/interviews/{call.id}/move"
        form = {"at": options[0][0], "back": "order"}
        async with her.post(move, data=form, allow_redirects=False) as answer:
            assert answer.status == 403  # without the form's token
        async with her.post(move, data={**form, "csrf": csrf}, allow_redirects=False) as answer:
            assert answer.status == 302 and answer.headers["Location"] == "/orders/1?call=moved#call"
        assert _call(engine, 1).starts_at == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        assert _slots(engine) == ["2026-11-26T08:00Z", "2026-11-26T09:00Z"]  # the old 07:00 is free
        moved = i18n.text(
            "intake.notice.call_moved",
            "ru",
            when="четверг, 26 ноября, 12:00",
            zone=i18n.text("interviews.offer.zone_assumed", "ru", zone="по московскому времени"),
        )
        assert _sent_to(engine, 1) == [f"{i18n.text('intake.notice.hello', 'ru')} {moved}"]
        page, _ = await _page(her, "/orders/1?call=moved")
        assert "Звонок перенесён: завтра, 12:00." in page and "Родственнику сообщение отправлено." in page
        async with her.post(move, data={**form, "csrf": csrf}, allow_redirects=False) as answer:
            assert answer.status == 302  # a second click: already there, nothing more to tell
        assert len(_sent_to(engine, 1)) == 1
    with Session(engine) as session:
        audit = session.exec(select(DashAudit).where(DashAudit.action == f"POST {move}")).all()
    assert [(a.actor, a.status) for a in audit] == [("founder", 403), ("founder", 302), ("founder", 302)]
    assert audit[1].detail == f"interview {call.id} to 2026-11-26T09:00Z"


async def test_she_cancels_a_call_from_her_day_and_the_relative_may_ask_again(
    engine: Engine, tmp_path: Path
) -> None:
    clock = ManualClock(NOON)
    desk = _booked(engine, tmp_path, clock)
    call = _call(engine, 2)
    async with signed_in(_dashboard(engine, clock)) as her:
        day, _ = await _page(her, "/interviews?day=2026-11-26")
        row = next(r for r in re.findall(r'<tr id="call-\d+">(.*?)</tr>', day, re.S) if "/orders/2" in r)
        assert f'href="/interviews/{call.id}"' in row
        page, csrf = await _page(her, f"/interviews/{call.id}")
        assert "Звонок по заказу № 2" in page and f'action="/interviews/{call.id}/cancel"' in page
        cancel = f"/interviews/{call.id}/cancel"
        async with her.post(cancel, data={"csrf": csrf, "back": "call"}, allow_redirects=False) as answer:
            assert (
                answer.status == 302 and answer.headers["Location"] == f"/interviews/{call.id}?call=cancelled"
            )
        assert _call(engine, 2).status == "cancelled" and _slots(engine) == ["2026-11-26T07:00Z"]
        hello, text = (i18n.text(f"intake.notice.{k}", "uk") for k in ("hello", "call_cancelled"))
        assert _sent_to(engine, 2) == [f"{hello} {text}"]  # in their own language
        page, _ = await _page(her, f"/interviews/{call.id}?call=cancelled")
        assert "Звонок отменён." in page and "Отменён" in page and "/cancel" not in page
        async with her.post(cancel, data={"csrf": csrf}, allow_redirects=False) as answer:
            assert answer.status == 409  # nothing booked any more
        assert len(_sent_to(engine, 2)) == 1
    [again] = desk.send(2, "дзвінок")
    assert len(times(again)) == 3


async def test_a_time_taken_or_not_understood_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    clock = ManualClock(NOON)
    _booked(engine, tmp_path, clock)
    call = _call(engine, 1)
    async with signed_in(_dashboard(engine, clock)) as her:
        _, csrf = await _page(her, f"/interviews/{call.id}")
        move = f"/interviews/{call.id}/move"
        taken = {"csrf": csrf, "at": "2026-11-26T08:00Z"}  # relative 2's time
        async with her.post(move, data=taken, allow_redirects=False) as answer:
            assert answer.status == 302 and answer.headers["Location"] == f"/interviews/{call.id}?call=taken"
        async with her.post(move, data={"csrf": csrf, "at": "завтра"}, allow_redirects=False) as answer:
            assert answer.status == 400
        async with her.post("/interviews/999/cancel", data={"csrf": csrf}, allow_redirects=False) as answer:
            assert answer.status == 404
        page, _ = await _page(her, f"/interviews/{call.id}?call=taken")
        assert "Это время уже занято или прошло." in page
    assert _call(engine, 1).starts_at == THURSDAY_10 and _slots(engine) == [
        "2026-11-26T07:00Z",
        "2026-11-26T08:00Z",
    ]
    with Session(engine) as session:
        assert session.exec(select(WlNotice).where(col(WlNotice.kind).startswith("call_"))).all() == []


async def test_a_change_at_night_reaches_the_relative_when_their_window_opens(
    engine: Engine, tmp_path: Path
) -> None:
    clock = ManualClock(NOON)
    _booked(engine, tmp_path, clock)
    call = _call(engine, 1)
    clock.set(datetime(2026, 11, 25, 19, 30, tzinfo=UTC))  # 22:30 in Moscow
    dashboard = _dashboard(engine, clock)
    async with signed_in(dashboard) as her:
        page, csrf = await _page(her, "/orders/1")
        [first, *_] = re.findall(r'<option value="([^"]+)">', page)
        form = {"csrf": csrf, "at": first, "back": "order"}
        async with her.post(f"/interviews/{call.id}/move", data=form, allow_redirects=False) as answer:
            assert answer.status == 302
        page, _ = await _page(her, "/orders/1?call=moved")
        assert "Родственник получит сообщение завтра в 9:00" in page
    assert _sent_to(engine, 1) == []
    clock.set(datetime(2026, 11, 26, 6, 0, tzinfo=UTC))  # 09:00
    await notify_once(engine, dashboard.waitlist, clock)
    assert len(_sent_to(engine, 1)) == 1


async def test_the_job_takes_the_write_lock_only_when_an_offer_or_its_follow_up_is_due(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(NOON)
    desk = Desk(engine, LocalFileStore(tmp_path / "files"), settings=settings(), clock=clock)
    complete_order(desk, 1, photos=0)
    locks: list[datetime] = []
    real: Callable[..., None] = interviews_job.begin_write

    def counted(session: Session) -> None:
        locks.append(clock.now())
        real(session)

    monkeypatch.setattr(interviews_job, "begin_write", counted)

    async def run() -> int:
        return await interviews_once(engine, desk.settings, clock, FOUNDER)

    assert await run() == 1 and len(locks) == 1  # the offer
    for _ in range(3):
        clock.advance(minutes=1)
        assert await run() == 0
    clock.advance(hours=47)
    assert await run() == 0 and len(locks) == 1  # nothing due: read only
    clock.set(NOON + timedelta(hours=48))  # Friday 12:00 in Moscow, inside the window
    assert await run() == 1 and len(locks) == 2  # the one follow-up
    clock.advance(minutes=1)
    assert await run() == 0 and len(locks) == 2
    clock.advance(hours=48)
    assert await run() == 0 and len(locks) == 3  # the offer lapses: a write, no message
    assert _call(engine, 1).status == "lapsed"
    clock.advance(days=20)
    assert await run() == 0 and len(locks) == 3
    with Session(engine) as session:
        keys = [r.key for r in session.exec(select(OutboxRow).where(OutboxRow.peer_id == 1))]
    call_id = _call(engine, 1).id
    assert [k for k in keys if k.startswith("iv:")] == [f"iv:{call_id}:offer:0", f"iv:{call_id}:follow:1"]
