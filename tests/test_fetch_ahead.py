"""Photos are downloaded and checked before the dispatcher's write transaction, never inside it, and only
for relatives who consented (before consent nothing is downloaded at all)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from tests.feeding import Fed, make_fed
from vkbot.adapters.downloads import FetchedAhead
from waitlist.models import WlFile
from waitlist.testing import make_photo

PEER = 5001


class LockProbe:
    """A downloader that notes, for each download, whether the SQLite database was held for writing."""

    def __init__(self, database: Path):
        self.database = database
        self.calls: list[tuple[str, bool]] = []  # (url, the write lock was held)

    def fetch(self, url: str, max_bytes: int) -> bytes:
        probe = sqlite3.connect(self.database, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            held = False
            probe.rollback()
        except sqlite3.OperationalError:
            held = True
        finally:
            probe.close()
        self.calls.append((url, held))
        return make_photo(seed=len(self.calls))


@pytest.fixture
def fed_probe(tmp_path: Path) -> Iterator[tuple[Fed, LockProbe]]:
    database = tmp_path / "fed.db"
    fed = make_fed(f"sqlite:///{database}", tmp_path / "files")
    probe = LockProbe(database)
    fed.pipeline.downloader = FetchedAhead(probe)
    yield fed, probe
    fed.engine.dispose()


def _photo(n: int) -> dict[str, Any]:
    size = {"type": "w", "url": f"https://sun.userapi.test/p{n}.jpg", "width": 900, "height": 900}
    return {"type": "photo", "photo": {"id": n, "owner_id": PEER, "sizes": [size]}}


def _photos_kept(fed: Fed) -> int:
    with Session(fed.engine) as session:
        return int(session.scalar(select(func.count()).select_from(WlFile)) or 0)


def test_a_consenting_relatives_photos_are_fetched_with_the_database_free(
    fed_probe: tuple[Fed, LockProbe],
) -> None:
    fed, probe = fed_probe
    for text in ("Здравствуйте, хочу заказать ролик для папы", "да", "Иван Петрович Сидоров, мой папа"):
        fed.write(PEER, text)
    replies = fed.write(PEER, "вот папа", attachments=[_photo(1), _photo(2)])
    assert replies  # thanked for them
    assert [url for url, _ in probe.calls] == [
        "https://sun.userapi.test/p1.jpg",
        "https://sun.userapi.test/p2.jpg",
    ]  # each once: the transaction took them from what was fetched ahead
    assert not any(held for _, held in probe.calls)
    assert _photos_kept(fed) == 2


def test_before_consent_nothing_is_downloaded(fed_probe: tuple[Fed, LockProbe]) -> None:
    fed, probe = fed_probe
    assert fed.write(PEER, "Здравствуйте, вот фото мамы", attachments=[_photo(3)])
    assert probe.calls == [] and _photos_kept(fed) == 0
