"""Slots: the next free one after a moment, in the community's local time, across days and caps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from publishing.schedule import next_free_slot, slots_on
from publishing.settings import PublishingSettings

DAILY_19 = PublishingSettings()  # daily 19:00 Europe/Moscow


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_moscow_19_00_is_16_00_utc_in_winter_and_summer_alike() -> None:
    # Moscow has kept UTC+3 all year since 2014: no DST jump in either direction.
    assert next_free_slot(DAILY_19, utc(2026, 1, 10, 9), []) == utc(2026, 1, 10, 16)
    assert next_free_slot(DAILY_19, utc(2026, 7, 10, 9), []) == utc(2026, 7, 10, 16)
    assert next_free_slot(DAILY_19, utc(2026, 3, 29, 9), []) == utc(2026, 3, 29, 16)  # EU DST day
    assert next_free_slot(DAILY_19, utc(2026, 10, 25, 9), []) == utc(2026, 10, 25, 16)


def test_after_today_s_slot_the_next_is_tomorrow() -> None:
    assert next_free_slot(DAILY_19, utc(2026, 11, 25, 16), []) == utc(2026, 11, 26, 16)
    assert next_free_slot(DAILY_19, utc(2026, 11, 25, 17), []) == utc(2026, 11, 26, 16)


def test_a_held_slot_is_skipped_and_the_year_turns() -> None:
    taken = [utc(2026, 12, 31, 16)]
    assert next_free_slot(DAILY_19, utc(2026, 12, 31, 10), taken) == utc(2027, 1, 1, 16)


def test_late_evening_utc_is_already_the_next_local_day() -> None:
    # 22:30 UTC on the 25th is 01:30 on the 26th in Moscow: that day's 19:00 is still ahead.
    assert next_free_slot(DAILY_19, utc(2026, 11, 25, 22, 30), []) == utc(2026, 11, 26, 16)


def test_weekdays_and_several_times_a_day() -> None:
    settings = PublishingSettings(slot_times=("12:00", "19:00"), slot_weekdays=(0, 2, 4))  # Mon, Wed, Fri
    wednesday = utc(2026, 11, 25, 6)
    assert next_free_slot(settings, wednesday, []) == utc(2026, 11, 25, 9)
    assert next_free_slot(settings, wednesday, [utc(2026, 11, 25, 9)]) == utc(2026, 11, 25, 16)
    both = [utc(2026, 11, 25, 9), utc(2026, 11, 25, 16)]
    assert next_free_slot(settings, wednesday, both) == utc(2026, 11, 27, 9)  # Friday
    assert slots_on(settings, utc(2026, 11, 26).date()) == []  # Thursday


def test_the_daily_cap_counts_posts_of_the_local_day() -> None:
    settings = PublishingSettings(slot_times=("10:00", "14:00", "19:00"), max_posts_per_day=2)
    # One post sits at an odd time (settings changed since) and still counts towards the day.
    taken = [utc(2026, 11, 25, 7), utc(2026, 11, 25, 8)]
    assert next_free_slot(settings, utc(2026, 11, 25, 5), taken) == utc(2026, 11, 26, 7)


def test_a_zone_with_dst_keeps_the_local_hour() -> None:
    berlin = PublishingSettings(timezone="Europe/Berlin")
    assert next_free_slot(berlin, utc(2026, 3, 28, 9), []) == utc(2026, 3, 28, 18)  # CET
    assert next_free_slot(berlin, utc(2026, 3, 29, 9), []) == utc(2026, 3, 29, 17)  # CEST


def test_nothing_free_within_the_horizon_is_none() -> None:
    settings = PublishingSettings(horizon_days=2)
    taken = [utc(2026, 11, 25, 16), utc(2026, 11, 26, 16)]
    assert next_free_slot(settings, utc(2026, 11, 25, 9), taken) is None


def test_settings_name_what_is_wrong_and_accept_env_strings() -> None:
    assert PublishingSettings(slot_times="21:00, 09:30", slot_weekdays="5,6").slot_times == ("09:30", "21:00")  # type: ignore[arg-type]
    for bad in ({"slot_times": ("7pm",)}, {"slot_weekdays": (7,)}, {"timezone": "Mars/Olympus"}):
        with pytest.raises(ValidationError):
            PublishingSettings(**bad)  # type: ignore[arg-type]
