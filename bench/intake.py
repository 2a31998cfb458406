"""Benchmark of a simulated day of intake: N relatives through the dialog and M other messages, compressed in time.

Usage: ``.venv/bin/python bench/intake.py [--intakes 500] [--messages 5000] [--seconds 120] [--seed 1]``.

Three processes, as in production where relatives are on their phones: the sandbox; the whole suite
(listener -> SQLite in a temp dir -> pipeline with moderation and the waitlist -> outbox -> sandbox),
here, with the default waitlist settings, so most of a day's 500 requests go on the sign-up list once
the queue holds 30, as on a real day; and the simulated relatives with their observer (this script
with ``--relatives-of URL``), so their work does not share the suite's event loop and GIL.

- Relatives start at seeded random moments within ``--seconds``. Each behaves like a person on a phone:
  reads the bot's answer, taps an offered button (the payload VK would deliver), types the name, the
  relation and a story, sends a photo, and waits for the answer before the next step.
- Other messages arrive at random moments within the same span: status questions and thanks from
  relatives who finished, price and help questions from strangers, and abuse (which the suite hides and
  does not answer: not counted in latency).
- Latency: from the moment the message was injected into the sandbox (its POST answered) to the moment
  the bot's first answer to that person appeared in the sandbox's own event stream (an observer reads
  the community's long poll, where VK-like ``message_reply`` events carry every message the bot sent).
- ``per_s``: answered messages per second, from the first injection to the last answer.
- Where the time went (``stage_*``, p50/p99 of each stage over the answered messages, and ``tail_mean_ms``:
  each stage's mean over the slowest 1%): ``poll`` injected -> the listener has it; ``store`` -> its
  event committed; ``batch_wait`` -> the dispatcher's batch holding it began; ``in_batch`` -> its handler
  began; ``handle`` the handler; ``to_sender`` -> the sender hands its first reply to the VK client;
  ``vk_call`` -> VK answered (pacing, ``execute``); ``echo`` -> the observer saw the reply. Stamps from
  wrappers around the store, the handler and the client (wall clock, shared by the processes).

The last line is one JSON object: ``{"intakes", "messages", "per_s", "p50_ms", "p99_ms", ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.common import GROUP_ID, TOKEN, machine, sandbox_process, suite_config
from vkbot.app import open_app
from vkbot.sandbox import SandboxControl

QUIET_S = 0.25  # no further answer for this long: the bot has said all it will say to that message
REPLY_TIMEOUT_S = 60.0

OTHER_MESSAGES = [  # (weight, words, needs an answer)
    (40, "статус", True),
    (15, "Спасибо вам большое, жду с нетерпением", True),
    (15, "Сколько стоит ролик?", True),
    (10, "помощь", True),
    (10, "Ты тупая с у к а, наживаешься на чужом горе", False),
    (10, "Здравствуйте, а можно узнать, когда будет готово?", True),
]
NAMES = ["Анна Петровна", "Николай Иванович", "Мария Степановна", "Олег", "Людмила Васильевна"]
RELATIONS = ["мама", "сын", "дочь", "муж", "бабушка"]
STORIES = [
    "Он очень любил море и своих дочек. Всегда улыбался, даже когда было трудно.",
    "Мама всю жизнь проработала в школе, её помнят сотни учеников.",
    "Папа был шофёром, пел нам песни в дороге.",
]


def photo_bytes(seed: int) -> bytes:
    from waitlist.testing import make_photo

    return make_photo(side=480, seed=seed)


@dataclass
class Observer:
    """Reads the community's long poll (its own key) and hands each bot message to the person it went to."""

    http: aiohttp.ClientSession
    url: str
    inboxes: dict[int, asyncio.Queue[tuple[float, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(asyncio.Queue)
    )

    async def run(self, stop: asyncio.Event) -> None:
        server = await self._call("groups.getLongPollServer", group_id=GROUP_ID)
        key, ts = server["key"], server["ts"]
        while not stop.is_set():
            params = {"act": "a_check", "key": key, "ts": ts, "wait": "1"}
            async with self.http.get(server["server"], params=params) as resp:
                body = await resp.json(content_type=None)
            if "failed" in body:
                fresh = await self._call("groups.getLongPollServer", group_id=GROUP_ID)
                key, ts = fresh["key"], body.get("ts", fresh["ts"])
                continue
            now = time.perf_counter()
            ts = body["ts"]
            for update in body.get("updates", []):
                if update.get("type") != "message_reply":
                    continue
                message = update["object"].get("message", update["object"])
                if message.get("admin_author_id"):
                    continue
                self.inboxes[int(message["peer_id"])].put_nowait((now, message))

    async def _call(self, method: str, **params: Any) -> Any:
        data = {**{k: str(v) for k, v in params.items()}, "access_token": TOKEN, "v": "5.199"}
        async with self.http.post(f"{self.url}/method/{method}", data=data) as resp:
            return (await resp.json())["response"]


def offered(message: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    raw = message.get("keyboard")
    if not raw:
        return {}
    data = json.loads(raw) if isinstance(raw, str) else raw
    found = {}
    for row in data.get("buttons", []):
        for button in row:
            action = button.get("action", {})
            payload = json.loads(action.get("payload") or "{}")
            if isinstance(payload.get("a"), str):
                found[payload["a"]] = (action.get("label", ""), payload)
    return found


@dataclass
class Day:
    control: SandboxControl
    observer: Observer
    rng: random.Random
    latencies_ms: list[float] = field(default_factory=list)
    unanswered: int = 0
    hidden_sent: int = 0
    finished: list[int] = field(default_factory=list)
    placed: int = 0
    listed: int = 0
    first_sent: float | None = None
    locks: dict[int, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))
    last_answer: float = 0.0
    turns: list[tuple[int, float, float | None]] = field(default_factory=list)  # user, wall: sent, answered

    async def turn(
        self, user: int, text: str = "", *, payload: Any = None, photo: bytes | None = None
    ) -> list[dict[str, Any]]:
        """Send one message and wait for the whole answer; records the latency of its first part."""
        async with self.locks[user]:  # a person writes one message at a time and reads the answer
            return await self._turn(user, text, payload=payload, photo=photo)

    async def _turn(self, user: int, text: str, *, payload: Any, photo: bytes | None) -> list[dict[str, Any]]:
        inbox = self.observer.inboxes[user]
        while not inbox.empty():  # anything left over belongs to an earlier turn
            inbox.get_nowait()
        attachments = [SandboxControl.attachment("photo", "photo.jpg", photo)] if photo else None
        await self.control.inject_message(user, text, attachments=attachments, payload=payload)
        sent_at, sent_wall = time.perf_counter(), time.time()
        self.first_sent = self.first_sent or sent_at
        try:
            at, first = await asyncio.wait_for(inbox.get(), REPLY_TIMEOUT_S)
        except TimeoutError:
            self.unanswered += 1
            self.turns.append((user, sent_wall, None))
            return []
        self.latencies_ms.append(max(0.0, at - sent_at) * 1000)
        self.turns.append((user, sent_wall, sent_wall + (at - sent_at)))
        answers = [first]
        while True:
            try:
                at, more = await asyncio.wait_for(inbox.get(), QUIET_S)
            except TimeoutError:
                break
            answers.append(more)
        self.last_answer = max(self.last_answer, at)
        return answers

    async def relative(self, user: int, start_at: float) -> None:
        await asyncio.sleep(start_at)
        rng = self.rng
        answers = await self.turn(user, "Здравствуйте, у нас горе. Можно ли заказать памятный ролик?")
        typed: list[str] = []
        done_questions = 0
        notified = False
        for _ in range(30):  # a dialog longer than this is a bug the numbers would show
            buttons = {}
            for message in reversed(answers):
                buttons = offered(message)
                if buttons:
                    break
            text = (answers[-1]["text"] if answers else "").lower()
            if not answers:
                return
            if "agree" in buttons:
                answers = await self._tap(user, buttons, "agree")
            elif "confirm" in buttons:
                answers = await self._tap(user, buttons, "confirm")
                self.placed += 1
                break
            elif "publish_yes" in buttons:
                answers = await self._tap(user, buttons, rng.choice(["publish_yes", "publish_no"]))
            elif "yes" in buttons:
                notified = True
                answers = await self._tap(user, buttons, "yes")
            elif "here" in buttons:
                answers = await self._tap(user, buttons, "here")
            elif "wish:wings" in buttons:
                answers = await self._tap(user, buttons, "done")
            elif "done" in buttons:
                done_questions += 1
                if done_questions == 1 and "фото" in text:
                    await self.turn(user, photo=photo_bytes(user))
                else:
                    await self.turn(user, rng.choice(STORIES))
                answers = await self._tap(user, buttons, "done")
            elif notified:
                self.listed += 1  # the sign-up list: only a way to reach them, then their place
                break
            elif len(typed) < 2:
                typed.append(rng.choice(NAMES) if not typed else rng.choice(RELATIONS))
                answers = await self.turn(user, typed[-1])
            else:
                break
        self.finished.append(user)

    async def _tap(
        self, user: int, buttons: dict[str, tuple[str, dict[str, Any]]], answer: str
    ) -> list[dict[str, Any]]:
        label, payload = buttons[answer]
        return await self.turn(user, label, payload=payload)

    async def other(self, user: int, start_at: float, words: str, answered: bool) -> None:
        await asyncio.sleep(start_at)
        if self.finished and user < 0:
            user = self.rng.choice(self.finished)
        user = abs(user)
        if answered:
            await self.turn(user, words)
        else:
            self.hidden_sent += 1
            await self.control.inject_message(user, words)


def _percentiles(ordered: list[float]) -> tuple[float, float]:
    ordered = sorted(ordered) or [0.0]
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return round(statistics.median(ordered), 1), round(p99, 1)


@dataclass
class Stamps:
    """Wall-clock moments of each message inside the suite, taken by thin wrappers (``instrument``)."""

    stored: dict[str, float] = field(default_factory=dict)  # VK event_id -> its store committed
    batch: dict[int, float] = field(default_factory=dict)  # stored id -> the batch handling it began
    handled: dict[int, tuple[float, float]] = field(default_factory=dict)  # stored id -> handler ran
    called: dict[int, float] = field(default_factory=dict)  # random_id -> handed to the VK client


class TimedHandler:
    """The app's event handler, stamping when each batch and each event's handling began and ended."""

    def __init__(self, inner: Any, stamps: Stamps) -> None:
        self.inner, self.stamps = inner, stamps

    def prepare(self, session: Any, events: list[Any]) -> None:
        now = time.time()
        self.stamps.batch.update((event.id, now) for event in events)
        self.inner.prepare(session, events)

    def handle(self, session: Any, event: Any) -> Any:
        began = time.time()
        try:
            return self.inner.handle(session, event)
        finally:
            self.stamps.handled[event.id] = (began, time.time())

    def __getattr__(self, name: str) -> Any:  # give_up, slow, fetch_ahead
        return getattr(self.inner, name)


class TimedClient:
    """The sender's VK client, stamping when each ``messages.send`` is handed to it."""

    def __init__(self, inner: Any, stamps: Stamps) -> None:
        self.inner, self.stamps = inner, stamps

    async def call(self, method: str, params: Any = None, *, batch: bool = True) -> Any:
        if method == "messages.send" and params:
            self.stamps.called[int(params["random_id"])] = time.time()
        return await self.inner.call(method, params, batch=batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def instrument(app: Any, stamps: Stamps) -> None:
    store_sync = app.store.store_sync

    def timed_store(records: Any, ts: Any) -> int:
        records = list(records)
        inserted = store_sync(records, ts)
        now = time.time()
        stamps.stored.update((r.event.event_id, now) for r in records if r.event.event_id)
        return int(inserted)

    app.store.store_sync = timed_store
    app.dispatcher.handler = TimedHandler(app.dispatcher.handler, stamps)
    app.sender.client = TimedClient(app.sender.client, stamps)


STAGES = ("poll", "store", "batch_wait", "in_batch", "handle", "to_sender", "vk_call", "echo")


def _wall(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _has_photo(raw: Any) -> bool:
    message = raw.get("object", {}).get("message", {}) if isinstance(raw, dict) else {}
    return any(a.get("type") == "photo" for a in message.get("attachments") or [])


def where_time_went(engine: Any, stamps: Stamps, turns: list[list[Any]]) -> dict[str, Any]:
    """Each answered message's path, stage by stage (``STAGES``), joined by peer and order."""
    from sqlmodel import Session, col, select

    from vkbot.core.store.models import OutboxRow, StoredEvent

    with Session(engine) as session:
        events = session.exec(
            select(
                StoredEvent.id,
                StoredEvent.event_id,
                StoredEvent.peer_id,
                StoredEvent.received_at,
                StoredEvent.raw,
            )
            .where(StoredEvent.type == "message_new")
            .order_by(col(StoredEvent.id))
        ).all()
        sends = session.exec(
            select(OutboxRow.key, OutboxRow.random_id, OutboxRow.done_at)
            .where(OutboxRow.method == "messages.send")
            .order_by(col(OutboxRow.id))
        ).all()
    first_reply: dict[int, tuple[int | None, float | None]] = {}
    for key, random_id, done_at in sends:
        event_id = int(key.split(":")[1]) if key.startswith("evt:") else None
        if event_id is not None and event_id not in first_reply:
            first_reply[event_id] = (random_id, _wall(done_at))
    by_peer: dict[int, list[Any]] = defaultdict(list)
    for event in events:
        by_peer[event.peer_id].append(event)
    mine: dict[int, list[list[Any]]] = defaultdict(list)
    for turn in sorted(turns, key=lambda t: t[1]):
        mine[turn[0]].append(turn)
    paths: list[list[float]] = []
    photos: set[int] = set()  # indexes into paths of messages with a photo (checked before the reply)
    for user, user_turns in mine.items():
        if len(user_turns) != len(by_peer.get(user, [])):
            continue  # cannot pair them up (should not happen: one message per turn)
        for (_, sent, answered), event in zip(user_turns, by_peer[user], strict=True):
            random_id, done = first_reply.get(event.id, (None, None))
            handled = stamps.handled.get(event.id)
            moments = [
                sent,
                _wall(event.received_at),
                stamps.stored.get(event.event_id),
                stamps.batch.get(event.id),
                *(handled or (None, None)),
                stamps.called.get(random_id) if random_id is not None else None,
                done,
                answered,
            ]
            known = [m for m in moments if m is not None]
            if len(known) == len(moments):
                if _has_photo(event.raw):
                    photos.add(len(paths))
                paths.append([(b - a) * 1000 for a, b in itertools.pairwise(known)])
    order = sorted(range(len(paths)), key=lambda i: sum(paths[i]))
    tail_at = order[-max(1, len(paths) // 100) :] if paths else []
    paths = [paths[i] for i in order]
    tail = paths[-len(tail_at) :] if paths else []
    result: dict[str, Any] = {"paths": len(paths), "photos": len(photos)}
    # The slowest 1%: how many carried a photo (downloaded and checked before the reply, by design),
    # and the p99 of the messages without one.
    result["tail_photos"] = sum(1 for i in tail_at if i in photos)
    result["p99_ms_without_photos"] = _percentiles(
        [sum(paths[j]) for j, i in enumerate(order) if i not in photos]
    )[1]
    for i, stage in enumerate(STAGES):
        p50, p99 = _percentiles([path[i] for path in paths])
        result[f"stage_{stage}_p50_ms"], result[f"stage_{stage}_p99_ms"] = p50, p99
    result["tail_mean_ms"] = {
        stage: round(statistics.fmean(path[i] for path in tail), 1) if tail else 0.0
        for i, stage in enumerate(STAGES)
    }
    return result


async def relatives(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """The simulated day (its own process): relatives and other writers, and the observer of replies."""
    rng = random.Random(args.seed)
    async with aiohttp.ClientSession() as http:
        control = SandboxControl(http, url)
        observer = Observer(http, url)
        stop = asyncio.Event()
        watching = asyncio.create_task(observer.run(stop))
        await control.wait_for_call("groups.getLongPollServer", count=2)  # the suite's listener and ours
        day = Day(control, observer, rng)
        people = [day.relative(100_000 + i, rng.uniform(0, args.seconds)) for i in range(args.intakes)]
        weights = [w for w, _, _ in OTHER_MESSAGES]
        for i in range(args.messages):
            _, words, answered = rng.choices(OTHER_MESSAGES, weights)[0]
            # Negative ids: "a relative who finished, if any by then"; strangers and trolls are new.
            who = (
                -(200_000 + i)
                if words in ("статус", OTHER_MESSAGES[1][1], OTHER_MESSAGES[5][1])
                else 300_000 + i
            )
            people.append(day.other(who, rng.uniform(0, args.seconds), words, answered))
        started = time.perf_counter()
        await asyncio.gather(*people)
        stop.set()
        await asyncio.gather(watching, return_exceptions=True)
    elapsed = max(day.last_answer - (day.first_sent or started), 1e-9)
    p50, p99 = _percentiles(day.latencies_ms)
    return {
        "per_s": round(len(day.latencies_ms) / elapsed, 1),
        "p50_ms": p50,
        "p99_ms": p99,
        "answered": len(day.latencies_ms),
        "unanswered": day.unanswered,
        "abuse_unanswered_by_design": day.hidden_sent,
        "orders_placed": day.placed,
        "signups_listed": day.listed,
        "span_s": round(elapsed, 1),
        "turns": day.turns,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    stamps = Stamps()
    load_start = os.getloadavg()[0]
    with sandbox_process(rate_per_s=20, seed=args.seed) as url, tempfile.TemporaryDirectory() as tmp:
        # The sender's idle poll as in production (0.5 s; the shared bench config's 0.05 s made it claim
        # 20 times a second with nothing to do): new replies wake it.
        config = suite_config(
            url, f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp) / "files", VKBOT_OUTBOX__IDLE_POLL_S="0.5"
        )
        async with aiohttp.ClientSession() as http, open_app(config) as app:
            instrument(app, stamps)
            stop = asyncio.Event()
            suite = asyncio.create_task(app.run(stop))
            await SandboxControl(http, url).wait_for_call("groups.getLongPollServer")
            day = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--relatives-of",
                url,
                *("--intakes", str(args.intakes), "--messages", str(args.messages)),
                *("--seconds", str(args.seconds), "--seed", str(args.seed)),
                stdout=asyncio.subprocess.PIPE,
            )
            cpu_start = resource.getrusage(resource.RUSAGE_SELF)
            out, _ = await day.communicate()
            cpu_end = resource.getrusage(resource.RUSAGE_SELF)
            stop.set()
            await asyncio.gather(suite, return_exceptions=True)
            if day.returncode != 0:
                raise RuntimeError(f"the relatives' process failed ({day.returncode})")
            result = json.loads(out.decode().strip().splitlines()[-1])
            turns = result.pop("turns")
            stages = where_time_went(app.engine, stamps, turns)
    # The suite's own CPU over the day (this process; the sandbox and the relatives are children):
    # what a message costs, less sensitive than the latency to what else the machine runs.
    cpu_s = sum(getattr(cpu_end, f) - getattr(cpu_start, f) for f in ("ru_utime", "ru_stime"))
    return {
        "intakes": args.intakes,
        "messages": args.messages,
        **result,
        "suite_cpu_ms_per_msg": round(1000 * cpu_s / max(1, result["answered"]), 2),
        "loadavg_1m_start_end": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        **stages,
        **machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=500)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument(
        "--seconds", type=float, default=120.0, help="the day compressed into this many seconds"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--relatives-of", metavar="URL", help=argparse.SUPPRESS)  # the relatives' process
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.relatives_of:
        print(json.dumps(asyncio.run(relatives(args.relatives_of, args))))
        return
    result = asyncio.run(run(args))
    print(
        f"{result['answered']} answered messages in {result['span_s']} s: {result['per_s']}/s, "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; {result['unanswered']} unanswered; "
        f"{result['orders_placed']} orders, {result['signups_listed']} on the sign-up list; "
        f"suite CPU {result['suite_cpu_ms_per_msg']} ms/msg, load {result['loadavg_1m_start_end']}; "
        f"slowest 1%: {result['tail_photos']} of {max(1, result['paths'] // 100)} with a photo "
        f"({result['photos']} photos in all); p99 without them {result['p99_ms_without_photos']} ms"
    )
    for stage in STAGES:
        print(
            f"  {stage:>10}: p50 {result[f'stage_{stage}_p50_ms']:7.1f} ms, "
            f"p99 {result[f'stage_{stage}_p99_ms']:7.1f} ms, slowest 1% mean {result['tail_mean_ms'][stage]:7.1f} ms"
        )
    print(json.dumps({k: result[k] for k in ("intakes", "messages", "per_s", "p50_ms", "p99_ms")} | result))


if __name__ == "__main__":
    main()
