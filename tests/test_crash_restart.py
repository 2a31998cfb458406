"""``kill -9`` of the running suite at random moments during 1,000 messages: each stored once, answered once.

The suite runs as a real process, ``python -m tests.echo_app --production`` (``vkbot run`` with the
production pipeline, moderation and the intake dialog, and a short outbox lease; see that module), and
is killed with SIGKILL several times while the messages stream in, then restarted each time. Nothing of
the process survives a kill but its database. Each reply is traced back to the message it answers
through its outbox row (issue 12: an echo handler hid messages the dialog never answered).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from tests.app_helpers import answered_messages, eventually, sandbox_environment
from vkbot.core.store.db import make_engine
from vkbot.core.store.models import StoredEvent

MESSAGES = 1000  # through the production pipeline: 2,000 took 193 s on the loaded machine (echo: 69 s)
WRITERS = 50
KILLS = 10
ROOT = Path(__file__).resolve().parent.parent


def _env(sandbox_url: str, db_url: str, files: Path) -> dict[str, str]:
    return {**os.environ, **sandbox_environment(sandbox_url, db_url, files, log={"level": "WARNING"})}


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.echo_app", "--production", "--lease-s", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def test_kill_9_at_random_moments_loses_and_doubles_nothing(sandbox, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'suite.db'}"
    env, log = _env(sandbox.url, db_url, tmp_path / "files"), tmp_path / "suite.log"
    pick = random.Random(20261125)
    proc = _start(env, log)
    # Only a connected listener sees what is written from now on (a first start takes the server's ts).
    await sandbox.wait_for_call("groups.getLongPollServer", timeout_s=30)

    async def stream() -> None:
        for i in range(MESSAGES):
            await sandbox.inject_message(from_id=800 + i % WRITERS, text=f"c{i}")
            if i % 50 == 49:
                await asyncio.sleep(0.3)  # a stream over several seconds, not one burst

    writer = asyncio.create_task(stream())
    kills = 0
    try:
        while kills < KILLS and not writer.done():  # every kill lands while messages are arriving
            await asyncio.sleep(pick.uniform(0.3, 1.5))
            proc.kill()  # SIGKILL: no cleanup of any kind
            await asyncio.to_thread(proc.wait)
            kills += 1
            proc = _start(env, log)
        await writer

        async def all_answered() -> bool:
            """a reply to each of the 1,000 messages in /sandbox/sent"""
            return len(await sandbox.sent()) >= MESSAGES

        await eventually(all_answered, timeout=300, every=0.5)  # guards only against a hang
        await asyncio.sleep(2.5)  # past the outbox lease: a row sent twice would show now
    finally:
        writer.cancel()
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.to_thread(proc.wait), 20)
        except TimeoutError:
            proc.kill()
    assert kills >= 4
    sent = await sandbox.sent()
    engine = make_engine(db_url)
    answered = answered_messages(engine, sent)
    assert Counter(words for _, words in answered) == Counter(f"c{i}" for i in range(MESSAGES)), (
        log.read_text()[-3000:]
    )
    assert len({m["random_id"] for m in sent}) == len(sent)
    for writer in range(WRITERS):  # each writer's replies in the order of their messages
        replies = [words for peer, words in answered if peer == 800 + writer]
        assert replies == [f"c{i}" for i in range(writer, MESSAGES, WRITERS)], f"writer {writer}"
    with Session(engine) as session:
        stored = session.scalars(select(StoredEvent).where(StoredEvent.type == "message_new")).all()
    engine.dispose()
    assert Counter(e.raw["object"]["message"]["text"] for e in stored) == Counter(
        f"c{i}" for i in range(MESSAGES)
    )
    assert all(e.processed_at is not None for e in stored)
    print(
        f"kills={kills} deduplicated={(await sandbox.calls())['deduplicated']} "
        f"from_history={sum(e.source == 'history' for e in stored)}"
    )
