"""waitlist.preload: a batch of messages in one transaction answers exactly as one message at a time."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, func, select

from waitlist import peers_with_orders, preload
from waitlist.filestore import LocalFileStore
from waitlist.inbound import InboundMessage
from waitlist.models import WlConversation, WlFile, WlPendingAttachment, WlProcessedEvent
from waitlist.service import handle_message
from waitlist.testing import Desk, complete_order, make_photo, memory_engine

TEXTS = ["Здравствуйте, хочу заказать видео в память о маме", "Да", "статус", "ок", "Hello, my brother died"]


def _stream(desk: Desk) -> list[InboundMessage]:
    """Three writers, several messages each, interleaved; keys fixed so two desks get the same stream."""
    return [
        desk.message(700 + i % 3, TEXTS[i % len(TEXTS)], event_key=f"evt:{i}") for i in range(len(TEXTS) * 3)
    ]


def _in_one_transaction(desk: Desk, messages: list[InboundMessage], *, preloaded: bool) -> list[list[str]]:
    with Session(desk.engine) as session:
        if preloaded:
            preload(session, [m.event_key for m in messages], [m.peer_id for m in messages])
        answers = [
            [
                r.text
                for r in handle_message(
                    session,
                    m,
                    settings=desk.settings,
                    clock=desk.clock,
                    files=desk.files,
                    downloader=desk.downloader,
                )
            ]
            for m in messages
        ]
        session.commit()
    return answers


def test_preloaded_batch_answers_as_without_preload(tmp_path: Path) -> None:
    plain = Desk(memory_engine(), LocalFileStore(tmp_path / "a"))
    fast = Desk(memory_engine(), LocalFileStore(tmp_path / "b"))
    for desk in (plain, fast):  # the writers exist already for the second batch: preload loads them
        desk.send(700, "Здравствуйте")
    first = _stream(plain)
    assert _in_one_transaction(plain, first, preloaded=False) == _in_one_transaction(
        fast, _stream(fast), preloaded=True
    )
    with Session(fast.engine) as session:
        assert session.exec(select(func.count()).select_from(WlConversation)).one() == 3


def test_a_replay_inside_the_preloaded_transaction_is_idempotent(tmp_path: Path) -> None:
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "files"))
    msg = desk.message(800, "Здравствуйте, хочу заказать видео", event_key="evt:replayed")
    with Session(desk.engine) as session:
        preload(session, [msg.event_key], [msg.peer_id])
        kwargs = dict(settings=desk.settings, clock=desk.clock, files=desk.files, downloader=desk.downloader)
        first = handle_message(session, msg, **kwargs)  # type: ignore[arg-type]
        again = handle_message(session, msg, **kwargs)  # type: ignore[arg-type]
        session.commit()
    assert [r.text for r in again] == [r.text for r in first] and first
    with Session(desk.engine) as session:
        assert session.exec(select(func.count()).select_from(WlProcessedEvent)).one() == 1


def test_peers_with_orders_leaves_out_only_writers_the_preload_saw_without_an_order(tmp_path: Path) -> None:
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "a"))
    complete_order(desk, 801, photos=0)
    desk.send(802, "Здравствуйте")  # a conversation, no order
    with Session(desk.engine) as session:
        assert peers_with_orders(session, [801, 802, 803]) == {801, 802, 803}  # no preload: nothing known
        preload(session, ["evt:x"], [801, 802, 803])
        assert peers_with_orders(session, [801, 802, 803]) == {801}


def test_photos_kept_before_consent_are_adopted_in_the_same_preloaded_batch(tmp_path: Path) -> None:
    """The preload notes writers without pending attachments; one kept inside the batch must be found."""

    def stream(desk: Desk) -> list[InboundMessage]:
        return [
            desk.message(800, TEXTS[0], photos=(make_photo(seed=1),), event_key="evt:a"),
            desk.message(801, TEXTS[0], event_key="evt:b"),
            desk.message(800, "Да", event_key="evt:c"),  # consent: the photo is fetched now
            desk.message(801, "Да", event_key="evt:d"),
        ]

    plain = Desk(memory_engine(), LocalFileStore(tmp_path / "a"))
    fast = Desk(memory_engine(), LocalFileStore(tmp_path / "b"))
    assert _in_one_transaction(plain, stream(plain), preloaded=False) == _in_one_transaction(
        fast, stream(fast), preloaded=True
    )
    for desk in (plain, fast):
        with Session(desk.engine) as session:
            assert session.exec(select(func.count()).select_from(WlPendingAttachment)).one() == 0
            assert session.exec(select(func.count()).select_from(WlFile)).one() == 1
