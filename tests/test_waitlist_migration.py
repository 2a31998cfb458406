"""The waitlist migration creates exactly the tables the models describe."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import MetaData, create_engine, inspect
from sqlmodel import SQLModel

import waitlist.interviews.models
import waitlist.models  # noqa: F401  (registers the tables)

VERSIONS = Path(__file__).resolve().parents[1] / "vkbot" / "migrations" / "versions"


def _load_migration(name: str = "waitlist_0001"):
    spec = importlib.util.spec_from_file_location(name, VERSIONS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _waitlist_metadata() -> MetaData:
    metadata = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        if table.name.startswith("wl_"):
            table.to_metadata(metadata)
    return metadata


def test_migration_matches_the_models_and_downgrades_cleanly(tmp_path: Path) -> None:
    first, second = _load_migration(), _load_migration("waitlist_0002")
    interviews = _load_migration("interviews_0001")  # its own branch, on top of the waitlist's
    assert (first.revision, first.down_revision, first.branch_labels) == (
        "waitlist_0001",
        "core_0001",
        ("waitlist",),
    )
    assert (second.revision, second.down_revision) == ("waitlist_0002", "waitlist_0001")
    assert (interviews.down_revision, interviews.branch_labels) == ("waitlist_0002", ("interviews",))
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        with Operations.context(context):
            first.upgrade()
            second.upgrade()
            interviews.upgrade()
        assert compare_metadata(context, _waitlist_metadata()) == []
        with Operations.context(context):
            interviews.downgrade()
            second.downgrade()
            first.downgrade()
        assert inspect(connection).get_table_names() == []


def test_every_waitlist_table_is_prefixed() -> None:
    names = [t.name for t in SQLModel.metadata.sorted_tables if t.name.startswith("wl_")]
    assert len(names) == len(set(names)) >= 10
