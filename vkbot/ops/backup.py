"""`vkbot backup` / `vkbot restore`: a consistent copy of the database and the file store in one tar.gz.

Archive layout::

    manifest.json         {"format": 1, "created_at", "database": {"kind", "path", "sha256", ["pg_dump_major"]},
                          "files": [...], "missing": [...]}
    db/vkbot.sqlite3      SQLite: a snapshot taken with sqlite3's online backup API (safe while running)
    db/vkbot.pgdump       PostgreSQL: ``pg_dump --format=custom`` (client tools: see below)
    files/ab/cd/<sha256>  the content-addressed file store, as on disk

The database is copied first, then the files. Files are content-addressed and written by rename, so each
copied file is whole; a file retention deletes between the two steps is named in ``missing`` (the copy
stays usable: that order's photo was due for removal anyway). Restore checks every checksum, refuses a
non-empty target (the install must be new or its data moved aside, and the bot stopped), then runs the
migrations so an older backup meets the current schema. A failed restore removes what it wrote (PostgreSQL
loads in one transaction), so the same target can take the next attempt.

PostgreSQL client tools: pg_dump/pg_restore must be at least the server's major version (and pg_restore at
least the pg_dump that wrote the archive). The one on PATH is used when new enough (a Debian wrapper is asked
its version the same way it will be run), else ``/usr/lib/postgresql/<major>/bin``. The password goes to
the child in ``PGPASSWORD``, never in its argv or in a message.
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
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from vkbot.config import Config
from vkbot.core.store.db import SQLITE_BUSY_TIMEOUT_S, make_engine, migrate

__all__ = ["BackupError", "BackupResult", "backup", "restore"]

FORMAT = 1
_FILE_ID = re.compile(r"^[0-9a-f]{64}$")
SQLITE_MEMBER = "db/vkbot.sqlite3"
PG_MEMBER = "db/vkbot.pgdump"
PG_LIB_ROOT = Path("/usr/lib/postgresql")  # Debian/Ubuntu: one <major>/bin per installed version
# The copied database's file ids: the same SQL on SQLite and PostgreSQL.
REFERENCED_FILES_SQL = (
    "SELECT file_id FROM wl_file UNION SELECT clip_file_id FROM wl_order WHERE clip_file_id IS NOT NULL"
)
# Relations a restore could collide with (extension-owned ones, e.g. pg_stat_statements' views, do not count).
_PG_USER_RELATIONS_SQL = r"""
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  )
"""


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


@dataclass(frozen=True)
class _Pg:
    """How a PostgreSQL client tool reaches the database: a password-free URL, the password in the env."""

    url: str
    password: str | None

    @classmethod
    def of(cls, database_url: str) -> _Pg:
        u = make_url(database_url)
        # URL.set(password=None) keeps the password; build a new URL so it cannot reach argv.
        bare = URL.create(
            "postgresql", username=u.username, host=u.host, port=u.port, database=u.database, query=u.query
        )
        return cls(bare.render_as_string(hide_password=False), u.password)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def scrub(self, message: str) -> str:
        return message.replace(self.password, "***") if self.password else message


def _connect_error(pg: _Pg, exc: SQLAlchemyError) -> BackupError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return BackupError(f"cannot use the PostgreSQL database: {pg.scrub(reason)}")


def _server_major(conn: Connection) -> int:
    return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _tool_major(path: str, env: dict[str, str]) -> int | None:
    """The major version a client tool (or the Debian wrapper, with this env) would run as; None if unusable."""
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, env=env, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", done.stdout)
    return int(found.group(1)) if done.returncode == 0 and found else None


def _pg_tool(name: str, need: int, why: str, env: dict[str, str]) -> tuple[str, int]:
    """The first of: PATH, then <lib>/<need>/bin, then newer <lib>/*/bin, whose major version is >= need."""
    candidates: list[str] = []
    if on_path := shutil.which(name, path=env.get("PATH")):
        candidates.append(on_path)
    majors = {int(d.parent.name) for d in PG_LIB_ROOT.glob("*/bin") if d.parent.name.isdigit()}
    # The server's own version, then newer ones (newest first); older ones only so the error can name them.
    for major in sorted(majors, key=lambda m: (m != need, m < need, -m)):
        tool = PG_LIB_ROOT / str(major) / "bin" / name
        if tool.is_file() and str(tool) not in candidates:
            candidates.append(str(tool))
    seen: list[str] = []
    for path in candidates:
        found_major = _tool_major(path, env)
        if found_major is not None and found_major >= need:
            return path, found_major
        seen.append(f"{path} ({f'version {found_major}' if found_major else 'does not run'})")
    found = "; found only " + ", ".join(seen) if seen else f"; none on PATH or in {PG_LIB_ROOT}/*/bin"
    raise BackupError(
        f"{name} {need} or newer is needed ({why}){found}. "
        f"Install the PostgreSQL {need} client tools (Debian: postgresql-client-{need}) or put them on PATH"
    )


def _run(args: list[str], pg: _Pg) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=pg.env(), check=False)
    if done.returncode != 0:
        tool = Path(args[0]).name
        raise BackupError(f"{tool} failed: {pg.scrub(done.stderr.strip())[:500]}")


def _referenced_in_sqlite(snapshot: Path) -> set[str]:
    conn = sqlite3.connect(snapshot)
    try:
        return {row[0] for row in conn.execute(REFERENCED_FILES_SQL) if row[0]}
    except sqlite3.OperationalError:
        return set()  # an install without the waitlist tables
    finally:
        conn.close()


def _dump_postgres(database_url: str, out: Path) -> tuple[set[str], int]:
    """pg_dump inside an exported snapshot, so the file ids read here are exactly the dumped ones.

    Returns those ids and pg_dump's major version (restore needs a pg_restore at least as new).
    """
    pg = _Pg.of(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                server = _server_major(conn)
                tool, major = _pg_tool("pg_dump", server, f"the server is PostgreSQL {server}", pg.env())
                args = [tool, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
                _run([*args, "--file", str(out), "--dbname", pg.url], pg)
                has_waitlist = conn.execute(text("SELECT to_regclass('wl_file') IS NOT NULL")).scalar_one()
                ids = (
                    {r[0] for r in conn.execute(text(REFERENCED_FILES_SQL)) if r[0]}
                    if has_waitlist
                    else set()
                )
    except SQLAlchemyError as exc:
        raise _connect_error(pg, exc) from None
    finally:
        engine.dispose()
    return ids, major


def _snapshot_database(config: Config, workdir: Path) -> tuple[str, Path, str, set[str], dict[str, Any]]:
    """Copy the database into workdir: (kind, copy, member, file ids it references, extra manifest keys)."""
    url = config.storage.database_url
    kind = _kind(url)
    if kind == "sqlite":
        src_path = _sqlite_path(url)
        if not src_path.exists():
            raise BackupError(f"no database at {src_path}")
        out = workdir / "vkbot.sqlite3"
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_S)
        _owner_only(out)
        dst = sqlite3.connect(out)
        try:
            src.backup(dst)  # one consistent snapshot, even while the bot writes
        finally:
            dst.close()
            src.close()
        return kind, out, SQLITE_MEMBER, _referenced_in_sqlite(out), {}
    out = workdir / "vkbot.pgdump"
    ids, major = _dump_postgres(url, out)
    return kind, out, PG_MEMBER, ids, {"pg_dump_major": major}


def _target(dest: Path, now: datetime) -> Path:
    if dest.is_dir() or str(dest).endswith(os.sep):
        return dest / f"vkbot-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    return dest


def backup(config: Config, dest: Path, *, now: datetime) -> BackupResult:
    """Write the archive to ``dest`` (a file, or a directory to put a dated file in, named by ``now``)."""
    target = _target(Path(dest), now)
    target.parent.mkdir(parents=True, exist_ok=True)
    files_dir = Path(config.storage.files_dir)
    with tempfile.TemporaryDirectory(prefix="vkbot-backup-") as tmp:
        kind, snapshot, member, referenced, db_extra = _snapshot_database(config, Path(tmp))
        result = BackupResult(path=target, database=kind)
        entries: list[dict[str, Any]] = []
        stored: set[str] = set()
        partial = target.with_name(target.name + ".partial")
        _owner_only(partial)  # the archive holds relatives' stories and photos
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
            result.missing = sorted(referenced - stored)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "database": {"kind": kind, "path": member, "sha256": _sha256(snapshot), **db_extra},
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


def _owner_only(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only (0600) before anything is written to it."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    path.chmod(0o600)  # a file left by an earlier attempt keeps its mode otherwise


def _extract(tar: tarfile.TarFile, name: str, out: Path, sha256: str) -> None:
    """Copy one member to ``out`` and check its checksum; names come from our manifest, never used as paths."""
    member = tar.extractfile(name)
    if member is None:
        raise BackupError(f"the archive lacks {name}")
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(out)
    with out.open("wb") as dst:
        shutil.copyfileobj(member, dst)
    if _sha256(out) != sha256:
        out.unlink()
        raise BackupError(f"{name} is damaged (checksum differs)")


def _ensure_empty_target(config: Config, kind: str) -> int:
    """Refuse a used install; on PostgreSQL returns the server's major version (0 on SQLite)."""
    files_dir = Path(config.storage.files_dir)
    if files_dir.exists() and any(p.is_file() for p in files_dir.rglob("*")):
        raise BackupError(f"the file store {files_dir} is not empty: restore needs a new install")
    url = config.storage.database_url
    if kind == "sqlite":
        path = _sqlite_path(url)
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"the database {path} exists: stop the bot and move it aside first")
        return 0
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if conn.execute(text(_PG_USER_RELATIONS_SQL)).scalar_one():
                raise BackupError("the PostgreSQL database is not empty: restore needs an empty database")
            return _server_major(conn)
    except SQLAlchemyError as exc:
        raise _connect_error(_Pg.of(url), exc) from None
    finally:
        engine.dispose()


def _pg_restore(config: Config, dump: Path, server: int, dump_major: int) -> None:
    pg = _Pg.of(config.storage.database_url)
    need = max(server, dump_major)
    why = f"the server is PostgreSQL {server}, the archive was written by pg_dump {dump_major or 'unknown'}"
    tool, _ = _pg_tool("pg_restore", need, why, pg.env())
    # One transaction: a dump that fails halfway leaves the database as empty as it was.
    args = [tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    _run([*args, "--dbname", pg.url, str(dump)], pg)


def restore(config: Config, src: Path) -> BackupResult:
    """Bring a backup into an empty install (config's database and files_dir); checks every checksum."""
    try:
        result = _restore(config, Path(src))
    except (tarfile.TarError, EOFError, zlib.error, ValueError, KeyError) as exc:
        # A truncated or foreign archive: say so instead of a traceback.
        raise BackupError(f"{src} is damaged or not a vkbot backup ({type(exc).__name__}: {exc})") from None
    engine = make_engine(config.storage.database_url)
    try:
        migrate(engine)  # an older backup meets the current schema
    finally:
        engine.dispose()
    return result


def _restore(config: Config, src: Path) -> BackupResult:
    with tarfile.open(src, "r:gz") as tar, tempfile.TemporaryDirectory(prefix="vkbot-restore-") as tmp:
        manifest = _read_manifest(tar)
        db = manifest["database"]
        kind = str(db["kind"])
        if kind != _kind(config.storage.database_url):
            raise BackupError(
                f"the backup holds a {kind} database but this install uses {_kind(config.storage.database_url)}"
            )
        if db["path"] not in (SQLITE_MEMBER, PG_MEMBER):
            raise BackupError(f"unexpected database member {db['path']!r}")
        server = _ensure_empty_target(config, kind)
        # The database copy is checked before anything is written to the install.
        copy = Path(tmp) / Path(db["path"]).name
        _extract(tar, db["path"], copy, db["sha256"])
        files_dir = Path(config.storage.files_dir)
        result = BackupResult(path=src, database=kind, missing=list(manifest.get("missing", [])))
        written: list[Path] = []
        try:
            for entry in manifest["files"]:
                name = Path(entry["path"]).name
                if not _FILE_ID.match(name) or entry["sha256"] != name:
                    raise BackupError(f"unexpected file entry {entry['path']!r}")
                # The store's own layout, rebuilt from the id: nothing in the archive chooses a path.
                out = files_dir / name[:2] / name[2:4] / name
                written.append(out)
                _extract(tar, f"files/{entry['path']}", out, entry["sha256"])
                result.files += 1
                result.bytes += int(entry["size"])
            if kind == "sqlite":
                target = _sqlite_path(config.storage.database_url)
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".restoring")
                written.append(partial)
                _owner_only(partial)
                shutil.copyfile(copy, partial)
                os.replace(partial, target)  # the database appears whole or not at all
            else:
                _pg_restore(config, copy, server, int(db.get("pg_dump_major") or 0))
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)  # a failed restore leaves the install as empty as it found it
            raise
    return result
