"""Database pieces every package shares: aware UTC datetimes, and an insert that skips duplicates, on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, SessionTransaction, make_transient, make_transient_to_detached

__all__ = ["UTCDateTime", "insert_ignoring_duplicates", "insert_object", "made_inside"]


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC in and out; SQLite drops the offset, so it is put back on read."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; only aware UTC datetimes are stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@functools.cache
def _insert_unless_duplicate(dialect: str, table: sa.Table) -> sa.Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).on_conflict_do_nothing()  # built once per table: SQLAlchemy keeps its cache key
    # PostgreSQL's rowcount is -1 here (SQLAlchemy batches the rows with RETURNING): count the keys instead.
    return stmt.returning(*table.primary_key.columns) if dialect == "postgresql" else stmt


def insert_ignoring_duplicates(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; returns how many rows were inserted.

    One executemany: each row is still its own INSERT, so a duplicate discards no neighbour, and a
    1,000-row batch costs one round trip instead of 1,000 (bench/ingest.py). Pending ORM rows are not flushed.
    """
    if not rows:
        return 0
    connection = session.connection()  # the session's transaction, without its autoflush
    stmt = _insert_unless_duplicate(connection.dialect.name, table)
    if connection.dialect.name == "postgresql":
        return len(connection.execute(stmt, rows).all())
    if connection.dialect.supports_sane_multi_rowcount:
        return connection.execute(stmt, rows).rowcount or 0
    return sum(connection.execute(stmt, [row]).rowcount or 0 for row in rows)


@functools.cache
def _plain_insert(table: sa.Table) -> sa.Insert:
    return sa.insert(table)  # built once per table: SQLAlchemy keeps its cache key


# -- a new ORM object whose id is needed at once, without flushing the session ------------------------

_INSERTED = "dbtypes.inserted"


@dataclass
class _Inserted:
    root: SessionTransaction | None  # the transaction the objects belong to
    # Each object with the innermost transaction (a savepoint, or the root) its row was inserted in.
    objects: list[tuple[SessionTransaction, object]] = field(default_factory=list)


def insert_object(session: Session, obj: object) -> int:
    """Insert a new (transient) ORM object's row now, with one INSERT that gives back its id, and make
    the object a persistent one of ``session``, as a flush would; returns the id.

    A flush to learn a new row's id also writes every other pending row of the batch, one statement
    each (``start_signup``'s flush was 7% of the dispatcher's time); those wait for the next flush
    instead, where rows of one kind go out together. The row is the one a flush would insert: the
    same column values, the id the database gives (SQLite: the next rowid, as for the flush; PostgreSQL:
    the sequence's next value, by RETURNING). Later changes to the
    object are flushed as UPDATEs, as after a flush. A rolled-back savepoint or transaction takes the
    row back and detaches the object, as it does a flushed new object. The model must have a single
    autoincrement primary key and no server-side values to fetch.
    """
    state = sa.inspect(obj)
    assert state.transient, "insert_object takes a new object, not yet in a session"
    mapper = state.mapper
    (pk,) = mapper.primary_key
    values = {
        prop.columns[0].key: state.dict[prop.key]
        for prop in mapper.column_attrs
        if prop.key in state.dict and prop.columns[0] is not pk
    }
    assert state.dict.get(mapper.get_property_by_column(pk).key) is None, "the database gives the id"
    result = session.connection().execute(_plain_insert(mapper.local_table), values)
    inserted = result.inserted_primary_key
    assert inserted is not None
    new_id = inserted[0]
    setattr(obj, mapper.get_property_by_column(pk).key, new_id)
    make_transient_to_detached(obj)  # loaded, as the row now is: later changes are UPDATEs
    session.add(obj)
    _note_inserted(session, obj)
    return int(new_id)


def _note_inserted(session: Session, obj: object) -> None:
    root = session.get_transaction()
    assert root is not None
    inserted = session.info.get(_INSERTED)
    if inserted is None:
        inserted = session.info[_INSERTED] = _Inserted(root)
        event.listen(session, "after_soft_rollback", _objects_taken_back)
    elif inserted.root is not root:  # left from an earlier transaction
        inserted.root, inserted.objects = root, []
    inserted.objects.append((session.get_nested_transaction() or root, obj))


def _objects_taken_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """A savepoint (or the transaction) rolled back: its inserted rows are gone, so are the objects, as
    a rollback expunges the new objects it flushed (and they are transient again)."""
    inserted: _Inserted | None = session.info.get(_INSERTED)
    if inserted is None or not inserted.objects:
        return
    kept: list[tuple[SessionTransaction, object]] = []
    for made_in, obj in inserted.objects:
        if not made_inside(made_in, previous_transaction):
            kept.append((made_in, obj))
            continue
        if sa.inspect(obj).session is session:
            session.expunge(obj)
        make_transient(obj)
    inserted.objects = kept


def made_inside(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Whether ``transaction`` is ``ended`` or a savepoint nested in it: what a rollback of ``ended``
    takes back."""
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False
