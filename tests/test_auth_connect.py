"""`vkbot connect` through the sandbox's VK ID: the link, the redirect, the exchange, encrypted storage, status."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.engine import Engine

from tests.test_auth_fixtures import (  # noqa: F401
    CLIENT_ID,
    REDIRECT_URI,
    AuthEnv,
    auth_engine,
    auth_env,
    connect_admin,
    db_url,
    follow_authorize_link,
    print_link,
    run_command,
)
from vkbot.auth.pkce import challenge_s256
from vkbot.auth.secretbox import SecretBox


async def test_the_admin_connects_and_the_tokens_are_stored_encrypted(
    auth_env: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    vk_call,
) -> None:
    link = await print_link(auth_env, capsys)
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert link.startswith(f"{auth_env.sandbox.url}/authorize?")
    assert query["client_id"] == CLIENT_ID and query["redirect_uri"] == REDIRECT_URI
    assert query["code_challenge_method"] == "s256" and query["response_type"] == "code"
    pending = auth_env.raw_row(auth_engine)
    # The verifier waits encrypted; its challenge is the one in the link.
    verifier = SecretBox(auth_env.key).decrypt(str(pending["pending_verifier_enc"]))
    assert verifier not in str(pending) and challenge_s256(verifier) == query["code_challenge"]

    location = await follow_authorize_link(link)
    assert location.startswith(REDIRECT_URI)
    status = await asyncio.to_thread(
        run_command, "connect", "--config", str(auth_env.config_path), "--redirect-url", location
    )
    out = capsys.readouterr()
    assert status == 0, out.err
    assert "connected: VK user 1" in out.out

    row = auth_env.raw_row(auth_engine)
    box = SecretBox(auth_env.key)
    refresh = box.decrypt(str(row["refresh_token_enc"]))
    access = box.decrypt(str(row["access_token_enc"]))
    assert refresh.startswith("vk1.r.") and access.startswith("vk1.a.")
    raw_text = " ".join(str(v) for v in row.values())
    assert refresh not in raw_text and access not in raw_text
    assert refresh not in out.out + out.err and access not in out.out + out.err
    assert row["pending_verifier_enc"] is None and row["user_id"] == 1 and row["device_id"]
    # What was stored is a live token of the admin.
    me = await vk_call("users.get", token=access)
    assert me["response"][0]["id"] == 1


async def test_status_tells_the_state_without_secrets(
    auth_env: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = str(auth_env.config_path)
    assert await asyncio.to_thread(run_command, "connect", "--config", config, "--status") == 0
    assert "not connected (run `vkbot connect`)" in capsys.readouterr().out

    await connect_admin(auth_env, capsys)
    assert await asyncio.to_thread(run_command, "connect", "--config", config, "--status", "--json") == 0
    out = capsys.readouterr().out
    shown = json.loads(out)
    assert shown["token"]["connected"] is True and shown["token"]["user_id"] == 1
    assert all(cap["ok"] for cap in shown["capabilities"].values()), shown["capabilities"]
    assert auth_env.stored_refresh_token(auth_engine) not in out

    assert await asyncio.to_thread(run_command, "disconnect", "--config", config) == 0
    assert "forgotten" in capsys.readouterr().out
    assert await asyncio.to_thread(run_command, "connect", "--config", config, "--status", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["token"]["connected"] is False
    assert shown["capabilities"]["wall_post"]["reason"] == (
        "posting clips to the wall needs the admin user token: run `vkbot connect`"
    )


async def test_a_redirect_answering_an_older_link_is_refused(
    auth_env: AuthEnv,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = await follow_authorize_link(await print_link(auth_env, capsys))
    await print_link(auth_env, capsys)  # a newer link replaces the first
    status = await asyncio.to_thread(
        run_command, "connect", "--config", str(auth_env.config_path), "--redirect-url", old
    )
    assert status == 1
    assert "answers another link" in capsys.readouterr().err


async def test_a_missing_secret_key_is_a_clear_error_naming_the_variable(
    auth_env: AuthEnv,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VKBOT_SECRET_KEY")
    status = await asyncio.to_thread(run_command, "connect", "--config", str(auth_env.config_path))
    out = capsys.readouterr()
    assert status == 2
    assert "VKBOT_SECRET_KEY is not set" in out.err and "vkbot connect --new-key" in out.err
    assert out.out == ""  # no link is printed that could not be finished


async def test_the_admin_pastes_the_redirect_on_stdin(
    auth_env: AuthEnv,  # noqa: F811
    auth_engine: Engine,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read_end, write_end = os.pipe()
    monkeypatch.setattr(sys, "stdin", os.fdopen(read_end))
    capsys.readouterr()
    command = asyncio.ensure_future(
        asyncio.to_thread(run_command, "connect", "--config", str(auth_env.config_path))
    )
    link = ""
    for _ in range(200):  # the command prints the link, then waits for the pasted address
        link = next((line for line in capsys.readouterr().out.splitlines() if "/authorize?" in line), "")
        if link:
            break
        await asyncio.sleep(0.05)
    assert link, "no authorize link was printed"
    location = await follow_authorize_link(link)
    os.write(write_end, f"  {location}\n".encode())
    os.close(write_end)
    assert await asyncio.wait_for(command, 30) == 0
    assert auth_env.stored_refresh_token(auth_engine).startswith("vk1.r.")
