"""The per-token rate rule: at most N requests in any rolling second, ``execute`` counting as one."""

from __future__ import annotations

import asyncio

from vkbot.sandbox import SandboxControl


async def test_a_burst_over_the_community_limit_gets_error_6(sandbox: SandboxControl, vk_call) -> None:
    answers = [await vk_call("groups.getById") for _ in range(30)]
    refused = [a for a in answers if a.get("error", {}).get("error_code") == 6]
    assert len(refused) == 10 and all("response" in a for a in answers[:20])
    assert (await sandbox.calls())["errors"]["6"] == 10
    await asyncio.sleep(1.05)  # the window rolls on
    assert "response" in await vk_call("groups.getById")


async def test_execute_counts_as_one_request(sandbox: SandboxControl, vk_call) -> None:
    await sandbox.bulk(40, seed=5)  # people who wrote, so the community may answer them
    convs = (await vk_call("messages.getConversations", count=200))["response"]["items"]
    peers = [c["conversation"]["peer"]["id"] for c in convs]
    answers = []
    for batch in range(19):
        calls = ",".join(
            f'API.messages.send({{"peer_id": {peers[i % len(peers)]}, "message": "ok", "random_id": {batch * 25 + i + 1}}})'
            for i in range(25)
        )
        answers.append(await vk_call("execute", code=f"return [{calls}];"))
    assert all("execute_errors" not in a and "error" not in a for a in answers)
    assert len(await sandbox.sent()) == 19 * 25
    calls_seen = await sandbox.calls()
    assert calls_seen["methods"]["execute"] == 19 and calls_seen["methods"]["messages.send"] == 475
    # Counted one by one, the first execute alone (25 sends) would pass the 20/s limit: no error 6 at all
    # proves each execute counted once, however slowly a loaded machine ran the 19.
    assert calls_seen["errors"].get("6", 0) == 0


async def test_user_tokens_are_limited_to_3_per_second(sandbox: SandboxControl, vk_call) -> None:
    user = (await sandbox.mint_user_token())["access_token"]
    answers = [await vk_call("users.get", token=user) for _ in range(5)]
    assert [a.get("error", {}).get("error_code") for a in answers] == [None, None, None, 6, 6]
