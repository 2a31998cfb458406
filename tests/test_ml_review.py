"""The Detoxify second opinion runs beside the pipeline: it can flag later, hides only when enabled, and
never in an order conversation; its cursor survives restarts so nothing is scored twice."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from moderation.models import ModItem
from tests.app_helpers import eventually, running_app, sandbox_config
from vkbot.core.store.models import Cursor
from vkbot.ops.ml_review import MlReviewer


class ChosenScores:
    """A scorer giving chosen scores by text, to test the decision path (random weights prove nothing)."""

    def __init__(self, toxic_words: tuple[str, ...]):
        self.toxic_words = toxic_words
        self.seen: list[str] = []

    async def load_async(self) -> None:
        return None

    async def score_async(self, texts: list[str]) -> list[dict[str, float]]:
        self.seen += texts
        return [{"toxicity": 0.99 if any(w in t for w in self.toxic_words) else 0.01} for t in texts]


def _config(sandbox, tmp_path: Path, **moderation: object):
    return sandbox_config(
        sandbox.url, f"sqlite:///{tmp_path / 'suite.db'}", tmp_path / "files", moderation=moderation
    )


async def _review_all(reviewer: MlReviewer) -> None:
    while await reviewer.review_once():
        pass


@pytest.mark.parametrize("enabled", [False, True])
async def test_a_high_score_flags_and_hides_only_when_enabled(sandbox, tmp_path, enabled: bool) -> None:
    config = _config(sandbox, tmp_path, ml_quarantine_enabled=enabled)
    scorer = ChosenScores(("ролик",))
    async with running_app(config) as app:
        await sandbox.inject_message(
            from_id=4101, text="Посмотрел ваш новый ролик"
        )  # the rules let this pass
        await sandbox.inject_message(from_id=4102, text="Спасибо за вашу работу")

        await eventually(lambda: _sent(sandbox, 4101, 1))
        await eventually(lambda: _sent(sandbox, 4102, 1))
        reviewer = MlReviewer(
            app.engine, config.moderation, config.vk.group_id, scorer=scorer, clock=app.clock
        )
        await _review_all(reviewer)
    with Session(app.engine) as session:
        items = session.scalars(select(ModItem)).all()
    assert [(i.author_id, i.status) for i in items] == [(4101, "quarantined" if enabled else "flagged")]
    assert sorted(scorer.seen) == ["Посмотрел ваш новый ролик", "Спасибо за вашу работу"]


async def test_an_order_conversation_is_never_hidden_by_the_model(sandbox, tmp_path) -> None:
    config = _config(sandbox, tmp_path, ml_quarantine_enabled=True)
    async with running_app(config) as app:
        await sandbox.inject_message(from_id=4201, text="Здравствуйте, хочу ролик для мамы")
        await eventually(lambda: _sent(sandbox, 4201, 1))
        consent = (await sandbox.sent(peer_id=4201))[-1]
        await sandbox.inject_message(from_id=4201, text="да")  # consents: the conversation is now protected
        await eventually(lambda: _sent(sandbox, 4201, 2))
        await sandbox.inject_message(from_id=4201, text="эта война гадкая, сын погиб")
        await eventually(lambda: _sent(sandbox, 4201, 3))
        reviewer = MlReviewer(
            app.engine,
            config.moderation,
            config.vk.group_id,
            scorer=ChosenScores(("гадкая",)),
            clock=app.clock,
        )
        await _review_all(reviewer)
    assert consent["text"]
    with Session(app.engine) as session:
        statuses = [i.status for i in session.scalars(select(ModItem).where(ModItem.author_id == 4201))]
    assert statuses == ["flagged"]


async def test_the_cursor_means_nothing_is_scored_twice_across_restarts(sandbox, tmp_path) -> None:
    config = _config(sandbox, tmp_path)
    async with running_app(config) as app:
        for i in range(5):
            await sandbox.inject_message(from_id=4300 + i, text=f"вопрос {i}")
        for i in range(5):
            await eventually(lambda i=i: _sent(sandbox, 4300 + i, 1))
        first = ChosenScores(())
        await _review_all(
            MlReviewer(app.engine, config.moderation, config.vk.group_id, scorer=first, clock=app.clock)
        )
        await sandbox.inject_message(from_id=4399, text="ещё вопрос")
        await eventually(lambda: _sent(sandbox, 4399, 1))
        second = ChosenScores(())
        await _review_all(
            MlReviewer(app.engine, config.moderation, config.vk.group_id, scorer=second, clock=app.clock)
        )
    assert len(first.seen) == 5 and second.seen == ["ещё вопрос"]
    with Session(app.engine) as session:
        assert session.get(Cursor, "detoxify").event_id > 0


async def test_the_real_detoxify_path_scores_stored_messages_on_a_tiny_checkpoint(sandbox, tmp_path) -> None:
    pytest.importorskip("detoxify")
    from moderation.detoxify_tier import sha256_file
    from moderation.provision import LOCK_NAME
    from tests.tiny_detoxify import build_tiny_detoxify

    tiny = await asyncio.to_thread(build_tiny_detoxify, tmp_path / "model")
    # What `vkbot moderation fetch-model` records: the loader refuses a checkpoint whose hash is not known.
    lock = {"prepared": {"file": tiny.checkpoint.name, "sha256": sha256_file(tiny.checkpoint)}}
    (tiny.checkpoint.parent / LOCK_NAME).write_text(json.dumps(lock), encoding="utf-8")
    config = _config(sandbox, tmp_path, ml_checkpoint=tiny.checkpoint, ml_hf_dir=tiny.hf_dir)
    assert MlReviewer.available(config.moderation)
    async with running_app(config) as app:  # the app starts the reviewer itself
        await sandbox.inject_message(from_id=4401, text="Спасибо вам")
        await eventually(lambda: _sent(sandbox, 4401, 1))

        def cursor_moved() -> bool:
            with Session(app.engine) as session:
                cursor = session.get(Cursor, "detoxify")
                return cursor is not None and cursor.event_id > 0

        async def reviewed() -> bool:
            return await asyncio.to_thread(cursor_moved)

        await eventually(reviewed, timeout=60)
    # Random weights score about 0.5: below the flag threshold, so nothing is marked.
    with Session(app.engine) as session:
        assert session.scalars(select(ModItem)).all() == []


async def _sent(sandbox, peer_id: int, n: int) -> bool:
    return len(await sandbox.sent(peer_id=peer_id)) >= n
