"""The dispatcher's cadence: a wake during a pass is not lost; a slow event does not hold back its batch; a
batch lets a waiting writer in."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlmodel import Session

from vkbot.clock import Clock, ManualClock
from vkbot.core.dispatch import Dispatcher
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.events_repo import EventRecord, EventStore
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.core.store.write_turns import writers_waiting
from vkbot.effects.outbox import OutboxRequest, message_request


class Probe(Dispatcher):
    """Finds nothing; during its first pass the listener stores events and sets the wake."""

    calls: list[float]
    loop: asyncio.AbstractEventLoop

    def process_pending(self) -> int:
        self.calls.append(time.monotonic())
        if len(self.calls) == 1:
            self.loop.call_soon_threadsafe(self.wake.set)  # what _WakingSink does after a store
        return 0


async def test_a_wake_set_during_an_empty_pass_starts_the_next_pass_at_once(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'unused.db'}")
    probe = Probe(engine, handler=None, idle_poll_s=120, clock=ManualClock())  # type: ignore[arg-type]
    probe.calls, probe.loop = [], asyncio.get_running_loop()
    stop = asyncio.Event()
    task = asyncio.create_task(probe.run(stop))
    try:
        deadline = time.monotonic() + 30  # far below the 120 s idle wait a lost wake-up would cost
        while len(probe.calls) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        engine.dispose()
    assert len(probe.calls) >= 2


class PhotoLast:
    """Replies to each message; a message with a photo is slow, and looks at what is committed meanwhile."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.order: list[str] = []
        self.committed_during_slow: set[str] = set()

    def slow(self, event: StoredEvent) -> bool:
        return bool(event.raw["object"]["message"].get("attachments"))

    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        message = event.raw["object"]["message"]
        self.order.append(message["text"])
        if message.get("attachments"):
            with Session(self.engine) as reader:  # another connection: only what is committed
                done = reader.scalars(select(StoredEvent).where(StoredEvent.processed_at.is_not(None)))  # type: ignore[union-attr]
                self.committed_during_slow = {e.raw["object"]["message"]["text"] for e in done}
        return [message_request(f"evt:{event.id}:r", message["peer_id"], message["text"])]

    def give_up(self, session: Session, event: StoredEvent, error: str) -> list[OutboxRequest]:
        return []


def _msg(peer: int, cmid: int, text: str, photo: bool = False) -> EventRecord:
    attachments = [{"type": "photo", "photo": {"id": 1, "owner_id": peer}}] if photo else []
    message = {
        "peer_id": peer,
        "from_id": peer,
        "date": 1_765_000_000,
        "conversation_message_id": cmid,
        "text": text,
        "attachments": attachments,
    }
    raw = {"type": "message_new", "event_id": text, "group_id": 1, "object": {"message": message}}
    return EventRecord.parse(raw)


def test_a_slow_event_waits_for_the_rest_of_its_batch_and_keeps_its_conversation_in_order(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    clock = ManualClock()
    EventStore(engine, 1, clock).store_sync(
        [
            _msg(1, 1, "a1"),
            _msg(2, 1, "b-photo", photo=True),
            _msg(1, 2, "a2"),
            _msg(2, 2, "b2"),
            _msg(3, 1, "c1"),
        ],
        None,
    )
    handler = PhotoLast(engine)
    try:
        assert Dispatcher(engine, handler, clock=clock).process_pending() == 5
    finally:
        engine.dispose()
    # The other conversations were committed before the photo was looked at; b2 still came after it.
    assert handler.committed_during_slow == {"a1", "a2", "c1"}
    assert handler.order == ["a1", "a2", "c1", "b-photo", "b2"]


class WriterArrives:
    """Replies to each message; while the first is handled, another writer (the listener) gets in line."""

    def __init__(self, engine, clock: Clock) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.clock = clock
        self.order: list[str] = []
        self.writer: threading.Thread | None = None

    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        message = event.raw["object"]["message"]
        self.order.append(message["text"])
        if self.writer is None:
            self.writer = threading.Thread(
                target=EventStore(self.engine, 1, self.clock).store_sync, args=([_msg(9, 1, "late")], None)
            )
            self.writer.start()
            deadline = time.monotonic() + 30
            while writers_waiting(self.engine) == 0 and time.monotonic() < deadline:
                time.sleep(0.001)
        return [message_request(f"evt:{event.id}:r", message["peer_id"], message["text"])]

    def give_up(self, session: Session, event: StoredEvent, error: str) -> list[OutboxRequest]:
        return []


@pytest.mark.parametrize(
    ("hold_turn_s", "batch_size", "first_pass"),
    [(0.0, 200, 1), (600.0, 200, 3), (0.0, 2, 2)],  # the last is behind: its batch is full
)
def test_a_batch_gives_the_write_lock_to_a_waiting_writer_after_holding_it_long_enough(
    tmp_path, hold_turn_s: float, batch_size: int, first_pass: int
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    clock = ManualClock()
    EventStore(engine, 1, clock).store_sync([_msg(1, 1, "a"), _msg(2, 1, "b"), _msg(3, 1, "c")], None)
    handler = WriterArrives(engine, clock)
    dispatcher = Dispatcher(engine, handler, hold_turn_s=hold_turn_s, batch_size=batch_size, clock=clock)
    try:
        assert dispatcher.process_pending() == first_pass  # the rest waits behind the writer
        assert handler.writer is not None
        handler.writer.join(30)
        while dispatcher.process_pending():
            pass
        with Session(engine) as session:
            pending = session.scalars(select(StoredEvent).where(StoredEvent.processed_at.is_(None))).all()  # type: ignore[union-attr]
            sent = session.scalars(select(OutboxRow.params)).all()
    finally:
        engine.dispose()
    assert handler.order == ["a", "b", "c", "late"]  # nothing lost, still in storage order
    assert pending == []
    assert [params["message"] for params in sent] == ["a", "b", "c", "late"]


async def test_the_sender_is_woken_when_the_quick_part_commits_not_after_the_photo_checks(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    clock = ManualClock()
    EventStore(engine, 1, clock).store_sync([_msg(1, 1, "a1"), _msg(2, 1, "b-photo", photo=True)], None)
    woken = threading.Event()
    waited: list[bool] = []

    class WaitsForTheWake(PhotoLast):
        def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
            if event.raw["object"]["message"].get("attachments"):
                waited.append(woken.wait(30))  # the sender already has a1's reply to send
            return super().handle(session, event)

    dispatcher = Dispatcher(engine, WaitsForTheWake(engine), on_enqueued=woken.set, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    try:
        deadline = time.monotonic() + 60
        while dispatcher.processed < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        engine.dispose()
    assert waited == [True]


class FetchesAhead(PhotoLast):
    """Fetches a batch's photos in the background: the download lasts until ``release`` is set; the
    texts of each fetch's events go to ``fetched``."""

    def __init__(self, engine, release: threading.Event) -> None:  # type: ignore[no-untyped-def]
        super().__init__(engine)
        self.release = release
        self.fetched: list[list[str]] = []

    def fetch_ahead(self, session: Session, events: list[StoredEvent]) -> Callable[[], None]:
        self.fetched.append([e.raw["object"]["message"]["text"] for e in events])
        return lambda: self.release.wait(300)  # the download: until the test has seen the others handled


async def until_processed(dispatcher: Dispatcher, count: int) -> None:
    deadline = time.monotonic() + 60
    while dispatcher.processed < count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


async def test_quick_events_keep_being_handled_while_a_photo_is_fetched_in_the_background(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    clock = ManualClock()
    store = EventStore(engine, 1, clock)
    store.store_sync(
        [_msg(1, 1, "a1"), _msg(2, 1, "b-photo", photo=True), _msg(2, 2, "b2"), _msg(3, 1, "c1")], None
    )
    release = threading.Event()
    handler = FetchesAhead(engine, release)
    dispatcher = Dispatcher(engine, handler, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))

    try:
        await until_processed(dispatcher, 2)
        await asyncio.to_thread(store.store_sync, [_msg(4, 1, "d1")], None)
        dispatcher.wake.set()  # what the listener's sink does
        await until_processed(dispatcher, 3)
        during_fetch = list(handler.order)
        release.set()
        await until_processed(dispatcher, 5)
    finally:
        release.set()
        stop.set()
        await asyncio.wait_for(task, 30)
        engine.dispose()
    # The photo's fetch held back only its own conversation; it was fetched once, in the background.
    assert during_fetch == ["a1", "c1", "d1"]
    assert handler.order == ["a1", "c1", "d1", "b-photo", "b2"]
    assert handler.fetched == [["b-photo"]]


async def test_a_conversation_waiting_for_its_photo_leaves_the_batches_places_to_the_others(tmp_path) -> None:
    """Batches of 2: b's photo and b's next message are the oldest pending events; while the photo is
    fetched, c's and d's messages are handled all the same (the claim once took b's two events every
    pass, handling nothing until the fetch ended)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    clock = ManualClock()
    store = EventStore(engine, 1, clock)
    store.store_sync(
        [
            _msg(2, 1, "b-photo", photo=True),
            _msg(2, 2, "b2"),
            _msg(2, 3, "b3"),
            _msg(3, 1, "c1"),
            _msg(4, 1, "d1"),
            _msg(3, 2, "c2"),
        ],
        None,
    )
    release = threading.Event()
    handler = FetchesAhead(engine, release)
    dispatcher = Dispatcher(engine, handler, batch_size=2, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))

    try:
        await until_processed(dispatcher, 3)
        during_fetch = list(handler.order)
        release.set()
        await until_processed(dispatcher, 6)
    finally:
        release.set()
        stop.set()
        await asyncio.wait_for(task, 30)
        engine.dispose()
    assert during_fetch == ["c1", "d1", "c2"]
    assert handler.order == ["c1", "d1", "c2", "b-photo", "b2", "b3"]
    assert handler.fetched == [["b-photo"]]


async def test_a_fetch_that_ends_during_a_pass_is_not_forgotten(tmp_path) -> None:
    """The photo's fetch ends while the next pass handles d1: the photo is then handled with what was
    fetched, not fetched again (the pass's end once overwrote what the fetch had marked ready)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    clock = ManualClock()
    store = EventStore(engine, 1, clock)
    store.store_sync([_msg(2, 1, "b-photo", photo=True), _msg(3, 1, "c1")], None)
    release = threading.Event()
    dispatcher: Dispatcher

    class EndsFetchInD1(FetchesAhead):
        def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
            if event.raw["object"]["message"]["text"] == "d1":
                release.set()  # the fetch ends now, during this pass
                deadline = time.monotonic() + 60
                while not dispatcher._ready and time.monotonic() < deadline:
                    time.sleep(0.01)
            return super().handle(session, event)

    handler = EndsFetchInD1(engine, release)
    dispatcher = Dispatcher(engine, handler, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))

    try:
        await until_processed(dispatcher, 1)
        await asyncio.to_thread(store.store_sync, [_msg(4, 1, "d1")], None)
        dispatcher.wake.set()
        await until_processed(dispatcher, 3)
    finally:
        release.set()
        stop.set()
        await asyncio.wait_for(task, 30)
        engine.dispose()
    assert handler.order == ["c1", "d1", "b-photo"]
    assert handler.fetched == [["b-photo"]]
