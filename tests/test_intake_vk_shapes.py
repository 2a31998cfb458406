"""What real VK sends, through the production pipeline (issue 12): photos inside forwarded and quoted
messages join the order once each, other attachments are kept for the founder and named to the relative,
and an old client without keyboards types the button labels through the whole intake."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

import i18n
from tests.app_helpers import running_app
from tests.feeding import CHAT_PEER_BASE, Fed, fed, texts  # noqa: F401  (fixture: the real pipeline fed in-process)
from tests.test_intake_sandbox import Relative, intake_config, order_photos, orders_of
from vkbot.sandbox import SandboxControl
from waitlist.models import WlConversation, WlInbox, WlOrder
from waitlist.testing import make_photo


def _photo(name: str, seed: int) -> dict[str, str]:
    return SandboxControl.attachment("photo", name, make_photo(seed=seed), orig_photo=False)


async def test_forwarded_and_quoted_photos_join_the_order_once_and_other_attachments_are_named(
    sandbox, tmp_path
) -> None:
    user = 3900
    async with running_app(intake_config(sandbox, tmp_path)) as app:
        await sandbox.wait_for_call("groups.getLongPollServer")
        relative = Relative(sandbox, user)
        await relative.start()  # up to the photos question
        own = await sandbox.inject_message(user, "", [_photo("own.jpg", 1)])
        [reply] = await relative.answers()
        assert "фото получено: 1. Всего фото: 1" in reply["text"]
        for _ in range(2):  # "this one": the photo's message quoted, twice
            await sandbox.inject_message(user, "вот это", reply_to=own["conversation_message_id"])
            [reply] = await relative.answers()
            assert reply["text"].startswith(i18n.text("intake.media.duplicate", "ru")), reply["text"]
        others = [
            {"type": "video", "title": "Юбилей папы"},
            {"type": "wall", "text": "Пост о папе"},
            {"type": "link", "url": "https://example.org/papa", "title": "Статья"},
        ]
        old = {"from_id": 3901, "text": "", "attachments": [_photo("old.jpg", 2)]}
        await sandbox.inject_message(user, "", others, fwd_messages=[old])  # forwarded from another chat
        [reply] = await relative.answers()
        assert reply["text"].startswith(
            "Спасибо, видео, запись со стены и ссылку мы сохранили для автора роликов.\n\n"
            "Спасибо, фото получено: 1. Всего фото: 2."
        ), reply["text"]
        await relative.finish(photo=False)
    [order] = orders_of(app.engine, user)
    assert order.status == "waiting" and len(order_photos(app.engine, order.id)) == 2
    with Session(app.engine) as session:
        kept = [r.text for r in session.scalars(select(WlInbox).where(WlInbox.kind == "attachment"))]
    assert [k.split("\n")[0] for k in kept] == ["video", "wall", "link"]
    assert "Юбилей папы" in kept[0] and "Пост о папе" in kept[1] and "https://example.org/papa" in kept[2]


def _old_client(fed: Fed, user: int, text: str) -> list[str]:  # noqa: F811
    """A message from a VK client that shows no keyboards; the bot's answers (never with buttons)."""
    raw = fed.updates.message(user, text)
    raw["object"]["client_info"] = {"keyboard": False, "inline_keyboard": False, "button_actions": []}
    rows = fed(raw)
    assert all("keyboard" not in row.params for row in rows if row.method == "messages.send")
    said = [row.params["message"] for row in rows if row.method == "messages.send"]
    assert not [t for t in said if "нажм" in t.lower() or "нажать" in t.lower()]  # words to write instead
    return said


def test_an_old_client_types_the_button_labels_through_the_whole_intake(fed: Fed) -> None:  # noqa: F811
    user = 3950
    typed = [
        "Здравствуйте, у нас умер папа, можно ролик?",
        "согласна",
        "Мой папа, Николай Петрович Иванов",
        "готово",  # no photos now
        "Он был добрым и весёлым.",
        "Готово",
        "крылья ангела",
        "Голос человека",
        "готово",
        "пропустить",
        "пишите сюда, в вк",
        "да, можно",
        "опубликовать",
        "всё верно",
    ]
    for text in typed:
        answers = _old_client(fed, user, text)
        assert answers, f"no answer to {text!r}"
    assert "Номер заказа" in answers[-1]
    with Session(fed.engine) as session:
        order = session.scalars(select(WlOrder).where(WlOrder.peer_id == user)).one()
    assert order.status == "waiting" and order.wishes == "wings,voice" and order.publish_consent is True
    assert (order.subject_name, order.relation) == ("Николай Петрович Иванов", "папа")


def test_group_chat_messages_and_service_actions_start_no_dialog(fed: Fed) -> None:  # noqa: F811
    chat = CHAT_PEER_BASE + 7
    invited = fed.updates.message(
        3960, "", peer_id=chat, action={"type": "chat_invite_user", "member_id": -1}
    )
    assert texts(fed(invited)) == []
    assert fed.write(3960, "Здравствуйте, хочу заказать ролик", peer_id=chat) == []
    with Session(fed.engine) as session:
        assert session.get(WlConversation, chat) is None and session.get(WlConversation, 3960) is None
    assert fed.write(3960, "Здравствуйте, хочу заказать ролик")  # the same person in private is answered


def test_an_event_of_api_5_103_to_5_198_without_v_is_answered(fed: Fed) -> None:  # noqa: F811
    raw = fed.updates.message(3970, "Здравствуйте, хочу заказать ролик")
    del raw["v"]  # as VK sends events to a group whose Long Poll API version is below 5.199
    [answer] = texts(fed(raw))
    assert answer.startswith(i18n.text("intake.greeting", "ru"))
