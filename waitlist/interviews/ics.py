"""Her calls as an iCalendar feed (RFC 5545), written by hand: UTC times, escaped text, folded lines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from waitlist.interviews.views import InterviewView

__all__ = ["calendar_feed"]


def _escape(text: str) -> str:
    """TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space, never inside a character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_feed(
    calls: Iterable[InterviewView], *, name: str, summary: str, description: str, host: str
) -> str:
    """``summary``/``description`` are templates with {number}, {subject}, {relation}, {contact}."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//vkbot//interviews//RU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for call in calls:
        if call.starts_at is None or call.ends_at is None:
            continue
        fields = {
            "number": call.order_number or "",
            "subject": call.subject_name or "—",
            "relation": call.relation or "—",
            "contact": call.contact or "—",
        }
        lines += [
            "BEGIN:VEVENT",
            f"UID:interview-{call.id}-{_stamp(call.starts_at)}@{host}",
            f"DTSTAMP:{_stamp(call.updated_at)}",
            f"DTSTART:{_stamp(call.starts_at)}",
            f"DTEND:{_stamp(call.ends_at)}",
            f"SUMMARY:{_escape(summary.format(**fields))}",
            f"DESCRIPTION:{_escape(description.format(**fields))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
