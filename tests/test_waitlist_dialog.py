"""The intake dialog from a relative's side: every language, photos first, restarts, replays and messy input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, create_engine, select

import i18n
from waitlist.effects import Reply
from waitlist.filestore import LocalFileStore
from waitlist.inbound import InboundAttachment, InboundMessage
from waitlist.models import (
    WlConsent,
    WlConversation,
    WlFile,
    WlInbox,
    WlOrder,
    WlPublicationEvent,
    WlStoryPart,
)
from waitlist.settings import WaitlistSettings
from waitlist.testing import SCRIPTS, Desk, complete_order, make_photo, memory_engine

PEER = 501


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return Desk(memory_engine(), LocalFileStore(tmp_path / "files"))


def _orders(desk: Desk, peer_id: int = PEER) -> list[WlOrder]:
    with Session(desk.engine) as session:
        return list(session.exec(select(WlOrder).where(WlOrder.peer_id == peer_id)))


def _state(desk: Desk, peer_id: int = PEER) -> str:
    with Session(desk.engine) as session:
        conv = session.get(WlConversation, peer_id)
        assert conv is not None
        return conv.state


PLACED = {"ru": "Номер заказа: 1", "uk": "Номер замовлення: 1", "en": "Order number: 1"}
GREETING = {"ru": "соболезнования", "uk": "співчуття", "en": "sorry for your loss"}


@pytest.mark.parametrize("lang", ["ru", "uk", "en"])
def test_a_relative_completes_the_intake_in_their_own_language(desk: Desk, lang: str) -> None:
    first = desk.send(PEER, SCRIPTS[lang]["hello"])
    assert GREETING[lang] in first[0].text
    assert first[0].keyboard is not None  # consent buttons

    last = complete_order(desk, PEER + 1, lang)  # a fresh relative walks the whole way

    assert PLACED[lang] in last[-1].text
    [order] = _orders(desk, PEER + 1)
    assert order.status == "waiting" and order.number == 1
    assert order.lang == lang
    assert order.subject_name == SCRIPTS[lang]["subject"]
    assert set(order.wishes.split(",")) == {"birds", "song"}
    assert order.contact == SCRIPTS[lang]["contact"]
    assert order.publish_consent is True
    with Session(desk.engine) as session:
        stories = [p.text for p in session.exec(select(WlStoryPart).where(WlStoryPart.order_id == order.id))]
        consents = list(session.exec(select(WlConsent).where(WlConsent.peer_id == PEER + 1)))
        photos = list(session.exec(select(WlFile).where(WlFile.order_id == order.id)))
    assert SCRIPTS[lang]["story"] in stories
    assert SCRIPTS[lang]["hello"] not in stories  # a greeting and a request are not the story
    assert {c.kind for c in consents} == {"personal_data", "publication"}
    assert all(c.granted and c.version and c.wording and c.lang == lang for c in consents)
    assert len(photos) == 1 and photos[0].faces == 1 and not photos[0].poor


def test_photos_sent_before_the_greeting_are_taken_only_after_consent(desk: Desk) -> None:
    replies = desk.send(PEER, photos=(make_photo(seed=1), make_photo(seed=2)))
    assert "соболезнования" in replies[0].text
    assert "как только вы дадите согласие" in replies[0].text
    assert desk.downloader.fetched == []  # nothing downloaded before consent
    assert _orders(desk) == []  # and no order created

    replies = desk.send(PEER, "да")

    assert len(desk.downloader.fetched) == 2
    assert any("фото получено: 2" in r.text for r in replies)
    assert _state(desk) == "subject"
    complete_order_rest = [
        "Пётр",
        "папа",
        "готово",
        "Рассказ о папе.",
        "готово",
        "готово",
        "сюда",
        "да",
        "нет",
        "да",
    ]
    for text in complete_order_rest:
        replies = desk.send(PEER, text)
    assert "Номер заказа: 1" in replies[-1].text
    [order] = _orders(desk)
    with Session(desk.engine) as session:
        assert len(session.exec(select(WlFile).where(WlFile.order_id == order.id)).all()) == 2


def test_a_declined_consent_downloads_nothing_and_promises_removal(desk: Desk) -> None:
    desk.send(PEER, "Здравствуйте", photos=(make_photo(),))
    replies = desk.send(PEER, "нет")
    assert "будут удалены" in replies[-1].text
    assert desk.downloader.fetched == [] and _orders(desk) == []
    replies = desk.send(PEER, "а всё-таки можно?")
    assert "Без согласия" in replies[-1].text
    replies = desk.send(PEER, "да")  # changed their mind
    assert _state(desk) == "subject"


def test_a_restart_mid_dialog_resumes_where_the_relative_was(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wl.db'}"
    files = LocalFileStore(tmp_path / "files")
    engine = create_engine(url)
    from sqlmodel import SQLModel

    SQLModel.metadata.create_all(engine)
    desk = Desk(engine, files)
    for text in ("Здравствуйте", "да", "Анна", "бабушка"):
        desk.send(PEER, text)
    desk.send(PEER, photos=(make_photo(),))
    engine.dispose()  # the process stops

    restarted = Desk(create_engine(url), files, clock=desk.clock)
    restarted.downloader = desk.downloader
    replies = restarted.send(PEER, "готово")
    assert "Расскажите немного о человеке" in replies[-1].text
    for text in ("Она пекла лучшие пироги.", "готово", "готово", "сюда", "да", "да"):
        replies = restarted.send(PEER, text)
    replies = restarted.send(PEER, "всё верно")
    assert "Номер заказа: 1" in replies[-1].text


def test_the_same_message_handled_twice_gives_the_same_replies_and_one_change(desk: Desk) -> None:
    for text in ("Здравствуйте", "да", "Анна", "бабушка", "готово"):
        desk.send(PEER, text)
    msg = desk.message(PEER, "Она пекла лучшие пироги.", event_key="vk:msg:777")
    first = desk.handle(msg)
    again = desk.handle(msg)
    assert [(r.key, r.text) for r in first] == [(r.key, r.text) for r in again]
    assert len({r.key for r in first}) == len(first)
    with Session(desk.engine) as session:
        assert len(session.exec(select(WlStoryPart)).all()) == 1

    done = desk.message(PEER, "готово", event_key="vk:msg:778")
    desk.handle(done)
    desk.handle(done)
    assert _state(desk) == "wishes"  # not moved twice


def test_a_story_in_several_messages_keeps_each_part_once(desk: Desk) -> None:
    for text in ("Здравствуйте", "да", "Игорь", "муж", "готово"):
        desk.send(PEER, text)
    desk.send(PEER, "Он был лётчиком.")
    desk.send(PEER, "Он был лётчиком.")  # sent twice by a shaky hand
    desk.send(PEER, "", forwarded=("Письмо от его друга: он всегда помогал.",))
    desk.send(PEER, "😢🙏")  # emoji only: no story part, a gentle nudge
    long_text = "Очень длинный рассказ. " * 3000
    desk.send(PEER, long_text)
    with Session(desk.engine) as session:
        parts = list(session.exec(select(WlStoryPart)))
    assert [p.text[:16] for p in parts] == ["Он был лётчиком.", "Письмо от его др", "Очень длинный ра"]
    assert parts[1].forwarded
    assert parts[2].truncated and len(parts[2].text) == desk.settings.max_text_chars


def test_stickers_and_empty_messages_get_the_question_again_gently(desk: Desk) -> None:
    desk.send(PEER, "Здравствуйте")
    desk.send(PEER, "да")
    replies = desk.send(PEER, sticker=True)
    assert "Давайте продолжим" in replies[-1].text
    assert "Для кого будет ролик" in replies[-1].text
    assert _state(desk) == "subject"


def test_a_voice_message_answers_the_voice_add_on(desk: Desk) -> None:
    for text in ("Здравствуйте", "да", "Игорь", "муж"):
        desk.send(PEER, text)
    desk.send(PEER, photos=(make_photo(seed=1), make_photo(seed=2)))
    for text in ("готово", "Он пел.", "готово"):
        desk.send(PEER, text)
    desk.send(PEER, payload={"a": "wish:voice"})
    replies = desk.send(PEER, "готово")
    assert "запись голоса" in replies[-1].text
    replies = desk.send(PEER, voice=b"OggS voice of Igor")
    assert "запись голоса получена" in replies[0].text
    assert _state(desk) == "contact"
    for text in ("сюда", "да", "нет"):
        replies = desk.send(PEER, text)
    assert "Фото: 2\nЗаписи голоса: 1\n" in replies[-1].text  # the summary counts each kind apart


def test_a_relative_writing_many_times_has_one_order(desk: Desk) -> None:
    complete_order(desk, PEER)
    replies = desk.send(PEER, "Здравствуйте, вы получили мои фото?")
    assert "сохранили ваше сообщение" in replies[-1].text
    desk.send(PEER, "Здравствуйте, у нас умерла мама, можно сделать ролик?")
    desk.send(PEER, photos=(make_photo(seed=99),))  # one more photo joins the order
    assert len(_orders(desk)) == 1
    with Session(desk.engine) as session:
        inbox = list(session.exec(select(WlInbox).where(WlInbox.kind == "off_script")))
        photos = session.exec(select(WlFile).where(WlFile.kind == "photo")).all()
    assert len(inbox) == 2 and len(photos) == 2


def test_a_second_order_for_another_person_only_when_asked(desk: Desk) -> None:
    complete_order(desk, PEER)
    replies = desk.send(PEER, "новый заказ")
    assert "Для кого будет ролик" in replies[-1].text  # consent was given already
    for text in ("Сергей", "брат", "готово", "Он был добрым.", "готово", "готово", "сюда", "да", "нет"):
        desk.send(PEER, text)
    replies = desk.send(PEER, "всё верно")
    assert "Номер заказа: 2" in replies[-1].text
    assert "Место в очереди: 2" in replies[-1].text
    assert [o.number for o in _orders(desk)] == [1, 2]


def test_publication_consent_can_be_revoked_and_given_again_at_any_time(desk: Desk) -> None:
    complete_order(desk, PEER, publish=True)
    replies = desk.send(PEER, "не публиковать")
    assert "не будем публиковать" in replies[0].text
    desk.send(PEER, "можно публиковать")
    [order] = _orders(desk)
    assert order.publish_consent is True
    with Session(desk.engine) as session:
        events = list(session.exec(select(WlPublicationEvent).where(WlPublicationEvent.order_id == order.id)))
        consents = list(session.exec(select(WlConsent).where(WlConsent.kind == "publication")))
    assert [e.granted for e in events] == [True, False, True]
    assert all(c.wording.startswith("Можно ли опубликовать") for c in consents)


def test_english_writers_revoke_publication_in_english(desk: Desk) -> None:
    complete_order(desk, PEER, "en", publish=True)
    replies = desk.send(PEER, "do not publish")
    assert "we will not publish" in replies[0].text
    assert _orders(desk)[0].publish_consent is False


def test_language_follows_the_writer_and_can_be_switched(desk: Desk) -> None:
    replies = desk.send(PEER, "Доброго дня, мій син загинув")
    assert "співчуття" in replies[0].text
    replies = desk.send(PEER, "english please")
    assert "continue in English" in replies[0].text
    replies = desk.send(PEER, "да")  # a Russian yes does not switch back a chosen language
    assert "Who is the clip for" in replies[-1].text


def test_buttons_are_left_out_where_the_client_cannot_show_them(desk: Desk) -> None:
    msg = desk.message(PEER, "Здравствуйте")
    from dataclasses import replace

    replies = desk.handle(replace(msg, keyboard_supported=False))
    assert all(r.keyboard is None for r in replies)


def test_settings_reject_a_window_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError):
        WaitlistSettings(sending_window_start_hour=21, sending_window_end_hour=9)


def test_the_public_surface_is_pinned_and_never_imports_vkbot() -> None:
    import subprocess
    import sys

    import waitlist

    assert {
        "handle_message",
        "due_notifications",
        "sweep",
        "delete_personal_data",
        "InboundMessage",
        "Reply",
    } <= set(waitlist.__all__)
    probe = "import sys, waitlist, waitlist.testing; print(any(m == 'vkbot' or m.startswith('vkbot.') for m in sys.modules))"
    assert (
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "False"
    )


def test_a_video_or_file_is_kept_for_the_founder_and_acknowledged_in_words(desk: Desk) -> None:
    for text in ("Здравствуйте", "да", "Анна"):
        desk.send(PEER, text)
    msg = desk.message(PEER)
    video = InboundAttachment(kind="video", url=None, vk_ref="video1_2_abc", title="Юбилей")
    [reply] = desk.handle(replace(msg, attachments=(video,)))
    assert reply.text.startswith("Спасибо, видео мы сохранили для автора роликов.")
    assert "Давайте продолжим" not in reply.text  # thanked already: then the question alone
    assert reply.text.endswith(i18n.text("intake.ask.relation", "ru"))
    assert _state(desk) == "relation"
    with Session(desk.engine) as session:
        [kept] = session.exec(select(WlInbox).where(WlInbox.kind == "attachment")).all()
    assert kept.text == "video\nvideo1_2_abc\nЮбилей"


OTHERS = (
    InboundAttachment(kind="video", url=None, vk_ref="video5_6"),
    InboundAttachment(kind="other", url=None, vk_ref="wall-1001_7", ext="wall", title="Пост о папе"),
    InboundAttachment(kind="other", url=None, vk_ref="poll5_8", ext="poll", title="Какое фото?"),
    InboundAttachment(kind="other", url="https://example.org/x", vk_ref="link", ext="link"),
    InboundAttachment(kind="doc", url="https://vk.test/doc.pdf", vk_ref="doc5_9", ext="pdf"),
    InboundAttachment(kind="other", url=None, vk_ref="audio5_10", ext="audio"),
    InboundAttachment(kind="video", url=None, vk_ref="video5_11"),  # a second video: named once
)
SAID = {
    "ru": "Спасибо, видео, запись со стены, опрос, ссылку, файл и аудиозапись мы сохранили для автора роликов.",
    "uk": "Дякуємо, відео, допис зі стіни, опитування, посилання, файл і аудіозапис ми зберегли для авторки роликів.",
    "en": "Thank you, we have kept the video, the wall post, the poll, the link, the file and the audio track "
    "for the clip maker.",
}


@pytest.mark.parametrize("lang", ["ru", "uk", "en"])
def test_every_other_attachment_is_kept_and_named_in_one_sentence(desk: Desk, lang: str) -> None:
    script = SCRIPTS[lang]
    desk.send(PEER, script["hello"])
    desk.send(PEER, script["yes"])
    msg = desk.message(PEER, script["subject"])
    replies = desk.handle(replace(msg, attachments=OTHERS))
    [reply] = replies  # one message: the acknowledgement, then the next question
    assert reply.text.startswith(SAID[lang])
    assert reply.text.endswith(i18n.text("intake.ask.relation", lang))
    with Session(desk.engine) as session:
        kept = [r.text for r in session.exec(select(WlInbox).where(WlInbox.kind == "attachment"))]
    assert kept == [
        "video\nvideo5_6",
        "wall\nwall-1001_7\nПост о папе",
        "poll\npoll5_8\nКакое фото?",
        "link\nhttps://example.org/x",
        "doc\ndoc5_9\nhttps://vk.test/doc.pdf",
        "audio\naudio5_10",
        "video\nvideo5_11",
    ]


def test_attachments_in_the_first_message_are_named_after_the_greeting(desk: Desk) -> None:
    msg = desk.message(PEER, "Здравствуйте, вот видео с папой")
    [reply] = desk.handle(replace(msg, attachments=OTHERS[:1]))
    greeting, kept, question = reply.text.split("\n\n")
    assert greeting == i18n.text("intake.greeting", "ru")
    assert kept == "Спасибо, видео мы сохранили для автора роликов."
    assert question == i18n.text("intake.consent.pd_text", "ru")


def test_after_the_order_a_video_alone_is_thanked_for_once(desk: Desk) -> None:
    complete_order(desk, PEER)
    [reply] = desk.handle(replace(desk.message(PEER), attachments=OTHERS[:1]))
    assert reply.text == "Спасибо, видео мы сохранили для автора роликов."


def test_a_sticker_is_not_kept_and_gets_the_gentle_question(desk: Desk) -> None:
    desk.send(PEER, "Здравствуйте")
    [reply] = desk.send(PEER, sticker=True)
    assert reply.text.startswith(i18n.text("intake.reask.gentle", "ru"))
    with Session(desk.engine) as session:
        assert session.exec(select(WlInbox).where(WlInbox.kind == "attachment")).all() == []


def test_words_written_before_consent_join_the_story(desk: Desk) -> None:
    desk.send(PEER, "Здравствуйте")
    desk.send(PEER, "Моя мама Вера всю жизнь пела в хоре, очень её любили.")
    desk.send(PEER, "да")
    with Session(desk.engine) as session:
        stories = [p.text for p in session.exec(select(WlStoryPart))]
    assert stories == ["Моя мама Вера всю жизнь пела в хоре, очень её любили."]


def test_a_correction_is_kept_for_the_founder_and_shown_in_the_summary(desk: Desk) -> None:
    for text in (
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
    ):
        desk.send(PEER, text)
    desk.send(PEER, "исправить")
    replies = desk.send(PEER, "Имя правильно: Анна Петровна")
    assert "Исправления: Имя правильно: Анна Петровна" in replies[-1].text
    assert _state(desk) == "summary"
    with Session(desk.engine) as session:
        assert [r.kind for r in session.exec(select(WlInbox))] == ["correction"]


def _vk_photo(desk: Desk, vk_ref: str, data: bytes) -> InboundAttachment:
    """A photo as VK hands it in one message: its id with this message's access key, a fresh address."""
    url = f"https://sun.userapi.test/{vk_ref}/{len(desk.downloader.files)}.jpg"
    desk.downloader.files[url] = data
    return InboundAttachment(kind="photo", url=url, vk_ref=vk_ref, ext="jpg")


def _photo_refs(desk: Desk) -> list[str]:
    with Session(desk.engine) as session:
        return [
            f.vk_ref
            for f in session.exec(select(WlFile).where(WlFile.kind == "photo").order_by(col(WlFile.id)))
        ]


def test_the_same_vk_photo_quoted_or_forwarded_again_is_stored_once(desk: Desk) -> None:
    for text in ("Здравствуйте", "да", "Анна", "мама"):
        desk.send(PEER, text)
    sent = _vk_photo(desk, "photo501_77_aaa", make_photo(seed=1))
    replies = desk.handle(replace(desk.message(PEER), attachments=(sent,)))
    assert "фото получено: 1" in replies[-1].text
    # Quoted ("вот это") and forwarded later: another access key, another size of it, other bytes.
    quoted = _vk_photo(desk, "photo501_77_bbb", make_photo(seed=1, side=700))
    replies = desk.handle(replace(desk.message(PEER, "вот это"), attachments=(quoted,)))
    assert replies[-1].text.startswith(i18n.text("intake.media.duplicate", "ru"))
    forwarded = _vk_photo(desk, "photo501_77", make_photo(seed=1, side=800))
    other = _vk_photo(desk, "photo501_770_aaa", make_photo(seed=2))  # another photo, a similar id
    replies = desk.handle(replace(desk.message(PEER), attachments=(forwarded, other, quoted)))
    assert "фото получено: 1. Всего фото: 2" in replies[-1].text
    assert _photo_refs(desk) == ["photo501_77_aaa", "photo501_770_aaa"]
    assert len(desk.downloader.fetched) == 2  # a known photo is not even downloaded again


def _handle_noting_sql(desk: Desk, msg: InboundMessage) -> tuple[list[Reply], list[str]]:
    """The replies, and the SQL statements sent while the message was handled."""
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.lstrip())

    event.listen(desk.engine, "before_cursor_execute", note)
    try:
        replies = desk.handle(msg)
    finally:
        event.remove(desk.engine, "before_cursor_execute", note)
    return replies, statements


def _file_reads(statements: list[str]) -> int:
    return sum(s.startswith("SELECT") and "FROM wl_file" in s for s in statements)


def test_an_album_is_checked_against_the_order_with_one_read_however_many_photos(desk: Desk) -> None:
    one, many = PEER, PEER + 1
    for peer in (one, many):
        for text in ("Здравствуйте", "да", "Анна", "мама"):
            desk.send(peer, text)
    single = _vk_photo(desk, "photo501_1_a", make_photo(seed=1))
    replies, for_one = _handle_noting_sql(desk, replace(desk.message(one), attachments=(single,)))
    assert "фото получено: 1" in replies[-1].text
    album = [_vk_photo(desk, f"photo502_{n}_a", make_photo(seed=n)) for n in range(1, 11)]
    again = _vk_photo(desk, "photo502_1_b", make_photo(seed=1, side=700))  # the album repeats its first
    replies, for_ten = _handle_noting_sql(desk, replace(desk.message(many), attachments=(*album, again)))
    assert "фото получено: 10. Всего фото: 10" in replies[-1].text
    assert _file_reads(for_ten) == _file_reads(for_one)


def test_an_album_before_consent_is_kept_in_one_statement_and_adopted_in_its_order(desk: Desk) -> None:
    album = [_vk_photo(desk, f"photo501_{n}_a", make_photo(seed=n)) for n in range(10, 0, -1)]
    _, statements = _handle_noting_sql(
        desk, replace(desk.message(PEER, "Здравствуйте"), attachments=tuple(album))
    )
    assert sum(s.startswith("INSERT INTO wl_pending_attachment") for s in statements) == 1
    replies = desk.send(PEER, "да")
    assert "фото получено: 10. Всего фото: 10" in replies[-1].text
    assert _photo_refs(desk) == [a.vk_ref for a in album]


def test_a_photo_sent_and_forwarded_before_consent_is_adopted_once(desk: Desk) -> None:
    own = _vk_photo(desk, "photo501_5_k1", make_photo(seed=3))
    again = _vk_photo(desk, "photo501_5_k2", make_photo(seed=3, side=700))
    desk.handle(replace(desk.message(PEER, "Здравствуйте"), attachments=(own,)))
    desk.handle(replace(desk.message(PEER, "вот оно ещё раз"), attachments=(again,)))
    replies = desk.send(PEER, "да")
    assert "фото получено: 1. Всего фото: 1" in replies[-1].text
    assert _photo_refs(desk) == ["photo501_5_k1"]


def test_a_first_message_that_is_a_command_still_names_what_was_kept(desk: Desk) -> None:
    [reply] = desk.handle(replace(desk.message(PEER, "цена"), attachments=OTHERS[:1]))
    assert reply.text.endswith("Спасибо, видео мы сохранили для автора роликов.")
