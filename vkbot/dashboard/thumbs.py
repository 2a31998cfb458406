"""A clip's thumbnail for the calendar: a frame of the local clip, never an external fetch.

The page's CSP allows images from this site only (a VK thumbnail URL would be blocked and would tell VK
who looks at the calendar), so the frame is read from the file store. Files are content-addressed:
a thumbnail never changes for a file id, so a small in-process cache is always right.
"""

from __future__ import annotations

import logging
import tempfile
from collections import OrderedDict
from functools import cache
from pathlib import Path
from threading import Lock

import cv2
import numpy as np

from vkbot.adapters.clips import ClipFiles

log = logging.getLogger("vkbot.dashboard.thumbs")

WIDTH = 160
_CACHED = 256
_cache: OrderedDict[str, bytes] = OrderedDict()
_lock = Lock()


@cache
def placeholder() -> bytes:
    """A calm grey frame for a clip that cannot be read (gone, or not a video cv2 can decode)."""
    ok, buf = cv2.imencode(".jpg", np.full((90, WIDTH, 3), 205, np.uint8))
    assert ok
    return buf.tobytes()


def _first_frame(data: bytes) -> bytes | None:
    with tempfile.TemporaryDirectory(prefix="thumb-") as folder:
        path = Path(folder) / "clip.mp4"
        path.write_bytes(data)
        capture = cv2.VideoCapture(str(path))
        try:
            ok, frame = capture.read()
        finally:
            capture.release()
    if not ok or frame is None:
        return None
    height = max(1, round(frame.shape[0] * WIDTH / frame.shape[1]))
    ok, buf = cv2.imencode(".jpg", cv2.resize(frame, (WIDTH, height)), [cv2.IMWRITE_JPEG_QUALITY, 80])
    return buf.tobytes() if ok else None


def thumbnail(files: ClipFiles | None, file_id: str) -> bytes:
    """The clip's first frame as a small JPEG; the placeholder when it cannot be had."""
    with _lock:
        if file_id in _cache:
            _cache.move_to_end(file_id)
            return _cache[file_id]
    frame = None
    if files is not None:
        try:
            frame = _first_frame(files.open(file_id))
        except (OSError, ValueError) as exc:
            log.warning("no thumbnail for clip %s: %s", file_id, exc)
    if frame is None:
        return placeholder()  # not cached: the file may arrive (or be replaced) later
    with _lock:
        _cache[file_id] = frame
        while len(_cache) > _CACHED:
            _cache.popitem(last=False)
    return frame
