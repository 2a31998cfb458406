"""The real pipeline against the sandbox: relatives are answered, abuse is kept out of sight and unanswered."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select
from sqlmodel import Session

from moderation.classifier import Classification, OfflineClassifier
from moderation.models import ModItem
from tests.app_helpers import eventually, running_app, sandbox_config
from vkbot.pipeline import build_pipeline
from vkbot.store.models import StoredEvent


@pytest.fixture
def config(sandbox, tmp_path):
    return sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 'suite.db'}", tmp_path / "files")


async def _replies(sandbox, peer_id: int) -> list[str]:
    return [m["text"] for m in await sandbox.sent(peer_id=peer_id)]


async def test_a_grieving_relative_who_swears_at_the_war_is_answered_and_not_hidden(sandbox, config) -> None:
    async with running_app(config) as app:
        await sandbox.inject_message(
            from_id=3001,
            text="Здравствуйте. Сына убили на этой проклятой войне, будь она проклята, бл*ть. Можно видео?",
        )

        async def answered() -> bool:
            return bool(await _replies(sandbox, 3001))

        await eventually(answered)
    with Session(app.engine) as session:
        hidden = session.scalars(select(ModItem).where(ModItem.status == "quarantined")).all()
    assert hidden == []


async def test_abuse_only_gets_no_answer_and_is_kept_in_quarantine(sandbox, config) -> None:
    async with running_app(config) as app:
        await sandbox.inject_message(from_id=3002, text="Ты тупая мразь, чтоб ты сдохла")
        await sandbox.inject_message(from_id=3003, text="Здравствуйте, хочу заказать ролик для папы")

        async def relative_answered() -> bool:
            return bool(await _replies(sandbox, 3003))

        await eventually(relative_answered)
        await asyncio.sleep(0.5)
    assert await _replies(sandbox, 3002) == []
    with Session(app.engine) as session:
        item = session.scalars(select(ModItem).where(ModItem.author_id == 3002)).one()
        stored = session.scalars(select(StoredEvent).where(StoredEvent.peer_id == 3002)).one()
    assert item.status == "quarantined"
    assert item.evidence  # a death wish is kept for a police export
    assert stored.raw["object"]["message"]["text"] == "Ты тупая мразь, чтоб ты сдохла"  # kept as received


async def test_self_harm_is_answered_with_the_support_line(sandbox, config) -> None:
    async with running_app(config):
        await sandbox.inject_message(from_id=3004, text="Мужа не стало, я не хочу больше жить")

        async def supported() -> bool:
            return any(config.moderation.support_line in t for t in await _replies(sandbox, 3004))

        await eventually(supported)


async def test_the_bot_steps_back_when_the_founder_writes_herself(sandbox, config) -> None:
    async with running_app(config):
        await sandbox.inject_message(from_id=3005, text="Здравствуйте, мама умерла, хочу ролик")
        await eventually(lambda: _has_replies(sandbox, 3005, 1))
        before = len(await _replies(sandbox, 3005))
        await sandbox.admin_message(peer_id=3005, text="Здравствуйте, это Анна. Напишу вам лично.")
        await asyncio.sleep(1.0)
        await sandbox.inject_message(from_id=3005, text="Спасибо, жду")
        await asyncio.sleep(1.5)
    assert len(await _replies(sandbox, 3005)) == before


class SlowClassifier:
    """The offline tier behind a deliberate one-second delay per message."""

    def __init__(self) -> None:
        self.inner = OfflineClassifier()

    def classify(self, text: str, channel: str) -> Classification:
        time.sleep(1.0)
        return self.inner.classify(text, channel)


async def test_a_slow_classifier_does_not_delay_storing_events(sandbox, config) -> None:
    handler = build_pipeline(config, None)  # type: ignore[arg-type]
    handler.classifier = SlowClassifier()
    async with running_app(config, handler) as app:
        started = time.monotonic()
        for i in range(8):
            await sandbox.inject_message(from_id=3100 + i, text=f"Здравствуйте, вопрос {i}")

        async def all_stored() -> bool:
            return app.store.count() >= 8

        await eventually(all_stored, timeout=10)
        stored_after = time.monotonic() - started
        with Session(app.engine) as session:
            handled = session.scalars(select(StoredEvent).where(StoredEvent.processed_at.is_not(None))).all()
    # All 8 were stored while handling (8 s of classifying) was still going on: storing never waits for it.
    assert stored_after < 8.0
    assert len(handled) < 8


async def _has_replies(sandbox, peer_id: int, n: int) -> bool:
    return len(await _replies(sandbox, peer_id)) >= n


async def test_abuse_no_rule_names_is_hidden_by_the_learned_tier_with_its_score_recorded(
    sandbox, config
) -> None:
    text = "Ну и рожа у тебя на аватарке, страшилище"
    assert OfflineClassifier().classify(text, "message").max_score() < 0.5  # no rule names it
    async with running_app(config) as app:
        await sandbox.inject_message(from_id=3300, text=text)

        async def recorded() -> bool:
            with Session(app.engine) as session:
                return session.scalars(select(ModItem).where(ModItem.author_id == 3300)).first() is not None

        await eventually(recorded)
    with Session(app.engine) as session:
        item = session.scalars(select(ModItem).where(ModItem.author_id == 3300)).one()
    assert (item.status, item.tier) == ("quarantined", "learned")
    assert item.learned_score is not None and item.learned_score > 0.5 and item.model_version


def test_the_learned_tier_is_on_by_default_and_follows_its_config_key(config) -> None:
    assert build_pipeline(config, None).learned is not None  # type: ignore[arg-type]
    off = config.model_copy(
        update={"moderation": config.moderation.model_copy(update={"learned_enabled": False})}
    )
    assert build_pipeline(off, None).learned is None  # type: ignore[arg-type]
