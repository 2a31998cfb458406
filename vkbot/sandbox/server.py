"""Starting and stopping the sandbox: the aiohttp app, in the current event loop or in its own thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from vkbot.sandbox import api, control, longpoll, uploads, vkid
from vkbot.sandbox.core import Sandbox
from vkbot.sandbox.options import SandboxOptions
from vkbot.sandbox.state import SandboxState
from vkbot.sandbox.wire import SANDBOX_KEY


def build_app(sb: Sandbox) -> web.Application:
    app = web.Application(client_max_size=256 * 1024 * 1024)
    app[SANDBOX_KEY] = sb
    api.add_routes(app)
    longpoll.add_routes(app, sb.state.group_id)
    uploads.add_routes(app)
    control.add_routes(app)
    vkid.add_routes(app)
    return app


@dataclass
class RunningSandbox:
    """A listening sandbox: ``url`` (no trailing slash), ``api_url`` (``url + "/method/"``), live ``state``."""

    url: str
    sandbox: Sandbox

    @property
    def api_url(self) -> str:
        return f"{self.url}/method/"

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state


@asynccontextmanager
async def running_sandbox(options: SandboxOptions) -> AsyncIterator[RunningSandbox]:
    """Serve the sandbox in the current event loop until the block ends."""
    sb = Sandbox(options)
    runner = web.AppRunner(build_app(sb), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, options.host, options.port)
        await site.start()
        port = runner.addresses[0][1]
        host = f"[{options.host}]" if ":" in options.host else options.host
        sb.set_base_url(f"http://{host}:{port}")
        sb.start()
        yield RunningSandbox(sb.base_url, sb)
    finally:
        if sb.stopping is not None:
            sb.stopping.set()  # release answers held by accept_then_timeout
        await runner.cleanup()
        await sb.close()


class SandboxThread:
    """A sandbox served by its own thread and event loop (for sync clients such as vk_api)."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.url = ""
        self.sandbox: Sandbox | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="vkbot-sandbox", daemon=True)

    @property
    def api_url(self) -> str:
        return f"{self.url}/method/"

    @property
    def state(self) -> SandboxState:
        """The live state; read it only for inspection (it belongs to the sandbox's own thread)."""
        assert self.sandbox is not None, "start() first"
        return self.sandbox.state

    def start(self, timeout_s: float = 30.0) -> SandboxThread:
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise TimeoutError("the sandbox did not start in time")
        if self._error is not None:
            raise RuntimeError("the sandbox failed to start") from self._error
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with running_sandbox(self.options) as running:
            self.url = running.url
            self.sandbox = running.sandbox
            self._ready.set()
            await self._stop.wait()

    def stop(self, timeout_s: float = 30.0) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout_s)


def start_sandbox_thread(options: SandboxOptions) -> SandboxThread:
    """Start a sandbox in a background thread; ``.url`` is set when this returns; ``.stop()`` ends it."""
    return SandboxThread(options).start()
