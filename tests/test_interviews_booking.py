"""Booking a call with the founder, as the relative and the founder live it (the domain, on a manual clock).

Her hours: every day 10:00-18:00 in Moscow, calls of 45 minutes with 15 between. Orders near the front
are offered three times as buttons inside the sending window; a time is booked once; both are reminded
the day before and an hour before, each once; words move and cancel.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import i18n
from tests.db_fixtures import db_url, engine  # noqa: F401
from vkbot.clock import ManualClock
from vkbot.core.store.db import begin_write
from waitlist.effects import Reply
from waitlist.filestore import LocalFileStore
from waitlist.founder import set_status
from waitlist.interviews.booking import book, interview_for
from waitlist.interviews.changes import cancel_call, move_call, move_times
from waitlist.interviews.due import due_interview_messages
from waitlist.interviews.models import WlInterview, WlInterviewSlot
from waitlist.interviews.settings import InterviewSettings
from waitlist.interviews.slots import slot_key
from waitlist.models import WlNotice, WlOrder
from waitlist.notify import due_notifications
from waitlist.settings import WaitlistSettings
from waitlist.testing import Desk, complete_order, memory_engine

MOSCOW = ZoneInfo("Europe/Moscow")
FOUNDER = 777
EVERY_DAY = {day: ["10:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NOON = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday, 12:00 in Moscow


def settings(**interviews: Any) -> WaitlistSettings:
    conf = {"enabled": True, "weekly": EVERY_DAY, "offer_places_ahead": 2, **interviews}
    return WaitlistSettings(interviews=InterviewSettings(**conf))


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return Desk(
        memory_engine(), LocalFileStore(tmp_path / "files"), settings=settings(), clock=ManualClock(NOON)
    )


def due(desk: Desk) -> list[Reply]:
    with Session(desk.engine) as session:
        replies = due_interview_messages(
            session, settings=desk.settings, clock=desk.clock, founder_id=FOUNDER
        )
        session.commit()
    return replies


def times(reply: Reply) -> list[tuple[str, dict[str, Any]]]:
    """(label, payload) of the time buttons of a message."""
    assert reply.keyboard is not None
    return [(b.label, b.payload) for row in reply.keyboard.rows for b in row if b.payload.get("iv") == "pick"]


def interview(desk: Desk, peer_id: int) -> WlInterview:
    with Session(desk.engine) as session:
        found = session.exec(select(WlInterview).where(WlInterview.peer_id == peer_id)).one()
        session.expunge(found)
        return found


def ru(key: str, **params: Any) -> str:
    return i18n.text(key, "ru", **params)


def test_orders_near_the_front_are_offered_three_times_once(desk: Desk) -> None:
    for peer in (1, 2, 3):
        complete_order(desk, peer, photos=0)
    offers = due(desk)
    assert [r.peer_id for r in offers] == [1, 2]  # the third is not near the front yet
    first = offers[0]
    assert first.proactive and first.keyboard is not None and first.keyboard.inline
    labels = [label for label, _ in times(first)]
    # At least 20 hours ahead, in Moscow time (a +7 number says nothing of the zone: the text says so).
    assert labels == ["четверг, 26 ноября, 10:00", "четверг, 26 ноября, 11:00", "четверг, 26 ноября, 12:00"]
    assert "1) четверг, 26 ноября, 10:00" in first.text
    assert ru("interviews.offer.zone_assumed", zone=ru("interviews.zone.Europe/Moscow")) in first.text
    buttons = [b.payload.get("iv") for row in first.keyboard.rows for b in row]
    assert buttons == ["pick", "pick", "pick", "more", "write"]
    assert due(desk) == []  # never twice


def test_an_offer_waits_for_the_sending_window_and_for_permission(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    desk.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))  # 23:00 in Moscow
    assert due(desk) == []
    desk.clock.advance(hours=11)  # 10:00 in Moscow
    assert [r.peer_id for r in due(desk)] == [1]


def test_a_relative_in_kyiv_is_offered_times_on_their_own_clock(desk: Desk) -> None:
    complete_order(desk, 1, "uk", photos=0)  # a +380 number: Kyiv
    [offer] = due(desk)
    # Her 10:00 in Moscow is 09:00 in Kyiv; the zone is named, not assumed.
    assert times(offer)[0][0] == "четвер, 26 листопада, 09:00"
    assert i18n.text("interviews.zone.Europe/Kyiv", "uk") in offer.text
    assert "врахуйте різницю" not in offer.text


def test_a_tapped_time_is_booked_and_never_offered_to_anyone_else(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    complete_order(desk, 2, photos=0)
    offers = {r.peer_id: r for r in due(desk)}
    label, payload = times(offers[1])[0]
    [booked] = desk.send(1, payload=payload)
    assert label in booked.text and "+7 900 123-45-67" in booked.text
    call = interview(desk, 1)
    assert call.status == "booked" and call.starts_at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    # The second relative tapping the same time (it was offered to both) is told kindly and offered others.
    [answer] = desk.send(2, payload=times(offers[2])[0][1])
    assert answer.text.startswith(ru("interviews.taken"))
    assert label not in [lbl for lbl, _ in times(answer)]
    assert interview(desk, 2).status == "offered"
    with Session(desk.engine) as session:
        assert len(session.exec(select(WlInterviewSlot)).all()) == 1


def test_the_slot_key_refuses_a_second_booking_that_slipped_past_every_check(desk: Desk) -> None:
    """Two transactions that both saw the time free: the second insert of the same key is refused."""
    complete_order(desk, 1, photos=0)
    complete_order(desk, 2, photos=0)
    start = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    with Session(desk.engine) as session:
        orders = session.exec(select(WlOrder).order_by(WlOrder.id)).all()  # type: ignore[arg-type]
        first, second = (interview_for(session, o, desk.settings, desk.clock.now()) for o in orders)
        # The first one's booking is only its slot row so far (its status not yet written).
        session.add(WlInterviewSlot(slot=slot_key(start), interview_id=first.id or 0))
        session.flush()
        assert book(session, second, start, desk.settings, desk.clock.now()) == "taken"
        assert second.status == "offered" and second.starts_at is None


def _pick_at_once(db: Engine, peers: list[int], start: datetime, conf: WaitlistSettings) -> list[str]:
    """Each relative's transaction books the same time in its own thread, as two VK events would."""
    barrier, outcomes = threading.Barrier(len(peers)), []

    def pick(peer: int) -> None:
        with Session(db) as session:
            call = session.exec(select(WlInterview).where(WlInterview.peer_id == peer)).one()
            barrier.wait(timeout=30)
            begin_write(session)
            outcomes.append(book(session, call, start, conf, NOON))
            session.commit()

    threads = [threading.Thread(target=pick, args=(p,)) for p in peers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_relatives_picking_the_same_time_at_once_get_it_once(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    desk = Desk(engine, LocalFileStore(tmp_path / "files"), settings=settings(), clock=ManualClock(NOON))
    complete_order(desk, 1, photos=0)
    complete_order(desk, 2, photos=0)
    due(desk)
    start = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert sorted(_pick_at_once(engine, [1, 2], start, desk.settings)) == ["booked", "taken"]
    with Session(engine) as session:
        booked = session.exec(select(WlInterview).where(WlInterview.status == "booked")).all()
        assert len(booked) == 1 and booked[0].starts_at == start


def _book_first_offered(desk: Desk, peer: int) -> WlInterview:
    offer = next(r for r in due(desk) if r.peer_id == peer)
    desk.send(peer, payload=times(offer)[0][1])
    return interview(desk, peer)


def test_both_are_reminded_the_day_before_and_an_hour_before_each_once(desk: Desk) -> None:
    desk.settings = settings(min_notice_hours=30)
    complete_order(desk, 1, photos=0)
    call = _book_first_offered(desk, 1)
    assert call.starts_at is not None
    assert f"{call.starts_at.astimezone(MOSCOW):%d %H:%M}" == "27 10:00"  # Friday 10:00 in Moscow
    assert due(desk) == []
    desk.clock.set(call.starts_at - timedelta(hours=24))
    day = due(desk)
    assert {(r.peer_id, r.proactive) for r in day} == {(1, True), (FOUNDER, False)}
    relative = next(r for r in day if r.peer_id == 1)
    assert (
        relative.text.startswith("Напоминаем о звонке с автором роликов: завтра, 10:00")
        and "завтра, 10:00" in relative.text
    )
    founder = next(r for r in day if r.peer_id == FOUNDER)
    assert "Заказ № 1" in founder.text and "Мария Ивановна" in founder.text and "+7 900" in founder.text
    desk.clock.advance(minutes=30)
    assert due(desk) == []
    desk.clock.set(call.starts_at - timedelta(minutes=59))
    hour = due(desk)
    assert sorted(r.peer_id for r in hour) == [1, FOUNDER]
    assert next(r for r in hour if r.peer_id == 1).text.startswith("Через час звонок")
    assert due(desk) == []
    keys = [r.key for r in day + hour]
    assert len(set(keys)) == 4 and all(k.startswith(f"iv:{call.id}:") for k in keys)


def test_a_relatives_reminder_keeps_to_their_sending_window(desk: Desk) -> None:
    desk.settings = settings(min_notice_hours=30, weekly={d: ["07:00-08:00"] for d in EVERY_DAY})
    complete_order(desk, 1, photos=0)
    call = _book_first_offered(desk, 1)
    assert call.starts_at is not None and call.starts_at.astimezone(MOSCOW).hour == 7
    desk.clock.set(call.starts_at - timedelta(hours=24))  # 07:00 in Moscow: before the window opens
    assert [r.peer_id for r in due(desk)] == [FOUNDER]
    desk.clock.set(call.starts_at - timedelta(hours=22))  # 09:00: the relative's reminder goes now
    [late] = due(desk)
    assert late.peer_id == 1 and "завтра, 07:00" in late.text
    desk.clock.set(call.starts_at - timedelta(minutes=50))  # 06:10: the hour's reminder is only hers
    assert [r.peer_id for r in due(desk)] == [FOUNDER]


def test_moving_by_word_keeps_the_old_time_until_a_new_one_is_picked(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    first = _book_first_offered(desk, 1)
    [offer] = desk.send(1, "перенести")
    assert offer.text.startswith(ru("interviews.move_lead"))
    assert interview(desk, 1).starts_at == first.starts_at  # still theirs meanwhile
    payload = times(offer)[1][1]
    desk.send(1, payload=payload)
    moved = interview(desk, 1)
    assert moved.status == "booked" and moved.starts_at != first.starts_at
    with Session(desk.engine) as session:
        assert [s.slot for s in session.exec(select(WlInterviewSlot))] == [payload["at"]]


def test_a_bare_cancel_cancels_the_call_not_the_order(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    _book_first_offered(desk, 1)
    [answer] = desk.send(1, "отменить")
    assert answer.text == ru("interviews.cancelled")
    with Session(desk.engine) as session:
        order = session.exec(select(WlOrder)).one()
        assert order.status == "waiting"
        assert session.exec(select(WlInterviewSlot)).all() == []
    assert interview(desk, 1).status == "cancelled"
    # "звонок" arranges it again; with nothing booked, "отменить" is the order's own command again.
    [again] = desk.send(1, "звонок")
    assert len(times(again)) == 3
    [question] = desk.send(1, "отменить")
    assert question.text != ru("interviews.cancelled") and interview(desk, 1).status == "offered"


def test_a_typed_number_picks_that_time_from_the_offer(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    [offer] = due(desk)
    desk.send(1, "2")
    assert interview(desk, 1).starts_at is not None
    assert slot_key(interview(desk, 1).starts_at) == times(offer)[1][1]["at"]  # type: ignore[arg-type]


def test_write_to_me_instead_tells_the_founder_once(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    [offer] = due(desk)
    write = next(b.payload for row in offer.keyboard.rows for b in row if b.payload["iv"] == "write")  # type: ignore[union-attr]
    [answer] = desk.send(1, payload=write)
    assert answer.text == ru("interviews.write_me")
    [note] = due(desk)
    assert note.peer_id == FOUNDER and "вместо звонка" in note.text and "+7 900" in note.text
    assert due(desk) == []


def test_a_cancelled_order_frees_its_time_and_old_buttons_say_so_kindly(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    [offer] = due(desk)
    desk.send(1, payload=times(offer)[0][1])
    with Session(desk.engine) as session:
        set_status(session, 1, "cancelled", "семья передумала", at=desk.clock.now())
        session.commit()
    due(desk)
    assert interview(desk, 1).status == "cancelled"
    with Session(desk.engine) as session:
        assert session.exec(select(WlInterviewSlot)).all() == []
    [answer] = desk.send(1, payload=times(offer)[1][1])
    assert answer.text == ru("interviews.stale")


def test_nothing_is_offered_while_interviews_are_off(desk: Desk) -> None:
    desk.settings = WaitlistSettings()
    complete_order(desk, 1, photos=0)
    assert due(desk) == []
    assert desk.send(1, "перенести")  # an ordinary message then: answered by the intake as before


def test_deleting_my_data_takes_the_call_with_it(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    _book_first_offered(desk, 1)
    desk.send(1, "удалить мои данные")
    desk.send(1, "да")
    with Session(desk.engine) as session:
        assert session.exec(select(WlInterview)).all() == []
        assert session.exec(select(WlInterviewSlot)).all() == []


def test_a_time_she_cancels_is_offered_again_even_once_the_clip_is_begun(desk: Desk) -> None:
    from waitlist.interviews.booking import for_order_number, reoffer

    complete_order(desk, 1, photos=0)
    first = _book_first_offered(desk, 1)
    with Session(desk.engine) as session:
        set_status(session, 1, "in_progress", None, at=desk.clock.now())
        reoffer(session, for_order_number(session, 1), desk.clock.now(), by_founder=True)
        session.commit()
    [again] = due(desk)
    assert again.text.startswith(ru("interviews.founder_cancelled"))
    assert first.starts_at is not None and slot_key(first.starts_at) not in [p["at"] for _, p in times(again)]
    assert due(desk) == []


def test_another_time_shows_new_times_until_none_are_left_then_starts_over(desk: Desk) -> None:
    desk.settings = settings(weekly={"thu": ["10:00-14:00"]}, horizon_days=2)  # four times in all
    complete_order(desk, 1, photos=0)
    [offer] = due(desk)
    more = {"iv": "more", "o": times(offer)[0][1]["o"]}
    [second] = desk.send(1, payload=more)
    assert [p["at"] for _, p in times(offer)] == [
        "2026-11-26T07:00Z",
        "2026-11-26T08:00Z",
        "2026-11-26T09:00Z",
    ]
    assert [p["at"] for _, p in times(second)] == ["2026-11-26T10:00Z"]
    [third] = desk.send(1, payload=more)
    assert len(times(third)) == 3  # from the start again, rather than nothing


def test_someone_we_may_not_write_first_hears_of_the_call_with_their_next_answer(desk: Desk) -> None:
    from waitlist.service import record_message_allow

    complete_order(desk, 1, photos=0)
    with Session(desk.engine) as session:
        record_message_allow(session, 1, False, desk.clock.now())
        session.commit()
    assert due(desk) == [] and due(desk) == []
    replies = desk.send(1, "статус")
    assert ru("intake.notice.interview") in replies[0].text
    assert ru("intake.notice.interview") not in desk.send(1, "статус")[0].text  # once
    [offer] = desk.send(1, "звонок")
    assert len(times(offer)) == 3 and interview(desk, 1).offer_sent_at is not None


def test_a_call_already_held_stays_in_her_calendar_when_the_order_is_delivered(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    call = _book_first_offered(desk, 1)
    assert call.starts_at is not None
    desk.clock.set(call.starts_at + timedelta(days=3))
    with Session(desk.engine) as session:
        set_status(session, 1, "in_progress", None, at=desk.clock.now())
        set_status(session, 1, "delivered", None, at=desk.clock.now())
        session.commit()
    due(desk)
    assert interview(desk, 1).status == "booked" and interview(desk, 1).starts_at == call.starts_at


# -- an offer left unanswered: one follow-up, then it lapses ------------------------------------------


def test_an_ignored_offer_gets_one_gentle_follow_up_inside_the_window_then_lapses(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    [offer] = due(desk)
    desk.clock.set(NOON + timedelta(hours=47, minutes=59))
    assert due(desk) == []  # not yet: follow_up_hours is 48
    desk.clock.set(NOON + timedelta(hours=59))  # Friday 23:00 in Moscow: outside the sending window
    assert due(desk) == []
    desk.clock.set(NOON + timedelta(hours=70))  # Saturday 10:00: the window is open
    [follow] = due(desk)
    assert follow.peer_id == 1 and follow.proactive and follow.key != offer.key
    assert follow.text.startswith("Здравствуйте. Напоминаем о звонке по заказу № 1")
    assert "ваш заказ остаётся на своём месте в очереди" in follow.text
    assert [label for label, _ in times(follow)] == [
        "воскресенье, 29 ноября, 10:00",
        "воскресенье, 29 ноября, 11:00",
        "воскресенье, 29 ноября, 12:00",
    ]
    assert due(desk) == []
    desk.clock.advance(hours=47)
    assert due(desk) == [] and interview(desk, 1).status == "offered"
    desk.clock.advance(hours=1)  # lapse_hours (48) after the follow-up: it lapses without a word
    assert due(desk) == []
    assert interview(desk, 1).status == "lapsed"
    with Session(desk.engine) as session:
        order = session.exec(select(WlOrder)).one()
        assert order.status == "waiting"
    desk.clock.advance(days=30)
    assert due(desk) == []  # never a second follow-up, never a new offer by itself
    [again] = desk.send(1, "звонок")  # the relative can still ask
    assert len(times(again)) == 3 and interview(desk, 1).status == "offered"


def test_another_time_asked_restarts_the_wait_and_still_one_follow_up_only(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    [offer] = due(desk)
    desk.clock.advance(hours=46)  # Friday 10:00 in Moscow
    desk.send(1, payload={"iv": "more", "o": times(offer)[0][1]["o"]})  # an answer: the wait starts again
    desk.clock.advance(hours=47)
    assert due(desk) == []
    desk.clock.advance(hours=2)
    [follow] = due(desk)
    assert times(follow)
    desk.clock.advance(hours=10)
    desk.send(1, payload={"iv": "more", "o": times(offer)[0][1]["o"]})
    desk.clock.advance(hours=60)
    assert due(desk) == [] and interview(desk, 1).status == "lapsed"


def test_someone_we_may_not_write_first_gets_no_follow_up_but_the_offer_still_lapses(desk: Desk) -> None:
    from waitlist.service import record_message_allow

    complete_order(desk, 1, photos=0)
    assert len(due(desk)) == 1
    with Session(desk.engine) as session:
        record_message_allow(session, 1, False, desk.clock.now())  # VK refused a message meanwhile
        session.commit()
    desk.clock.set(NOON + timedelta(hours=95))
    assert due(desk) == [] and interview(desk, 1).status == "offered"
    desk.clock.set(NOON + timedelta(hours=96))  # when it would have lapsed after a follow-up
    assert due(desk) == [] and interview(desk, 1).status == "lapsed"


# -- the read-only check the job asks first ---------------------------------------------------------


def _snapshot(desk: Desk) -> tuple[object, ...]:
    with Session(desk.engine) as session:
        calls = sorted(str(c.model_dump()) for c in session.exec(select(WlInterview)))
        slots = sorted(s.slot for s in session.exec(select(WlInterviewSlot)))
        notices = sorted(n.key for n in session.exec(select(WlNotice)))
    return tuple(calls), tuple(slots), tuple(notices)


def test_the_read_only_check_never_says_nothing_is_due_when_the_pass_would_act(desk: Desk) -> None:
    """A week, hour by hour: offers, a booking, reminders, a write-to-me, follow-ups and lapses."""
    from waitlist.interviews.due import interview_work_due

    desk.settings = settings(offer_places_ahead=3)
    for peer in (1, 2, 3):
        complete_order(desk, peer, photos=0)
    said: dict[bool, int] = {True: 0, False: 0}
    for hour in range(24 * 8):
        desk.clock.set(NOON + timedelta(hours=hour, minutes=7))
        with Session(desk.engine) as session:
            flagged = interview_work_due(
                session, settings=desk.settings, now=desk.clock.now(), founder_id=FOUNDER
            )
        before = _snapshot(desk)
        replies = due(desk)
        if not flagged:
            assert replies == [] and _snapshot(desk) == before, f"missed work at hour {hour}"
        said[flagged] += 1
        if hour == 2:
            _book_first_offered_again(desk, 1)
            desk.send(3, payload={"iv": "write", "o": _order_id(desk, 3)})
    # Work at five hours (offers, her write-to-me note, the hour's reminders, a follow-up, a lapse).
    assert said[True] >= 5 and said[False] >= 150
    assert interview(desk, 2).status == "lapsed" and interview(desk, 3).status == "write_me"


def _order_id(desk: Desk, peer: int) -> int:
    return interview(desk, peer).order_id


def _book_first_offered_again(desk: Desk, peer: int) -> None:
    call = interview(desk, peer)
    desk.send(peer, payload={"iv": "pick", "at": call.last_offer[0], "o": call.order_id})
    assert interview(desk, peer).status == "booked"


# -- she moves or cancels a booked call -------------------------------------------------------------


def _changed(desk: Desk, peer: int, act: Any) -> Any:
    with Session(desk.engine) as session:
        call = session.exec(select(WlInterview).where(WlInterview.peer_id == peer)).one()
        outcome = act(session, call)
        session.commit()
    return outcome


def _told(desk: Desk) -> list[Reply]:
    with Session(desk.engine) as session:
        replies = due_notifications(session, settings=desk.settings, clock=desk.clock)
        session.commit()
    return replies


def test_a_call_she_moves_frees_the_old_time_and_the_relative_hears_it_in_their_own_words(
    desk: Desk,
) -> None:
    complete_order(desk, 1, "uk", photos=0)  # Kyiv: an hour behind her
    call = _book_first_offered(desk, 1)
    assert call.starts_at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    later = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday 15:00 in Moscow, 14:00 in Kyiv
    assert later in _changed(desk, 1, lambda s, c: move_times(s, c, desk.settings, desk.clock.now()))
    assert _changed(desk, 1, lambda s, c: move_call(s, c, later, desk.settings, desk.clock.now())) == "booked"
    assert interview(desk, 1).starts_at == later
    with Session(desk.engine) as session:
        assert [s.slot for s in session.exec(select(WlInterviewSlot))] == [slot_key(later)]
    [told] = _told(desk)
    assert told.peer_id == 1 and told.proactive
    moved = i18n.text(
        "intake.notice.call_moved",
        "uk",
        when="п'ятниця, 27 листопада, 14:00",  # on their clock, in Ukrainian
        zone=i18n.text("interviews.zone.Europe/Kyiv", "uk"),
    )
    assert told.text == f"{i18n.text('intake.notice.hello', 'uk')} {moved}"
    assert _told(desk) == []  # once
    # The reminders follow the new time.
    desk.clock.set(later - timedelta(hours=24))
    assert {r.peer_id for r in due(desk)} == {1, FOUNDER}


def test_only_where_the_call_stands_now_is_told(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    call = _book_first_offered(desk, 1)
    assert call.starts_at is not None
    desk.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))  # 23:00 in Moscow: nothing goes out now
    friday, saturday = (datetime(2026, 11, d, 12, 0, tzinfo=UTC) for d in (27, 28))
    for start in (friday, saturday, call.starts_at):  # there, there, and back before they heard
        _changed(desk, 1, lambda s, c, start=start: move_call(s, c, start, desk.settings, desk.clock.now()))
    desk.clock.set(datetime(2026, 11, 26, 6, 0, tzinfo=UTC))  # 09:00: the window opens
    assert _told(desk) == []  # it stands where they were told: nothing to say
    _changed(desk, 1, lambda s, c: move_call(s, c, friday, desk.settings, desk.clock.now()))
    desk.clock.set(datetime(2026, 11, 25, 20, 30, tzinfo=UTC))
    _changed(desk, 1, lambda s, c: move_call(s, c, saturday, desk.settings, desk.clock.now()))
    desk.clock.set(datetime(2026, 11, 26, 6, 0, tzinfo=UTC))
    [told] = _told(desk)
    assert "суббота, 28 ноября, 15:00" in told.text and "27 ноября" not in told.text


def test_a_call_she_cancels_is_freed_and_the_relative_may_ask_again(desk: Desk) -> None:
    complete_order(desk, 1, photos=0)
    _book_first_offered(desk, 1)
    assert _changed(desk, 1, lambda s, c: cancel_call(s, c, desk.clock.now())) is True
    assert _changed(desk, 1, lambda s, c: cancel_call(s, c, desk.clock.now())) is False  # nothing booked
    with Session(desk.engine) as session:
        assert session.exec(select(WlInterviewSlot)).all() == []
    [told] = _told(desk)
    assert told.text == f"{ru('intake.notice.hello')} {ru('intake.notice.call_cancelled')}"
    [again] = desk.send(1, "звонок")
    assert len(times(again)) == 3
