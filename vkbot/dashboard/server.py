"""Serving the dashboard inside the running suite (``App.extra_tasks``), like the health endpoint."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from collections.abc import Callable
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session

from vkbot.clock import Clock
from vkbot.config import Config
from vkbot.core.store.db import begin_write
from vkbot.dashboard.accounts import sync_founder
from vkbot.dashboard.context import Dashboard
from vkbot.dashboard.network import allowed_hosts, networks
from vkbot.dashboard.render import make_templates
from vkbot.dashboard.security import Signer, derive_key
from vkbot.dashboard.settings import MIN_PASSWORD_CHARS
from vkbot.dashboard.web import dashboard_app
from vkbot.ops.health import HealthSources
from waitlist.filestore import LocalFileStore

log = logging.getLogger("vkbot.dashboard")


class DashboardServer:
    """Serves the dashboard until ``stop``; ``port`` is the bound one once ``started`` is set."""

    def __init__(self, dashboard: Dashboard):
        self.dashboard = dashboard
        self.port: int | None = None
        self.started = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://{self.dashboard.settings.host}:{self.port}"

    async def run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(dashboard_app(self.dashboard), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.dashboard.settings.host, self.dashboard.settings.port)
            await site.start()
            self.port = runner.addresses[0][1]
            log.info("dashboard on %s", self.url)
            self.started.set()
            await stop.wait()
        finally:
            await runner.cleanup()


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def dashboard_server(
    config: Config,
    engine: Engine,
    health: HealthSources,
    *,
    wake: Callable[[], None],
    clock: Clock,
) -> DashboardServer | None:
    """The server when ``[dashboard]`` is enabled and a password is set; otherwise None, saying why."""
    settings = config.dashboard
    password = settings.password.get_secret_value()
    if not password:
        log.error(
            "dashboard not started: no password is set "
            "(set VKBOT_DASHBOARD__PASSWORD or [dashboard] password in the secrets file)"
        )
        return None
    if len(password) < MIN_PASSWORD_CHARS:
        log.error("dashboard not started: its password is shorter than %d characters", MIN_PASSWORD_CHARS)
        return None
    if not _loopback(settings.host) and not settings.trusted_proxies:
        log.warning("dashboard listens on %s over plain HTTP: put it behind TLS", settings.host)
    # Login forms outlive a restart when a secret key is configured (sessions do anyway: they are rows).
    secret = os.environ.get("VKBOT_SECRET_KEY", "") or config.auth.secret_key.get_secret_value()
    with Session(engine) as session:
        begin_write(session)
        if sync_founder(session, password, clock.now()):
            log.info("dashboard: the founder's password is new; her earlier sessions are ended")
        session.commit()
    dashboard = Dashboard(
        engine=engine,
        settings=settings,
        group_id=config.vk.group_id,
        waitlist=config.waitlist,
        timezone=ZoneInfo(config.waitlist.timezone),
        health=health,
        stall_after_s=config.health.stall_after_s,
        signer=Signer(derive_key(secret)),
        templates=make_templates(),
        clock=clock,
        hosts=allowed_hosts(settings.host, settings.allowed_hosts),
        proxies=networks(settings.trusted_proxies),
        files=LocalFileStore(config.storage.files_dir),
        wake=wake,
        founder_user_id=config.alerts.founder_user_id,
        publishing=config.publishing,
    )
    return DashboardServer(dashboard)
