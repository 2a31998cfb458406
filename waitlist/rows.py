"""Rows written with one INSERT and no ORM object, for rows nothing reads back but by a query.

Rows nothing reads in the same transaction may also wait for its end (``defer_row``): one executemany
for a batch of messages instead of one statement each.

An ORM object costs its construction, the unit of work's bookkeeping and, on SQLite, an INSERT of its
own at the next flush (SQLite gives back one new id per statement); these rows need none of that.
Written at once, in the session's transaction (a rolled-back savepoint takes them back too), and
without flushing what is pending.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, SQLModel

from dbtypes import insert_ignoring_duplicates, insert_object, made_inside

__all__ = [
    "defer_row",
    "insert_ignoring_duplicate",
    "insert_object",
    "insert_row",
    "insert_rows",
    "write_deferred",
]


def _table(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


@functools.cache
def _insert(model: type[SQLModel]) -> sa.Insert:
    return sa.insert(_table(model))  # built once per table: SQLAlchemy keeps its cache key


def insert_row(session: Session, model: type[SQLModel], row: dict[str, Any]) -> None:
    """One INSERT of ``row`` (every column given, as the ORM would)."""
    insert_rows(session, model, [row])


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """``rows`` (each with the same columns) in one executemany, in their order; nothing for none."""
    if rows:
        session.connection().execute(_insert(model), rows)


def insert_ignoring_duplicate(session: Session, model: type[SQLModel], row: dict[str, Any]) -> bool:
    """Insert one row unless it breaks a unique constraint; True if inserted. Pending rows are not flushed."""
    return insert_ignoring_duplicates(session, _table(model), [row]) == 1


# -- rows written at the end of the savepoint or transaction they belong to --------------------------

_DEFERRED = "waitlist.rows.deferred"


@dataclass
class _Deferred:
    root: SessionTransaction | None  # the transaction the rows belong to
    # Each row with the innermost transaction (a savepoint, or the root) it was made in.
    rows: list[tuple[SessionTransaction, type[SQLModel], dict[str, Any]]] = field(default_factory=list)


def defer_row(session: Session, model: type[SQLModel], row: dict[str, Any]) -> None:
    """As ``insert_row``, but written with the others in one executemany when the present savepoint or
    transaction commits (or at ``write_deferred``); a rollback takes it back unwritten.

    Only for rows whose table nothing in the same transaction reads without ``write_deferred`` first.
    """
    root = session.get_transaction()
    assert root is not None, "a deferred row needs a transaction to belong to"
    deferred = session.info.get(_DEFERRED)
    if deferred is None:
        deferred = session.info[_DEFERRED] = _Deferred(root)
        event.listen(session, "before_commit", write_deferred)  # a savepoint's commit too
        event.listen(session, "after_soft_rollback", _taken_back)
    elif deferred.root is not root:  # left from a transaction that ended without a commit (a close)
        deferred.root, deferred.rows = root, []
    deferred.rows.append((session.get_nested_transaction() or root, model, row))


def write_deferred(session: Session) -> None:
    """Write the deferred rows of this transaction now: before a query that reads their table, and (by
    itself) when a savepoint or the transaction commits."""
    deferred: _Deferred | None = session.info.get(_DEFERRED)
    if deferred is None or not deferred.rows:
        return
    rows, deferred.rows = deferred.rows, []
    if deferred.root is not session.get_transaction():
        return  # rows of a transaction that ended unwritten (closed without a commit)
    by_model: dict[type[SQLModel], list[dict[str, Any]]] = {}
    for _, model, row in rows:
        by_model.setdefault(model, []).append(row)
    for model, model_rows in by_model.items():
        insert_rows(session, model, model_rows)


def _taken_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """A savepoint (or the transaction) rolled back: the rows made inside it are not written."""
    deferred: _Deferred | None = session.info.get(_DEFERRED)
    if deferred is None or not deferred.rows:
        return
    deferred.rows = [entry for entry in deferred.rows if not made_inside(entry[0], previous_transaction)]
