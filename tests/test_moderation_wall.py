"""Abusive comments leave the wall through the running suite (admin token connected) and come back on
restore; without the token they are listed for removal by hand; the founder's digest holds counts only."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from moderation.models import ModItem
from publishing import PubPost
from tests.app_helpers import eventually, running_app, sandbox_config
from vkbot.auth.secretbox import new_key
from vkbot.cli import main
from vkbot.clock import ManualClock, SystemClock
from vkbot.commands.demo import connect_admin_once
from vkbot.core.store.models import OutboxRow
from vkbot.ops.jobs import digest_once
from waitlist.models import WlOrder

ABUSE = "Ты мерзкая тварь, чтоб ты сдохла"


def _config(sandbox, tmp_path, **vk):
    return sandbox_config(
        sandbox.url,
        f"sqlite:///{tmp_path / 's.db'}",
        tmp_path / "files",
        vk={"app_client_id": "test-app", "redirect_uri": "http://127.0.0.1/cb", **vk},
        auth={"secret_key": new_key()},
    )


def _comment(wall: dict, comment_id: int) -> dict:
    return next(c for c in wall["comments"] if c["id"] == comment_id)


async def test_an_abusive_comment_leaves_the_wall_and_comes_back_on_restore(
    sandbox, tmp_path, monkeypatch
) -> None:
    config = _config(sandbox, tmp_path)
    await connect_admin_once(config, SystemClock())  # the founder signed in through VK ID once
    post = await sandbox.create_post("Вечная память")
    async with running_app(config) as app:
        civil = await sandbox.add_comment(
            from_id=5001, post_id=post["post_id"], text="Ролики жутковатые, но трогают"
        )
        bad = await sandbox.add_comment(from_id=5002, post_id=post["post_id"], text=ABUSE)

        async def removed() -> bool:
            return bool(_comment(await sandbox.wall(), bad["comment_id"]).get("deleted"))

        await eventually(removed)
        assert not _comment(await sandbox.wall(), civil["comment_id"]).get("deleted")
        with Session(app.engine) as session:
            item = session.scalars(select(ModItem).where(ModItem.author_id == 5002)).one()
        # The founder's own config, as `vkbot quarantine restore` reads it.
        monkeypatch.setenv("VKBOT_STORAGE__DATABASE_URL", config.storage.database_url)
        monkeypatch.setenv("VKBOT_VK__GROUP_ID", str(config.vk.group_id))
        assert main(["quarantine", "restore", str(item.id)]) == 0
        app.sender.wake.set()

        async def restored() -> bool:
            return not _comment(await sandbox.wall(), bad["comment_id"]).get("deleted")

        await eventually(restored)


async def test_without_the_admin_token_the_comment_is_listed_for_removal_by_hand(sandbox, tmp_path) -> None:
    config = _config(sandbox, tmp_path)
    post = await sandbox.create_post("Вечная память")
    async with running_app(config) as app:
        bad = await sandbox.add_comment(from_id=5003, post_id=post["post_id"], text=ABUSE)

        def parked() -> bool:
            with Session(app.engine) as session:
                return (
                    session.scalars(select(OutboxRow).where(OutboxRow.status == "parked")).first() is not None
                )

        async def parked_async() -> bool:
            return parked()

        await eventually(parked_async)
    from moderation.records import manual_removal_list

    with Session(app.engine) as session:
        listed = manual_removal_list(session)
        row = session.scalars(select(OutboxRow).where(OutboxRow.status == "parked")).one()
    assert [i.comment_id for i in listed] == [bad["comment_id"]]
    assert "vkbot connect" in (row.last_error or "")
    assert not _comment(await sandbox.wall(), bad["comment_id"]).get("deleted")  # nothing pretended


async def test_the_daily_digest_counts_hidden_items_without_a_word_of_them(sandbox, tmp_path) -> None:
    config = _config(sandbox, tmp_path)
    # The founder allowed messages long ago: before the digest is queued, or the sender (which polls
    # the outbox on its own) may try first, get 901 and rightly give the row up as undeliverable.
    await sandbox.allow(777)
    clock = ManualClock(datetime.now(UTC))  # the suite's: the digest runs the next day on it
    async with running_app(config, clock=clock) as app:
        await sandbox.inject_message(from_id=5004, text=ABUSE)

        def hidden() -> bool:
            with Session(app.engine) as session:
                return session.scalars(select(ModItem)).first() is not None

        async def hidden_async() -> bool:
            return hidden()

        await eventually(hidden_async)
        clock.advance(days=1)
        assert await digest_once(app.engine, 777, clock, "UTC") == 1
        assert await digest_once(app.engine, 777, clock, "UTC") == 0  # once a day
        app.sender.wake.set()

        async def delivered() -> bool:
            return bool(await sandbox.sent(peer_id=777))

        await eventually(delivered)
    [digest] = await sandbox.sent(peer_id=777)
    assert "1" in digest["text"]
    for word in ("тварь", "сдохла", "мерзкая"):
        assert word not in digest["text"]


async def test_under_a_memorial_post_the_learned_scores_review_band_stays_up_marked(
    sandbox, tmp_path
) -> None:
    """Hiding that band there deleted condolences; abuse the rules find is still removed."""
    rude = "Достали уже со своими роликами"  # the learned tier's review band: marked, not hidden
    abuse = "Ты тупая мразь, чтоб ты сдохла"
    config = _config(sandbox, tmp_path)
    await connect_admin_once(config, SystemClock())
    memorial = (await sandbox.create_post("Светлая память"))["post_id"]
    other = (await sandbox.create_post("Новости сообщества"))["post_id"]
    async with running_app(config) as app:
        now = datetime.now(UTC)
        with Session(app.engine) as session:  # the memorial post as the publisher records it
            order = WlOrder(status="delivered", peer_id=7100, created_at=now, updated_at=now)
            session.add(order)
            session.flush()
            session.add(
                PubPost(
                    order_id=order.id,
                    guid="memorial-x",
                    status="posted",
                    caption="Светлая память",
                    file_id="ab" * 32,
                    vk_post_id=memorial,
                    created_at=now,
                    updated_at=now,
                )
            )
            session.commit()
        under_memorial = await sandbox.add_comment(from_id=5101, post_id=memorial, text=rude)
        elsewhere = await sandbox.add_comment(from_id=5102, post_id=other, text=rude)
        abusive = await sandbox.add_comment(from_id=5103, post_id=memorial, text=abuse)

        async def all_judged() -> bool:
            with Session(app.engine) as session:
                return len(session.scalars(select(ModItem)).all()) == 3

        await eventually(all_judged)
        with Session(app.engine) as session:
            items = {i.author_id: i for i in session.scalars(select(ModItem))}
        assert [items[a].status for a in (5101, 5102, 5103)] == ["flagged", "flagged", "quarantined"]

        async def removed() -> bool:
            return bool(_comment(await sandbox.wall(), abusive["comment_id"]).get("deleted"))

        await eventually(removed)
        wall = await sandbox.wall()
        assert not any(_comment(wall, c["comment_id"]).get("deleted") for c in (under_memorial, elsewhere))
