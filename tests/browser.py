"""What the dashboard's Chromium tests share: the system Chromium, the suite with its dashboard, screenshots.

Debian's ``chromium`` is driven through Playwright's ``executable_path`` (Playwright's own browser download
needs internet). Each test module starts one suite and one browser; each test opens a fresh context.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import requests

import i18n
from tests.app_helpers import running_app, sandbox_config
from vkbot.app import App
from vkbot.sandbox import SandboxControl

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"  # git-ignored, for a person to look at
OPEN_WINDOW = {"sending_window_start_hour": 0, "sending_window_end_hour": 24, "queue_limit": 1000}


def ru(key: str, **params: Any) -> str:
    return i18n.text(key, "ru", **params)


async def open_blurred(page: Any) -> None:
    """Open every blurred text (a message sent to review), as her click on it would."""
    await page.evaluate("document.querySelectorAll('details.review').forEach(d => { d.open = true; })")


async def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """The system Chromium, headless, closed on exit."""
    from playwright.async_api import async_playwright  # only the browser modules need it

    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@asynccontextmanager
async def dashboard_suite(
    sandbox_url: str, folder: Path, **sections: dict[str, Any]
) -> AsyncIterator[tuple[App, SandboxControl]]:
    """The whole suite on SQLite against the reset sandbox, its dashboard listening and its listener polling."""
    await asyncio.to_thread(requests.post, f"{sandbox_url}/sandbox/reset", timeout=10)
    config = sandbox_config(
        sandbox_url,
        f"sqlite:///{folder / 'suite.db'}",
        folder / "files",
        dashboard={"enabled": "true", "port": 0, "password": PASSWORD},
        **sections,
    )
    async with aiohttp.ClientSession() as http, running_app(config) as app:
        sandbox = SandboxControl(http, sandbox_url)
        assert app.dashboard is not None
        await asyncio.wait_for(app.dashboard.started.wait(), 10)
        await sandbox.wait_for_call("groups.getLongPollServer")
        yield app, sandbox
