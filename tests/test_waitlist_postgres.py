"""The same stories on PostgreSQL (when VKBOT_TEST_PG_URL is set): no SQLite-only SQL in the waitlist."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, select

from waitlist.filestore import LocalFileStore
from waitlist.founder import move_order, set_status
from waitlist.models import WlOrder
from waitlist.queue import queue_position
from waitlist.testing import Desk, complete_order

pytestmark = pytest.mark.postgres
PG_URL = os.environ.get("VKBOT_TEST_PG_URL")


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    if not PG_URL:
        pytest.skip("VKBOT_TEST_PG_URL is not set")
    name = f"wl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(PG_URL).set(database=name))
    SQLModel.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_relatives_order_and_the_founder_works_the_queue_on_postgres(
    pg_engine: Engine, tmp_path: Path
) -> None:
    desk = Desk(pg_engine, LocalFileStore(tmp_path / "files"))
    told = {
        peer: complete_order(desk, peer, lang, photos=1)[-1].text
        for peer, lang in ((2_000_000_001, "ru"), (2, "uk"), (3, "en"))
    }
    assert (
        re.search(r"1\.", told[2_000_000_001])
        and "Номер замовлення: 2" in told[2]
        and "Order number: 3" in told[3]
    )
    with Session(pg_engine) as session:
        move_order(session, 3, 1, "urgent", at=desk.clock.now())
        set_status(session, 1, "in_progress", None, at=desk.clock.now())
        session.commit()
        positions = {o.number: queue_position(session, o) for o in session.exec(select(WlOrder))}
    assert positions == {1: None, 2: 2, 3: 1}
    assert len(desk.due()) == 1
    desk.send(2, "видалити мої дані")
    assert "видалено" in desk.send(2, "так")[-1].text
    desk.clock.advance(days=400)
    desk.sweep()
