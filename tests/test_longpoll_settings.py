"""The Long Poll settings check at start: set what the suite needs; if VK refuses, name the feature that is
off in the log, `vkbot status` and `vkbot check-config`."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import Session

from tests.app_helpers import SANDBOX_GROUP_ID, eventually, running_app, sandbox_config, sandbox_environment
from vkbot.app import make_client
from vkbot.cli import main as vkbot
from vkbot.clock import ManualClock
from vkbot.ingress.settings_check import EVENT_FEATURES, ensure_longpoll_settings, load_report
from vkbot.sandbox import SandboxControl

NO_REPLY = "no message_reply: the bot cannot step back when the founder writes"
NO_COMMENTS = "no wall_reply_new: no comment moderation"


async def settings(vk_call: Any) -> dict[str, Any]:
    return (await vk_call("groups.getLongPollSettings", group_id=SANDBOX_GROUP_ID))["response"]


async def check(sandbox: SandboxControl, tmp_path: Path) -> Any:
    config = sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "files")
    clock = ManualClock()
    async with aiohttp.ClientSession() as http:
        client = make_client(http, config.vk.model_copy(update={"max_retries": 0}))
        try:
            report = await ensure_longpoll_settings(client, SANDBOX_GROUP_ID, clock)
        finally:
            await client.aclose()
    assert report.checked_at == clock.now()  # the time of the clock it was given
    return report


async def test_an_old_version_and_unticked_types_are_set_right(
    sandbox: SandboxControl, vk_call: Any, tmp_path: Path
) -> None:
    await vk_call(
        "groups.setLongPollSettings",
        group_id=SANDBOX_GROUP_ID,
        api_version="5.80",
        message_reply=0,
        wall_reply_new=0,
    )
    report = await check(sandbox, tmp_path)
    assert report.problems == [] and report.error is None
    assert set(report.changed) == {"api_version", "message_reply", "wall_reply_new"}
    now = await settings(vk_call)
    assert now["api_version"] == "5.199" and all(now["events"][name] == 1 for name in EVENT_FEATURES)
    again = await check(sandbox, tmp_path)
    assert again.changed == () and again.problems == []  # nothing to set twice


async def test_when_vk_refuses_each_feature_left_off_is_named(
    sandbox: SandboxControl, vk_call: Any, tmp_path: Path
) -> None:
    await vk_call("groups.setLongPollSettings", group_id=SANDBOX_GROUP_ID, message_reply=0, wall_reply_new=0)
    await sandbox.add_faults({"method": "groups.setLongPollSettings", "error_code": 15})
    report = await check(sandbox, tmp_path)
    assert report.problems == [NO_REPLY, NO_COMMENTS]
    assert report.off == ("message_reply", "wall_reply_new") and "15" in (report.error or "")
    assert (await settings(vk_call))["events"]["message_reply"] == 0


async def test_an_old_api_version_that_cannot_be_changed_is_said_plainly(
    sandbox: SandboxControl, vk_call: Any, tmp_path: Path
) -> None:
    await vk_call("groups.setLongPollSettings", group_id=SANDBOX_GROUP_ID, api_version="5.80")
    await sandbox.add_faults({"method": "groups.setLongPollSettings", "error_code": 15})
    (problem,) = (await check(sandbox, tmp_path)).problems
    assert "5.80 (below 5.103)" in problem and "silent" in problem


async def test_unreadable_and_unsettable_settings_ask_for_a_check_by_hand(
    sandbox: SandboxControl, tmp_path: Path
) -> None:
    await sandbox.add_faults(
        {"method": "groups.getLongPollSettings", "error_code": 15},
        {"method": "groups.setLongPollSettings", "error_code": 15},
    )
    report = await check(sandbox, tmp_path)
    assert report.enabled is None
    assert "Long Poll settings unknown" in report.problems[0] and "message_reply" in report.problems[0]


async def test_the_app_sets_them_at_start_and_status_and_check_config_say_what_is_off(
    sandbox: SandboxControl,
    vk_call: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: Any,
    monkeypatch: Any,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'app.db'}"
    config = sandbox_config(sandbox.url, db_url, tmp_path / "files")
    await vk_call("groups.setLongPollSettings", group_id=SANDBOX_GROUP_ID, message_reply=0)
    await sandbox.add_faults({"method": "groups.setLongPollSettings", "error_code": 15})
    with caplog.at_level(logging.WARNING, logger="vkbot.ingress.settings"):
        async with running_app(config) as app:

            async def reported() -> bool:
                with Session(app.engine) as session:
                    return load_report(session, SANDBOX_GROUP_ID) is not None

            await eventually(reported, timeout=20)
    assert NO_REPLY in caplog.text
    for name, value in sandbox_environment(sandbox.url, db_url, tmp_path / "files").items():
        monkeypatch.setenv(name, value)

    capsys.readouterr()
    assert await asyncio.to_thread(vkbot, ["status"]) == 0
    assert NO_REPLY in capsys.readouterr().out
    assert await asyncio.to_thread(vkbot, ["check-config"]) == 1
    assert NO_REPLY in capsys.readouterr().out
    assert await asyncio.to_thread(vkbot, ["check-config", "--vk"]) == 1  # VK itself, now
    assert NO_REPLY in capsys.readouterr().out

    await sandbox.clear_faults()  # the right is granted: the next start sets it
    async with running_app(config) as app:

        async def fixed() -> bool:
            with Session(app.engine) as session:
                report = load_report(session, SANDBOX_GROUP_ID)
            return report is not None and report["problems"] == [] and await _all_on(vk_call)

        await eventually(fixed, timeout=20)
    assert await asyncio.to_thread(vkbot, ["check-config"]) == 0
    assert "every event type the suite uses" in capsys.readouterr().out


async def _all_on(vk_call: Any) -> bool:
    return (await settings(vk_call))["events"]["message_reply"] == 1
