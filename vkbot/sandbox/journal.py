"""Persistence of the sandbox state in one SQLite file (WAL), written in batches off the event loop.

The state lives in memory; every mutation marks a record dirty and a flusher writes the dirty records
every ``interval_s`` in one transaction on a worker thread, so 20,000 injected messages cost one
``executemany``, not 20,000 commits. Id counters are saved with every flush, so ids keep increasing
across restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger("vkbot.sandbox.journal")

# Record kinds that a reset clears; the others (tokens, media) survive it.
COMMUNITY_KINDS = (
    "message",
    "conversation",
    "sent",
    "post",
    "comment",
    "event",
    "ban",
    "permission",
    "dedup",
    "guid",
    "lpsettings",
)


class Journal:
    """Batched writer and loader of sandbox records: ``(kind, key) -> JSON``."""

    def __init__(self, path: Path, interval_s: float = 0.2) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.interval_s = interval_s
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,"
            " PRIMARY KEY (kind, key))"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
        )
        self._db.commit()
        self._lock = threading.Lock()
        self._dirty: dict[tuple[str, str], Any] = {}
        self._deleted: set[tuple[str, str]] = set()
        self._cleared = False
        self._task: asyncio.Task[None] | None = None

    def load(self) -> tuple[dict[str, int], dict[str, list[tuple[str, Any]]]]:
        """Counters and records by kind, in insertion order."""
        counters = {name: value for name, value in self._db.execute("SELECT name, value FROM counters")}
        records: dict[str, list[tuple[str, Any]]] = {}
        for kind, key, data in self._db.execute("SELECT kind, key, data FROM records ORDER BY rowid"):
            records.setdefault(kind, []).append((key, json.loads(data)))
        return counters, records

    def put(self, kind: str, key: object, obj: Any) -> None:
        """Mark a live object dirty; it is serialised at the next flush (its latest state)."""
        item = (kind, str(key))
        self._deleted.discard(item)
        self._dirty[item] = obj

    def delete(self, kind: str, key: object) -> None:
        item = (kind, str(key))
        self._dirty.pop(item, None)
        self._deleted.add(item)

    def clear_community(self) -> None:
        """A reset: drop everything of the community (tokens and media stay)."""
        self._dirty = {k: v for k, v in self._dirty.items() if k[0] not in COMMUNITY_KINDS}
        self._deleted = {k for k in self._deleted if k[0] not in COMMUNITY_KINDS}
        self._cleared = True

    def _take(
        self, counters: dict[str, int]
    ) -> tuple[bool, list[tuple[str, str, str]], list[tuple[str, str]], list[tuple[str, int]]]:
        dirty, self._dirty = self._dirty, {}
        deleted, self._deleted = self._deleted, set()
        cleared, self._cleared = self._cleared, False
        rows = [(kind, key, json.dumps(obj, ensure_ascii=False)) for (kind, key), obj in dirty.items()]
        return cleared, rows, list(deleted), list(counters.items())

    def _write(
        self,
        cleared: bool,
        rows: list[tuple[str, str, str]],
        deleted: list[tuple[str, str]],
        counters: list[tuple[str, int]],
    ) -> None:
        with self._lock, self._db:
            if cleared:
                marks = ",".join("?" * len(COMMUNITY_KINDS))
                self._db.execute(f"DELETE FROM records WHERE kind IN ({marks})", COMMUNITY_KINDS)
            if deleted:
                self._db.executemany("DELETE FROM records WHERE kind = ? AND key = ?", deleted)
            if rows:
                self._db.executemany(
                    "INSERT OR REPLACE INTO records (kind, key, data) VALUES (?, ?, ?)", rows
                )
            self._db.executemany("INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", counters)

    async def flush(self, counters: dict[str, int]) -> None:
        """Write what changed since the last flush (serialised here, written on a thread)."""
        batch = self._take(dict(counters))
        await asyncio.to_thread(self._write, *batch)

    def flush_sync(self, counters: dict[str, int]) -> None:
        self._write(*self._take(dict(counters)))

    def start(self, counters: dict[str, int]) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(counters))

    async def _run(self, counters: dict[str, int]) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            if self._dirty or self._deleted or self._cleared:
                try:
                    await self.flush(counters)
                except Exception:  # keep serving; the next flush retries with new data
                    log.exception("sandbox journal flush failed")

    async def close(self, counters: dict[str, int]) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.flush_sync(counters)
        self._db.close()
