"""The community's Long Poll settings, checked and set at start, and what is off said plainly.

VK sends events in the shape of the ``api_version`` ticked in the community's Long Poll settings (below
5.103 ``message_new`` is the bare message and our parser stores it raw: the bot goes silent), and only
the event types ticked there. At start ``ensure_longpoll_settings`` reads ``groups.getLongPollSettings``
and asks ``groups.setLongPollSettings`` for what is missing (a community token with the ``manage``
right may). If VK refuses, each feature left without its event is named (``SettingsReport.problems``),
logged, and kept in ``vk_longpoll_settings`` so that ``vkbot status`` and ``check-config`` say it too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, Session, SQLModel

from vkbot.api.client import VkClient
from vkbot.api.errors import VkError
from vkbot.clock import Clock

log = logging.getLogger("vkbot.ingress.settings")

WANTED_VERSION = "5.199"
MIN_VERSION = (5, 103)  # from here on message_new is {"message", "client_info"}

# Every event type the suite uses, and what stops working without it (said to the founder as is).
EVENT_FEATURES: dict[str, str] = {
    "message_new": "no message_new: the bot never sees what people write",
    "message_reply": "no message_reply: the bot cannot step back when the founder writes",
    "message_edit": "no message_edit: corrected messages are not read again",
    "message_allow": "no message_allow: the bot does not learn who allowed messages",
    "message_deny": "no message_deny: the bot does not learn who forbade messages",
    "message_event": "no message_event: callback buttons do nothing",
    "wall_reply_new": "no wall_reply_new: no comment moderation",
    "wall_reply_edit": "no wall_reply_edit: edited comments are not checked again",
    "wall_reply_restore": "no wall_reply_restore: restored comments are not checked again",
    "wall_reply_delete": "no wall_reply_delete: comments deleted by hand stay on the review list",
    "wall_post_new": "no wall_post_new: published clips are not confirmed from the wall",
    "group_join": "no group_join: new members are not recorded",
    "group_leave": "no group_leave: members who leave are not recorded",
    "user_block": "no user_block: bans made in VK by hand are not recorded",
    "user_unblock": "no user_unblock: bans lifted in VK by hand are not recorded",
}


def _version(value: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(value).split("."))
    except ValueError:
        return (0,)


@dataclass(frozen=True)
class SettingsReport:
    """The settings as they stand after the check (None where VK would not tell us)."""

    enabled: bool | None
    api_version: str | None
    off: tuple[str, ...]  # event types the suite uses that stay unticked
    checked_at: datetime
    error: str | None = None  # why reading or setting failed
    changed: tuple[str, ...] = ()  # what the check set

    @property
    def problems(self) -> list[str]:
        """What is off, one plain sentence each; empty when everything the suite needs is on."""
        if self.enabled is None:
            return [
                f"Long Poll settings unknown ({self.error}): check in the community's settings (Manage -> "
                f"API usage -> Long Poll API) that it is on, at API version {WANTED_VERSION}, with the "
                f"event types {', '.join(EVENT_FEATURES)}"
            ]
        problems = []
        if not self.enabled:
            problems.append("Long Poll is off: the bot receives nothing")
        if _version(self.api_version) < MIN_VERSION:
            problems.append(
                f"Long Poll API version {self.api_version} (below 5.103): messages arrive in an old shape "
                "and the bot stays silent"
            )
        problems.extend(EVENT_FEATURES[name] for name in self.off)
        return problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "api_version": self.api_version,
            "off": list(self.off),
            "error": self.error,
            "changed": list(self.changed),
            "checked_at": self.checked_at.isoformat(),
            "problems": self.problems,
        }


async def ensure_longpoll_settings(client: VkClient, group_id: int, clock: Clock) -> SettingsReport:
    """Read the settings, set what the suite needs, and report what is still off. Never raises VkError."""
    current: dict[str, Any] | None
    read_error = None
    try:
        current = await client.call("groups.getLongPollSettings", {"group_id": group_id}, batch=False)
    except VkError as exc:
        current, read_error = None, str(exc)
    wanted = _missing(current)
    if not wanted:
        return _report(current, None, (), clock)
    try:
        await client.call("groups.setLongPollSettings", {"group_id": group_id, **wanted}, batch=False)
    except VkError as exc:
        return _report(current, str(exc) if current is not None else f"{read_error}; {exc}", (), clock)
    return SettingsReport(True, WANTED_VERSION, (), clock.now(), None, tuple(sorted(wanted)))


async def read_longpoll_settings(client: VkClient, group_id: int, clock: Clock) -> SettingsReport:
    """The settings as they are, changing nothing (``vkbot check-config --vk``)."""
    try:
        current = await client.call("groups.getLongPollSettings", {"group_id": group_id}, batch=False)
    except VkError as exc:
        return _report(None, str(exc), (), clock)
    return _report(current, None, (), clock)


def _missing(current: dict[str, Any] | None) -> dict[str, Any]:
    """The setLongPollSettings parameters that would make ``current`` what the suite needs."""
    if not isinstance(current, dict):
        return {"enabled": 1, "api_version": WANTED_VERSION, **dict.fromkeys(EVENT_FEATURES, 1)}
    wanted: dict[str, Any] = {}
    if not current.get("is_enabled"):
        wanted["enabled"] = 1
    if str(current.get("api_version")) != WANTED_VERSION:
        wanted["api_version"] = WANTED_VERSION
    wanted.update({name: 1 for name in _unticked(current)})
    return wanted


def _unticked(current: dict[str, Any]) -> tuple[str, ...]:
    """The event types the suite uses that these settings do not deliver (a missing flag counts as off)."""
    events = current.get("events")
    ticked: dict[str, Any] = events if isinstance(events, dict) else {}
    return tuple(name for name in EVENT_FEATURES if not ticked.get(name))


def _report(
    current: dict[str, Any] | None, error: str | None, changed: tuple[str, ...], clock: Clock
) -> SettingsReport:
    if not isinstance(current, dict):
        return SettingsReport(None, None, tuple(EVENT_FEATURES), clock.now(), error, changed)
    enabled, version = bool(current.get("is_enabled")), str(current.get("api_version"))
    return SettingsReport(enabled, version, _unticked(current), clock.now(), error, changed)


# -- kept for `vkbot status` --------------------------------------------------------------------------


class LongPollSettingsRow(SQLModel, table=True):
    """The last start-up check of one community's Long Poll settings."""

    __tablename__ = "vk_longpoll_settings"

    group_id: int = Field(primary_key=True)
    report: str = Field(sa_column=Column(Text, nullable=False))  # SettingsReport.as_dict() as JSON
    checked_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def save_report(engine: Engine, group_id: int, report: SettingsReport) -> None:
    text = json.dumps(report.as_dict(), ensure_ascii=False)
    with Session(engine) as session:
        row = session.get(LongPollSettingsRow, group_id)
        if row is None:
            row = LongPollSettingsRow(group_id=group_id, report=text, checked_at=report.checked_at)
        row.report, row.checked_at = text, report.checked_at
        session.add(row)
        session.commit()


def load_report(session: Session, group_id: int) -> dict[str, Any] | None:
    """The last check as ``SettingsReport.as_dict()``, or None if the suite never started (or its
    database predates the check: ``vkbot run`` migrates it)."""
    try:
        row = session.get(LongPollSettingsRow, group_id)
    except SQLAlchemyError:
        session.rollback()
        return None
    return json.loads(row.report) if row is not None else None


async def check_at_start(client: VkClient, group_id: int, engine: Engine, clock: Clock) -> SettingsReport:
    """The start-up check: set what is needed, log each feature that stays off, keep the report."""
    report = await ensure_longpoll_settings(client, group_id, clock)
    if report.changed:
        log.info("Long Poll settings set: %s", ", ".join(report.changed))
    for problem in report.problems:
        log.warning("Long Poll settings: %s", problem)
    await asyncio.to_thread(save_report, engine, group_id, report)
    return report
