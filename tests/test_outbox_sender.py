"""The sender's order rules within a conversation, in-process (a recording client, SQLite and PostgreSQL).

A failed row holds its peer's later rows back while it waits to be retried; a parked row does not
(the relative must still be answered); a notice scheduled for later never held a reply back.
"""
# ruff: noqa: F811

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from tests.db_fixtures import db_url, engine  # noqa: F401  (fixtures; tests take them as parameters)
from vkbot.api.errors import VkApiError
from vkbot.clock import ManualClock
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import OutboxSender, enqueue, message_request

A, B = 501, 502


class RecordingClient:
    """Answers every send; fails the texts in ``failures`` once each with the given VK error code."""

    def __init__(self, failures: Mapping[str, int] | None = None) -> None:
        self.failures = dict(failures or {})
        self.sent: list[str] = []

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *, batch: bool = True) -> Any:
        text = str((params or {})["message"])
        await asyncio.sleep(0)
        if text in self.failures:
            raise VkApiError(self.failures.pop(text), "injected", method)
        self.sent.append(text)
        return len(self.sent)


def _enqueue(engine, clock: ManualClock, *rows: tuple[int, str], later: frozenset[str] = frozenset()) -> None:  # type: ignore[no-untyped-def]
    hour = clock.now() + timedelta(hours=1)
    with Session(engine) as session:
        for peer, text in rows:
            request = message_request(f"t:{text}", peer, text)
            enqueue(
                session, [replace(request, not_before=hour) if text in later else request], now=clock.now()
            )
        session.commit()


def _statuses(engine) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {row.params["message"]: row.status for row in session.exec(select(OutboxRow))}


async def _drain(sender: OutboxSender) -> None:
    while await sender.drain_once():
        pass


async def test_a_row_waiting_for_a_retry_holds_back_its_peer_only(engine) -> None:
    clock = ManualClock()
    _enqueue(engine, clock, (A, "a1"), (A, "a2"), (B, "b1"), (B, "b2"))
    client = RecordingClient({"a1": 10})  # VK's internal error: retried later
    sender = OutboxSender(engine, client, clock, batch_size=10)
    await _drain(sender)
    assert client.sent == ["b1", "b2"]
    assert _statuses(engine) == {"a1": "pending", "a2": "pending", "b1": "done", "b2": "done"}
    clock.advance(seconds=sender.retry_base_s)  # the first retry waits at most retry_base_s
    await _drain(sender)
    assert client.sent == ["b1", "b2", "a1", "a2"]
    assert set(_statuses(engine).values()) == {"done"}


async def test_a_parked_row_does_not_hold_back_the_replies_after_it(engine) -> None:
    clock = ManualClock()
    _enqueue(engine, clock, (A, "a1"), (A, "a2"), (A, "a3"))
    client = RecordingClient({"a1": 100})  # a bad parameter: retrying cannot help, the row is parked
    await _drain(OutboxSender(engine, client, clock, batch_size=10))
    assert client.sent == ["a2", "a3"]
    assert _statuses(engine) == {"a1": "parked", "a2": "done", "a3": "done"}


async def test_a_notice_scheduled_for_later_does_not_hold_back_a_reply(engine) -> None:
    clock = ManualClock()
    _enqueue(engine, clock, (A, "notice at nine"), (A, "reply now"), later=frozenset({"notice at nine"}))
    client = RecordingClient()
    sender = OutboxSender(engine, client, clock, batch_size=10)
    await _drain(sender)
    assert client.sent == ["reply now"]
    assert _statuses(engine) == {"notice at nine": "pending", "reply now": "done"}
    clock.advance(hours=1)  # nine o'clock: the notice goes out
    await _drain(sender)
    assert client.sent == ["reply now", "notice at nine"]


async def test_a_run_is_capped_and_the_rest_follow_in_order(engine) -> None:
    texts = [f"a{i:02d}" for i in range(25)]
    clock = ManualClock()
    _enqueue(engine, clock, *((A, t) for t in texts))
    client = RecordingClient()
    sender = OutboxSender(engine, client, clock, batch_size=100, max_run=10)
    assert await sender.drain_once() == 10
    await _drain(sender)
    assert client.sent == texts
