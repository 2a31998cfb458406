"""Two `vkbot run` processes on one PostgreSQL database, one killed with SIGKILL mid-stream (bench/scale.py's run).

Relatives go through the whole intake dialog while strangers write between; a third of the way
through, one process is killed and not restarted. The other finishes every dialog; within each peer
events are processed in storage order; nothing is sent twice; VK never answers error 6.
"""

from __future__ import annotations

import argparse

import aiohttp
import pytest

from bench.scale import failed_checks, run_dialogs
from tests.db_fixtures import PG_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="VKBOT_TEST_PG_URL not set (.ci/run starts PostgreSQL)"),
]


async def test_two_processes_one_killed_finish_every_dialog_in_order(sandbox) -> None:
    args = argparse.Namespace(intakes=6, messages=16, seconds=5.0, seed=3)
    async with aiohttp.ClientSession() as http:
        result = await run_dialogs(sandbox.url, http, PG_URL or "", 2, args)
    assert result["killed"] == 1 and result["finished"] == 6
    assert failed_checks(result) == [], result
