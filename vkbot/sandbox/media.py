"""Stored files and the VK objects that describe them (photo, doc, audio_message, sticker, video)."""

from __future__ import annotations

import mimetypes
import random
import re
import secrets
import struct
from pathlib import Path
from typing import Any

from vkbot.sandbox.state import SandboxState, now

# VK's photo size letters with their bounding boxes (width, height).
PHOTO_SIZES = (
    ("s", 75, 75),
    ("m", 130, 130),
    ("x", 604, 604),
    ("y", 807, 807),
    ("z", 1080, 1024),
    ("w", 2560, 2048),
)
ATTACHMENT_RE = re.compile(r"^([a-z_]*[a-z])(-?\d+)_(\d+)(?:_([A-Za-z0-9]+))?$")
DOC_TYPES = {
    "txt": 1,
    "pdf": 1,
    "doc": 1,
    "docx": 1,
    "zip": 2,
    "rar": 2,
    "gif": 3,
    "jpg": 4,
    "jpeg": 4,
    "png": 4,
    "mp3": 5,
    "ogg": 5,
    "mp4": 6,
    "avi": 6,
    "epub": 7,
}


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG, GIF or JPEG header; 604x604 when unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return 604, 604


def _fit(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    scale = min(1.0, box_w / max(width, 1), box_h / max(height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


class MediaStore:
    """Keeps uploaded bytes (in memory, or under ``files_dir``) and registers VK media objects."""

    def __init__(self, state: SandboxState, files_dir: Path | None) -> None:
        self.state = state
        self.files_dir = files_dir
        self._files: dict[str, bytes] = {}
        self.base_url = ""
        if files_dir is not None:
            files_dir.mkdir(parents=True, exist_ok=True)

    def url(self, name: str) -> str:
        return f"{self.base_url}/files/{name}"

    def store_file(self, data: bytes, filename: str = "file.bin") -> str:
        ext = Path(filename).suffix.lower().lstrip(".") or "bin"
        name = f"{self.state.next_id('upload')}-{secrets.token_hex(6)}.{ext}"
        if self.files_dir is not None:
            (self.files_dir / name).write_bytes(data)
        else:
            self._files[name] = data
        return name

    def read_file(self, name: str) -> tuple[bytes, str] | None:
        if "/" in name or name.startswith("."):
            return None
        data = self._files.get(name)
        if data is None and self.files_dir is not None and (self.files_dir / name).is_file():
            data = (self.files_dir / name).read_bytes()
        if data is None:
            return None
        return data, mimetypes.guess_type(name)[0] or "application/octet-stream"

    def file_size(self, name: str) -> int:
        found = self.read_file(name)
        return len(found[0]) if found else 0

    def _register(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        key = f"{kind}{obj['owner_id']}_{obj['id']}"
        self.state.media[key] = obj
        self.state.save("media", key, obj)
        return obj

    def photo(
        self,
        owner_id: int,
        name: str,
        data: bytes,
        album_id: int = -3,
        text: str = "",
        *,
        orig: bool = True,
    ) -> dict[str, Any]:
        """A photo object; ``orig=False`` gives what VK often sends instead: no ``orig_photo``, only the
        sizes the image reaches (s, m, x always; y, z, w when it is larger), in no particular order."""
        width, height = image_size(data)
        media_id = self.state.next_id("media")
        sizes = []
        previous_box = (0, 0)
        for letter, box_w, box_h in PHOTO_SIZES:
            if not orig and letter not in "smx" and width <= previous_box[0] and height <= previous_box[1]:
                break
            w, h = _fit(width, height, box_w, box_h)
            sizes.append({"type": letter, "url": f"{self.url(name)}?size={letter}", "width": w, "height": h})
            previous_box = (box_w, box_h)
        photo: dict[str, Any] = {
            "id": media_id,
            "owner_id": owner_id,
            "album_id": album_id,
            "date": now(),
            "access_key": secrets.token_hex(9),
            "text": text,
            "has_tags": False,
            "web_view_token": secrets.token_hex(9),
            "sizes": sizes,
        }
        if orig:
            photo["orig_photo"] = {"type": "base", "url": self.url(name), "width": width, "height": height}
        else:
            random.Random(media_id).shuffle(sizes)
        return self._register("photo", photo)

    def doc(self, owner_id: int, name: str, title: str) -> dict[str, Any]:
        ext = Path(name).suffix.lstrip(".")
        return self._register(
            "doc",
            {
                "id": self.state.next_id("media"),
                "owner_id": owner_id,
                "title": title,
                "size": self.file_size(name),
                "ext": ext,
                "date": now(),
                "type": DOC_TYPES.get(ext, 8),
                "url": self.url(name),
                "access_key": secrets.token_hex(9),
            },
        )

    def audio_message(self, owner_id: int, name: str) -> dict[str, Any]:
        size = self.file_size(name)
        return self._register(
            "audio_message",
            {
                "id": self.state.next_id("media"),
                "owner_id": owner_id,
                "duration": max(1, size // 4000),
                "waveform": [0, 5, 12, 20, 31, 20, 12, 5, 0],
                "link_ogg": self.url(name),
                "link_mp3": self.url(name),
                "access_key": secrets.token_hex(9),
                "transcript": "",
                "transcript_state": "done",
            },
        )

    def sticker(self, name: str | None) -> dict[str, Any]:
        sticker_id = self.state.next_id("media")
        images = [{"url": self.url(name), "width": 128, "height": 128}] if name else []
        return {"product_id": 1, "sticker_id": sticker_id, "images": images, "images_with_background": images}

    def video(self, owner_id: int, title: str, description: str, duration: int = 0) -> dict[str, Any]:
        return self._register(
            "video",
            {
                "id": self.state.next_id("media"),
                "owner_id": owner_id,
                "title": title,
                "description": description,
                "duration": duration,
                "date": now(),
                "access_key": secrets.token_hex(9),
                "type": "video",
                "views": 0,
                "comments": 0,
                "image": [],
                "files": {},
            },
        )

    def wall_post(self, owner_id: int, text: str) -> dict[str, Any]:
        """A wall post shared into a message (VK's ``wall`` attachment: ``from_id``/``to_id``, no media)."""
        return self._register(
            "wall",
            {
                "id": self.state.next_id("media"),
                "owner_id": owner_id,
                "from_id": owner_id,
                "to_id": owner_id,
                "date": now(),
                "post_type": "post",
                "text": text,
                "attachments": [],
                "comments": {"count": 0},
                "likes": {"count": 0, "user_likes": 0, "can_like": 1, "can_publish": 1},
                "reposts": {"count": 0, "user_reposted": 0},
                "views": {"count": 1},
                "access_key": secrets.token_hex(9),
            },
        )

    def poll(self, owner_id: int, question: str, answers: list[str]) -> dict[str, Any]:
        poll_id = self.state.next_id("media")
        return self._register(
            "poll",
            {
                "id": poll_id,
                "owner_id": owner_id,
                "author_id": owner_id,
                "created": now(),
                "question": question,
                "votes": 0,
                "answers": [
                    {"id": poll_id * 10 + i, "text": text, "votes": 0, "rate": 0}
                    for i, text in enumerate(answers)
                ],
                "anonymous": False,
                "multiple": False,
                "disable_unvote": False,
                "answer_ids": [],
                "end_date": 0,
                "closed": False,
                "is_board": False,
                "can_edit": False,
                "can_vote": True,
                "can_report": True,
                "can_share": True,
            },
        )

    @staticmethod
    def link(url: str, title: str) -> dict[str, Any]:
        """A link preview (links have no id and are not registered)."""
        return {
            "url": url,
            "title": title,
            "caption": url.split("/")[2] if "//" in url else "",
            "description": "",
            "is_favorite": False,
        }

    def attachment(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {"type": kind, kind: obj}

    def resolve(self, attachment: str) -> list[dict[str, Any]]:
        """``photo-1_2_key,doc3_4`` -> message attachments; unknown ids become minimal objects."""
        found: list[dict[str, Any]] = []
        for part in filter(None, (p.strip() for p in attachment.split(","))):
            match = ATTACHMENT_RE.match(part)
            if match is None:
                raise ValueError(part)
            kind, owner_id, media_id, access_key = match.groups()
            obj = self.state.media.get(f"{kind}{owner_id}_{media_id}")
            if obj is None:
                obj = {"id": int(media_id), "owner_id": int(owner_id), "access_key": access_key or ""}
            found.append({"type": kind, kind: obj})
        return found
