"""SQLite writers in one process take turns in arrival order, so a busy writer cannot starve the others."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from vkbot.core.store import write_turns
from vkbot.core.store.db import begin_write, make_engine, migrate
from vkbot.core.store.write_turns import WriteTurns


def test_turns_are_handed_over_in_arrival_order() -> None:
    turns = WriteTurns()
    assert turns.acquire(1)
    order: list[int] = []

    def writer(n: int) -> None:
        assert turns.acquire(30)
        order.append(n)
        turns.release()

    threads = []
    for n in range(3):
        threads.append(threading.Thread(target=writer, args=(n,)))
        threads[-1].start()
        while len(turns._line) < n + 1:  # the thread is in line before the next one starts
            time.sleep(0.001)
    assert not turns.acquire(0.05)  # the line is full: a late comer gives up after its timeout
    turns.release()
    for thread in threads:
        thread.join(30)
    assert order == [0, 1, 2]


def test_a_writer_committing_back_to_back_lets_a_waiting_writer_in_next(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    committed = 0
    stop = threading.Event()

    def busy_writer() -> None:  # like the dispatcher under load: one batch after another
        nonlocal committed
        while not stop.is_set():
            with Session(engine) as session:
                begin_write(session)
                session.execute(
                    text("INSERT INTO vk_cursors (name, event_id, updated_at) VALUES (:n, 0, '')"),
                    {"n": f"busy{committed}"},
                )
                time.sleep(0.05)
                session.commit()
            committed += 1

    busy = threading.Thread(target=busy_writer)
    busy.start()
    try:
        while committed < 3:
            time.sleep(0.01)
        before = committed
        with Session(engine) as session:  # a plain write, as the listener stores events
            session.execute(
                text("INSERT INTO vk_cursors (name, event_id, updated_at) VALUES ('other', 0, '')")
            )
            session.commit()
        overtaken = committed - before
    finally:
        stop.set()
        busy.join(30)
        engine.dispose()
    assert overtaken <= 2, f"the busy writer committed {overtaken} times while the other one waited"


def test_a_long_wait_names_the_writer_holding_the_turn(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(write_turns, "WARN_EVERY_S", 0.05)
    turns = WriteTurns()
    assert turns.acquire(1, "dispatcher: INSERT INTO vk_outbox")
    with caplog.at_level(logging.WARNING, logger="vkbot.core.store"):
        assert not turns.acquire(0.3, "listener: INSERT INTO vk_events")
    assert "held" in caplog.text and "dispatcher: INSERT INTO vk_outbox" in caplog.text


def test_a_writer_waits_for_another_process_holding_the_lock_instead_of_failing(tmp_path: Path) -> None:
    """Issue 12: "database is locked" in the listener, sender and notices job under load. Another process
    (here a bare sqlite3 connection, outside this process's turns) holds the write lock longer than
    sqlite3's default 5 s wait; the suite's writer waits it out and commits."""
    import sqlite3

    path = tmp_path / "suite.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    holding, release = threading.Event(), threading.Event()

    def other_process() -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t VALUES (1)")
        holding.set()
        release.wait(60)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=other_process)
    holder.start()
    assert holding.wait(60)
    threading.Timer(6.0, release.set).start()  # held past sqlite3's default timeout of 5 s
    started = time.monotonic()
    try:
        with Session(engine) as session:
            begin_write(session)
            session.execute(text("INSERT INTO t VALUES (2)"))
            session.commit()
    finally:
        release.set()
        holder.join(60)
    assert time.monotonic() - started >= 5.0  # it really waited for the lock
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT n FROM t")).scalars()) == [1, 2]
    engine.dispose()
