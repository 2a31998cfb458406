"""The suite with an echo handler and the history gap filler wired in: for fault and crash tests.

Run as a process (the crash test kills it with SIGKILL)::

    python -m tests.echo_app [--config suite.toml]      # plus VKBOT_SECTION__KEY variables

It is ``vkbot run`` with two differences: the handler answers every new message with
``"echo: <text>"`` (so a test can count replies per message; ``--production`` keeps the production
pipeline instead), and the outbox lease is short (``--lease-s``, 3 s by default) so rows claimed by a
killed process come back quickly.
The gap filler (on ``failed`` 3, and once after a restart) is the app factory's own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from sqlmodel import Session

from vkbot.app import App, open_app
from vkbot.commands.common import run_until_signal
from vkbot.config import Config, load_config
from vkbot.core.store.events_repo import new_message
from vkbot.core.store.models import StoredEvent
from vkbot.effects.outbox import OutboxRequest, message_request
from vkbot.ingress.history import HistoryGapFiller


class EchoHandler:
    """Answers every new message with its text, one reply per stored message."""

    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        msg = new_message(event)
        if msg is None:
            return []
        return [message_request(f"{event.key}:echo", msg.peer_id, f"echo: {msg.text}")]

    def give_up(self, session: Session, event: StoredEvent, error: str) -> list[OutboxRequest]:
        return []


@contextlib.asynccontextmanager
async def running_echo_app(config: Config) -> AsyncIterator[tuple[App, HistoryGapFiller]]:
    """The echo app with the gap filler, running in this loop until the block ends (then stopped)."""
    from tests.app_helpers import running_app

    async with running_app(config, EchoHandler()) as app:
        yield app, app.gap_filler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.echo_app")
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--lease-s", type=float, default=3.0)
    parser.add_argument("--production", action="store_true", help="the production pipeline, not the echo")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    logging.basicConfig(level=config.log.level, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")

    async def run(stop: asyncio.Event) -> int:
        async with open_app(config, None if args.production else EchoHandler()) as app:
            app.sender.lease_s = args.lease_s
            print("echo app running", flush=True)
            await app.run(stop)
        return 0

    return run_until_signal(run)


if __name__ == "__main__":
    sys.exit(main())
