"""The core path against the sandbox: listener stores, dispatcher decides, outbox sends; nothing lost or doubled."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.app_helpers import eventually, running_app, sandbox_config
from vkbot.core.store.events_repo import new_message
from vkbot.core.store.models import StoredEvent
from vkbot.effects.outbox import OutboxRequest, message_request


class EchoHandler:
    """Answers every new message with its text; records founder messages; fails on demand."""

    def __init__(self, fail_text: str | None = None):
        self.fail_text = fail_text

    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        msg = new_message(event)
        if msg is None:
            return []
        if msg.text == self.fail_text:
            raise RuntimeError("handler bug")
        return [message_request(f"{event.key}:echo", msg.peer_id, f"echo: {msg.text}")]

    def give_up(self, session: Session, event: StoredEvent, error: str) -> list[OutboxRequest]:
        msg = new_message(event)
        return [message_request(f"{event.key}:kept", msg.peer_id, "kept")] if msg else []


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'suite.db'}"


async def test_each_message_is_stored_once_and_answered_once(sandbox, db, tmp_path) -> None:
    config = sandbox_config(sandbox.url, db, tmp_path / "files")
    async with running_app(config, EchoHandler()) as app:
        for i in range(30):
            await sandbox.inject_message(from_id=500 + i % 5, text=f"hello {i}")

        async def all_answered() -> bool:
            """30 echoes in /sandbox/sent"""
            return len(await sandbox.sent()) >= 30

        await eventually(all_answered)
        await asyncio.sleep(0.3)  # anything extra would show now
        sent = await sandbox.sent()
    texts = Counter(m["text"] for m in sent)
    assert texts == Counter(f"echo: hello {i}" for i in range(30))
    with Session(app.engine) as session:
        stored = session.scalars(select(StoredEvent).where(StoredEvent.type == "message_new")).all()
    assert len(stored) == 30
    assert all(e.processed_at is not None for e in stored)


async def test_restart_resumes_from_saved_ts_without_replay(sandbox, db, tmp_path) -> None:
    config = sandbox_config(sandbox.url, db, tmp_path / "files")
    async with running_app(config, EchoHandler()):
        await sandbox.inject_message(from_id=601, text="before")
        await eventually(lambda: _sent_count(sandbox, 1))
    await sandbox.inject_message(from_id=601, text="while stopped")
    async with running_app(config, EchoHandler()) as app:
        await eventually(lambda: _sent_count(sandbox, 2))
        await asyncio.sleep(0.5)
    assert sorted(m["text"] for m in await sandbox.sent()) == ["echo: before", "echo: while stopped"]
    with Session(app.engine) as session:
        assert len(session.scalars(select(StoredEvent).where(StoredEvent.type == "message_new")).all()) == 2


async def test_a_first_start_answers_what_arrived_while_it_was_starting(sandbox, db, tmp_path) -> None:
    """The long poll of a first start begins at the server's current ts, after this message: history
    brings it back (the demo lost a relative's first message so); older history stays unanswered."""
    config = sandbox_config(sandbox.url, db, tmp_path / "files")
    await sandbox.inject_message(from_id=650, text="while starting")
    async with running_app(config, EchoHandler()):
        await eventually(lambda: _sent_count(sandbox, 1))
    assert [m["text"] for m in await sandbox.sent()] == ["echo: while starting"]


async def test_a_failing_handler_keeps_the_event_and_the_writer_hears_back(sandbox, db, tmp_path) -> None:
    config = sandbox_config(sandbox.url, db, tmp_path / "files")
    async with running_app(config, EchoHandler(fail_text="boom")) as app:
        await sandbox.inject_message(from_id=700, text="boom")
        await sandbox.inject_message(from_id=700, text="fine")
        await eventually(lambda: _sent_count(sandbox, 2))
    assert sorted(m["text"] for m in await sandbox.sent()) == ["echo: fine", "kept"]
    with Session(app.engine) as session:
        failed = session.scalars(select(StoredEvent).where(StoredEvent.process_error.is_not(None))).one()
    assert "handler bug" in failed.process_error
    assert failed.raw["object"]["message"]["text"] == "boom"


async def test_retries_reuse_random_id_so_vk_deduplicates(sandbox, db, tmp_path) -> None:
    config = sandbox_config(sandbox.url, db, tmp_path / "files")
    await sandbox.add_faults({"accept_then_timeout": "messages.send", "count": 2})
    async with running_app(config, EchoHandler()):
        await sandbox.inject_message(from_id=801, text="once")
        await eventually(lambda: _sent_count(sandbox, 1), timeout=60)
        await asyncio.sleep(1.0)
    sent = await sandbox.sent(peer_id=801)
    assert [m["text"] for m in sent] == ["echo: once"]
    assert (await sandbox.calls())["deduplicated"] >= 1


async def _sent_count(sandbox, n: int) -> bool:
    return len(await sandbox.sent()) >= n


async def test_an_edit_is_stored_against_the_message_it_edits(sandbox, db, tmp_path) -> None:
    config = sandbox_config(sandbox.url, db, tmp_path / "files")
    async with running_app(config, EchoHandler()) as app:
        original = await sandbox.inject_message(from_id=901, text="сына звали Миша")
        await sandbox.edit_message(original["id"], "сына звали Михаил")

        async def edit_stored() -> bool:
            with Session(app.engine) as session:
                return (
                    session.scalars(select(StoredEvent).where(StoredEvent.type == "message_edit")).first()
                    is not None
                )

        await eventually(edit_stored)
    with Session(app.engine) as session:
        new = session.scalars(select(StoredEvent).where(StoredEvent.type == "message_new")).one()
        edit = session.scalars(select(StoredEvent).where(StoredEvent.type == "message_edit")).one()
    assert edit.target_key == new.message_key == f"901:{original['conversation_message_id']}"
    assert edit.raw["object"]["text"] == "сына звали Михаил"


class FlakyDatabaseHandler(EchoHandler):
    """The first batch fails outside any one event (as a locked or lost database would)."""

    def __init__(self) -> None:
        super().__init__()
        self.failures_left = 1

    def prepare(self, session: Session, events: list[StoredEvent]) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise OSError("database went away")


async def test_the_dispatcher_survives_a_failed_pass_and_loses_nothing(sandbox, db, tmp_path) -> None:
    config = sandbox_config(sandbox.url, db, tmp_path / "files")
    handler = FlakyDatabaseHandler()
    async with running_app(config, handler):
        await sandbox.inject_message(from_id=950, text="всё равно дойдёт")
        await eventually(lambda: _sent_count(sandbox, 1), timeout=30)
    assert handler.failures_left == 0
    assert [m["text"] for m in await sandbox.sent()] == ["echo: всё равно дойдёт"]
