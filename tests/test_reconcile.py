"""Reconciliation against the sandbox: VK's unanswered conversations vs. what the suite stored and answered.

A relative answered, a troll hidden on purpose, a conversation the founder took over, and a message that
arrived while the suite was down: only the last two are gaps, the troll is a number.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.app_helpers import SANDBOX_TOKEN, running_app
from tests.test_intake_sandbox import Relative, intake_config
from tests.test_orders_cli import config_file, founder
from vkbot.api.client import VkClient
from vkbot.core.store.models import OutboxRow
from vkbot.ops.jobs import reconcile_once
from vkbot.ops.reconcile import ConversationGap, ReconcileReport
from vkbot.sandbox import SandboxControl

THREAT = "чтоб ты сдохла со своими видео"
FOUNDER = 1


async def test_reconcile_reports_what_nobody_answered_and_counts_hidden_abuse(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = intake_config(sandbox, tmp_path)
    cfg = str(config_file(config, tmp_path))
    answered, taken_over, late = Relative(sandbox, 6001), Relative(sandbox, 6002), Relative(sandbox, 6003)
    async with running_app(config):
        await sandbox.wait_for_call("groups.getLongPollServer")
        await answered.say(answered.words["hello"])
        await taken_over.say(taken_over.words["hello"])
        await sandbox.inject_message(6004, THREAT)
        await sandbox.admin_message(taken_over.user_id, "Здравствуйте, это Ольга, я сама вам отвечу.")
        await asyncio.sleep(0.5)  # the founder's message is stored: the bot steps back
        await sandbox.inject_message(taken_over.user_id, "Спасибо, Ольга! Когда вам удобно поговорить?")
        await asyncio.sleep(1.0)
    await sandbox.inject_message(late.user_id, late.words["hello"])  # the suite is down

    code, out = await founder(capsys, "reconcile", "--grace", "0", "--json", "--config", cfg)
    assert code == 1, "gaps make a non-zero exit (for cron and scripts)"
    report = json.loads(out)
    gaps = {g["peer_id"]: g["reason"] for g in report["gaps"]}
    assert gaps == {taken_over.user_id: "waiting_for_founder", late.user_id: "not_stored"}
    assert report["hidden"] == 1, "the threat is left unanswered on purpose and only counted"
    code, out = await founder(capsys, "reconcile", "--grace", "0", "--config", cfg)
    assert code == 1 and "1 hidden abuse" in out and str(THREAT) not in out

    # Back up, the suite catches up with the late message; the founder's conversation stays hers.
    async with running_app(config):
        await late.answers()
    code, out = await founder(capsys, "reconcile", "--grace", "0", "--json", "--config", cfg)
    report = json.loads(out)
    assert [(g["peer_id"], g["reason"]) for g in report["gaps"]] == [
        (taken_over.user_id, "waiting_for_founder")
    ]


async def test_the_daily_job_tells_the_founder_once_a_day_without_the_texts(
    sandbox: SandboxControl, tmp_path: Path
) -> None:
    config = intake_config(sandbox, tmp_path)
    async with running_app(config) as app:
        await sandbox.wait_for_call("groups.getLongPollServer")
    await sandbox.inject_message(6101, "Здравствуйте, вы тут? Мне очень тяжело")  # the suite is down
    async with aiohttp.ClientSession() as http:
        client = VkClient(http, base_url=config.vk.api_base_url, token=SANDBOX_TOKEN)
        try:
            fresh = await reconcile_once(app.engine, client, app.clock, founder_user_id=FOUNDER)
            assert fresh.gaps == [] and fresh.in_flight == 1, "a message of a moment ago is in flight"
            for _ in range(2):  # the job may run more than once a day
                late = await reconcile_once(app.engine, client, app.clock, founder_user_id=FOUNDER, grace_s=0)
                assert [g.reason for g in late.gaps] == ["not_stored"]
        finally:
            await client.aclose()
    with Session(app.engine) as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.peer_id == FOUNDER)).all()
    assert len(rows) == 1
    assert "6101" in rows[0].params["message"] and "тяжело" not in rows[0].params["message"]


@pytest.mark.parametrize(
    ("lang", "heading", "reason"),
    [
        ("ru", "Сверка с VK: 31 разговор(ов) без ответа.", "бот не ответил"),
        ("uk", "Звірка з VK: 31 розмов(и) без відповіді.", "бот не відповів"),
        ("en", "Check against VK: 31 conversation(s) without an answer.", "the bot did not answer"),
    ],
)
def test_the_founders_report_is_in_her_language_and_bounded(lang: str, heading: str, reason: str) -> None:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    report = ReconcileReport(
        gaps=[ConversationGap(7000 + i, "no_reply", moment) for i in range(31)], hidden=2
    )
    lines = report.founder_text(lang).splitlines()
    assert lines[0] == heading
    assert lines[1] == f"• vk.com/gim?sel=7000: {reason}"
    assert (
        len(lines) == 1 + 30 + 2
    )  # at most 30 conversations listed, then "and 1 more", then the hidden count
    assert "1" in lines[-2] and "2" in lines[-1]
