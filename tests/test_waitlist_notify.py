"""News the bot starts itself: the turn, a delay, the finished clip; only at kind hours and with permission."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session

from waitlist.filestore import LocalFileStore
from waitlist.founder import deliver, move_order, set_status
from waitlist.service import record_message_allow
from waitlist.settings import WaitlistSettings
from waitlist.testing import Desk, FakeClock, complete_order, memory_engine

NOON_MOSCOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
NIGHT_MOSCOW = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # 23:00 in Moscow


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return Desk(memory_engine(), LocalFileStore(tmp_path / "files"), clock=FakeClock(NOON_MOSCOW))


def _founder(desk: Desk, action, *args, **kwargs):  # type: ignore[no-untyped-def]
    with Session(desk.engine) as session:
        result = action(session, *args, at=desk.clock.now(), **kwargs)
        session.commit()
    return result


def test_the_relative_is_told_when_the_founder_starts_their_clip(desk: Desk) -> None:
    complete_order(desk, 1)
    assert desk.due() == []
    _founder(desk, set_status, 1, "in_progress", None)
    [notice] = desk.due()
    assert notice.peer_id == 1 and notice.proactive and "Подошла ваша очередь" in notice.text
    assert desk.due() == []  # stable key: never twice


def test_nothing_goes_out_at_night_it_waits_for_the_morning(desk: Desk) -> None:
    complete_order(desk, 1)
    _founder(desk, set_status, 1, "in_progress", None)
    desk.clock.at = NIGHT_MOSCOW
    assert desk.due() == []
    desk.clock.advance(hours=11)  # 10:00 in Moscow
    assert len(desk.due()) == 1


def test_a_user_who_denied_messages_is_never_written_to_first_but_hears_the_news_when_writing(
    desk: Desk,
) -> None:
    complete_order(desk, 1)
    with Session(desk.engine) as session:
        record_message_allow(session, 1, False, desk.clock.now())
        session.commit()
    _founder(desk, set_status, 1, "in_progress", None)
    assert desk.due() == []
    replies = desk.send(1, "Здравствуйте, как там наш ролик?")
    assert "Подошла ваша очередь" in replies[0].text and not replies[0].proactive


def test_the_finished_clip_is_sent_with_the_file(desk: Desk, tmp_path: Path) -> None:
    complete_order(desk, 1)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00 ftypmp42 finished clip")
    file_id = _founder(desk, deliver, 1, clip, files=desk.files)
    [sent] = desk.due()
    assert sent.attachment_file == file_id and "Ваш ролик готов" in sent.text
    replies = desk.send(1, "ролик ещё раз")
    assert replies[-1].attachment_file == file_id


def test_a_slipping_estimate_is_told_unprompted(tmp_path: Path) -> None:
    desk = Desk(
        memory_engine(),
        LocalFileStore(tmp_path / "f"),
        settings=WaitlistSettings(clips_per_week=2),
        clock=FakeClock(NOON_MOSCOW),
    )
    for peer in range(1, 11):
        complete_order(desk, peer, photos=0)
    assert desk.due() == []
    _founder(desk, move_order, 10, 1, "urgent")  # everyone else moves back one place
    assert desk.due() == []  # one place later is within the margin
    desk.clock.advance(days=30)  # a month without a finished clip: the honest range moves
    sent = desk.due()
    assert {r.peer_id for r in sent} >= {9}
    assert all("задерживается" in r.text for r in sent)
    assert desk.due() == []


def test_the_window_follows_the_relatives_own_clock_when_known(tmp_path: Path) -> None:
    half_past_six_utc = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)  # 09:30 in Moscow, 08:30 in Kyiv
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "f"), clock=FakeClock(half_past_six_utc))
    complete_order(desk, 1, "ru", photos=0)
    complete_order(desk, 2, "uk", photos=0)  # left a +380 phone number
    for number in (1, 2):
        _founder(desk, set_status, number, "in_progress", None)
    assert [r.peer_id for r in desk.due()] == [1]
    desk.clock.advance(hours=1)
    assert [r.peer_id for r in desk.due()] == [2]


def test_a_notice_run_reads_as_many_statements_however_many_orders_wait_or_were_delivered(
    desk: Desk, tmp_path: Path
) -> None:
    for peer in range(1, 5):
        complete_order(desk, peer, photos=0)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00 ftypmp42 finished clip")

    def quiet_run() -> int:
        """Statements of a notice run that owes nothing new (every clip already told)."""
        statements: list[str] = []

        def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements.append(statement)

        event.listen(desk.engine, "before_cursor_execute", note)
        try:
            assert desk.due() == []
        finally:
            event.remove(desk.engine, "before_cursor_execute", note)
        return len(statements)

    _founder(desk, deliver, 1, clip, files=desk.files)
    assert [r.peer_id for r in desk.due()] == [1]
    few = quiet_run()  # three waiting, one delivered
    for number in (2, 3):
        _founder(desk, deliver, number, clip, files=desk.files)
    for peer in range(5, 9):
        complete_order(desk, peer, photos=0)
    assert sorted(r.peer_id for r in desk.due()) == [2, 3]  # each clip told once, the first not again
    assert quiet_run() == few  # five waiting, three delivered: no query per order
