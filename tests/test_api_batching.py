"""Packing calls into execute, mapping execute's answer back to each call, spacing requests (no network)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from vkbot.api.batching import CallQueue, PendingCall, build_execute_code, can_batch, split_execute_response
from vkbot.api.errors import CannotMessageUser, VkApiError
from vkbot.api.limiter import RollingWindowLimiter


def test_execute_code_is_a_list_of_api_calls_with_json_params() -> None:
    code = build_execute_code(
        [("messages.send", {"peer_id": 5, "random_id": 77, "message": 'Он "любил" море'}), ("users.get", {})]
    )
    assert code.startswith("return [API.messages.send(") and code.endswith("),API.users.get({})];")
    inner = code[len("return [API.messages.send(") : code.index("),API.users.get")]
    assert json.loads(inner) == {"peer_id": 5, "random_id": 77, "message": 'Он "любил" море'}


def test_false_items_take_execute_errors_in_order() -> None:
    calls = [
        ("messages.send", {"peer_id": 1}),
        ("messages.send", {"peer_id": 2}),
        ("messages.send", {"peer_id": 3}),
    ]
    envelope = {
        "response": [101, False, False],
        "execute_errors": [
            {"method": "messages.send", "error_code": 901, "error_msg": "no permission"},
            {"method": "messages.send", "error_code": 10, "error_msg": "internal"},
        ],
    }
    first, second, third = split_execute_response(calls, envelope)
    assert first == 101
    assert isinstance(second, CannotMessageUser) and second.params == {"peer_id": 2}
    assert isinstance(third, VkApiError) and third.code == 10 and third.params == {"peer_id": 3}


def test_a_short_answer_fails_every_call_instead_of_misattributing_results() -> None:
    calls = [("a.b", {}), ("c.d", {})]
    outcomes = split_execute_response(calls, {"response": [1]})
    assert all(isinstance(o, VkApiError) for o in outcomes)


def test_save_and_longpoll_methods_are_never_batched() -> None:
    for method in (
        "execute",
        "groups.getLongPollServer",
        "photos.saveMessagesPhoto",
        "docs.save",
        "video.save",
    ):
        assert not can_batch(method)
    assert can_batch("messages.send")


async def test_requests_start_a_spacing_apart_and_calls_queued_meanwhile_share_one_execute() -> None:
    starts: list[tuple[float, str]] = []

    async def transport(method: str, params: dict[str, Any]) -> dict[str, Any]:
        starts.append((asyncio.get_running_loop().time(), method))
        if method == "execute":
            return {"response": [1] * params["code"].count("API.")}
        return {"response": 1}

    async def never_retry(exc: BaseException, call: PendingCall) -> float | None:
        return None

    queue = CallQueue(
        "t", limiter=RollingWindowLimiter(20), transport=transport, retry_policy=never_retry, spacing_s=0.2
    )
    try:
        assert await queue.submit("users.get", {}) == 1  # alone: nothing to wait for
        # Two more at once, right after it: they wait for the gap, then travel together.
        assert await asyncio.gather(queue.submit("users.get", {}), queue.submit("groups.getById", {})) == [
            1,
            1,
        ]
    finally:
        await queue.aclose()
    assert [method for _, method in starts] == ["users.get", "execute"]
    assert starts[1][0] - starts[0][0] >= 0.2
    assert (queue.requests_sent, queue.executes_sent) == (2, 1)
