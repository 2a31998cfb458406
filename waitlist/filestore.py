"""A content-addressed file store on local disk: the file id is the sha256 of the bytes."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

__all__ = ["LocalFileStore"]

_ID = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


# Copies made from a stored file (a photo's thumbnail): under this folder, removed with their original.
DERIVED = "derived"


class LocalFileStore:
    """Files live at ``root/ab/cd/<sha256>``; ids are validated so no path ever comes from outside.

    Copies derived from a file (``derived_path``) live at ``root/derived/ab/<sha256>.<kind>``; deleting
    the file deletes them too, so retention never leaves a thumbnail of a removed photo behind.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, file_id: str) -> Path:
        if not _ID.match(file_id):
            raise ValueError(f"not a file id: {file_id!r}")
        return self.root / file_id[:2] / file_id[2:4] / file_id

    def path(self, file_id: str) -> Path:
        """Where a file lives (for serving it in ranges, as a video player asks); the id is validated."""
        return self._path(file_id)

    def _folders(self, path: Path) -> None:
        # Relatives' photos and clips: folders 0700, files 0600 (mkstemp's mode).
        for folder in (self.root, path.parent.parent, path.parent):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _write(self, path: Path, data: bytes) -> None:
        self._folders(path)
        # Write then rename, so a crash never leaves a half file under a valid name.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)

    def put(self, data: bytes) -> str:
        file_id = hashlib.sha256(data).hexdigest()
        path = self._path(file_id)
        if not path.exists():
            self._write(path, data)
        return file_id

    def put_file(self, source: Path) -> str:
        """``put`` for a file on disk (a finished clip may be a gigabyte): copied in chunks, never whole in
        memory; the id is known only at the end, so the copy is renamed into place then."""
        digest = hashlib.sha256()
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out, Path(source).open("rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            file_id = digest.hexdigest()
            path = self._path(file_id)
            if not path.exists():
                self._folders(path)
                os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return file_id

    def open(self, file_id: str) -> bytes:
        return self._path(file_id).read_bytes()

    def delete(self, file_id: str) -> None:
        self._path(file_id).unlink(missing_ok=True)
        folder = self.root / DERIVED / file_id[:2]
        if folder.is_dir():
            for copy in folder.glob(f"{file_id}.*"):
                copy.unlink(missing_ok=True)

    def derived_path(self, file_id: str, kind: str) -> Path:
        """Where a copy of kind ``kind`` (letters only, e.g. "thumb") made from ``file_id`` is kept."""
        self._path(file_id)  # validates the id
        if not kind.isalpha() or not kind.isascii():
            raise ValueError(f"not a derived kind: {kind!r}")
        return self.root / DERIVED / file_id[:2] / f"{file_id}.{kind}"

    def put_derived(self, file_id: str, kind: str, data: bytes) -> Path:
        """Keep a derived copy (written then renamed, owner-only like the originals)."""
        path = self.derived_path(file_id, kind)
        self._write(path, data)
        return path

    def exists(self, file_id: str) -> bool:
        return self._path(file_id).exists()
