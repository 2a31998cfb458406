"""The real pipeline against the sandbox: what needs the wire (storing never waits for handling).

The pipeline's decisions (answers, quarantine, support line, the founder's takeover, odd input) are
pinned in-process by ``tests/test_pipeline_fed.py``.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlmodel import Session

from moderation.classifier import Classification, OfflineClassifier
from moderation.models import ModItem
from tests.app_helpers import eventually, running_app, sandbox_config
from vkbot.clock import ManualClock, SystemClock
from vkbot.core.pipeline import build_pipeline
from vkbot.core.store.models import StoredEvent


@pytest.fixture
def config(sandbox, tmp_path):
    return sandbox_config(sandbox.url, f"sqlite:///{tmp_path / 'suite.db'}", tmp_path / "files")


class SlowClassifier:
    """The offline tier behind a deliberate one-second delay per message."""

    def __init__(self) -> None:
        self.inner = OfflineClassifier()

    def classify(self, text: str, channel: str) -> Classification:
        time.sleep(1.0)
        return self.inner.classify(text, channel)


async def test_a_slow_classifier_does_not_delay_storing_events(sandbox, config) -> None:
    clock = SystemClock()  # the sandbox's messages are dated by the wall clock
    handler = build_pipeline(config, clock=clock)
    handler.classifier = SlowClassifier()
    async with running_app(config, handler, clock=clock) as app:
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
    clock = ManualClock()
    assert build_pipeline(config, clock=clock).learned is not None
    off = config.model_copy(
        update={"moderation": config.moderation.model_copy(update={"learned_enabled": False})}
    )
    assert build_pipeline(off, clock=clock).learned is None
