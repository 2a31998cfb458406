"""Migrations create exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from tests.db_fixtures import db_url, engine  # noqa: F401
from vkbot.core.store.db import import_all_models, make_engine


def test_migrated_schema_matches_the_models(engine) -> None:  # noqa: F811
    import_all_models()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_core_tables_exist_after_migration(engine) -> None:  # noqa: F811
    tables = set(inspect(engine).get_table_names())
    assert {"vk_events", "vk_longpoll_state", "vk_outbox"} <= tables


def test_processes_starting_together_on_an_empty_database_all_migrate(db_url) -> None:  # noqa: F811
    """Three processes migrate one empty database at once: none fails on a table another one created."""
    script = (
        "import sys; from vkbot.core.store.db import make_engine, migrate; "
        "engine = make_engine(sys.argv[1]); migrate(engine); engine.dispose()"
    )
    root = Path(__file__).resolve().parent.parent
    procs = [
        subprocess.Popen([sys.executable, "-c", script, db_url], cwd=root, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [proc.communicate(timeout=120)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], errors
    migrated = make_engine(db_url)
    try:
        assert {"vk_events", "vk_outbox", "wl_order"} <= set(inspect(migrated).get_table_names())
    finally:
        migrated.dispose()
