"""The founder's command line for orders: ``vkbot orders ...``, ``signups``, ``reconcile``, ``backup``, ``restore``.

N is always the order number the relative was told. Actions that owe the relative a message (a clip
delivered, "your turn" when an order goes in progress) queue outbox rows through
``waitlist.due_notifications`` in the same transaction, so a running ``vkbot run`` sends them (inside the
sending window, to people who may be written to; others hear with their next message).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from vkbot.clock import Clock
from vkbot.commands.common import (
    add_config_argument,
    add_json_argument,
    config_or_exit,
    database_session,
    print_json,
    print_rows,
    print_table,
    require_database,
)

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
STATUSES = ("waiting", "in_progress", "delivered", "cancelled", "declined")


def register(subparsers: Any) -> None:
    _register_orders(subparsers)
    _register_signups(subparsers)
    rec = subparsers.add_parser("reconcile", help="VK's unanswered conversations vs. what the suite answered")
    _common(rec)
    rec.add_argument(
        "--grace", type=float, default=120.0, help="seconds a new message may still be in flight"
    )
    rec.set_defaults(func=cmd_reconcile)
    bak = subparsers.add_parser("backup", help="a consistent copy of the database and files into a tar.gz")
    _common(bak)
    bak.add_argument("dest", type=Path, help="archive to write, or a directory for a dated one")
    bak.set_defaults(func=cmd_backup)
    res = subparsers.add_parser("restore", help="bring a backup into an empty, stopped install")
    _common(res)
    res.add_argument("src", type=Path, help="an archive written by `vkbot backup`")
    res.set_defaults(func=cmd_restore)


def _common(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> argparse.ArgumentParser:
    add_config_argument(parser)
    if json_flag:
        add_json_argument(parser)
    return parser


def _register_orders(subparsers: Any) -> None:
    group = subparsers.add_parser("orders", help="the queue: list, show, set a status, move, deliver")
    commands = group.add_subparsers(dest="orders_command", required=True, metavar="SUBCOMMAND")

    ls = _common(commands.add_parser("list", help="waiting orders in queue order, then the rest"))
    ls.add_argument("--status", choices=STATUSES, default=None)
    ls.set_defaults(func=cmd_list)

    show = _common(commands.add_parser("show", help="one order with its story, photos and their measures"))
    show.add_argument("number", type=int, metavar="N")
    show.set_defaults(func=cmd_show)

    st = _common(
        commands.add_parser("set-status", help="waiting, in_progress, delivered, cancelled, declined")
    )
    st.add_argument("number", type=int, metavar="N")
    st.add_argument("status", choices=STATUSES)
    st.add_argument("--reason", default=None)
    st.set_defaults(func=cmd_set_status)

    mv = _common(commands.add_parser("move", help="put a waiting order at POSITION (1 = next)"))
    mv.add_argument("number", type=int, metavar="N")
    mv.add_argument("position", type=int)
    mv.add_argument("--reason", required=True, help="why (kept with the order)")
    mv.set_defaults(func=cmd_move)

    dv = _common(commands.add_parser("deliver", help="attach the finished clip; it is sent to the relative"))
    dv.add_argument("number", type=int, metavar="N")
    dv.add_argument("file", type=Path)
    dv.set_defaults(func=cmd_deliver)

    kf = _common(commands.add_parser("keep-files", help="keep the photos past the retention time"))
    kf.add_argument("number", type=int, metavar="N")
    kf.add_argument("--off", action="store_true", help="stop keeping them")
    kf.set_defaults(func=cmd_keep_files)


def _register_signups(subparsers: Any) -> None:
    group = subparsers.add_parser("signups", help="open or close the sign-up list for new requests")
    commands = group.add_subparsers(dest="signups_command", required=True, metavar="SUBCOMMAND")
    op = _common(commands.add_parser("open", help="new writers may sign up again"))
    op.set_defaults(func=cmd_signups, open=True, hint="")
    cl = _common(commands.add_parser("close", help="new writers hear plainly that sign-ups are closed"))
    cl.add_argument("--hint", default="", help='when it may reopen, e.g. "в марте"')
    cl.set_defaults(func=cmd_signups, open=False)


# -- plumbing ---------------------------------------------------------------------------------------


def _guarded(action: Callable[[], int]) -> int:
    """An unknown number or a wrong state is a typo, not a crash: one line and a non-zero exit."""
    try:
        return action()
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return EXIT_NOT_FOUND
    except (ValueError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE


def _queue_notices(session: Any, config: Any, clock: Clock) -> int:
    """The news the founder's action owes (turn, clip), as outbox rows in this same transaction."""
    from vkbot.ops.jobs import queue_notices

    return queue_notices(session, config.waitlist, clock)


def _estimate(view: Any) -> str:
    est = view.estimate
    if est is None:
        return ""
    return f"{est.earliest.date().isoformat()}..{est.latest.date().isoformat()}"


def _row(view: Any) -> dict[str, Any]:
    return {
        "number": view.number,
        "status": view.status,
        "position": view.position,
        "estimate": _estimate(view),
        "subject": view.subject_name,
        "relation": view.relation,
        "wishes": ",".join(view.wishes),
        "publish": view.publish_consent,
        "completed_at": view.completed_at.isoformat(timespec="minutes") if view.completed_at else None,
    }


def _full(view: Any) -> dict[str, Any]:
    data = asdict(view)
    data["estimate"] = _estimate(view)
    data["completed_at"] = view.completed_at.isoformat() if view.completed_at else None
    return data


# -- orders -----------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    import waitlist

    now = args.clock.now()
    with database_session(args) as (session, config):
        views = waitlist.list_orders(session, settings=config.waitlist, now=now, status=args.status)
        if args.status is None:  # the queue as the founder works it first, then everything else by number
            queue = waitlist.list_orders(session, settings=config.waitlist, now=now, status="waiting")
            views = queue + [v for v in views if v.status != "waiting"]
        rows = [_row(v) for v in views]
    print_rows(rows, ["number", "status", "position", "estimate", "subject", "relation", "wishes"], args.json)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    import waitlist

    def action() -> int:
        with database_session(args) as (session, config):
            view = waitlist.get_order(session, args.number, settings=config.waitlist, now=args.clock.now())
        if args.json:
            print_json(_full(view))
            return 0
        for key, value in _row(view).items():
            print(f"{key:>13}: {'' if value is None else value}")
        print(f"{'contact':>13}: {view.contact or ''}")
        if view.wish_note:
            print(f"{'wish note':>13}: {view.wish_note}")
        if view.founder_note:
            print(f"{'note':>13}: {view.founder_note}")
        print("story:")
        for part in view.story:
            print(f"  {part}")
        print("files:")
        print_table(
            [asdict(f) for f in view.files],
            ["file_id", "kind", "width", "height", "sharpness", "faces", "poor"],
        )
        return 0

    return _guarded(action)


def _done(args: argparse.Namespace, message: str, queued: int) -> int:
    if args.json:
        print_json({"ok": True, "message": message, "queued_messages": queued})
    else:
        print(message + (f"; {queued} message(s) queued for the relative" if queued else ""))
    return 0


def cmd_set_status(args: argparse.Namespace) -> int:
    import waitlist

    def action() -> int:
        with database_session(args) as (session, config):
            waitlist.set_status(session, args.number, args.status, args.reason, at=args.clock.now())
            queued = _queue_notices(session, config, args.clock)
        return _done(args, f"order {args.number}: {args.status}", queued)

    return _guarded(action)


def cmd_move(args: argparse.Namespace) -> int:
    import waitlist

    def action() -> int:
        if args.position < 1:
            raise ValueError("POSITION starts at 1")
        with database_session(args) as (session, config):
            waitlist.move_order(session, args.number, args.position, args.reason, at=args.clock.now())
            queued = _queue_notices(session, config, args.clock)
        return _done(args, f"order {args.number}: moved to place {args.position}", queued)

    return _guarded(action)


def cmd_deliver(args: argparse.Namespace) -> int:
    import waitlist
    from waitlist.filestore import LocalFileStore

    def action() -> int:
        if not args.file.is_file():
            raise ValueError(f"no file at {args.file}")
        with database_session(args) as (session, config):
            files = LocalFileStore(config.storage.files_dir)
            now = args.clock.now()
            waitlist.deliver(session, args.number, args.file, files=files, at=now)
            queued = _queue_notices(session, config, args.clock)
            outlook = waitlist.delivery_outlook(session, args.number, settings=config.waitlist, now=now)
        return _done(args, f"order {args.number}: delivered; {_when_sent(outlook)}", queued)

    return _guarded(action)


def _when_sent(outlook: Any) -> str:
    """When the clip reaches the relative, in the founder's words."""
    if outlook.when == "window":
        return f"the clip is held for the sending window: it goes out at {outlook.at:%Y-%m-%d %H:%M %Z}"
    if outlook.when == "next_message":
        return "they have not allowed messages from the community: the clip goes with the bot's next answer to them"
    return "the clip goes out now"


def cmd_keep_files(args: argparse.Namespace) -> int:
    import waitlist

    def action() -> int:
        with database_session(args) as (session, _config):
            waitlist.keep_files(session, args.number, not args.off, at=args.clock.now())
        return _done(args, f"order {args.number}: files {'no longer ' if args.off else ''}kept", 0)

    return _guarded(action)


def cmd_signups(args: argparse.Namespace) -> int:
    import waitlist

    # Sign-ups may be closed before the first `vkbot run`: this one may create the database.
    with database_session(args, create=True) as (session, config):
        waitlist.set_signups_open(session, args.open, at=args.clock.now(), reopen_hint=args.hint)
        queued = _queue_notices(session, config, args.clock) if args.open else 0
    return _done(args, f"sign-ups {'open' if args.open else 'closed'}", queued)


# -- reconcile, backup, restore ---------------------------------------------------------------------


def cmd_reconcile(args: argparse.Namespace) -> int:
    config = config_or_exit(args)
    require_database(args, config)

    async def run() -> Any:
        import aiohttp

        from vkbot.app import make_client
        from vkbot.core.store.db import make_engine
        from vkbot.ops.reconcile import reconcile

        vk = config.vk
        engine = make_engine(config.storage.database_url)
        async with aiohttp.ClientSession() as http:
            client = make_client(http, vk, engine=engine)  # shares the running bot's limit on PostgreSQL
            try:
                return await reconcile(engine, client, now=args.clock.now(), grace_s=args.grace)
            finally:
                await client.aclose()
                engine.dispose()

    report = asyncio.run(run())
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.summary())
        print_table(
            [
                {**asdict(g), "message_date": g.message_date.isoformat(timespec="minutes")}
                for g in report.gaps
            ],
            ["peer_id", "reason", "message_date", "event_key"],
        )
    return 1 if report.gaps else 0


def cmd_backup(args: argparse.Namespace) -> int:
    from vkbot.ops.backup import BackupError, backup

    config = config_or_exit(args)
    require_database(args, config)
    try:
        result = backup(config, args.dest, now=args.clock.now())
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print_json(result.as_dict())
    else:
        print(
            f"backup written: {result.path} ({result.database}, {result.files} file(s), {result.bytes} bytes)"
        )
        if result.missing:
            print(f"{len(result.missing)} file(s) removed while copying: {', '.join(result.missing)}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from vkbot.ops.backup import BackupError, restore

    config = config_or_exit(args)
    try:
        result = restore(config, args.src)
    except (BackupError, OSError) as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print_json(result.as_dict())
    else:
        print(f"restored {result.database} database and {result.files} file(s) from {result.path}")
    return 0
