"""The admin user token at run time, through VkClient and the outbox against the sandbox: expiry, proactive
refresh, a second process, revocation, and the degraded mode that follows."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.conftest import SANDBOX_GROUP_ID, SANDBOX_TOKEN
from tests.test_auth_fixtures import (  # noqa: F401
    CLIENT_ID,
    AuthEnv,
    auth_engine,
    auth_env,
    connected,
    db_url,
)
from vkbot.api import AuthFailed, UserTokenMissing, VkClient, VkError
from vkbot.auth import AdminTokenProvider, MissingSecretKey, capabilities, make_admin_token_provider
from vkbot.clock import Clock, ManualClock, SystemClock
from vkbot.config import load_config
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import OutboxRequest, OutboxSender, enqueue

RELATIVE = 5123456
PLAIN_REASON = "needs the admin user token (run `vkbot connect`)"


class NoSleep:
    async def __call__(self, seconds: float) -> None:
        await asyncio.sleep(0)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def provider_for(
    env: AuthEnv, engine: Engine, http: aiohttp.ClientSession, clock: Clock | None = None
) -> AdminTokenProvider:
    """On the real clock unless given one: the sandbox's VK ID issues tokens on real time."""
    config = load_config(env.config_path)
    provider = make_admin_token_provider(config, engine, http, clock=clock or SystemClock())
    assert provider is not None
    return provider


def client_for(env: AuthEnv, http: aiohttp.ClientSession, provider: AdminTokenProvider | None) -> VkClient:
    return VkClient(
        http,
        base_url=f"{env.sandbox.url}/method/",
        token=SANDBOX_TOKEN,
        timeout_s=5,
        user_tokens=provider,
        sleep=NoSleep(),
        rng=random.Random(3),
    )


def wall_post(text: str) -> dict[str, Any]:
    return {"owner_id": -SANDBOX_GROUP_ID, "from_group": 1, "message": text}


async def post_through_outbox(engine: Engine, client: VkClient, texts: list[str]) -> list[OutboxRow]:
    """Queue wall posts as handlers do and let one sender pass run them; returns the rows after it."""
    clock = ManualClock()  # the queue's and the sender's
    with Session(engine) as session:
        requests = [OutboxRequest(key=f"post:{t}", method="wall.post", params=wall_post(t)) for t in texts]
        enqueue(session, requests, now=clock.now())
        session.commit()
    await OutboxSender(engine, client, clock).drain_once()
    with Session(engine) as session:
        return list(session.exec(select(OutboxRow).where(OutboxRow.method == "wall.post")))


async def test_an_expired_token_is_refreshed_and_no_failed_call_reaches_the_outbox(
    connected: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    http: aiohttp.ClientSession,
) -> None:
    provider = provider_for(connected, auth_engine, http)
    client = client_for(connected, http, provider)
    old_refresh = connected.stored_refresh_token(auth_engine)
    try:
        assert "post_id" in await client.call("wall.post", wall_post("before"))
        assert provider.refreshes == 0
        await connected.sandbox.expire_user_tokens()  # VK ends the hour early: the next calls get error 5
        rows = await post_through_outbox(auth_engine, client, ["a", "b", "c"])
    finally:
        await client.aclose()

    # One execution each: the refresh and retry happened inside the client, not as an outbox retry.
    assert [(r.status, r.attempts, r.last_error) for r in rows] == [("done", 1, None)] * 3
    assert provider.refreshes == 1  # one refresh for the whole wave
    calls = await connected.sandbox.calls()
    assert calls["errors"].get("5", 0) >= 1  # VK did refuse the old token; the caller never saw it
    assert len((await connected.sandbox.wall())["posts"]) == 4
    # Rotation: a new refresh token is stored (encrypted), and the old one is dead at VK ID.
    new_refresh = connected.stored_refresh_token(auth_engine)
    assert new_refresh != old_refresh
    assert new_refresh not in str(connected.raw_row(auth_engine))
    status = await provider.status()
    assert status.connected and status.last_error is None


async def test_the_token_is_refreshed_before_it_expires(
    connected: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    http: aiohttp.ClientSession,
) -> None:
    clock = ManualClock(datetime.now(UTC))
    provider = provider_for(connected, auth_engine, http, clock=clock)
    client = client_for(connected, http, provider)
    try:
        clock.advance(seconds=3600 - 310)  # just outside the 300 s margin: the token is still used
        assert "post_id" in await client.call("wall.post", wall_post("early"))
        assert provider.refreshes == 0
        clock.advance(seconds=20)  # inside the margin: refresh first, then call
        assert "post_id" in await client.call("wall.post", wall_post("late"))
        assert provider.refreshes == 1
        status = await provider.status()
        assert status.last_refresh_at == clock.now()
        assert status.access_expires_at == clock.now() + timedelta(seconds=3600)
    finally:
        await client.aclose()
    assert (await connected.sandbox.calls())["errors"].get("5", 0) == 0  # no call met an expired token


async def test_a_second_process_that_already_refreshed_is_not_mistaken_for_revocation(
    connected: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    http: aiohttp.ClientSession,
) -> None:
    first = provider_for(connected, auth_engine, http)
    second = provider_for(connected, auth_engine, http)
    one, two = client_for(connected, http, first), client_for(connected, http, second)
    try:
        await one.call("wall.post", wall_post("warm 1"))
        await two.call("wall.post", wall_post("warm 2"))
        await connected.sandbox.expire_user_tokens()
        await one.call("wall.post", wall_post("after 1"))  # rotates the refresh token
        await two.call("wall.post", wall_post("after 2"))  # finds the rotated token in the store
    finally:
        await one.aclose()
        await two.aclose()
    assert (first.refreshes, second.refreshes) == (1, 0)
    assert (await second.status()).connected


async def test_a_revoked_refresh_token_degrades_plainly(
    connected: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = provider_for(connected, auth_engine, http)
    client = client_for(connected, http, provider)
    await connected.sandbox.inject_message(RELATIVE, "Здравствуйте")
    caplog.set_level(logging.INFO, logger="vkbot.auth")
    try:
        await client.call("wall.post", wall_post("before"))
        await connected.sandbox.revoke_user_tokens()
        with pytest.raises(VkError):  # the call that discovers it (see the next test)
            await client.call("wall.post", wall_post("discovers"))
        with pytest.raises(UserTokenMissing, match="needs an admin user token"):
            await client.call("wall.post", wall_post("after"))
        rows = await post_through_outbox(auth_engine, client, ["queued"])
        # The rest of the suite runs on the community token.
        assert await client.call("messages.send", {"peer_id": RELATIVE, "random_id": 77, "message": "ok"})
    finally:
        await client.aclose()

    assert [(r.status, r.last_error) for r in rows] == [("parked", PLAIN_REASON)]
    status = await provider.status()
    assert status.needs_reconnect and not status.connected
    assert "run `vkbot connect`" in (status.last_error or "")
    caps = capabilities(status)
    assert not any(cap.ok for cap in caps.values())
    assert caps["wall_post"].reason == (
        "posting clips to the wall stopped: VK no longer accepts the admin user token; run `vkbot connect` again"
    )
    assert caps["bans"].reason and caps["bans"].reason.startswith("banning and unbanning people stopped")
    lost = [r for r in caplog.records if r.name == "vkbot.auth" and r.levelno >= logging.ERROR]
    assert len(lost) == 1, [r.getMessage() for r in lost]  # once per incident, not once per call
    row = connected.raw_row(auth_engine)
    assert row["refresh_token_enc"] is None and row["access_token_enc"] is None


async def test_the_call_that_discovers_revocation_already_says_what_is_missing(
    connected: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    http: aiohttp.ClientSession,
) -> None:
    provider = provider_for(connected, auth_engine, http)
    client = client_for(connected, http, provider)
    try:
        await client.call("wall.post", wall_post("before"))
        await connected.sandbox.revoke_user_tokens()
        rows = await post_through_outbox(auth_engine, client, ["discovers"])
    finally:
        await client.aclose()
    assert [(r.status, r.last_error) for r in rows] == [("parked", PLAIN_REASON)]


async def test_reconnecting_after_revocation_restores_the_features(
    connected: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    http: aiohttp.ClientSession,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.test_auth_fixtures import connect_admin

    clock = ManualClock(datetime.now(UTC))
    provider = provider_for(connected, auth_engine, http, clock=clock)
    client = client_for(connected, http, provider)
    try:
        await connected.sandbox.revoke_user_tokens()
        with pytest.raises((AuthFailed, UserTokenMissing)):
            await client.call("wall.post", wall_post("x"))
        await connect_admin(connected, capsys)
        clock.advance(seconds=61)  # the running provider looks at the store again
        assert "post_id" in await client.call("wall.post", wall_post("back"))
    finally:
        await client.aclose()
    assert all(cap.ok for cap in capabilities(await provider.status()).values())


async def test_without_a_key_the_app_runs_degraded_unless_a_token_is_stored(
    connected: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VKBOT_SECRET_KEY")
    config = load_config(connected.config_path)
    with pytest.raises(MissingSecretKey, match="VKBOT_SECRET_KEY is not set"):
        make_admin_token_provider(config, auth_engine, http, clock=SystemClock())
    with Session(auth_engine) as session:
        from vkbot.auth.models import AuthTokenRow

        session.delete(session.get(AuthTokenRow, "admin"))
        session.commit()
    assert make_admin_token_provider(config, auth_engine, http, clock=SystemClock()) is None
    client = client_for(connected, http, None)
    try:
        with pytest.raises(UserTokenMissing):
            await client.call("wall.post", wall_post("x"))
    finally:
        await client.aclose()
    assert (
        capabilities(None)["video_upload"].reason
        == "uploading videos needs the admin user token: run `vkbot connect`"
    )


def test_capabilities_name_a_right_the_admin_did_not_grant_or_vk_refused() -> None:
    from vkbot.auth.store import TokenStatus

    status = TokenStatus(connected=True, user_id=1, scope="groups,video")
    caps = capabilities(status, refused_rights={"video"})
    assert caps["bans"].ok
    assert caps["wall_post"].reason == (
        "posting clips to the wall needs the 'wall' right, which the admin did not grant: run `vkbot connect` again"
    )
    assert (
        caps["video_upload"].reason
        == "uploading videos is refused by VK: the app lacks the 'video' right (VK grants it on request)"
    )


async def test_while_vk_id_is_unreachable_the_still_valid_token_keeps_working(
    connected: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    http: aiohttp.ClientSession,
) -> None:
    from vkbot.auth.secretbox import SecretBox
    from vkbot.auth.store import AuthStore
    from vkbot.auth.vkid import VkIdClient

    clock = ManualClock(datetime.now(UTC))
    down = VkIdClient(
        http, base_url="http://127.0.0.1:9/", client_id=CLIENT_ID, redirect_uri="http://x/cb", timeout_s=2
    )
    provider = AdminTokenProvider(AuthStore(auth_engine, SecretBox(connected.key)), down, clock=clock)
    client = client_for(connected, http, provider)
    try:
        clock.advance(seconds=3600 - 60)  # inside the margin; the refresh cannot reach VK ID
        assert "post_id" in await client.call("wall.post", wall_post("still fine"))
    finally:
        await client.aclose()
    status = await provider.status()
    assert provider.refreshes == 0 and status.connected and not status.needs_reconnect
    assert status.last_error and "VK ID refresh_token" in status.last_error
