"""Benchmark of the founder's conversations page on a store of many relatives' messages.

Usage: ``.venv/bin/python bench/desk.py [--relatives 500] [--messages 20] [--repeat 5]``. A SQLite store
is filled with ``relatives`` x ``messages`` private messages (every tenth relative with an order, each
answered by the bot), then each read is timed (the median of ``repeat`` runs): the first page of threads,
the third page (keyset paging), a search by the name of whom a clip is about, a search by words of an
old message (the text scan's worst case, it reads up to 5,000 messages), and one thread. The baseline is
the old flat inbox (``recent_messages``, the 50 newest messages) measured in the same run; the ratios
say how many inbox loads each read costs. ``found`` counts what each read gave: the old words lie beyond
the text scan's 5,000 newest messages once the store holds more, and are then not found (its limit).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from sqlmodel import Session

from bench.common import machine
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.events_repo import EventRecord
from vkbot.core.store.models import StoredEvent
from vkbot.dashboard.inbox import recent_messages
from vkbot.dashboard.threads import thread_lines, threads
from waitlist.models import WlOrder

GROUP_ID = 1001
FIRST_PEER = 800_000


def _message(event_type: str, peer: int, from_id: int, cmid: int, text: str, at: int) -> dict[str, Any]:
    message = {
        "id": cmid,
        "date": at,
        "peer_id": peer,
        "from_id": from_id,
        "text": text,
        "conversation_message_id": cmid,
        "out": int(from_id < 0),
        "attachments": [],
        "fwd_messages": [],
    }
    obj = {"message": message, "client_info": {"keyboard": True}} if event_type == "message_new" else message
    return {
        "type": event_type,
        "object": obj,
        "group_id": GROUP_ID,
        "event_id": f"b-{peer}-{cmid}",
        "v": "5.199",
    }


def fill(engine: Any, relatives: int, messages: int) -> int:
    """Stored events for every relative, oldest first; returns how many."""
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for turn in range(messages):
        for r in range(relatives):
            peer, at = FIRST_PEER + r, start + (turn * relatives + r) * 60
            words = "старый сад у реки" if turn == 0 and r == 0 else f"сообщение {turn} про маму и фотографии"
            rows.append(
                EventRecord.parse(_message("message_new", peer, peer, 2 * turn + 1, words, at)).row(now)
            )
            reply = _message("message_reply", peer, -GROUP_ID, 2 * turn + 2, "Спасибо, мы сохранили.", at + 1)
            rows.append(EventRecord.parse(reply).row(now))
    with Session(engine) as session:
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(StoredEvent), rows[chunk : chunk + 5000])
        for r in range(0, relatives, 10):
            session.add(
                WlOrder(
                    number=r + 1,
                    peer_id=FIRST_PEER + r,
                    status="waiting",
                    subject_name=f"Анна Петровна {r}",
                    created_at=now,
                    updated_at=now,
                )
            )
        session.commit()
    return len(rows)


def timed(engine: Any, read: Callable[[Session], object], repeat: int) -> tuple[float, int]:
    """Median milliseconds of ``read`` on a fresh session, and how many rows (threads, lines) it gave."""
    times, found = [], 0
    for _ in range(repeat):
        with Session(engine) as session:
            began = time.perf_counter()
            result = read(session)
            times.append((time.perf_counter() - began) * 1000)
        rows = getattr(result, "rows", result)
        found = len(rows) if isinstance(rows, list) else 0
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relatives", type=int, default=500)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'desk.db'}")
        migrate(engine)
        stored = fill(engine, args.relatives, args.messages)
        with Session(engine) as session:
            third_page_before = threads(session, before=threads(session).older).older
        reads: dict[str, Callable[[Session], object]] = {
            "inbox_baseline": recent_messages,
            "threads_first_page": threads,
            "threads_third_page": lambda s: threads(s, before=third_page_before),
            "search_name": lambda s: threads(s, query="анна петровна 40"),
            "search_old_words": lambda s: threads(s, query="старый сад"),
            "one_thread": lambda s: thread_lines(s, FIRST_PEER + 7),
        }
        results = {name: timed(engine, read, args.repeat) for name, read in reads.items()}
        engine.dispose()
    ms = {name: value for name, (value, _) in results.items()}
    found = {name: count for name, (_, count) in results.items()}
    base = ms["inbox_baseline"]
    for name, value in ms.items():
        print(f"{name:22} {value:8.1f} ms  ({value / base:.2f} x the inbox)  {found[name]} found")
    print(
        json.dumps(
            {
                "relatives": args.relatives,
                "messages_per_relative": args.messages,
                "stored_events": stored,
                "ms": {k: round(v, 1) for k, v in ms.items()},
                "ratio_to_inbox": {k: round(v / base, 2) for k, v in ms.items()},
                "found": found,
                **machine(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
