"""``vkbot interviews ...``: the founder's calls with families from the command line.

``list`` shows the calls to come (and who asked to be written to instead); ``free`` shows her free hours
and the next free times, and changes them (``--weekly mon=10:00-13:00,15:00-18:00``, ``--off 2026-12-31``,
``--off 2026-12-30=14:00-16:00``, ``--extra 2027-01-03=10:00-12:00``, ``--clear 2026-12-31``);
``cancel NUMBER`` cancels order NUMBER's call and offers the relative new times (``--no-reoffer``: not).
Times are in her zone ([waitlist.interviews] timezone, else [waitlist] timezone).
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vkbot.commands.common import (
    add_config_argument,
    add_json_argument,
    database_session,
    print_json,
    print_rows,
)

EXIT_REFUSED = 1
_COLUMNS = ("when", "minutes", "order", "subject", "contact", "relative_time")


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("interviews", help="calls with families: list, free hours, cancel")
    commands = group.add_subparsers(dest="interviews_command", required=True, metavar="SUBCOMMAND")

    ls = commands.add_parser("list", help="the calls to come, and who asked to be written to instead")
    add_config_argument(ls)
    add_json_argument(ls)
    ls.add_argument("--days", type=int, default=14, help="how many days ahead (default 14)")
    ls.set_defaults(func=cmd_list)

    free = commands.add_parser("free", help="show or change your free hours (in your time zone)")
    add_config_argument(free)
    add_json_argument(free)
    free.add_argument(
        "--weekly",
        action="append",
        default=[],
        metavar="DAY=RANGES",
        help="e.g. mon=10:00-13:00,15:00-18:00; mon= means no calls on Mondays",
    )
    free.add_argument(
        "--off",
        action="append",
        default=[],
        metavar="DATE[=RANGES]",
        help="a day off (2026-12-31) or hours off that day (2026-12-30=14:00-16:00)",
    )
    free.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="DATE=RANGES",
        help="extra hours on a day (2027-01-03=10:00-12:00)",
    )
    free.add_argument(
        "--clear", action="append", default=[], metavar="DATE", help="drop that day's exceptions"
    )
    free.add_argument("--next", type=int, default=6, help="how many of the next free times to show")
    free.set_defaults(func=cmd_free)

    cancel = commands.add_parser("cancel", help="cancel an order's call (the relative is offered new times)")
    add_config_argument(cancel)
    cancel.add_argument("number", type=int, help="the order number")
    cancel.add_argument("--no-reoffer", action="store_true", help="do not offer new times")
    cancel.set_defaults(func=cmd_cancel)


def cmd_list(args: argparse.Namespace) -> int:
    from waitlist.interviews.booking import her_zone
    from waitlist.interviews.views import upcoming_interviews, write_me_requests

    with database_session(args) as (session, config):
        tz = her_zone(config.waitlist)
        calls = upcoming_interviews(session, args.clock.now(), days=args.days)
        writes = write_me_requests(session)
    rows = [
        {
            "when": f"{c.starts_at.astimezone(tz):%Y-%m-%d %H:%M}" if c.starts_at else "",
            "minutes": c.minutes,
            "order": c.order_number,
            "subject": c.subject_name,
            "contact": c.contact,
            "relative_time": (
                f"{c.starts_at.astimezone(ZoneInfo(c.tz)):%H:%M} {c.tz}"
                if c.starts_at and c.tz != tz.key
                else ""
            ),
        }
        for c in calls
    ]
    waiting = [{"order": c.order_number, "subject": c.subject_name, "contact": c.contact} for c in writes]
    if args.json:
        print_json({"calls": rows, "write_to_them": waiting})
        return 0
    print(f"calls in the next {args.days} days ({tz.key}):")
    print_rows(rows, _COLUMNS, False)
    if waiting:
        print("\nasked to be written to instead of a call:")
        print_rows(waiting, ("order", "subject", "contact"), False)
    return 0


def cmd_free(args: argparse.Namespace) -> int:
    from sqlmodel import col, select

    from waitlist.interviews.booking import her_zone
    from waitlist.interviews.hours import HoursError, edit_hours, load_hours, save_hours
    from waitlist.interviews.models import WlInterview
    from waitlist.interviews.slots import free_slots

    changing = bool(args.weekly or args.off or args.extra or args.clear)
    try:
        with database_session(args) as (session, config):
            conf, tz, now = config.waitlist.interviews, her_zone(config.waitlist), args.clock.now()
            hours = load_hours(session, conf)
            if changing:
                hours = edit_hours(
                    hours, weekly=args.weekly, off=args.off, extra=args.extra, clear=args.clear
                )
                hours = hours.forget_before(now.astimezone(tz).date())
                save_hours(session, hours, now)
            booked = session.exec(
                select(WlInterview.starts_at).where(
                    WlInterview.status == "booked", col(WlInterview.starts_at).is_not(None)
                )
            ).all()
            times = free_slots(
                hours,
                tz,
                call_minutes=conf.call_minutes,
                gap_minutes=conf.gap_minutes,
                after=now + timedelta(hours=conf.min_notice_hours),
                until=now + timedelta(days=conf.horizon_days),
                booked=[t for t in booked if t is not None],
            )
    except HoursError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    shown = hours.to_json()
    upcoming = [f"{t.astimezone(tz):%Y-%m-%d %H:%M}" for t in times[: args.next]]
    if args.json:
        print_json({**shown, "timezone": tz.key, "call_minutes": conf.call_minutes, "next_free": upcoming})
        return 0
    if changing:
        print("free hours saved")
    if not conf.enabled:
        print("note: offers are off until [waitlist.interviews] enabled = true")
    print(f"free hours ({tz.key}, calls of {conf.call_minutes} min + {conf.gap_minutes} min between):")
    for day, ranges in shown["weekly"].items() or [("-", ["none set"])]:
        print(f"  {day}: {', '.join(ranges)}")
    for day, ranges in shown["off"].items():
        print(f"  {day}: off {', '.join(ranges) or 'all day'}")
    for day, ranges in shown["extra"].items():
        print(f"  {day}: extra {', '.join(ranges)}")
    print("next free times: " + (", ".join(upcoming) or "none"))
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from waitlist.interviews.booking import cancel, for_order_number, reoffer
    from waitlist.interviews.changes import cancel_call

    try:
        with database_session(args) as (session, _):
            interview = for_order_number(session, args.number)
            if interview.status not in ("offered", "booked"):
                raise LookupError(f"order {args.number}'s call is not arranged (it is {interview.status})")
            now = args.clock.now()
            if args.no_reoffer:
                # A booked time is cancelled as from the dashboard: the relative is told (by the suite).
                if not cancel_call(session, interview, now):
                    cancel(session, interview, now)
            else:
                reoffer(session, interview, now, by_founder=True)
    except LookupError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if args.no_reoffer:
        print(f"order {args.number}: call cancelled")
    else:
        print(
            f"order {args.number}: call cancelled; the relative is offered new times (by the running suite)"
        )
    return 0
