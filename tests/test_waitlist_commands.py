"""Commands work at any point of the dialog: status, cancel, delete my data, price, a person, help."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from waitlist.filestore import LocalFileStore
from waitlist.models import WlConversation, WlInbox, WlOrder
from waitlist.testing import Desk, complete_order, make_photo, memory_engine

PEER = 601

# The words that bring a relative to each step of the dialog (photos go as an attachment).
TO_STEP: list[tuple[str, list[str]]] = [
    ("consent", ["Здравствуйте"]),
    ("subject", ["Здравствуйте", "да"]),
    ("relation", ["Здравствуйте", "да", "Анна"]),
    ("photos", ["Здравствуйте", "да", "Анна", "мама"]),
    ("story", ["Здравствуйте", "да", "Анна", "мама", "готово"]),
    ("wishes", ["Здравствуйте", "да", "Анна", "мама", "готово", "Добрая.", "готово"]),
    ("contact", ["Здравствуйте", "да", "Анна", "мама", "готово", "Добрая.", "готово", "готово"]),
    ("notify", ["Здравствуйте", "да", "Анна", "мама", "готово", "Добрая.", "готово", "готово", "сюда"]),
    (
        "publish",
        ["Здравствуйте", "да", "Анна", "мама", "готово", "Добрая.", "готово", "готово", "сюда", "да"],
    ),
    (
        "summary",
        ["Здравствуйте", "да", "Анна", "мама", "готово", "Добрая.", "готово", "готово", "сюда", "да", "нет"],
    ),
    (
        "idle",
        [
            "Здравствуйте",
            "да",
            "Анна",
            "мама",
            "готово",
            "Добрая.",
            "готово",
            "готово",
            "сюда",
            "да",
            "нет",
            "да",
        ],
    ),
]
STEPS = [name for name, _ in TO_STEP]


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return Desk(memory_engine(), LocalFileStore(tmp_path / "files"))


def _walk(desk: Desk, step: str) -> None:
    for text in dict(TO_STEP)[step]:
        desk.send(PEER, text)
    assert _conv(desk).state == step


def _conv(desk: Desk) -> WlConversation:
    with Session(desk.engine) as session:
        conv = session.get(WlConversation, PEER)
        assert conv is not None
        return conv


def _orders(desk: Desk) -> list[WlOrder]:
    with Session(desk.engine) as session:
        return list(session.exec(select(WlOrder)))


@pytest.mark.parametrize("step", STEPS)
def test_status_at_any_step_answers_and_keeps_the_place_in_the_dialog(desk: Desk, step: str) -> None:
    _walk(desk, step)
    replies = desk.send(PEER, "статус")
    text = replies[-1].text
    if step == "idle":
        assert "Заказ № 1: место в очереди 1" in text
    elif step == "consent":
        assert "нет заказа" in text
    else:
        assert "собираем данные" in text
    assert _conv(desk).state == step


@pytest.mark.parametrize("step", STEPS)
def test_cancel_at_any_step_stops_kindly(desk: Desk, step: str) -> None:
    _walk(desk, step)
    replies = desk.send(PEER, "отмена")
    if step == "idle":
        assert "Отменить заказ?" in replies[-1].text  # a placed order is cancelled only when confirmed
        replies = desk.send(PEER, "да")
        assert "Заказ отменён (1)" in replies[-1].text
    elif step == "consent":
        assert "Отменять нечего" in replies[-1].text
    else:
        assert "мы остановились" in replies[-1].text
    assert _conv(desk).state == "new"
    assert all(o.status == "cancelled" for o in _orders(desk))
    replies = desk.send(PEER, "Здравствуйте, я снова")  # they can always come back
    assert "Для кого будет ролик" in replies[-1].text or "Вы согласны" in replies[-1].text


@pytest.mark.parametrize("step", STEPS)
def test_delete_my_data_at_any_step_removes_the_conversation(desk: Desk, step: str) -> None:
    _walk(desk, step)
    replies = desk.send(PEER, "удалить мои данные")
    assert "Это нельзя вернуть" in replies[-1].text
    replies = desk.send(PEER, "да")
    assert "Ваши данные удалены" in replies[-1].text
    with Session(desk.engine) as session:
        assert session.get(WlConversation, PEER) is None
        assert all(o.peer_id is None and o.subject_name is None for o in session.exec(select(WlOrder)))
    assert (PEER, True) in desk.texts.erased


def test_saying_no_to_are_you_sure_changes_nothing(desk: Desk) -> None:
    complete_order(desk, PEER)
    desk.send(PEER, "отмена")
    replies = desk.send(PEER, "нет")
    assert "ничего не меняем" in replies[-1].text
    assert _orders(desk)[0].status == "waiting"


def test_delete_tells_the_writer_that_threats_are_kept_as_evidence(desk: Desk) -> None:
    desk.texts.evidence[PEER] = 2
    complete_order(desk, PEER)
    desk.send(PEER, "удалить мои данные")
    replies = desk.send(PEER, "да")
    assert "угрозами" in replies[-1].text


def test_price_and_help_answer_then_repeat_the_question(desk: Desk) -> None:
    _walk(desk, "relation")
    replies = desk.send(PEER, "цена")
    assert "бесплатно" in replies[-1].text and "Кем он или она вам приходится" in replies[-1].text
    replies = desk.send(PEER, payload={"cmd": "help"})
    assert "«статус»" in replies[-1].text


def test_asking_for_a_person_tells_the_founder_and_never_leaves_the_relative_in_silence(desk: Desk) -> None:
    _walk(desk, "photos")
    replies = desk.send(PEER, "Позвать человека")
    assert "ответит вам сама" in replies[-1].text
    [alert] = desk.alerts  # the founder hears at once, with who and what
    assert (alert.kind, alert.peer_id) == ("human", PEER)
    assert "vk.com/id601" in alert.message("ru") and "Позвать человека" in alert.message("ru")

    [ack] = desk.send(PEER, "Алло, вы тут?")
    assert "передали автору роликов" in ack.text
    assert desk.send(PEER, "Ну где же вы?") == []  # a kind word once in a while, not after each message
    [status] = desk.send(PEER, "статус")  # commands still work
    assert "собираем данные" in status.text and "Пришлите" not in status.text  # she leads, no question
    [price] = desk.send(PEER, "а цена?")
    assert "бесплатно" in price.text
    desk.send(PEER, photos=(make_photo(),))  # photos still reach the order
    desk.send(PEER, "позвать человека")  # asked again while waiting: she is not alerted twice
    assert len(desk.alerts) == 1
    desk.clock.advance(hours=desk.settings.takeover_ack_hours + 0.1)
    [again] = desk.send(PEER, "Вы здесь?")
    assert "передали автору роликов" in again.text
    with Session(desk.engine) as session:
        kinds = [row.kind for row in session.exec(select(WlInbox))]
        [order] = session.exec(select(WlOrder).where(WlOrder.peer_id == PEER)).all()
        assert order.status == "draft"
    assert kinds == ["human", "during_takeover", "during_takeover", "human", "during_takeover"]
    desk.clock.advance(hours=desk.settings.founder_takeover_hours + 1)
    replies = desk.send(PEER, "готово")
    assert "Расскажите немного" in replies[-1].text


def test_cancel_and_delete_are_confirmed_during_a_takeover(desk: Desk) -> None:
    complete_order(desk, PEER)
    desk.send(PEER, "позвать человека")
    [question] = desk.send(PEER, "удалить мои данные")
    assert "Удалить все ваши данные" in question.text
    [done] = desk.send(PEER, "да")
    assert "данные удалены" in done.text
    with Session(desk.engine) as session:
        assert session.get(WlConversation, PEER) is None


def test_when_the_founder_writes_herself_the_bot_is_quiet(desk: Desk) -> None:
    from waitlist.service import hand_back, record_founder_message

    _walk(desk, "subject")
    with Session(desk.engine) as session:
        record_founder_message(session, PEER, desk.clock.now(), settings=desk.settings)
        session.commit()
    assert desk.send(PEER, "Анна") == []  # she is talking with them: no "passed on" right after her
    assert "собираем данные" in desk.send(PEER, "статус")[-1].text
    assert desk.alerts == []  # she is there already
    desk.clock.advance(hours=desk.settings.takeover_ack_hours + 0.1)
    assert "сообщение получено" in desk.send(PEER, "Вы тут?")[-1].text  # hours later: not silence
    with Session(desk.engine) as session:
        hand_back(session, PEER, desk.clock.now())
        session.commit()
    replies = desk.send(PEER, "Анна")
    assert "Кем он или она вам приходится" in replies[-1].text


def test_send_the_clip_again_without_a_clip_says_so(desk: Desk) -> None:
    complete_order(desk, PEER)
    replies = desk.send(PEER, "ролик ещё раз")
    assert "Готового ролика пока нет" in replies[-1].text
    assert replies[-1].attachment_file is None
