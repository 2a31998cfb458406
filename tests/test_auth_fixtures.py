"""Shared by the auth tests: a config pointing at the sandbox's VK ID, and `vkbot connect` run end to end."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.conftest import SANDBOX_GROUP_ID, SANDBOX_TOKEN
from tests.db_fixtures import db_url  # noqa: F401
from vkbot.auth.secretbox import SecretBox, new_key
from vkbot.clock import SystemClock
from vkbot.commands import connect as connect_command
from vkbot.core.store.db import make_engine
from vkbot.sandbox import SandboxControl

CLIENT_ID = "51234567"
REDIRECT_URI = "http://localhost:8765/callback"


@dataclass
class AuthEnv:
    config_path: Path
    db_url: str
    key: str
    sandbox: SandboxControl

    def raw_row(self, engine: Engine) -> dict[str, object]:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM vk_auth_tokens WHERE name = 'admin'")).mappings().one()
        return dict(row)

    def stored_refresh_token(self, engine: Engine) -> str:
        return SecretBox(self.key).decrypt(str(self.raw_row(engine)["refresh_token_enc"]))


def run_command(*argv: str) -> int:
    """The `vkbot connect`/`disconnect` handlers as the CLI runs them (parsed from argv)."""
    parser = argparse.ArgumentParser(prog="vkbot")
    connect_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    args.clock = SystemClock()  # as vkbot.cli.main gives every command (VK ID's sandbox runs on real time)
    return int(args.func(args))


@pytest.fixture
def auth_env(
    sandbox: SandboxControl,
    db_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AuthEnv:
    key = new_key()
    monkeypatch.setenv("VKBOT_SECRET_KEY", key)
    path = tmp_path / "vkbot.toml"
    path.write_text(
        f"""
[vk]
api_base_url = "{sandbox.url}/method/"
group_id = {SANDBOX_GROUP_ID}
token = "{SANDBOX_TOKEN}"
oauth_base_url = "{sandbox.url}/"
app_client_id = "{CLIENT_ID}"
redirect_uri = "{REDIRECT_URI}"

[storage]
database_url = "{db_url}"
""",
        encoding="utf-8",
    )
    return AuthEnv(path, db_url, key, sandbox)


async def follow_authorize_link(link: str) -> str:
    """Act as the admin's browser: open the link, return where VK ID redirects (without following it)."""
    async with aiohttp.ClientSession() as session, session.get(link, allow_redirects=False) as resp:
        assert resp.status == 302, await resp.text()
        return resp.headers["Location"]


async def print_link(env: AuthEnv, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert (
        await asyncio.to_thread(run_command, "connect", "--config", str(env.config_path), "--print-link") == 0
    )
    return capsys.readouterr().out.strip().splitlines()[-1]


async def connect_admin(env: AuthEnv, capsys: pytest.CaptureFixture[str]) -> str:
    """`vkbot connect --print-link`, the browser, then `vkbot connect --redirect-url`; returns the output."""
    location = await follow_authorize_link(await print_link(env, capsys))
    status = await asyncio.to_thread(
        run_command, "connect", "--config", str(env.config_path), "--redirect-url", location
    )
    out = capsys.readouterr()
    assert status == 0, out.err
    return out.out + out.err


@pytest.fixture
async def connected(auth_env: AuthEnv, capsys: pytest.CaptureFixture[str]) -> AsyncIterator[AuthEnv]:
    await connect_admin(auth_env, capsys)
    yield auth_env


@pytest.fixture
def auth_engine(auth_env: AuthEnv) -> Iterator[Engine]:
    engine = make_engine(auth_env.db_url)
    yield engine
    engine.dispose()
