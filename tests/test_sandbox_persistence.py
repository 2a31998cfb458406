"""Ids only increase (across resets and restarts with a data folder); the `vkbot sandbox` command's contract."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from vkbot.sandbox import SandboxControl, SandboxOptions, running_sandbox


async def test_ids_keep_increasing_across_a_reset(sandbox: SandboxControl, vk_call) -> None:
    before = await sandbox.inject_message(40, "one")
    post = await sandbox.create_post("post")
    ts_before = int((await vk_call("groups.getLongPollServer", group_id=1001))["response"]["ts"])
    await sandbox.reset()
    after = await sandbox.inject_message(40, "two")
    assert after["id"] > before["id"] and (await sandbox.create_post("again"))["post_id"] > post["post_id"]
    assert int((await vk_call("groups.getLongPollServer", group_id=1001))["response"]["ts"]) > ts_before
    assert after["conversation_message_id"] == 1  # a clean community: the conversation starts over


async def test_state_and_ids_survive_a_restart_with_a_data_folder(tmp_path: Path) -> None:
    options = SandboxOptions(data_dir=tmp_path / "sandbox", seed=2)
    async with running_sandbox(options) as sb, aiohttp.ClientSession() as session:
        control = SandboxControl(session, sb.url)
        first = await control.inject_message(41, "до перезапуска")
        await control.bulk(2000, seed=4)
        user = await control.mint_user_token()
        last_before = (await control.inject_message(41, "последнее"))["id"]
        await control.reset()
        after_reset = (await control.inject_message(41, "после сброса"))["id"]
        data = {"access_token": "sandbox-community-token", "v": "5.199", "group_id": "1001"}
        async with session.post(f"{sb.api_url}groups.getLongPollServer", data=data) as resp:
            server = (await resp.json())["response"]
    assert after_reset > last_before > first["id"]

    async with running_sandbox(options) as sb, aiohttp.ClientSession() as session:
        control = SandboxControl(session, sb.url)
        history = await control.history(41)
        assert [m["text"] for m in history] == ["после сброса"]
        assert (await control.inject_message(41, "после перезапуска"))["id"] > after_reset
        async with session.post(
            f"{sb.api_url}users.get", data={"access_token": user["access_token"]}
        ) as resp:
            assert (await resp.json())["response"][0]["id"] == 1  # tokens persist
        params = {"act": "a_check", "key": server["key"], "ts": server["ts"], "wait": "0"}
        async with session.get(f"{sb.url}/wh1001", params=params) as resp:
            replay = await resp.json()
        assert [u["object"]["message"]["text"] for u in replay["updates"]] == ["после перезапуска"]


async def test_the_sandbox_command_prints_its_url_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="0")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vkbot.cli",
        "sandbox",
        "--port",
        "0",
        "--data",
        str(tmp_path / "d"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        match = re.fullmatch(r"Sandbox: (http://127\.0\.0\.1:(\d+))\n", line)
        assert match and match.group(2) != "0", line
        async with aiohttp.ClientSession() as session, session.get(f"{match.group(1)}/sandbox/calls") as resp:
            assert resp.status == 200
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
