"""Data is kept no longer than needed: delete-my-data leaves nothing personal, the sweep clears the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from waitlist.filestore import LocalFileStore
from waitlist.founder import deliver, keep_files
from waitlist.models import WlErasure, WlFile, WlOrder, WlSignup
from waitlist.settings import WaitlistSettings
from waitlist.testing import SCRIPTS, Desk, complete_order, make_photo, memory_engine

PEER = 777_000_123


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return Desk(memory_engine(), LocalFileStore(tmp_path / "files"))


def _all_values(desk: Desk) -> str:
    """Every value in every waitlist table, as one string to search for personal data."""
    chunks: list[str] = []
    with desk.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table.startswith("wl_"):
                for row in connection.execute(text(f"SELECT * FROM {table}")):
                    chunks.extend(str(v) for v in row)
    return "\n".join(chunks)


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_delete_my_data_leaves_no_personal_data_or_file(desk: Desk, tmp_path: Path) -> None:
    complete_order(desk, PEER, photos=2)
    desk.send(PEER, voice=None, text="Спасибо вам большое, ждём")
    assert len(_stored_files(tmp_path / "files")) == 2
    desk.send(PEER, "удалить мои данные")
    desk.send(PEER, "да")

    everything = _all_values(desk)
    for personal in (
        str(PEER),
        SCRIPTS["ru"]["subject"],
        SCRIPTS["ru"]["story"],
        SCRIPTS["ru"]["contact"],
        "ждём",
    ):
        assert personal not in everything, personal
    assert _stored_files(tmp_path / "files") == []
    assert desk.texts.erased == [(PEER, True)]
    with Session(desk.engine) as session:
        [tombstone] = session.exec(select(WlOrder)).all()  # counts stay right
    assert tombstone.number == 1 and tombstone.status == "cancelled" and tombstone.erased_at is not None


def test_a_photo_shared_by_two_orders_is_removed_only_with_the_last(desk: Desk, tmp_path: Path) -> None:
    photo = make_photo(seed=42)
    for peer in (1, 2):
        for text_ in ("Здравствуйте", "да", "Анна", "мама"):
            desk.send(peer, text_)
        desk.send(peer, photos=(photo,))
    desk.send(1, "удалить мои данные")
    desk.send(1, "да")
    assert len(_stored_files(tmp_path / "files")) == 1  # still part of the second order
    desk.send(2, "удалить мои данные")
    desk.send(2, "да")
    assert _stored_files(tmp_path / "files") == []


def test_declined_consent_texts_are_erased_after_the_configured_days(desk: Desk) -> None:
    desk.send(PEER, "Здравствуйте, мой муж погиб")
    desk.send(PEER, "нет")
    desk.sweep()
    assert desk.texts.erased == []  # not yet
    desk.clock.advance(days=desk.settings.declined_consent_texts_days, minutes=1)
    report = desk.sweep()
    assert report.declined_texts_erased == 1 and desk.texts.erased == [(PEER, True)]
    with Session(desk.engine) as session:
        assert all(e.done_at is not None and e.peer_id is None for e in session.exec(select(WlErasure)))
        assert "погиб" not in _all_values(desk)


def test_abandoned_intakes_are_cleared_with_their_photos(desk: Desk, tmp_path: Path) -> None:
    for text_ in ("Здравствуйте", "да", "Анна", "мама"):
        desk.send(PEER, text_)
    desk.send(PEER, photos=(make_photo(),))
    desk.clock.advance(days=desk.settings.abandoned_intake_days + 1)
    assert desk.sweep().abandoned_intakes == 1
    assert _stored_files(tmp_path / "files") == []
    replies = desk.send(PEER, "Здравствуйте, я вернулась")
    assert "Для кого будет ролик" in replies[-1].text  # a fresh start, consent remembered


def test_files_go_some_time_after_delivery_unless_the_founder_keeps_them(desk: Desk, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"clip bytes")
    for peer in (1, 2):
        complete_order(desk, peer, photos=1)
    with Session(desk.engine) as session:
        for number in (1, 2):
            deliver(session, number, clip, files=desk.files, at=desk.clock.now())
        keep_files(session, 2, True, at=desk.clock.now())
        session.commit()
    desk.clock.advance(days=desk.settings.files_after_delivery_days + 1)
    assert desk.sweep().delivered_file_sets == 1
    with Session(desk.engine) as session:
        kinds = sorted(f.kind for f in session.exec(select(WlFile)))
    assert kinds == ["clip", "photo"]  # only the kept order's files remain
    assert len(_stored_files(tmp_path / "files")) == 2


def test_cancelled_orders_and_old_sign_ups_become_anonymous(tmp_path: Path) -> None:
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "files"), settings=WaitlistSettings(queue_limit=1))
    complete_order(desk, 1, photos=0)
    for text_ in ("Здравствуйте", "да", "+7 900 1", "да"):
        desk.send(2, text_)
    desk.send(1, "отмена")
    desk.send(1, "да")
    desk.clock.advance(days=desk.settings.signup_days + 1)
    report = desk.sweep()
    assert report.cancelled_orders == 1 and report.old_signups == 1
    with Session(desk.engine) as session:
        assert all(s.contact is None and s.peer_id is None for s in session.exec(select(WlSignup)))
        assert all(o.contact is None for o in session.exec(select(WlOrder)))


def test_metadata_has_only_prefixed_tables_for_the_waitlist() -> None:
    assert all(t.startswith("wl_") for t in SQLModel.metadata.tables if t.startswith("wl"))
