"""The "статус" reply: places and estimates after the founder's moves, and its facts read in one query."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session

from waitlist import preload
from waitlist.filestore import LocalFileStore
from waitlist.founder import move_order, set_status
from waitlist.inbound import InboundMessage
from waitlist.service import handle_message
from waitlist.settings import WaitlistSettings
from waitlist.testing import Desk, complete_order, memory_engine

# Four orders (the third moved first, the second in progress), three on the sign-up list, a stranger.
# The texts are what the reply said when each figure was read by a query of its own (main bd198df).
EXPECTED = {
    1: "Заказ № 1: место в очереди 2. Когда примерно: с 09.12.2026 по 24.12.2026.",
    2: "Заказ № 2: ролик уже делается.",
    3: "Заказ № 3: место в очереди 1. Когда примерно: с 02.12.2026 по 16.12.2026.",
    4: "Заказ № 4: место в очереди 3. Когда примерно: с 16.12.2026 по 02.01.2027.",
    5: "Вы в листе ожидания, место 1. Когда примерно: с 16.12.2026 по 11.01.2027.",
    6: "Вы в листе ожидания, место 2. Когда примерно: с 21.12.2026 по 20.01.2027.",
    7: "Вы в листе ожидания, место 3. Когда примерно: с 27.12.2026 по 28.01.2027.",
    8: "У вас пока нет заказа. Напишите нам, если хотите заказать ролик.",
}


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    settings = WaitlistSettings(queue_limit=4, clips_per_week=1)
    desk = Desk(memory_engine(), LocalFileStore(tmp_path / "files"), settings=settings)
    for peer in range(1, 5):
        complete_order(desk, peer, photos=0)
    listed = []
    for peer in (5, 6, 7):
        for text in ("Здравствуйте", "да", "сюда", "да"):
            replies = desk.send(peer, text)
        listed.append(replies[-1].text)
    # Told when listed, from the same figures as the status reply (the place and the same estimate).
    assert "место в листе: 3.\nКогда примерно сможем начать: с 27.12.2026 по 28.01.2027." in listed[-1]
    with Session(desk.engine) as session:
        move_order(session, 3, 1, "the funeral is on Friday", at=desk.clock.now())
        set_status(session, 2, "in_progress", None, at=desk.clock.now())
        session.commit()
    return desk


def test_status_tells_each_place_and_estimate_after_the_founders_moves(desk: Desk) -> None:
    assert {peer: desk.send(peer, "статус")[0].text for peer in EXPECTED} == EXPECTED


def test_a_preloaded_batch_of_status_questions_reads_one_statement_per_message(desk: Desk) -> None:
    messages = [desk.message(peer, "статус") for peer in EXPECTED]
    with Session(desk.engine) as session:
        preload(session, [m.event_key for m in messages], [m.peer_id for m in messages])
        answered = {m.peer_id: _answer_noting_reads(desk, session, m) for m in messages}
        session.commit()
    assert {peer: text for peer, (text, _) in answered.items()} == EXPECTED
    # After the first (which also reads the notices owed, once per transaction): orders or the list
    # place with their places and estimates, one query each (three or four before); a stranger, none.
    assert [len(reads) for text, reads in list(answered.values())[1:]] == [1, 1, 1, 1, 1, 1, 0]


def _answer_noting_reads(desk: Desk, session: Session, msg: InboundMessage) -> tuple[str, list[str]]:
    """The reply's text and the SELECT statements its handling ran."""
    reads: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().startswith("SELECT"):
            reads.append(statement)

    event.listen(desk.engine, "before_cursor_execute", note)
    try:
        [reply] = handle_message(
            session,
            msg,
            settings=desk.settings,
            clock=desk.clock,
            files=desk.files,
            downloader=desk.downloader,
        )
    finally:
        event.remove(desk.engine, "before_cursor_execute", note)
    return reply.text, reads
