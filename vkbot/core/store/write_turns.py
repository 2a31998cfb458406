"""Writers of one SQLite database in this process take turns in arrival order.

SQLite's busy handler is not a queue: a waiting writer sleeps and retries (every 100 ms once it has
waited a while), and a writer that commits and begins again at once wins the lock again. Under load
the dispatcher's back-to-back batches so kept the listener, the sender and the notices job out for
over a minute ("database is locked" in the 500-relatives test, issue 12). Here every transaction
that writes first waits for its turn in a first-come, first-served line, and leaves it when it
commits or rolls back; SQLite's busy timeout is left for other processes (a CLI command).

A statement writes if it is ``INSERT``, ``UPDATE``, ``DELETE``, ``REPLACE``, DDL or ``BEGIN
IMMEDIATE`` (``begin_write``). Reads never wait here (WAL lets them run beside the writer).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import weakref
from collections import deque
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE", "CREATE", "DROP", "ALTER")
_HOLDS = "vkbot_write_turn"  # key in the pooled connection's info: this connection has the turn
# Frames skipped when naming the writer: the database layers between it and this hook.
_LAYERS = ("/sqlalchemy/", "/sqlmodel/", "/dbtypes/", "store/db.py", "store/write_turns.py")
# A waiter says who holds the turn this often while it waits (a long transaction shows by name).
WARN_EVERY_S = 30.0

log = logging.getLogger("vkbot.core.store")


class WriteTurns:
    """A fair (FIFO) lock across threads; ``release`` hands the turn straight to the next in line."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._line: deque[threading.Event] = deque()
        self._taken = False
        self._holder = ""  # what the holder is writing (thread and statement), for the warnings
        self._since = 0.0

    def acquire(self, timeout_s: float, what: str = "") -> bool:
        with self._guard:
            if not self._taken:
                return self._take(what)
            turn = threading.Event()
            self._line.append(turn)
        started = time.monotonic()
        while not turn.wait(min(WARN_EVERY_S, max(0.0, started + timeout_s - time.monotonic()))):
            waited = time.monotonic() - started
            with self._guard:
                if waited >= timeout_s and turn in self._line:
                    self._line.remove(turn)
                    return False
                if turn not in self._line:
                    break  # handed over just as we gave up: it is ours
                held = time.monotonic() - self._since
                log.warning(
                    "waited %.0f s to write; the turn is held %.0f s by %s", waited, held, self._holder
                )
        with self._guard:
            return self._take(what)

    def _take(self, what: str) -> bool:
        self._taken, self._holder, self._since = True, what, time.monotonic()
        return True

    def release(self) -> None:
        with self._guard:
            if self._line:
                self._line.popleft().set()
            else:
                self._taken = False

    def waiting(self) -> int:
        """How many writers are in line for the turn (read without the guard: a glance, not a promise)."""
        return len(self._line)


# Each SQLite engine's line, for ``writers_waiting``; an engine that is gone takes its line with it.
_LINES: weakref.WeakKeyDictionary[Engine, WriteTurns] = weakref.WeakKeyDictionary()


def writers_waiting(engine: Engine) -> int:
    """Writers of ``engine`` waiting for their turn in this process (0 for an engine without turns,
    e.g. PostgreSQL, where writers do not take one database-wide lock)."""
    turns = _LINES.get(engine)
    return turns.waiting() if turns is not None else 0


def _caller() -> str:
    """The suite's function that began the write (file:function), skipping the database layers."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not any(layer in name for layer in _LAYERS):
            return f"{name.rsplit('/', 1)[-1]}:{frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return threading.current_thread().name


def take_turns(engine: Engine, timeout_s: float) -> WriteTurns:
    """Make every writing transaction on ``engine`` wait for its turn (at most ``timeout_s``)."""
    turns = _LINES[engine] = WriteTurns()

    @event.listens_for(engine, "before_cursor_execute")
    def _wait_for_turn(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_HOLDS) or not statement.lstrip()[:16].upper().startswith(_WRITES):
            return
        if not turns.acquire(timeout_s, f"{_caller()}: {statement[:60]}"):
            raise OperationalError(
                statement[:100], None, Exception(f"no write turn within {timeout_s:.0f} s")
            )
        conn.info[_HOLDS] = True

    def _leave(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS, False):
            turns.release()

    @event.listens_for(engine, "commit")
    def _committed(conn: Any) -> None:
        _leave(conn.info)

    @event.listens_for(engine, "rollback")
    def _rolled_back(conn: Any) -> None:
        _leave(conn.info)

    # A connection handed back to the pool without either (its reset rolls it back) leaves too.
    @event.listens_for(engine.pool, "reset")
    def _reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        _leave(connection_record.info)

    @event.listens_for(engine.pool, "invalidate")
    def _invalidated(dbapi_connection: Any, connection_record: Any, exception: Any) -> None:
        _leave(connection_record.info)

    return turns
