"""A content-addressed file store on local disk: the file id is the sha256 of the bytes."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

__all__ = ["LocalFileStore"]

_ID = re.compile(r"^[0-9a-f]{64}$")


class LocalFileStore:
    """Files live at ``root/ab/cd/<sha256>``; ids are validated so no path ever comes from outside."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, file_id: str) -> Path:
        if not _ID.match(file_id):
            raise ValueError(f"not a file id: {file_id!r}")
        return self.root / file_id[:2] / file_id[2:4] / file_id

    def put(self, data: bytes) -> str:
        file_id = hashlib.sha256(data).hexdigest()
        path = self._path(file_id)
        if path.exists():
            return file_id
        # Relatives' photos and clips: folders 0700, files 0600 (mkstemp's mode).
        for folder in (self.root, path.parent.parent, path.parent):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Write then rename, so a crash never leaves a half file under a valid id.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        return file_id

    def open(self, file_id: str) -> bytes:
        return self._path(file_id).read_bytes()

    def delete(self, file_id: str) -> None:
        self._path(file_id).unlink(missing_ok=True)

    def exists(self, file_id: str) -> bool:
        return self._path(file_id).exists()
