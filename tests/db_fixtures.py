"""Database fixtures: a migrated SQLite file per test, and the same on PostgreSQL when VKBOT_TEST_PG_URL is set."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from vkbot.core.store.db import make_engine, migrate

PG_URL = os.environ.get("VKBOT_TEST_PG_URL")


def _fresh_pg_database() -> tuple[str, Engine]:
    """A new empty database on the test server; returns its URL and an admin engine to drop it."""
    admin = make_engine(PG_URL or "")
    name = f"vkbot_test_{uuid.uuid4().hex[:12]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(PG_URL or "").set(database=name).render_as_string(hide_password=False), admin


def _drop_pg_database(admin: Engine, url: str) -> None:
    name = make_url(url).database
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database URL: a SQLite file, and (when configured) a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if not PG_URL:
        pytest.skip("VKBOT_TEST_PG_URL not set (.ci/run starts PostgreSQL)")
    url, admin = _fresh_pg_database()
    try:
        yield url
    finally:
        _drop_pg_database(admin, url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on SQLite and, when configured, PostgreSQL."""
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@contextlib.contextmanager
def pg_databases() -> Iterator[Callable[[], str]]:
    """``with pg_databases() as new:`` ``new()`` -> the URL of another fresh, empty PostgreSQL database.

    All of them are dropped when the block ends (for tests that need several, e.g. a source and a target).
    """
    made: list[tuple[str, Engine]] = []

    def new() -> str:
        url, admin = _fresh_pg_database()
        made.append((url, admin))
        return url

    try:
        yield new
    finally:
        for url, admin in made:
            _drop_pg_database(admin, url)
