"""The founder's urgent alerts (a relative asked for a person, words of despair) as outbox rows.

Each alert the waitlist raised becomes at most one VK message to her (the alert's own key) and, when
``[alerts.smtp]`` is set, one e-mail (the same key with ``:mail``), both in the transaction that handled
the relative's message, so a replay or a restart never sends either twice. A request for a person
waits for the end of her quiet hours (``not_before``); words of despair never wait.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import i18n
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import Executor, MethodCaller, OutboxRequest, message_request
from vkbot.ops.settings import AlertSettings
from waitlist import FounderAlert

if TYPE_CHECKING:  # the monitor's module pulls in the health report; the pipeline needs none of it
    from vkbot.ops.alerts import Mailer

__all__ = ["EMAIL_KIND", "email_executors", "founder_alert_requests", "quiet_until"]

EMAIL_KIND = "email"


def quiet_until(now: datetime, start_hour: int | None, end_hour: int | None, tz: ZoneInfo) -> datetime | None:
    """The end of her quiet hours when ``now`` is inside them (hours in her zone), else None."""
    if start_hour is None or end_hour is None or start_hour == end_hour:
        return None
    local = now.astimezone(tz)
    hour = local.hour
    inside = start_hour <= hour < end_hour if start_hour < end_hour else hour >= start_hour or hour < end_hour
    if not inside:
        return None
    day = local.date() if hour < end_hour else local.date() + timedelta(days=1)
    # In UTC: the outbox's not_before column keeps no zone on SQLite, so 8:00 Moscow must arrive as 5:00.
    return datetime.combine(day, time(end_hour), tzinfo=tz).astimezone(UTC)


def founder_alert_requests(
    alerts: list[FounderAlert], settings: AlertSettings, now: datetime, tz: ZoneInfo
) -> list[OutboxRequest]:
    """Her VK message and e-mail for each alert, held until her quiet hours end unless it is despair."""
    mail = bool(settings.smtp.host and settings.smtp.to)
    requests: list[OutboxRequest] = []
    for alert in alerts:
        waits = alert.kind != "crisis"
        later = quiet_until(now, settings.quiet_from_hour, settings.quiet_until_hour, tz) if waits else None
        text = alert.message(settings.language)
        if settings.founder_user_id:
            requests.append(
                replace(message_request(alert.key, settings.founder_user_id, text), not_before=later)
            )
        if mail:
            subject = i18n.text(f"founder_mail.{alert.kind}", settings.language, peer_id=alert.peer_id or 0)
            params = {"subject": subject, "body": text}
            requests.append(
                OutboxRequest(f"{alert.key}:mail", "email.send", params, kind=EMAIL_KIND, not_before=later)
            )
    return requests


def email_executors(mailer: Mailer) -> dict[str, Executor]:
    """The outbox sends ``email`` rows through ``mailer``; an SMTP error is an OSError, so it is retried."""

    async def send(row: OutboxRow, _client: MethodCaller) -> Any:
        await mailer.send(str(row.params["subject"]), str(row.params["body"]))
        return {"mailed": True}

    return {EMAIL_KIND: send}
