"""Measure a photo on arrival: its size, sharpness (variance of the Laplacian) and whether a face shows."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

__all__ = ["PhotoMeasures", "measure_photo"]

# Sharpness is measured on a copy of this width, so a big photo and its small copy score alike.
_MEASURE_WIDTH = 800


@dataclass(frozen=True)
class PhotoMeasures:
    width: int
    height: int
    sharpness: float
    faces: int

    def problems(self, min_side: int, min_sharpness: float, require_face: bool) -> tuple[str, ...]:
        found: list[str] = []
        if min(self.width, self.height) < min_side:
            found.append("small")
        if self.sharpness < min_sharpness:
            found.append("blurry")
        if require_face and self.faces == 0:
            found.append("no_face")
        return tuple(found)


@cache
def _face_detector() -> cv2.CascadeClassifier:
    # The cascade ships inside opencv-python-headless 4.x wheels (5.x dropped them): offline, no download.
    detector = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")  # type: ignore[attr-defined]
    if detector.empty():
        raise RuntimeError(
            "OpenCV's frontal face cascade is missing; is opencv-python-headless < 5 installed?"
        )
    return detector


# Photos measured ahead of the dispatcher's transaction (vkbot's prefetch) are not measured again inside
# it: a few recent results by content digest; small, since only one batch's photos are ever ahead.
_RECENT_LIMIT = 128
_recent: OrderedDict[bytes, PhotoMeasures | None] = OrderedDict()
_recent_lock = threading.Lock()


def measure_photo(data: bytes) -> PhotoMeasures | None:
    """The photo's measures, or ``None`` when the bytes are not an image OpenCV can read."""
    digest = hashlib.sha256(data).digest()
    with _recent_lock:
        if digest in _recent:
            return _recent[digest]
    measures = _measure(data)
    with _recent_lock:
        _recent[digest] = measures
        while len(_recent) > _RECENT_LIMIT:
            _recent.popitem(last=False)
    return measures


def _measure(data: bytes) -> PhotoMeasures | None:
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        return None
    height, width = image.shape[:2]
    scaled = image
    if width > _MEASURE_WIDTH:
        scaled = cv2.resize(
            image,
            (_MEASURE_WIDTH, max(1, round(height * _MEASURE_WIDTH / width))),
            interpolation=cv2.INTER_AREA,
        )
    sharpness = float(cv2.Laplacian(scaled, cv2.CV_64F).var())
    faces = _face_detector().detectMultiScale(
        cv2.equalizeHist(scaled), scaleFactor=1.1, minNeighbors=5, minSize=(24, 24)
    )
    return PhotoMeasures(
        width=int(width), height=int(height), sharpness=round(sharpness, 2), faces=len(faces)
    )
