"""The founder reviews the quarantine from the command line: counts first, and what she decides reaches VK."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from moderation.actions import BanUser, Effect
from moderation.classifier import Classification, Signal
from moderation.models import ModItem, ModLabel
from moderation.policy import Verdict
from moderation.records import effects_for_new_item, record_verdict
from moderation.review import restore
from moderation.settings import ModerationSettings
from moderation.subject import Subject
from tests.conftest import SANDBOX_GROUP_ID, VkCall
from vkbot.adapters.moderation import effect_request, report_outcome
from vkbot.cli import main
from vkbot.core.store.db import make_engine, migrate
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.sandbox import SandboxControl

GROUP = 77
TROLL = 9001
INSULT = "ты бездарная дура"
THREAT = "Я знаю где ты живёшь, приду и сожгу твой дом"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("VKBOT_STORAGE__DATABASE_URL", url)
    monkeypatch.setenv("VKBOT_VK__GROUP_ID", str(GROUP))
    monkeypatch.setenv("VKBOT_MODERATION__REPEAT_OFFENDER_COUNT", "2")
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


def _hidden_comment(engine: Engine, n: int, text: str, category: str, *, removed: bool = True) -> int:
    """A comment the filter hid, as the pipeline leaves it (its removal reported by the outbox)."""
    now = datetime.now(UTC) - timedelta(seconds=10 - n)
    verdict = Verdict("quarantined", (category,), (f"rule:{category}",), False, False, category == "threat")
    with Session(engine) as session:
        subject = Subject.comment(f"evt:{n}", TROLL, post_id=5, comment_id=50 + n, text=text)
        signals = Classification((Signal(category, "rules", 0.9, category),))
        item = record_verdict(session, subject, verdict, signals, now)
        settings = ModerationSettings(repeat_offender_count=2)
        effects = effects_for_new_item(session, item, settings, group_id=GROUP, at=now)
        report_outcome(
            session, effects[0].key, done=removed, reason=None if removed else "no admin user token"
        )
        session.commit()
        assert item.id is not None
        return item.id


def _outbox(engine: Engine) -> list[OutboxRow]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxRow).order_by(OutboxRow.id)))  # type: ignore[arg-type]


def _json_out(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_the_list_shows_counts_and_ids_but_no_words_unless_asked(db: Engine, capsys) -> None:
    first = _hidden_comment(db, 1, INSULT, "insult")
    _hidden_comment(db, 2, THREAT, "threat")
    assert main(["quarantine", "list"]) == 0
    out = capsys.readouterr().out
    assert "hidden in the last 7 days: 2" in out and "insult 1" in out and "threat 1" in out
    assert "дура" not in out and "сожгу" not in out
    assert main(["quarantine", "list", "--json"]) == 0
    listing = _json_out(capsys)
    assert isinstance(listing, dict)
    assert [row["id"] for row in listing["items"]][-1] == first
    assert "дура" not in json.dumps(listing, ensure_ascii=False)
    assert main(["quarantine", "list", "--show", "--json"]) == 0
    shown = _json_out(capsys)
    assert isinstance(shown, dict) and {row["text"] for row in shown["items"]} == {INSULT, THREAT}


def test_showing_one_item_names_its_category_before_its_text(db: Engine, capsys) -> None:
    item = _hidden_comment(db, 1, THREAT, "threat")
    assert main(["quarantine", "show", str(item), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.index("Category: threat") < out.index(THREAT)


def test_restoring_a_comment_queues_its_return_to_the_wall_and_labels_it(db: Engine, capsys) -> None:
    item = _hidden_comment(db, 1, "Сука-война забрала сына", "obscene")
    assert main(["quarantine", "restore", str(item), "--by", "assistant:olga"]) == 0
    (row,) = [r for r in _outbox(db) if r.method == "wall.restoreComment"]
    assert row.params == {"owner_id": -GROUP, "comment_id": 51}
    with Session(db) as session:
        label = session.exec(select(ModLabel)).one()
        assert (label.label, label.by) == ("not_abusive", "assistant:olga")
        stored = session.get(ModItem, item)
        assert stored is not None and stored.status == "restored"
    assert main(["quarantine", "restore", str(item)]) == 2  # already back: said so, nothing queued twice
    assert len([r for r in _outbox(db) if r.method == "wall.restoreComment"]) == 1


def test_confirming_keeps_it_hidden_with_an_abusive_label(db: Engine, capsys) -> None:
    item = _hidden_comment(db, 1, INSULT, "insult")
    assert main(["quarantine", "confirm", str(item)]) == 0
    with Session(db) as session:
        assert session.exec(select(ModLabel.label)).one() == "abusive"
        stored = session.get(ModItem, item)
        assert stored is not None and stored.status == "quarantined"
    assert _outbox(db) == []


def test_an_unknown_id_is_one_plain_line(db: Engine, capsys) -> None:
    assert main(["quarantine", "restore", "999"]) == 1
    assert "999" in capsys.readouterr().err


def test_comments_that_could_not_be_removed_are_listed_for_removal_by_hand(db: Engine, capsys) -> None:
    item = _hidden_comment(db, 1, INSULT, "insult", removed=False)
    assert main(["quarantine", "removals", "--json"]) == 0
    (row,) = _json_out(capsys)  # type: ignore[misc]
    assert row["id"] == item and row["link"] == f"https://vk.com/wall-{GROUP}_5?reply=51"
    assert row["reason"] == "no admin user token" and "text" not in row
    assert main(["quarantine", "removed", str(item)]) == 0
    assert main(["quarantine", "removals", "--json"]) == 0
    assert _json_out(capsys) == []


def test_threats_export_for_the_police_as_json_and_csv(db: Engine, tmp_path: Path, capsys) -> None:
    threat = _hidden_comment(db, 1, THREAT, "threat")
    _hidden_comment(db, 2, INSULT, "insult")
    out = tmp_path / "threats.json"
    assert main(["quarantine", "export", "--category", "threat", "--out", str(out)]) == 0
    (row,) = json.loads(out.read_text(encoding="utf-8"))
    assert row["item_id"] == threat and row["text"] == THREAT and row["author_id"] == TROLL
    assert row["at_utc"].endswith("+00:00") and row["conversation"].startswith(
        f"https://vk.com/wall-{GROUP}_5"
    )
    csv_out = tmp_path / "threats.csv"
    assert main(["quarantine", "export", "--format", "csv", "--out", str(csv_out)]) == 0
    with csv_out.open(encoding="utf-8", newline="") as f:
        assert [r["text"] for r in csv.DictReader(f)] == [THREAT]


def test_a_repeat_offender_is_proposed_and_her_accept_queues_the_ban(db: Engine, capsys) -> None:
    _hidden_comment(db, 1, INSULT, "insult")
    _hidden_comment(db, 2, INSULT, "insult")
    assert main(["bans", "list", "--json"]) == 0
    (proposal,) = _json_out(capsys)  # type: ignore[misc]
    assert proposal["author_id"] == TROLL and proposal["items"] == 2
    assert main(["bans", "accept", str(proposal["id"]), "--json"]) == 0
    (ban,) = [r for r in _outbox(db) if r.method == "groups.ban"]
    assert ban.params["group_id"] == GROUP and ban.params["owner_id"] == TROLL
    days = (datetime.fromtimestamp(ban.params["end_date"], UTC) - datetime.now(UTC)).days
    assert 29 <= days <= 30  # ban_days default
    assert main(["bans", "list", "--json"]) == 0
    assert _json_out(capsys) == []


def test_a_dismissed_proposal_queues_nothing(db: Engine, capsys) -> None:
    _hidden_comment(db, 1, INSULT, "insult")
    _hidden_comment(db, 2, INSULT, "insult")
    assert main(["bans", "list", "--json"]) == 0
    (proposal,) = _json_out(capsys)  # type: ignore[misc]
    assert main(["bans", "dismiss", str(proposal["id"])]) == 0
    assert main(["bans", "accept", str(proposal["id"])]) == 2
    assert [r.method for r in _outbox(db)] == []


def test_the_digest_is_counts_only(db: Engine, capsys) -> None:
    _hidden_comment(db, 1, THREAT, "threat")
    assert main(["quarantine", "digest", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Hidden: 1" in out and "threat: 1" in out and "сожгу" not in out


async def test_an_abusive_comment_leaves_the_sandbox_wall_and_comes_back_when_restored(
    sandbox: SandboxControl, vk_call: VkCall, tmp_path: Path
) -> None:
    """The rows moderation queues are calls VK (here the sandbox) accepts, with the admin user token."""
    group = SANDBOX_GROUP_ID
    post = await sandbox.create_post("Светлая память Ивану")
    comment = await sandbox.add_comment(from_id=TROLL, post_id=post["post_id"], text=INSULT)
    token = (await sandbox.mint_user_token())["access_token"]
    engine = make_engine(f"sqlite:///{tmp_path / 'e2e.db'}")
    migrate(engine)

    async def run(effect: Effect) -> None:
        request = effect_request(effect, group)
        answer = await vk_call(request.method, token=token, **request.params)
        assert answer.get("response") == 1, answer

    async def deleted() -> bool:
        (found,) = [c for c in (await sandbox.wall())["comments"] if c["id"] == comment["comment_id"]]
        return bool(found["deleted"])

    with Session(engine) as session:
        verdict = Verdict("quarantined", ("insult",), ("rule:insult",), False, False, False)
        subject = Subject.comment(
            "evt:1", TROLL, post_id=post["post_id"], comment_id=comment["comment_id"], text=INSULT
        )
        signals = Classification((Signal("insult", "rules", 0.9, "insult"),))
        item = record_verdict(session, subject, verdict, signals, datetime.now(UTC))
        settings = ModerationSettings(repeat_offender_count=1, auto_ban=True)
        delete, ban = effects_for_new_item(session, item, settings, group_id=group, at=datetime.now(UTC))
        await run(delete)
        report_outcome(session, delete.key, done=True)
        assert await deleted()

        (restore_comment,) = restore(session, item.id or 0, "founder", datetime.now(UTC), group_id=group)
        await run(restore_comment)
        assert not await deleted()

        assert isinstance(ban, BanUser)
        await run(ban)  # groups.ban with the end date she would have agreed to
    engine.dispose()


def test_she_hides_a_shown_comment_from_her_inbox_by_its_event_key(db: Engine, capsys) -> None:
    raw = {
        "type": "wall_reply_new",
        "event_id": "e1",
        "group_id": GROUP,
        "v": "5.199",
        "object": {"id": 61, "from_id": TROLL, "date": 1_790_000_000, "text": "жуть какая", "post_id": 5},
    }
    with Session(db) as session:
        stored = StoredEvent(type="wall_reply_new", event_id="e1", raw=raw, received_at=datetime.now(UTC))
        session.add(stored)
        session.commit()
        event_id = stored.id
    assert main(["quarantine", "hide", f"evt:{event_id}"]) == 0
    (row,) = _outbox(db)
    assert row.method == "wall.deleteComment" and row.params == {"owner_id": -GROUP, "comment_id": 61}
    with Session(db) as session:
        item = session.exec(select(ModItem)).one()
        assert (item.source_key, item.status, item.text) == (
            f"evt:{event_id}",
            "hidden_by_founder",
            "жуть какая",
        )
        assert session.exec(select(ModLabel.label)).one() == "abusive"
    assert main(["quarantine", "hide", "nonsense"]) == 2
