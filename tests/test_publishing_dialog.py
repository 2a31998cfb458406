"""The family's answers reach publishing through the real pipeline: buttons and words, before the intake."""
# ruff: noqa: F811

from __future__ import annotations

import json

from sqlmodel import Session, select

from publishing import PubPost, plan
from tests.feeding import Fed, fed  # noqa: F401
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import enqueue
from vkbot.effects.publisher import effect_requests
from waitlist.consent import set_publication
from waitlist.models import WlConsent, WlOrder
from waitlist.settings import WaitlistSettings

FAMILY = 3101


def delivered_and_asked(fed: Fed, peer: int = FAMILY) -> OutboxRow:
    """A delivered clip whose family allowed publication, and the planner's question in the outbox."""
    now = fed.clock.now()
    with Session(fed.engine) as session:
        order = WlOrder(
            status="delivered",
            peer_id=peer,
            number=7,
            subject_name="Мой папа, Николай Петрович Иванов",
            clip_file_id="cd" * 32,
            created_at=now,
            updated_at=now,
            delivered_at=now,
        )
        session.add(order)
        session.flush()
        set_publication(session, order, True, "ru", WaitlistSettings(), now)
        effects = plan(session, fed.pipeline.config.publishing, fed.clock)
        enqueue(session, effect_requests(effects, 77), now=fed.clock.now())
        session.commit()
    with Session(fed.engine) as session:
        return session.exec(select(OutboxRow).where(OutboxRow.peer_id == peer)).one()


def test_the_question_carries_the_exact_caption_and_five_buttons(fed: Fed) -> None:
    ask = delivered_and_asked(fed)
    assert "Светлая память, Николай Петрович Иванов." in ask.params["message"]
    keyboard = json.loads(ask.params["keyboard"])
    payloads = [json.loads(b["action"]["payload"])["pub"] for row in keyboard["buttons"] for b in row]
    assert payloads == ["yes", "closed", "edit", "date", "no"]


def test_written_answers_change_the_text_and_are_not_taken_for_the_intake(fed: Fed) -> None:
    delivered_and_asked(fed)
    [prompt] = fed.write(FAMILY, "Изменить текст")
    assert "текст подписи" in prompt
    own = "Папа, ты всегда с нами. Николай Петрович Иванов (1950–2026)."
    [done] = fed.write(FAMILY, own)
    assert "Пост выйдет" in done
    with Session(fed.engine) as session:
        post = session.exec(select(PubPost)).one()
        entry = session.exec(select(WlConsent).where(WlConsent.kind == "post_approval")).one()
    assert (post.status, post.caption, entry.wording) == ("queued", own, own)


def test_a_button_press_declines_and_the_spinner_is_answered(fed: Fed) -> None:
    delivered_and_asked(fed)
    with Session(fed.engine) as session:
        post_id = session.exec(select(PubPost)).one().id
    rows = fed(fed.updates.button(FAMILY, {"pub": "no", "post": post_id}))
    assert rows[0].method == "messages.sendMessageEventAnswer"
    assert any("не будет опубликован" in r.params.get("message", "") for r in rows[1:])
    with Session(fed.engine) as session:
        assert session.exec(select(PubPost)).one().status == "declined"


def test_words_of_despair_still_reach_the_dialog_while_a_question_is_open(fed: Fed) -> None:
    delivered_and_asked(fed)
    replies = fed.write(FAMILY, "Папы нет, я не хочу больше жить")
    assert any(fed.pipeline.config.moderation.support_line in t for t in replies)
    with Session(fed.engine) as session:
        assert session.exec(select(PubPost)).one().status == "awaiting"


def test_do_not_publish_after_approving_cancels_the_scheduled_post(fed: Fed) -> None:
    delivered_and_asked(fed)
    fed.write(FAMILY, "Опубликовать так")
    fed.write(FAMILY, "не публиковать")  # as the approval's answer says: the intake's revocation
    with Session(fed.engine) as session:
        effects = plan(session, fed.pipeline.config.publishing, fed.clock)
        session.commit()
        post = session.exec(select(PubPost)).one()
    assert post.status == "withdrawn"
    assert [e.text for e in effects if hasattr(e, "text") and "отменена" in e.text]


def test_after_declining_may_publish_asks_the_family_again(fed: Fed) -> None:
    delivered_and_asked(fed)
    fed.write(FAMILY, "Не публиковать")
    fed.write(FAMILY, "можно публиковать")
    with Session(fed.engine) as session:
        effects = plan(session, fed.pipeline.config.publishing, fed.clock)
        session.commit()
        statuses = [p.status for p in session.exec(select(PubPost).order_by(PubPost.id))]  # type: ignore[arg-type]
    assert statuses == ["withdrawn", "awaiting"]
    assert any(
        "Опубликовать так" in json.dumps(getattr(e, "keyboard", None), default=str, ensure_ascii=False)
        for e in effects
    )
