"""Files that hold relatives' stories and photos are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from vkbot.core.store.db import make_engine, migrate
from waitlist.filestore import LocalFileStore


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems start with (files 0644, folders 0755), so the test can fail."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_wal_and_shm_files_are_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "data" / "vkbot.db"
    engine = make_engine(f"sqlite:///{db}")
    assert not db.parent.exists()  # nothing is created before the first connection
    try:
        migrate(engine)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO vk_cursors (name, event_id, updated_at) VALUES ('x', 1, '2026-12-06')")
            )
        files = {p.name: mode(p) for p in db.parent.iterdir()}
    finally:
        engine.dispose()
    assert files == {"vkbot.db": 0o600, "vkbot.db-wal": 0o600, "vkbot.db-shm": 0o600}
    assert mode(db.parent) == 0o700


def test_a_database_left_readable_by_others_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "vkbot.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    for path in tmp_path.iterdir():
        path.chmod(0o644)  # as an older version left it
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM vk_outbox")).scalar_one() == 0
    finally:
        engine.dispose()
    assert {p.name: mode(p) for p in tmp_path.iterdir()} == {"vkbot.db": 0o600}


def test_stored_photos_sit_in_owner_only_folders(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    file_id = store.put(b"\xff\xd8 a photo of grandmother")
    path = tmp_path / "files" / file_id[:2] / file_id[2:4] / file_id
    assert mode(path) == 0o600
    assert [mode(p) for p in (tmp_path / "files", path.parent.parent, path.parent)] == [0o700] * 3


def test_a_derived_copy_of_a_photo_is_owner_only_too(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    file_id = store.put(b"\xff\xd8 a photo of grandmother")
    path = store.put_derived(file_id, "thumb", b"\xff\xd8 small")
    assert path == tmp_path / "files" / "derived" / file_id[:2] / f"{file_id}.thumb"
    assert mode(path) == 0o600
    assert [mode(p) for p in (path.parent.parent, path.parent)] == [0o700] * 2
    assert [p.name for p in path.parent.iterdir()] == [path.name], "no temporary file left"
