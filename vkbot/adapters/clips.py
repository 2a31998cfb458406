"""What clip uploads (delivery to a relative, publishing to the wall) need: the file store and an uploader."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol


class ClipMissing(Exception):
    """The clip's file is gone from the file store (retention removed it?): parked, not retried."""


class ClipFiles(Protocol):
    def open(self, file_id: str) -> bytes: ...


class Uploader(Protocol):
    async def upload(
        self, url: str, field: str, filename: str, data: bytes, content_type: str = ...
    ) -> dict[str, Any]: ...


async def read_clip(files: ClipFiles, file_id: str, what: str) -> bytes:
    """The clip's bytes, read off the event loop; ``ClipMissing`` (naming ``what``) when it is gone."""
    try:
        return await asyncio.to_thread(files.open, file_id)
    except (FileNotFoundError, ValueError) as exc:
        raise ClipMissing(f"{what}: clip file {file_id} is not in the file store") from exc
