"""What is hidden is kept, restorable and counted; her corrections are labels; threats stay as evidence."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from moderation.actions import BanUser, DeleteComment, DeleteMessage, RestoreComment, item_id_from_key
from moderation.bans import accept, check_repeat_offender, dismiss, list_proposals
from moderation.classifier import Classification, Signal
from moderation.evidence import (
    erase_texts,
    evidence_count,
    evidence_source_keys,
    export_threats,
    write_csv,
    write_json,
)
from moderation.models import MAX_TEXT, ModBanProposal, ModItem, ModLabel
from moderation.policy import Verdict
from moderation.records import (
    effects_for_new_item,
    hidden_source_keys,
    is_hidden,
    manual_removal_list,
    note_absent,
    record_verdict,
    record_with_effects,
    review_source_keys,
)
from moderation.review import confirm, daily_digest, hide, list_items, quarantine_summary, restore, reveal_one
from moderation.settings import ModerationSettings
from moderation.subject import Subject
from tests.db_fixtures import db_url, engine  # noqa: F401
from vkbot.adapters.moderation import effect_request, report_outcome, verdict_requests

GROUP = 77
TROLL = 9001
RELATIVE = 501
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
INSULT = "ты бездарная дура"
THREAT = "Я знаю где ты живёшь, приду и сожгу твой дом. 20.11, подъезд 3"


def _verdict(status: str, *categories: str, urgent: bool = False) -> Verdict:
    evidence = status != "ok" and any(c in ("threat", "death_wish") for c in categories)
    reasons = tuple(f"rule:{c}" for c in categories)
    return Verdict(status, tuple(categories), reasons, urgent, answer=False, evidence=evidence)  # type: ignore[arg-type]


def _signals(*categories: str) -> Classification:
    return Classification(tuple(Signal(c, "rules", 0.9, f"{c}_root") for c in categories))


def _comment(
    session: Session,
    n: int,
    *,
    text: str = INSULT,
    category: str = "insult",
    at: datetime = T0,
    author: int = TROLL,
    status: str = "quarantined",
) -> ModItem:
    subject = Subject.comment(f"evt:c{n}", author, post_id=10, comment_id=100 + n, text=text)
    return record_verdict(session, subject, _verdict(status, category), _signals(category), at)


def _message(
    session: Session,
    n: int,
    *,
    text: str,
    status: str,
    category: str,
    peer: int = RELATIVE,
    at: datetime = T0,
    urgent: bool = False,
) -> ModItem:
    subject = Subject.message(f"evt:m{n}", peer, peer_id=peer, cmid=40 + n, text=text)
    return record_verdict(session, subject, _verdict(status, category, urgent=urgent), _signals(category), at)


@pytest.fixture
def session(engine: Engine):  # noqa: F811
    with Session(engine) as s:
        yield s


def test_an_event_replayed_is_one_item_and_its_removal_is_decided_once(session: Session) -> None:
    settings = ModerationSettings()
    first = _comment(session, 1)
    effects = effects_for_new_item(session, first, settings, group_id=GROUP, at=T0)
    session.commit()
    again = _comment(session, 1, text="something else entirely")
    assert again.id == first.id and again.text == INSULT
    assert effects_for_new_item(session, again, settings, group_id=GROUP, at=T0) == []
    assert effects == [DeleteComment(owner_id=-GROUP, comment_id=101, key=f"mod:delete:{first.id}:0")]
    assert item_id_from_key(effects[0].key) == first.id
    assert len(session.exec(select(ModItem)).all()) == 1


def test_a_batch_that_noted_its_keys_absent_still_records_each_event_once(session: Session) -> None:
    """``note_absent`` before a batch: an event with an item already stored keeps it; an event noted
    without one is written once, and recorded again in the same transaction (a replay) finds it."""
    settings = ModerationSettings()
    stored = _comment(session, 1)
    effects_for_new_item(session, stored, settings, group_id=GROUP, at=T0)
    session.commit()

    def record(n: int) -> list[object]:
        subject = Subject.comment(f"evt:c{n}", TROLL, post_id=10, comment_id=100 + n, text=INSULT)
        verdict, signals = _verdict("quarantined", "insult"), _signals("insult")
        effects = record_with_effects(
            session, subject, verdict, signals, T0, settings=settings, group_id=GROUP
        )
        return list(effects)

    note_absent(session, ["evt:c1", "evt:c2"])
    assert record(1) == []  # stored before: its removal was decided then
    first = record(2)
    assert record(2) == []
    session.commit()
    items = session.exec(select(ModItem).order_by(col(ModItem.id))).all()
    assert [item.source_key for item in items] == ["evt:c1", "evt:c2"]
    assert first == [DeleteComment(owner_id=-GROUP, comment_id=102, key=f"mod:delete:{items[1].id}:0")]
    assert stored.id == items[0].id


def test_a_later_ml_verdict_raises_a_flag_to_quarantine_but_never_lowers_it(session: Session) -> None:
    item = _message(session, 1, text="ну ты и …", status="flagged", category="insult")
    assert not is_hidden(session, "evt:m1")
    _message(session, 1, text="ну ты и …", status="quarantined", category="insult")
    assert item.status == "quarantined" and is_hidden(session, "evt:m1")
    _message(session, 1, text="ну ты и …", status="flagged", category="insult")
    assert item.status == "quarantined"


def test_a_stranger_cannot_fill_the_database_with_one_message(session: Session) -> None:
    item = _comment(session, 1, text="х" * (MAX_TEXT * 3))
    assert len(item.text) == MAX_TEXT and item.text_truncated


def test_the_inbox_learns_which_messages_to_leave_out(session: Session) -> None:
    _message(session, 1, text="мразь", status="quarantined", category="insult", peer=TROLL)
    _message(session, 2, text="Мой сын погиб, проклятая война", status="flagged", category="obscene")
    keys = hidden_source_keys(session, ["evt:m1", "evt:m2", "evt:unknown"])
    assert keys == {"evt:m1"}


def test_a_quarantined_private_message_leaves_the_vk_inbox_only_when_she_turned_that_on(
    session: Session,
) -> None:
    item = _message(session, 1, text="мразь", status="quarantined", category="insult", peer=TROLL)
    assert effects_for_new_item(session, item, ModerationSettings(), group_id=GROUP, at=T0) == []
    item2 = _message(session, 2, text="мразь", status="quarantined", category="insult", peer=TROLL)
    on = ModerationSettings(delete_quarantined_from_vk_inbox=True)
    (effect,) = effects_for_new_item(session, item2, on, group_id=GROUP, at=T0)
    assert effect == DeleteMessage(peer_id=TROLL, cmid=42, key=f"mod:delete:{item2.id}:0")
    request = effect_request(effect, GROUP)
    assert (request.method, dict(request.params)) == (
        "messages.delete",
        {"peer_id": TROLL, "cmids": "42", "delete_for_all": 0},
    )


def test_a_third_hidden_comment_in_a_month_proposes_one_ban(session: Session) -> None:
    settings = ModerationSettings(repeat_offender_count=3, repeat_offender_days=30)
    produced = []
    for n, days in enumerate((0, 10, 20, 25)):
        item = _comment(session, n, at=T0 + timedelta(days=days))
        produced += effects_for_new_item(session, item, settings, group_id=GROUP, at=item.created_at)
    assert not any(isinstance(e, BanUser) for e in produced)  # the founder decides
    (proposal,) = list_proposals(session)
    assert proposal.author_id == TROLL and len(proposal.item_ids) == 4  # the fourth joined the open one
    ban = accept(session, proposal.id or 0, T0 + timedelta(days=26))
    assert ban.user_id == TROLL and ban.end_date == T0 + timedelta(days=56)
    request = effect_request(ban, GROUP)
    assert request.method == "groups.ban"
    assert request.params["group_id"] == GROUP and request.params["owner_id"] == TROLL
    assert request.params["end_date"] == int((T0 + timedelta(days=56)).timestamp())
    assert request.params["reason"] == 2


def test_hidden_items_spread_over_more_than_the_window_propose_nothing(session: Session) -> None:
    settings = ModerationSettings(repeat_offender_count=3, repeat_offender_days=7)
    for n, days in enumerate((0, 8, 16)):
        item = _comment(session, n, at=T0 + timedelta(days=days))
        effects_for_new_item(session, item, settings, group_id=GROUP, at=item.created_at)
    assert list_proposals(session) == []


def test_with_auto_ban_the_third_comment_bans_at_once(session: Session) -> None:
    settings = ModerationSettings(repeat_offender_count=3, auto_ban=True, ban_days=7)
    effects = []
    for n in range(3):
        item = _comment(session, n, at=T0 + timedelta(hours=n))
        effects = effects_for_new_item(session, item, settings, group_id=GROUP, at=item.created_at)
    assert isinstance(effects[-1], BanUser)
    assert effects[-1].end_date == T0 + timedelta(hours=2, days=7)
    (proposal,) = list_proposals(session, status="accepted")
    report_outcome(session, effects[-1].key, done=True)
    assert proposal.status == "banned"


def test_a_dismissed_proposal_needs_a_fresh_series_before_the_next(session: Session) -> None:
    settings = ModerationSettings(repeat_offender_count=2)
    for n in range(2):
        item = _comment(session, n, at=T0 + timedelta(hours=n))
        effects_for_new_item(session, item, settings, group_id=GROUP, at=item.created_at)
    (proposal,) = list_proposals(session)
    dismiss(session, proposal.id or 0, T0 + timedelta(hours=3))
    third = _comment(session, 3, at=T0 + timedelta(hours=4))
    assert check_repeat_offender(session, TROLL, settings, third.created_at) is None
    fourth = _comment(session, 4, at=T0 + timedelta(hours=5))
    assert check_repeat_offender(session, TROLL, settings, fourth.created_at) is not None


def test_restoring_a_comment_hidden_by_mistake_puts_it_back_and_keeps_a_label(session: Session) -> None:
    settings = ModerationSettings()
    item = _comment(session, 1, text="Сука, как же больно смотреть. Светлая память", category="obscene")
    (delete,) = effects_for_new_item(session, item, settings, group_id=GROUP, at=T0)
    report_outcome(session, delete.key, done=True)
    effects = restore(session, item.id or 0, "assistant:olga", T0 + timedelta(hours=1), group_id=GROUP)
    (label,) = session.exec(select(ModLabel)).all()
    assert effects == [
        RestoreComment(owner_id=-GROUP, comment_id=101, key=f"mod:restore:{item.id}:{label.id}")
    ]
    assert effect_request(effects[0], GROUP).method == "wall.restoreComment"
    assert (label.label, label.by, label.text) == ("not_abusive", "assistant:olga", item.text)
    assert label.verdict["status"] == "quarantined" and label.scores[0]["category"] == "obscene"
    assert item.status == "restored" and not is_hidden(session, item.source_key)


def test_a_comment_never_removed_is_not_restored_on_vk(session: Session) -> None:
    item = _comment(session, 1)
    (delete,) = effects_for_new_item(session, item, ModerationSettings(), group_id=GROUP, at=T0)
    report_outcome(session, delete.key, done=False, reason="no admin user token")
    assert [i.id for i in manual_removal_list(session)] == [item.id]
    assert manual_removal_list(session)[0].removal_note == "no admin user token"
    assert restore(session, item.id or 0, "founder", T0, group_id=GROUP) == []
    assert manual_removal_list(session) == []


def test_hiding_a_shown_comment_labels_it_and_removes_it_with_a_fresh_key(session: Session) -> None:
    item = _comment(session, 1, status="flagged")
    effects = hide(
        session, item_id=item.id, by="founder", at=T0, settings=ModerationSettings(), group_id=GROUP
    )
    (label,) = session.exec(select(ModLabel)).all()
    assert label.label == "abusive" and label.verdict["status"] == "flagged"
    assert item.status == "hidden_by_founder" and is_hidden(session, "evt:c1")
    assert effects == [DeleteComment(owner_id=-GROUP, comment_id=101, key=f"mod:delete:{item.id}:{label.id}")]


def test_confirming_stores_an_abusive_label_and_keeps_it_hidden(session: Session) -> None:
    item = _comment(session, 1)
    label = confirm(session, item.id or 0, "founder", T0)
    assert label.label == "abusive" and item.status == "quarantined" and item.reviewed_by == "founder"


def test_the_summary_counts_by_day_and_reason_and_never_holds_a_word(session: Session) -> None:
    _comment(session, 1, at=T0)
    _comment(session, 2, at=T0 + timedelta(days=1), text=THREAT, category="threat")
    _message(session, 3, text="Мой сын погиб", status="flagged", category="obscene", at=T0)
    summary = quarantine_summary(session, days=3, now=T0 + timedelta(days=2))
    assert summary["hidden"] == 2
    assert [d["by_category"] for d in summary["days"]] == [{"insult": 1}, {"threat": 1}, {}]
    dumped = json.dumps(summary, ensure_ascii=False)
    assert "дура" not in dumped and "сожгу" not in dumped
    assert all("text" not in row for row in list_items(session, show_text=False))
    assert [row["text"] for row in list_items(session, show_text=True, category="threat")] == [THREAT]


def test_the_daily_digest_is_counts_first_and_no_abusive_text(session: Session) -> None:
    _comment(session, 1)
    _comment(session, 2, text=THREAT, category="threat")
    _message(session, 3, text="не хочу жить без него", status="flagged", category="self_harm", urgent=True)
    digest = daily_digest(session, date(2026, 11, 20), lang="ru")
    assert "Скрыто: 2" in digest and "угроза: 1" in digest and "оскорбление: 1" in digest
    assert "Нужна поддержка" in digest
    assert "дура" not in digest and "сожгу" not in digest and "жить" not in digest


def test_one_item_is_revealed_with_its_category_before_its_text(session: Session) -> None:
    item = _comment(session, 1, text=THREAT, category="threat")
    revealed = reveal_one(session, item.id or 0, "en")
    assert revealed.category == "threat" and revealed.text == THREAT
    fields = list(revealed.__slots__)  # type: ignore[attr-defined]
    assert fields.index("category") < fields.index("text")


def test_a_threat_is_exported_for_the_police_exactly_with_its_metadata(session: Session) -> None:
    item = _comment(session, 1, text=THREAT, category="threat", at=T0)
    _comment(session, 2)  # an insult is not for the police
    death_wish = _message(session, 3, text="сдохни", status="quarantined", category="death_wish", peer=TROLL)
    rows = export_threats(session, "threat", group_id=GROUP)
    assert [r["item_id"] for r in rows] == [item.id, death_wish.id]
    first = rows[0]
    assert first["text"] == THREAT and first["author_id"] == TROLL
    assert first["at_utc"] == "2026-11-20T09:00:00+00:00"
    assert first["conversation"] == f"https://vk.com/wall-{GROUP}_10?reply=101"
    out = io.StringIO()
    write_csv(rows, out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert parsed[0]["text"] == THREAT and parsed[1]["peer_id"] == str(TROLL)
    out = io.StringIO()
    write_json(rows, out)
    assert json.loads(out.getvalue())[0]["text"] == THREAT


def test_delete_my_data_blanks_texts_but_keeps_threats_as_evidence(session: Session) -> None:
    threat = _message(session, 1, text=THREAT, status="quarantined", category="threat", peer=TROLL)
    insult = _message(session, 2, text=INSULT, status="quarantined", category="insult", peer=TROLL)
    confirm(session, insult.id or 0, "founder", T0)
    assert evidence_count(session, TROLL) == 1
    assert evidence_source_keys(session, TROLL) == {threat.source_key}
    assert erase_texts(session, TROLL, T0) == 1
    assert threat.text == THREAT and insult.text == "" and insult.text_erased_at == T0
    assert session.exec(select(ModLabel)).one().text == ""
    assert erase_texts(session, TROLL, T0) == 0


def test_restoring_an_item_takes_it_out_of_an_open_ban_proposal(session: Session) -> None:
    settings = ModerationSettings(repeat_offender_count=2)
    items = []
    for n in range(2):
        items.append(_comment(session, n, at=T0 + timedelta(hours=n)))
        effects_for_new_item(session, items[-1], settings, group_id=GROUP, at=items[-1].created_at)
    restore(session, items[0].id or 0, "founder", T0 + timedelta(hours=3), group_id=GROUP)
    proposal = session.exec(select(ModBanProposal)).one()
    assert proposal.item_ids == [items[1].id]


def test_the_pipeline_call_copies_nothing_of_an_ok_message_and_queues_a_hidden_comments_removal(
    session: Session,
) -> None:
    where = {"settings": ModerationSettings(), "group_id": GROUP}
    relative = Subject.message("evt:1", RELATIVE, RELATIVE, None, "Здравствуйте, мой сын погиб в мае")
    ok = verdict_requests(session, relative, _verdict("ok"), _signals(), T0, **where)
    assert ok == [] and session.exec(select(ModItem)).all() == []
    troll = Subject.comment("evt:2", TROLL, post_id=10, comment_id=7, text=INSULT)
    (request,) = verdict_requests(session, troll, _verdict("quarantined", "insult"), _signals(), T0, **where)
    assert (request.method, dict(request.params)) == (
        "wall.deleteComment",
        {"owner_id": -GROUP, "comment_id": 7},
    )


def test_every_quarantine_text_exists_in_each_language() -> None:
    import tomllib
    from pathlib import Path

    def flat(tree: dict, prefix: str = "") -> set[str]:  # type: ignore[type-arg]
        return {
            name
            for key, value in tree.items()
            for name in (flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}"})
        }

    locales = Path(__file__).resolve().parents[1] / "i18n" / "locales"
    ru, uk, en = (
        flat(tomllib.loads((locales / lang / "quarantine.toml").read_text("utf-8"))) for lang in LANGS
    )
    assert ru == uk == en and "quarantine.digest.hidden" in ru


LANGS = ("ru", "uk", "en")


def test_an_outcome_for_a_vanished_record_does_not_stop_the_sender(session: Session) -> None:
    assert report_outcome(session, "mod:delete:424242:0", done=False, reason="no admin user token")
    assert report_outcome(session, "mod:ban:424242", done=True)
    assert not report_outcome(session, "evt:5:reply:0", done=True)  # not moderation's row


@pytest.mark.parametrize(
    ("channel", "status", "settings"),
    [
        ("comment", "quarantined", ModerationSettings()),
        ("message", "quarantined", ModerationSettings()),
        ("message", "quarantined", ModerationSettings(delete_quarantined_from_vk_inbox=True)),
        ("message", "flagged", ModerationSettings()),
        ("comment", "quarantined", ModerationSettings(repeat_offender_count=2, auto_ban=True)),
    ],
)
def test_record_with_effects_is_record_verdict_then_effects_for_new_item(
    engine: Engine,  # noqa: F811
    channel: str,
    status: str,
    settings: ModerationSettings,
) -> None:
    def run(session: Session, n: int, two_steps: bool) -> list[object]:
        subject = (
            Subject.message(f"evt:{n}", TROLL, TROLL, cmid=40 + n, text=INSULT)
            if channel == "message"
            else Subject.comment(f"evt:{n}", TROLL, post_id=7, comment_id=100 + n, text=INSULT)
        )
        verdict, at = _verdict(status, "insult"), T0 + timedelta(hours=n)
        if two_steps:
            item = record_verdict(session, subject, verdict, _signals("insult"), at)
            return list(effects_for_new_item(session, item, settings, group_id=GROUP, at=item.created_at))
        return list(
            record_with_effects(
                session, subject, verdict, _signals("insult"), at, settings=settings, group_id=GROUP
            )
        )

    outcomes = []
    for two_steps in (True, False):
        with Session(engine) as session:
            produced = [run(session, n, two_steps) for n in (1, 2, 3)]
            produced.append(run(session, 2, two_steps))  # a replay enqueues nothing again
            rows = session.exec(select(ModItem).order_by(col(ModItem.id))).all()
            proposals = session.exec(select(ModBanProposal).order_by(col(ModBanProposal.id))).all()
            # Ids as positions: PostgreSQL does not give sequence numbers back on rollback.
            item_ids = {i.id: n for n, i in enumerate(rows)}
            proposal_ids = {p.id: n for n, p in enumerate(proposals)}
            keys = {f"mod:delete:{i}:0": f"delete:{n}" for i, n in item_ids.items()}
            keys |= {f"mod:ban:{i}": f"ban:{n}" for i, n in proposal_ids.items()}
            outcomes.append(
                (
                    [[replace(e, key=keys[e.key]) for e in effects] for effects in produced],  # type: ignore[type-var]
                    [i.model_dump(exclude={"id"}) for i in rows],  # every column, as stored
                    [([item_ids[i] for i in p.item_ids], p.status) for p in proposals],
                )
            )
            session.rollback()
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0][3] == []


def test_a_flag_written_in_a_batch_is_seen_raised_and_taken_back_like_any_item(session: Session) -> None:
    """A new flag (nothing follows from it) is written at once: the review lists and a later, stronger
    verdict in the same transaction find it, and a rolled-back savepoint takes it back."""
    settings = ModerationSettings()

    def record(n: int, status: str) -> list[object]:
        subject = Subject.comment(f"evt:c{n}", TROLL, post_id=10, comment_id=100 + n, text=INSULT)
        return list(
            record_with_effects(
                session,
                subject,
                _verdict(status, "insult"),
                _signals("insult"),
                T0,
                settings=settings,
                group_id=GROUP,
            )
        )

    note_absent(session, ["evt:c1", "evt:c2", "evt:c3"])
    assert record(1, "flagged") == []
    assert review_source_keys(session, ["evt:c1", "evt:c2"]) == {"evt:c1"}
    assert record(1, "flagged") == []  # a replay finds it
    raised = record(1, "quarantined")  # a later Detoxify verdict raises it
    item = session.exec(select(ModItem).where(ModItem.source_key == "evt:c1")).one()
    assert raised == [DeleteComment(owner_id=-GROUP, comment_id=101, key=f"mod:delete:{item.id}:0")]
    assert (item.status, item.removal_state) == ("quarantined", "pending")
    savepoint = session.begin_nested()
    assert record(2, "flagged") == []
    savepoint.rollback()
    assert record(3, "flagged") == []
    session.commit()
    assert [i.source_key for i in session.exec(select(ModItem).order_by(col(ModItem.id)))] == [
        "evt:c1",
        "evt:c3",
    ]
    assert review_source_keys(session, ["evt:c1", "evt:c2", "evt:c3"]) == {"evt:c3"}
