"""`vkbot backup` / `vkbot restore` on a real PostgreSQL server (skipped without VKBOT_TEST_PG_URL).

A running install with orders, dialog state and files is copied into a new empty database that carries on;
used targets and damaged archives are refused and leave nothing behind; pg_dump/pg_restore are chosen by
version; the password never reaches argv, logs or messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import subprocess
import tarfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from tests.app_helpers import running_app, sandbox_config
from tests.db_fixtures import PG_URL, pg_databases
from tests.test_backup import file_digests
from tests.test_intake_sandbox import Relative
from tests.test_orders_cli import config_file, founder, founder_json
from vkbot.config import Config
from vkbot.core.store.db import alembic_config, make_engine, migrate
from vkbot.ops import backup as backup_module
from vkbot.ops.backup import BackupError, backup, restore
from vkbot.sandbox import SandboxControl

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)  # when the archives are taken (their names carry it)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="VKBOT_TEST_PG_URL not set (.ci/run starts PostgreSQL)"),
]

NewDatabase = Callable[[], str]


@pytest.fixture
def new_database() -> Iterator[NewDatabase]:
    """``new_database()`` -> a fresh empty database on the test server (all dropped after the test)."""
    with pg_databases() as new:
        yield new


WAITLIST = {"sending_window_start_hour": 0, "sending_window_end_hour": 24, "queue_limit": 1000}


def pg_install(sandbox_url: str, root: Path, database_url: str) -> tuple[Config, str]:
    """An install on ``database_url`` with its files under ``root``; returns its config and TOML path."""
    root.mkdir(parents=True)
    config = sandbox_config(sandbox_url, database_url, root / "files", waitlist=WAITLIST)
    return config, str(config_file(config, root))


def contents(url: str) -> dict[str, list[str]]:
    """Every table's rows and every sequence's position, order-free, for comparing two databases."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = {
                table: sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"')))
                for table in inspect(conn).get_table_names()
            }
            sequences = conn.execute(text("SELECT sequencename, last_value FROM pg_sequences"))
            found["(sequences)"] = sorted(repr(tuple(row)) for row in sequences)
    finally:
        engine.dispose()
    return found


def relation_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(backup_module._PG_USER_RELATIONS_SQL)).scalar_one())
    finally:
        engine.dispose()


def server_major(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()


def rewrite(
    src: Path, dst: Path, edit: Callable[[str, bytes], bytes], manifest: Callable[[Any], None]
) -> None:
    """Copy an archive, changing members with ``edit(name, body)`` and then the manifest in place."""
    with tarfile.open(src) as tar:
        bodies = {}
        for member in tar.getmembers():
            data = tar.extractfile(member)
            assert data is not None
            bodies[member.name] = (member, data.read())
    changed = {name: edit(name, body) for name, (_, body) in bodies.items() if name != "manifest.json"}
    doc = json.loads(bodies["manifest.json"][1])
    doc["database"]["edited"] = hashlib.sha256(changed[doc["database"]["path"]]).hexdigest()
    manifest(doc)
    del doc["database"]["edited"]
    changed["manifest.json"] = json.dumps(doc).encode()
    with tarfile.open(dst, "w:gz") as out:
        for name, (member, _) in bodies.items():
            member.size = len(changed[name])
            out.addfile(member, io.BytesIO(changed[name]))


async def placed_order(sandbox: SandboxControl, config: Config, relative: Relative) -> None:
    """A relative completes the intake with a photo on a running install (one order, one stored file)."""
    async with running_app(config):
        await sandbox.wait_for_call("groups.getLongPollServer")
        await relative.start()
        await relative.finish()


def without_poll_state(rows: dict[str, list[str]]) -> dict[str, list[str]]:
    return {table: values for table, values in rows.items() if table != "vk_longpoll_state"}


async def test_a_postgres_backup_taken_while_running_restores_into_a_new_database_that_carries_on(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str], new_database: NewDatabase
) -> None:
    old, old_cfg = pg_install(sandbox.url, tmp_path / "old", new_database())
    new, new_cfg = pg_install(sandbox.url, tmp_path / "new", new_database())
    relative = Relative(sandbox, 5001)
    archive = tmp_path / "backups" / "vkbot.tar.gz"
    async with running_app(old):
        await sandbox.wait_for_call("groups.getLongPollServer")
        await relative.start()
        await relative.finish()
        taken = await founder_json(capsys, "backup", str(archive), "--config", old_cfg)
        before = await founder_json(capsys, "orders", "show", "1", "--config", old_cfg)
    assert taken["database"] == "postgresql"
    assert taken["files"] == 1 and taken["missing"] == []
    with tarfile.open(archive) as tar:
        assert "db/vkbot.pgdump" in tar.getnames()
    old_rows = await asyncio.to_thread(contents, old.storage.database_url)
    assert old_rows["wl_order"] and old_rows["wl_file"], "the copy has real data to carry"

    restored = await founder_json(capsys, "restore", str(archive), "--config", new_cfg)
    assert restored["database"] == "postgresql" and restored["files"] == 1
    assert await founder_json(capsys, "orders", "show", "1", "--config", new_cfg) == before
    # The listener's poll bookkeeping moves with every long poll after the backup (while still running).
    restored_rows = await asyncio.to_thread(contents, new.storage.database_url)
    assert without_poll_state(restored_rows) == without_poll_state(old_rows)
    assert file_digests(Path(new.storage.files_dir)) == file_digests(Path(old.storage.files_dir))
    engine = make_engine(new.storage.database_url)
    try:
        with engine.connect() as conn:
            at = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
        assert at == set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    finally:
        engine.dispose()

    # The restored install answers about the old order, and its sequences hand out new numbers.
    newcomer = Relative(sandbox, 5002)
    async with running_app(new):
        status = await relative.say("статус")
        await newcomer.start()
        await newcomer.finish()
    assert status[0]["text"].startswith("Заказ № 1: место в очереди 1")
    engine = make_engine(new.storage.database_url)
    try:
        with engine.connect() as conn:
            orders = conn.execute(text("SELECT number, peer_id FROM wl_order ORDER BY number")).all()
    finally:
        engine.dispose()
    assert [tuple(o) for o in orders] == [(1, 5001), (2, 5002)]


async def test_postgres_restore_refuses_used_databases_and_damaged_archives_and_leaves_nothing_behind(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str], new_database: NewDatabase
) -> None:
    old, old_cfg = pg_install(sandbox.url, tmp_path / "old", new_database())
    await placed_order(sandbox, old, Relative(sandbox, 5101))
    good = tmp_path / "good.tar.gz"
    assert (await founder_json(capsys, "backup", str(good), "--config", old_cfg))["files"] == 1

    code, _ = await founder(capsys, "restore", str(good), "--config", old_cfg)
    assert code == 2, "the install the backup came from is never overwritten"
    # A database holding anything (here a table outside the default schema) is not a restore target.
    busy_url = new_database()
    engine = make_engine(busy_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA other; CREATE TABLE other.notes (x int)"))
    engine.dispose()
    busy, _ = pg_install(sandbox.url, tmp_path / "busy", busy_url)
    with pytest.raises(BackupError, match="PostgreSQL database is not empty"):
        await asyncio.to_thread(restore, busy, good)

    target, target_cfg = pg_install(sandbox.url, tmp_path / "target", new_database())
    checksum = tmp_path / "checksum.tar.gz"
    rewrite(good, checksum, lambda _, body: body, lambda m: m["database"].update(sha256="0" * 64))
    # Half a dump with a matching checksum: only pg_restore can tell, halfway through loading it.
    half = tmp_path / "half-dump.tar.gz"
    rewrite(
        good,
        half,
        lambda name, body: body[: len(body) // 2] if name.endswith(".pgdump") else body,
        lambda m: m["database"].update(sha256=m["database"]["edited"]),
    )
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    for damaged, reason in (
        (checksum, "checksum differs"),
        (half, "pg_restore failed"),
        (cut, "damaged or not a vkbot backup"),
    ):
        with pytest.raises(BackupError, match=reason):
            await asyncio.to_thread(restore, target, damaged)
        assert await asyncio.to_thread(relation_count, target.storage.database_url) == 0, damaged.name
        assert file_digests(Path(target.storage.files_dir)) == {}, damaged.name

    # Nothing was left half-restored: the same target takes the good archive.
    assert (await founder_json(capsys, "restore", str(good), "--config", target_cfg))["files"] == 1
    before = await founder_json(capsys, "orders", "show", "1", "--config", old_cfg)
    assert await founder_json(capsys, "orders", "show", "1", "--config", target_cfg) == before


def fake_tool(path: Path, name: str, major: int, real: Path | None = None) -> None:
    """A ``name`` that reports ``major``; it runs ``real`` if given, else fails loudly if used for work."""
    path.parent.mkdir(parents=True, exist_ok=True)
    work = f'exec "{real}" "$@"' if real else f'echo "the {major} {name} was used" >&2; exit 1'
    path.write_text(
        f'#!/bin/sh\nif [ "$1" = --version ]; then echo "{name} (PostgreSQL) {major}.3"; exit 0; fi\n{work}\n'
    )
    path.chmod(0o755)


def test_pg_tools_older_than_the_server_are_passed_over_for_the_servers_own_or_named_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_database: NewDatabase
) -> None:
    src_url, dst_url = new_database(), new_database()
    engine = make_engine(src_url)
    migrate(engine)
    engine.dispose()
    major = server_major(src_url)
    real_bin = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (real_bin / "pg_restore").is_file():
        pytest.skip(f"the server's own client tools are not in {real_bin}")
    # PATH offers tools one version too old; the lib root holds the server's version (the real ones).
    for name in ("pg_dump", "pg_restore"):
        fake_tool(tmp_path / "old" / name, name, major - 1)
        fake_tool(tmp_path / "lib" / str(major) / "bin" / name, name, major, real_bin / name)
    monkeypatch.setenv("PATH", f"{tmp_path / 'old'}:/usr/bin:/bin")
    monkeypatch.setattr(backup_module, "PG_LIB_ROOT", tmp_path / "lib")
    src = sandbox_config("http://127.0.0.1:9", src_url, tmp_path / "src-files")
    dst = sandbox_config("http://127.0.0.1:9", dst_url, tmp_path / "dst-files")

    archive = backup(src, tmp_path / "a.tar.gz", now=NOW).path
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        assert json.load(member)["database"]["pg_dump_major"] == major
    restore(dst, archive)
    assert relation_count(dst_url) == relation_count(src_url) > 0

    # An archive from a newer pg_dump than any pg_restore here: refused up front, naming what is needed.
    newer = tmp_path / "newer.tar.gz"
    rewrite(archive, newer, lambda _, body: body, lambda m: m["database"].update(pg_dump_major=major + 1))
    empty_url = new_database()
    with pytest.raises(BackupError, match=rf"pg_restore {major + 1} or newer is needed") as refused:
        restore(sandbox_config("http://127.0.0.1:9", empty_url, tmp_path / "e-files"), newer)
    assert f"pg_dump {major + 1}" in str(refused.value) and f"version {major}" in str(refused.value)
    assert relation_count(empty_url) == 0

    # No usable pg_dump at all: the message names the tool, the version needed and what was found.
    monkeypatch.setattr(backup_module, "PG_LIB_ROOT", tmp_path / "nowhere")
    with pytest.raises(BackupError, match=rf"pg_dump {major} or newer is needed") as missing:
        backup(src, tmp_path / "b.tar.gz", now=NOW)
    assert f"{tmp_path / 'old' / 'pg_dump'} (version {major - 1})" in str(missing.value)
    assert f"postgresql-client-{major}" in str(missing.value)
    assert not (tmp_path / "b.tar.gz").exists()


def test_the_password_reaches_pg_tools_only_through_their_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    new_database: NewDatabase,
) -> None:
    secret = f"pw-{uuid.uuid4().hex}"

    def with_password(url: str, database: str | None = None) -> str:
        # The test server trusts loopback, so the password is accepted and ignored by the server.
        u = make_url(url).set(password=secret)
        return (u.set(database=database) if database else u).render_as_string(hide_password=False)

    src_url, dst_url = with_password(new_database()), with_password(new_database())
    engine = make_engine(src_url)
    migrate(engine)
    engine.dispose()
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run = subprocess.run

    def spy(args: list[str], **kwargs: Any) -> Any:
        calls.append(([str(a) for a in args], dict(kwargs.get("env") or {})))
        return real_run(args, **kwargs)

    monkeypatch.setattr(backup_module.subprocess, "run", spy)
    caplog.set_level(logging.DEBUG)
    src = sandbox_config("http://127.0.0.1:9", src_url, tmp_path / "src-files")
    dst = sandbox_config("http://127.0.0.1:9", dst_url, tmp_path / "dst-files")
    restore(dst, backup(src, tmp_path / "a.tar.gz", now=NOW).path)

    used = {Path(args[0]).name for args, _ in calls}
    assert {"pg_dump", "pg_restore"} <= used
    for args, env in calls:
        assert not any(secret in a for a in args), args
        assert env.get("PGPASSWORD") == secret
    assert secret not in caplog.text

    # A database that cannot be reached: the error says so without the password.
    nowhere = with_password(dst_url, database=f"absent_{uuid.uuid4().hex[:8]}")
    for attempt in (
        lambda: backup(
            sandbox_config("http://127.0.0.1:9", nowhere, tmp_path / "x"), tmp_path / "x.tar.gz", now=NOW
        ),
        lambda: restore(sandbox_config("http://127.0.0.1:9", nowhere, tmp_path / "y"), tmp_path / "a.tar.gz"),
    ):
        with pytest.raises(BackupError, match="cannot use the PostgreSQL database") as failed:
            attempt()
        assert "does not exist" in str(failed.value) and secret not in str(failed.value)
    assert secret not in caplog.text


def lose_the_stored_file(files_dir: Path) -> str:
    """Delete the store's only file, as retention might between the dump and the file copy; returns its id."""
    (stored,) = [p for p in files_dir.rglob("*") if p.is_file()]
    stored.unlink()
    return stored.name


async def test_a_postgres_backup_names_a_stored_file_the_database_still_points_at_but_the_store_lost(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str], new_database: NewDatabase
) -> None:
    install, cfg = pg_install(sandbox.url, tmp_path / "old", new_database())
    await placed_order(sandbox, install, Relative(sandbox, 5201))
    lost = lose_the_stored_file(Path(install.storage.files_dir))
    taken = await founder_json(capsys, "backup", str(tmp_path / "b.tar.gz"), "--config", cfg)
    assert taken["files"] == 0 and taken["missing"] == [lost]
    _, target_cfg = pg_install(sandbox.url, tmp_path / "new", new_database())
    restored = await founder_json(capsys, "restore", str(tmp_path / "b.tar.gz"), "--config", target_cfg)
    assert restored["missing"] == [lost]
