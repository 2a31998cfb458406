"""What the dashboard's pages need from the running suite, created once by the app wiring."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from publishing.settings import PublishingSettings
from vkbot.adapters.clips import ClipFiles
from vkbot.clock import Clock
from vkbot.dashboard.security import LoginThrottle, Session, Signer
from vkbot.ops.health import HealthSources
from waitlist.settings import WaitlistSettings

if TYPE_CHECKING:
    from vkbot.dashboard.settings import DashboardSettings

# Who the review records name for actions taken here (the CLI's default too).
REVIEWER = "founder"


@dataclass
class Dashboard:
    """The dashboard's dependencies; ``wake`` tells the outbox sender new rows are waiting."""

    engine: Engine
    settings: DashboardSettings
    group_id: int
    waitlist: WaitlistSettings
    timezone: ZoneInfo
    health: HealthSources
    stall_after_s: float
    signer: Signer
    throttle: LoginThrottle
    templates: jinja2.Environment
    clock: Clock
    wake: Callable[[], None] = lambda: None
    # publish2: the calendar's slots and zone, and the file store its thumbnails and downloads read.
    publishing: PublishingSettings = field(default_factory=PublishingSettings)
    files: ClipFiles | None = None


DASHBOARD_KEY = web.AppKey("dashboard", Dashboard)
# The signed-in session of a request (absent on public pages before signing in).
SESSION_KEY = web.RequestKey("session", Session)


def session_of(request: web.Request) -> Session | None:
    return request.get(SESSION_KEY)


def dashboard_of(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD_KEY]
