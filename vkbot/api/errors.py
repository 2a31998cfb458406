"""The VK client's error tree: what went wrong, on which method, and whether a retry can help.

::

    VkError                         base of everything the client raises
    ├── VkTransportError            network error, timeout, HTTP 5xx, a body that is not JSON (.method)
    ├── UserTokenMissing            a user-token-only method was called and no user token is available
    └── VkApiError                  VK answered {"error": ...} (.code, .message, .method, .params)
        ├── UnknownError            1    retried with backoff
        ├── AuthFailed              5    token invalid/expired: refresh (user token) or stop
        ├── TooManyRequests         6    retried with backoff (should not happen: the limiter spaces calls)
        ├── PermissionDenied        7
        ├── FloodControl            9    retried once after a long pause (flood_pause_s)
        ├── InternalError           10   retried with backoff
        ├── ExecuteError            12/13 the VKScript itself failed (a bug of ours)
        ├── Captcha                 14   needs a human; .captcha_sid / .captcha_img
        ├── AccessDenied            15
        ├── GroupAuthFailed         27   method needs a user token
        ├── RateLimitReached        29   a daily quota; wait for the next window
        ├── InvalidParams           100
        ├── CannotMessageUser       900 (blacklist), 901 (no permission), 902 (privacy settings)
        └── MessageTooLong          914  split the text

``error_from_payload`` picks the class from ``error_code`` (one table, ``_CLASSES``); codes without a
class become a plain ``VkApiError``. ``.params`` are the request parameters with the token removed:
nothing a ``VkError`` prints or carries contains a token (``access_token`` is stripped, and the client
sends tokens in a header, never in URLs that aiohttp would put into its own exception text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Parameters that must never travel inside an exception (and so never reach a log line).
_SECRET_PARAMS = frozenset({"access_token", "client_secret", "refresh_token", "code_verifier"})


class VkError(Exception):
    """Base class of every error the VK client raises."""


class UserTokenMissing(VkError):
    """A method that needs the admin user token was called while no user token is configured or valid."""

    def __init__(self, method: str):
        super().__init__(f"{method}: needs an admin user token and none is available")
        self.method = method


class VkTransportError(VkError):
    """The request did not produce a VK answer: network error, timeout, HTTP 5xx or a non-JSON body."""

    def __init__(self, method: str, reason: str, *, retryable: bool = True):
        super().__init__(f"{method}: {reason}")
        self.method = method
        self.reason = reason
        # False for answers a retry cannot fix (HTTP 404 from a wrong base URL, for instance).
        self.retryable = retryable


def http_status_error(method: str, status: int) -> VkTransportError:
    """A non-200 HTTP answer: retryable for 5xx and 429 only."""
    return VkTransportError(method, f"HTTP {status}", retryable=status >= 500 or status == 429)


class VkApiError(VkError):
    """VK answered with ``{"error": {...}}`` (or an ``execute_errors`` item for one batched call)."""

    def __init__(
        self,
        code: int,
        message: str,
        method: str,
        params: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ):
        self.code = code
        self.message = message
        self.method = method
        self.params: dict[str, Any] = scrub_params(params or {})
        # The rest of VK's error object (captcha_sid, redirect_uri, ...), token-free as well.
        self.extra: dict[str, Any] = scrub_params(extra or {})
        # Which queue sent it ("community"/"user") and a short hash of the token used; the client
        # uses these to refresh a user token once per wave of auth failures. Never the token itself.
        self.lane: str | None = None
        self.token_fingerprint: str | None = None
        super().__init__(f"{method}: [{code}] {message}")


class UnknownError(VkApiError):
    """Code 1: VK failed for no stated reason; transient."""


class AuthFailed(VkApiError):
    """Code 5: the token is invalid or expired."""


class TooManyRequests(VkApiError):
    """Code 6: more requests per second than the token allows."""


class PermissionDenied(VkApiError):
    """Code 7: the token lacks the right for this action."""


class FloodControl(VkApiError):
    """Code 9: too many identical actions (e.g. messages to one user); wait minutes, not seconds."""


class InternalError(VkApiError):
    """Code 10: VK's internal server error; transient."""


class ExecuteError(VkApiError):
    """Codes 12/13: the ``execute`` code failed to compile or run."""


class Captcha(VkApiError):
    """Code 14: VK wants a captcha solved before it accepts this call."""

    @property
    def captcha_sid(self) -> str | None:
        sid = self.extra.get("captcha_sid")
        return None if sid is None else str(sid)

    @property
    def captcha_img(self) -> str | None:
        img = self.extra.get("captcha_img")
        return None if img is None else str(img)


class AccessDenied(VkApiError):
    """Code 15: access denied."""


class GroupAuthFailed(VkApiError):
    """Code 27: the method is unavailable with a community token (needs the admin user token)."""


class RateLimitReached(VkApiError):
    """Code 29: a per-method daily quota is exhausted."""


class InvalidParams(VkApiError):
    """Code 100: a parameter is missing or invalid."""


class CannotMessageUser(VkApiError):
    """Codes 900/901/902: the person blocked the community, never allowed messages, or forbids them."""


class MessageTooLong(VkApiError):
    """Code 914: the text is over VK's limit; split it."""


_CLASSES: dict[int, type[VkApiError]] = {
    1: UnknownError,
    5: AuthFailed,
    6: TooManyRequests,
    7: PermissionDenied,
    9: FloodControl,
    10: InternalError,
    12: ExecuteError,
    13: ExecuteError,
    14: Captcha,
    15: AccessDenied,
    27: GroupAuthFailed,
    29: RateLimitReached,
    100: InvalidParams,
    900: CannotMessageUser,
    901: CannotMessageUser,
    902: CannotMessageUser,
    914: MessageTooLong,
}

# Retried with exponential backoff and jitter; FloodControl is retried separately after a long pause.
_BACKOFF_CODES = frozenset({1, 6, 10})


def scrub_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``params`` without secret keys (access_token and friends)."""
    return {k: v for k, v in params.items() if k not in _SECRET_PARAMS}


def _request_params(error: Mapping[str, Any]) -> dict[str, Any]:
    """VK echoes the request as ``[{"key": .., "value": ..}]``; turn it into a dict."""
    pairs = error.get("request_params")
    out: dict[str, Any] = {}
    if isinstance(pairs, list):
        for pair in pairs:
            if isinstance(pair, dict) and "key" in pair:
                out[str(pair["key"])] = pair.get("value")
    return out


def error_from_payload(
    method: str, payload: Mapping[str, Any], params: Mapping[str, Any] | None = None
) -> VkApiError:
    """Build the typed error for VK's error object (``payload`` is the value of ``"error"``).

    ``params`` are the parameters we sent (preferred); without them VK's ``request_params`` echo is used.
    Both are scrubbed of tokens.
    """
    raw_code = payload.get("error_code", payload.get("code", 0))
    try:
        code = int(raw_code)
    except (TypeError, ValueError):
        code = 0
    message = str(payload.get("error_msg", payload.get("message", "")) or "no message")
    if params is None:
        params = _request_params(payload)
        params.pop("method", None)
    sub_method = payload.get("method")
    # An execute_errors item names the sub-call's method; report that one.
    where = str(sub_method) if isinstance(sub_method, str) and sub_method else method
    extra = {
        k: v
        for k, v in payload.items()
        if k not in {"error_code", "error_msg", "request_params", "method", "code", "message"}
    }
    cls = _CLASSES.get(code, VkApiError)
    return cls(code, message, where, params, extra)


def is_retryable(exc: BaseException) -> bool:
    """True when sending the same request again may succeed (transport errors, codes 1, 6, 9, 10).

    Flood control (9) is retryable only after ``flood_pause_s``; the client handles that timing.
    """
    if isinstance(exc, VkTransportError):
        return exc.retryable
    if isinstance(exc, VkApiError):
        return exc.code in _BACKOFF_CODES or exc.code == 9
    return False


def is_flood(exc: BaseException) -> bool:
    """True for flood control (9), which waits ``flood_pause_s`` instead of the short backoff."""
    return isinstance(exc, VkApiError) and exc.code == 9
