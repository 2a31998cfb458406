"""The real pipeline fed raw updates in-process: relatives are answered, abuse kept out of sight, odd input
survives, and a handler bug fails with its own traceback (no network; the sandbox tests cover the wire)."""
# ruff: noqa: F811

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from moderation.models import ModItem
from tests.db_fixtures import db_url  # noqa: F401  (fixture: SQLite, and PostgreSQL when configured)
from tests.feeding import CHAT_PEER_BASE, Fed, fed, make_fed, texts  # noqa: F401
from vkbot.core.feed import feed_raw_event
from vkbot.core.pipeline import ROUTES
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.dashboard.inbox import recent_messages
from vkbot.ingress.events import EVENT_MODELS
from waitlist.models import WlInbox

HELLO = "Здравствуйте, хочу заказать ролик для папы"


def test_a_grieving_relative_who_swears_at_the_war_is_answered_and_not_hidden(fed: Fed) -> None:
    replies = fed.write(
        3001, "Здравствуйте. Сына убили на этой проклятой войне, будь она проклята, бл*ть. Можно видео?"
    )
    assert replies
    with Session(fed.engine) as session:
        assert session.scalars(select(ModItem).where(ModItem.status == "quarantined")).all() == []


def test_abuse_only_gets_no_answer_and_is_kept_in_quarantine(fed: Fed) -> None:
    assert fed.write(3002, "Ты тупая мразь, чтоб ты сдохла") == []
    assert fed.write(3003, HELLO)
    with Session(fed.engine) as session:
        item = session.scalars(select(ModItem).where(ModItem.author_id == 3002)).one()
        stored = session.scalars(select(StoredEvent).where(StoredEvent.peer_id == 3002)).one()
    assert item.status == "quarantined" and item.evidence  # a death wish is kept for a police export
    assert item.source_key == stored.key
    assert stored.raw["object"]["message"]["text"] == "Ты тупая мразь, чтоб ты сдохла"  # kept as received


def _marked(fed: Fed, author_id: int) -> list[str]:
    with Session(fed.engine) as session:
        items = session.scalars(select(ModItem).where(ModItem.author_id == author_id)).all()
        return [item.text for item in items]


def test_our_own_button_labels_are_not_taken_for_abuse(fed: Fed) -> None:
    """A tapped button arrives as its label; the learned score read "Help" and "No" as abuse and hid them."""
    for text in ("Help", "No", "Допомога", "Another time"):
        assert fed.write(3020, text)  # answered
    assert _marked(fed, 3020) == []


def test_a_relatives_answers_in_her_order_conversation_are_not_marked_on_a_score_alone(fed: Fed) -> None:
    assert fed.write(3021, HELLO)
    assert fed.write(3021, "Да, согласна")  # consent: the conversation is protected from here on
    for answer in ("Granddaughter", "Daughter", "Margaret Ellis", "Привіт"):
        assert fed.write(3021, answer)
    fed.write(3021, "Ты тупая тварь")  # the rules still mark abuse there, shown to her
    assert _marked(fed, 3021) == ["Ты тупая тварь"]


def test_self_harm_is_answered_with_the_support_line(fed: Fed) -> None:
    replies = fed.write(3004, "Мужа не стало, я не хочу больше жить")
    assert any(fed.pipeline.config.moderation.support_line in t for t in replies)


def test_the_bot_steps_back_when_the_founder_writes_herself(fed: Fed) -> None:
    assert fed.write(3005, "Здравствуйте, мама умерла, хочу ролик")
    fed(fed.updates.founder_message(3005, "Здравствуйте, это Анна. Напишу вам лично."))
    assert fed.write(3005, "Спасибо, жду") == []


def test_the_echo_of_our_own_reply_is_not_taken_for_the_founder_writing(fed: Fed) -> None:
    rows = fed(fed.updates.message(3006, "Здравствуйте, мама умерла, хочу ролик"))
    [ours, *_] = [row for row in rows if row.method == "messages.send"]
    echo = fed.updates.message_object(
        -1001, ours.params["message"], peer_id=3006, out=1, random_id=ours.random_id
    )
    fed(fed.updates.envelope("message_reply", echo))  # every message the bot sends comes back so
    assert fed.write(3006, "Спасибо, жду")  # still answered: the bot did not step back
    stranger = fed.updates.message_object(-1001, "Это Анна.", peer_id=3006, out=1, random_id=424242)
    fed(fed.updates.envelope("message_reply", stranger))  # not a row of ours: someone wrote by hand
    assert fed.write(3006, "Спасибо ещё раз") == []


def test_an_abusive_comment_is_hidden_from_the_wall(fed: Fed) -> None:
    rows = fed(fed.updates.comment(4001, "Ты тупая мразь, чтоб ты сдохла"))
    assert [r.method for r in rows] == []  # the removal is moderation's row, named after the item
    with Session(fed.engine) as session:
        item = session.scalars(select(ModItem).where(ModItem.author_id == 4001)).one()
        removal = session.scalars(select(OutboxRow).where(OutboxRow.method == "wall.deleteComment")).one()
    assert item.status == "quarantined" and item.channel == "comment"
    assert removal.params["comment_id"] == item.comment_id


def test_delete_my_data_blanks_moderation_texts_at_the_pipelines_time(fed: Fed) -> None:
    assert fed.write(3010, "Ты тупая мразь") == []  # quarantined, not evidence: erasable
    assert fed.write(3010, HELLO)
    fed.clock.advance(days=3)  # the erase is stamped with the injected clock, not the wall clock
    fed.write(3010, "удалить мои данные")
    assert "данные удалены" in fed.write(3010, "да")[-1]
    with Session(fed.engine) as session:
        item = session.scalars(select(ModItem).where(ModItem.author_id == 3010)).one()
    assert item.text == "" and item.text_erased_at is not None
    assert item.text_erased_at == fed.clock.now()


class Buggy:
    """A handler with a bug."""

    def handle(self, session, event):  # type: ignore[no-untyped-def]
        raise RuntimeError("handler bug")

    def give_up(self, session, event, error):  # type: ignore[no-untyped-def]
        return []


def test_a_handler_bug_fails_the_caller_with_its_traceback_and_the_event_stays(fed: Fed) -> None:
    raw = fed.updates.message(3006, HELLO)
    with pytest.raises(RuntimeError, match="handler bug"):
        feed_raw_event(fed.engine, Buggy(), raw, clock=fed.clock)
    with Session(fed.engine) as session:
        (stored,) = session.scalars(select(StoredEvent)).all()
    assert stored.processed_at is None and stored.raw == raw  # kept, and handled once the bug is fixed
    assert fed(raw)  # the same update again: not stored twice, now answered
    with Session(fed.engine) as session:
        assert len(session.scalars(select(StoredEvent)).all()) == 1


def test_in_production_a_handler_bug_is_logged_once_and_the_event_kept(fed: Fed, caplog) -> None:  # type: ignore[no-untyped-def]
    raw = fed.updates.message(3007, HELLO)
    assert feed_raw_event(fed.engine, Buggy(), raw, on_error="log", clock=fed.clock) == []
    with Session(fed.engine) as session:
        (stored,) = session.scalars(select(StoredEvent)).all()
    assert "handler bug" in (stored.process_error or "") and stored.attempts == 1
    assert sum("handler bug" in r.getMessage() for r in caplog.records) == 1


def test_a_button_pressed_in_a_group_chat_starts_no_order_dialog(fed: Fed) -> None:
    chat = CHAT_PEER_BASE + 5
    rows = fed(fed.updates.button(3008, {"cmd": "start"}, peer_id=chat))
    assert [r.method for r in rows] == ["messages.sendMessageEventAnswer"]  # the spinner stops; nothing else
    assert fed(fed.updates.button(3008, {"cmd": "start"}))[0].method == "messages.sendMessageEventAnswer"


def test_a_forwarded_message_with_an_odd_author_is_answered_and_shown(fed: Fed) -> None:
    odd = {"from_id": "club123", "date": 1700000000, "text": "старое сообщение мамы"}
    assert fed.write(3009, HELLO, fwd_messages=[odd])
    with Session(fed.engine) as session:
        (shown,) = recent_messages(session)
    assert shown.peer_id == 3009 and shown.text == HELLO


def test_an_update_without_an_event_id_is_stored_once(fed: Fed) -> None:
    raw = fed.updates.message(3010, HELLO)
    del raw["event_id"]
    fed(raw)
    fed(dict(raw))
    with Session(fed.engine) as session:
        (stored,) = session.scalars(select(StoredEvent)).all()
    assert stored.malformed_reason == "no event_id" and stored.event_id.startswith("raw:")


ODD_TEXTS = [
    "",  # a sticker-only or empty message
    "🙏🕯️🕊️",
    "а" * 60_000,  # far beyond VK's own limit
    "\u202eтекст справа налево\u200b\u200d",
    "Фото\x00 пришлю вечером\x07",  # a NUL and a bell inside an ordinary message
    "<script>alert(1)</script>'; DROP TABLE vk_events; --",
    "Здравствуйте " + "очень " * 3000 + "длинная история",
]


def test_odd_messages_are_stored_whole_answered_and_shown(db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fed = make_fed(db_url, tmp_path / "files")
    try:
        for i, text in enumerate(ODD_TEXTS):
            assert fed.write(6000 + i, text, payload="{not json"), repr(text[:40])
        with Session(fed.engine) as session:
            stored = {
                e.peer_id: e.raw["object"]["message"]["text"] for e in session.scalars(select(StoredEvent))
            }
            shown = {m.peer_id: m.text for m in recent_messages(session)}
            sent = session.scalars(select(OutboxRow).where(OutboxRow.method == "messages.send")).all()
    finally:
        fed.engine.dispose()
    assert stored == {6000 + i: text for i, text in enumerate(ODD_TEXTS)}  # kept exactly as received
    assert shown[6004] == "Фото\ufffd пришлю вечером\x07"  # the NUL PostgreSQL refuses, replaced for display
    assert all(len(row.params["message"]) <= 4096 for row in sent)  # long answers are split


def test_a_nul_in_a_message_kept_for_the_founder_is_stored(db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fed = make_fed(db_url, tmp_path / "files")
    try:
        assert fed.write(6100, HELLO)
        assert fed.write(6100, "позвать человека")
        fed.write(6100, "мама\x00 любила сад")
        with Session(fed.engine) as session:
            kept = [row.text for row in session.scalars(select(WlInbox).where(WlInbox.peer_id == 6100))]
    finally:
        fed.engine.dispose()
    assert "мама\ufffd любила сад" in kept


def test_the_pipeline_routes_by_event_class_and_keeps_the_rest(fed: Fed) -> None:
    assert set(ROUTES) <= set(EVENT_MODELS.values())
    assert fed(fed.updates.envelope("message_deny", {"user_id": 3011})) == []
    assert fed(fed.updates.envelope("group_join", {"user_id": 3011, "join_type": "join"})) == []  # kept only
    with Session(fed.engine) as session:
        stored = session.scalars(select(StoredEvent).order_by(StoredEvent.id)).all()
    assert [(e.type, e.peer_id, e.processed_at is not None) for e in stored] == [
        ("message_deny", 3011, True),
        ("group_join", 3011, True),
    ]


def test_a_message_recovered_from_history_is_answered_once_even_when_long_poll_brings_it_later(
    fed: Fed,
) -> None:
    live = fed.updates.message(3012, HELLO)
    recovered = {**live, "event_id": "history:msg:3012_1"}  # as HistoryGapFiller stores it
    assert texts(fed(recovered, source="history"))
    assert fed(live) == fed(recovered)  # the long-poll copy is the same message: same rows, none new
    with Session(fed.engine) as session:
        (stored,) = session.scalars(select(StoredEvent)).all()
        sent = session.scalars(select(OutboxRow).where(OutboxRow.peer_id == 3012)).all()
        shown = recent_messages(session)
    assert stored.source == "history" and stored.processed_at is not None
    assert len(sent) == len(texts(fed(recovered, source="history")))
    assert [(m.peer_id, m.text) for m in shown] == [(3012, HELLO)]  # the founder's inbox shows it too
