"""Alerts: tells the founder once per incident (listener stalled, token refresh failed, rows parked), by VK and e-mail.

An incident goes open -> notified -> resolved. It opens when its condition is first seen, is notified
once on each channel (a VK message to ``founder_user_id`` as an outbox row, and an e-mail through SMTP,
because VK itself may be what failed), and resolves when the condition clears; the same condition
after that is a new incident and notifies again. A channel that fails (SMTP down) is retried on the
next check until it succeeds once; many failures inside one incident never send a second message.

Conditions, checked every ``check_every_s``:

- ``listener_stalled``: no good long poll for ``stall_after_s`` (``vkbot.ops.health.listener_stalled``);
- ``token_refresh_failed``: the token status carries ``last_error`` (a refresh VK ID refused or that
  failed); never having connected is the degraded mode, not an incident;
- ``outbox_parked``: parked outbox rows exist (resolved once they are retried or dropped).

Incidents are rows of ``vk_alert_incidents``, so a restart (or kill -9) neither forgets nor re-reports
one: the monitor picks up the open ones, a channel already notified stays quiet, one that had not
succeeded yet is retried. The VK message is queued in the same transaction that records it, under a
key made from the incident's id, so it is one outbox row whatever happens. An e-mail is recorded
after the server took it: a kill between the two can send it twice, the one gap left. Right after a
restart the listener has no poll to judge by yet, so an open ``listener_stalled`` incident stays open
until a good poll (resolved) or ``stall_after_s`` (still the same incident).
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Literal, Protocol

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import i18n
from vkbot.clock import Clock
from vkbot.core.store.db import begin_write
from vkbot.core.store.models import AlertIncident
from vkbot.core.worker import pause
from vkbot.effects.outbox import backlog, enqueue, message_request
from vkbot.ops.health import ListenerView, TokenStatusView, listener_stalled, poll_age_s
from vkbot.ops.settings import AlertSettings, SmtpSettings

log = logging.getLogger("vkbot.ops.alerts")

IncidentKind = Literal["listener_stalled", "token_refresh_failed", "outbox_parked"]


class Mailer(Protocol):
    async def send(self, subject: str, body: str) -> None: ...


class SmtpMailer:
    """Sends through the configured SMTP server with smtplib in a worker thread."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    async def send(self, subject: str, body: str) -> None:
        await asyncio.to_thread(self._send, subject, body)

    def _send(self, subject: str, body: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = s.from_addr, ", ".join(s.to), subject
        message.set_content(body)
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password.get_secret_value())
            smtp.send_message(message)


@dataclass
class Incident:
    kind: IncidentKind
    opened_at: datetime
    detail: str
    id: int | None = None  # its row in vk_alert_incidents
    state: Literal["open", "notified", "resolved"] = "open"
    vk_sent: bool = False
    mail_sent: bool = False
    resolved_at: datetime | None = None

    @property
    def key(self) -> str:
        """Names the incident's VK message in the outbox: from the durable id, so a restart re-queues the same row."""
        return f"alert:incident:{self.id}"

    @classmethod
    def from_row(cls, row: AlertIncident) -> Incident:
        return cls(
            kind=row.kind,  # type: ignore[arg-type]  # only IncidentKind values are written
            opened_at=row.opened_at,
            detail=row.detail,
            id=row.id,
            vk_sent=row.vk_notified_at is not None,
            mail_sent=row.mail_notified_at is not None,
        )


@dataclass
class AlertMonitor:
    """Checks the conditions and notifies; ``run`` goes into ``App.extra_tasks``."""

    engine: Engine
    settings: AlertSettings
    listener: ListenerView
    token_status: Callable[[], TokenStatusView] | None = None
    mailer: Mailer | None = None
    wake_sender: Callable[[], None] | None = None
    clock: Clock = field(kw_only=True)
    started_at: datetime | None = None  # None: when it was made, by ``clock``
    since: datetime = field(init=False)  # what "no poll yet" is measured from
    incidents: dict[IncidentKind, Incident] = field(default_factory=dict)  # the current one per kind
    history: list[Incident] = field(default_factory=list)  # resolved by this process, oldest first
    _loaded: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self.since = self.started_at or self.clock.now()
        if self.mailer is None and self.settings.smtp.host:
            self.mailer = SmtpMailer(self.settings.smtp)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.check()
            except Exception:  # a broken check must not end the app; it is logged and tried again
                log.exception("alert check failed")
            await pause(stop, self.settings.check_every_s)

    async def check(self) -> list[Incident]:
        """One round: open, notify or resolve incidents; returns the ones open now."""
        now = self.clock.now()
        if not self._loaded:  # those a previous run left open
            for incident in await asyncio.to_thread(self._load_open):
                self.incidents.setdefault(incident.kind, incident)
            self._loaded = True
        found = await asyncio.to_thread(self._conditions, now)
        for kind in list(self.incidents):
            if kind not in found and not self._undecided(kind):
                incident = self.incidents[kind]
                await asyncio.to_thread(self._mark, incident, "resolved_at", now)
                del self.incidents[kind]
                incident.state, incident.resolved_at = "resolved", now
                self.history.append(incident)
                log.info("incident %s resolved", kind)
        for kind, detail in found.items():
            if kind not in self.incidents:
                self.incidents[kind] = await asyncio.to_thread(self._open, kind, detail, now)
        for incident in self.incidents.values():
            if incident.state == "open":
                await self._notify(incident, now)
        return list(self.incidents.values())

    def _undecided(self, kind: IncidentKind) -> bool:
        """Too early to say the listener recovered: no poll since this start, and not ``stall_after_s`` yet."""
        return kind == "listener_stalled" and self.listener.last_poll_at is None

    def _load_open(self) -> list[Incident]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(AlertIncident)
                .where(col(AlertIncident.resolved_at).is_(None))
                .order_by(col(AlertIncident.id))
            ).all()
        for row in rows:
            log.info("incident %s #%s still open from before the restart", row.kind, row.id)
        return [Incident.from_row(row) for row in rows]

    def _open(self, kind: IncidentKind, detail: str, now: datetime) -> Incident:
        with Session(self.engine) as session:
            begin_write(session)
            # Another process may have opened it meanwhile: one open incident per kind.
            row = session.exec(
                select(AlertIncident).where(
                    AlertIncident.kind == kind, col(AlertIncident.resolved_at).is_(None)
                )
            ).first()
            if row is None:
                row = AlertIncident(kind=kind, detail=detail, opened_at=now)
                session.add(row)
                session.commit()
                session.refresh(row)
                log.warning("incident %s #%s opened: %s", kind, row.id, detail)
            return Incident.from_row(row)

    def _mark(self, incident: Incident, column: str, now: datetime) -> None:
        with Session(self.engine) as session:
            begin_write(session)
            self._set(session, incident, column, now)
            session.commit()

    @staticmethod
    def _set(session: Session, incident: Incident, column: str, now: datetime) -> None:
        session.execute(
            update(AlertIncident).where(col(AlertIncident.id) == incident.id).values({column: now})
        )

    def _conditions(self, now: datetime) -> dict[IncidentKind, str]:
        found: dict[IncidentKind, str] = {}
        if listener_stalled(self.listener, now, self.since, self.settings.stall_after_s):
            age = poll_age_s(self.listener, now, self.since)
            found["listener_stalled"] = self._text(
                "alerts.detail.listener_stalled",
                age=f"{age:.0f}",
                state=self.listener.state,
                failures=self.listener.consecutive_failures,
            )
        if self.token_status is not None:
            status = self.token_status()
            if status.last_error:
                found["token_refresh_failed"] = self._text(
                    "alerts.detail.token_refresh_failed", error=status.last_error
                )
        with Session(self.engine) as session:
            outbox = backlog(session)
        parked = outbox["counts"].get("parked", 0)
        if parked:
            reasons = "; ".join(
                f"#{row['id']} {row['method']}: {row['reason']}" for row in outbox["parked"][:5]
            )
            found["outbox_parked"] = self._text("alerts.detail.outbox_parked", count=parked, reasons=reasons)
        return found

    def _text(self, key: str, **params: Any) -> str:
        return i18n.text(key, self.settings.language, **params)

    def _title(self, kind: IncidentKind) -> str:
        return self._text(f"alerts.title.{kind}")

    async def _notify(self, incident: Incident, now: datetime) -> None:
        since = self._text("alerts.since", moment=f"{incident.opened_at:%Y-%m-%d %H:%M}")
        text = f"{self._title(incident.kind)}\n{incident.detail}\n{since}"
        if not incident.vk_sent:
            incident.vk_sent = await self._send_vk(incident, text, now)
        if not incident.mail_sent:
            incident.mail_sent = await self._send_mail(incident, text, now)
        if incident.vk_sent and incident.mail_sent:
            incident.state = "notified"

    async def _send_vk(self, incident: Incident, text: str, now: datetime) -> bool:
        founder = self.settings.founder_user_id
        if not founder:
            return True  # nothing to send on this channel
        request = message_request(incident.key, founder, text)
        try:
            await asyncio.to_thread(self._enqueue, incident, request, now)
        except Exception:
            log.exception("incident %s: could not queue the VK message", incident.kind)
            return False
        if self.wake_sender:
            self.wake_sender()
        return True

    def _enqueue(self, incident: Incident, request: Any, now: datetime) -> None:
        # One transaction: the row is queued if and only if the incident says the VK notice was given.
        with Session(self.engine) as session:
            begin_write(session)
            enqueue(session, [request], now=now)
            self._set(session, incident, "vk_notified_at", now)
            session.commit()

    async def _send_mail(self, incident: Incident, text: str, now: datetime) -> bool:
        if self.mailer is None:
            return True
        try:
            await self.mailer.send(f"[vkbot] {self._title(incident.kind)}", text)
        except Exception as exc:  # retried on the next check; the reason, never the password, is logged
            log.warning("incident %s: e-mail not sent (%s: %s)", incident.kind, type(exc).__name__, exc)
            return False
        try:
            await asyncio.to_thread(self._mark, incident, "mail_notified_at", now)
        except Exception:  # sent all the same: not again in this run (a restart would send it once more)
            log.exception("incident %s: could not record the e-mail", incident.kind)
        return True
