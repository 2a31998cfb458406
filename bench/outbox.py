"""Benchmark of the outbox: a backlog of replies drained against the sandbox's default rate rule (20 requests/s).

Usage: ``.venv/bin/python bench/outbox.py [--messages 5000] [--batch-size N] [--per-peer K]``. The sandbox runs in its own
process with its default rule; ``execute`` packs 25 calls, so the ceiling is 20 x 25 = 500 messages/s.
The rows are enqueued with ``vkbot.effects.outbox.enqueue`` before the clock starts; then the app's
``OutboxSender`` (the real ``VkClient`` from ``open_app``) runs until every row is done. ``--per-peer K``
addresses K replies to each person (default 1): a conversation's replies go out one after the other,
in order, so K > 1 shows what keeping that order costs. Error 6 is
read from ``/sandbox/calls``. The last line is one JSON object:
``{"messages": N, "per_s": x, "ceiling_per_s": 500, "share": x/500, "error6": n, ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import func, select
from sqlmodel import Session

from bench.common import machine, sandbox_process, suite_config
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import OutboxRequest, enqueue, message_request
from vkbot.sandbox import SandboxControl

RATE_PER_S = 20
EXECUTE_CALLS = 25
FIRST_PEER = 700_000


class NoHandler:
    """The dispatcher is not under test here; nothing arrives anyway."""

    def handle(self, session: Session, event: Any) -> list[OutboxRequest]:
        return []

    def give_up(self, session: Session, event: Any, error: str) -> list[OutboxRequest]:
        return []


def _pending(engine: Any) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
        return int(session.scalar(query) or 0)


async def drain(
    url: str, control: SandboxControl, messages: int, batch_size: int | None, per_peer: int
) -> dict[str, Any]:
    from vkbot.app import open_app

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'outbox.db'}"
        tuning = {"VKBOT_OUTBOX__BATCH_SIZE": str(batch_size)} if batch_size else {}
        config = suite_config(url, db, Path(tmp) / "files", **tuning)
        async with open_app(config, NoHandler()) as app:
            # Each addressee allowed messages first, or the sandbox answers 901 as VK would.
            peers = -(-messages // per_peer)
            for i in range(0, peers, 250):
                await asyncio.gather(*(control.allow(FIRST_PEER + j) for j in range(i, min(i + 250, peers))))
            with Session(app.engine) as session:
                enqueue(
                    session,
                    (
                        message_request(f"bench:{i}", FIRST_PEER + i // per_peer, f"Ответ {i}")
                        for i in range(messages)
                    ),
                    now=app.clock.now(),
                )
                session.commit()
            stop = asyncio.Event()
            started = time.perf_counter()
            task = asyncio.create_task(app.sender.run(stop))
            while await asyncio.to_thread(_pending, app.engine):
                if task.done():
                    raise RuntimeError("the sender stopped before draining the backlog")
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            stop.set()
            await asyncio.wait_for(task, 30)
            stats, claimed = app.sender.stats, app.sender.batch_size
            client = app.client.stats()
    calls = await control.calls()
    return {
        "seconds": elapsed,
        "batch_size": claimed,
        "sent": stats.sent,
        "parked": stats.parked,
        "undeliverable": stats.undeliverable,
        "retried": stats.retried,
        "requests": client["requests"],
        "executes": client["executes"],
        "error6": int(calls["errors"].get("6", 0)),
        "sandbox_sent": int(calls["methods"].get("messages.send", 0)),
    }


async def main_async(messages: int, batch_size: int | None, per_peer: int = 1) -> dict[str, Any]:
    ceiling = RATE_PER_S * EXECUTE_CALLS
    with sandbox_process(rate_per_s=RATE_PER_S) as url:
        async with aiohttp.ClientSession() as session:
            control = SandboxControl(session, url)
            await control.reset()
            result = await drain(url, control, messages, batch_size, per_peer)
    per_s = messages / result["seconds"]
    print(
        f"outbox: {messages} replies ({per_peer} per person) in {result['seconds']:.2f} s = {per_s:.0f}/s of a {ceiling}/s ceiling "
        f"(batch_size {result['batch_size']}; {result['requests']} requests, {result['executes']} execute; "
        f"sent {result['sent']}, retried {result['retried']}, parked {result['parked']}, "
        f"undeliverable {result['undeliverable']}; error 6: {result['error6']})",
        flush=True,
    )
    return {
        "messages": messages,
        "per_peer": per_peer,
        "per_s": round(per_s, 1),
        "ceiling_per_s": ceiling,
        "share": round(per_s / ceiling, 3),
        "error6": result["error6"],
        "batch_size": result["batch_size"],
        "sent": result["sent"],
        **machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="rows the sender claims at once (default: the config's)"
    )
    parser.add_argument("--per-peer", type=int, default=1, help="replies addressed to each person")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main_async(args.messages, args.batch_size, max(1, args.per_peer)))
    print(f"{result['date']}  {result['machine']}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
