"""A synchronous, size-bounded HTTP download for domain handlers (they run in a worker thread)."""

from __future__ import annotations

import logging
import threading
import urllib.request
from urllib.parse import urlparse

from waitlist.ports import Downloader, DownloadError

log = logging.getLogger("vkbot.downloads")


class HttpDownloader:
    """GETs a VK media URL (photos, voice notes: signed CDN links, no token) with a byte limit."""

    def __init__(self, timeout_s: float = 20.0):
        self.timeout_s = timeout_s

    def fetch(self, url: str, max_bytes: int) -> bytes:
        if urlparse(url).scheme not in ("http", "https"):
            raise DownloadError(f"refusing a non-HTTP URL ({urlparse(url).scheme or 'no scheme'})")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as resp:
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise DownloadError(f"file of {declared} bytes is over the {max_bytes}-byte limit")
                data = resp.read(max_bytes + 1)
        except DownloadError:
            raise
        except (OSError, ValueError) as exc:
            raise DownloadError(f"download failed: {type(exc).__name__}: {exc}") from exc
        if len(data) > max_bytes:
            raise DownloadError(f"file is over the {max_bytes}-byte limit")
        return data


class FetchedAhead:
    """A ``Downloader`` that first serves what ``fetch_all`` got before the transaction, then downloads.

    ``fetch_all`` replaces what it holds each time, so at most one batch's media are held in memory;
    a failure fetched ahead is served as the same failure (trying again inside the transaction would
    hold the database for the download's timeout, which is what fetching ahead avoids).
    """

    def __init__(self, inner: Downloader):
        self._inner = inner
        self._ahead: dict[tuple[str, int], bytes | DownloadError] = {}
        self._lock = threading.Lock()

    def fetch_all(self, wanted: list[tuple[str, int]]) -> dict[str, bytes]:
        """Download each (url, max_bytes) now; returns the contents that arrived, by url."""
        ahead: dict[tuple[str, int], bytes | DownloadError] = {}
        for url, max_bytes in wanted:
            try:
                ahead[(url, max_bytes)] = self._inner.fetch(url, max_bytes)
            except DownloadError as exc:
                ahead[(url, max_bytes)] = exc
        with self._lock:
            self._ahead = ahead
        return {url: data for (url, _), data in ahead.items() if isinstance(data, bytes)}

    def fetch(self, url: str, max_bytes: int) -> bytes:
        with self._lock:
            got = self._ahead.pop((url, max_bytes), None)
        if got is None:
            return self._inner.fetch(url, max_bytes)
        if isinstance(got, DownloadError):
            raise got
        return got
