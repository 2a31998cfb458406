"""Rows written with one INSERT and no ORM object, for rows nothing reads back but by a query.

An ORM object costs its construction, the unit of work's bookkeeping and, on SQLite, an INSERT of its
own at the next flush (SQLite gives back one new id per statement); these rows need none of that.
Written at once, in the session's transaction (a rolled-back savepoint takes them back too), and
without flushing what is pending.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from dbtypes import insert_ignoring_duplicates

__all__ = ["insert_ignoring_duplicate", "insert_row", "insert_rows"]


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
