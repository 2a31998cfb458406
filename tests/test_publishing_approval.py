"""The family approves the exact post: yes / their own text / a date / no / no answer; each is in the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from publishing import PublishClip, PublishingSettings, PubPost, plan
from publishing.approval import answer, parse_date_wish, peers_asked
from publishing.captions import clean_name
from tests.db_fixtures import db_url, engine  # noqa: F401
from tests.test_publishing_planner import MORNING, SETTINGS, SLOT_TODAY, delivered_order, posts, press
from vkbot.clock import ManualClock
from waitlist.effects import Reply
from waitlist.inbound import InboundMessage
from waitlist.models import WlConsent

BERLIN = PublishingSettings(timezone="Europe/Berlin")


def plan_once(db: Engine, clock: ManualClock) -> list[object]:
    with Session(db) as session:
        effects = plan(session, SETTINGS, clock)
        session.commit()
    return list(effects)


def asked(db: Engine, clock: ManualClock, name: str = "Мой папа, Николай Петрович Иванов") -> Reply:
    with Session(db) as session:
        delivered_order(session, clock, name, consent=True)
    [ask] = plan_once(db, clock)
    assert isinstance(ask, Reply) and ask.keyboard is not None
    return ask


def ledger(db: Engine) -> list[WlConsent]:
    with Session(db) as session:
        query = select(WlConsent).where(WlConsent.kind == "post_approval").order_by(col(WlConsent.id))
        return list(session.exec(query))


def test_the_name_is_cleaned_of_the_words_around_it() -> None:
    assert clean_name("Мой папа, Николай Петрович Иванов") == "Николай Петрович Иванов"
    assert clean_name("Иванов Николай Петрович, мой папа") == "Иванов Николай Петрович"
    assert clean_name("Моя бабушка — Анна Сергеевна") == "Анна Сергеевна"
    assert clean_name("мама Галина Ивановна") == "Галина Ивановна"
    assert clean_name("my dad John Smith") == "John Smith"
    assert clean_name("Николай Петрович Иванов") == "Николай Петрович Иванов"


def test_the_family_is_shown_the_exact_caption_and_nothing_goes_up_without_an_answer(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    ask = asked(engine, clock)
    [post] = posts(engine)
    assert post.status == "awaiting" and post.slot_at is None
    assert "Николай Петрович Иванов" in post.caption and "Мой папа" not in post.caption
    assert post.caption in ask.text
    labels = [b.label for row in ask.keyboard.rows for b in row]  # type: ignore[union-attr]
    assert labels == [
        "Опубликовать так",
        "Без комментариев",
        "Изменить текст",
        "Выбрать дату",
        "Не публиковать",
    ]
    clock.advance(days=2)  # slots pass: nothing is published, nobody is asked twice
    assert plan_once(engine, clock) == []
    assert posts(engine)[0].status == "awaiting"


def test_publish_as_is_records_the_exact_text_and_takes_the_next_slot(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    ask = asked(engine, clock)
    [reply] = press(engine, clock, ask, "yes") or []
    assert "25.11.2026 19:00" in reply.text
    [post] = posts(engine)
    assert (post.status, post.slot_at) == ("queued", SLOT_TODAY)
    [entry] = ledger(engine)
    assert (entry.granted, entry.wording, entry.version) == (True, post.caption, "post")
    clock.advance(hours=7)
    [publish] = plan_once(engine, clock)
    assert isinstance(publish, PublishClip) and publish.caption == post.caption


def test_words_answer_like_buttons_and_unrelated_words_go_to_the_dialog(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    ask = asked(engine, clock)
    assert press(engine, clock, ask, "", "а когда будет готов второй ролик?") is None
    assert posts(engine)[0].status == "awaiting"
    assert press(engine, clock, ask, "", "Не публиковать") is not None
    assert posts(engine)[0].status == "declined"
    [entry] = ledger(engine)
    assert entry.granted is False
    clock.advance(days=30)
    assert plan_once(engine, clock) == []  # declined is not asked again


def test_the_family_s_own_words_replace_the_caption(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    ask = asked(engine, clock)
    [prompt] = press(engine, clock, ask, "edit") or []
    assert "текст" in prompt.text
    own = "Папа, мы помним тебя. Николай Иванов, 1950–2026."
    [done] = press(engine, clock, ask, "", own) or []
    [post] = posts(engine)
    assert (post.status, post.caption) == ("queued", own)
    assert ledger(engine)[-1].wording == own and ledger(engine)[-1].version == "post:own_text"
    assert "25.11.2026" in done.text


def test_on_a_date_and_not_before_a_date_are_honoured(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    first = asked(engine, clock, "Дата")
    press(engine, clock, first, "date")
    [bad] = press(engine, clock, first, "", "когда-нибудь") or []
    assert "дату" in bad.text and posts(engine)[0].status == "awaiting"
    press(engine, clock, first, "", "15.01.2027")  # an anniversary: that very day
    second = asked(engine, clock, "Не раньше")
    press(engine, clock, second, "date")
    press(engine, clock, second, "", "не раньше 10.12")
    on, after = posts(engine)
    assert on.slot_at == datetime(2027, 1, 15, 16, tzinfo=UTC) and on.pinned
    assert after.slot_at == datetime(2026, 12, 10, 16, tzinfo=UTC)
    assert [e.version for e in ledger(engine)] == ["post:on:2027-01-15", "post:after:2026-12-10"]


def test_no_answer_in_n_days_is_not_published_and_the_family_is_told_once(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    asked(engine, clock)
    clock.advance(days=SETTINGS.approval_days, minutes=1)
    [told] = plan_once(engine, clock)
    assert isinstance(told, Reply) and "не опубликован" in told.text
    assert plan_once(engine, clock) == []
    assert posts(engine)[0].status == "expired"
    [entry] = ledger(engine)  # silence is recorded too: not published, consent no longer standing
    assert (entry.granted, entry.version) == (False, "post:no_answer")


def test_date_wishes_parse_in_each_language() -> None:
    today = date(2026, 11, 25)
    assert parse_date_wish("15.01.2027", "ru", today) == ("on", date(2027, 1, 15))
    assert parse_date_wish("не раньше 3.02", "ru", today) == ("after", date(2027, 2, 3))
    assert parse_date_wish("після 2027-03-01", "uk", today) == ("after", date(2027, 3, 1))
    assert parse_date_wish("not before 1/12/26", "en", today) == ("after", date(2026, 12, 1))
    assert parse_date_wish("31.02.2027", "ru", today) is None
    assert parse_date_wish("скоро", "ru", today) is None


def test_an_on_date_keeps_the_local_hour_across_a_dst_change(engine: Engine) -> None:  # noqa: F811
    from publishing.slots import first_slot_on

    assert first_slot_on(BERLIN, date(2027, 3, 27)) == datetime(2027, 3, 27, 18, tzinfo=UTC)  # CET
    assert first_slot_on(BERLIN, date(2027, 3, 28)) == datetime(2027, 3, 28, 17, tzinfo=UTC)  # CEST


def test_posts_of_unrelated_peers_are_not_answered(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    ask = asked(engine, clock)
    stranger = Reply(ask.peer_id + 999, ask.text, ask.key, keyboard=ask.keyboard)
    [told] = press(engine, clock, stranger, "yes") or []  # someone else's button: nothing changes
    assert "уже" in told.text
    with Session(engine) as session:
        assert session.exec(select(PubPost)).one().status == "awaiting"


def test_with_a_review_time_the_founder_s_edit_is_what_the_family_sees(engine: Engine) -> None:  # noqa: F811
    from publishing.calendar import edit_caption

    review = PublishingSettings(review_minutes=30)
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        delivered_order(session, clock, "Мой папа, Николай Петрович Иванов", consent=True)
        assert plan(session, review, clock) == []  # drafted, not shown yet
        session.commit()
    [post] = posts(engine)
    assert post.id is not None and post.asked_at is None
    clock.advance(minutes=10)
    with Session(engine) as session:
        edit_caption(session, post.id, "Николай Петрович Иванов. Помним.", clock.now())
        session.commit()
    clock.advance(minutes=29)
    with Session(engine) as session:
        assert plan(session, review, clock) == []  # the edit restarted the review time
        clock.advance(minutes=2)
        [ask] = plan(session, review, clock)
        session.commit()
    assert isinstance(ask, Reply) and "Николай Петрович Иванов. Помним." in ask.text


def test_two_open_questions_each_button_answers_its_own_and_a_stale_press_is_told(engine: Engine) -> None:  # noqa: F811
    from waitlist.models import WlOrder

    clock = ManualClock(MORNING)
    with Session(engine) as session:
        first_id = delivered_order(session, clock, "Первый", consent=True)
        second_id = delivered_order(session, clock, "Второй", consent=True)
        first_order, second_order = session.get(WlOrder, first_id), session.get(WlOrder, second_id)
        assert first_order is not None and second_order is not None
        second_order.peer_id = first_order.peer_id  # one family, two clips
        session.add(second_order)
        session.commit()
    first, second = (e for e in plan_once(engine, clock) if isinstance(e, Reply))
    assert first.peer_id == second.peer_id
    press(engine, clock, second, "no")  # the second question's button, pressed after the first arrived
    assert [p.status for p in posts(engine)] == ["awaiting", "declined"]
    press(engine, clock, first, "yes")
    assert [p.status for p in posts(engine)] == ["queued", "declined"]
    [stale] = press(engine, clock, second, "yes") or []
    assert "уже" in stale.text and posts(engine)[1].status == "declined"


def test_no_comments_in_words_approves_the_post_with_its_comments_closed(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    ask = asked(engine, clock)
    assert press(engine, clock, ask, "", "Без комментариев") is not None
    [post] = posts(engine)
    assert (post.status, post.comments) == ("queued", "closed")
    [entry] = ledger(engine)
    assert (entry.granted, entry.version, entry.wording) == (True, "post:no_comments", post.caption)


def test_a_batch_looks_up_once_who_is_asked_and_the_others_skip_the_lookup(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    ask = asked(engine, clock)
    other = ask.peer_id + 1
    with Session(engine) as session:
        assert peers_asked(session, {ask.peer_id, other}) == {ask.peer_id}
        known = peers_asked(session, [ask.peer_id, other])

    def said(peer: int, text: str, asked_peers: set[int], payload: dict[str, object] | None = None) -> object:
        msg = InboundMessage(f"evt:{peer}:{text}", peer, peer, text, clock.now(), payload=payload)
        with Session(engine) as session:
            replies = answer(session, msg, SETTINGS, clock.now(), asked=asked_peers)
            session.commit()
        return replies

    assert said(other, "Не публиковать", known) is None  # not asked: the dialog's, no lookup
    stale = {"pub": "yes", "post": 12345}  # a pressed button still hears that its question is gone
    assert "уже" in said(other, "Опубликовать так", known, stale)[0].text  # type: ignore[index]
    assert posts(engine)[0].status == "awaiting"
    assert said(ask.peer_id, "Не публиковать", known) is not None
    assert posts(engine)[0].status == "declined"
    with Session(engine) as session:
        assert peers_asked(session, [ask.peer_id]) == set()  # answered: nobody is asked any more
