"""Core commands: run, migrate, check-config, status."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from vkbot.clock import Clock
from vkbot.commands.common import (
    add_config_argument,
    add_json_argument,
    config_or_exit,
    print_json,
    print_table,
    run_until_signal,
)

log = logging.getLogger("vkbot.cli")


def register(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="run the suite against VK (or the sandbox) until Ctrl-C")
    add_config_argument(run)
    run.set_defaults(func=cmd_run)

    mig = subparsers.add_parser("migrate", help="bring the database schema up to date")
    add_config_argument(mig)
    mig.set_defaults(func=cmd_migrate)

    chk = subparsers.add_parser(
        "check-config",
        help="validate the config (each error names its key) and say what Long Poll leaves off",
    )
    add_config_argument(chk)
    chk.add_argument("--vk", action="store_true", help="ask VK for the Long Poll settings now (read only)")
    chk.set_defaults(func=cmd_check_config)

    st = subparsers.add_parser("status", help="listener, outbox backlog and parked rows")
    add_config_argument(st)
    add_json_argument(st)
    st.set_defaults(func=cmd_status)


def vk_problems(config: Any) -> list[str]:
    """What keeps the suite from talking to VK at all, each naming its key."""
    problems = []
    if config.vk.group_id <= 0:
        problems.append(
            "vk.group_id: missing; set the community's positive id ([vk] group_id or VKBOT_VK__GROUP_ID)"
        )
    if not config.vk.token.get_secret_value():
        problems.append("vk.token: missing (set VKBOT_VK__TOKEN or put it in the secrets file)")
    return problems


def cmd_run(args: argparse.Namespace) -> int:
    config = config_or_exit(args)
    problems = vk_problems(config)
    if problems:
        for problem in problems:
            print(f"cannot start: {problem}", file=sys.stderr)
        return 2

    async def main(stop: asyncio.Event) -> int:
        from vkbot.app import open_app

        async with open_app(config, clock=args.clock) as app:
            log.info("suite running for group %s against %s", config.vk.group_id, config.vk.api_base_url)
            await app.run(stop)
        return 0

    return run_until_signal(main)


def cmd_migrate(args: argparse.Namespace) -> int:
    from vkbot.core.store.db import make_engine, migrate

    config = config_or_exit(args)
    engine = make_engine(config.storage.database_url)
    migrate(engine)
    engine.dispose()
    print("database is up to date")
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    """0: valid and nothing known to be off; 2: a key is wrong; 1: valid, but Long Poll leaves a feature off."""
    config = config_or_exit(args)
    problems = vk_problems(config)
    for problem in problems:
        print(f"config error: {problem}")
    if problems:
        return 2
    print("config is valid")
    report = _live_settings(config, args.clock) if args.vk else _stored_settings(config)
    if report is None:
        print("Long Poll settings: not checked yet (`vkbot run` checks them at start; --vk asks VK now)")
        return 0
    _print_settings(report)
    return 1 if report["problems"] else 0


def _stored_settings(config: Any) -> dict[str, Any] | None:
    """The last start-up check, if there is a database (this command never creates one)."""
    from sqlmodel import Session

    from vkbot.commands.common import database_exists
    from vkbot.core.store.db import make_engine
    from vkbot.ingress.settings_check import load_report

    if not database_exists(config.storage.database_url):
        return None
    engine = make_engine(config.storage.database_url)
    try:
        with Session(engine) as session:
            return load_report(session, config.vk.group_id)
    finally:
        engine.dispose()


def _live_settings(config: Any, clock: Clock) -> dict[str, Any]:
    """Ask VK now, changing nothing."""

    async def ask() -> dict[str, Any]:
        import aiohttp

        from vkbot.app import make_client
        from vkbot.ingress.settings_check import read_longpoll_settings

        async with aiohttp.ClientSession() as http:
            client = make_client(http, config.vk.model_copy(update={"max_retries": 1}))
            try:
                return (await read_longpoll_settings(client, config.vk.group_id, clock)).as_dict()
            finally:
                await client.aclose()

    return asyncio.run(ask())


def _print_settings(report: dict[str, Any]) -> None:
    when = f" (checked {report['checked_at'][:16].replace('T', ' ')} UTC)"
    if not report["problems"]:
        print(f"Long Poll settings: on, API {report['api_version']}, every event type the suite uses{when}")
        return
    print(f"Long Poll settings{when}: features off:")
    for problem in report["problems"]:
        print(f"  {problem}")
    if report.get("error"):
        print(f"  (VK answered: {report['error']})")


def cmd_status(args: argparse.Namespace) -> int:
    from vkbot.commands.common import require_database
    from vkbot.ops.status import collect_status

    config = config_or_exit(args)
    require_database(args, config)
    status = collect_status(config)
    if args.json:
        print_json(status)
        return 0
    _print_status(status)
    return 0


def _print_status(status: dict[str, Any]) -> None:
    lp = status["listener"]
    print(
        f"listener: ts={lp['ts']} last stored event at {lp['last_event_at']} ({lp['stored_events']} events)"
    )
    print(f"dispatch: {status['dispatch']['pending']} pending, {status['dispatch']['failed']} failed")
    counts = status["outbox"]["counts"]
    print("outbox: " + (", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "empty"))
    if status["outbox"]["parked"]:
        print("parked rows:")
        print_table(status["outbox"]["parked"], ["id", "method", "peer_id", "reason"])
    for incident in status["alerts"]["open"]:
        told = [name for name in ("vk", "mail") if incident[f"{name}_notified"]]
        print(
            f"open alert #{incident['id']}: {incident['kind']} since {incident['opened_at']} "
            f"({incident['detail']}; founder told by: {', '.join(told) or 'nobody yet'})"
        )
    token = status["admin_token"]
    print(
        f"admin user token: {'connected' if token['connected'] else 'not connected'}"
        + (f", last refresh {token['last_refresh_at']}" if token.get("last_refresh_at") else "")
        + (f", needs `vkbot connect` again ({token['last_error']})" if token.get("needs_reconnect") else "")
    )
    for name, cap in status["capabilities"].items():
        print(f"  {name}: {'yes' if cap['ok'] else 'no: ' + str(cap['reason'])}")
    if status.get("longpoll_settings") is None:
        print("Long Poll settings: not checked yet (`vkbot run` checks them at start)")
    else:
        _print_settings(status["longpoll_settings"])
