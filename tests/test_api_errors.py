"""VK error objects map to the right typed exceptions, say what failed, and never carry a token."""

from __future__ import annotations

import pytest

from vkbot.api.errors import (
    AccessDenied,
    AuthFailed,
    CannotMessageUser,
    Captcha,
    FloodControl,
    GroupAuthFailed,
    InternalError,
    MessageTooLong,
    TooManyRequests,
    UserTokenMissing,
    VkApiError,
    VkTransportError,
    error_from_payload,
    http_status_error,
    is_retryable,
)

TOKEN = "vk1.a.SECRET-community-token-0123456789"


def payload(code: int, msg: str = "something") -> dict:
    return {
        "error_code": code,
        "error_msg": msg,
        "request_params": [
            {"key": "method", "value": "messages.send"},
            {"key": "access_token", "value": TOKEN},
            {"key": "peer_id", "value": "5"},
            {"key": "v", "value": "5.199"},
        ],
    }


@pytest.mark.parametrize(
    ("code", "cls", "retryable"),
    [
        (5, AuthFailed, False),
        (6, TooManyRequests, True),
        (9, FloodControl, True),
        (10, InternalError, True),
        (14, Captcha, False),
        (15, AccessDenied, False),
        (27, GroupAuthFailed, False),
        (900, CannotMessageUser, False),
        (901, CannotMessageUser, False),
        (902, CannotMessageUser, False),
        (914, MessageTooLong, False),
        (100, VkApiError, False),
        (4242, VkApiError, False),
    ],
)
def test_codes_map_to_classes_and_retryability(code: int, cls: type, retryable: bool) -> None:
    exc = error_from_payload("messages.send", payload(code), {"peer_id": 5, "access_token": TOKEN})
    assert type(exc) is cls or (cls is VkApiError and isinstance(exc, VkApiError))
    assert exc.code == code and exc.method == "messages.send"
    assert is_retryable(exc) is retryable


def test_the_token_never_appears_in_the_error() -> None:
    exc = error_from_payload(
        "messages.send", payload(901, "Can't send messages"), {"access_token": TOKEN, "x": 1}
    )
    assert exc.params == {"x": 1}
    echoed = error_from_payload("messages.send", payload(10))  # params from VK's request_params echo
    assert echoed.params == {"peer_id": "5", "v": "5.199"}
    for err in (exc, echoed):
        assert TOKEN not in str(err) and TOKEN not in repr(err) and TOKEN not in repr(vars(err))
    assert str(exc) == "messages.send: [901] Can't send messages"


def test_captcha_exposes_its_fields_and_execute_items_name_their_method() -> None:
    exc = error_from_payload(
        "wall.post", {**payload(14), "captcha_sid": 123, "captcha_img": "https://x/c.png"}
    )
    assert isinstance(exc, Captcha) and exc.captcha_sid == "123" and exc.captcha_img == "https://x/c.png"
    item = error_from_payload(
        "execute", {"method": "messages.send", "error_code": 901, "error_msg": "no"}, {}
    )
    assert isinstance(item, CannotMessageUser) and item.method == "messages.send"


def test_transport_and_missing_token_errors() -> None:
    assert is_retryable(VkTransportError("messages.send", "timeout"))
    assert is_retryable(http_status_error("messages.send", 502))
    assert not is_retryable(http_status_error("messages.send", 404))
    assert not is_retryable(UserTokenMissing("wall.post"))
    assert not is_retryable(ValueError("not ours"))
    assert "wall.post" in str(UserTokenMissing("wall.post"))
