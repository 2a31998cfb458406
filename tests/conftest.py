"""Shared fixtures: the sandbox is started once per run and reset before each test that uses it.

- ``sandbox_server`` (session): a ``SandboxThread`` on a free port: group 1001, community token
  ``sandbox-community-token``, 20 requests/s, seed 1.
- ``sandbox_url`` (function): its root URL (no trailing slash), after a reset.
- ``sandbox`` (function): a ``SandboxControl`` on a fresh aiohttp session, after ``POST /sandbox/reset``.

Other areas add their fixtures in their own ``tests/conftest_*.py``-style plugin files or test modules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import requests

from vkbot.sandbox import SandboxControl, SandboxOptions, SandboxThread, start_sandbox_thread

SANDBOX_GROUP_ID = 1001
SANDBOX_TOKEN = "sandbox-community-token"


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxThread]:
    server = start_sandbox_thread(
        SandboxOptions(group_id=SANDBOX_GROUP_ID, community_token=SANDBOX_TOKEN, rate_per_s=20, seed=1)
    )
    yield server
    server.stop()


@pytest.fixture
def sandbox_url(sandbox_server: SandboxThread) -> str:
    requests.post(f"{sandbox_server.url}/sandbox/reset", timeout=10).raise_for_status()
    return sandbox_server.url


@pytest.fixture
async def sandbox(sandbox_server: SandboxThread) -> AsyncIterator[SandboxControl]:
    async with aiohttp.ClientSession() as session:
        control = SandboxControl(session, sandbox_server.url)
        await control.reset()
        yield control
