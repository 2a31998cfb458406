"""The dashboard without a browser: where the password may come from, what happens without one, that
signing in is logged without the password, and that every wording exists in the three languages.

Sessions, lockouts, accounts and the other guards are tested in ``test_dashboard_auth``."""

from __future__ import annotations

import asyncio
import logging
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from yarl import URL

import i18n
from moderation.browse import hidden_count
from moderation.models import ModItem
from tests.db_fixtures import db_url, engine  # noqa: F401  (fixtures)
from vkbot.clock import ManualClock
from vkbot.config import ConfigError, load_config
from vkbot.core.store.db import make_engine, migrate
from vkbot.dashboard.server import dashboard_server
from vkbot.ops.health import HealthSources

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "vkbot" / "dashboard" / "templates"
PASSWORD = "a long enough password"


def test_the_password_comes_only_from_the_environment_or_the_secrets_file(tmp_path: Path) -> None:
    committed = tmp_path / "config.toml"
    committed.write_text(f'[dashboard]\nenabled = true\npassword = "{PASSWORD}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(committed, environ={})
    assert "dashboard.password" in str(caught.value) and PASSWORD not in str(caught.value)

    committed.write_text("[dashboard]\nenabled = true\n", encoding="utf-8")
    from_env = load_config(committed, environ={"VKBOT_DASHBOARD__PASSWORD": PASSWORD})
    assert from_env.dashboard.password.get_secret_value() == PASSWORD
    assert PASSWORD not in repr(from_env)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[dashboard]\npassword = "{PASSWORD}"\n', encoding="utf-8")
    from_file = load_config(committed, environ={"VKBOT_SECRETS__FILE": str(secrets)})
    assert from_file.dashboard.password.get_secret_value() == PASSWORD


class _Listener:
    state = "polling"
    last_poll_at = None
    last_event_at = None
    consecutive_failures = 0
    ts = None


def _server(environ: dict[str, str], store: Engine) -> Any:
    config = load_config(None, environ={"VKBOT_DASHBOARD__ENABLED": "true", **environ})
    clock = ManualClock(datetime.now(UTC))
    return dashboard_server(
        config, store, HealthSources(store, 1, _Listener(), clock=clock), wake=lambda: None, clock=clock
    )


def test_without_a_password_the_dashboard_does_not_start_and_the_log_says_why(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    store = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with caplog.at_level(logging.ERROR, logger="vkbot.dashboard"):
        assert _server({}, store) is None
        assert _server({"VKBOT_DASHBOARD__PASSWORD": "pw7#x"}, store) is None
    assert "not started: no password is set" in caplog.text
    assert "VKBOT_DASHBOARD__PASSWORD" in caplog.text
    assert "shorter than 8 characters" in caplog.text and "pw7#x" not in caplog.text
    store.dispose()


async def test_signing_in_logs_the_address_never_the_password(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    store = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    migrate(store)
    server = _server({"VKBOT_DASHBOARD__PASSWORD": PASSWORD, "VKBOT_DASHBOARD__PORT": "0"}, store)
    stop = asyncio.Event()
    task = asyncio.create_task(server.run(stop))
    await asyncio.wait_for(server.started.wait(), 10)
    try:
        with caplog.at_level(logging.DEBUG):
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                async with http.get(f"{server.url}/login") as answer:
                    token = re.search(r'name="csrf" value="([^"]+)"', await answer.text())
                    assert token is not None
                for password in ("wrong guess", PASSWORD):
                    async with http.post(
                        f"{server.url}/login",
                        data={"csrf": token.group(1), "password": password},
                        allow_redirects=False,
                    ) as answer:
                        assert answer.status == (401 if password != PASSWORD else 302)
                        cookie = http.cookie_jar.filter_cookies(URL(server.url)).get("vkbot_session")
                        assert (cookie is not None) == (password == PASSWORD)
    finally:
        stop.set()
        await task
        store.dispose()
    assert "failed sign-in as 'founder' from 127.0.0.1" in caplog.text
    assert "founder signed in from 127.0.0.1" in caplog.text
    assert PASSWORD not in caplog.text and "wrong guess" not in caplog.text
    assert cookie is not None and cookie.value not in caplog.text


def _keys(lang: str) -> set[str]:
    tree = tomllib.loads((ROOT / "i18n" / "locales" / lang / "dashboard.toml").read_text(encoding="utf-8"))

    def walk(node: dict[str, Any], prefix: str) -> set[str]:
        found: set[str] = set()
        for key, value in node.items():
            found |= walk(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}"}
        return found

    return walk(tree, "")


def test_every_dashboard_wording_exists_in_russian_ukrainian_and_english() -> None:
    ru = _keys("ru")
    assert _keys("uk") == ru and _keys("en") == ru
    used = {
        key
        for template in TEMPLATES.glob("*.html")
        for key in re.findall(r'\bt\("([a-z_.]+)"[,)]', template.read_text(encoding="utf-8"))
    }
    assert len(used) > 30
    for key in used:
        assert i18n.has(key, "ru"), key
    # Keys built in templates from data: every order status, consent answer and review notice.
    import waitlist
    from vkbot.dashboard.review import NOTICES
    from vkbot.dashboard.web import ERROR_PAGES

    built = (
        {f"dashboard.status.{s}" for s in waitlist.STATUSES}
        | {f"dashboard.publish.{a}" for a in ("yes", "no", "unknown")}
        | {f"dashboard.review.notice.{n}" for n in NOTICES}
        | {f"dashboard.orders.clip_sent_{w}" for w in ("sent", "window", "next_message")}
        | set(ERROR_PAGES.values())
    )
    assert built <= ru


def _item(author_id: int, status: str) -> ModItem:
    return ModItem(
        source_key=f"evt:{author_id}",
        channel="message",
        author_id=author_id,
        peer_id=author_id,
        text="...",
        status=status,
        created_at=datetime.now(UTC),
    )


def test_hidden_count_counts_what_is_out_of_her_sight(engine: Engine) -> None:  # noqa: F811
    with Session(engine) as session:
        assert hidden_count(session) == 0
        statuses = ["quarantined", "hidden_by_founder", "restored", "flagged", "ok", "quarantined"]
        session.add_all(_item(7000 + i, status) for i, status in enumerate(statuses))
        session.commit()
        assert hidden_count(session) == 3
