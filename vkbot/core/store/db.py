"""Database engine creation (SQLite with WAL and foreign keys, or PostgreSQL) and migrations to head."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from vkbot.core.store.write_turns import take_turns

log = logging.getLogger("vkbot.core.store")

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

# How long an SQLite writer waits for its turn (in this process: ``write_turns``, which logs who holds
# it every 30 s) and for the write lock (against other processes) before failing with "database is
# locked". Long: under load a dispatch batch with photo checks held the lock past 60 s, and a writer
# that waits loses nothing, while one that fails backs off and retries later.
SQLITE_BUSY_TIMEOUT_S = 300.0


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, writers taking turns, a busy timeout and
    owner-only files."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        engine = create_engine(url, echo=echo, connect_args=connect_args)
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):

            @event.listens_for(engine, "do_connect")
            def _private_file(*_args: Any) -> None:
                private_sqlite_file(Path(database))  # before SQLite creates it with the umask's 0644

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            cursor.close()

        take_turns(engine, SQLITE_BUSY_TIMEOUT_S)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def private_sqlite_file(path: Path) -> None:
    """Create the database file readable and writable by its owner only (0600), in a new folder 0700.

    The file holds relatives' stories and contacts. SQLite gives the ``-wal`` and ``-shm`` files the
    database file's permissions; a file an older version left at 0644 is tightened here, with them.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(part.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            part.chmod(mode & 0o700)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer now (SQLite: ``BEGIN IMMEDIATE``; elsewhere nothing).

    pysqlite opens no transaction before a ``SAVEPOINT``, so SQLite starts a deferred one: its reads
    take a snapshot, and if another connection commits before its first write, that write fails at
    once with "database is locked" (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out). The
    dispatcher hit this under bench/ingest.py while the listener stored events; taking the write lock
    first makes it wait its turn instead.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


# pg_advisory_lock key of the migrations ("vkbotmig" as 8 bytes): every process on one database takes it.
MIGRATION_LOCK_KEY = int.from_bytes(b"vkbotmig", "big") >> 1


def migrate(engine: Engine) -> None:
    """Bring the schema to every branch head (core, waitlist, moderation, publishing).

    Several processes starting on one empty database would each create the tables, and all but one
    fail; so the upgrade runs under a lock: the others wait, then find the schema at head.
    """
    from alembic import command

    with migration_lock(engine):
        command.upgrade(alembic_config(engine), "heads")
    log.info("database schema is at head")


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """PostgreSQL: a session advisory lock on a connection of its own; SQLite: a lock file beside the database."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                conn.commit()
        return
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield  # a private in-memory database has no other process to race
        return
    import fcntl  # the suite runs on Linux; SQLite's own locks cannot span Alembic's connection

    # flock on the database file itself: independent of SQLite's POSIX (fcntl) locks on Linux, and no
    # second file beside the relatives' data to keep private.
    database = Path(url.database)
    private_sqlite_file(database)
    with open(database, "rb") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def import_all_models() -> None:
    """Import every package's tables so SQLModel.metadata knows them all."""
    import importlib

    import vkbot.core.store.models  # noqa: F401

    modules = (
        "waitlist.models",
        "waitlist.interviews.models",
        "moderation.models",
        "publishing.models",
        "vkbot.auth.models",
        "vkbot.dashboard.models",
    )
    for module in (*modules, "vkbot.ingress.settings_check"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise
