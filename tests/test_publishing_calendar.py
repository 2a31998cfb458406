"""The founder's calendar: slots, cap and days off, first approved first published, pause, move, pin,
a changed caption re-approved, a week of downtime without a burst, and the `vkbot schedule` CLI."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from publishing import PublishClip, PublishingSettings, PubPost, plan
from publishing.calendar import CalendarError, edit_caption, move, parse_local, pause, pin, resume
from publishing.models import STATUSES
from tests.db_fixtures import db_url, engine  # noqa: F401
from tests.test_publishing_planner import delivered_order, posts, press
from vkbot.cli import main
from vkbot.clock import ManualClock
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.models import OutboxRow
from waitlist.effects import Reply
from waitlist.models import WlConsent

# Two slots a day, at most two posts a day, no posts on Sundays; Berlin has DST.
TWO_A_DAY = PublishingSettings(slot_times=("12:00", "19:00"), max_posts_per_day=2, timezone="Europe/Berlin")
CAP_ONE = PublishingSettings(max_posts_per_day=1, slot_weekdays=(0, 1, 2, 3, 4, 5))
TUESDAY_MORNING = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00 in Berlin


def run(db: Engine, clock: ManualClock, settings: PublishingSettings) -> list[object]:
    with Session(db) as session:
        effects = plan(session, settings, clock)
        session.commit()
    return list(effects)


def asks(effects: list[object]) -> list[Reply]:
    return [e for e in effects if isinstance(e, Reply) and e.keyboard is not None]


def approve_all(
    db: Engine, clock: ManualClock, settings: PublishingSettings, *, order: list[int] | None = None
) -> None:
    """Each family asked answers "publish as is"; ``order`` gives who answers first (by index)."""
    questions = asks(run(db, clock, settings))
    for i in order or range(len(questions)):
        press(db, clock, questions[i], "yes", settings=settings)
        clock.advance(seconds=1)


def deliver(db: Engine, clock: ManualClock, *names: str) -> list[int]:
    with Session(db) as session:
        return [delivered_order(session, clock, name, consent=True) for name in names]


def slots(db: Engine) -> dict[int, datetime | None]:
    return {p.order_id: p.slot_at for p in posts(db)}


def test_three_clips_over_two_days_land_in_the_right_slots_first_approved_first(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(TUESDAY_MORNING)
    a, b, c = deliver(engine, clock, "Анна", "Борис", "Вера")
    approve_all(engine, clock, TWO_A_DAY, order=[2, 0, 1])  # Вера answers first, then Анна, then Борис
    berlin = TWO_A_DAY.zone()
    assert slots(engine) == {
        c: datetime(2026, 11, 24, 12, tzinfo=berlin).astimezone(UTC),
        a: datetime(2026, 11, 24, 19, tzinfo=berlin).astimezone(UTC),
        b: datetime(2026, 11, 25, 12, tzinfo=berlin).astimezone(UTC),
    }


def test_days_off_and_the_daily_cap_are_kept(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(datetime(2026, 11, 28, 6, tzinfo=UTC))  # a Saturday
    deliver(engine, clock, "Один", "Два", "Три")
    approve_all(engine, clock, CAP_ONE)
    days = [s.date() for s in slots(engine).values() if s is not None]
    assert days == [datetime(2026, 11, d).date() for d in (28, 30)] + [
        datetime(2026, 12, 1).date()
    ]  # no Sunday


def test_slots_keep_the_local_hour_across_the_dst_change(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(datetime(2027, 3, 27, 12, tzinfo=UTC))  # Saturday 13:00 CET, DST starts Sunday
    deliver(engine, clock, "До", "После", "Ещё")
    approve_all(engine, clock, TWO_A_DAY)
    assert sorted(s for s in slots(engine).values() if s is not None) == [
        datetime(2027, 3, 27, 18, tzinfo=UTC),  # 19:00 CET
        datetime(2027, 3, 28, 10, tzinfo=UTC),  # 12:00 CEST
        datetime(2027, 3, 28, 17, tzinfo=UTC),  # 19:00 CEST
    ]


def test_pause_holds_everything_and_resume_moves_missed_slots_forward(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(TUESDAY_MORNING)
    deliver(engine, clock, "Пауза")
    approve_all(engine, clock, TWO_A_DAY)
    with Session(engine) as session:
        assert pause(session, clock.now()) and not pause(session, clock.now())
        session.commit()
    clock.advance(days=2)
    assert run(engine, clock, TWO_A_DAY) == []
    with Session(engine) as session:
        assert resume(session, clock.now())
        session.commit()
    assert run(engine, clock, TWO_A_DAY) == []  # missed by two days: moved, not posted late
    [post] = posts(engine)
    assert post.slot_at is not None and post.slot_at > clock.now()
    clock.set(post.slot_at)
    assert [type(e) for e in run(engine, clock, TWO_A_DAY)] == [PublishClip]


def test_a_week_down_then_restart_gives_no_burst(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(datetime(2026, 11, 23, 6, tzinfo=UTC))  # Monday
    deliver(engine, clock, *(f"Имя {i}" for i in range(8)))
    approve_all(engine, clock, CAP_ONE)
    clock.advance(days=7)  # down for a week
    published = 0
    for _ in range(24 * 10):  # ten days of hourly planning after the restart
        published_now = [e for e in run(engine, clock, CAP_ONE) if isinstance(e, PublishClip)]
        assert len(published_now) <= 1
        published += len(published_now)
        clock.advance(hours=1)
    per_day = Counter(p.slot_at.astimezone(CAP_ONE.zone()).date() for p in posts(engine) if p.slot_at)
    assert max(per_day.values()) == 1 and published == 8


def test_move_pin_and_refusals(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(TUESDAY_MORNING)
    first, second = deliver(engine, clock, "Перенос", "Другой")
    approve_all(engine, clock, TWO_A_DAY)
    ids = {p.order_id: p.id for p in posts(engine)}
    with Session(engine) as session:
        moved = move(session, TWO_A_DAY, ids[first], parse_local(TWO_A_DAY, "2026-11-24 19:00"), clock.now())
        # 19:00 is the other post's: the first free slot from then is the next day's noon.
        assert moved.slot_at == parse_local(TWO_A_DAY, "2026-11-25 12:00")
        pinned = pin(session, TWO_A_DAY, ids[second], parse_local(TWO_A_DAY, "2026-12-01 08:30"), clock.now())
        assert pinned.pinned and pinned.slot_at == datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
        with pytest.raises(CalendarError, match="passed"):
            pin(session, TWO_A_DAY, ids[second], parse_local(TWO_A_DAY, "2026-11-01 08:30"), clock.now())
        with pytest.raises(CalendarError, match="no post"):
            move(session, TWO_A_DAY, 999, clock.now(), clock.now())
        session.commit()


def test_a_changed_caption_goes_back_to_the_family(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(TUESDAY_MORNING)
    deliver(engine, clock, "Подпись")
    approve_all(engine, clock, TWO_A_DAY)
    [post] = posts(engine)
    assert post.id is not None
    with Session(engine) as session:
        edit_caption(session, post.id, "Светлая память. Новый текст.", clock.now())
        session.commit()
    clock.advance(hours=6)  # the old slot passes: not published with unapproved words
    [ask] = asks(run(engine, clock, TWO_A_DAY))
    assert "Новый текст" in ask.text
    assert not [e for e in run(engine, clock, TWO_A_DAY) if isinstance(e, PublishClip)]
    press(engine, clock, ask, "yes", settings=TWO_A_DAY)
    with Session(engine) as session:
        wordings = [
            c.wording for c in session.exec(select(WlConsent).where(WlConsent.kind == "post_approval"))
        ]
    assert wordings[-1] == "Светлая память. Новый текст." and len(wordings) == 2
    assert posts(engine)[0].status == "queued"


# -- the CLI ------------------------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("VKBOT_STORAGE__DATABASE_URL", url)
    monkeypatch.setenv("VKBOT_VK__GROUP_ID", "77")
    db = make_engine(url)
    migrate(db)
    yield db
    db.dispose()


def test_the_schedule_cli_lists_pauses_moves_and_marks_posted(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    deliver(cli_db, clock, "Мой папа, Николай Петрович Иванов")
    approve_all(cli_db, clock, PublishingSettings())
    [post] = posts(cli_db)
    capsys.readouterr()

    assert main(["schedule", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["paused"] is False
    [row] = listed["posts"]
    assert (row["id"], row["status"]) == (post.id, "queued") and "Николай Петрович Иванов" in row["caption"]

    assert main(["schedule", "pause"]) == 0 and main(["schedule", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["paused"] is True
    assert main(["schedule", "resume"]) == 0

    later = (clock.now() + timedelta(days=3)).astimezone(PublishingSettings().zone())
    assert main(["schedule", "pin", str(post.id), f"{later:%Y-%m-%d} 10:15"]) == 0
    assert "10:15" in capsys.readouterr().out
    assert main(["schedule", "move", str(post.id), "not a time"]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["schedule", "posted", str(post.id)]) == 1  # only a hand-off can be marked posted

    with Session(cli_db) as session:
        row_post = session.get(PubPost, post.id)
        assert row_post is not None
        row_post.status = "handed_to_founder"
        session.add(row_post)
        session.commit()
    assert main(["schedule", "posted", str(post.id), "--post-id", "321"]) == 0
    with Session(cli_db) as session:
        done = session.get(PubPost, post.id)
        assert done is not None and (done.status, done.vk_post_id) == ("posted", 321)
    assert "posted" in STATUSES

    # On the wall now: closing its comments is one wall.closeComments row; the same again adds none.
    for _ in range(2):
        assert main(["schedule", "comments", str(post.id), "closed"]) == 0
    with pytest.raises(SystemExit):  # argparse refuses anything but closed|open, naming them
        main(["schedule", "comments", str(post.id), "shut"])
    with Session(cli_db) as session:
        rows = session.exec(select(OutboxRow)).all()
    assert [(r.method, r.params) for r in rows] == [("wall.closeComments", {"owner_id": -77, "post_id": 321})]
