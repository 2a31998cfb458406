"""`vkbot backup` / `vkbot restore`: a consistent copy of the database and the file store in one tar.gz.

Archive layout::

    manifest.json         {"format": 1, "created_at", "database": {"kind", "path", "sha256"}, "files": [...]}
    db/vkbot.sqlite3      SQLite: a snapshot taken with sqlite3's online backup API (safe while running)
    db/vkbot.pgdump       PostgreSQL: ``pg_dump --format=custom`` (needs pg_dump on PATH)
    files/ab/cd/<sha256>  the content-addressed file store, as on disk

The database is copied first, then the files. Files are content-addressed and written by rename, so each
copied file is whole; a file retention deletes between the two steps is named in ``missing`` (the copy
stays usable: that order's photo was due for removal anyway). Restore checks every checksum, refuses a
non-empty target (the install must be new or its data moved aside, and the bot stopped), then runs the
migrations so an older backup meets the current schema.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from vkbot.config import Config
from vkbot.store.db import make_engine, migrate

__all__ = ["BackupError", "BackupResult", "backup", "restore"]

FORMAT = 1
_FILE_ID = re.compile(r"^[0-9a-f]{64}$")
SQLITE_MEMBER = "db/vkbot.sqlite3"
PG_MEMBER = "db/vkbot.pgdump"


class BackupError(Exception):
    """Backup or restore cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    database: str  # sqlite | postgresql
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "database": self.database,
            "files": self.files,
            "bytes": self.bytes,
            "missing": self.missing,
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(database_url: str) -> str:
    backend = make_url(database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"database {backend!r} is not supported (SQLite and PostgreSQL are)")
    return backend


def _sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(name)


def _libpq_url(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str]) -> None:
    tool = args[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed; it is needed for PostgreSQL backups")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[:500]}")


def _snapshot_database(config: Config, workdir: Path) -> tuple[str, Path, str]:
    url = config.storage.database_url
    kind = _kind(url)
    if kind == "sqlite":
        src_path = _sqlite_path(url)
        if not src_path.exists():
            raise BackupError(f"no database at {src_path}")
        out = workdir / "vkbot.sqlite3"
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
        dst = sqlite3.connect(out)
        try:
            src.backup(dst)  # one consistent snapshot, even while the bot writes
        finally:
            dst.close()
            src.close()
        return kind, out, SQLITE_MEMBER
    out = workdir / "vkbot.pgdump"
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(out), _libpq_url(url)])
    return kind, out, PG_MEMBER


def _referenced_file_ids(snapshot: Path, kind: str) -> set[str]:
    """File ids the copied database points at (SQLite only: PostgreSQL dumps are not opened here)."""
    if kind != "sqlite":
        return set()
    conn = sqlite3.connect(snapshot)
    try:
        ids = {row[0] for row in conn.execute("SELECT file_id FROM wl_file")}
        ids |= {
            row[0] for row in conn.execute("SELECT clip_file_id FROM wl_order WHERE clip_file_id IS NOT NULL")
        }
    except sqlite3.OperationalError:
        return set()  # an install without the waitlist tables
    finally:
        conn.close()
    return {i for i in ids if i}


def _target(dest: Path, now: datetime) -> Path:
    if dest.is_dir() or str(dest).endswith(os.sep):
        return dest / f"vkbot-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    return dest


def backup(config: Config, dest: Path, *, now: datetime | None = None) -> BackupResult:
    """Write the archive to ``dest`` (a file, or a directory to put a dated file in)."""
    now = now or datetime.now(UTC)
    target = _target(Path(dest), now)
    target.parent.mkdir(parents=True, exist_ok=True)
    files_dir = Path(config.storage.files_dir)
    with tempfile.TemporaryDirectory(prefix="vkbot-backup-") as tmp:
        kind, snapshot, member = _snapshot_database(config, Path(tmp))
        result = BackupResult(path=target, database=kind)
        entries: list[dict[str, Any]] = []
        stored: set[str] = set()
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(snapshot, arcname=member)
            if files_dir.exists():
                for path in sorted(files_dir.rglob("*")):
                    if not path.is_file() or not _FILE_ID.match(path.name):
                        continue  # temp files of a write in progress are not part of the store
                    rel = path.relative_to(files_dir).as_posix()
                    try:
                        size, digest = path.stat().st_size, _sha256(path)
                        tar.add(path, arcname=f"files/{rel}")
                    except FileNotFoundError:
                        continue  # removed by retention while we were copying
                    entries.append({"path": rel, "sha256": digest, "size": size})
                    stored.add(path.name)
                    result.files += 1
                    result.bytes += size
            result.missing = sorted(_referenced_file_ids(snapshot, kind) - stored)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "database": {"kind": kind, "path": member, "sha256": _sha256(snapshot)},
                "files": entries,
                "missing": result.missing,
            }
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, target)  # a half-written archive never carries the final name
    return result


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise BackupError("not a vkbot backup: manifest.json is missing")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not supported (expected {FORMAT})")
    return dict(manifest)


def _extract(tar: tarfile.TarFile, name: str, out: Path, sha256: str) -> None:
    """Copy one member to ``out`` and check its checksum; names come from our manifest, never used as paths."""
    member = tar.extractfile(name)
    if member is None:
        raise BackupError(f"the archive lacks {name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as dst:
        shutil.copyfileobj(member, dst)
    if _sha256(out) != sha256:
        out.unlink()
        raise BackupError(f"{name} is damaged (checksum differs)")


def _ensure_empty_target(config: Config, kind: str) -> None:
    files_dir = Path(config.storage.files_dir)
    if files_dir.exists() and any(p.is_file() for p in files_dir.rglob("*")):
        raise BackupError(f"the file store {files_dir} is not empty: restore needs a new install")
    url = config.storage.database_url
    if kind == "sqlite":
        path = _sqlite_path(url)
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"the database {path} exists: stop the bot and move it aside first")
        return
    engine = make_engine(url)
    try:
        if inspect(engine).get_table_names():
            raise BackupError("the PostgreSQL database is not empty: restore needs an empty database")
    finally:
        engine.dispose()


def restore(config: Config, src: Path) -> BackupResult:
    """Bring a backup into an empty install (config's database and files_dir); checks every checksum."""
    with tarfile.open(src, "r:gz") as tar:
        manifest = _read_manifest(tar)
        db = manifest["database"]
        kind = str(db["kind"])
        if kind != _kind(config.storage.database_url):
            raise BackupError(
                f"the backup holds a {kind} database but this install uses {_kind(config.storage.database_url)}"
            )
        if db["path"] not in (SQLITE_MEMBER, PG_MEMBER):
            raise BackupError(f"unexpected database member {db['path']!r}")
        _ensure_empty_target(config, kind)
        files_dir = Path(config.storage.files_dir)
        result = BackupResult(path=Path(src), database=kind, missing=list(manifest.get("missing", [])))
        for entry in manifest["files"]:
            name = Path(entry["path"]).name
            if not _FILE_ID.match(name) or entry["sha256"] != name:
                raise BackupError(f"unexpected file entry {entry['path']!r}")
            # The store's own layout, rebuilt from the id: nothing in the archive chooses a path.
            _extract(tar, f"files/{entry['path']}", files_dir / name[:2] / name[2:4] / name, entry["sha256"])
            result.files += 1
            result.bytes += int(entry["size"])
        if kind == "sqlite":
            target = _sqlite_path(config.storage.database_url)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".restoring")
            _extract(tar, SQLITE_MEMBER, partial, db["sha256"])
            os.replace(partial, target)
        else:
            with tempfile.TemporaryDirectory(prefix="vkbot-restore-") as tmp:
                dump = Path(tmp) / "vkbot.pgdump"
                _extract(tar, PG_MEMBER, dump, db["sha256"])
                _run(
                    [
                        "pg_restore",
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        "--dbname",
                        _libpq_url(config.storage.database_url),
                        str(dump),
                    ]
                )
    engine = make_engine(config.storage.database_url)
    try:
        migrate(engine)  # an older backup meets the current schema
    finally:
        engine.dispose()
    return result
