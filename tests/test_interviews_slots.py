"""The founder's free hours cut into call times: weekly pattern, exceptions, booked calls, clock changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from waitlist.interviews.hours import FreeHours, HoursError, edit_hours, parse_range
from waitlist.interviews.settings import InterviewSettings
from waitlist.interviews.slots import free_slots, slot_key, starts_in_free_hours

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")  # has summer time: the clock-change days


def _slots(hours: FreeHours, tz: ZoneInfo, after: datetime, days: int = 7, booked=()) -> list[datetime]:  # type: ignore[no-untyped-def]
    return free_slots(
        hours,
        tz,
        call_minutes=45,
        gap_minutes=15,
        after=after,
        until=after + timedelta(days=days),
        booked=booked,
    )


def _local(slots: list[datetime], tz: ZoneInfo) -> list[str]:
    return [f"{s.astimezone(tz):%a %H:%M}" for s in slots]


MONDAY = datetime(2026, 12, 7, 0, 0, tzinfo=MOSCOW)  # a Monday, midnight in Moscow


def test_a_weekly_pattern_gives_calls_of_the_set_length_with_a_breath_between() -> None:
    hours = edit_hours(FreeHours(), weekly=["mon=10:00-13:00", "wed=15:00-16:40"])
    slots = _slots(hours, MOSCOW, MONDAY)
    # 10:00, 11:00, 12:00 fit (12:45 ends before 13:00); on Wednesday only 15:00 (16:00 + 45 > 16:40).
    assert _local(slots, MOSCOW) == ["Mon 10:00", "Mon 11:00", "Mon 12:00", "Wed 15:00"]
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in slots)


def test_a_day_off_and_hours_off_take_times_away_and_extra_hours_add_them() -> None:
    hours = edit_hours(
        FreeHours(),
        weekly=["mon=10:00-13:00", "tue=10:00-13:00"],
        off=["2026-12-07", "2026-12-08=11:00-12:00"],
        extra=["2026-12-12=09:00-10:00"],  # a Saturday
    )
    slots = _slots(hours, MOSCOW, MONDAY, days=6)
    assert _local(slots, MOSCOW) == ["Tue 10:00", "Tue 12:00", "Sat 09:00"]
    # Clearing the exceptions of a day gives its weekly hours back.
    again = edit_hours(hours, clear=["2026-12-07"])
    assert "Mon 10:00" in _local(_slots(again, MOSCOW, MONDAY, days=1), MOSCOW)


def test_a_booked_call_and_its_breath_keep_overlapping_times_off() -> None:
    hours = edit_hours(FreeHours(), weekly=["mon=10:00-13:00"])
    booked = [datetime(2026, 12, 7, 11, 0, tzinfo=MOSCOW).astimezone(UTC)]
    assert _local(_slots(hours, MOSCOW, MONDAY, days=1, booked=booked), MOSCOW) == ["Mon 10:00", "Mon 12:00"]
    # A booked time off the grid (the call length changed since) still blocks what it overlaps.
    odd = [datetime(2026, 12, 7, 10, 30, tzinfo=MOSCOW).astimezone(UTC)]
    assert _local(_slots(hours, MOSCOW, MONDAY, days=1, booked=odd), MOSCOW) == ["Mon 12:00"]


def test_only_times_after_the_start_and_before_the_end_are_given() -> None:
    hours = edit_hours(FreeHours(), weekly=["mon=10:00-13:00"])
    after = datetime(2026, 12, 7, 10, 30, tzinfo=MOSCOW)
    assert _local(_slots(hours, MOSCOW, after, days=1), MOSCOW) == ["Mon 11:00", "Mon 12:00"]


def test_on_the_spring_forward_night_a_skipped_wall_time_is_never_offered() -> None:
    # 2027-03-28: Berlin's clocks jump from 02:00 to 03:00; her 01:00-05:00 is three real hours that night.
    hours = FreeHours(weekly={6: ((time(1, 0), time(5, 0)),)})
    sunday = datetime(2027, 3, 28, 0, 0, tzinfo=BERLIN)
    slots = _slots(hours, BERLIN, sunday, days=1)
    assert _local(slots, BERLIN) == ["Sun 01:00", "Sun 03:00", "Sun 04:00"]
    assert [b - a for a, b in itertools.pairwise(slots)] == [timedelta(hours=1)] * 2
    # A range that starts inside the missing hour does not exist that day.
    missing = FreeHours(weekly={6: ((time(2, 30), time(5, 0)),)})
    assert _slots(missing, BERLIN, sunday, days=1) == []
    assert len(_slots(missing, BERLIN, sunday + timedelta(days=1), days=7)) == 2  # a week later: 02:30, 03:30


def test_calls_keep_their_real_length_across_the_autumn_change() -> None:
    # 2027-10-31: Berlin's 03:00 becomes 02:00 again; the day is 25 hours long.
    hours = FreeHours(weekly={6: ((time(9, 0), time(12, 0)),), 5: ((time(9, 0), time(12, 0)),)})
    saturday = datetime(2027, 10, 30, 0, 0, tzinfo=BERLIN)
    slots = _slots(hours, BERLIN, saturday, days=2)
    assert _local(slots, BERLIN) == [
        "Sat 09:00",
        "Sat 10:00",
        "Sat 11:00",
        "Sun 09:00",
        "Sun 10:00",
        "Sun 11:00",
    ]
    saturday_nine, sunday_nine = slots[0], slots[3]
    assert sunday_nine - saturday_nine == timedelta(hours=25)  # the same wall time, an hour more apart


def test_a_pressed_time_is_checked_against_her_current_hours() -> None:
    hours = edit_hours(FreeHours(), weekly=["mon=10:00-13:00"])
    ten = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)
    kwargs = {"call_minutes": 45, "gap_minutes": 15}
    assert starts_in_free_hours(hours, MOSCOW, ten, **kwargs)
    assert not starts_in_free_hours(hours, MOSCOW, ten + timedelta(minutes=30), **kwargs)
    assert not starts_in_free_hours(edit_hours(hours, off=["2026-12-07"]), MOSCOW, ten, **kwargs)


def test_slot_keys_are_utc_minutes_whatever_the_zone() -> None:
    moment = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)
    assert slot_key(moment) == "2026-12-07T07:00Z" == slot_key(moment.astimezone(BERLIN))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weekly": ["monday=10:00-12:00"]}, "start with a day"),
        ({"weekly": ["mon=12:00-10:00"]}, "end must be after"),
        ({"off": ["31.12.2026"]}, "not a date"),
        ({"extra": ["2026-12-31"]}, "need a time range"),
        ({"weekly": ["mon=ten to twelve"]}, "not a time range"),
    ],
)
def test_unreadable_hours_are_refused_with_what_is_wrong(change: dict[str, list[str]], message: str) -> None:
    with pytest.raises(HoursError, match=message):
        edit_hours(FreeHours(), **change)


def test_the_config_pattern_is_checked_when_read() -> None:
    assert InterviewSettings(weekly={"tue": ["10:00-12:00"]}).weekly == {"tue": ["10:00-12:00"]}
    with pytest.raises(ValueError, match="unknown day"):
        InterviewSettings(weekly={"tuesday": ["10:00-12:00"]})
    with pytest.raises(ValueError, match="time range"):
        InterviewSettings(weekly={"tue": ["10:00"]})
    with pytest.raises(ValueError, match="at least 24"):
        InterviewSettings(feed_token="short")


def test_free_hours_survive_a_round_trip_and_old_exceptions_are_forgotten() -> None:
    hours = edit_hours(
        FreeHours(),
        weekly=["fri=09:30-11:00"],
        off=["2026-12-01", "2026-12-31=10:00-11:00"],
        extra=["2027-01-02=10:00-12:00"],
    )
    assert FreeHours.from_json(hours.to_json()) == hours
    kept = hours.forget_before(date(2026, 12, 7))
    assert set(kept.off) == {date(2026, 12, 31)} and kept.weekly == hours.weekly
    assert parse_range("09:30-11:00") == (time(9, 30), time(11, 0))
