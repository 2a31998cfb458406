"""`vkbot demo`: the sandbox, the whole suite against it, and simulated people writing, in one process."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vkbot.commands.common import run_until_signal

log = logging.getLogger("vkbot.demo")

DEMO_GROUP_ID = 1001


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo", help="run the suite against the local sandbox with simulated traffic"
    )
    demo.add_argument("--dir", type=Path, default=Path("demo-data"), help="working folder, kept between runs")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=0, help="sandbox port (0: a free one)")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--speed", type=float, default=1.0, help="simulated people act this many times faster")
    demo.add_argument(
        "--duration", type=float, default=0, help="stop after this many seconds (0: until Ctrl-C)"
    )
    demo.add_argument("--no-traffic", action="store_true", help="only the sandbox and the suite")
    demo.add_argument(
        "--dashboard-port", type=int, default=0, help="the founder's dashboard (0: a free port)"
    )
    demo.set_defaults(func=cmd_demo)


def _folder_secret(folder: Path, name: str, make: Callable[[], str]) -> str:
    """A demo credential made once per demo folder (for the sandbox only, never a VK one)."""
    path = folder / name
    if not path.exists():
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def demo_environment(folder: Path, sandbox_url: str, token: str, dashboard_port: int = 0) -> dict[str, str]:
    from vkbot.auth.secretbox import new_key

    return {
        # The dashboard on loopback with a password made for this demo folder (printed: the demo is local).
        "VKBOT_DASHBOARD__ENABLED": "true",
        "VKBOT_DASHBOARD__PORT": str(dashboard_port),
        "VKBOT_DASHBOARD__PASSWORD": _folder_secret(
            folder, "dashboard-password", lambda: secrets.token_urlsafe(12)
        ),
        "VKBOT_VK__APP_CLIENT_ID": "demo-app",
        "VKBOT_VK__REDIRECT_URI": "http://127.0.0.1/vk-id-callback",
        "VKBOT_AUTH__SECRET_KEY": _folder_secret(folder, "secret-key", new_key),
        "VKBOT_VK__API_BASE_URL": f"{sandbox_url}/method/",
        "VKBOT_VK__OAUTH_BASE_URL": f"{sandbox_url}/",
        "VKBOT_VK__GROUP_ID": str(DEMO_GROUP_ID),
        "VKBOT_VK__TOKEN": token,
        "VKBOT_VK__LONGPOLL_WAIT": "10",
        "VKBOT_STORAGE__DATABASE_URL": f"sqlite:///{(folder / 'vkbot.db').resolve()}",
        "VKBOT_STORAGE__FILES_DIR": str((folder / "files").resolve()),
    }


def cmd_demo(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    folder.mkdir(parents=True, exist_ok=True)

    async def main(stop: asyncio.Event) -> int:
        import aiohttp

        from vkbot.app import open_app
        from vkbot.config import load_config
        from vkbot.demo_traffic import DemoTraffic
        from vkbot.sandbox import SandboxControl, SandboxOptions, running_sandbox

        token = _folder_secret(folder, "sandbox-token", lambda: secrets.token_hex(16))
        options = SandboxOptions(
            host=args.host,
            port=args.port,
            group_id=DEMO_GROUP_ID,
            community_token=token,
            data_dir=folder / "sandbox",
            seed=args.seed,
        )
        async with running_sandbox(options) as sandbox:
            print(f"Sandbox: {sandbox.url}", flush=True)
            config = load_config(
                None, environ=demo_environment(folder, sandbox.url, token, args.dashboard_port)
            )
            await connect_admin_once(config)
            async with open_app(config) as app, aiohttp.ClientSession() as http:
                if args.duration:
                    asyncio.get_running_loop().call_later(args.duration, stop.set)
                if not args.no_traffic:
                    traffic = DemoTraffic(SandboxControl(http, sandbox.url), seed=args.seed, speed=args.speed)
                    app.extra_tasks.append(traffic.run)
                app.extra_tasks.append(lambda stop: _report(app, stop))
                app.extra_tasks.append(lambda stop: _announce_dashboard(app, stop))
                await app.run(stop)
        print("demo stopped; state kept in", folder, flush=True)
        return 0

    return run_until_signal(main)


async def connect_admin_once(config: Any) -> None:
    """The founder's one-time VK ID sign-in, done by the demo against the sandbox so wall features work."""
    import aiohttp

    from vkbot.auth.pkce import challenge_s256, make_state, make_verifier
    from vkbot.auth.secretbox import SecretBox
    from vkbot.auth.store import AuthStore
    from vkbot.auth.vkid import parse_redirect, vkid_client
    from vkbot.clock import SystemClock
    from vkbot.core.store.db import make_engine, migrate

    engine = make_engine(config.storage.database_url)
    try:
        await asyncio.to_thread(migrate, engine)
        store = AuthStore(engine, SecretBox.from_environment(config.auth.secret_key.get_secret_value()))
        if store.status().connected:
            return
        now = SystemClock().now()
        verifier, state = make_verifier(), make_state()
        store.begin_connect(state, verifier, now)
        async with aiohttp.ClientSession() as http:
            vkid = vkid_client(http, config)
            link = vkid.authorize_url(
                challenge=challenge_s256(verifier), state=state, scope=config.auth.scope
            )
            async with http.get(link, allow_redirects=False) as answer:  # the sandbox approves at once
                redirect = parse_redirect(answer.headers["Location"])
            grant = await vkid.exchange(
                redirect, store.pending_verifier(state, now, config.auth.pending_ttl_s)
            )
        store.save_connected(grant, redirect.device_id, now)
        print(f"demo: connected the admin user token of VK user {grant.user_id} (sandbox VK ID)", flush=True)
    finally:
        engine.dispose()


async def _report(app: Any, stop: asyncio.Event, every_s: float = 15.0) -> None:
    """A line every few seconds so a person watching sees the queue fill and abuse land in quarantine."""
    from sqlmodel import Session

    from vkbot.ops.status import demo_summary

    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_s)
        except TimeoutError:
            pass
        with Session(app.engine) as session:
            print(demo_summary(session), flush=True)


async def _announce_dashboard(app: Any, stop: asyncio.Event) -> None:
    """Print where the founder's dashboard is, and its demo password, once it listens."""
    if app.dashboard is not None:
        started = asyncio.create_task(app.dashboard.started.wait())
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([started, stopped], return_when=asyncio.FIRST_COMPLETED)
        started.cancel()
        stopped.cancel()
        if app.dashboard.started.is_set():
            password = app.config.dashboard.password.get_secret_value()
            print(f"Dashboard: {app.dashboard.url} (password: {password})", flush=True)
    await stop.wait()  # App.run stops every worker when any one returns
