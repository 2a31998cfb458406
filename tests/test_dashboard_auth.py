"""The dashboard's accounts and guards, through aiohttp's test client (no browser): each test here would
have failed against the single-password dashboard (open redirect, no Host check, signed-out cookies alive
after a restart, lockouts that lock her out and are forgotten, no roles, no audit).

A "restart" is a second dashboard built on the same database; a "browser" is a cookie jar.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import re
import tomllib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlalchemy import MetaData, create_engine, inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select
from yarl import URL

import i18n
from moderation.models import ModItem
from vkbot.cli import main
from vkbot.clock import ManualClock
from vkbot.config import load_config
from vkbot.core.store.db import make_engine, migrate
from vkbot.dashboard import accounts, login
from vkbot.dashboard.context import Dashboard
from vkbot.dashboard.lockout import DEVICE_COOKIE, LockoutPolicy
from vkbot.dashboard.models import DashAccount, DashAudit
from vkbot.dashboard.network import safe_next
from vkbot.dashboard.server import dashboard_server
from vkbot.dashboard.settings import DashboardSettings
from vkbot.dashboard.web import dashboard_app
from vkbot.ops.health import HealthSources
from vkbot.ops.jobs import sweep_once
from waitlist.filestore import LocalFileStore
from waitlist.settings import WaitlistSettings

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "the founder's long password"
HELPER_PASSWORD = "anna's own password"
ABUSE = "Ты тупая мразь"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class _Listener:
    state = "polling"
    last_poll_at = None
    last_event_at = None
    consecutive_failures = 0
    ts = None


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id still, at its smallest cost: the tests sign in some fifty times on a shared machine."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'dashboard.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 7, 12, tzinfo=UTC))


def build(store: Engine, clock: ManualClock, password: str = PASSWORD, **dashboard: Any) -> Dashboard:
    """The dashboard as ``vkbot run`` builds it (its start syncs her password), answering without delays."""
    settings = DashboardSettings(enabled=True, port=0, password=SecretStr(password), **dashboard)
    config = load_config(None, environ={}).model_copy(update={"dashboard": settings})
    server = dashboard_server(
        config, store, HealthSources(store, 1, _Listener(), clock=clock), wake=lambda: None, clock=clock
    )
    assert server is not None
    server.dashboard.lockout = LockoutPolicy(step_s=0.0, max_delay_s=0.0)
    return server.dashboard


@asynccontextmanager
async def browser(dashboard: Dashboard) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(dashboard_app(dashboard))) as client:
        yield client


async def sign_in(
    client: TestClient[Any, Any], name: str = "", password: str = PASSWORD, **kwargs: Any
) -> int:
    async with client.get("/login", **kwargs) as answer:
        token = CSRF.search(await answer.text())
    assert token is not None
    form = {"csrf": token.group(1), "name": name, "password": password}
    async with client.post("/login", data=form, allow_redirects=False, **kwargs) as answer:
        return answer.status


async def csrf_of(client: TestClient[Any, Any], path: str = "/queue") -> str:
    async with client.get(path) as answer:
        assert answer.status == 200, path
        token = CSRF.search(await answer.text())
    assert token is not None
    return token.group(1)


def cookie(client: TestClient[Any, Any], name: str) -> str:
    found = client.session.cookie_jar.filter_cookies(client.make_url("/")).get(name)
    assert found is not None, name
    return found.value


def add_helper(store: Engine, name: str = "anna", password: str = HELPER_PASSWORD) -> None:
    with Session(store) as session:
        accounts.add_helper(session, name, password, datetime.now(UTC))
        session.commit()


async def signed_in_page(client: TestClient[Any, Any], path: str = "/queue") -> bool:
    async with client.get(path, allow_redirects=False) as answer:
        return answer.status == 200


# -- open redirect, Host, proxies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/inbox", "/inbox"),
        ("/orders/5?done=status", "/orders/5?done=status"),
        ("/\t/evil.example", "/queue"),
        ("/\n/evil.example", "/queue"),
        ("/%09/evil.example", "/queue"),
        ("//evil.example/x", "/queue"),
        ("/\\evil.example", "/queue"),
        ("/%5Cevil.example", "/queue"),
        ("/%2F/evil.example", "/queue"),
        ("https://evil.example", "/queue"),
        ("javascript:alert(1)", "/queue"),
        (None, "/queue"),
    ],
)
def test_next_is_a_path_on_this_site_as_a_browser_reads_it(target: str | None, expected: str) -> None:
    assert safe_next(target, "/queue") == expected


async def test_the_language_switch_does_not_redirect_to_another_site(
    store: Engine, clock: ManualClock
) -> None:
    async with browser(build(store, clock)) as client:
        for query in (
            "next=/%09/evil.com",
            "next=/%0A/evil.com",
            "next=/%5C/evil.com",
            "next=%2F%2Fevil.com",
        ):
            async with client.get(URL(f"/lang/en?{query}", encoded=True), allow_redirects=False) as answer:
                assert answer.status == 302
                assert answer.headers["Location"] == login.HOME, query
        async with client.get("/lang/uk?next=/inbox", allow_redirects=False) as answer:
            assert answer.headers["Location"] == "/inbox"


async def test_a_request_naming_another_host_is_refused(store: Engine, clock: ManualClock) -> None:
    dashboard = build(store, clock, allowed_hosts=["Dash.Example.org"])
    async with browser(dashboard) as client:
        for host, status in (
            ("evil.example", 400),
            ("evil.example:8082", 400),
            ("127.0.0.1.evil.example", 400),
            ("", 400),
            ("localhost:8082", 200),
            ("[::1]:8082", 200),
            ("dash.example.org", 200),
        ):
            async with client.get("/login", headers={"Host": host}) as answer:
                assert answer.status == status, host
        # Signed in, a rebinding page still gets nothing: the Host is checked before the session.
        assert await sign_in(client) == 302
        async with client.get("/review", headers={"Host": "evil.example"}) as answer:
            assert answer.status == 400
            assert ABUSE not in await answer.text()


async def lang_cookie(client: TestClient[Any, Any], headers: dict[str, str]) -> str:
    async with client.get("/lang/en?next=/queue", headers=headers, allow_redirects=False) as answer:
        [line] = answer.headers.getall("Set-Cookie")
    return line


async def test_forwarded_headers_are_believed_only_from_a_trusted_proxy(
    store: Engine, clock: ManualClock
) -> None:
    guesser, her = {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "198.51.100.7"}
    async with browser(build(store, clock, trusted_proxies=["127.0.0.0/8"])) as client:
        for n in range(10):  # ten names, so only the address collects failures
            assert await sign_in(client, f"guess{n}", "wrong", headers=guesser) == 401
        assert await sign_in(client, password=PASSWORD, headers=guesser) == 429
        assert await sign_in(client, password=PASSWORD, headers=her) == 302
        with Session(store) as session:
            addresses = {row.address for row in session.exec(select(DashAudit))}
        assert {"203.0.113.5", "198.51.100.7"} <= addresses
        assert "Secure" in await lang_cookie(client, {"X-Forwarded-Proto": "https"})
        assert "Secure" not in await lang_cookie(client, {})

    async with browser(build(store, clock, trusted_proxies=["192.0.2.1"])) as client:
        for n in range(10):  # a client writing its own X-Forwarded-For does not get a fresh address
            assert (
                await sign_in(client, f"other{n}", "wrong", headers={"X-Forwarded-For": f"192.0.2.{n + 10}"})
                == 401
            )
        assert await sign_in(client, headers=her) == 429
        assert "Secure" not in await lang_cookie(client, {"X-Forwarded-Proto": "https"})


async def test_the_secure_setting_marks_every_cookie_secure(store: Engine, clock: ManualClock) -> None:
    async with browser(build(store, clock, secure_cookies=True)) as client:
        async with client.get("/login") as answer:
            form = {"csrf": CSRF.search(await answer.text()).group(1), "password": PASSWORD}  # type: ignore[union-attr]
            login_cookie = answer.cookies["vkbot_login"]
        async with client.post(
            "/login", data=form, allow_redirects=False, cookies={"vkbot_login": login_cookie.value}
        ) as answer:
            assert answer.status == 302
            lines = answer.headers.getall("Set-Cookie")
        assert {"vkbot_session", DEVICE_COOKIE} <= {line.split("=")[0] for line in lines}
        assert all("Secure" in line and "HttpOnly" in line and "SameSite=Strict" in line for line in lines)


# -- sessions -----------------------------------------------------------------------------------------


async def test_signing_out_ends_the_session_on_the_server_even_across_a_restart(
    store: Engine, clock: ManualClock
) -> None:
    async with browser(build(store, clock)) as first, browser(build(store, clock)) as second:
        assert await sign_in(first) == 302 and await sign_in(second) == 302
        ended, kept = cookie(first, "vkbot_session"), cookie(second, "vkbot_session")
        async with first.post(
            "/logout", data={"csrf": await csrf_of(first)}, allow_redirects=False
        ) as answer:
            assert answer.status == 302
        first.session.cookie_jar.update_cookies({"vkbot_session": ended})  # a copy kept by someone
        assert not await signed_in_page(first)

    async with browser(build(store, clock)) as restarted:  # the suite restarted, no secret key configured
        restarted.session.cookie_jar.update_cookies({"vkbot_session": ended})
        assert not await signed_in_page(restarted), "a signed-out session came back after a restart"
        restarted.session.cookie_jar.update_cookies({"vkbot_session": kept})
        assert await signed_in_page(restarted), "a live session survives the restart"
        clock.advance(hours=12, seconds=1)
        assert not await signed_in_page(restarted), "and expires"


async def test_a_new_password_or_a_removal_ends_that_accounts_sessions(
    store: Engine, clock: ManualClock
) -> None:
    add_helper(store)
    add_helper(store, "boris", "boris's own password")
    dashboard = build(store, clock)
    async with browser(dashboard) as her, browser(dashboard) as anna, browser(dashboard) as boris:
        assert await sign_in(her) == 302
        assert await sign_in(anna, "Anna", HELPER_PASSWORD) == 302, "names are not case-sensitive"
        assert await sign_in(boris, "boris", "boris's own password") == 302
        csrf = await csrf_of(her, "/accounts")
        form = {"csrf": csrf, "password": "a brand new one!", "repeat": "a brand new one!"}
        async with her.post("/accounts/anna/password", data=form, allow_redirects=False) as answer:
            assert answer.status == 302
        assert not await signed_in_page(anna) and await signed_in_page(boris)
        assert await sign_in(anna, "anna", HELPER_PASSWORD) == 401
        assert await sign_in(anna, "anna", "a brand new one!") == 302
        async with her.post("/accounts/anna/remove", data={"csrf": csrf}, allow_redirects=False) as answer:
            assert answer.status == 302
        assert not await signed_in_page(anna) and await signed_in_page(boris)
        assert await sign_in(anna, "anna", "a brand new one!") == 401
        hers, boris_session = cookie(her, "vkbot_session"), cookie(boris, "vkbot_session")

    # Her configured password changed: the next start ends her sessions (not the helpers').
    async with browser(build(store, clock, password="her new password!")) as restarted:
        restarted.session.cookie_jar.update_cookies({"vkbot_session": hers})
        assert not await signed_in_page(restarted)
        restarted.session.cookie_jar.update_cookies({"vkbot_session": boris_session})
        assert await signed_in_page(restarted)
        restarted.session.cookie_jar.clear()
        assert await sign_in(restarted, password=PASSWORD) == 401
        assert await sign_in(restarted, password="her new password!") == 302


# -- lockouts -----------------------------------------------------------------------------------------


async def test_a_guesser_cannot_lock_her_out_and_a_restart_does_not_forget_him(
    store: Engine, clock: ManualClock
) -> None:
    async with browser(build(store, clock)) as her:
        assert await sign_in(her) == 302
        device = cookie(her, DEVICE_COOKIE)
    async with browser(build(store, clock)) as guesser:  # behind her address (same 127.0.0.1)
        for _ in range(10):
            assert await sign_in(guesser, "founder", "guess") == 401
        assert await sign_in(guesser) == 429, "untrusted attempts on her account are locked"

    async with browser(build(store, clock)) as restarted:  # a restart forgets nothing
        assert await sign_in(restarted) == 429
        restarted.session.cookie_jar.clear()
        restarted.session.cookie_jar.update_cookies({DEVICE_COOKIE: device})
        assert await sign_in(restarted) == 302, "her own browser gets in all the same"
        clock.advance(minutes=11)
        restarted.session.cookie_jar.clear()
        assert await sign_in(restarted, "founder", "wrong") == 401, "the lock ends with its window"
        assert await sign_in(restarted) == 302


async def test_guesses_sent_all_at_once_get_no_more_tries(store: Engine, clock: ManualClock) -> None:
    async with browser(build(store, clock)) as guesser:
        async with guesser.get("/login") as answer:
            form = {"csrf": CSRF.search(await answer.text()).group(1), "password": "guess"}  # type: ignore[union-attr]

        async def guess() -> int:
            async with guesser.post("/login", data=form, allow_redirects=False) as answer:
                return answer.status

        statuses = await asyncio.gather(*(guess() for _ in range(16)))
    assert sorted(statuses) == [401] * 10 + [429] * 6


async def test_a_device_cookie_buys_no_more_guesses_than_anyone_gets(
    store: Engine, clock: ManualClock
) -> None:
    add_helper(store)
    async with browser(build(store, clock)) as stolen:
        assert await sign_in(stolen, "anna", HELPER_PASSWORD) == 302
        device = cookie(stolen, DEVICE_COOKIE)
        stolen.session.cookie_jar.clear()
        stolen.session.cookie_jar.update_cookies({DEVICE_COOKIE: device})
        for _ in range(10):
            assert await sign_in(stolen, "anna", "guess") == 401
        assert await sign_in(stolen, "anna", HELPER_PASSWORD) == 429, "this device is locked"
        assert await sign_in(stolen, "founder") == 302, "and only for its own account"


# -- accounts, roles, audit ---------------------------------------------------------------------------


def _hidden_item(store: Engine) -> int:
    with Session(store) as session:
        item = ModItem(
            source_key="evt:1",
            channel="message",
            author_id=7001,
            peer_id=7001,
            text=ABUSE,
            status="quarantined",
            categories=["insult"],
            created_at=datetime.now(UTC),
        )
        session.add(item)
        session.commit()
        assert item.id is not None
        return item.id


async def test_the_founder_sees_counts_a_helper_the_texts_and_the_records_name_who_acted(
    store: Engine, clock: ManualClock
) -> None:
    add_helper(store)
    first, second = _hidden_item(store), None
    with Session(store) as session:
        second_item = ModItem(
            source_key="evt:2",
            channel="message",
            author_id=7002,
            text=ABUSE + "!",
            status="quarantined",
            categories=["insult"],
            created_at=datetime.now(UTC),
        )
        session.add(second_item)
        session.commit()
        second = second_item.id
    dashboard = build(store, clock)
    async with browser(dashboard) as her, browser(dashboard) as anna:
        assert await sign_in(her) == 302 and await sign_in(anna, "anna", HELPER_PASSWORD) == 302
        async with her.get("/review") as answer:
            page = await answer.text()
        assert ABUSE not in page
        assert re.search(r'id="hidden-counts">\s*<li>[^<]+: 2</li>', page), "her page counts them"
        assert 'href="/accounts"' in page
        async with anna.get("/review") as answer:
            page = await answer.text()
        assert ABUSE in page and 'href="/accounts"' not in page

        # A helper cannot manage accounts, by page or by form.
        async with anna.get("/accounts") as answer:
            assert answer.status == 403
        form = {"csrf": await csrf_of(anna), "name": "mallory", "password": "x" * 12, "repeat": "x" * 12}
        async with anna.post("/accounts/add", data=form, allow_redirects=False) as answer:
            assert answer.status == 403
        async with anna.post(f"/review/{first}/restore", data={}, allow_redirects=False) as answer:
            assert answer.status == 403, "a form without its CSRF token"
        async with anna.post(
            f"/review/{first}/restore", data={"csrf": await csrf_of(her)}, allow_redirects=False
        ) as answer:
            assert answer.status == 403, "another session's CSRF token"

        async with anna.post(
            f"/review/{first}/restore", data={"csrf": await csrf_of(anna)}, allow_redirects=False
        ) as answer:
            assert answer.status == 302
        async with her.get(f"/review/{second}") as answer:
            assert ABUSE in await answer.text(), "she reads one when she clicks"
        async with her.post(
            f"/review/{second}/confirm", data={"csrf": await csrf_of(her)}, allow_redirects=False
        ) as answer:
            assert answer.status == 302
    async with browser(dashboard) as stranger:
        assert await sign_in(stranger, "anna", "not her password") == 401

    with Session(store) as session:
        assert session.get(ModItem, first).reviewed_by == "assistant:anna"  # type: ignore[union-attr]
        assert session.get(ModItem, second).reviewed_by == "founder"  # type: ignore[union-attr]
        assert session.get(DashAccount, "mallory") is None
        trail = [
            (r.actor, r.action, r.status) for r in session.exec(select(DashAudit).order_by(col(DashAudit.id)))
        ]
    assert ("assistant:anna", "GET /accounts", 403) not in trail, "pages read are not actions"
    assert ("assistant:anna", "POST /accounts/add", 403) in trail
    assert ("assistant:anna", f"POST /review/{first}/restore", 403) in trail
    assert ("assistant:anna", f"POST /review/{first}/restore", 302) in trail
    assert ("founder", f"reveal /review/{second}", 200) in trail
    assert ("founder", f"POST /review/{second}/confirm", 302) in trail
    assert ("anna", "POST /login", 401) in trail
    assert not any("password" in action for _, action, _ in trail)


async def test_the_founder_adds_a_helper_whose_password_is_stored_as_argon2(
    store: Engine, clock: ManualClock
) -> None:
    async with browser(build(store, clock)) as her:
        assert await sign_in(her) == 302
        csrf = await csrf_of(her, "/accounts")
        for form, error in (
            ({"name": "Ann Smith", "password": HELPER_PASSWORD, "repeat": HELPER_PASSWORD}, "error.name"),
            ({"name": "founder", "password": HELPER_PASSWORD, "repeat": HELPER_PASSWORD}, "error.taken"),
            ({"name": "anna", "password": "short", "repeat": "short"}, "error.short"),
            ({"name": "anna", "password": HELPER_PASSWORD, "repeat": "typo"}, "error.repeat"),
        ):
            async with her.post("/accounts/add", data={"csrf": csrf, **form}) as answer:
                assert answer.status == 400
                assert i18n.text(f"dashboard.accounts.{error}", "ru") in await answer.text()
        form = {"csrf": csrf, "name": "Анна", "password": HELPER_PASSWORD, "repeat": HELPER_PASSWORD}
        async with her.post("/accounts/add", data=form, allow_redirects=False) as answer:
            assert answer.headers["Location"] == "/accounts?done=added"
        async with her.get("/accounts") as answer:
            page = await answer.text()
        assert 'id="helper-анна"' in page and "POST /accounts/add · add Анна" in page
    with Session(store) as session:
        stored = session.get(DashAccount, "анна")
        founder = session.get(DashAccount, "founder")
    assert stored is not None and stored.role == "helper" and stored.password_hash.startswith("$argon2id$")
    assert founder is not None and founder.password_hash.startswith("$argon2id$")
    assert HELPER_PASSWORD not in stored.password_hash and PASSWORD not in founder.password_hash


# -- the CLI, the migration, the wordings -------------------------------------------------------------


async def test_the_daily_sweep_forgets_audit_rows_older_than_the_days_kept(
    store: Engine, clock: ManualClock, tmp_path: Path
) -> None:
    now = clock.now()
    ages = {"older": 400, "just_over": 365.01, "just_under": 364.99, "recent": 30, "today": 0}
    with Session(store) as session:
        for action, days in ages.items():
            session.add(DashAudit(at=now - timedelta(days=days), actor="founder", action=action, status=302))
        session.commit()

    def kept() -> list[str]:
        with Session(store) as session:
            return sorted(session.exec(select(DashAudit.action)).all())

    files = LocalFileStore(tmp_path / "files")
    await sweep_once(store, WaitlistSettings(), clock, files)  # the default: a year
    assert kept() == ["just_under", "recent", "today"]
    await sweep_once(store, WaitlistSettings(), clock, files, audit_keep_days=7)
    assert kept() == ["today"]
    assert load_config(None, environ={}).dashboard.audit_keep_days == 365


def test_helpers_from_the_command_line(
    store: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VKBOT_STORAGE__DATABASE_URL", str(store.url))
    monkeypatch.setattr("sys.stdin", io.StringIO(HELPER_PASSWORD + "\n"))
    assert main(["dashboard", "helper", "add", "Anna", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["dashboard", "helper", "add", "boris", "--password-stdin"]) == 2
    assert main(["dashboard", "helper", "list", "--json"]) == 0
    assert main(["dashboard", "helper", "remove", "nobody"]) == 1
    out = capsys.readouterr()
    assert i18n.text("dashboard.accounts.cli.added", "ru", name="anna") in out.out
    assert '"name": "anna"' in out.out and "boris" not in out.out
    assert i18n.text("dashboard.accounts.error.short", "ru") in out.err
    with Session(store) as session:
        assert accounts.verify(session, "anna", HELPER_PASSWORD) is not None
    assert main(["dashboard", "helper", "remove", "anna"]) == 0
    with Session(store) as session:
        assert accounts.helpers(session) == []


def test_the_accounts_migration_matches_the_models_and_downgrades_cleanly(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "accounts_0001", ROOT / "vkbot" / "migrations" / "versions" / "accounts_0001.py"
    )
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert (migration.down_revision, migration.branch_labels) == ("core_0001", ("accounts",))
    metadata = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        if table.name.startswith("dash_"):
            table.to_metadata(metadata)
    assert len(metadata.tables) == 5
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        with Operations.context(context):
            migration.upgrade()
        assert compare_metadata(context, metadata) == []
        with Operations.context(context):
            migration.downgrade()
        assert inspect(connection).get_table_names() == []


def _keys(lang: str) -> set[str]:
    tree = tomllib.loads((ROOT / "i18n" / "locales" / lang / "accounts.toml").read_text(encoding="utf-8"))

    def walk(node: dict[str, Any], prefix: str) -> set[str]:
        return set().union(
            *(walk(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}"} for k, v in node.items())
        )

    return walk(tree, "")


def test_every_accounts_wording_exists_in_russian_ukrainian_and_english() -> None:
    ru = _keys("ru")
    assert _keys("uk") == ru and _keys("en") == ru
    from vkbot.dashboard.accounts_page import NOTICES

    assert {f"dashboard.accounts.notice.{n}" for n in NOTICES} <= ru
    errors = set(
        re.findall(r'"(dashboard\.accounts\.error\.\w+)"', (ROOT / "vkbot/dashboard/accounts.py").read_text())
    )
    assert len(errors) == 4 and errors <= ru
