"""The queue and the sign-up list: fair, gap-free places, honest estimates, the founder's moves."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from waitlist.dialog import State
from waitlist.filestore import LocalFileStore
from waitlist.founder import OrderNotFound, get_order, list_orders, move_order, set_signups_open, set_status
from waitlist.models import WlConversation, WlFile, WlOrder, WlSignup
from waitlist.queue import places_taken, queue_position
from waitlist.service import record_message_allow
from waitlist.settings import WaitlistSettings
from waitlist.testing import Desk, complete_order, make_photo, memory_engine


def _desk(tmp_path: Path, **settings: object) -> Desk:
    return Desk(memory_engine(), LocalFileStore(tmp_path / "files"), settings=WaitlistSettings(**settings))


def _positions(desk: Desk) -> dict[int, int]:
    with Session(desk.engine) as session:
        return {o.number or 0: queue_position(session, o) or 0 for o in session.exec(select(WlOrder))}


QUICK = [
    "Здравствуйте",
    "да",
    "Имя",
    "сын",
    "готово",
    "Рассказ.",
    "готово",
    "готово",
    "сюда",
    "да",
    "нет",
    "да",
]


def test_500_relatives_writing_at_once_get_500_orders_with_gap_free_places(tmp_path: Path) -> None:
    desk = _desk(tmp_path, queue_limit=1000)
    peers = list(range(10_000, 10_500))
    told: dict[int, str] = {}
    for step in QUICK:  # interleaved: everyone's first message, then everyone's second, ...
        for peer in peers:
            replies = desk.send(peer, step if step != "Рассказ." else f"Рассказ о человеке {peer}.")
            told[peer] = replies[-1].text
    numbers = {int(re.search(r"Номер заказа: (\d+)", told[p]).group(1)) for p in peers}  # type: ignore[union-attr]
    places = sorted(int(re.search(r"Место в очереди: (\d+)", told[p]).group(1)) for p in peers)  # type: ignore[union-attr]
    assert numbers == set(range(1, 501))
    assert places == list(range(1, 501))
    assert sorted(_positions(desk).values()) == list(range(1, 501))


def test_the_founder_moves_an_order_and_places_stay_gap_free(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    for peer in range(1, 6):
        complete_order(desk, peer, photos=0)
    with Session(desk.engine) as session:
        move_order(session, 5, 1, "a mother's funeral is on Friday", at=desk.clock.now())
        move_order(session, 1, 3, "waiting for better photos", at=desk.clock.now())
        session.commit()
    assert _positions(desk) == {5: 1, 2: 2, 1: 3, 3: 4, 4: 5}
    with Session(desk.engine) as session:
        set_status(session, 5, "in_progress", None, at=desk.clock.now())
        session.commit()
        assert [
            v.number
            for v in list_orders(session, settings=desk.settings, now=desk.clock.now(), status="waiting")
        ] == [2, 1, 3, 4]
        with pytest.raises(OrderNotFound):
            get_order(session, 99, settings=desk.settings, now=desk.clock.now())
        with pytest.raises(ValueError):
            set_status(session, 2, "lost", None, at=desk.clock.now())
    replies = desk.send(5, "статус")
    assert "ролик уже делается" in replies[-1].text


def test_the_founder_sees_the_photo_measures_with_the_order(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    complete_order(desk, 7, photos=2)
    with Session(desk.engine) as session:
        view = get_order(session, 1, settings=desk.settings, now=desk.clock.now())
    assert view.position == 1 and len(view.files) == 2
    assert all(f.width == 900 and f.faces == 1 and f.sharpness and not f.poor for f in view.files)
    assert "учительницей" in " ".join(view.story)


def test_estimates_follow_the_founders_pace(tmp_path: Path) -> None:
    desk = _desk(tmp_path, clips_per_week=1, queue_limit=100)
    for peer in range(1, 11):
        last = complete_order(desk, peer, photos=0)
    # The tenth order at one clip a week: not within two weeks, a range of dates instead.
    assert "Место в очереди: 10" in last[-1].text
    assert "Когда примерно: с 27.01.2027 по 24.02.2027" in last[-1].text


def test_over_the_limit_a_new_writer_goes_on_the_sign_up_list_with_only_a_contact(tmp_path: Path) -> None:
    desk = _desk(tmp_path, queue_limit=2, clips_per_week=0.02)
    complete_order(desk, 1, photos=0)
    complete_order(desk, 2, photos=0)

    replies = desk.send(3, "Здравствуйте, у нас погиб сын", photos=(make_photo(),))
    assert "очередь заполнена" in replies[-1].text
    assert "Фото пока не нужны" in replies[-1].text
    desk.send(3, "да")
    replies = desk.send(3, photos=(make_photo(seed=5),))
    assert "Фото пока не нужны" in replies[0].text
    desk.send(3, "+7 911 000 11 22")
    replies = desk.send(3, "да")
    assert "Ваше место в листе: 1" in replies[-1].text
    assert "больше чем через год" in replies[-1].text  # honest even when it is long
    assert desk.downloader.fetched == []  # no photos collected from people who may wait months
    with Session(desk.engine) as session:
        [signup] = session.exec(select(WlSignup)).all()
        assert signup.contact == "+7 911 000 11 22" and signup.status == "listed"
        assert session.exec(select(WlFile)).all() == []
    assert "листе ожидания, место 1" in desk.send(3, "статус")[-1].text


def test_a_freed_place_invites_the_first_on_the_list_and_they_then_order(tmp_path: Path) -> None:
    desk = _desk(tmp_path, queue_limit=1)
    complete_order(desk, 1, photos=0)
    for text in ("Здравствуйте", "да", "сюда", "да"):
        desk.send(2, text)
    assert desk.due() == []  # no room yet
    with Session(desk.engine) as session:
        set_status(session, 1, "in_progress", None, at=desk.clock.now())
        session.commit()
    sent = desk.due()
    invite = [r for r in sent if r.peer_id == 2]
    assert len(invite) == 1 and "освободилось место" in invite[0].text and invite[0].proactive
    assert desk.due() == []  # not twice
    replies = desk.send(2, "Здравствуйте, это снова я")
    assert "Для кого будет ролик" in replies[-1].text


def _signups(desk: Desk) -> dict[int, str]:
    with Session(desk.engine) as session:
        return {s.peer_id or 0: s.status for s in session.exec(select(WlSignup))}


def test_an_invitation_not_taken_up_passes_the_place_on_and_says_so_kindly(tmp_path: Path) -> None:
    desk = _desk(tmp_path, queue_limit=1, invitation_days=14)
    complete_order(desk, 1, photos=0)
    for peer in (2, 3):  # two on the sign-up list, in this order
        for text in ("Здравствуйте", "да", "сюда", "да"):
            desk.send(peer, text)
    with Session(desk.engine) as session:
        set_status(session, 1, "in_progress", None, at=desk.clock.now())
        session.commit()
    assert [r.peer_id for r in desk.due() if "освободилось место" in r.text] == [2]

    desk.clock.advance(days=13)
    assert desk.due() == [] and _signups(desk) == {2: "invited", 3: "listed"}  # still within its time

    desk.clock.advance(days=2)
    sent = desk.due()
    lapsed = [r for r in sent if r.peer_id == 2]
    assert len(lapsed) == 1 and "место передано следующему" in lapsed[0].text and lapsed[0].proactive
    assert [r.peer_id for r in sent if "освободилось место" in r.text] == [3]  # the next one is invited
    assert _signups(desk) == {2: "lapsed", 3: "invited"}
    assert desk.due() == []  # neither is said twice

    replies = desk.send(2, "Здравствуйте, извините, болела")  # the one who lapsed may come back
    assert "Для кого будет ролик" not in replies[-1].text  # the place went on: no order jumps the list
    assert "очередь заполнена" in replies[-1].text


def test_an_invitation_that_could_not_be_sent_lapses_silently(tmp_path: Path) -> None:
    desk = _desk(tmp_path, queue_limit=1, invitation_days=14)
    complete_order(desk, 1, photos=0)
    for text in ("Здравствуйте", "да", "сюда", "да"):
        desk.send(2, text)
    with Session(desk.engine) as session:
        record_message_allow(session, 2, False, desk.clock.now())  # VK: may not be written to first
        set_status(session, 1, "in_progress", None, at=desk.clock.now())
        session.commit()
    assert [r for r in desk.due() if r.peer_id == 2] == []  # the invitation waits for their next message
    desk.clock.advance(days=15)
    assert desk.due() == [] and _signups(desk) == {2: "lapsed"}
    replies = desk.send(2, "Здравствуйте")
    assert not any("освободилось место" in r.text for r in replies)  # no stale invitation with the reply
    assert "Для кого будет ролик" in replies[-1].text  # the place is free again, and nobody else waits


def test_while_sign_ups_are_closed_new_writers_hear_so_kindly(tmp_path: Path) -> None:
    desk = _desk(tmp_path)
    with Session(desk.engine) as session:
        set_signups_open(session, False, at=desk.clock.now(), reopen_hint="в марте")
        session.commit()
    replies = desk.send(9, "Здравствуйте, мама умерла, сделайте ролик")
    assert "не принимаем новые заявки" in replies[-1].text and "в марте" in replies[-1].text
    with Session(desk.engine) as session:
        assert session.exec(select(WlOrder)).all() == []
        set_signups_open(session, True, at=desk.clock.now())
        session.commit()
    replies = desk.send(9, "Здравствуйте")
    assert "Вы согласны" in replies[-1].text


def _waiting(desk: Desk) -> int:
    with Session(desk.engine) as session:
        return len(session.exec(select(WlOrder).where(WlOrder.status == "waiting")).all())


def test_dialogs_started_while_there_was_room_all_finish_and_the_queue_stays_in_its_limit(
    tmp_path: Path,
) -> None:
    desk = _desk(tmp_path, queue_limit=2)
    opened = [desk.send(peer, QUICK[0])[-1].text for peer in (1, 2, 3)]  # all three write at once
    assert ["очередь заполнена" in text for text in opened] == [False, False, True]
    for peer in (1, 2):  # the two who started while there was room finish slowly, over days
        for text in QUICK[1:]:
            desk.clock.advance(hours=20)
            desk.send(peer, text)
    assert [o.status for o in desk_orders(desk)] == ["waiting", "waiting"]  # none turned away, none over
    # The one who came when both places were held went on the sign-up list with only a contact.
    for text in ("да", "сюда", "да"):
        desk.send(3, text)
    assert _signups(desk) == {3: "listed"}


def desk_orders(desk: Desk) -> list[WlOrder]:
    with Session(desk.engine) as session:
        return list(session.exec(select(WlOrder).order_by(WlOrder.id)))  # type: ignore[arg-type]


def test_an_abandoned_intake_gives_its_place_back_and_still_finishes_if_its_writer_returns(
    tmp_path: Path,
) -> None:
    desk = _desk(tmp_path, queue_limit=1, place_hold_hours=48)
    desk.send(1, QUICK[0])
    desk.send(1, QUICK[1])  # consented, then silent
    desk.clock.advance(hours=47)
    assert "очередь заполнена" in desk.send(2, QUICK[0])[-1].text  # the place is still held for them
    desk.clock.advance(hours=2)  # 49 hours of silence: abandoned
    assert "очередь заполнена" not in desk.send(3, QUICK[0])[-1].text  # the place is free again
    assert "Для кого будет ролик" in desk.send(3, QUICK[1])[-1].text  # on the order track
    # The first writer comes back after all: never turned away at the end of what they began.
    for text in QUICK[2:]:
        replies = desk.send(1, text)
    assert "Номер заказа" in replies[-1].text
    for text in QUICK[2:]:
        desk.send(3, text)
    assert _waiting(desk) == 2  # over the limit by the one late return only (the documented bound)


def test_an_intake_under_way_holds_its_place_against_invitations(tmp_path: Path) -> None:
    desk = _desk(tmp_path, queue_limit=2)
    complete_order(desk, 1, photos=0)
    complete_order(desk, 2, photos=0)
    for peer in (3, 4, 5):  # the queue is full: three on the sign-up list
        for text in ("Здравствуйте", "да", "сюда", "да"):
            desk.send(peer, text)
    with Session(desk.engine) as session:
        set_status(session, 1, "in_progress", None, at=desk.clock.now())
        session.commit()
    assert [r.peer_id for r in desk.due() if "освободилось место" in r.text] == [3]
    desk.send(3, "Здравствуйте, это снова я")
    desk.send(3, "да")  # the invited writer's intake is under way: it holds the place it was given
    with Session(desk.engine) as session:
        set_status(session, 2, "in_progress", None, at=desk.clock.now())
        session.commit()
    # One place freed, one intake under way: one more invitation, not two.
    assert [r.peer_id for r in desk.due() if "освободилось место" in r.text] == [4]
    assert _signups(desk) == {3: "converted", 4: "invited", 5: "listed"}


def test_places_taken_counts_the_queue_the_intakes_under_way_and_the_list_in_one_query(
    tmp_path: Path,
) -> None:
    desk = _desk(tmp_path, queue_limit=3)
    complete_order(desk, 1, photos=0)  # waiting
    desk.send(2, QUICK[0])  # under way: asked for consent
    desk.send(3, QUICK[0])  # the third place: under way too
    for text in ("Здравствуйте", "да", "сюда", "да"):  # full: the fourth goes on the sign-up list
        desk.send(4, text)
    assert _signups(desk) == {4: "listed"}
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    with Session(desk.engine) as session:
        event.listen(desk.engine, "before_cursor_execute", note)
        try:
            taken = places_taken(session, settings=desk.settings, now=desk.clock.now())
        finally:
            event.remove(desk.engine, "before_cursor_execute", note)
    assert taken == 1 + 2 + 1 and len(statements) == 1
    desk.clock.advance(hours=desk.settings.place_hold_hours + 1)  # both intakes abandoned: places back
    with Session(desk.engine) as session:
        assert places_taken(session, settings=desk.settings, now=desk.clock.now()) == 1 + 1


@pytest.mark.parametrize("seed", range(12))
def test_places_taken_counts_pending_rows_as_a_flush_would_without_flushing(seed: int) -> None:
    """The count reads the conversations, orders and sign-ups the batch changed but has not written
    yet: it must equal the count after a flush, and must not flush (the batch's rows wait)."""
    rng = random.Random(seed)
    engine = memory_engine()
    settings = WaitlistSettings()
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    hold = timedelta(hours=settings.place_hold_hours)
    states = [s.value for s in State]
    stamps = [now - hold - timedelta(minutes=1), now - hold, now - hold + timedelta(seconds=1), now]

    def conversation(peer: int) -> WlConversation:
        return WlConversation(
            peer_id=peer,
            state=rng.choice(states),
            track=rng.choice(["order", "signup"]),
            created_at=now - 2 * hold,
            updated_at=rng.choice(stamps),
        )

    def order(peer: int) -> WlOrder:
        return WlOrder(
            peer_id=peer,
            status=rng.choice(["draft", "waiting", "in_progress", "done"]),
            created_at=now,
            updated_at=now,
        )

    def signup(peer: int) -> WlSignup:
        return WlSignup(
            peer_id=peer, status=rng.choice(["draft", "listed", "invited", "converted"]), created_at=now
        )

    with Session(engine) as session:
        for peer in range(1, 31):
            session.add_all([conversation(peer), order(peer), signup(peer)])
        session.commit()
    with Session(engine) as session:
        rows = [
            *session.exec(select(WlConversation)),
            *session.exec(select(WlOrder)),
            *session.exec(select(WlSignup)),
        ]
        for row in rng.sample(rows, 40):
            if rng.random() < 0.1:
                session.delete(row)
            elif isinstance(row, WlConversation):
                # StrEnum members, as the dialog assigns them; some rows changed twice, some back again.
                row.state = State(rng.choice(states))
                row.updated_at = rng.choice(stamps)
                row.track = rng.choice(["order", "signup", row.track])
            else:
                row.status = rng.choice(["draft", "waiting", "listed", "invited", row.status])
            session.add(row)
        for peer in range(31, 36):
            session.add_all([conversation(peer), order(peer), signup(peer)])
        pending = len(session.new) + len(session.dirty) + len(session.deleted)
        counted = places_taken(session, settings=settings, now=now)
        assert len(session.new) + len(session.dirty) + len(session.deleted) == pending  # nothing flushed
        session.flush()
        assert places_taken(session, settings=settings, now=now) == counted
