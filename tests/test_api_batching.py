"""Packing calls into execute and mapping execute's answer back to each call (no network)."""

from __future__ import annotations

import json

from vkbot.api.batching import build_execute_code, can_batch, split_execute_response
from vkbot.api.errors import CannotMessageUser, VkApiError


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
