"""Shared fixtures: the sandbox is started once per run and reset before each test that uses it.

- ``sandbox_server`` (session): a ``SandboxThread`` on a free port: group 1001, community token
  ``sandbox-community-token``, 20 requests/s, seed 1.
- ``sandbox_url`` (function): its root URL (no trailing slash), after a reset.
- ``sandbox`` (function): a ``SandboxControl`` on a fresh aiohttp session, after ``POST /sandbox/reset``.
- ``vk_call`` (function): ``await vk_call(method, token=..., **params)`` -> the raw VK answer (after a reset).

Other areas add their fixtures in their own ``tests/conftest_*.py``-style plugin files or test modules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

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


VkCall = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def vk_call(sandbox: SandboxControl) -> AsyncIterator[VkCall]:
    """``await vk_call("messages.send", peer_id=1, ...)`` -> the raw VK envelope; ``token=`` picks the caller."""
    async with aiohttp.ClientSession() as session:

        async def call(method: str, token: str | None = SANDBOX_TOKEN, **params: Any) -> dict[str, Any]:
            data = {k: str(v) for k, v in params.items()}
            data["v"] = "5.199"
            if token is not None:
                data["access_token"] = token
            async with session.post(f"{sandbox.url}/method/{method}", data=data) as resp:
                return await resp.json()

        yield call
