"""``vkbot interviews list|free|cancel`` as the founder types them, on the database the suite uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.test_interviews_booking import NOON, due, settings, times
from vkbot.cli import main as vkbot
from vkbot.clock import Clock, ManualClock
from vkbot.core.store.db import make_engine, migrate
from waitlist.filestore import LocalFileStore
from waitlist.interviews.models import WlInterview
from waitlist.notify import due_notifications
from waitlist.testing import Desk, complete_order

ALL_DAY = {day: ["00:00-23:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    engine = make_engine(f"sqlite:///{tmp_path / 'suite.db'}")
    migrate(engine)
    conf = settings(weekly=ALL_DAY)
    conf = conf.model_copy(update={"sending_window_start_hour": 0, "sending_window_end_hour": 24})
    # The CLI is given the desk's clock (``run``).
    return Desk(engine, LocalFileStore(tmp_path / "files"), settings=conf, clock=ManualClock(NOON))


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, clock: Clock, *argv: str) -> tuple[int, str, str]:
    config = tmp_path / "vkbot.toml"
    config.write_text(
        f'[storage]\ndatabase_url = "sqlite:///{tmp_path / "suite.db"}"\nfiles_dir = "{tmp_path / "files"}"\n'
        f"[waitlist.interviews]\nenabled = true\nweekly = {json.dumps(ALL_DAY)}\n".replace('": [', '" = ['),
        encoding="utf-8",
    )
    capsys.readouterr()
    code = vkbot(["interviews", argv[0], "--config", str(config), *argv[1:]], clock=clock)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_free_shows_and_changes_her_hours_and_refuses_what_it_cannot_read(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, tmp_path, desk.clock, "free", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["weekly"]["mon"] == ["00:00-23:00"] and len(shown["next_free"]) == 6
    code, out, _ = run(
        capsys,
        tmp_path,
        desk.clock,
        "free",
        "--weekly",
        "mon=10:00-12:00",
        "--weekly",
        "tue=",
        "--off",
        "2099-01-01",
        "--extra",
        "2099-01-03=10:00-11:00",
    )
    assert code == 0 and "free hours saved" in out and "mon: 10:00-12:00" in out
    assert "tue:" not in out and "2099-01-01: off all day" in out and "2099-01-03: extra 10:00-11:00" in out
    code, _, err = run(capsys, tmp_path, desk.clock, "free", "--weekly", "mon=noon")
    assert code == 1 and "is not a time range" in err
    code, out, _ = run(capsys, tmp_path, desk.clock, "free", "--clear", "2099-01-01", "--json")
    assert "2099-01-01" not in json.loads(out)["off"]


def test_list_shows_booked_calls_and_cancel_offers_the_relative_new_times(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    complete_order(desk, 1, photos=0)
    [offer] = due(desk)
    desk.send(1, payload=times(offer)[0][1])
    code, out, _ = run(capsys, tmp_path, desk.clock, "list", "--json")
    [call] = json.loads(out)["calls"]
    assert code == 0 and call["order"] == 1 and call["subject"] == "Мария Ивановна"

    code, out, _ = run(capsys, tmp_path, desk.clock, "cancel", "1")
    assert code == 0 and "offered new times" in out
    with Session(desk.engine) as session:
        row = session.exec(select(WlInterview)).one()
        assert row.status == "offered" and row.starts_at is None
    [again] = due(desk)
    assert again.peer_id == 1 and again.text.startswith("Извините, автору роликов пришлось отменить звонок")
    code, out, _ = run(capsys, tmp_path, desk.clock, "list", "--json")
    assert json.loads(out)["calls"] == []

    code, _, err = run(capsys, tmp_path, desk.clock, "cancel", "99")
    assert code == 1 and "no order number 99" in err


def test_cancel_without_new_times_tells_the_relative_their_call_is_cancelled(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    complete_order(desk, 1, photos=0)
    [offer] = due(desk)
    desk.send(1, payload=times(offer)[0][1])
    code, out, _ = run(capsys, tmp_path, desk.clock, "cancel", "1", "--no-reoffer")
    assert code == 0 and "call cancelled" in out
    with Session(desk.engine) as session:
        assert session.exec(select(WlInterview)).one().status == "cancelled"
        [told] = due_notifications(session, settings=desk.settings, clock=desk.clock)
    assert told.peer_id == 1 and "пришлось отменить ваш звонок" in told.text
    assert due(desk) == []  # and no new offer
