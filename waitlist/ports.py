"""What the domain needs from the outside, as small protocols that vkbot implements."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

__all__ = ["Clock", "DownloadError", "Downloader", "FileStore", "MessageTexts"]


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""
        ...


class FileStore(Protocol):
    """Content-addressed bytes: the id is the sha256 hex of the content; paths never come from users."""

    def put(self, data: bytes) -> str: ...

    def put_file(self, source: Path) -> str:
        """``put`` for a file on disk, read in chunks (a finished clip may be large)."""
        ...

    def open(self, file_id: str) -> bytes: ...

    def delete(self, file_id: str) -> None: ...

    def exists(self, file_id: str) -> bool: ...


class DownloadError(Exception):
    """The file could not be fetched, or it was larger than allowed."""


class Downloader(Protocol):
    def fetch(self, url: str, max_bytes: int) -> bytes:
        """Sync GET (handlers run in a worker thread); raises DownloadError when too big or failed."""
        ...


class MessageTexts(Protocol):
    """vkbot's stored messages (and labels made from them) for one conversation."""

    def erase_texts(self, peer_id: int, keep_evidence: bool) -> int:
        """Blank the texts of this peer's stored messages; returns how many were erased."""
        ...

    def count_evidence(self, peer_id: int) -> int:
        """How many of this peer's messages are kept as evidence of threats."""
        ...
