"""A synchronous, size-bounded HTTP download for domain handlers (they run in a worker thread)."""

from __future__ import annotations

import logging
import urllib.request
from urllib.parse import urlparse

from waitlist.ports import DownloadError

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
