"""A whole batch in one preloaded transaction answers and stores exactly what one message at a time does.

The preload notes writers without a conversation, order or sign-up (waitlist/known.py); rows created
inside the batch must make later messages of the same writer ask the database again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.db_fixtures import db_url, engine  # noqa: F401
from waitlist import known, preload
from waitlist.filestore import LocalFileStore
from waitlist.inbound import InboundMessage
from waitlist.models import WlConversation, WlInbox, WlOrder, WlProcessedEvent, WlStoryPart
from waitlist.rows import insert_ignoring_duplicate
from waitlist.service import handle_message
from waitlist.settings import WaitlistSettings
from waitlist.testing import SCRIPTS, Desk, make_photo, memory_engine

STEPS = [
    "hello",
    "yes",
    "status",
    "subject",
    "relation",
    "photo",
    "done",
    "story",
    "story",  # the same words twice are one part
    "done",
    "wishes",
    "contact",
    "yes",
    "yes",
    "confirm",
    "status",
    "cancel",
    "no",
    "delete",
    "yes",  # "delete my data" confirmed: the conversation row is deleted inside the batch
    "hello",  # and a new one is started for the same writer
    "yes",
]


def _stream(desk: Desk) -> list[InboundMessage]:
    """Two writers through the whole intake, with commands, interleaved; the same keys on every desk."""
    words = {
        **SCRIPTS["ru"],
        "status": "статус",
        "cancel": "отмена",
        "no": "нет",
        "delete": "удалить мои данные",
    }
    messages = []
    for i, step in enumerate(STEPS):
        for peer in (901, 902):
            key = f"evt:{peer}:{i}"
            if step == "photo":
                messages.append(desk.message(peer, photos=(make_photo(seed=peer),), event_key=key))
            else:
                messages.append(desk.message(peer, words[step], event_key=key))
    return messages


def _answers(session: Session, desk: Desk, msg: InboundMessage) -> list[str]:
    replies = handle_message(
        session, msg, settings=desk.settings, clock=desk.clock, files=desk.files, downloader=desk.downloader
    )
    return [r.text for r in replies]


def _stored(db: Engine) -> dict[str, Any]:
    with Session(db) as session:
        orders = session.exec(select(WlOrder).order_by(col(WlOrder.id))).all()
        return {
            "orders": [(o.peer_id, o.number, o.status, o.subject_name, o.contact) for o in orders],
            "story": [(p.order_id, p.text) for p in session.exec(select(WlStoryPart)).all()],
            "inbox": sorted((i.peer_id, i.kind, i.text) for i in session.exec(select(WlInbox)).all()),
            "conversations": [
                (c.peer_id, c.state, c.order_id) for c in session.exec(select(WlConversation)).all()
            ],
            # Each message's row, and "delete my data" erasing the writer's earlier rows of the batch.
            "processed": sorted(
                (e.event_key, e.peer_id, bool(e.replies))
                for e in session.exec(select(WlProcessedEvent)).all()
            ),
        }


def test_a_preloaded_batch_of_whole_intakes_answers_and_stores_as_one_message_at_a_time(
    tmp_path: Path,
) -> None:
    single = Desk(memory_engine(), LocalFileStore(tmp_path / "a"))
    batch = Desk(memory_engine(), LocalFileStore(tmp_path / "b"))
    one_by_one = []
    for msg in _stream(single):
        with Session(single.engine) as session:
            one_by_one.append(_answers(session, single, msg))
            session.commit()
    messages = _stream(batch)
    with Session(batch.engine) as session:
        preload(session, [m.event_key for m in messages], [m.peer_id for m in messages])
        together = [_answers(session, batch, m) for m in messages]
        session.commit()
    assert together == one_by_one
    assert _stored(batch.engine) == _stored(single.engine)
    # Both orders were placed, then erased with the writers' data; each writer started a new one.
    orders = _stored(batch.engine)["orders"]
    assert [(o[0], o[2]) for o in orders] == [(None, "cancelled")] * 2 + [(901, "draft"), (902, "draft")]
    assert [o[1] for o in orders[:2]] == [1, 2]
    processed = _stored(batch.engine)["processed"]
    erased = {key for key, peer, replies in processed if peer is None and not replies}
    assert len(processed) == len(messages) and len(erased) == 2 * STEPS.index("yes", STEPS.index("delete"))


def test_the_batch_rows_of_a_rolled_back_savepoint_are_not_written_and_a_repeat_is_answered_from_them(
    tmp_path: Path,
) -> None:
    """The per-message rows wait for the savepoint's commit (one executemany): a rolled-back event leaves
    none (so its retry is handled anew), and the same event again in the batch replays its replies."""
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "files"))
    first, failed, later = (
        desk.message(905, SCRIPTS["ru"][w], event_key=f"evt:905:{w}") for w in ("hello", "yes", "subject")
    )
    with Session(desk.engine) as session:
        preload(session, [first.event_key, failed.event_key, later.event_key], [905])
        answered = _answers(session, desk, first)
        savepoint = session.begin_nested()
        _answers(session, desk, failed)
        savepoint.rollback()
        savepoint = session.begin_nested()
        assert _answers(session, desk, first) == answered  # from its row, though not written yet
        savepoint.commit()
        session.commit()
    with Session(desk.engine) as session:
        keys = set(session.exec(select(WlProcessedEvent.event_key)).all())
    assert keys == {first.event_key}


def test_what_the_preload_found_missing_is_asked_again_once_created(tmp_path: Path) -> None:
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "files"))
    with Session(desk.engine) as session:
        preload(session, ["evt:1"], [903])
        assert known.is_absent(session, "conversation", 903) and known.is_absent(session, "order", 903)
        assert not known.is_absent(session, "conversation", 904)  # not preloaded: nothing is known
        known.now_present(session, "order", 903)
        assert not known.is_absent(session, "order", 903)
        session.commit()
        # Another transaction of the same session knows nothing.
        assert not known.is_absent(session, "conversation", 903)


def test_reading_flushes_only_for_its_own_tables(tmp_path: Path) -> None:
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "files"))
    at = datetime(2026, 11, 25, tzinfo=UTC)
    with Session(desk.engine) as session:
        session.add(WlConversation(peer_id=905, created_at=at, updated_at=at))
        with known.reading(session, WlOrder):
            assert session.exec(select(WlOrder)).all() == []
        assert len(session.new) == 1  # the conversation waits for a later flush
        with known.reading(session, WlConversation):
            assert [c.peer_id for c in session.exec(select(WlConversation)).all()] == [905]
        assert not session.new


def test_a_duplicate_story_part_is_ignored_by_the_database(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    at = datetime(2026, 11, 25, tzinfo=UTC)
    with Session(engine) as session:
        order = WlOrder(peer_id=906, created_at=at, updated_at=at)
        session.add(order)
        session.flush()
        row = {"order_id": order.id, "text": "Она любила сад", "digest": "d1", "created_at": at}
        assert insert_ignoring_duplicate(session, WlStoryPart, row)
        assert not insert_ignoring_duplicate(session, WlStoryPart, {**row, "text": "again"})
        session.commit()
        assert [p.text for p in session.exec(select(WlStoryPart)).all()] == ["Она любила сад"]


def test_the_queue_filling_inside_a_batch_sends_later_writers_to_the_list_as_one_at_a_time(
    tmp_path: Path,
) -> None:
    """A new writer's place count reads the batch's earlier greetings from the session, not flushed."""
    settings = WaitlistSettings(queue_limit=2)
    single = Desk(memory_engine(), LocalFileStore(tmp_path / "a"), settings=settings)
    batch = Desk(memory_engine(), LocalFileStore(tmp_path / "b"), settings=settings)
    peers = [911, 912, 913, 914]
    one_by_one = []
    for peer in peers:
        with Session(single.engine) as session:
            one_by_one.append(
                _answers(session, single, single.message(peer, "Здравствуйте", event_key=f"e{peer}"))
            )
            session.commit()
    with Session(batch.engine) as session:
        preload(session, [f"e{p}" for p in peers], peers)
        together = [
            _answers(session, batch, batch.message(p, "Здравствуйте", event_key=f"e{p}")) for p in peers
        ]
        assert session.new  # the greetings' conversations were not flushed for the count
        session.commit()
    assert together == one_by_one
    with Session(batch.engine) as session:
        tracks = {c.peer_id: c.track for c in session.exec(select(WlConversation))}
    assert tracks == {911: "order", 912: "order", 913: "signup", 914: "signup"}
