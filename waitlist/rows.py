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
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

__all__ = ["insert_ignoring_duplicate", "insert_row"]


def _table(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


@functools.cache
def _insert(model: type[SQLModel]) -> sa.Insert:
    return sa.insert(_table(model))  # built once per table: SQLAlchemy keeps its cache key


def insert_row(session: Session, model: type[SQLModel], row: dict[str, Any]) -> None:
    """One INSERT of ``row`` (every column given, as the ORM would)."""
    session.connection().execute(_insert(model), [row])


@functools.cache
def _insert_unless_duplicate(dialect: str, model: type[SQLModel]) -> sa.Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = _table(model)
    # RETURNING says whether a row went in (PostgreSQL's rowcount is -1 with implicit RETURNING).
    return insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)


def insert_ignoring_duplicate(session: Session, model: type[SQLModel], row: dict[str, Any]) -> bool:
    """Insert one row unless it breaks a unique constraint; True if inserted. Pending rows are not flushed."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        return session.connection().execute(_insert_unless_duplicate(dialect, model), row).first() is not None
    try:
        with session.begin_nested():
            session.add(model(**row))
    except IntegrityError:
        return False
    return True
