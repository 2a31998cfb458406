"""The ``vkbot`` command line: each command group lives in its own module under ``vkbot.commands``.

A command module exposes ``register(subparsers)`` and keeps heavy imports inside its handlers, so
``vkbot --help`` stays fast. Handlers return the process exit status and read the time from
``args.clock``: the process's one clock, made here (tests pass a ``ManualClock`` to ``main``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from vkbot.clock import Clock, SystemClock
from vkbot.commands.common import add_config_argument

COMMAND_MODULES = (
    "vkbot.commands.core",
    "vkbot.commands.sandbox",
    "vkbot.commands.demo",
    "vkbot.commands.orders",
    "vkbot.commands.moderation",
    "vkbot.commands.connect",
    "vkbot.commands.quarantine",
    "vkbot.commands.schedule",
    "vkbot.commands.dashboard",
    "vkbot.commands.interviews",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vkbot", description=__doc__.splitlines()[0])
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING (default from config)")
    add_config_argument(parser, top_level=True)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command group not built yet
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for a command that must run again
    args.clock = clock or SystemClock()
    logging.basicConfig(
        level=(args.log_level or "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("alembic", "aiohttp.access", "apscheduler"):  # their INFO lines drown ours
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 0
    except SystemExit as exc:  # a handler's "cannot go on" (it said why): the status, as from any handler
        return exc.code if isinstance(exc.code, int) else 1


if __name__ == "__main__":
    sys.exit(main())
