"""`vkbot backup` while the suite runs, `vkbot restore` into a new install: the same orders, files and dialog."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url

from tests.app_helpers import running_app
from tests.test_intake_sandbox import Relative, intake_config
from tests.test_orders_cli import config_file, founder, founder_json
from vkbot.core.store.db import make_engine
from vkbot.sandbox import SandboxControl


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
            for table in inspect(engine).get_table_names()
        }


def file_digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


async def test_a_backup_taken_while_running_restores_into_a_new_install_that_carries_on(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    old, new = intake_config(sandbox, old_dir), intake_config(sandbox, new_dir)
    old_cfg, new_cfg = str(config_file(old, old_dir)), str(config_file(new, new_dir))
    relative = Relative(sandbox, 5001)
    archive = tmp_path / "backups" / "vkbot.tar.gz"
    async with running_app(old) as app:
        await sandbox.wait_for_call("groups.getLongPollServer")
        await relative.start()
        await relative.finish()
        taken = await founder_json(capsys, "backup", str(archive), "--config", old_cfg)
        before = await founder_json(capsys, "orders", "show", "1", "--config", old_cfg)
    assert taken["files"] == 1 and taken["missing"] == []
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600  # it holds relatives' stories and photos
    counts = await asyncio.to_thread(row_counts, app.engine)

    restored = await founder_json(capsys, "restore", str(archive), "--config", new_cfg)
    assert restored["files"] == 1
    after = await founder_json(capsys, "orders", "show", "1", "--config", new_cfg)
    assert after == before
    restored_db = Path(make_url(new.storage.database_url).database or "")
    assert stat.S_IMODE(os.stat(restored_db).st_mode) == 0o600
    new_engine = make_engine(new.storage.database_url)
    try:
        assert await asyncio.to_thread(row_counts, new_engine) == counts
    finally:
        new_engine.dispose()
    assert file_digests(Path(new.storage.files_dir)) == file_digests(Path(old.storage.files_dir))

    # The restored install answers the same relative about the same order.
    async with running_app(new):
        status = await relative.say("статус")
    assert status[0]["text"].startswith("Заказ № 1: место в очереди 1")


async def test_restore_refuses_a_used_install_and_a_damaged_archive(
    sandbox: SandboxControl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = intake_config(sandbox, tmp_path)
    cfg = str(config_file(config, tmp_path))
    async with running_app(config):
        await sandbox.wait_for_call("groups.getLongPollServer")
    code, _ = await founder(capsys, "backup", str(tmp_path / "b.tar.gz"), "--config", cfg)
    assert code == 0
    code, _ = await founder(capsys, "restore", str(tmp_path / "b.tar.gz"), "--config", cfg)
    assert code == 2, "a database already there is never overwritten"

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(tmp_path / "b.tar.gz") as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            assert data is not None
            body = data.read()
            if member.name == "manifest.json":
                manifest = json.loads(body)
                manifest["database"]["sha256"] = "0" * 64
                body = json.dumps(manifest).encode()
                member.size = len(body)
            dst.addfile(member, io.BytesIO(body))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    fresh_cfg = str(config_file(intake_config(sandbox, fresh), fresh))
    code, _ = await founder(capsys, "restore", str(damaged), "--config", fresh_cfg)
    assert code == 2
    assert not (fresh / "suite.db").exists(), "a damaged copy leaves no half-restored database"
