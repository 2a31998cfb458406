"""`vkbot demo`: the sandbox, the whole suite against it, and simulated people writing, in one process."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import secrets
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vkbot.clock import Clock
from vkbot.commands.common import run_until_signal

log = logging.getLogger("vkbot.demo")

DEMO_GROUP_ID = 1001


def register(subparsers: Any) -> None:
    demo = subparsers.add_parser(
        "demo", help="run the suite against the local sandbox with simulated traffic"
    )
    demo.add_argument("--dir", type=Path, default=Path("demo-data"), help="working folder, kept between runs")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument(
        "--port", type=int, default=None, help="sandbox port (default: last run's if free; 0: any free one)"
    )
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--speed", type=float, default=1.0, help="simulated people act this many times faster")
    demo.add_argument(
        "--duration", type=float, default=0, help="stop after this many seconds (0: until Ctrl-C)"
    )
    demo.add_argument("--no-traffic", action="store_true", help="only the sandbox and the suite")
    demo.add_argument(
        "--dashboard-port",
        type=int,
        default=None,
        help="the founder's dashboard (default: last run's if free; 0: any free one)",
    )
    demo.set_defaults(func=cmd_demo)


def _folder_secret(folder: Path, name: str, make: Callable[[], str]) -> str:
    """A demo credential made once per demo folder (for the sandbox only, never a VK one)."""
    path = folder / name
    if not path.exists():
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def demo_slot_times(speed: float) -> list[str]:
    """Publishing slots every few minutes all day (faster with ``--speed``), so approved clips go up while
    one watches; the daily cap (VK's 50) still holds."""
    step = max(1, round(10 / max(speed, 0.1)))
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, step)]


def write_demo_config(
    folder: Path, sandbox_url: str, token: str, dashboard_port: int = 0, speed: float = 1.0
) -> Path:
    """The demo's config in its folder (``vkbot.toml``, secrets beside it readable by the owner only), so
    `vkbot --config <folder>/vkbot.toml ...` reaches the same install while the demo runs or after it."""
    from vkbot.auth.secretbox import new_key

    root = folder.resolve()
    secrets_path = root / "secrets.toml"
    _write_toml(
        secrets_path,
        {
            "vk": {"token": token},
            # The dashboard on loopback with a password made for this demo folder (printed: it is local).
            "dashboard": {
                "password": _folder_secret(folder, "dashboard-password", lambda: secrets.token_urlsafe(12))
            },
            "auth": {"secret_key": _folder_secret(folder, "secret-key", new_key)},
        },
    )
    secrets_path.chmod(0o600)
    config_path = root / "vkbot.toml"
    _write_toml(
        config_path,
        {
            "vk": {
                "api_base_url": f"{sandbox_url}/method/",
                "oauth_base_url": f"{sandbox_url}/",
                "group_id": DEMO_GROUP_ID,
                "longpoll_wait": 10,
                "app_client_id": "demo-app",
                "redirect_uri": "http://127.0.0.1/vk-id-callback",
            },
            "storage": {"database_url": f"sqlite:///{root / 'vkbot.db'}", "files_dir": str(root / "files")},
            "dashboard": {"enabled": True, "port": dashboard_port},
            "publishing": {"slot_times": demo_slot_times(speed)},
            "secrets": {"file": str(secrets_path)},
        },
    )
    return config_path


def _write_toml(path: Path, sections: dict[str, dict[str, Any]]) -> None:
    """Flat sections of strings, numbers, booleans and lists of strings (JSON ones are valid TOML)."""
    lines = ["# Written by `vkbot demo` at each start."]
    for name, values in sections.items():
        lines.append(f"\n[{name}]")
        for key, value in values.items():
            rendered = (
                str(value).lower() if isinstance(value, bool) else json.dumps(value, ensure_ascii=False)
            )
            lines.append(f"{key} = {rendered}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _remembered_port(folder: Path, name: str, asked: int | None) -> int:
    """The port asked for, else the one this demo folder used last time if it is free, else a free one."""
    if asked is not None:
        return asked
    try:
        last = int(json.loads((folder / "ports.json").read_text(encoding="utf-8"))[name])
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind (TIME_WAIT is fine)
        try:
            probe.bind(("127.0.0.1", last))
        except OSError:
            return 0
    return last


def _remember_port(folder: Path, name: str, url: str) -> None:
    path = folder / "ports.json"
    try:
        ports = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        ports = {}
    ports[name] = int(url.rstrip("/").rsplit(":", 1)[1].split("/")[0])
    path.write_text(json.dumps(ports), encoding="utf-8")


def cmd_demo(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    folder.mkdir(parents=True, exist_ok=True)

    async def main(stop: asyncio.Event) -> int:
        import aiohttp

        from vkbot.app import open_app
        from vkbot.config import load_config
        from vkbot.demo_traffic import DemoFounder, DemoTraffic
        from vkbot.sandbox import SandboxControl, SandboxOptions, running_sandbox

        token = _folder_secret(folder, "sandbox-token", lambda: secrets.token_hex(16))
        options = SandboxOptions(
            host=args.host,
            port=_remembered_port(folder, "sandbox", args.port),
            group_id=DEMO_GROUP_ID,
            community_token=token,
            data_dir=folder / "sandbox",
            seed=args.seed,
        )
        async with running_sandbox(options) as sandbox:
            print(f"Sandbox: {sandbox.url}", flush=True)
            _remember_port(folder, "sandbox", sandbox.url)
            dashboard_port = _remembered_port(folder, "dashboard", args.dashboard_port)
            config_path = write_demo_config(folder, sandbox.url, token, dashboard_port, args.speed)
            config = load_config(config_path, environ={})
            print(
                f"Config written: use it with `vkbot --config {folder / 'vkbot.toml'} orders list`",
                flush=True,
            )
            await connect_admin_once(config, args.clock)
            async with open_app(config, clock=args.clock) as app, aiohttp.ClientSession() as http:
                if args.duration:
                    asyncio.get_running_loop().call_later(args.duration, stop.set)
                people: list[Any] = []
                if not args.no_traffic:
                    traffic = DemoTraffic(
                        SandboxControl(http, sandbox.url),
                        clock=args.clock,
                        seed=args.seed,
                        speed=args.speed,
                        state_file=folder / "traffic.json",
                    )
                    founder = DemoFounder(
                        app.engine,
                        config,
                        folder / "clip.mp4",
                        clock=args.clock,
                        speed=args.speed,
                        wake=app.sender.wake.set,
                    )
                    people = [traffic.stats, founder]
                    app.extra_tasks += [traffic.run, founder.run]
                app.extra_tasks.append(lambda stop: _report(app, stop, people))
                app.extra_tasks.append(lambda stop: _announce_dashboard(app, stop, folder))
                await app.run(stop)
                _print_summary(app, people)
        print("demo stopped; state kept in", folder, flush=True)
        return 0

    return run_until_signal(main)


async def connect_admin_once(config: Any, clock: Clock) -> None:
    """The founder's one-time VK ID sign-in, done by the demo against the sandbox so wall features work."""
    import aiohttp

    from vkbot.auth.pkce import challenge_s256, make_state, make_verifier
    from vkbot.auth.secretbox import SecretBox
    from vkbot.auth.store import AuthStore
    from vkbot.auth.vkid import parse_redirect, vkid_client
    from vkbot.core.store.db import make_engine, migrate

    engine = make_engine(config.storage.database_url)
    try:
        await asyncio.to_thread(migrate, engine)
        store = AuthStore(engine, SecretBox.from_environment(config.auth.secret_key.get_secret_value()))
        if store.status().connected:
            return
        now = clock.now()
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


async def _report(app: Any, stop: asyncio.Event, people: list[Any], every_s: float = 15.0) -> None:
    """A line every few seconds so a person watching sees the queue fill and move, and abuse land in
    quarantine."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_s)
        except TimeoutError:
            pass
        _print_summary(app, people)


def _print_summary(app: Any, people: list[Any]) -> None:
    from sqlmodel import Session

    from vkbot.ops.status import demo_summary

    with Session(app.engine) as session:
        print(demo_summary(session), flush=True)
    for who in people:
        print(f"demo {who.line()}", flush=True)


async def _announce_dashboard(app: Any, stop: asyncio.Event, folder: Path) -> None:
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
            _remember_port(folder, "dashboard", app.dashboard.url)
    await stop.wait()  # App.run stops every worker when any one returns
