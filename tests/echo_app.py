"""The suite with an echo handler and the history gap filler wired in: for fault and crash tests.

Run as a process (the crash test kills it with SIGKILL)::

    python -m tests.echo_app [--config suite.toml]      # plus VKBOT_SECTION__KEY variables

It is ``vkbot run`` with two differences: the handler answers every new message with
``"echo: <text>"`` (so a test can count replies per message), and the outbox lease is short
(``--lease-s``, 3 s by default) so rows claimed by a killed process come back quickly.
``wire_gap_filler`` is the wiring the app factory should do itself (see the report for issue 3).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from vkbot.app import App, open_app
from vkbot.commands.common import run_until_signal
from vkbot.config import Config, load_config
from vkbot.history import HistoryGapFiller
from vkbot.longpoll import LongPollListener
from vkbot.outbox import OutboxRequest, message_request
from vkbot.store.events_repo import EventStore
from vkbot.store.models import StoredEvent


class EchoHandler:
    """Answers every new message with its text, one reply per stored message."""

    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        if event.type != "message_new" or event.malformed_reason:
            return []
        msg = event.raw["object"]["message"]
        return [message_request(f"evt:{event.id}:echo", msg["peer_id"], f"echo: {msg['text']}")]

    def give_up(self, session: Session, event: StoredEvent, error: str) -> list[OutboxRequest]:
        return []


class _WakingStore:
    """The event store as the listener's sink, waking the dispatcher when events were stored."""

    def __init__(self, store: EventStore, wake: asyncio.Event):
        self._store, self._wake = store, wake

    async def load_ts(self) -> str | None:
        return await self._store.load_ts()

    async def store(self, events: Sequence[Any], ts: str) -> None:
        await self._store.store(events, ts)
        if events:
            self._wake.set()


async def wire_gap_filler(app: App) -> HistoryGapFiller:
    """Give ``app`` a gap filler: on the listener's ``on_gap``, and once at start-up after a stop."""
    vk = app.config.vk
    filler = HistoryGapFiller(app.client, app.store, vk.group_id, on_stored=app.dispatcher.wake.set)
    app.listener = LongPollListener(
        app.client,
        vk.group_id,
        _WakingStore(app.store, app.dispatcher.wake),
        wait=vk.longpoll_wait,
        backoff_base_s=vk.backoff_base_s,
        backoff_max_s=vk.backoff_max_s,
        on_gap=filler.fill,
    )
    # Read before the listener stores anything: what came after this may have been missed while stopped.
    stopped_since = await filler.since_last_stored()
    app.extra_tasks.append(_fill_after_restart(filler, app.listener, stopped_since))
    return filler


def _fill_after_restart(filler: HistoryGapFiller, listener: LongPollListener, since: datetime | None) -> Any:
    async def fill_after_restart(stop: asyncio.Event) -> None:
        # After the first good poll (a saved ts VK no longer keeps answers failed 1 and loses events).
        while since is not None and listener.last_poll_at is None and not stop.is_set():
            await asyncio.sleep(0.05)  # the listener offers no event for its first poll; poll its health
        if since is not None and not stop.is_set():
            try:
                await filler.fill(since - filler.margin)
            except Exception:
                logging.getLogger("vkbot.history").exception("start-up history fill failed")
        await stop.wait()  # App.run stops everything when a job returns

    return fill_after_restart


@contextlib.asynccontextmanager
async def running_echo_app(config: Config) -> AsyncIterator[tuple[App, HistoryGapFiller]]:
    """The echo app with the gap filler, running in this loop until the block ends (then stopped)."""
    async with open_app(config, EchoHandler()) as app:
        filler = await wire_gap_filler(app)
        stop = asyncio.Event()
        task = asyncio.create_task(app.run(stop))
        try:
            # A first start begins at the server's current ts: wait for it so injected messages count.
            for _ in range(400):
                if app.listener.ts is not None or task.done():
                    break
                await asyncio.sleep(0.025)
            yield app, filler
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.echo_app")
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--lease-s", type=float, default=3.0)
    args = parser.parse_args(argv)
    config = load_config(args.config)
    logging.basicConfig(level=config.log.level, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")

    async def run(stop: asyncio.Event) -> int:
        async with open_app(config, EchoHandler()) as app:
            app.sender.lease_s = args.lease_s
            await wire_gap_filler(app)
            print("echo app running", flush=True)
            await app.run(stop)
        return 0

    return run_until_signal(run)


if __name__ == "__main__":
    sys.exit(main())
