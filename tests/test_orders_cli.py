"""The founder's command line against a running suite: list, show, move, set a status, deliver the clip, sign-ups.

Relatives place orders through the sandbox; the founder types ``vkbot ...`` (``vkbot.cli.main``) with a
config file; what her actions owe the relatives goes out through the running app's outbox.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.app_helpers import SANDBOX_GROUP_ID, SANDBOX_TOKEN, running_app
from tests.test_intake_sandbox import Relative, intake_config, wire
from vkbot.api.client import VkClient
from vkbot.api.tokens import StaticUserToken
from vkbot.cli import main as vkbot
from vkbot.config import Config
from vkbot.sandbox import SandboxControl

CLIP = b"\x00\x00\x00\x18ftypmp42" + b"a memorial clip " * 4000


def config_file(config: Config, tmp_path: Path) -> Path:
    """The TOML file the founder's commands read: the same install the running app uses."""
    path = tmp_path / "vkbot.toml"
    path.write_text(
        f"""
[vk]
api_base_url = "{config.vk.api_base_url}"
group_id = {config.vk.group_id}
token = "{config.vk.token.get_secret_value()}"
backoff_base_s = 0.05
request_timeout_s = 2

[storage]
database_url = "{config.storage.database_url}"
files_dir = "{config.storage.files_dir}"

[waitlist]
sending_window_start_hour = 0
sending_window_end_hour = 24
queue_limit = 1000
""",
        encoding="utf-8",
    )
    return path


async def founder(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run one ``vkbot`` command as the founder would (in a thread: it has its own event loop)."""
    capsys.readouterr()
    code = await asyncio.to_thread(vkbot, list(argv))
    return code, capsys.readouterr().out


async def founder_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out = await founder(capsys, *argv, "--json")
    assert code == 0, out
    return json.loads(out.strip().splitlines()[-1])


async def test_the_founder_reorders_starts_and_delivers_and_the_relative_hears_each_step(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = intake_config(sandbox, tmp_path)
    cfg = str(config_file(config, tmp_path))
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(CLIP)
    anna, boris = Relative(sandbox, 4001), Relative(sandbox, 4002)
    async with running_app(config) as app:
        wire(app)
        await sandbox.wait_for_call("groups.getLongPollServer")
        for relative in (anna, boris):
            await relative.start()
            await relative.finish()

        listed = await founder_json(capsys, "orders", "list", "--config", cfg)
        assert [(o["number"], o["position"]) for o in listed] == [(1, 1), (2, 2)]
        shown = await founder_json(capsys, "orders", "show", "1", "--config", cfg)
        assert shown["subject_name"] == anna.words["subject"]
        assert shown["story"] and shown["files"][0]["kind"] == "photo"
        assert {"width", "sharpness", "faces", "poor"} <= set(shown["files"][0])

        code, _ = await founder(
            capsys, "orders", "move", "2", "1", "--reason", "срочно: годовщина", "--config", cfg
        )
        assert code == 0
        listed = await founder_json(capsys, "orders", "list", "--config", cfg)
        assert [(o["number"], o["position"]) for o in listed] == [(2, 1), (1, 2)]

        moved = await founder_json(capsys, "orders", "set-status", "2", "in_progress", "--config", cfg)
        assert moved["queued_messages"] == 1
        turn = await boris.answers()
        assert "Подошла ваша очередь" in turn[0]["text"] and "№ 2" in turn[0]["text"]

        delivered = await founder_json(capsys, "orders", "deliver", "2", str(clip), "--config", cfg)
        assert delivered["queued_messages"] == 1
        assert "the clip goes out now" in delivered["message"]  # she is told when it reaches them
        [clip_message] = await boris.answers()
        assert clip_message["attachment"].startswith("doc-1001_"), "without the user token: a document"
        assert "ролик готов" in clip_message["text"].lower() or "№ 2" in clip_message["text"]

        code, _ = await founder(capsys, "orders", "show", "99", "--config", cfg)
        assert code == 1
        await asyncio.sleep(0.3)
    assert await sandbox.sent(peer_id=anna.user_id) == anna.heard, "Anna heard nothing of Boris's news"


async def test_with_the_admin_user_token_the_clip_arrives_as_a_playable_video(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = intake_config(sandbox, tmp_path)
    cfg = str(config_file(config, tmp_path))
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(CLIP)
    token = (await sandbox.mint_user_token(rate_per_s=50))["access_token"]
    relative = Relative(sandbox, 4101)
    async with aiohttp.ClientSession() as http, running_app(config) as app:
        # The app as the lead wires it once `vkbot connect` has run: its client holds the admin token.
        app.sender.client = VkClient(
            http,
            base_url=config.vk.api_base_url,
            token=SANDBOX_TOKEN,
            user_tokens=StaticUserToken(token),
            user_rate_per_s=50,
            backoff_base_s=0.05,
        )
        wire(app)
        await sandbox.wait_for_call("groups.getLongPollServer")
        await relative.start()
        await relative.finish()
        await founder_json(capsys, "orders", "deliver", "1", str(clip), "--config", cfg)
        [message] = await relative.answers()
        await asyncio.sleep(0.3)
        await app.sender.client.aclose()  # type: ignore[attr-defined]
    assert message["attachment"].startswith(f"video-{SANDBOX_GROUP_ID}_")
    assert (await sandbox.calls())["methods"].get("docs.save", 0) == 0


async def test_closed_signups_are_said_plainly_and_reopening_lets_people_in(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = intake_config(sandbox, tmp_path)
    cfg = str(config_file(config, tmp_path))
    async with running_app(config):
        await sandbox.wait_for_call("groups.getLongPollServer")
        code, _ = await founder(capsys, "signups", "close", "--hint", "в марте", "--config", cfg)
        assert code == 0
        newcomer = Relative(sandbox, 4201)
        closed = await newcomer.say(newcomer.words["hello"])
        assert "в марте" in closed[0]["text"]
        code, _ = await founder(capsys, "signups", "open", "--config", cfg)
        assert code == 0
        later = Relative(sandbox, 4202)
        await later.start()
        placed = await later.finish()
    assert "Номер заказа: 1" in placed[0]["text"]
