"""Database pieces every package shares: aware UTC datetimes, and an insert that skips duplicates, on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

__all__ = ["UTCDateTime", "insert_ignoring_duplicates"]


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
