"""Alembic environment: runs against the engine the app passes in (``config.attributes["engine"]``)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from vkbot.core.store.db import import_all_models, make_engine

import_all_models()
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes.get("engine")
    if engine is None:
        engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
