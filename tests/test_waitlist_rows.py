"""``waitlist.rows.insert_object``: a new row's id without a flush, the same row a flush writes, taken back
by a rollback as a flushed new object is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from waitlist.models import WlConversation, WlOrder, WlSignup
from waitlist.rows import insert_object
from waitlist.testing import memory_engine

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def _rows(session: Session, model: type[Any]) -> list[tuple[Any, ...]]:
    table = model.__table__
    return [tuple(row) for row in session.connection().execute(sa.select(table).order_by(table.c.id))]


def _order(peer_id: int) -> WlOrder:
    return WlOrder(peer_id=peer_id, lang="uk", created_at=NOW, updated_at=NOW)


def test_the_row_and_the_object_are_those_a_flush_gives() -> None:
    flushed, inserted = memory_engine(), memory_engine()
    with Session(flushed) as session:
        for peer in (5, 6):
            order = _order(peer)
            session.add(order)
            session.flush()
            order.status = "waiting"  # a change after the id is known: an UPDATE
        session.commit()
        expected = _rows(session, WlOrder)
    with Session(inserted) as session:
        for peer in (5, 6):
            order = _order(peer)
            assert insert_object(session, order) == order.id
            assert sa.inspect(order).persistent and order not in session.new and order not in session.dirty
            assert session.get(WlOrder, order.id) is order  # in the identity map: no query
            order.status = "waiting"
            assert order in session.dirty
        session.commit()
        assert _rows(session, WlOrder) == expected


def test_pending_rows_are_not_flushed_by_it() -> None:
    with Session(memory_engine()) as session:
        session.add(WlConversation(peer_id=7, created_at=NOW, updated_at=NOW))
        insert_object(session, WlSignup(peer_id=7, created_at=NOW))
        assert len(session.new) == 1  # the conversation waits for the next flush
        assert (
            session.connection().execute(sa.select(sa.func.count()).select_from(WlConversation)).scalar() == 0
        )
        session.commit()
        assert session.exec(select(WlConversation)).one().peer_id == 7


def test_a_rolled_back_savepoint_takes_the_row_and_the_object_back() -> None:
    with Session(memory_engine()) as session:
        kept = _order(1)
        insert_object(session, kept)
        savepoint = session.begin_nested()
        gone = _order(2)
        gone_id = insert_object(session, gone)
        inner = session.begin_nested()
        also_gone = _order(3)
        insert_object(session, also_gone)
        inner.commit()  # released into the savepoint that is then rolled back
        savepoint.rollback()
        for obj in (gone, also_gone):
            assert sa.inspect(obj).transient
        assert sa.inspect(kept).persistent
        # As after a flushed row was taken back: the database gives the same id again, and no stale
        # object of that id is left in the session to clash with the new one.
        again = _order(4)
        assert insert_object(session, again) == gone_id
        assert session.get(WlOrder, gone_id) is again
        session.commit()
        assert [row.peer_id for row in session.exec(select(WlOrder).order_by(col(WlOrder.id)))] == [1, 4]


def test_a_rolled_back_transaction_takes_them_back_and_the_next_starts_clean() -> None:
    engine = memory_engine()
    with Session(engine) as session:
        order = _order(1)
        insert_object(session, order)
        session.rollback()
        assert sa.inspect(order).transient
        insert_object(session, _order(2))
        session.commit()
        insert_object(session, _order(3))  # a second transaction of the same session
        session.rollback()
        assert [row.peer_id for row in session.exec(select(WlOrder))] == [2]
