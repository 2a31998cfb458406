"""``vkbot schedule ...``: the founder's publishing calendar from the command line.

``list`` shows the posts to come (``--all`` with past ones, ``--json`` for scripts); ``pause`` and
``resume`` stop and restart every publication (takedowns still run); ``move ID "YYYY-MM-DD HH:MM"``
takes the first free slot from then; ``pin ID "YYYY-MM-DD HH:MM"`` fixes the exact time; ``caption ID
TEXT`` changes the words (the family approves them again); ``posted ID`` records a hand-off she posted
herself; ``comments ID closed|open`` closes or opens the comments under a post (at once on the wall). Times are in the community's zone ([publishing].timezone).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from publishing.calendar import CalendarError, edit_caption, entries, move, parse_local, pause, pin, resume
from publishing.comments import set_comments
from publishing.models import PubPost
from publishing.outcomes import mark_posted_by_hand
from publishing.slots import is_paused
from vkbot.commands.common import (
    add_config_argument,
    add_json_argument,
    database_session,
    print_json,
    print_rows,
)
from vkbot.effects.outbox import enqueue
from vkbot.effects.publisher import effect_requests

EXIT_REFUSED = 1
_COLUMNS = ("id", "order", "status", "slot", "pinned", "vk_post_id", "caption", "note")


def register(subparsers: Any) -> None:
    group = subparsers.add_parser(
        "schedule", help="the publishing calendar: list, pause, resume, move, pin, caption, posted, comments"
    )
    commands = group.add_subparsers(dest="schedule_command", required=True, metavar="SUBCOMMAND")

    ls = commands.add_parser("list", help="posts to come (with --all: every post)")
    add_config_argument(ls)
    add_json_argument(ls)
    ls.add_argument(
        "--all", action="store_true", help="include posted, withdrawn, declined and expired posts"
    )
    ls.set_defaults(func=cmd_list)

    for name, func, help_text in (
        ("pause", cmd_pause, "publish nothing until resume (takedowns still run)"),
        ("resume", cmd_resume, "publish again; slots missed meanwhile move forward"),
    ):
        sub = commands.add_parser(name, help=help_text)
        add_config_argument(sub)
        sub.set_defaults(func=func)

    for name, func, help_text in (
        ("move", cmd_move, "the first free slot from a local time"),
        ("pin", cmd_pin, "exactly at a local time"),
    ):
        sub = commands.add_parser(name, help=help_text)
        add_config_argument(sub)
        sub.add_argument("id", type=int, help="an ID printed by `vkbot schedule list`")
        sub.add_argument("when", help='local time, "YYYY-MM-DD HH:MM"')
        sub.set_defaults(func=func)

    cap = commands.add_parser("caption", help="change a post's caption; the family approves it again")
    add_config_argument(cap)
    cap.add_argument("id", type=int)
    cap.add_argument("text", help="the new caption (quote it)")
    cap.set_defaults(func=cmd_caption)

    posted = commands.add_parser("posted", help="a post handed to you is on the wall: mark it posted")
    add_config_argument(posted)
    posted.add_argument("id", type=int)
    posted.add_argument("--post-id", type=int, default=None, help="the wall post's id (from its link)")
    posted.set_defaults(func=cmd_posted)

    comments = commands.add_parser("comments", help="close or open the comments under a post")
    add_config_argument(comments)
    comments.add_argument("id", type=int)
    comments.add_argument("state", choices=("closed", "open"))
    comments.set_defaults(func=cmd_comments)


def cmd_list(args: argparse.Namespace) -> int:
    with database_session(args) as (session, config):
        rows = [e.as_dict() for e in entries(session, config.publishing, include_past=args.all)]
        paused = is_paused(session)
    if args.json:
        print_json({"paused": paused, "posts": rows})
    else:
        if paused:
            print("publishing is PAUSED (vkbot schedule resume)")
        print_rows([{**r, "caption": r["caption"].splitlines()[0]} for r in rows], _COLUMNS, False)
    return 0


def cmd_pause(args: argparse.Namespace) -> int:
    with database_session(args) as (session, _):
        changed = pause(session, args.clock.now())
    print("publishing paused" if changed else "publishing was already paused")
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    with database_session(args) as (session, _):
        changed = resume(session, args.clock.now())
    print("publishing resumed" if changed else "publishing was not paused")
    return 0


def _change(args: argparse.Namespace, act: Callable[[Any, Any], Any], done: str) -> int:
    try:
        with database_session(args) as (session, config):
            post = act(session, config)
            slot = post.slot_at.astimezone(config.publishing.zone()) if post.slot_at else None
    except (CalendarError, LookupError, ValueError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(done.format(id=args.id, slot=f"{slot:%Y-%m-%d %H:%M}" if slot else "-"))
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    return _change(
        args,
        lambda s, c: move(s, c.publishing, args.id, parse_local(c.publishing, args.when), args.clock.now()),
        "post {id} moved to {slot}",
    )


def cmd_pin(args: argparse.Namespace) -> int:
    return _change(
        args,
        lambda s, c: pin(s, c.publishing, args.id, parse_local(c.publishing, args.when), args.clock.now()),
        "post {id} pinned to {slot}",
    )


def cmd_caption(args: argparse.Namespace) -> int:
    return _change(
        args,
        lambda s, c: edit_caption(s, args.id, args.text, args.clock.now()),
        "post {id}: caption changed; the family is asked to approve it again",
    )


def cmd_posted(args: argparse.Namespace) -> int:
    return _change(
        args,
        lambda s, c: mark_posted_by_hand(s, args.id, args.post_id, at=args.clock.now()),
        "post {id} marked as posted",
    )


def cmd_comments(args: argparse.Namespace) -> int:
    def switch(session: Any, config: Any) -> Any:
        now = args.clock.now()
        effect = set_comments(session, args.id, args.state == "closed", now)
        enqueue(session, effect_requests([effect] if effect else [], config.vk.group_id), now=now)
        return session.get(PubPost, args.id)

    return _change(args, switch, "post {id}: comments " + args.state)
