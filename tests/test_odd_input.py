"""Odd input from strangers through the whole suite: every message is stored, answered, and nothing crashes."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from tests.app_helpers import eventually, running_app, sandbox_config
from tests.db_fixtures import db_url  # noqa: F401 (fixture: SQLite, and PostgreSQL when configured)
from vkbot.core.store.models import StoredEvent

ODD_TEXTS = [
    "",  # a sticker-only or empty message
    "🙏🕯️🕊️",
    "а" * 60_000,  # far beyond VK's own limit
    "\u202eтекст справа налево\u200b\u200d",
    "nul\x00byte and \x07 bell",
    "<script>alert(1)</script>'; DROP TABLE vk_events; --",
    "Здравствуйте " + "очень " * 3000 + "длинная история",
]


async def test_odd_messages_are_stored_whole_and_each_gets_an_answer(sandbox, tmp_path, db_url) -> None:  # noqa: F811
    config = sandbox_config(sandbox.url, db_url, tmp_path / "files")
    async with running_app(config) as app:
        for i, text in enumerate(ODD_TEXTS):
            await sandbox.inject_message(from_id=6000 + i, text=text, payload="{not json")

        async def all_answered() -> bool:
            for i in range(len(ODD_TEXTS)):
                if not await sandbox.sent(peer_id=6000 + i):
                    return False
            return True

        await eventually(all_answered, timeout=30)
    with Session(app.engine) as session:
        stored = {
            e.peer_id: e.raw["object"]["message"]["text"]
            for e in session.scalars(select(StoredEvent).where(StoredEvent.type == "message_new"))
        }
        failed = session.scalars(select(StoredEvent).where(StoredEvent.process_error.is_not(None))).all()
    assert stored == {6000 + i: text for i, text in enumerate(ODD_TEXTS)}  # kept exactly as received
    assert failed == []
    assert app.store.count() >= len(ODD_TEXTS)  # the SQL-looking text was only ever a parameter
    for message in await sandbox.sent():
        assert len(message["text"]) <= 4096  # long answers are split, never refused by VK
