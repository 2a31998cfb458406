"""Relatives' VK names: fetched once in the background with one users.get, shown in the founder's
conversations, and erased with the rest of their data."""
# ruff: noqa: F811

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.conftest import SANDBOX_TOKEN
from tests.db_fixtures import db_url, engine  # noqa: F401  (fixtures: SQLite, and PostgreSQL when configured)
from vkbot.adapters.message_texts import StoredMessageTexts
from vkbot.api.client import VkClient
from vkbot.clock import ManualClock
from vkbot.core.store.models import VkUserName
from vkbot.dashboard.threads import identities
from vkbot.ops.names import names_once
from vkbot.sandbox import SandboxControl
from waitlist.models import WlConversation

RELATIVE, OTHER, CHAT = 5301, 5302, 2_000_000_007


def _writers(engine: Engine, *peers: int) -> None:
    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with Session(engine) as session:
        for peer in peers:
            session.add(WlConversation(peer_id=peer, created_at=at, updated_at=at))
        session.commit()


async def test_names_are_asked_once_in_one_call_shown_and_erased_with_the_data(
    sandbox: SandboxControl, engine: Engine
) -> None:
    _writers(engine, RELATIVE, OTHER, CHAT)
    clock = ManualClock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    async with aiohttp.ClientSession() as http:
        client = VkClient(http, base_url=f"{sandbox.url}/method/", token=SANDBOX_TOKEN)
        try:
            assert await names_once(engine, client, clock) == 2  # the chat is nobody's name
            assert await names_once(engine, client, clock) == 0  # nothing new to ask
        finally:
            await client.aclose()
    calls = await sandbox.calls()
    assert calls["methods"].get("users.get") == 1

    with Session(engine) as session:
        names = {row.user_id: row.full_name for row in session.scalars(select(VkUserName))}
        assert set(names) == {RELATIVE, OTHER} and all(names.values())
        assert identities(session, [RELATIVE])[RELATIVE].name == names[RELATIVE]

        StoredMessageTexts(session).erase_texts(RELATIVE, keep_evidence=True)
        session.commit()
        assert session.get(VkUserName, RELATIVE) is None
        assert identities(session, [RELATIVE])[RELATIVE].name is None
        assert session.get(VkUserName, OTHER) is not None
