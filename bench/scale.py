"""Several `vkbot run` processes on one PostgreSQL database: throughput against one process, and `kill -9` of one.

Usage: ``.venv/bin/python bench/scale.py --pg-url postgresql+psycopg://... [--processes 1,2,3] [--bulk 3000]
[--intakes 60] [--messages 300] [--seconds 20] [--seed 1]`` (``--pg-url`` defaults to ``VKBOT_TEST_PG_URL``;
a fresh database is made on that server per run and dropped after).

For each process count N:

- throughput: N processes (each the whole suite: listener, dispatcher, sender, jobs) start together on
  an empty database (their migrations take a lock), ``/sandbox/bulk`` injects ``--bulk`` seeded
  messages, and the clock stops when every ``message_new`` is stored and processed (as bench/ingest.py).
- dialogs under ``kill -9``: on a fresh database, relatives go through the intake dialog as in
  bench/intake.py (each waits for the answer before the next step) with other messages between; when
  N > 1, one process is killed with SIGKILL a third of the way through and not restarted.

Checked after each dialog run (a failed check is printed and makes the exit status 1):
every relative finished (order confirmed or on the sign-up list) and no message went unanswered;
VK answered error 6 zero times (the per-token limit is shared); within each peer, events were
processed in storage order; no two sent messages share a random_id (nothing sent twice); every
confirmed order is in the queue (none left in draft).

The last line is one JSON object: per N, ``bulk_per_s`` and its ratio to N=1, and the dialog checks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from bench.common import GROUP_ID, REPO, TOKEN, machine, sandbox_process
from bench.intake import OTHER_MESSAGES, Day, Observer
from vkbot.core.store.db import make_engine
from vkbot.core.store.models import StoredEvent
from vkbot.sandbox import SandboxControl


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    admin = make_engine(server_url)
    name = f"vkbot_scale_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def suite_env(sandbox_url: str, db_url: str, files: Path) -> dict[str, str]:
    return {
        **os.environ,
        "VKBOT_VK__API_BASE_URL": f"{sandbox_url}/method/",
        "VKBOT_VK__GROUP_ID": str(GROUP_ID),
        "VKBOT_VK__TOKEN": TOKEN,
        "VKBOT_VK__LONGPOLL_WAIT": "1",
        "VKBOT_STORAGE__DATABASE_URL": db_url,
        "VKBOT_STORAGE__FILES_DIR": str(files),
        "VKBOT_OUTBOX__IDLE_POLL_S": "0.05",
        # A killed process's claimed rows go to another sender after this (VK drops the repeat by random_id).
        "VKBOT_OUTBOX__LEASE_S": "3",
        "VKBOT_LOG__LEVEL": "WARNING",
    }


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "vkbot.cli", "run"], cwd=REPO, env=env, stdout=out, stderr=out
        )


@contextlib.asynccontextmanager
async def processes(
    count: int, env: dict[str, str], log: Path
) -> AsyncIterator[list[subprocess.Popen[bytes]]]:
    procs = [_start(env, log) for _ in range(count)]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(asyncio.to_thread(proc.wait), 20)
            except TimeoutError:
                proc.kill()
                proc.wait()


def _count(engine: Engine, *, processed: bool) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(StoredEvent).where(StoredEvent.type == "message_new")
        if processed:
            query = query.where(StoredEvent.processed_at.is_not(None))  # type: ignore[union-attr]
        return int(session.scalar(query) or 0)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def _listening(
    control: SandboxControl, count: int, procs: list[subprocess.Popen[bytes]], log: Path
) -> None:
    """Until ``count`` listeners are connected (a process starting under load may take a minute)."""
    deadline = time.monotonic() + 300
    while (await control.calls())["methods"].get("groups.getLongPollServer", 0) < count:
        exited = [p.returncode for p in procs if p.poll() is not None]
        if exited or time.monotonic() > deadline:
            raise RuntimeError(f"listeners not connected (exit codes {exited}):\n{_tail(log)}")
        await asyncio.sleep(0.1)


async def run_bulk(url: str, control: SandboxControl, server: str, n: int, count: int, seed: int) -> float:
    await control.reset()
    with fresh_database(server) as db, tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "suite.log"
        async with processes(n, suite_env(url, db, Path(tmp) / "files"), log) as procs:
            await _listening(control, n, procs, log)
            engine = make_engine(db)
            await control.bulk(count, seed)
            started = time.perf_counter()
            while await asyncio.to_thread(_count, engine, processed=True) < count:
                if any(p.poll() is not None for p in procs):
                    raise RuntimeError(f"a process exited:\n{_tail(log)}")
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - started
            engine.dispose()
    return count / elapsed


def order_checks(engine: Engine) -> dict[str, Any]:
    """Per peer, storage order = processing order; confirmed orders all in the queue; what was placed."""
    with Session(engine) as session:
        rows = session.execute(
            select(StoredEvent.peer_id, StoredEvent.id, StoredEvent.processed_at)
            .where(StoredEvent.peer_id.is_not(None))  # type: ignore[union-attr]
            .order_by(StoredEvent.peer_id, StoredEvent.id)  # type: ignore[arg-type]
        ).all()
        statuses = dict(
            session.execute(text("SELECT status, count(*) FROM wl_order GROUP BY status")).all()  # type: ignore[arg-type]
        )
    out_of_order = unprocessed = 0
    last: dict[int, Any] = {}
    for peer, _event_id, processed_at in rows:
        if processed_at is None:
            unprocessed += 1
            continue
        if peer in last and processed_at < last[peer]:
            out_of_order += 1
        last[peer] = processed_at
    return {"peers_out_of_order": out_of_order, "unprocessed": unprocessed, "orders_by_status": statuses}


async def run_dialogs(
    url: str, http: aiohttp.ClientSession, server: str, n: int, args: argparse.Namespace
) -> dict[str, Any]:
    control = SandboxControl(http, url)
    await control.reset()
    rng = random.Random(args.seed)
    with fresh_database(server) as db, tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "suite.log"
        async with processes(n, suite_env(url, db, Path(tmp) / "files"), log) as procs:
            observer = Observer(http, url)
            stop = asyncio.Event()
            watcher = asyncio.create_task(observer.run(stop))
            await _listening(control, n + 1, procs, log)
            day = Day(control, observer, rng)
            people = [day.relative(100_000 + i, rng.uniform(0, args.seconds)) for i in range(args.intakes)]
            weights = [w for w, _, _ in OTHER_MESSAGES]
            for i in range(args.messages):
                _, words, answered = rng.choices(OTHER_MESSAGES, weights)[0]
                people.append(day.other(300_000 + i, rng.uniform(0, args.seconds), words, answered))

            async def kill_one() -> None:
                await asyncio.sleep(args.seconds / 3)
                procs[0].kill()  # SIGKILL: its open transactions roll back, its locks go with its connections

            killer = asyncio.create_task(kill_one()) if n > 1 else None
            await asyncio.gather(*people)
            if killer:
                await killer
            await asyncio.sleep(4)  # past the outbox lease: a row sent twice would show now
            stop.set()
            await watcher
            engine = make_engine(db)
            checks = order_checks(engine)
            engine.dispose()
    calls = await control.calls()
    sent = await control.sent()
    random_ids = [m.get("random_id") for m in sent if m.get("random_id")]
    return {
        "processes": n,
        "killed": 1 if n > 1 else 0,
        "relatives": args.intakes,
        "finished": len(day.finished),
        "orders_placed": day.placed,
        "signups_listed": day.listed,
        "answered": len(day.latencies_ms),
        "unanswered": day.unanswered,
        "error_6": int(calls["errors"].get("6", 0)),
        "sent_twice": len(random_ids) - len(set(random_ids)),
        **checks,
    }


def failed_checks(result: dict[str, Any]) -> list[str]:
    problems = []
    if result["finished"] != result["relatives"] or result["unanswered"]:
        problems.append("a dialog did not finish or a message went unanswered")
    for key in ("error_6", "sent_twice", "peers_out_of_order", "unprocessed"):
        if result[key]:
            problems.append(f"{key} = {result[key]}")
    if result["orders_by_status"].get("waiting", 0) != result["orders_placed"]:
        problems.append(
            f"confirmed {result['orders_placed']} but the queue holds {result['orders_by_status']}"
        )
    return problems


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    counts = [int(n) for n in args.processes.split(",")]
    bulk: dict[int, float] = {}
    dialogs: dict[int, dict[str, Any]] = {}
    with sandbox_process(seed=args.seed) as url:
        async with aiohttp.ClientSession() as http:
            control = SandboxControl(http, url)
            for n in counts:
                bulk[n] = await run_bulk(url, control, args.pg_url, n, args.bulk, args.seed)
                print(
                    f"{n} process(es): {args.bulk} messages stored and dispatched at {bulk[n]:.0f}/s",
                    flush=True,
                )
                dialogs[n] = await run_dialogs(url, http, args.pg_url, n, args)
                problems = failed_checks(dialogs[n])
                print(
                    f"{n} process(es), {dialogs[n]['killed']} killed: {dialogs[n]['finished']}/{args.intakes} "
                    f"dialogs finished ({dialogs[n]['orders_placed']} orders, {dialogs[n]['signups_listed']} "
                    f"listed), error 6: {dialogs[n]['error_6']}, out of order: {dialogs[n]['peers_out_of_order']}"
                    + (f"; FAILED: {'; '.join(problems)}" if problems else "; all checks passed"),
                    flush=True,
                )
    base = bulk[counts[0]]
    return {
        "bulk_messages": args.bulk,
        "bulk_per_s": {str(n): round(v, 1) for n, v in bulk.items()},
        "bulk_ratio_to_first": {str(n): round(v / base, 3) for n, v in bulk.items()},
        "dialogs": {str(n): d for n, d in dialogs.items()},
        "all_checks_passed": not any(failed_checks(d) for d in dialogs.values()),
        **machine(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("VKBOT_TEST_PG_URL"))
    parser.add_argument("--processes", default="1,2,3")
    parser.add_argument("--bulk", type=int, default=3000)
    parser.add_argument("--intakes", type=int, default=60)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not args.pg_url:
        parser.error("--pg-url (or VKBOT_TEST_PG_URL) is required")
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main_async(args))
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0 if result["all_checks_passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
