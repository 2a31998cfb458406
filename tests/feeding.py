"""The real pipeline fed raw VK updates in-process (``vkbot.core.feed``): for tests that need no wire.

``Updates`` builds updates in VK's shapes (5.199) with fresh ids; ``Fed`` stores each and runs the
production pipeline on it with ``on_error="raise"``, so a handler bug fails the test with its traceback.
The sandbox tests keep covering the wire (long poll, sending, faults).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.app_helpers import SANDBOX_GROUP_ID, sandbox_config
from vkbot.clock import ManualClock
from vkbot.core.feed import feed_raw_event
from vkbot.core.pipeline import Pipeline, build_pipeline
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.models import OutboxRow

CHAT_PEER_BASE = 2_000_000_000


@dataclass
class Updates:
    """Raw updates as long poll delivers them; each gets a new ``event_id`` and conversation message id."""

    clock: ManualClock
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _cmids: Counter[int] = field(default_factory=Counter)

    def envelope(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": event_type,
            "object": obj,
            "group_id": SANDBOX_GROUP_ID,
            "event_id": f"feed-{next(self._ids)}",
            "v": "5.199",
        }

    def message_object(
        self, from_id: int, text: str = "", *, peer_id: int | None = None, **extra: Any
    ) -> dict:
        peer = peer_id or from_id
        self._cmids[peer] += 1
        return {
            "id": next(self._ids) if peer < CHAT_PEER_BASE else 0,
            "date": int(self.clock.now().timestamp()),
            "peer_id": peer,
            "from_id": from_id,
            "text": text,
            "conversation_message_id": self._cmids[peer],
            "out": 0,
            "attachments": [],
            "fwd_messages": [],
            **extra,
        }

    def message(self, from_id: int, text: str = "", **extra: Any) -> dict[str, Any]:
        obj = {"message": self.message_object(from_id, text, **extra), "client_info": {"keyboard": True}}
        return self.envelope("message_new", obj)

    def button(self, user_id: int, payload: dict[str, Any], *, peer_id: int | None = None) -> dict[str, Any]:
        obj = {
            "user_id": user_id,
            "peer_id": peer_id or user_id,
            "event_id": f"press-{next(self._ids)}",
            "payload": payload,
            "conversation_message_id": 1,
        }
        return self.envelope("message_event", obj)

    def founder_message(self, peer_id: int, text: str) -> dict[str, Any]:
        """The founder writing by hand in VK: ``message_reply`` with ``admin_author_id``."""
        obj = self.message_object(-SANDBOX_GROUP_ID, text, peer_id=peer_id, out=1, admin_author_id=1)
        return self.envelope("message_reply", obj)

    def comment(self, from_id: int, text: str, post_id: int = 1) -> dict[str, Any]:
        obj = {
            "id": next(self._ids),
            "from_id": from_id,
            "date": int(self.clock.now().timestamp()),
            "text": text,
            "post_id": post_id,
            "owner_id": -SANDBOX_GROUP_ID,
            "post_owner_id": -SANDBOX_GROUP_ID,
        }
        return self.envelope("wall_reply_new", obj)


@dataclass
class Fed:
    engine: Engine
    pipeline: Pipeline
    clock: ManualClock
    updates: Updates

    def __call__(self, raw: Any, *, source: str = "longpoll") -> list[OutboxRow]:
        return feed_raw_event(self.engine, self.pipeline, raw, source=source, clock=self.clock)

    def write(self, from_id: int, text: str = "", **extra: Any) -> list[str]:
        """A relative writes; returns the texts the bot answers with (in order)."""
        return texts(self(self.updates.message(from_id, text, **extra)))


def texts(rows: list[OutboxRow]) -> list[str]:
    return [row.params["message"] for row in rows if row.method == "messages.send"]


def make_fed(db_url: str, files_dir: Path, **sections: dict[str, Any]) -> Fed:
    engine = make_engine(db_url)
    migrate(engine)
    config = sandbox_config("http://127.0.0.1:9", db_url, files_dir, **sections)  # never called
    clock = ManualClock(datetime.now(UTC))
    return Fed(engine, build_pipeline(config, clock=clock), clock, Updates(clock))


@pytest.fixture
def fed(tmp_path: Path) -> Iterator[Fed]:
    """The real pipeline on a fresh SQLite database, fed in-process."""
    made = make_fed(f"sqlite:///{tmp_path / 'fed.db'}", tmp_path / "files")
    yield made
    made.engine.dispose()
