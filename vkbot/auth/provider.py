"""``AdminTokenProvider``: the admin user token for ``VkClient``, refreshed before expiry and once on error 5.

It satisfies ``vkbot.api.tokens.UserTokenSource``. Refreshes are serialised by one lock and re-read the
stored row first, so a wave of failing calls, or a second process that already rotated the refresh token,
costs one refresh. When VK ID refuses the refresh token (revoked), the row is marked ``needs_reconnect``,
the incident is logged once, and ``access_token`` answers None: the client then raises
``UserTokenMissing`` and the outbox parks rows with "needs the admin user token (run `vkbot connect`)".
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from vkbot.auth.pkce import make_state
from vkbot.auth.secretbox import MissingSecretKey, SecretBox
from vkbot.auth.settings import AuthSettings
from vkbot.auth.store import AuthStore, Credential, TokenStatus
from vkbot.auth.vkid import VkIdClient, VkIdRefused, VkIdUnavailable, vkid_client
from vkbot.clock import Clock

if TYPE_CHECKING:
    import aiohttp
    from sqlalchemy.engine import Engine

log = logging.getLogger("vkbot.auth")

# While VK ID is unreachable, try a proactive refresh again only after this long (not on every call).
_UNAVAILABLE_PAUSE = timedelta(seconds=30)
# Without a usable credential, look at the database again this often: `vkbot connect` may have run.
_RECHECK_EMPTY = timedelta(seconds=60)

__all__ = ["AdminTokenProvider", "TokenStatus", "make_admin_token_provider"]


class AdminTokenProvider:
    """Supplies the admin's VK ID access token and keeps it alive; never logs or raises a secret."""

    def __init__(
        self,
        store: AuthStore,
        vkid: VkIdClient,
        *,
        clock: Clock,
        refresh_margin_s: float = 300,
    ):
        self._store = store
        self._vkid = vkid
        self._clock = clock
        self._margin = timedelta(seconds=refresh_margin_s)
        self._lock = asyncio.Lock()
        self._cred: Credential | None = None
        self._loaded_at: datetime | None = None
        self._pause_until: datetime | None = None
        self._refusal_logged = False
        self.refreshes = 0  # successful refreshes since start (for health)

    def __repr__(self) -> str:
        return f"AdminTokenProvider(loaded={self._cred is not None})"

    # -- UserTokenSource -----------------------------------------------------------------------------

    async def access_token(self) -> str | None:
        """The current access token, refreshed first when it ends within the margin; None when absent."""
        cred = await self._current()
        if cred is None:
            return None
        if self._fresh(cred) or self._paused():
            return cred.access_token
        return await self._refresh(failed=None)

    async def refresh_after_auth_error(self) -> str | None:
        """VK answered error 5 to the current token: refresh (once per wave) and return the new token."""
        cred = await self._current()
        if cred is None:
            return None
        return await self._refresh(failed=cred.access_token)

    # -- health --------------------------------------------------------------------------------------

    async def status(self) -> TokenStatus:
        return await asyncio.to_thread(self._store.status)

    # -- internals -----------------------------------------------------------------------------------

    def _fresh(self, cred: Credential) -> bool:
        if not cred.access_token or cred.access_expires_at is None:
            return False
        return self._clock.now() < cred.access_expires_at - self._margin

    def _paused(self) -> bool:
        return self._pause_until is not None and self._clock.now() < self._pause_until

    async def _current(self) -> Credential | None:
        now = self._clock.now()
        if self._cred is None and (self._loaded_at is None or now - self._loaded_at >= _RECHECK_EMPTY):
            async with self._lock:
                if self._cred is None:
                    self._cred = await asyncio.to_thread(self._store.credential)
                    self._loaded_at = now
        return self._cred

    async def _refresh(self, failed: str | None) -> str | None:
        """Refresh under the lock; ``failed`` is the token VK refused (None for a proactive refresh)."""
        async with self._lock:
            stored = await asyncio.to_thread(self._store.credential)
            if stored is None:
                self._cred = None
                return None
            # Someone (another call here, or another process) already refreshed: use theirs.
            if stored.access_token and stored.access_token != failed and self._fresh(stored):
                self._cred = stored
                return stored.access_token
            return await self._rotate(stored, proactive=failed is None)

    async def _rotate(self, stored: Credential, *, proactive: bool) -> str | None:
        now = self._clock.now()
        try:
            grant = await self._vkid.refresh(stored.refresh_token, stored.device_id, make_state())
        except VkIdUnavailable as exc:
            log.warning("admin user token: refresh failed, will retry: %s", exc)
            self._pause_until = now + _UNAVAILABLE_PAUSE
            await asyncio.to_thread(self._store.record_error, str(exc), now)
            # A proactive refresh may fail while the old token still works for a few minutes.
            return stored.access_token if proactive else None
        except VkIdRefused as exc:
            return await self._refused(stored, exc, now)
        await asyncio.to_thread(self._store.save_refreshed, grant, now)
        self._cred = await asyncio.to_thread(self._store.credential)
        self._pause_until = None
        self._refusal_logged = False
        self.refreshes += 1
        log.info("admin user token refreshed (valid for %d s)", grant.expires_in)
        return grant.access_token

    async def _refused(self, stored: Credential, exc: VkIdRefused, now: datetime) -> str | None:
        again = await asyncio.to_thread(self._store.credential)
        if again is not None and again.refresh_token != stored.refresh_token:
            # Another process rotated the token between our read and our refresh: adopt its tokens.
            self._cred = again
            return again.access_token
        reason = f"VK ID refused the refresh token ({exc.error}): run `vkbot connect` to restore it"
        await asyncio.to_thread(self._store.mark_refused, reason, now)
        self._cred = None
        self._loaded_at = now
        if not self._refusal_logged:
            self._refusal_logged = True
            log.error(
                "admin user token lost: %s; wall posting, comment removal, bans and video upload wait for it",
                reason,
            )
        return None


def make_admin_token_provider(
    config: Any,
    engine: Engine,
    http: aiohttp.ClientSession,
    *,
    clock: Clock,
    environ: dict[str, str] | None = None,
) -> AdminTokenProvider | None:
    """The provider for the app factory, or None when the suite runs without an admin user token.

    None (with a warning) when ``vk.app_client_id`` is empty or no key is set and nothing is stored;
    ``MissingSecretKey`` when a credential is stored but the key to read it is missing.
    """
    settings: AuthSettings = getattr(config, "auth", None) or AuthSettings()
    vk = config.vk
    try:
        box: SecretBox | None = SecretBox.from_environment(settings.secret_key.get_secret_value(), environ)
    except MissingSecretKey:
        if AuthStore(engine, None).status().connected:
            raise
        box = None
    if box is None or not vk.app_client_id:
        log.warning(
            "running without the admin user token (%s): wall posting, comment removal, bans and video "
            "upload are unavailable; run `vkbot connect` to enable them",
            "no VKBOT_SECRET_KEY" if box is None else "vk.app_client_id is empty",
        )
        return None
    vkid = vkid_client(http, config)
    return AdminTokenProvider(
        AuthStore(engine, box), vkid, clock=clock, refresh_margin_s=settings.refresh_margin_s
    )
