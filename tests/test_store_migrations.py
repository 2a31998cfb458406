"""Migrations create exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from tests.db_fixtures import db_url, engine  # noqa: F401
from vkbot.core.store.db import import_all_models


def test_migrated_schema_matches_the_models(engine) -> None:  # noqa: F811
    import_all_models()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_core_tables_exist_after_migration(engine) -> None:  # noqa: F811
    tables = set(inspect(engine).get_table_names())
    assert {"vk_events", "vk_longpoll_state", "vk_outbox"} <= tables
