"""The founder's desk without a browser: Needs you, conversations (search, paging, reply, hand back), ban
proposals, the status page's sentences and dates in words, against the real pipeline fed in-process."""
# ruff: noqa: F811

from __future__ import annotations

import re
import tomllib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import Session

import i18n
from moderation.models import ModBanProposal, ModItem
from publishing.models import PubPost
from tests.feeding import Fed, fed  # noqa: F401  (fixture)
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.dashboard import bans, conversations
from vkbot.dashboard import threads as threads_module
from vkbot.dashboard.context import Dashboard
from vkbot.dashboard.needs import HANDOFF_PAGE, SECTIONS
from vkbot.dashboard.render import CSRF_FIELD
from vkbot.dashboard.server import dashboard_server
from vkbot.dashboard.settings import DashboardSettings
from vkbot.dashboard.status import token_sentence
from vkbot.dashboard.web import dashboard_app
from vkbot.dashboard.words import when_in_words
from vkbot.ops.health import HealthSources
from waitlist.models import WlConversation, WlInbox, WlOrder

LOCALES = Path(__file__).resolve().parent.parent / "i18n" / "locales"
PASSWORD = "a long enough password"
MOSCOW = ZoneInfo("Europe/Moscow")
DESPAIR = "Мужа не стало, я не хочу больше жить"
HELLO = "Здравствуйте, мама умерла, хочу ролик"


def ru(key: str, **params: Any) -> str:
    return i18n.text(key, "ru", **params)


# -- dates in words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "words", "sentence"),
    [
        (datetime(2026, 12, 7, 11, 30, tzinfo=UTC), "сегодня, 14:30", "сегодня в 14:30"),
        # 22:05 UTC on the 6th is already the 7th in Moscow: today, by her clock.
        (datetime(2026, 12, 6, 22, 5, tzinfo=UTC), "сегодня, 1:05", "сегодня в 1:05"),
        (datetime(2026, 12, 6, 6, 9, tzinfo=UTC), "вчера, 9:09", "вчера в 9:09"),
        (datetime(2026, 12, 8, 5, 0, tzinfo=UTC), "завтра, 8:00", "завтра в 8:00"),
        (datetime(2026, 12, 5, 9, 0, tzinfo=UTC), "5 декабря", "5 декабря"),
        (datetime(2025, 3, 1, 9, 0, tzinfo=UTC), "1 марта 2025", "1 марта 2025 г."),
    ],
)
def test_dates_are_told_in_words_in_her_time_zone(moment: datetime, words: str, sentence: str) -> None:
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 18:00 in Moscow
    assert when_in_words(moment, now, MOSCOW, "ru") == words
    assert when_in_words(moment, now, MOSCOW, "ru", sentence=True) == sentence
    assert when_in_words(None, now, MOSCOW, "ru") == ""


def test_dates_in_words_exist_in_ukrainian_and_english() -> None:
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    moment = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert when_in_words(moment, now, MOSCOW, "uk") == "5 грудня"
    assert when_in_words(moment, now, MOSCOW, "en") == "5 December"
    assert when_in_words(now, now, MOSCOW, "en", sentence=True) == "today at 18:00"


def test_the_token_section_is_a_sentence() -> None:
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)

    def when(moment: Any) -> str:
        return when_in_words(moment, now, MOSCOW, "ru", sentence=True)

    refreshed = {"connected": True, "last_refresh_at": "2026-12-07T06:12:00+00:00"}
    assert token_sentence(refreshed, when, "ru") == "Публикация работает, ключ обновлён сегодня в 9:12."
    failing = {**refreshed, "last_error": "invalid_grant"}
    assert token_sentence(failing, when, "ru").endswith(ru("dashboard.tokens.last_failed"))
    assert token_sentence({"connected": False, "needs_reconnect": True}, when, "ru") == ru(
        "dashboard.tokens.reconnect"
    )
    assert token_sentence({"connected": False}, when, "ru") == ru("dashboard.tokens.not_connected")
    assert token_sentence(None, when, "ru") == ru("dashboard.tokens.unknown")


# -- the dashboard, signed in, on the fed pipeline's database -------------------------------------


class _Listener:
    state = "polling"
    last_poll_at = None
    last_event_at = None
    consecutive_failures = 0
    ts = None


class Desk:
    """A client of the dashboard app over ``fed``'s database, signed in through the login form."""

    def __init__(self, fed: Fed, client: TestClient, dashboard: Dashboard) -> None:
        self.fed, self.client, self.dashboard = fed, client, dashboard
        self.csrf = ""
        self.woken = 0

    async def sign_in(self) -> None:
        page = await (await self.client.get("/login")).text()
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None
        answer = await self.client.post(
            "/login", data={CSRF_FIELD: token.group(1), "password": PASSWORD}, allow_redirects=False
        )
        assert answer.status == 302
        landing = await (await self.client.get("/needs")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', landing)
        assert csrf is not None
        self.csrf = csrf.group(1)

    async def get(self, path: str, *, follow: bool = True) -> tuple[ClientResponse, str]:
        answer = await self.client.get(path, allow_redirects=follow)
        return answer, await answer.text()

    async def post(self, path: str, **form: str) -> ClientResponse:
        return await self.client.post(path, data={CSRF_FIELD: self.csrf, **form}, allow_redirects=False)


@pytest.fixture
async def desk(fed: Fed) -> AsyncIterator[Desk]:
    base = fed.pipeline.config
    config = base.model_copy(
        update={
            "dashboard": DashboardSettings(enabled=True, password=SecretStr(PASSWORD)),
            "waitlist": base.waitlist.model_copy(update={"timezone": "Europe/Moscow"}),
        }
    )
    made: Desk | None = None

    def wake() -> None:
        if made is not None:
            made.woken += 1

    health = HealthSources(fed.engine, config.vk.group_id, _Listener(), clock=fed.clock)
    server = dashboard_server(config, fed.engine, health, wake=wake, clock=fed.clock)
    assert server is not None
    client = TestClient(TestServer(dashboard_app(server.dashboard)))
    await client.start_server()
    made = Desk(fed, client, server.dashboard)
    await made.sign_in()
    try:
        yield made
    finally:
        await client.close()


def _order(fed: Fed, peer_id: int, subject: str, **relative: str) -> int:
    """A placed order for ``peer_id``, the dialog idle, as the intake leaves it (tested elsewhere)."""
    fed.write(peer_id, relative.get("hello", HELLO))
    with Session(fed.engine) as session:
        numbers = [o.number or 0 for o in session.scalars(select(WlOrder))]
        number = max([0, *numbers]) + 1
        order = WlOrder(
            number=number,
            peer_id=peer_id,
            status="waiting",
            subject_name=subject,
            relation=relative.get("relation", "мама"),
            created_at=fed.clock.now(),
            updated_at=fed.clock.now(),
        )
        session.add(order)
        session.flush()
        conv = session.get(WlConversation, peer_id)
        assert conv is not None
        conv.state, conv.order_id, conv.pd_consent = "idle", order.id, True
        session.add(conv)
        session.commit()
    return number


def _outbox(fed: Fed, **where: Any) -> list[OutboxRow]:
    with Session(fed.engine) as session:
        query = select(OutboxRow).order_by(OutboxRow.id)  # type: ignore[arg-type]
        for name, value in where.items():
            query = query.where(getattr(OutboxRow, name) == value)
        return list(session.scalars(query))


async def test_the_first_page_is_needs_you_with_despair_requests_and_unanswered_each_a_click_away(
    desk: Desk,
) -> None:
    fed = desk.fed
    fed.write(7001, DESPAIR)
    fed.write(7002, HELLO)
    fed.write(7002, "позвать человека")
    number = _order(fed, 7003, "Иван Петрович")
    fed.write(7003, "А можно добавить песню Высоцкого в конце?")
    fed.write(7004, "Ты тупая мразь, чтоб ты сдохла")  # hidden: never under Needs you

    answer, _ = await desk.get("/", follow=False)
    assert answer.status == 302 and answer.headers["Location"] == "/needs"
    answer, html = await desk.get("/needs")
    assert answer.status == 200
    sections = {
        name: html.split(f'id="needs-{name}"')[1].split("</section>")[0]
        for name in ("crisis", "human", "unanswered")
    }
    assert DESPAIR in sections["crisis"] and 'href="/conversations/7001"' in sections["crisis"]
    # Flagged for self-harm only: shown plainly (she was alerted for these very words), not blurred.
    assert "<details" not in sections["crisis"]
    assert 'href="/conversations/7002"' in sections["human"]
    assert "Высоцкого" in sections["unanswered"] and f"№ {number} · Иван Петрович" in sections["unanswered"]
    assert "мразь" not in html

    with Session(fed.engine) as session:
        crisis = session.scalars(select(WlInbox).where(WlInbox.kind == "crisis")).one()
    answer = await desk.post(f"/needs/{crisis.id}/done")
    assert answer.status == 302 and answer.headers["Location"] == "/needs?done=1"
    _, html = await desk.get("/needs?done=1")
    assert 'id="needs-crisis"' not in html and ru("dashboard.needs.marked") in html
    _, thread = await desk.get("/conversations/7001")
    assert DESPAIR in thread, "done leaves the words in the conversation"

    # She answers in VK herself: the request for a person leaves the page, as a reply from here would.
    fed(fed.updates.founder_message(7002, "Здравствуйте, это Анна, я здесь."))
    _, html = await desk.get("/needs")
    assert 'id="needs-human"' not in html and 'id="needs-unanswered"' in html
    assert (await desk.post("/needs/999999/done")).status == 404


async def test_conversations_are_one_thread_per_relative_newest_first_without_hidden_ones(desk: Desk) -> None:
    fed = desk.fed
    first = _order(fed, 7101, "Анна Петровна")
    fed.clock.advance(minutes=5)
    fed.write(7102, HELLO)
    fed.clock.advance(minutes=5)
    fed.write(7103, "Ты тупая мразь, чтоб ты сдохла")
    fed.write(7101, "Вот ещё одна история про маму и её сад")

    # The bot's alert to the founder is a message_reply to her: her own id is not a relative's thread.
    desk.dashboard.founder_user_id = 7999
    alert = fed.updates.message_object(-1001, "СРОЧНО", peer_id=7999, out=1, random_id=5)
    fed(fed.updates.envelope("message_reply", alert))
    _, html = await desk.get("/conversations")
    order = [int(peer) for peer in re.findall(r'id="thread-(\d+)"', html)]
    assert order == [7101, 7102], "newest activity first, one each, the hidden-only thread absent"
    assert f"№ {first} · Анна Петровна" in html and "(мама)" in html and ">RU<" in html

    for query, expected in (
        ("анна", [7101]),  # a name, in any case
        (str(first), [7101]),  # the order number
        (f"№{first}", [7101]),
        ("сад", [7101]),  # words of a message
        ("мразь", []),  # hidden words find nothing
    ):
        _, found = await desk.get(f"/conversations?q={query}")
        assert [int(p) for p in re.findall(r'id="thread-(\d+)"', found)] == expected, query


async def test_conversations_page_by_newest_activity(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    fed = desk.fed
    for peer in range(7201, 7206):
        fed.write(peer, HELLO)
        fed.clock.advance(minutes=1)
    monkeypatch.setattr(threads_module, "PAGE", 2)
    seen: list[int] = []
    path = "/conversations"
    while path:
        _, html = await desk.get(path)
        seen += [int(p) for p in re.findall(r'id="thread-(\d+)"', html)]
        more = re.search(r'rel="next" href="([^"]+)"', html)
        path = more.group(1).replace("&amp;", "&") if more else ""
    assert seen == [7205, 7204, 7203, 7202, 7201]


async def test_her_reply_goes_through_the_outbox_once_and_the_bot_steps_back_until_handed_back(
    desk: Desk,
) -> None:
    fed = desk.fed
    fed.write(7301, HELLO)
    fed.write(7301, "позвать человека")
    _, html = await desk.get("/conversations/7301")
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token is not None and ru("dashboard.conversations.hand_back") in html

    for _ in range(2):  # a double click sends the same form twice
        answer = await desk.post(
            "/conversations/7301/reply", text="  Здравствуйте, это Анна.  ", token=token.group(1)
        )
        assert answer.status == 302 and answer.headers["Location"] == "/conversations/7301?done=sent"
    (row,) = [r for r in _outbox(fed, peer_id=7301) if r.key.startswith("desk:reply:")]
    assert row.params["message"] == "Здравствуйте, это Анна." and row.random_id
    assert desk.woken == 1
    with Session(fed.engine) as session:
        conv = session.get(WlConversation, 7301)
        assert conv is not None and conv.takeover_by == "founder"
        assert conv.takeover_until is not None and conv.takeover_until > fed.clock.now()
        assert (
            session.scalars(
                select(WlInbox).where(WlInbox.peer_id == 7301, WlInbox.handled_at.is_(None))
            ).all()
            == []
        )  # type: ignore[union-attr]
    _, html = await desk.get("/conversations/7301")
    assert "Здравствуйте, это Анна." in html and ru("dashboard.conversations.sending") in html

    assert fed.write(7301, "Спасибо, жду вашего звонка") == [], "the bot stays quiet while she talks"

    answer = await desk.post("/conversations/7301/bot")
    assert answer.headers["Location"] == "/conversations/7301?done=handed_back"
    with Session(fed.engine) as session:
        conv = session.get(WlConversation, 7301)
        assert conv is not None and conv.takeover_until is None
    assert fed.write(7301, "статус"), "the bot answers again"


async def test_an_empty_or_too_long_reply_is_refused_and_the_text_kept(desk: Desk) -> None:
    desk.fed.write(7401, HELLO)
    answer = await desk.post("/conversations/7401/reply", text="   ", token="t" * 16)
    assert answer.status == 400 and ru("dashboard.conversations.error.empty") in await answer.text()
    long = "слово " * 800
    answer = await desk.post("/conversations/7401/reply", text=long, token="t" * 16)
    assert answer.status == 400 and long.strip()[:100] in await answer.text()
    assert (await desk.post("/conversations/7401/reply", text="hi", token="<bad>")).status == 400
    assert (await desk.post("/conversations/999999/reply", text="hi", token="t" * 16)).status == 404
    assert (await desk.get("/conversations/abc"))[0].status == 404
    assert [r for r in _outbox(desk.fed, peer_id=7401) if r.key.startswith("desk:")] == []


async def test_markup_is_text_and_flagged_messages_are_marked_quietly(desk: Desk) -> None:
    fed = desk.fed
    _order(fed, 7501, "Анна <b>Петровна</b><script>alert(1)</script>")
    fed.write(7501, 'Мама <img src=x onerror="alert(2)"> любила сад')
    fed.write(7501, "Ну и сервис у вас, ждать месяц")
    with Session(fed.engine) as session:
        last = session.scalars(
            select(StoredEvent).where(StoredEvent.peer_id == 7501).order_by(StoredEvent.id.desc())
        ).first()  # type: ignore[union-attr]
        assert last is not None
        last_id = last.id
        session.add(
            ModItem(
                source_key=last.key,
                channel="message",
                author_id=7501,
                peer_id=7501,
                text="...",
                status="flagged",
                categories=["insults"],
                created_at=fed.clock.now(),
            )
        )
        session.commit()
    for path in ("/conversations", "/conversations/7501", "/needs"):
        _, html = await desk.get(path)
        assert "<script>" not in html and "<b>Петровна" not in html and "<img src" not in html, path
    _, html = await desk.get("/conversations/7501")
    assert "Анна &lt;b&gt;Петровна&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html
    flagged = html.split(f'id="evt-{last_id}"')[1].split("</li>")[0]
    assert '<details class="review">' in flagged and "ждать месяц" in flagged


async def test_ban_proposals_are_accepted_into_the_outbox_or_dismissed(desk: Desk) -> None:
    fed = desk.fed
    with Session(fed.engine) as session:
        for author in (8001, 8002):
            session.add(ModBanProposal(author_id=author, item_ids=[1, 2, 3], created_at=fed.clock.now()))
        session.commit()
        first, second = (p.id for p in session.scalars(select(ModBanProposal).order_by(ModBanProposal.id)))  # type: ignore[arg-type]
    _, html = await desk.get("/needs")
    assert 'id="needs-bans"' in html
    _, html = await desk.get("/bans")
    assert f'id="ban-{first}"' in html and "vk.com/id8001" in html

    answer = await desk.post(f"/bans/{first}/accept")
    assert answer.headers["Location"] == "/bans?done=accepted"
    (ban,) = _outbox(fed, method="groups.ban")
    assert ban.params["owner_id"] == 8001
    assert (await desk.post(f"/bans/{first}/accept")).status in (302, 409)
    assert len(_outbox(fed, method="groups.ban")) == 1, "a second click queues no second ban"
    assert (await desk.post(f"/bans/{second}/dismiss")).headers["Location"] == "/bans?done=dismissed"
    assert (await desk.post(f"/bans/{second}/dismiss")).status == 409
    with Session(fed.engine) as session:
        statuses = {p.author_id: (p.status, p.decided_by) for p in session.scalars(select(ModBanProposal))}
    assert statuses == {8001: ("accepted", "founder"), 8002: ("dismissed", "founder")}
    _, html = await desk.get("/bans")
    assert ru("dashboard.bans.empty") in html


async def test_the_status_page_speaks_in_words(desk: Desk) -> None:
    desk.fed.write(7601, HELLO)
    _, html = await desk.get("/status")
    assert ru("dashboard.state.listener_states.polling") in html
    assert 'id="token-sentence"' in html
    assert "last_refresh_at" not in html and "needs_reconnect" not in html


def test_every_desk_wording_exists_in_russian_ukrainian_and_english() -> None:
    def keys(lang: str) -> set[str]:
        tree = tomllib.loads((LOCALES / lang / "desk.toml").read_text(encoding="utf-8"))
        found: set[str] = set()

        def walk(node: dict[str, Any], prefix: str) -> None:
            for key, value in node.items():
                if isinstance(value, dict):
                    walk(value, f"{prefix}{key}.")
                else:
                    found.add(f"{prefix}{key}")

        walk(tree, "")
        return found

    assert keys("uk") == keys("ru") == keys("en")
    assert len(keys("ru")) > 60
    # Keys the templates build from data: sections, notices, errors, who wrote, why a reply failed.
    built = (
        {f"dashboard.needs.{name}" for name in SECTIONS}
        | {f"dashboard.conversations.notice.{n}" for n in conversations.NOTICES}
        | {f"dashboard.conversations.error.{e}" for e in conversations.ERRORS}
        | {f"dashboard.conversations.who_{w}" for w in ("relative", "bot", "founder")}
        | {f"dashboard.conversations.failed_{f}" for f in ("undeliverable", "parked")}
        | {f"dashboard.bans.notice.{n}" for n in bans.NOTICES}
        | {f"dashboard.state.listener_states.{s}" for s in ("polling", "connecting", "backoff", "stopped")}
        | {f"founder_mail.{kind}" for kind in ("human", "crisis")}
    )
    assert built <= keys("ru")


async def test_hand_offs_from_publishing_are_listed_with_their_thread(desk: Desk) -> None:
    fed = desk.fed
    number = _order(fed, 7701, "Сергей Иванович")
    with Session(fed.engine) as session:
        order = session.scalars(select(WlOrder).where(WlOrder.number == number)).one()
        session.add(
            PubPost(
                order_id=order.id or 0,
                guid="g-7701",
                status="handed_to_founder",
                caption="Памяти Сергея Ивановича",
                file_id="f" * 64,
                handoff_reason="no wall right",
                created_at=fed.clock.now(),
                updated_at=fed.clock.now(),
                handed_at=fed.clock.now(),
            )
        )
        session.commit()
    _, html = await desk.get("/needs")
    handoffs = html.split('id="needs-handoffs"')[1].split("</section>")[0]
    assert f"№ {number} · Сергей Иванович" in handoffs
    assert 'href="/conversations/7701"' in handoffs and f'href="{HANDOFF_PAGE}"' in handoffs


async def test_a_reply_vk_would_not_deliver_is_marked_in_the_thread(desk: Desk) -> None:
    desk.fed.write(7801, HELLO)
    await desk.post("/conversations/7801/reply", text="Вы здесь?", token="u" * 16)
    with Session(desk.fed.engine) as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.key.startswith("desk:reply:7801"))).one()  # type: ignore[attr-defined]
        row.status = "undeliverable"
        session.add(row)
        session.commit()
    _, html = await desk.get("/conversations/7801")
    assert "Вы здесь?" in html and ru("dashboard.conversations.failed_undeliverable") in html
