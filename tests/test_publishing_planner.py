"""The planner's story: a consented clip gets one post at the next slot; a revocation withdraws or deletes it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from publishing import (
    DeletePost,
    Effect,
    HandToFounder,
    PublishClip,
    PublishingSettings,
    PubPost,
    answer,
    guid_for,
    handed_to_founder,
    plan,
    publication_for,
    record_handed_to_founder,
    record_posted,
)
from tests.db_fixtures import db_url, engine  # noqa: F401
from vkbot.clock import ManualClock
from waitlist.consent import publishable_orders, set_publication
from waitlist.effects import Reply
from waitlist.inbound import InboundMessage
from waitlist.models import WlOrder, WlPublicationEvent
from waitlist.settings import WaitlistSettings

SETTINGS = PublishingSettings()  # daily 19:00 Moscow = 16:00 UTC
WAITLIST = WaitlistSettings()
MORNING = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SLOT_TODAY = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
SLOT_TOMORROW = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def delivered_order(session: Session, clock: ManualClock, name: str, consent: bool | None) -> int:
    """An order whose clip the founder delivered; ``consent`` as the family answered (None: not asked)."""
    now = clock.now()
    peers = len(list(session.exec(select(WlOrder))))
    order = WlOrder(
        status="delivered",
        peer_id=5000 + peers,
        subject_name=name,
        clip_file_id="ab" * 32,
        created_at=now,
        updated_at=now,
        delivered_at=now,
    )
    session.add(order)
    session.flush()
    if consent is not None:
        set_publication(session, order, consent, "ru", WAITLIST, now)
    session.commit()
    assert order.id is not None
    return order.id


def set_consent(db: Engine, order_id: int, granted: bool, clock: ManualClock) -> None:
    with Session(db) as session:
        order = session.get(WlOrder, order_id)
        assert order is not None
        set_publication(session, order, granted, "ru", WAITLIST, clock.now())
        session.commit()


def press(
    db: Engine,
    clock: ManualClock,
    ask: Reply,
    choice: str,
    text: str = "",
    *,
    settings: PublishingSettings = SETTINGS,
) -> list[Reply] | None:
    """The family answers the approval question ``ask`` with a button (or, with ``text``, by writing)."""
    assert ask.keyboard is not None
    post_id = ask.keyboard.rows[0][0].payload["post"]
    payload = {"pub": choice, "post": post_id} if choice else None
    msg = InboundMessage(
        f"evt:{ask.key}:{choice}:{text}", ask.peer_id, ask.peer_id, text, clock.now(), payload=payload
    )
    with Session(db) as session:
        replies = answer(session, msg, settings, clock.now())
        session.commit()
    return replies


def run_plan(
    db: Engine, clock: ManualClock, settings: PublishingSettings = SETTINGS, *, approve: bool = True
) -> list[Effect]:
    """One planning pass; with ``approve`` every family asked says "publish as is". Returns the wall effects."""
    with Session(db) as session:
        effects = plan(session, settings, clock)
        session.commit()
    for effect in effects:
        if approve and isinstance(effect, Reply) and effect.keyboard is not None:
            press(db, clock, effect, "yes")
    return [e for e in effects if not isinstance(e, Reply)]


def posts(db: Engine) -> list[PubPost]:
    with Session(db) as session:
        return list(session.exec(select(PubPost).order_by(PubPost.id)))  # type: ignore[arg-type]


def test_a_consented_delivered_clip_goes_up_once_at_the_next_slot(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Иван Петров", consent=True)

    assert run_plan(engine, clock) == []  # queued for 19:00, nothing due yet
    [post] = posts(engine)
    assert (post.order_id, post.status, post.slot_at) == (order_id, "queued", SLOT_TODAY)
    assert "Иван Петров" in post.caption

    clock.advance(hours=7)  # 16:00 UTC, 19:00 in Moscow
    [effect] = run_plan(engine, clock)
    assert isinstance(effect, PublishClip)
    assert (effect.order_id, effect.guid, effect.caption) == (order_id, post.guid, post.caption)
    assert effect.file_id == "ab" * 32

    # Replaying the plan (a restart, the next minute's job) neither re-queues nor re-publishes.
    assert run_plan(engine, clock) == []
    clock.advance(days=1)
    assert run_plan(engine, clock) == []
    assert len(posts(engine)) == 1

    with Session(engine) as session:
        record_posted(session, effect.key, 777, at=clock.now())
        session.commit()
    [post] = posts(engine)
    assert (post.status, post.vk_post_id) == ("posted", 777)


def test_the_guid_is_stable_and_derived_from_the_order(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Анна", consent=True)
    run_plan(engine, clock)
    assert posts(engine)[0].guid == f"memorial-{order_id}-0"


def test_several_clips_take_successive_slots_in_delivery_order(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        first = delivered_order(session, clock, "Первый", consent=True)
        clock.advance(minutes=1)
        second = delivered_order(session, clock, "Второй", consent=True)
    run_plan(engine, clock)
    assert [(p.order_id, p.slot_at) for p in posts(engine)] == [(first, SLOT_TODAY), (second, SLOT_TOMORROW)]


def test_without_consent_nothing_is_planned(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        delivered_order(session, clock, "Без согласия", consent=False)
        delivered_order(session, clock, "Не спрашивали", consent=None)
    clock.advance(days=2)
    assert run_plan(engine, clock) == []
    assert posts(engine) == []


def test_consent_given_later_queues_the_clip_then(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Позже", consent=False)
    run_plan(engine, clock)
    clock.advance(hours=8)  # past today's slot
    set_consent(engine, order_id, True, clock)
    run_plan(engine, clock)
    [post] = posts(engine)
    assert post.slot_at == SLOT_TOMORROW


def test_a_revocation_before_the_slot_withdraws_the_post(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Отозвали", consent=True)
    run_plan(engine, clock)
    clock.advance(hours=2)
    set_consent(engine, order_id, False, clock)

    assert run_plan(engine, clock) == []
    clock.advance(hours=5)  # the slot passes: nothing goes up
    assert run_plan(engine, clock) == []
    [post] = posts(engine)
    assert post.status == "withdrawn"
    with Session(engine) as session:
        assert all(e.handled_at is not None for e in session.exec(select(WlPublicationEvent)))


def test_a_revocation_after_the_row_was_written_still_stops_the_post(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(SLOT_TODAY)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "В последний момент", consent=True)
    clock.advance(seconds=1)
    run_plan(engine, clock)  # queued at tomorrow's slot
    clock.advance(days=1)
    [publish] = run_plan(engine, clock)
    set_consent(engine, order_id, False, clock)
    run_plan(engine, clock)
    with Session(engine) as session:
        # The executor reads this right before video.save: the post is no longer wanted.
        assert publication_for(session, publish.key) is None


def test_a_revocation_after_posting_deletes_the_post(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Уже на стене", consent=True)
    run_plan(engine, clock)
    clock.advance(hours=7)
    [publish] = run_plan(engine, clock)
    with Session(engine) as session:
        record_posted(session, publish.key, 4242, at=clock.now())
        session.commit()

    clock.advance(days=3)
    set_consent(engine, order_id, False, clock)
    [delete] = run_plan(engine, clock)
    assert isinstance(delete, DeletePost)
    assert delete.post_id == 4242
    assert run_plan(engine, clock) == []  # asked once; the outbox key makes a repeat harmless anyway
    assert posts(engine)[0].status == "withdrawn"


def test_a_post_that_went_up_while_consent_was_revoked_is_deleted(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Гонка", consent=True)
    run_plan(engine, clock)
    clock.advance(hours=7)
    [publish] = run_plan(engine, clock)
    set_consent(engine, order_id, False, clock)
    run_plan(engine, clock)
    with Session(engine) as session:  # the executor was already mid-flight and VK answered
        record_posted(session, publish.key, 99, at=clock.now())
        session.commit()
    [delete] = run_plan(engine, clock)
    assert delete == DeletePost(99, f"pub:memorial-{order_id}-0:delete")


def test_consent_given_again_publishes_under_a_new_guid(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Передумали", consent=True)
    run_plan(engine, clock)
    set_consent(engine, order_id, False, clock)
    set_consent(engine, order_id, True, clock)
    run_plan(engine, clock)
    old, new = posts(engine)
    assert (old.status, new.status) == ("withdrawn", "queued")
    assert new.guid != old.guid and new.slot_at == SLOT_TODAY


def test_one_pass_drafts_each_order_under_its_own_next_generation(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        twice = delivered_order(session, clock, "Дважды передумали", consent=True)
    for granted in (False, True, False):  # generations 0 and 1 are drafted, then withdrawn
        run_plan(engine, clock)
        set_consent(engine, twice, granted, clock)
    with Session(engine) as session:
        first = delivered_order(session, clock, "Впервые", consent=True)
    set_consent(engine, twice, True, clock)
    run_plan(engine, clock)
    drafted = {p.order_id: p.guid for p in posts(engine) if p.status != "withdrawn"}
    assert drafted == {twice: guid_for(twice, 2), first: guid_for(first, 0)}


def test_a_missed_slot_moves_on_instead_of_posting_a_burst(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        delivered_order(session, clock, "Один", consent=True)
        delivered_order(session, clock, "Два", consent=True)
    run_plan(engine, clock)
    clock.advance(days=1, hours=8)  # the suite was down across both slots; now 17:00 UTC on the 26th
    [publish] = run_plan(engine, clock)  # only the one within the grace period goes up now
    assert publish.guid == posts(engine)[1].guid
    assert posts(engine)[0].slot_at == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def test_switched_off_plans_nothing_but_still_takes_posts_down(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Пауза", consent=True)
    run_plan(engine, clock)
    clock.advance(hours=7)
    [publish] = run_plan(engine, clock)
    with Session(engine) as session:
        record_posted(session, publish.key, 5, at=clock.now())
        delivered_order(session, clock, "Новый", consent=True)
    off = PublishingSettings(enabled=False)
    set_consent(engine, order_id, False, clock)
    assert run_plan(engine, clock, off) == [DeletePost(5, publish.key.replace("publish", "delete"))]
    assert len(posts(engine)) == 1


def test_a_hand_off_keeps_the_caption_and_a_later_revocation_tells_the_founder(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Вручную", consent=True)
    run_plan(engine, clock)
    clock.advance(hours=7)
    [publish] = run_plan(engine, clock)
    with Session(engine) as session:
        handoff = record_handed_to_founder(session, publish.key, "no user token", SETTINGS, at=clock.now())
        session.commit()
    assert isinstance(handoff, HandToFounder)
    assert publish.caption in handoff.text and publish.file_id in handoff.text
    with Session(engine) as session:
        assert [p.order_id for p in handed_to_founder(session)] == [order_id]
    clock.advance(days=1)
    assert run_plan(engine, clock) == []  # handed off is not planned again

    set_consent(engine, order_id, False, clock)
    [notice] = run_plan(engine, clock)
    assert isinstance(notice, HandToFounder) and notice.reason == "revoked"
    assert "удалите" in notice.text


def test_a_hand_off_she_marked_posted_then_revoked_tells_her_to_take_it_down(engine: Engine) -> None:  # noqa: F811
    from publishing.outcomes import mark_posted_by_hand

    clock = ManualClock(MORNING)
    with Session(engine) as session:
        order_id = delivered_order(session, clock, "Вручную на стене", consent=True)
    run_plan(engine, clock)
    clock.advance(hours=7)
    [publish] = run_plan(engine, clock)
    with Session(engine) as session:
        record_handed_to_founder(session, publish.key, "no user token", SETTINGS, at=clock.now())
        [post] = handed_to_founder(session)
        assert post.id is not None
        mark_posted_by_hand(session, post.id, None, at=clock.now())
        session.commit()
    set_consent(engine, order_id, False, clock)
    [notice] = run_plan(engine, clock)
    assert isinstance(notice, HandToFounder) and notice.reason == "revoked"


def test_the_planner_drafts_exactly_the_orders_waitlist_calls_publishable(engine: Engine) -> None:  # noqa: F811
    clock = ManualClock(MORNING)
    with Session(engine) as session:
        ok = delivered_order(session, clock, "Можно", consent=True)
        changes = {
            "status": "in_progress",  # not delivered yet
            "clip_file_id": None,  # no clip
            "erased_at": clock.now(),  # erased on the family's request
            "publish_consent": False,  # the family said no
        }
        for field, value in changes.items():
            order = session.get(WlOrder, delivered_order(session, clock, field, consent=True))
            assert order is not None
            setattr(order, field, value)
            session.add(order)
        session.commit()
        assert [o.id for o in publishable_orders(session)] == [ok]
    run_plan(engine, clock, approve=False)
    assert [p.order_id for p in posts(engine)] == [ok]
