"""Core commands: run, migrate, check-config, status."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

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

    chk = subparsers.add_parser("check-config", help="validate the config; each error names its key")
    add_config_argument(chk)
    chk.set_defaults(func=cmd_check_config)

    st = subparsers.add_parser("status", help="listener, outbox backlog and parked rows")
    add_config_argument(st)
    add_json_argument(st)
    st.set_defaults(func=cmd_status)


def cmd_run(args: argparse.Namespace) -> int:
    config = config_or_exit(args)

    async def main(stop: asyncio.Event) -> int:
        from vkbot.app import open_app

        async with open_app(config) as app:
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
    config = config_or_exit(args)
    problems = []
    if config.vk.group_id <= 0:
        problems.append("vk.group_id: must be the community's positive id")
    if not config.vk.token.get_secret_value():
        problems.append("vk.token: missing (set VKBOT_VK__TOKEN or put it in the secrets file)")
    for problem in problems:
        print(f"config error: {problem}")
    if problems:
        return 2
    print("config is valid")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from vkbot.ops.status import collect_status

    config = config_or_exit(args)
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
