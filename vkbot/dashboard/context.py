"""What the dashboard's pages need from the running suite, created once by the app wiring, and who is
signed in on a request (``account_of``: the one place other modules ask)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from vkbot.clock import Clock
from vkbot.dashboard.lockout import LockoutPolicy
from vkbot.dashboard.network import LOOPBACK_HOSTS, IPNetwork
from vkbot.dashboard.security import Signer
from vkbot.ops.health import HealthSources
from waitlist.filestore import LocalFileStore
from waitlist.settings import WaitlistSettings

if TYPE_CHECKING:
    from vkbot.dashboard.settings import DashboardSettings

# The founder's account name, and what review records name for her (the CLI's default too).
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
    templates: jinja2.Environment
    clock: Clock
    files: LocalFileStore  # the orders' photos, voice notes and clips (storage.files_dir)
    hosts: frozenset[str] = LOOPBACK_HOSTS
    proxies: tuple[IPNetwork, ...] = ()
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    wake: Callable[[], None] = lambda: None
    # desk: her own VK id ([alerts] founder_user_id): the alerts sent to her are not a relative's thread
    founder_user_id: int = 0


@dataclass(frozen=True)
class Account:
    """Who is signed in: ``role`` is "founder" or "helper"."""

    name: str
    role: str

    @property
    def founder(self) -> bool:
        return self.role == "founder"

    @property
    def actor(self) -> str:
        """How review records and the audit name them: "founder" or "assistant:<name>" (as the CLI's --by)."""
        return self.name if self.founder else f"assistant:{self.name}"


@dataclass(frozen=True)
class SignedIn:
    account: Account
    sid: str  # the session row's key (the hash of the cookie's token)
    csrf: str


DASHBOARD_KEY = web.AppKey("dashboard", Dashboard)
# The signed-in session of a request (absent on public pages before signing in).
SESSION_KEY = web.RequestKey("session", SignedIn)


def session_of(request: web.Request) -> SignedIn | None:
    return request.get(SESSION_KEY)


def account_of(request: web.Request) -> Account | None:
    """The signed-in account of a request (every page but the public ones has one)."""
    session = session_of(request)
    return session.account if session else None


def actor_of(request: web.Request) -> str:
    """The name to record for an action taken on this request (pages behind the sign-in only)."""
    account = account_of(request)
    if account is None:
        raise web.HTTPForbidden()
    return account.actor


def require_founder(request: web.Request) -> Account:
    account = account_of(request)
    if account is None or not account.founder:
        raise web.HTTPForbidden()
    return account


def dashboard_of(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD_KEY]
