"""The VK client against the sandbox: the rate rule under a burst, execute packing, retries, tokens, files."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.conftest import SANDBOX_GROUP_ID, SANDBOX_TOKEN
from vkbot.api.client import DownloadTooLarge, VkClient
from vkbot.api.errors import AuthFailed, CannotMessageUser, UserTokenMissing, VkApiError
from vkbot.api.tokens import StaticUserToken
from vkbot.sandbox import SandboxControl

RELATIVE = 5123456


class RecordedSleep:
    """Backoff and flood pauses are recorded, not waited for (the limiter keeps real time on its own)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


class MintingTokens:
    """A user-token source backed by the sandbox's VK ID stand-in; counts refreshes."""

    def __init__(self, sandbox: SandboxControl, token: str) -> None:
        self.sandbox = sandbox
        self.token = token
        self.refreshes = 0

    async def access_token(self) -> str | None:
        return self.token

    async def refresh_after_auth_error(self) -> str | None:
        self.refreshes += 1
        self.token = (await self.sandbox.mint_user_token())["access_token"]
        return self.token


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def make_client(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> VkClient:
    options: dict[str, Any] = {
        "base_url": f"{url}/method/",
        "token": SANDBOX_TOKEN,
        "timeout_s": 5,
        "sleep": RecordedSleep(),
        "rng": random.Random(7),
    }
    options.update(kwargs)
    return VkClient(http, **options)


async def test_a_burst_of_1000_sends_never_trips_the_rate_rule_and_uses_execute(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    await sandbox.inject_message(RELATIVE, "Здравствуйте")
    client = make_client(http, sandbox.url)
    try:
        ids = await asyncio.gather(
            *(
                client.call(
                    "messages.send", {"peer_id": RELATIVE, "random_id": 10_000 + i, "message": f"n{i}"}
                )
                for i in range(1000)
            )
        )
    finally:
        await client.aclose()
    assert all(isinstance(message_id, int) for message_id in ids)
    assert len(set(ids)) == 1000
    calls = await sandbox.calls()
    # The limiter admits at most the limit per (window + margin) by its own clock; the sandbox counts
    # arrivals by its clock, in a thread of this same process. On a loaded machine a request can reach
    # it more than the margin late, bunched with later ones: then a rare error 6, retried (each message
    # still sent once, checked below). Quiet, this was 0; bench/outbox.py measures the rate.
    assert calls["errors"].get("6", 0) <= 10
    assert calls["methods"]["execute"] > 0
    assert calls["methods"]["execute"] <= 1000 // 25 + 5  # packed, not one execute per call
    assert calls["methods"]["messages.send"] == 1000
    sent = await sandbox.sent(RELATIVE)
    assert sorted(m["random_id"] for m in sent) == list(range(10_000, 11_000))


async def test_a_single_call_under_low_load_goes_straight_out(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    client = make_client(http, sandbox.url)
    try:
        group = await client.call("groups.getById", {"group_id": SANDBOX_GROUP_ID})
    finally:
        await client.aclose()
    assert group["groups"][0]["id"] == SANDBOX_GROUP_ID
    calls = await sandbox.calls()
    assert calls["methods"].get("execute", 0) == 0 and calls["methods"]["groups.getById"] == 1


async def test_internal_errors_are_retried_and_each_message_is_sent_once(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    await sandbox.inject_message(RELATIVE, "hi")
    await sandbox.add_faults({"method": "messages.send", "error_code": 10, "rate": 0.5, "count": 20})
    sleep = RecordedSleep()
    client = make_client(http, sandbox.url, sleep=sleep, max_retries=10)
    try:
        ids = await asyncio.gather(
            *(
                client.call("messages.send", {"peer_id": RELATIVE, "random_id": 500 + i, "message": "x"})
                for i in range(60)
            )
        )
    finally:
        await client.aclose()
    assert len(set(ids)) == 60
    calls = await sandbox.calls()
    assert calls["errors"].get("10", 0) > 0  # the faults did fire...
    assert len(sleep.delays) == calls["errors"]["10"]  # ...each one was backed off...
    assert all(0 <= d <= 30 for d in sleep.delays)
    sent = await sandbox.sent(RELATIVE)
    assert sorted(m["random_id"] for m in sent) == list(range(500, 560))  # ...and nothing was sent twice
    assert calls["deduplicated"] == 0


async def test_a_lost_answer_is_retried_with_the_same_random_id(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    await sandbox.inject_message(RELATIVE, "hi")
    await sandbox.add_faults({"accept_then_timeout": "messages.send", "count": 1})
    client = make_client(http, sandbox.url, timeout_s=0.5)
    try:
        message_id = await client.call(
            "messages.send", {"peer_id": RELATIVE, "random_id": 4242, "message": "x"}
        )
    finally:
        await client.aclose()
    sent = await sandbox.sent(RELATIVE)
    assert [m["random_id"] for m in sent] == [4242]
    assert sent[0]["message_id"] == message_id
    assert (await sandbox.calls())["deduplicated"] == 1  # VK (the sandbox) saw the retry and dropped it


async def test_dropped_connections_are_retried(sandbox: SandboxControl, http: aiohttp.ClientSession) -> None:
    await sandbox.add_faults({"drop_connections": 2, "method": "groups.getById"})
    client = make_client(http, sandbox.url)
    try:
        group = await client.call("groups.getById", {"group_id": SANDBOX_GROUP_ID})
    finally:
        await client.aclose()
    assert group["groups"][0]["id"] == SANDBOX_GROUP_ID


async def test_flood_control_waits_the_long_pause_once(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    await sandbox.inject_message(RELATIVE, "hi")
    await sandbox.add_faults({"method": "messages.send", "error_code": 9, "count": 1})
    sleep = RecordedSleep()
    client = make_client(http, sandbox.url, sleep=sleep, flood_pause_s=60)
    try:
        await client.call("messages.send", {"peer_id": RELATIVE, "random_id": 1, "message": "x"})
    finally:
        await client.aclose()
    assert sleep.delays == [60]


async def test_permanent_errors_are_raised_at_once_with_context(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    client = make_client(http, sandbox.url)
    try:
        with pytest.raises(CannotMessageUser) as caught:
            await client.call("messages.send", {"peer_id": 777, "random_id": 3, "message": "x"})
        # inside an execute batch the same error reaches the right caller
        await sandbox.inject_message(RELATIVE, "hi")
        ok, bad = await asyncio.gather(
            client.call("messages.send", {"peer_id": RELATIVE, "random_id": 4, "message": "x"}),
            client.call("messages.send", {"peer_id": 778, "random_id": 5, "message": "x"}),
            return_exceptions=True,
        )
    finally:
        await client.aclose()
    assert caught.value.code == 901 and caught.value.method == "messages.send"
    assert caught.value.params["peer_id"] == 777
    assert isinstance(ok, int)
    assert isinstance(bad, CannotMessageUser) and bad.params["peer_id"] == 778
    calls = await sandbox.calls()
    assert calls["methods"]["messages.send"] == 3  # no retries of a permanent error


async def test_the_token_stays_out_of_errors_and_logs(
    sandbox: SandboxControl, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await sandbox.add_faults(
        {"drop_connections": 1}, {"method": "messages.send", "error_code": 10, "count": 5}
    )
    client = make_client(http, sandbox.url, max_retries=3)
    try:
        with pytest.raises(VkApiError) as caught:
            await client.call("messages.send", {"peer_id": 777, "random_id": 3, "message": "x"})
    finally:
        await client.aclose()
    assert caught.value.code == 10 and "retrying messages.send" in caplog.text
    assert SANDBOX_TOKEN not in caplog.text
    assert SANDBOX_TOKEN not in str(caught.value) and SANDBOX_TOKEN not in repr(vars(caught.value))
    assert SANDBOX_TOKEN not in repr(client)


async def test_a_send_without_random_id_is_refused_before_it_reaches_vk(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    client = make_client(http, sandbox.url)
    try:
        for params in (
            {"peer_id": RELATIVE, "message": "x"},
            {"peer_id": RELATIVE, "random_id": 0, "message": "x"},
        ):
            with pytest.raises(ValueError, match="random_id"):
                await client.call("messages.send", params)
    finally:
        await client.aclose()
    assert "messages.send" not in (await sandbox.calls())["methods"]


async def test_user_token_methods_need_a_user_token(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    client = make_client(http, sandbox.url)
    try:
        with pytest.raises(UserTokenMissing):
            await client.call(
                "wall.post", {"owner_id": -SANDBOX_GROUP_ID, "from_group": True, "message": "m"}
            )
    finally:
        await client.aclose()


async def test_an_expired_user_token_is_refreshed_once(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    tokens = MintingTokens(sandbox, (await sandbox.mint_user_token())["access_token"])
    await sandbox.expire_user_tokens()
    client = make_client(http, sandbox.url, user_tokens=tokens)
    try:
        results = await asyncio.gather(
            *(
                client.call(
                    "wall.post", {"owner_id": -SANDBOX_GROUP_ID, "from_group": True, "message": f"p{i}"}
                )
                for i in range(3)
            )
        )
    finally:
        await client.aclose()
    assert all("post_id" in r for r in results)
    assert tokens.refreshes == 1  # one refresh serves the whole wave of failures
    assert len((await sandbox.wall())["posts"]) == 3


async def test_user_token_calls_have_their_own_queue_and_limit(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    source = StaticUserToken((await sandbox.mint_user_token())["access_token"])
    await sandbox.inject_message(RELATIVE, "hi")
    client = make_client(http, sandbox.url, user_tokens=source)
    try:
        posts, sends = await asyncio.gather(
            asyncio.gather(
                *(
                    client.call(
                        "wall.post", {"owner_id": -SANDBOX_GROUP_ID, "from_group": 1, "message": f"p{i}"}
                    )
                    for i in range(30)
                )
            ),
            asyncio.gather(
                *(
                    client.call("messages.send", {"peer_id": RELATIVE, "random_id": 900 + i, "message": "m"})
                    for i in range(30)
                )
            ),
        )
    finally:
        await client.aclose()
    assert len({p["post_id"] for p in posts}) == 30 and len(set(sends)) == 30
    calls = await sandbox.calls()
    assert calls["errors"].get("6", 0) == 0 and calls["errors"].get("27", 0) == 0
    assert calls["methods"]["execute"] >= 2  # each token packed its own calls


async def test_a_revoked_user_token_fails_after_one_refresh(
    sandbox: SandboxControl, http: aiohttp.ClientSession
) -> None:
    source = StaticUserToken((await sandbox.mint_user_token())["access_token"])
    await sandbox.revoke_user_tokens()
    client = make_client(http, sandbox.url, user_tokens=source)
    try:
        with pytest.raises(AuthFailed):
            await client.call(
                "wall.post", {"owner_id": -SANDBOX_GROUP_ID, "from_group": True, "message": "m"}
            )
    finally:
        await client.aclose()


async def test_upload_and_download_round_trip(sandbox: SandboxControl, http: aiohttp.ClientSession) -> None:
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    message = await sandbox.inject_message(
        RELATIVE, "фото", attachments=[sandbox.attachment("photo", "a.png", picture)]
    )
    client = make_client(http, sandbox.url)
    try:
        server = await client.call("photos.getMessagesUploadServer", {"peer_id": RELATIVE})
        uploaded = await client.upload(server["upload_url"], "photo", "clip.png", picture, "image/png")
        saved = await client.call("photos.saveMessagesPhoto", uploaded)
        assert saved[0]["id"] > 0
        url = (
            message["attachments"][0]["photo"]["orig_photo"]["url"]
            if "orig_photo" in message["attachments"][0]["photo"]
            else message["attachments"][0]["photo"]["sizes"][-1]["url"]
        )
        assert await client.download(url, max_bytes=len(picture)) == picture
        with pytest.raises(DownloadTooLarge):
            await client.download(url, max_bytes=len(picture) - 1)
    finally:
        await client.aclose()
