"""Packs queued VK calls of one token into ``execute`` (up to 25 per request) and hands each caller its result.

How a queue behaves:

- A caller ``submit``s a call and awaits its future. One packer task per queue takes a rate-limiter
  slot, then takes what is waiting: one call goes out alone (no ``execute``, so low load adds no
  latency); two or more go out as one ``execute`` with ``return [API.m1({...}),API.m2({...})];``.
  Under load calls pile up while the packer waits for a slot, so batches fill up by themselves.
- ``execute`` answers ``{"response": [r1, false, ...], "execute_errors": [...]}``: each ``false``
  takes the next ``execute_errors`` entry and becomes that caller's typed ``VkApiError``.
- Failures go through the client's retry policy, per call: a retryable failure re-queues the call after
  its delay (a failed ``execute`` re-queues all its calls); an ``execute`` compile/runtime error (12/13)
  re-sends each call alone, so one odd parameter cannot poison the other 24; anything else fails.

Methods in ``UNBATCHABLE`` (uploads' save methods, long-poll server, ``execute`` itself) always go alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vkbot.api.errors import ExecuteError, VkApiError, VkError, error_from_payload
from vkbot.api.limiter import Limiter

log = logging.getLogger("vkbot.api.batching")

MAX_CALLS_PER_EXECUTE = 25
# VK documents no size limit for `code`; stay well below anything a proxy might reject (a guess).
MAX_CODE_CHARS = 60_000

# vk-api.md 1.3 (vk-io refuses these inside execute) and 4.x (long poll); execute cannot nest.
UNBATCHABLE: frozenset[str] = frozenset(
    {
        "execute",
        "groups.getLongPollServer",
        "photos.saveMessagesPhoto",
        "photos.saveWallPhoto",
        "photos.save",
        "photos.saveOwnerPhoto",
        "docs.save",
        "audio.save",
        "video.save",
        "messages.setChatPhoto",
    }
)


def can_batch(method: str) -> bool:
    """True when ``method`` may travel inside ``execute``."""
    return method not in UNBATCHABLE


def build_execute_code(calls: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """VKScript returning the list of results: ``return [API.a.b({...}),API.c.d({...})];``."""
    parts = [f"API.{method}({json.dumps(dict(params), ensure_ascii=False)})" for method, params in calls]
    return "return [" + ",".join(parts) + "];"


def split_execute_response(
    calls: Sequence[tuple[str, Mapping[str, Any]]], envelope: Mapping[str, Any]
) -> list[Any]:
    """One outcome per call: its result, or a ``VkApiError`` taken from ``execute_errors`` for each ``false``."""
    results = envelope.get("response")
    if not isinstance(results, list) or len(results) != len(calls):
        got = len(results) if isinstance(results, list) else type(results).__name__
        err = VkApiError(0, f"execute answered {got} results for {len(calls)} calls", "execute")
        return [err] * len(calls)
    errors = list(envelope.get("execute_errors") or [])
    outcomes: list[Any] = []
    for (method, params), result in zip(calls, results, strict=True):
        if result is False:
            item = (
                errors.pop(0) if errors else {"error_code": 0, "error_msg": "failed without an error entry"}
            )
            outcomes.append(error_from_payload(method, item if isinstance(item, dict) else {}, params))
        else:
            outcomes.append(result)
    return outcomes


@dataclass(eq=False)
class PendingCall:
    """One caller's call while it waits, travels and maybe retries."""

    method: str
    params: dict[str, Any]
    future: asyncio.Future[Any]
    direct: bool = False
    attempt: int = 0
    floods: int = 0
    refreshed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# Sends one HTTP request for this queue's token: (method, params) -> VK envelope; raises VkError.
Transport = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
# Decides what to do after a failure: seconds to wait before re-queueing, or None to give up.
RetryPolicy = Callable[[BaseException, PendingCall], Awaitable[float | None]]


class CallQueue:
    """The queue, the packer task and the in-flight requests of one token."""

    def __init__(
        self,
        name: str,
        *,
        limiter: Limiter,
        transport: Transport,
        retry_policy: RetryPolicy,
        batch_enabled: bool = True,
        spacing_s: float = 0.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.name = name
        self._spacing_s = spacing_s
        self._last_start = float("-inf")
        self._limiter = limiter
        self._transport = transport
        self._retry_policy = retry_policy
        self._batch_enabled = batch_enabled
        self._sleep = sleep
        self._queue: deque[PendingCall] = deque()
        self._wakeup = asyncio.Event()
        self._packer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._live: set[PendingCall] = set()
        self._closed = False
        # Counters for health and tests.
        self.requests_sent = 0
        self.executes_sent = 0

    async def submit(self, method: str, params: dict[str, Any], *, direct: bool = False) -> Any:
        """Queue one call and wait for its result (raises its typed error)."""
        if self._closed:
            raise VkError(f"{method}: the VK client is closed")
        loop = asyncio.get_running_loop()
        call = PendingCall(method, params, loop.create_future(), direct=direct or not can_batch(method))
        self._live.add(call)
        call.future.add_done_callback(lambda _f: self._live.discard(call))
        self._enqueue(call)
        return await call.future

    def _enqueue(self, call: PendingCall) -> None:
        if self._closed:
            if not call.future.done():
                call.future.set_exception(VkError(f"{call.method}: the VK client is closed"))
            return
        self._queue.append(call)
        self._wakeup.set()
        if self._packer is None or self._packer.done():
            self._packer = asyncio.get_running_loop().create_task(self._pack_loop(), name=f"vk-{self.name}")

    async def _pack_loop(self) -> None:
        while not self._closed:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            # Let callers scheduled in the same loop turn join this request.
            await asyncio.sleep(0)
            # Requests start at least ``spacing_s`` apart (the limit's own pace, window / limit): the
            # rolling window alone let 20 single calls go in the first 0.3 s of a second and made
            # everything after them wait up to 0.8 s (bench/intake.py); spaced, a call waits at most
            # one gap and then shares the request with whatever queued meanwhile. Real time, as the limiter.
            loop = asyncio.get_running_loop()
            while (gap := self._last_start + self._spacing_s - loop.time()) > 0:
                await asyncio.sleep(gap)
            await self._limiter.acquire()
            self._last_start = loop.time()
            batch = self._take_batch()
            if batch:
                self._spawn(self._send(batch))

    def _take_batch(self) -> list[PendingCall]:
        """The head call alone if it must go alone, else up to 25 batchable calls in queue order."""
        while self._queue and self._queue[0].future.done():  # cancelled by its caller
            self._queue.popleft()
        if not self._queue:
            return []
        head = self._queue[0]
        if head.direct or not self._batch_enabled:
            return [self._queue.popleft()]
        batch: list[PendingCall] = []
        kept: deque[PendingCall] = deque()
        size = 0
        while self._queue:
            call = self._queue.popleft()
            if call.future.done():
                continue
            if call.direct:
                kept.append(call)
                continue
            cost = len(call.method) + len(json.dumps(call.params, ensure_ascii=False)) + 8
            if len(batch) >= MAX_CALLS_PER_EXECUTE or (batch and size + cost > MAX_CODE_CHARS):
                kept.append(call)
                break
            batch.append(call)
            size += cost
        kept.extend(self._queue)
        self._queue = kept
        return batch

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, batch: list[PendingCall]) -> None:
        # The request really starts now, a loop turn after its release: the next one is spaced from here,
        # or a busy loop that started this one late would let the next follow it closer than the gap.
        self._last_start = asyncio.get_running_loop().time()
        if len(batch) == 1:
            call = batch[0]
            self.requests_sent += 1
            try:
                envelope = await self._transport(call.method, call.params)
            except VkError as exc:
                await self._failed(call, exc)
            else:
                _resolve(call, envelope.get("response"))
            return
        calls = [(c.method, c.params) for c in batch]
        self.requests_sent += 1
        self.executes_sent += 1
        try:
            envelope = await self._transport("execute", {"code": build_execute_code(calls)})
        except ExecuteError as exc:
            log.warning("execute failed to run (%s); sending its %d calls one by one", exc.code, len(batch))
            for call in batch:
                call.direct = True
                self._enqueue(call)
            return
        except VkError as exc:
            for call in batch:
                await self._failed(call, exc)
            return
        for call, outcome in zip(batch, split_execute_response(calls, envelope), strict=True):
            if isinstance(outcome, VkApiError):
                await self._failed(call, outcome)
            else:
                _resolve(call, outcome)

    async def _failed(self, call: PendingCall, exc: VkError) -> None:
        if call.future.done():
            return
        delay = await self._retry_policy(exc, call)
        if delay is None:
            call.future.set_exception(exc)
            return
        call.attempt += 1
        self._spawn(self._requeue_after(call, delay))

    async def _requeue_after(self, call: PendingCall, delay: float) -> None:
        if delay > 0:
            await self._sleep(delay)
        self._enqueue(call)

    def pending(self) -> int:
        """Calls waiting for a slot (not counting those in flight)."""
        return len(self._queue)

    async def aclose(self) -> None:
        """Stop the packer, cancel in-flight requests and fail every waiting caller."""
        self._closed = True
        tasks = [*self._tasks, *([self._packer] if self._packer else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._queue.clear()
        # Queued, in flight or waiting to retry: every caller still waiting hears that we stopped.
        for call in list(self._live):
            if not call.future.done():
                call.future.set_exception(VkError(f"{call.method}: the VK client is closed"))


def _resolve(call: PendingCall, result: Any) -> None:
    if not call.future.done():
        call.future.set_result(result)
