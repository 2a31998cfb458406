"""Each photo is measured on arrival; a poor one is kept and the relative is asked, kindly and once, for a better one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from waitlist.filestore import LocalFileStore
from waitlist.models import WlFile
from waitlist.photo_check import measure_photo
from waitlist.settings import WaitlistSettings
from waitlist.testing import Desk, make_photo, memory_engine

PEER = 801
POOR_QUESTION = "более чёткое фото"


def test_a_clear_portrait_measures_well() -> None:
    measures = measure_photo(make_photo())
    assert measures is not None
    assert (measures.width, measures.height, measures.faces) == (900, 900, 1)
    assert measures.problems(600, 40.0, True) == ()


@pytest.mark.parametrize(
    ("photo", "problem"),
    [
        (make_photo(sharp=False), "blurry"),
        (make_photo(side=300), "small"),
        (make_photo(face=False), "no_face"),
    ],
)
def test_a_poor_photo_names_what_is_wrong(photo: bytes, problem: str) -> None:
    measures = measure_photo(photo)
    assert measures is not None
    assert problem in measures.problems(600, 40.0, True)


def test_bytes_that_are_not_an_image_have_no_measures() -> None:
    assert measure_photo(b"not a picture at all") is None


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "files"))
    for text in ("Здравствуйте", "да", "Анна", "мама"):
        desk.send(PEER, text)
    return desk


def test_a_poor_photo_is_kept_and_asked_about_only_once(desk: Desk) -> None:
    blurry = make_photo(sharp=False, seed=3)
    first = desk.send(PEER, photos=(blurry,))
    assert sum(POOR_QUESTION in r.text for r in first) == 1
    again = desk.send(PEER, photos=(blurry,))  # the same photo once more
    assert not any(POOR_QUESTION in r.text for r in again)
    clear = desk.send(PEER, photos=(make_photo(seed=4),))
    assert not any(POOR_QUESTION in r.text for r in clear)
    with Session(desk.engine) as session:
        rows = list(session.exec(select(WlFile).order_by(WlFile.id)))  # type: ignore[arg-type]
    assert [(r.poor, r.asked_better) for r in rows] == [(True, True), (False, False)]  # never refused


def test_several_poor_photos_in_one_message_make_one_question(desk: Desk) -> None:
    replies = desk.send(PEER, photos=(make_photo(sharp=False, seed=5), make_photo(face=False, seed=6)))
    assert sum(POOR_QUESTION in r.text for r in replies) == 1


def test_a_photo_over_the_size_limit_is_asked_for_again(tmp_path: Path) -> None:
    desk = Desk(
        memory_engine(), LocalFileStore(tmp_path / "files"), settings=WaitlistSettings(photo_max_bytes=1000)
    )
    for text in ("Здравствуйте", "да", "Анна", "мама"):
        desk.send(PEER, text)
    replies = desk.send(PEER, photos=(make_photo(),))
    assert "Пришлите его, пожалуйста, ещё раз" in replies[0].text


def test_a_photo_sent_as_a_document_counts_as_a_photo(desk: Desk) -> None:
    from dataclasses import replace

    msg = desk.message(PEER, photos=(make_photo(seed=8),))
    as_doc = replace(msg, attachments=tuple(replace(a, kind="doc", ext="jpg") for a in msg.attachments))
    replies = desk.handle(as_doc)
    assert "фото получено: 1" in replies[0].text
