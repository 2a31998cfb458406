"""Relatives' names from VK (``users.get``), fetched in the background for the founder's conversations.

Off the message path: a minute's job asks VK once for every new writer's name (up to ``BATCH`` at a
time, one call) and keeps it in ``vk_user_names``; "delete my data" erases it with the texts.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from vkbot.api.errors import VkError
from vkbot.clock import Clock
from vkbot.core.store.db import begin_write
from vkbot.core.store.models import VkUserName
from vkbot.effects.outbox import MethodCaller
from waitlist.models import WlConversation

log = logging.getLogger("vkbot.ops.names")

BATCH = 500  # users.get takes up to 1,000 ids; a private peer id is the user's id
_MAX_PRIVATE_PEER = 2_000_000_000
_NAME_CHARS = 100


def unnamed_peers(engine: Engine, limit: int = BATCH) -> list[int]:
    """Writers whose name was never asked, the most recently active first."""
    query = (
        select(col(WlConversation.peer_id))
        .outerjoin(VkUserName, col(VkUserName.user_id) == col(WlConversation.peer_id))
        .where(
            col(VkUserName.user_id).is_(None),
            col(WlConversation.peer_id) > 0,
            col(WlConversation.peer_id) < _MAX_PRIVATE_PEER,
        )
        .order_by(col(WlConversation.updated_at).desc())
        .limit(limit)
    )
    with Session(engine) as session:
        return list(session.scalars(query))


def store_names(engine: Engine, asked: list[int], users: list[Any], now: datetime) -> int:
    """Keep each asked writer's name; one VK did not return is kept empty (not asked again)."""
    names = {
        int(user["id"]): (str(user.get("first_name", "")), str(user.get("last_name", "")))
        for user in users
        if isinstance(user, dict) and isinstance(user.get("id"), int)
    }
    with Session(engine) as session:
        begin_write(session)
        for user_id in asked:
            first, last = names.get(user_id, ("", ""))
            session.merge(
                VkUserName(
                    user_id=user_id,
                    first_name=first[:_NAME_CHARS],
                    last_name=last[:_NAME_CHARS],
                    fetched_at=now,
                )
            )
        session.commit()
    return len(names)


async def names_once(engine: Engine, client: MethodCaller, clock: Clock) -> int:
    """One pass: ask VK for new writers' names; returns how many names it gave."""
    asked = await asyncio.to_thread(unnamed_peers, engine)
    if not asked:
        return 0
    try:
        users = await client.call("users.get", {"user_ids": ",".join(map(str, asked))}, batch=False)
    except VkError as exc:  # tried again next minute; names are a courtesy, never blocking
        log.warning("users.get for %d writers failed: %s", len(asked), exc)
        return 0
    return await asyncio.to_thread(
        store_names, engine, asked, users if isinstance(users, list) else [], clock.now()
    )
