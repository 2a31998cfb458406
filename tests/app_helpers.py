"""Helpers for tests that run the suite's workers against the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from vkbot.app import App, open_app
from vkbot.clock import Clock
from vkbot.config import Config, load_config
from vkbot.core.dispatch import EventHandler

SANDBOX_GROUP_ID = 1001
SANDBOX_TOKEN = "sandbox-community-token"


def sandbox_environment(
    sandbox_url: str, db_url: str, files_dir: Path, **sections: dict[str, Any]
) -> dict[str, str]:
    """``VKBOT_*`` variables pointing the suite at the sandbox with fast timings (for a process or a config)."""
    env = {
        "VKBOT_VK__API_BASE_URL": f"{sandbox_url}/method/",
        "VKBOT_VK__OAUTH_BASE_URL": f"{sandbox_url}/",
        "VKBOT_VK__GROUP_ID": str(SANDBOX_GROUP_ID),
        "VKBOT_VK__TOKEN": SANDBOX_TOKEN,
        "VKBOT_VK__LONGPOLL_WAIT": "1",
        "VKBOT_VK__BACKOFF_BASE_S": "0.05",
        "VKBOT_VK__BACKOFF_MAX_S": "0.5",
        "VKBOT_VK__FLOOD_PAUSE_S": "0.5",
        "VKBOT_VK__REQUEST_TIMEOUT_S": "2",
        "VKBOT_STORAGE__DATABASE_URL": db_url,
        "VKBOT_STORAGE__FILES_DIR": str(files_dir),
        "VKBOT_OUTBOX__IDLE_POLL_S": "0.05",
    }
    for section, values in sections.items():
        for key, value in values.items():
            env[f"VKBOT_{section.upper()}__{key.upper()}"] = str(value)
    return env


def sandbox_config(sandbox_url: str, db_url: str, files_dir: Path, **sections: dict[str, Any]) -> Config:
    """A config pointing the suite at the sandbox with fast timings."""
    return load_config(None, environ=sandbox_environment(sandbox_url, db_url, files_dir, **sections))


@contextlib.asynccontextmanager
async def running_app(
    config: Config, handler: EventHandler | None = None, *, clock: Clock | None = None
) -> AsyncIterator[App]:
    """The suite's workers running in this loop until the block ends (then stopped cleanly)."""
    async with open_app(config, handler, clock=clock) as app:
        stop = asyncio.Event()
        task = asyncio.create_task(app.run(stop))
        try:
            # A first start begins at the server's current ts: wait for it so injected messages count.
            for _ in range(400):
                if app.listener.ts is not None or task.done():
                    break
                await asyncio.sleep(0.025)
            yield app
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 20.0, every: float = 0.05
) -> None:
    """Wait until ``check()`` is true; fail with a clear message after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {check.__doc__ or check}")
        await asyncio.sleep(every)


def answered_messages(engine: Any, sent: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """(peer, the relative's words a sent message answers), in VK's order: the production pipeline's
    replies are traced back through their outbox row's key ("<event key>:reply:<n>") to the message."""
    from sqlalchemy import select
    from sqlmodel import Session

    from vkbot.core.store.models import OutboxRow, StoredEvent

    with Session(engine) as session:
        keys = {r.random_id: r.key for r in session.scalars(select(OutboxRow))}
        words = {
            e.key: e.raw["object"]["message"]["text"]
            for e in session.scalars(select(StoredEvent).where(StoredEvent.type == "message_new"))
        }
    return [(m["peer_id"], words[keys[m["random_id"]].split(":reply:")[0]]) for m in sent]
