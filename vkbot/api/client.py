"""The async VK API client: one narrow seam (``call``, ``longpoll_check``, ``upload``, ``download``) over aiohttp.

- Tokens travel in the ``Authorization: Bearer`` header, never in a URL (aiohttp puts URLs in its
  exception text) and never in an exception or log line (see ``vkbot.api.errors``).
- Each token has its own queue and rolling-window limiter (``CallQueue``, ``RollingWindowLimiter``);
  queued calls of one token are packed into ``execute`` (``vkbot.api.batching``).
- Methods in ``USER_TOKEN_METHODS`` go to the admin user token (``UserTokenSource``) on a separate
  queue with its own limit (3/s by default); on error 5 the source refreshes once and the call is retried once.
- Retries: transport errors and codes 1, 6, 10 back off exponentially with full jitter
  (``uniform(0, min(backoff_max_s, backoff_base_s * 2**attempt))``), up to ``max_retries`` times;
  flood control (9) is retried once after ``flood_pause_s``; every other error is raised at once.

Retrying is only safe for calls that are idempotent. ``messages.send`` is not, by itself: it is safe
here because every caller passes a stable non-zero ``random_id`` (the outbox row's idempotency key),
so VK drops a repeat that reaches it twice. Never send ``random_id=0`` through this client.

The aiohttp session belongs to the caller (the app factory): ``aclose`` stops this client's tasks and
does not close the session.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp

from vkbot.api.batching import CallQueue, PendingCall
from vkbot.api.errors import (
    AuthFailed,
    UserTokenMissing,
    VkApiError,
    VkError,
    VkTransportError,
    error_from_payload,
    http_status_error,
    is_flood,
    is_retryable,
)
from vkbot.api.limiter import Limiter, RollingWindowLimiter
from vkbot.api.tokens import UserTokenSource, needs_user_token

log = logging.getLogger("vkbot.api")

# Flood control (9) waits minutes; more than one such retry would hold a call for too long.
_MAX_FLOOD_RETRIES = 1
# The limiters' rolling window with its margin (RollingWindowLimiter's defaults): requests are spaced by it.
_WINDOW_S = 1.1
# Not idempotent without VK's random_id de-duplication, and this client retries.
_NEEDS_RANDOM_ID = frozenset({"messages.send"})


class DownloadTooLarge(VkError):
    """A download was bigger than the caller allowed; nothing is returned."""

    def __init__(self, max_bytes: int, size: int | None):
        seen = f"{size} bytes" if size is not None else f"more than {max_bytes} bytes"
        super().__init__(f"download refused: {seen}, limit {max_bytes} bytes")
        self.max_bytes = max_bytes
        self.size = size


def encode_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """VK's parameter conventions: bool -> 1/0, list/tuple -> "a,b", dict -> JSON string, None dropped."""
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = 1 if value else 0
        elif isinstance(value, list | tuple | set | frozenset):
            out[key] = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            out[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            out[key] = value
    return out


class VkClient:
    """Calls VK methods for the community (and, for wall/ban/video methods, for the admin user)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        version: str = "5.199",
        token: str,
        rate_per_s: int = 20,
        timeout_s: float = 30,
        max_retries: int = 5,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30,
        flood_pause_s: float = 60,
        execute_batch: bool = True,
        user_tokens: UserTokenSource | None = None,
        user_rate_per_s: int = 3,
        limiters: tuple[Limiter, Limiter] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ):
        self._session = session
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._version = version
        self._token = token
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._flood_pause_s = flood_pause_s
        self._user_tokens = user_tokens
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._refresh_lock = asyncio.Lock()
        # The limiters keep real time against a real server: they do not take the injected ``sleep``
        # (which only shortens backoff and flood pauses in tests). ``limiters`` (community, user)
        # replaces them, e.g. with limits shared by several processes (``vkbot.core.rate``).
        group_limiter, user_limiter = limiters or (
            RollingWindowLimiter(rate_per_s),
            RollingWindowLimiter(user_rate_per_s),
        )
        # Requests are spread at the limit's own pace (its window, 1.1 s, over the limit; see CallQueue).
        self._group = CallQueue(
            "community",
            limiter=group_limiter,
            transport=self._community_transport,
            retry_policy=self._retry_delay,
            batch_enabled=execute_batch,
            spacing_s=_WINDOW_S / rate_per_s,
            sleep=sleep,
        )
        self._user = CallQueue(
            "user",
            limiter=user_limiter,
            transport=self._user_transport,
            retry_policy=self._retry_delay,
            batch_enabled=execute_batch,
            spacing_s=_WINDOW_S / user_rate_per_s,
            sleep=sleep,
        )

    def __repr__(self) -> str:
        return f"VkClient(base_url={self._base_url!r}, version={self._version!r})"

    # -- public seam ---------------------------------------------------------------------------

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *, batch: bool = True) -> Any:
        """Call ``method`` and return VK's ``response``; raises a typed ``VkError`` after retries.

        ``batch=False`` sends the call in its own request (still rate-limited and retried).
        ``messages.send`` without a non-zero ``random_id`` is refused with ``ValueError``.
        """
        encoded = encode_params(params)
        if method in _NEEDS_RANDOM_ID and not encoded.get("random_id"):
            # Retries re-send; only a stable non-zero random_id lets VK drop the repeat.
            raise ValueError(f"{method} needs a stable non-zero random_id (the outbox row's key)")
        if needs_user_token(method):
            if self._user_tokens is None or not await self._user_tokens.access_token():
                raise UserTokenMissing(method)
            return await self._user.submit(method, encoded, direct=not batch)
        return await self._group.submit(method, encoded, direct=not batch)

    async def longpoll_check(self, server: str, key: str, ts: str, wait: int) -> dict[str, Any]:
        """One Bots Long Poll request; returns VK's raw JSON object (``updates``/``ts`` or ``failed``).

        Raises ``VkTransportError`` on a network error, after ``wait + 10`` s, or when the body is not a
        JSON object. Not rate-limited: the long-poll server is not the method API.
        """
        query = {"act": "a_check", "key": key, "ts": ts, "wait": str(wait)}
        timeout = aiohttp.ClientTimeout(total=wait + 10)
        secrets = (key,)
        try:
            async with self._session.get(server, params=query, timeout=timeout) as resp:
                if resp.status != 200:
                    raise http_status_error("a_check", resp.status)
                body = await resp.read()
        except TimeoutError as exc:
            raise VkTransportError("a_check", f"no answer within {wait + 10} s") from exc
        except aiohttp.ClientError as exc:
            raise VkTransportError("a_check", self._describe(exc, secrets)) from None
        return _json_object("a_check", body)

    async def upload(
        self,
        url: str,
        field: str,
        filename: str,
        data: bytes,
        content_type: str = "application/octet-stream",
    ) -> dict[str, Any]:
        """POST one file as multipart ``field`` to an upload URL VK gave us; returns the server's JSON.

        Transport failures are retried with backoff (an upload only stores a temporary file).
        """
        attempt = 0
        while True:
            form = aiohttp.FormData()
            form.add_field(field, data, filename=filename, content_type=content_type)
            try:
                async with self._session.post(url, data=form, timeout=self._timeout()) as resp:
                    if resp.status != 200:
                        raise http_status_error("upload", resp.status)
                    body = await resp.read()
                result = _json_object("upload", body)
                if "error" in result and isinstance(result["error"], dict):
                    raise error_from_payload("upload", result["error"], {})
                return result
            except TimeoutError:
                exc: VkError = VkTransportError("upload", f"no answer within {self._timeout_s} s")
            except aiohttp.ClientError as err:
                exc = VkTransportError("upload", self._describe(err, ()))
            except VkError as err:
                exc = err
            if not is_retryable(exc) or is_flood(exc) or attempt >= self._max_retries:
                raise exc
            await self._sleep(self._backoff(attempt))
            attempt += 1

    async def download(self, url: str, max_bytes: int) -> bytes:
        """GET a file VK pointed us to (photo, voice message, document); refuses more than ``max_bytes``.

        Raises ``DownloadTooLarge`` without reading the rest once the limit is passed (or when the
        declared length is over it); transport failures are retried with backoff.
        """
        attempt = 0
        while True:
            try:
                return await self._download_once(url, max_bytes)
            except TimeoutError:
                exc: VkError = VkTransportError("download", f"no answer within {self._timeout_s} s")
            except aiohttp.ClientError as err:
                exc = VkTransportError("download", self._describe(err, ()))
            except VkTransportError as err:
                exc = err
            if not is_retryable(exc) or attempt >= self._max_retries:
                raise exc
            await self._sleep(self._backoff(attempt))
            attempt += 1

    def pending(self) -> int:
        """Calls waiting for a rate-limit slot on both tokens (for health)."""
        return self._group.pending() + self._user.pending()

    def stats(self) -> dict[str, int]:
        """Requests sent and how many of them were ``execute`` (for health and benchmarks)."""
        return {
            "requests": self._group.requests_sent + self._user.requests_sent,
            "executes": self._group.executes_sent + self._user.executes_sent,
        }

    async def aclose(self) -> None:
        """Stop the packers and fail waiting callers. The session is the caller's to close."""
        await self._group.aclose()
        await self._user.aclose()

    # -- internals -----------------------------------------------------------------------------

    async def _download_once(self, url: str, max_bytes: int) -> bytes:
        async with self._session.get(url, timeout=self._timeout()) as resp:
            if resp.status != 200:
                raise http_status_error("download", resp.status)
            declared = resp.content_length
            if declared is not None and declared > max_bytes:
                raise DownloadTooLarge(max_bytes, declared)
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise DownloadTooLarge(max_bytes, None)
                chunks.append(chunk)
            return b"".join(chunks)

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self._timeout_s)

    def _backoff(self, attempt: int) -> float:
        cap = min(self._backoff_max_s, self._backoff_base_s * (2**attempt))
        return self._rng.uniform(0, cap)

    async def _retry_delay(self, exc: BaseException, call: PendingCall) -> float | None:
        """The retry policy shared by both queues: seconds before the next try, or None to raise."""
        if isinstance(exc, AuthFailed) and exc.lane == "user" and not call.refreshed:
            call.refreshed = True
            if await self._refresh_user_token(exc.token_fingerprint):
                return 0.0
            # The source gave up for good (revoked): one more pass raises UserTokenMissing, the plain outcome.
            if self._user_tokens is not None and not await self._user_tokens.access_token():
                return 0.0
            return None
        if not is_retryable(exc) or call.attempt >= self._max_retries:
            return None
        if is_flood(exc):
            if call.floods >= _MAX_FLOOD_RETRIES:
                return None
            call.floods += 1
            log.warning("flood control on %s; retrying once in %.0f s", call.method, self._flood_pause_s)
            return self._flood_pause_s
        delay = self._backoff(call.attempt)
        log.info("retrying %s in %.2f s after %s", call.method, delay, _short(exc))
        return delay

    async def _refresh_user_token(self, failed_fingerprint: str | None) -> bool:
        """Refresh once for a wave of auth failures: if the token already changed, just retry."""
        if self._user_tokens is None:
            return False
        async with self._refresh_lock:
            current = await self._user_tokens.access_token()
            if current and _fingerprint(current) != failed_fingerprint:
                return True
            return bool(await self._user_tokens.refresh_after_auth_error())

    async def _community_transport(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        return await self._post(method, params, self._token)

    async def _user_transport(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        token = await self._user_tokens.access_token() if self._user_tokens else None
        if not token:
            raise UserTokenMissing(method)
        try:
            return await self._post(method, params, token)
        except AuthFailed as exc:
            # The retry policy refreshes; it needs to know which token VK refused (by hash only).
            exc.lane = "user"
            exc.token_fingerprint = _fingerprint(token)
            raise

    async def _post(self, method: str, params: dict[str, Any], token: str) -> dict[str, Any]:
        """One POST to ``/method/<method>``: the envelope on success, a typed error otherwise."""
        form = {key: str(value) for key, value in params.items()}
        form["v"] = self._version
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with self._session.post(
                self._base_url + method, data=form, headers=headers, timeout=self._timeout()
            ) as resp:
                if resp.status != 200:
                    raise http_status_error(method, resp.status)
                body = await resp.read()
        except TimeoutError as exc:
            raise VkTransportError(method, f"no answer within {self._timeout_s} s") from exc
        except aiohttp.ClientError as exc:
            raise VkTransportError(method, self._describe(exc, (token,))) from None
        envelope = _json_object(method, body)
        error = envelope.get("error")
        if isinstance(error, dict):
            raise error_from_payload(method, error, params)
        if "response" not in envelope:
            raise VkApiError(1, "answer has neither response nor error", method, params)
        return envelope

    def _describe(self, exc: BaseException, secrets: tuple[str, ...]) -> str:
        """Exception text without anything secret (belt and braces: tokens are never in URLs anyway)."""
        text = f"{type(exc).__name__}: {exc}"
        for secret in (self._token, *secrets):
            if secret:
                text = text.replace(secret, "***")
        return text


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def _json_object(method: str, body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise VkTransportError(method, f"answer is not JSON ({len(body)} bytes)") from None
    if not isinstance(data, dict):
        raise VkTransportError(method, f"answer is JSON {type(data).__name__}, not an object")
    return data


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}({getattr(exc, 'code', '')})"
