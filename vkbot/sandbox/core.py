"""The sandbox as one object: state, tokens, media and faults, and the method-call pipeline VK applies."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import random
import secrets
from pathlib import Path
from typing import Any

from vkbot.sandbox import execute as vkscript
from vkbot.sandbox.errors import VkError, missing
from vkbot.sandbox.faults import FaultBook
from vkbot.sandbox.journal import Journal
from vkbot.sandbox.media import MediaStore
from vkbot.sandbox.methods import REGISTRY
from vkbot.sandbox.options import SandboxOptions
from vkbot.sandbox.params import Params, to_wire
from vkbot.sandbox.state import SandboxState
from vkbot.sandbox.tokens import Caller, TokenBook

FIRST_NAMES = (
    "Анна",
    "Мария",
    "Ольга",
    "Ирина",
    "Светлана",
    "Олена",
    "Наталья",
    "Иван",
    "Сергей",
    "Андрей",
    "Дмитрий",
    "Тарас",
    "Alex",
    "Kate",
)
LAST_NAMES = (
    "Иванова",
    "Петрова",
    "Смирнова",
    "Коваленко",
    "Шевченко",
    "Кузнецова",
    "Попова",
    "Бондаренко",
    "Smith",
    "Волкова",
)


class Sandbox:
    """What one running sandbox knows and does, independent of HTTP."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        data_dir = Path(options.data_dir) if options.data_dir else None
        journal = Journal(data_dir / "sandbox.db") if data_dir else None
        self.state = SandboxState(options, journal)
        self.tokens = TokenBook(self.state)
        self.media = MediaStore(self.state, data_dir / "files" if data_dir else None)
        self.faults = FaultBook(options.seed)
        self.base_url = ""
        self._upload_secret = hashlib.sha256(
            f"upload:{options.seed}:{options.community_token}".encode()
        ).digest()
        self._tasks: list[asyncio.Task[None]] = []
        self.stopping: asyncio.Event | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------

    def set_base_url(self, url: str) -> None:
        self.base_url = url
        self.media.base_url = url

    def start(self) -> None:
        """Background work: the journal flusher and postponed posts going live."""
        self.stopping = asyncio.Event()
        if self.state.journal is not None:
            self.state.journal.start(self.state.counters)
        self._tasks.append(asyncio.get_running_loop().create_task(self._publisher()))

    async def _publisher(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.state.publish_due_posts()

    async def close(self) -> None:
        if self.stopping is not None:
            self.stopping.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.state.journal is not None:
            await self.state.journal.close(self.state.counters)

    def reset(self) -> None:
        self.state.reset()
        self.faults.clear()
        self.tokens.reset_windows()

    # -- helpers for handlers ----------------------------------------------------------------------------

    def upload_url(self, kind: str) -> str:
        return f"{self.base_url}/upload/{kind}?t={secrets.token_hex(8)}"

    def upload_hash(self, name: str) -> str:
        return hmac.new(self._upload_secret, name.encode(), hashlib.sha256).hexdigest()[:32]

    def check_upload_hash(self, name: str, digest: str) -> bool:
        return hmac.compare_digest(self.upload_hash(name), digest)

    def group_object(self) -> dict[str, Any]:
        gid = self.state.group_id
        photo = f"{self.base_url}/files/group.png"
        return {
            "id": gid,
            "name": "Память в видео (sandbox)",
            "screen_name": f"club{gid}",
            "is_closed": 0,
            "type": "page",
            "is_admin": 0,
            "is_member": 0,
            "is_advertiser": 0,
            "photo_50": photo,
            "photo_100": photo,
            "photo_200": photo,
        }

    def profile(self, user_id: int) -> dict[str, Any]:
        pick = random.Random(user_id)
        return {
            "id": user_id,
            "first_name": pick.choice(FIRST_NAMES),
            "last_name": pick.choice(LAST_NAMES),
            "can_access_closed": True,
            "is_closed": False,
        }

    # -- the call pipeline ---------------------------------------------------------------------------------

    def invoke(self, name: str, values: dict[str, str], caller: Caller) -> Any:
        """One method as VK runs it after authentication and the rate check."""
        spec = REGISTRY.get(name)
        if spec is None:
            raise VkError(3, f"method {name} is not supported by the sandbox")
        if caller.kind not in spec.tokens:
            if caller.kind == "community":
                raise VkError(27)
            raise VkError(15, "method is available only with group auth")
        code = self.faults.error_for(name)
        if code is not None:
            raise VkError(code, "injected by a sandbox fault rule")
        params = Params(values)
        for required in spec.required:
            if not params.has(required):
                raise missing(required)
        from vkbot.sandbox.methods.base import Ctx

        return spec.handler(Ctx(self, caller, params))

    def run_execute(self, values: dict[str, str], caller: Caller) -> tuple[dict[str, Any], bool]:
        """``execute``: each sub-call counted under its name; failures become ``false`` + ``execute_errors``.

        Returns the answer body and whether an ``accept_then_timeout`` rule asked to withhold it.
        """
        code = values.get("code")
        if not code:
            raise missing("code")
        script = vkscript.parse(code)
        results: list[Any] = []
        errors: list[dict[str, Any]] = []
        hang = False
        for name, raw in script.calls:
            self.state.calls[name] += 1
            hang = self.faults.accept_then_timeout(name) or hang
            sub_values = {key: to_wire(value) for key, value in raw.items()}
            try:
                results.append(self.invoke(name, sub_values, caller))
            except VkError as exc:
                self.state.errors[str(exc.code)] += 1
                results.append(False)
                errors.append({"method": name, "error_code": exc.code, "error_msg": exc.msg})
        body: dict[str, Any] = {"response": results if script.as_list else results[0]}
        if errors:
            body["execute_errors"] = errors
        return body, hang

    def call(self, name: str, values: dict[str, str], token: str | None) -> tuple[dict[str, Any], bool]:
        """A request under /method/: the VK envelope, and whether to withhold the answer."""
        hang = False
        try:
            if name not in REGISTRY and name != "execute":
                raise VkError(3, f"method {name} is not supported by the sandbox")
            caller = self.tokens.identify(token)
            self.tokens.check_rate(caller)
            self.state.calls[name] += 1
            if name == "execute":
                return self.run_execute(values, caller)
            hang = self.faults.accept_then_timeout(name)
            return {"response": self.invoke(name, values, caller)}, hang
        except VkError as exc:
            self.state.errors[str(exc.code)] += 1
            echo = [{"key": "method", "value": name}, {"key": "oauth", "value": "1"}]
            echo += [{"key": k, "value": v} for k, v in values.items() if k != "access_token"]
            return {"error": {"error_code": exc.code, "error_msg": exc.msg, "request_params": echo}}, hang
