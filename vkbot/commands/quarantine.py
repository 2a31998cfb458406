"""``vkbot quarantine ...`` and ``vkbot bans ...``: the founder's (or her helper's) review of what was hidden.

Listings show counts first and texts only on request; the IDs they print are what the other
subcommands take. Effects on VK (a comment put back, a ban) are queued as outbox rows for the sender.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vkbot.commands.common import (
    add_config_argument,
    add_json_argument,
    database_session,
    print_json,
    print_rows,
    print_table,
)
from vkbot.core.store.keys import row_id_of

EXIT_NOT_FOUND = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    _register_quarantine(subparsers)
    _register_bans(subparsers)


def _common(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> argparse.ArgumentParser:
    add_config_argument(parser)
    if json_flag:
        add_json_argument(parser)
    return parser


def _reviewer(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by", default="founder", help='who reviews: "founder" or "assistant:<name>"')


def _register_quarantine(subparsers: Any) -> None:
    group = subparsers.add_parser("quarantine", help="hidden messages and comments: counts, review, export")
    commands = group.add_subparsers(dest="quarantine_command", required=True, metavar="SUBCOMMAND")

    ls = _common(commands.add_parser("list", help="counts by day and reason, then the items (no texts)"))
    ls.add_argument("--show", action="store_true", help="include the texts (they may hurt)")
    ls.add_argument("--days", type=int, default=7, help="days of counts (default 7)")
    ls.add_argument("--category", default=None, help="only items of this category")
    ls.add_argument(
        "--flagged", action="store_true", help="list flagged (shown) items instead of hidden ones"
    )
    ls.add_argument("--limit", type=int, default=50)
    ls.set_defaults(func=cmd_list)

    show = _common(commands.add_parser("show", help="one item: its category first, then its text"))
    show.add_argument("id", type=int)
    show.add_argument("--lang", default="ru")
    show.set_defaults(func=cmd_show)

    add_hide_command(commands)

    for name, func, help_text in (
        ("restore", cmd_restore, 'hidden by mistake: back to the inbox or wall, label "not abusive"'),
        ("confirm", cmd_confirm, 'hidden rightly: label "abusive"'),
        ("removed", cmd_removed, "a comment on the removal list was removed by hand"),
    ):
        sub = _common(commands.add_parser(name, help=help_text), json_flag=False)
        sub.add_argument("id", type=int, help="an ID printed by `vkbot quarantine list`")
        _reviewer(sub)
        sub.set_defaults(func=func)

    removals = _common(
        commands.add_parser("removals", help="hidden comments to remove from the wall by hand")
    )
    removals.add_argument("--show", action="store_true", help="include the texts")
    removals.set_defaults(func=cmd_removals)

    digest = _common(commands.add_parser("digest", help="the daily summary (counts only)"), json_flag=False)
    digest.add_argument("--day", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")
    digest.add_argument("--lang", default="ru")
    digest.set_defaults(func=cmd_digest)

    export = _common(
        commands.add_parser("export", help="threats with metadata, for the police"), json_flag=False
    )
    export.add_argument("--category", default="threat", help='"threat" includes death wishes')
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    export.add_argument("--since", type=date.fromisoformat, default=None, help="YYYY-MM-DD (UTC)")
    export.set_defaults(func=cmd_export)


def _register_bans(subparsers: Any) -> None:
    group = subparsers.add_parser("bans", help="repeat offenders proposed for a ban")
    commands = group.add_subparsers(dest="bans_command", required=True, metavar="SUBCOMMAND")
    ls = _common(commands.add_parser("list", help="open proposals (all with --all)"))
    ls.add_argument("--all", action="store_true")
    ls.set_defaults(func=cmd_bans_list)
    for name, func in (("accept", cmd_bans_accept), ("dismiss", cmd_bans_dismiss)):
        sub = _common(commands.add_parser(name, help=f"{name} a proposal"))
        sub.add_argument("id", type=int, help="an ID printed by `vkbot bans list`")
        _reviewer(sub)
        sub.set_defaults(func=func)


# -- plumbing ---------------------------------------------------------------------------------------


def _tz(config: Any) -> Any:
    return ZoneInfo(config.waitlist.timezone)


def _say(key: str, lang: str = "ru", **params: Any) -> None:
    import i18n

    print(i18n.text(key, lang, **params))


def _enqueue(session: Any, config: Any, effects: list[Any], now: datetime) -> int:
    from vkbot.adapters.moderation import effect_requests
    from vkbot.effects.outbox import enqueue

    if effects and config.vk.group_id <= 0:
        # A wall action with owner_id 0 would be refused by VK and parked; say what is missing instead.
        raise SystemExit("config error: vk.group_id: must be the community's id to act on its wall")
    return enqueue(session, effect_requests(effects, config.vk.group_id), now=now)


def _guarded(action: Callable[[], int]) -> int:
    """Unknown IDs and wrong states are the founder's typo, not a crash: one line and a non-zero exit."""
    try:
        return action()
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return EXIT_NOT_FOUND
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE


# -- quarantine -------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    from moderation.review import list_items, quarantine_summary

    statuses = ("flagged",) if args.flagged else None
    with database_session(args) as (session, config):
        summary = quarantine_summary(session, days=max(args.days, 1), now=args.clock.now(), tz=_tz(config))
        kwargs: dict[str, Any] = {"show_text": args.show, "category": args.category, "limit": args.limit}
        if statuses:
            kwargs["statuses"] = statuses
        items = list_items(session, **kwargs)
    if args.json:
        print_json({"summary": summary, "items": items})
        return 0
    _print_summary(summary)
    print()
    columns = ["id", "at", "channel", "category", "status", "author_id", "removal"]
    print_table(items, [*columns, "text"] if args.show else columns)
    return 0


def _print_summary(summary: dict[str, Any]) -> None:
    print(f"hidden in the last {len(summary['days'])} days: {summary['hidden']}")
    rows = [
        {
            "day": d["day"],
            "total": d["total"],
            "reasons": ", ".join(f"{c} {n}" for c, n in d["by_category"].items()),
        }
        for d in summary["days"]
    ]
    print_table(rows, ["day", "total", "reasons"])
    print(
        f"open ban proposals: {summary['ban_proposals']}; comments to remove by hand: {summary['manual_removals']}"
    )


def cmd_show(args: argparse.Namespace) -> int:
    from moderation.review import reveal_one

    def run() -> int:
        with database_session(args) as (session, _config):
            revealed = reveal_one(session, args.id, args.lang)
        if args.json:
            print_json(
                {
                    "id": revealed.item_id,
                    "category": revealed.category,
                    "categories": list(revealed.categories),
                    "channel": revealed.channel,
                    "at": revealed.created_at.isoformat(),
                    "text": revealed.text,
                }
            )
            return 0
        _say("quarantine.reveal_warning", args.lang, category=revealed.category)
        print()
        print(revealed.text)
        return 0

    return _guarded(run)


def cmd_restore(args: argparse.Namespace) -> int:
    from moderation.review import restore

    def run() -> int:
        with database_session(args) as (session, config):
            now = args.clock.now()
            effects = restore(session, args.id, args.by, now, group_id=config.vk.group_id)
            queued = _enqueue(session, config, effects, now)
        _say("quarantine.cli.restored", id=args.id)
        if queued:
            _say("quarantine.cli.queued", count=queued)
        return 0

    return _guarded(run)


def cmd_confirm(args: argparse.Namespace) -> int:
    from moderation.review import confirm

    def run() -> int:
        with database_session(args) as (session, _config):
            confirm(session, args.id, args.by, args.clock.now())
        _say("quarantine.cli.confirmed", id=args.id)
        return 0

    return _guarded(run)


def add_hide_command(commands: Any) -> None:
    """``hide ID``: under ``vkbot quarantine`` and, as the issue names it, ``vkbot moderation``."""
    hide = _common(
        commands.add_parser("hide", help='a shown message or comment is abusive: hide it, label "abusive"'),
        json_flag=False,
    )
    hide.add_argument(
        "id", help="an item ID from `quarantine list --flagged`, or an inbox event key evt:<id>"
    )
    _reviewer(hide)
    hide.set_defaults(func=cmd_hide)


def cmd_hide(args: argparse.Namespace) -> int:
    from moderation.review import hide

    def run() -> int:
        with database_session(args) as (session, config):
            item_id = _item_id(session, args.id)
            now = args.clock.now()
            effects = hide(
                session,
                item_id=item_id,
                by=args.by,
                at=now,
                settings=config.moderation,
                group_id=config.vk.group_id,
            )
            queued = _enqueue(session, config, effects, now)
        _say("quarantine.cli.hidden", id=item_id)
        if queued:
            _say("quarantine.cli.queued", count=queued)
        return 0

    return _guarded(run)


def _item_id(session: Any, given: str) -> int:
    """An item ID as listed, or ``evt:<id>`` of a message the filter let through (recorded now)."""
    row_id = row_id_of(given)
    if row_id is not None:
        from vkbot.adapters.moderation import record_shown_event

        item = record_shown_event(session, row_id)
        assert item.id is not None
        return item.id
    if not given.isdigit():
        raise ValueError(f"{given!r} is neither an item ID nor evt:<id>")
    return int(given)


def cmd_removals(args: argparse.Namespace) -> int:
    from moderation.records import manual_removal_list

    with database_session(args) as (session, config):
        group_id = config.vk.group_id
        rows = [
            {
                "id": item.id,
                "at": item.created_at.isoformat(),
                "link": f"https://vk.com/wall-{group_id}_{item.post_id}?reply={item.comment_id}",
                "category": (item.categories or ["other"])[0],
                "reason": item.removal_note,
                **({"text": item.text} if args.show else {}),
            }
            for item in manual_removal_list(session)
        ]
    if args.json:
        print_json(rows)
    else:
        print_table(rows, ["id", "at", "link", "category", "reason", *(["text"] if args.show else [])])
    return 0


def cmd_removed(args: argparse.Namespace) -> int:
    from moderation.records import mark_removal

    def run() -> int:
        with database_session(args) as (session, _config):
            mark_removal(session, args.id, True)
        return 0

    return _guarded(run)


def cmd_digest(args: argparse.Namespace) -> int:
    from moderation.review import daily_digest

    with database_session(args) as (session, config):
        tz = _tz(config)
        day = args.day or args.clock.now().astimezone(tz).date()
        print(daily_digest(session, day, lang=args.lang, tz=tz))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from moderation.evidence import export_threats, write_csv, write_json

    since = datetime.combine(args.since, datetime.min.time(), UTC) if args.since else None
    with database_session(args) as (session, config):
        rows = export_threats(session, args.category, since, group_id=config.vk.group_id or None)
    writer = write_csv if args.format == "csv" else write_json
    if args.out is None:
        writer(rows, sys.stdout)
        return 0
    with args.out.open("w", encoding="utf-8", newline="") as out:
        writer(rows, out)
    _say("quarantine.cli.exported", count=len(rows), out=args.out)
    return 0


# -- bans -------------------------------------------------------------------------------------------


def _proposal_row(proposal: Any) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "author_id": proposal.author_id,
        "items": len(proposal.item_ids),
        "item_ids": list(proposal.item_ids),
        "status": proposal.status,
        "reason": proposal.reason,
        "ban_days": proposal.ban_days,
        "end_date": proposal.end_date.isoformat() if proposal.end_date else None,
        "created_at": proposal.created_at.isoformat(),
    }


def cmd_bans_list(args: argparse.Namespace) -> int:
    from moderation.bans import list_proposals

    with database_session(args) as (session, _config):
        rows = [_proposal_row(p) for p in list_proposals(session, None if args.all else "proposed")]
    print_rows(rows, ["id", "author_id", "items", "status", "reason", "ban_days", "end_date"], args.json)
    return 0


def cmd_bans_accept(args: argparse.Namespace) -> int:
    from moderation.bans import accept

    def run() -> int:
        with database_session(args) as (session, config):
            now = args.clock.now()
            ban = accept(session, args.id, now, args.by)
            _enqueue(session, config, [ban], now)
        end = ban.end_date.astimezone(UTC).date().isoformat() if ban.end_date else "∞"
        if args.json:
            print_json({"id": args.id, "author_id": ban.user_id, "end_date": end, "queued": True})
        else:
            _say("quarantine.cli.accepted", author_id=ban.user_id, end_date=end)
        return 0

    return _guarded(run)


def cmd_bans_dismiss(args: argparse.Namespace) -> int:
    from moderation.bans import dismiss

    def run() -> int:
        with database_session(args) as (session, _config):
            dismiss(session, args.id, args.clock.now(), args.by)
        if args.json:
            print_json({"id": args.id, "status": "dismissed"})
        else:
            _say("quarantine.cli.dismissed", id=args.id)
        return 0

    return _guarded(run)
