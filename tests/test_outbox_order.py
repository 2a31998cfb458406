"""The sender against the sandbox: a hung send holds back only its own conversation, and each
conversation's replies arrive in the order they were written, whatever VK does to the calls."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.app_helpers import eventually, running_app, sandbox_config
from tests.echo_app import EchoHandler, running_echo_app
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.effects.outbox import OutboxRequest, message_request

# How long the client waits for an answer VK never gives; B's replies must all arrive within it (A's row,
# still unanswered then, proves they did not wait behind it). The test waits this out once.
HANG_S = 12.0


def _texts(sent: list[dict[str, Any]], peer_id: int) -> list[str]:
    return [m["text"] for m in sorted(sent, key=lambda m: m["message_id"]) if m["peer_id"] == peer_id]


def _row_of(engine: Any, text: str) -> OutboxRow:
    with Session(engine) as session:
        rows = session.scalars(select(OutboxRow)).all()
    return next(r for r in rows if r.params.get("message") == text)


async def test_a_hung_send_holds_back_only_its_own_conversation(sandbox, tmp_path) -> None:
    config = sandbox_config(
        sandbox.url,
        f"sqlite:///{tmp_path / 'suite.db'}",
        tmp_path / "files",
        vk={"request_timeout_s": HANG_S},
    )
    peer_a, others = 3100, [3200 + i for i in range(10)]
    async with running_echo_app(config) as (app, _):
        await sandbox.inject_message(from_id=peer_a, text="warm-up")

        async def warmed_up() -> bool:
            return bool(await sandbox.sent(peer_id=peer_a))

        await eventually(warmed_up)
        # VK runs A's next send and never answers it.
        await sandbox.add_faults({"accept_then_timeout": "messages.send", "count": 1})
        await sandbox.inject_message(from_id=peer_a, text="a1")

        async def a1_hung() -> bool:
            """VK took A's send (the fault used up), the sender still waits for the answer"""
            return len(await sandbox.sent(peer_id=peer_a)) == 2

        await eventually(a1_hung)
        await sandbox.inject_message(from_id=peer_a, text="a2")  # must wait behind a1
        for i in range(3):
            for peer in others:
                await sandbox.inject_message(from_id=peer, text=f"b{i}")

        async def others_answered() -> bool:
            """every other conversation got its three replies"""
            sent = await sandbox.sent()
            return all(len(_texts(sent, peer)) == 3 for peer in others)

        await eventually(others_answered, timeout=HANG_S)
        # Still inside the hang: A's call is unanswered and A's next reply has not overtaken it.
        a1 = await asyncio.to_thread(_row_of, app.engine, "echo: a1")
        assert (a1.status, a1.attempts) == ("pending", 0)
        assert _texts(await sandbox.sent(), peer_a) == ["echo: warm-up", "echo: a1"]

        async def a2_sent() -> bool:
            """A's call timed out, was resent (VK dropped the repeat) and A's next reply followed"""
            return len(await sandbox.sent(peer_id=peer_a)) == 3

        await eventually(a2_sent, timeout=HANG_S * 3)
    sent = await sandbox.sent()
    assert _texts(sent, peer_a) == ["echo: warm-up", "echo: a1", "echo: a2"]
    assert all(_texts(sent, peer) == ["echo: b0", "echo: b1", "echo: b2"] for peer in others)
    assert (await sandbox.calls())["deduplicated"] >= 1  # the resent a1 reached VK and was dropped


USERS = 200
PER_USER = 3


class TwoReplies(EchoHandler):
    """Answers each message with two replies, as the intake often does (a thank-you, the next question)."""

    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        return [
            message_request(f"{req.key}:{part}", req.params["peer_id"], f"{req.params['message']}.{part}")
            for req in super().handle(session, event)
            for part in (1, 2)
        ]


FAULTS: dict[str, list[dict[str, Any]]] = {
    "error 6": [{"method": "messages.send", "error_code": 6, "rate": 0.3, "count": 120}],
    "error 10": [{"method": "messages.send", "error_code": 10, "rate": 0.3, "count": 120}],
    "dropped connections": [{"drop_connections": 12}],
}


@pytest.mark.timeout(240)
@pytest.mark.parametrize("rules", list(FAULTS.values()), ids=list(FAULTS))
async def test_200_users_get_their_replies_in_order_under_faults(sandbox, tmp_path, rules) -> None:
    config = sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 'suite.db'}", tmp_path / "files")
    users = [40_000 + i for i in range(USERS)]
    async with running_app(config, TwoReplies()) as app:
        await sandbox.add_faults(*rules)
        gate = asyncio.Semaphore(16)

        async def write(user: int) -> None:
            for i in range(PER_USER):  # each person's messages in order, people at once
                async with gate:
                    await sandbox.inject_message(from_id=user, text=f"m{i}")

        await asyncio.gather(*(write(u) for u in users))

        async def all_answered() -> bool:
            """a reply to every message"""
            return len(await sandbox.sent()) >= USERS * PER_USER * 2

        await eventually(all_answered, timeout=180, every=0.2)
        await asyncio.sleep(0.5)  # a duplicate would show now
        sent = await sandbox.sent()
        calls = await sandbox.calls()
        with Session(app.engine) as session:
            statuses = Counter(session.scalars(select(OutboxRow.status)))
    # The fault really struck.
    if "error_code" in rules[0]:
        assert calls["errors"].get(str(rules[0]["error_code"]), 0) >= 10
    expected = [f"echo: m{i}.{part}" for i in range(PER_USER) for part in (1, 2)]
    reordered = [u for u in users if _texts(sent, u) != expected]
    assert reordered == [], f"{len(reordered)} of {USERS} users got replies out of order or twice"
    assert len(sent) == USERS * PER_USER * 2  # no reply sent twice, none lost
    assert statuses == {"done": USERS * PER_USER * 2}
