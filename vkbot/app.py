"""The app factory: creates the HTTP session, database, VK client and workers once, runs them, closes them in reverse."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from sqlalchemy.engine import Engine

from vkbot.api.client import VkClient
from vkbot.auth import make_admin_token_provider
from vkbot.config import Config
from vkbot.dispatch import Dispatcher, EventHandler
from vkbot.longpoll import LongPollListener
from vkbot.outbox import OutboxSender
from vkbot.store.db import make_engine, migrate
from vkbot.store.events_repo import EventStore

log = logging.getLogger("vkbot.app")


@dataclass
class App:
    config: Config
    engine: Engine
    http: aiohttp.ClientSession
    client: VkClient
    store: EventStore
    listener: LongPollListener
    dispatcher: Dispatcher
    sender: OutboxSender
    extra_tasks: list[Any] = field(default_factory=list)
    shutdown_grace_s: float = 5.0

    async def run(self, stop: asyncio.Event) -> None:
        """Run listener, dispatcher and sender until ``stop`` is set; a crash of one stops all, loudly."""
        tasks = [
            asyncio.create_task(self.listener.run(stop), name="longpoll"),
            asyncio.create_task(self.dispatcher.run(stop), name="dispatch"),
            asyncio.create_task(self.sender.run(stop), name="outbox"),
            *(
                asyncio.create_task(job(stop), name=getattr(job, "__name__", "job"))
                for job in self.extra_tasks
            ),
        ]
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and task.exception() is not None:
                log.error("worker %s crashed", task.get_name(), exc_info=task.exception())
        stop.set()
        # Workers finish what they hold within the grace period; a call VK never answers is cancelled.
        _, still_running = await asyncio.wait(tasks, timeout=self.shutdown_grace_s)
        for task in still_running:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        stopper.cancel()


def build_handler(config: Config, engine: Engine, client: VkClient) -> EventHandler:
    from vkbot.pipeline import build_pipeline

    return build_pipeline(config, engine)


@contextlib.asynccontextmanager
async def open_app(config: Config, handler: EventHandler | None = None) -> AsyncIterator[App]:
    """Create every resource once and close it in reverse order on exit."""
    engine = make_engine(config.storage.database_url)
    await asyncio.to_thread(migrate, engine)
    vk = config.vk
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
    try:
        # None when no admin user token is connected: user-only features then degrade visibly.
        user_tokens = make_admin_token_provider(config, engine, http)
    except Exception:  # MissingSecretKey names VKBOT_SECRET_KEY; nothing else may start without it
        await http.close()
        engine.dispose()
        raise
    client = VkClient(
        http,
        base_url=vk.api_base_url,
        version=vk.api_version,
        token=vk.token.get_secret_value(),
        rate_per_s=vk.rate_per_s,
        timeout_s=vk.request_timeout_s,
        max_retries=vk.max_retries,
        backoff_base_s=vk.backoff_base_s,
        backoff_max_s=vk.backoff_max_s,
        flood_pause_s=vk.flood_pause_s,
        execute_batch=vk.execute_batch,
        user_tokens=user_tokens,
    )
    try:
        store = EventStore(engine, vk.group_id)
        dispatcher = Dispatcher(engine, handler or build_handler(config, engine, client))
        sender = OutboxSender(
            engine,
            client,
            batch_size=config.outbox.batch_size,
            idle_poll_s=config.outbox.idle_poll_s,
            max_attempts=config.outbox.max_attempts,
        )
        dispatcher.on_enqueued = sender.wake.set
        listener = LongPollListener(
            client,
            vk.group_id,
            _WakingSink(store, dispatcher.wake),
            wait=vk.longpoll_wait,
            backoff_base_s=vk.backoff_base_s,
            backoff_max_s=vk.backoff_max_s,
        )
        yield App(config, engine, http, client, store, listener, dispatcher, sender)
    finally:
        await client.aclose()
        await http.close()
        engine.dispose()


class _WakingSink:
    """The event store as the listener's sink, waking the dispatcher once events are stored."""

    def __init__(self, store: EventStore, wake: asyncio.Event):
        self._store = store
        self._wake = wake

    async def load_ts(self) -> str | None:
        return await self._store.load_ts()

    async def store(self, events: Any, ts: str) -> None:
        await self._store.store(events, ts)
        if events:
            self._wake.set()
