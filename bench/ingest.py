"""Benchmark of ingest: our listener storing and dispatching N injected messages vs vkbottle with a no-op handler.

Usage: ``.venv/bin/python bench/ingest.py [--count 20000] [--seed 1]``. The sandbox runs in its own
process; N seeded messages are injected at once with ``/sandbox/bulk`` while the client listens.

- ours: the whole app (listener -> SQLite file in a temp dir -> dispatcher -> outbox rows, the sender
  running beside them as in production), with the real handler ``vkbot.core.pipeline.build_pipeline``
  (moderation, intake dialog, outbox rows). The clock stops when every injected ``message_new`` is
  stored AND marked processed. Replies are not waited for: the outbox sender is bounded by VK's 20
  requests/s (bench/outbox.py measures it), so the clock covers storing and dispatching, i.e. until each
  event's outbox rows are written.
- ours, framework only: after ``/sandbox/reset``, the same, with a handler that writes one reply row per
  message: the cost of the listener, the store, the ordered dispatcher and the outbox without the domain.
- ours, store only: after ``/sandbox/reset``, the same stream into the listener alone (no dispatcher, no
  sender); the clock stops when every ``message_new`` is stored.
- vkbottle: after ``/sandbox/reset``, the same seeded stream; ``Bot`` with a no-op message handler,
  ``API_URL`` pointed at the sandbox, run in a temp CWD (it writes ``.vkbottle/`` there); the clock stops
  when its handler has run N times.
- vkbottle, same work: after ``/sandbox/reset``, the same stream into a vkbottle ``Bot`` whose handler
  (a raw ``message_new`` handler, so it sees the event as we store it) does per message what our
  dispatcher does per batch: in one SQLite transaction it stores the event, runs the same domain code
  the same way (``Pipeline.handle``: moderation with its verdict rows, the intake dialog with its reply
  rows) and writes the outbox rows, then commits; our outbox sender runs beside it, as in ours. This is
  the bot a user would write with a framework and our domain packages. The clock stops when every
  message's rows are committed.

All clocks start when ``/sandbox/bulk`` has answered. The last line is one JSON object:
``{"events": N, "ours_per_s": x, "vkbottle_per_s": y, "ratio": x/y, ...}`` for the real work (store and
dispatch through the real pipeline), with ``framework_*`` and ``store_only_*`` figures beside them, and
``same_work_vkbottle_per_s`` with ``same_work_ratio`` (ours / vkbottle doing the same work).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import func, select
from sqlmodel import Session

from bench.common import TOKEN, machine, sandbox_process, suite_config
from vkbot.clock import Clock, SystemClock
from vkbot.core.store.models import StoredEvent
from vkbot.effects.outbox import OutboxRequest, message_request
from vkbot.sandbox import SandboxControl


class ReplyHandler:
    """Answers each new message with one reply row (the shape of the real intake's first step)."""

    def handle(self, session: Session, event: StoredEvent) -> list[OutboxRequest]:
        if event.type != "message_new" or event.malformed_reason:
            return []
        msg = event.raw["object"]["message"]
        return [message_request(f"evt:{event.id}:reply", msg["peer_id"], "Спасибо, мы ответим скоро")]

    def give_up(self, session: Session, event: StoredEvent, error: str) -> list[OutboxRequest]:
        return []


def _handler(config: Any, engine: Any, which: str, clock: Clock) -> tuple[Any, str]:
    if which == "reply":
        return ReplyHandler(), "reply-to-each"
    from vkbot.core.pipeline import build_pipeline

    return build_pipeline(config, clock=clock), "vkbot.core.pipeline.build_pipeline"


def _stored_messages(engine: Any, *, processed: bool) -> int:
    """Stored ``message_new`` events; with ``processed``, only those the dispatcher has marked done."""
    with Session(engine) as session:
        query = select(func.count()).select_from(StoredEvent).where(StoredEvent.type == "message_new")
        if processed:
            query = query.where(StoredEvent.processed_at.is_not(None))  # type: ignore[union-attr]
        return int(session.scalar(query) or 0)


async def _all_processed(dispatched: int, probe: Any, count: int) -> bool:
    """The database says when all ``count`` messages are processed; asked only once the dispatcher's own
    counter (every event it handled) could be there, since the count scans a growing table 20 times a second."""
    return dispatched >= count and await asyncio.to_thread(_stored_messages, probe, processed=True) >= count


async def run_ours(url: str, control: SandboxControl, count: int, seed: int, which: str) -> dict[str, Any]:
    from vkbot.app import open_app
    from vkbot.core.store.db import make_engine, migrate

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'ingest.db'}"
        config = suite_config(url, db, Path(tmp) / "files")
        probe = make_engine(db)
        migrate(probe)
        clock = SystemClock()  # the process's one: the handler's and the app's
        handler, handler_name = _handler(config, probe, which, clock)
        async with open_app(config, handler, clock=clock) as app:
            stop = asyncio.Event()
            task = asyncio.create_task(app.run(stop))
            await control.wait_for_call("groups.getLongPollServer")
            await control.bulk(count, seed)
            started = time.perf_counter()
            while not await _all_processed(app.dispatcher.processed, probe, count):
                if task.done():
                    raise RuntimeError("the app stopped before ingesting everything")
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            processed, sent = app.dispatcher.processed, app.sender.stats.sent
            stop.set()
            await asyncio.wait_for(task, 60)
        probe.dispose()
    return {
        "seconds": elapsed,
        "per_s": count / elapsed,
        "handler": handler_name,
        "events_processed": processed,
        "replies_sent_meanwhile": sent,
    }


async def run_ours_store_only(url: str, control: SandboxControl, count: int, seed: int) -> dict[str, Any]:
    """The listener alone writing the stream to the event store: the cost of keeping every message."""
    from vkbot.app import open_app
    from vkbot.core.store.db import make_engine, migrate

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'ingest.db'}"
        config = suite_config(url, db, Path(tmp) / "files")
        probe = make_engine(db)
        migrate(probe)
        async with open_app(config, ReplyHandler()) as app:
            stop = asyncio.Event()
            task = asyncio.create_task(app.listener.run(stop))  # no dispatcher, no sender
            await control.wait_for_call("groups.getLongPollServer")
            await control.bulk(count, seed)
            started = time.perf_counter()
            while await asyncio.to_thread(_stored_messages, probe, processed=False) < count:
                if task.done():
                    raise RuntimeError("the listener stopped before storing everything")
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            stop.set()
            await asyncio.wait_for(task, 60)
        probe.dispose()
    return {"seconds": elapsed, "per_s": count / elapsed}


def _vkbottle_bot(url: str) -> Any:
    """An unmodified vkbottle bot polling the sandbox."""
    from vkbottle import API, Bot

    api = API(TOKEN)
    api.API_URL = f"{url}/method/"
    bot = Bot(api=api)
    bot.polling.wait = 1  # type: ignore[attr-defined]
    return bot


async def _timed_bulk(control: SandboxControl, count: int, seed: int, done: asyncio.Event) -> float:
    """Once the bot polls, inject the stream and time it until ``done``: the same clock rule for every bot."""
    await control.wait_for_call("groups.getLongPollServer")
    await control.bulk(count, seed)
    started = time.perf_counter()
    await asyncio.wait_for(done.wait(), timeout=max(600.0, count / 10))
    return time.perf_counter() - started


async def run_vkbottle(url: str, control: SandboxControl, count: int, seed: int) -> dict[str, Any]:
    from vkbottle.bot import Message

    handled = 0
    done = asyncio.Event()
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)  # vkbottle writes .vkbottle/bot-polling/<group>.json into the CWD
        try:
            bot = _vkbottle_bot(url)

            @bot.on.message()
            async def noop(message: Message) -> None:
                nonlocal handled
                handled += 1
                if handled >= count:
                    done.set()

            task = asyncio.create_task(bot.run_polling())
            try:
                elapsed = await _timed_bulk(control, count, seed, done)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        finally:
            os.chdir(cwd)
    return {"seconds": elapsed, "per_s": count / elapsed}


class SameWork:
    """What our dispatcher does for one message, done by a framework's handler in its own transaction."""

    def __init__(self, engine: Any, pipeline: Any):
        self.engine = engine
        self.pipeline = pipeline
        self.handled = 0

    def __call__(self, raw: dict[str, Any]) -> None:
        from vkbot.core.store.db import begin_write
        from vkbot.core.store.events_repo import EventRecord
        from vkbot.effects.outbox import enqueue

        now = self.pipeline.clock.now()
        with Session(self.engine) as session:
            begin_write(session)
            event = StoredEvent(**EventRecord.parse(raw).row(now))  # parsed once, as our listener does
            session.add(event)
            session.flush()  # its id names the effects' keys, as in ours
            enqueue(session, self.pipeline.handle(session, event), now=now)
            event.processed_at = now
            session.commit()
        self.handled += 1


async def run_vkbottle_same_work(url: str, control: SandboxControl, count: int, seed: int) -> dict[str, Any]:
    from vkbottle import GroupEventType

    from vkbot.app import make_client
    from vkbot.core.pipeline import build_pipeline
    from vkbot.core.store.db import make_engine, migrate
    from vkbot.effects.outbox import OutboxSender

    done = asyncio.Event()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'same-work.db'}"
        config = suite_config(url, db, Path(tmp) / "files")
        engine = make_engine(db)
        migrate(engine)
        work = SameWork(engine, build_pipeline(config, clock=SystemClock()))
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            async with aiohttp.ClientSession() as http:
                client = make_client(http, config.vk)
                sender = OutboxSender(
                    engine, client, work.pipeline.clock, batch_size=config.outbox.batch_size, idle_poll_s=0.05
                )
                bot = _vkbottle_bot(url)

                @bot.on.raw_event(GroupEventType.MESSAGE_NEW, dataclass=dict)
                async def same_work(event: dict[str, Any]) -> None:
                    # vkbottle adds its API object to the update; the rest is the event as VK sent it.
                    work({k: v for k, v in event.items() if k != "ctx_api"})  # synchronous, one transaction
                    if work.handled >= count:
                        done.set()

                stop = asyncio.Event()
                tasks = [asyncio.create_task(bot.run_polling()), asyncio.create_task(sender.run(stop))]
                try:
                    elapsed = await _timed_bulk(control, count, seed, done)
                finally:
                    stop.set()
                    tasks[0].cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    await client.aclose()
        finally:
            os.chdir(cwd)
            engine.dispose()
    return {"seconds": elapsed, "per_s": count / elapsed, "replies_sent_meanwhile": sender.stats.sent}


async def main_async(count: int, seed: int) -> dict[str, Any]:
    with sandbox_process(seed=seed) as url:
        async with aiohttp.ClientSession() as session:
            control = SandboxControl(session, url)
            await control.reset()
            ours = await run_ours(url, control, count, seed, "pipeline")
            print(
                f"ours:     {count} messages stored and dispatched (real pipeline) in {ours['seconds']:.2f} s = "
                f"{ours['per_s']:.0f}/s ({ours['replies_sent_meanwhile']} replies sent meanwhile)",
                flush=True,
            )
            await control.reset()
            framework = await run_ours(url, control, count, seed, "reply")
            print(
                f"ours:     {count} messages stored and dispatched (one reply row each) in "
                f"{framework['seconds']:.2f} s = {framework['per_s']:.0f}/s",
                flush=True,
            )
            await control.reset()
            stored = await run_ours_store_only(url, control, count, seed)
            print(
                f"ours:     {count} messages stored only (listener alone) in {stored['seconds']:.2f} s = "
                f"{stored['per_s']:.0f}/s",
                flush=True,
            )
            await control.reset()
            same = await run_vkbottle_same_work(url, control, count, seed)
            print(
                f"vkbottle: {count} messages handled doing the same work, one transaction each, in "
                f"{same['seconds']:.2f} s = {same['per_s']:.0f}/s",
                flush=True,
            )
            await control.reset()
            theirs = await run_vkbottle(url, control, count, seed)
            print(
                f"vkbottle: {count} messages handled (no-op, nothing stored) in {theirs['seconds']:.2f} s = "
                f"{theirs['per_s']:.0f}/s",
                flush=True,
            )
    ratio = ours["per_s"] / theirs["per_s"]
    framework_ratio = framework["per_s"] / theirs["per_s"]
    store_ratio = stored["per_s"] / theirs["per_s"]
    same_ratio = ours["per_s"] / same["per_s"]
    print(f"ratio, same work, ours / vkbottle (target >= 1.5):             {same_ratio:.3f}")
    print(f"ratio, store and dispatch, real pipeline / no-op (target >= 0.25): {ratio:.3f}")
    print(f"ratio, store and dispatch, one reply row each / no-op:     {framework_ratio:.3f}")
    print(f"ratio, store only / no-op (target >= 1.0):                  {store_ratio:.3f}")
    print("(timed until every event is stored and its outbox rows written; sending the replies is not")
    print(" timed: the outbox sender is bounded by VK's 20 requests/s, see bench/outbox.py)")
    return {
        "events": count,
        "ours_per_s": round(ours["per_s"], 1),
        "vkbottle_per_s": round(theirs["per_s"], 1),
        "ratio": round(ratio, 3),
        "handler": ours["handler"],
        "framework_per_s": round(framework["per_s"], 1),
        "framework_ratio": round(framework_ratio, 3),
        "store_only_per_s": round(stored["per_s"], 1),
        "store_only_ratio": round(store_ratio, 3),
        "same_work_vkbottle_per_s": round(same["per_s"], 1),
        "same_work_ratio": round(same_ratio, 3),
        **machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("vkbottle").setLevel(logging.ERROR)
    result = asyncio.run(main_async(args.count, args.seed))
    print(f"{result['date']}  {result['machine']}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
