"""``vkbot dashboard helper add|remove|list``: the founder's helper accounts, as on the dashboard's page.

The password is asked twice without echo (or read as one line from stdin with ``--password-stdin``,
for scripts); it never appears in the command line, where other users of the machine could read it.
A new password or a removal ends the helper's sessions at once, even in a running dashboard.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from vkbot.commands.common import add_config_argument, add_json_argument, database_session, print_rows

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("dashboard", help="the web dashboard's helper accounts")
    commands = group.add_subparsers(dest="dashboard_command", required=True, metavar="SUBCOMMAND")
    helper = commands.add_parser("helper", help="helpers who review hidden items: add, remove, list")
    actions = helper.add_subparsers(dest="helper_command", required=True, metavar="ACTION")

    ls = actions.add_parser("list", help="the helpers and when each was added")
    add_config_argument(ls)
    add_json_argument(ls)
    ls.set_defaults(func=cmd_list)
    for name, func, help_text in (
        ("add", cmd_add, "a new helper with a password (asked, not typed on the command line)"),
        ("password", cmd_password, "a new password for a helper (ends their sessions)"),
        ("remove", cmd_remove, "remove a helper (ends their sessions)"),
    ):
        sub = actions.add_parser(name, help=help_text)
        add_config_argument(sub)
        sub.add_argument("name")
        if func is not cmd_remove:
            sub.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        sub.set_defaults(func=func)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise SystemExit(_say("dashboard.accounts.error.repeat"))
    return first


def _say(key: str, **params: Any) -> str:
    import i18n

    return i18n.text(key, i18n.DEFAULT_LANGUAGE, **params)


def _run(args: argparse.Namespace, change: Any) -> int:
    from vkbot.dashboard.accounts import AccountError

    try:
        with database_session(args) as (session, _config):
            change(session)
    except AccountError as exc:
        print(_say(exc.key), file=sys.stderr)
        return EXIT_USAGE
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return EXIT_NOT_FOUND
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from vkbot.dashboard.accounts import add_helper

    password = _password(args)
    status = _run(args, lambda session: add_helper(session, args.name, password, args.clock.now()))
    if status == 0:
        print(_say("dashboard.accounts.cli.added", name=args.name.strip().lower()))
    return status


def cmd_password(args: argparse.Namespace) -> int:
    from vkbot.dashboard.accounts import set_password

    password = _password(args)
    status = _run(args, lambda session: set_password(session, args.name, password, args.clock.now()))
    if status == 0:
        print(_say("dashboard.accounts.cli.password", name=args.name.strip().lower()))
    return status


def cmd_remove(args: argparse.Namespace) -> int:
    from vkbot.dashboard.accounts import remove_helper

    status = _run(args, lambda session: remove_helper(session, args.name))
    if status == 0:
        print(_say("dashboard.accounts.cli.removed", name=args.name.strip().lower()))
    return status


def cmd_list(args: argparse.Namespace) -> int:
    from vkbot.dashboard.accounts import helpers

    with database_session(args) as (session, _config):
        rows = [{"name": a.name, "added": a.created_at.isoformat()} for a in helpers(session)]
    print_rows(rows, ["name", "added"], args.json)
    return 0
