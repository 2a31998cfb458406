"""Several dispatchers on one PostgreSQL database share the events by conversation, each peer in order."""
# ruff: noqa: F811

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.db_fixtures import PG_URL, db_url, engine  # noqa: F401  (fixtures)
from vkbot.clock import Clock, ManualClock
from vkbot.core.claims import claim
from vkbot.core.dispatch import Dispatcher
from vkbot.core.store.db import begin_write
from vkbot.core.store.events_repo import EventRecord, EventStore
from vkbot.core.store.models import StoredEvent
from vkbot.effects.outbox import OutboxRequest, message_request

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="VKBOT_TEST_PG_URL not set (.ci/run starts PostgreSQL)"),
]


def _message(peer: int, seq: int) -> EventRecord:
    message = {
        "peer_id": peer,
        "from_id": peer,
        "date": 1_765_000_000,
        "conversation_message_id": seq,
        "text": f"{peer}:{seq}",
    }
    raw = {"type": "message_new", "event_id": f"e{peer}-{seq}", "group_id": 1, "object": {"message": message}}
    return EventRecord.parse(raw)


def _store(engine: Engine, peers: int, per_peer: int, clock: Clock) -> None:
    """Interleaved: every peer's first message, then every peer's second, ..."""
    records = [_message(1000 + p, seq) for seq in range(per_peer) for p in range(peers)]
    EventStore(engine, 1, clock).store_sync(records, None)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_peer_held_by_one_transaction_is_skipped_by_another(engine) -> None:
    _store(engine, peers=8, per_peer=5, clock=ManualClock())
    with Session(engine) as first, Session(engine) as second:
        begin_write(first)
        begin_write(second)
        mine = claim(first, 10, 3)
        theirs = claim(second, 100, 3)
        first_peers = {e.peer_id for e in mine}
        second_peers = {e.peer_id for e in theirs}
        assert mine and theirs
        assert not first_peers & second_peers
        # A peer is taken whole and from its first event: nothing of it is left for anyone else.
        for events in (mine, theirs):
            seqs = defaultdict(list)
            for event in events:
                seqs[event.peer_id].append(event.raw["object"]["message"]["conversation_message_id"])
            assert all(s == list(range(len(s))) for s in seqs.values())
        assert len(first_peers) < 8 and first_peers | second_peers == {1000 + p for p in range(8)}
        first.rollback()
        second.rollback()


class SlowRecorder:
    """Writes one reply per message after a random short pause, and notes the order it handled them in."""

    def __init__(self) -> None:
        self.handled: list[tuple[int, int, str]] = []
        self.lock = threading.Lock()
        self.rng = random.Random(7)

    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        message = event.raw["object"]["message"]
        time.sleep(self.rng.random() * 0.002)
        with self.lock:
            self.handled.append(
                (message["peer_id"], message["conversation_message_id"], threading.current_thread().name)
            )
        return [message_request(f"evt:{event.id}:reply", message["peer_id"], message["text"])]

    def give_up(self, session: Session, event: StoredEvent, error: str) -> list[OutboxRequest]:
        return []


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_three_dispatchers_handle_every_event_once_and_each_peer_in_order(engine) -> None:
    peers, per_peer = 40, 15
    clock = ManualClock()
    _store(engine, peers, per_peer, clock)
    recorder = SlowRecorder()
    dispatchers = [Dispatcher(engine, recorder, batch_size=20, clock=clock) for _ in range(3)]

    def work(dispatcher: Dispatcher) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if dispatcher.process_pending() == 0 and _pending(engine) == 0:
                return
        raise AssertionError("events were still pending after 120 s")

    threads = [threading.Thread(target=work, args=(d,), name=f"d{i}") for i, d in enumerate(dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(recorder.handled) == peers * per_peer
    assert Counter((p, s) for p, s, _ in recorder.handled) == Counter(
        (1000 + p, s) for p in range(peers) for s in range(per_peer)
    )
    by_peer = defaultdict(list)
    for peer, seq, _ in recorder.handled:
        by_peer[peer].append(seq)
    assert all(seqs == list(range(per_peer)) for seqs in by_peer.values())
    assert all(d.processed > 0 for d in dispatchers), [d.processed for d in dispatchers]
    assert sum(d.processed for d in dispatchers) == peers * per_peer


def _pending(engine: Engine) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(StoredEvent).where(StoredEvent.processed_at.is_(None))  # type: ignore[union-attr]
        return int(session.scalar(query) or 0)
