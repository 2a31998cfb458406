"""The Orders pages without a browser (aiohttp's test client): photos served by id to a session only,
thumbnails made once, the zip, voice notes, captions, the clip upload that delivers, search and filters,
the sign-up list. Orders are made by relatives writing through the waitlist's own intake (``Desk``)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import cv2
import numpy as np
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from yarl import URL

import i18n
from publishing.planner import plan
from publishing.settings import PublishingSettings
from tests.db_fixtures import db_url, engine  # noqa: F401  (fixtures)
from vkbot.config import load_config
from vkbot.core.store.models import OutboxRow
from vkbot.dashboard import orders as orders_module
from vkbot.dashboard.server import dashboard_server
from vkbot.dashboard.web import dashboard_app
from vkbot.ops.health import HealthSources
from waitlist.browse import OrderQuery, find_orders
from waitlist.effects import Reply
from waitlist.filestore import LocalFileStore
from waitlist.flags import reopen_hint, signups_open
from waitlist.models import WlFile, WlOrder, WlSignup
from waitlist.testing import SCRIPTS, Desk, make_photo

PASSWORD = "a long enough password"
CAPTION = "Мама на даче, 1985 <b>лето</b>"
# The first bytes of an Ogg file (a VK voice note) and of an MP4 (the finished clip).
VOICE = b"OggS\x00\x02" + bytes(range(200)) * 20
CLIP = b"\x00\x00\x00\x18ftypmp42" + b"\x00clip" * 75_000  # ~375 KB: far over the app's 64 KB forms


def place_order(
    desk: Desk,
    peer_id: int,
    *,
    subject: str = "Мария Ивановна",
    story: str = SCRIPTS["ru"]["story"],
    photos: tuple[bytes, ...] = (),
    caption: str = "",
    voice: bytes | None = None,
    publish: bool = True,
) -> WlOrder:
    """One relative's whole intake in words (as ``waitlist.testing.complete_order``), with our photos."""
    words = SCRIPTS["ru"]
    desk.send(peer_id, words["hello"])
    desk.send(peer_id, words["yes"])
    desk.send(peer_id, subject)
    desk.send(peer_id, words["relation"])
    if photos:
        desk.send(peer_id, caption, photos=photos)
    if voice is not None:
        desk.send(peer_id, voice=voice)
    desk.send(peer_id, words["done"])
    desk.send(peer_id, story)
    desk.send(peer_id, words["done"])
    desk.send(peer_id, words["wishes"])
    desk.send(peer_id, words["contact"])
    desk.send(peer_id, words["yes"])
    desk.send(peer_id, words["yes"] if publish else "нет")
    desk.send(peer_id, words["confirm"])
    with Session(desk.engine) as session:
        order = session.exec(select(WlOrder).where(WlOrder.peer_id == peer_id)).one()
    assert order.status == "waiting", "the intake placed the order"
    return order


def files_of(engine: Engine, order: WlOrder, kind: str) -> list[WlFile]:  # noqa: F811
    with Session(engine) as session:
        return list(
            session.exec(
                select(WlFile).where(WlFile.order_id == order.id, WlFile.kind == kind).order_by(WlFile.id)
            )
        )


class _Listener:
    state = "polling"
    last_poll_at = None
    last_event_at = None
    consecutive_failures = 0
    ts = None


@dataclass
class Site:
    client: TestClient[Any, Any]
    desk: Desk
    files: LocalFileStore
    wakes: list[int]

    async def sign_in(self) -> str:
        """Sign in; returns the CSRF token of the session's forms."""
        page = await (await self.client.get("/login")).text()
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None
        answer = await self.client.post(
            "/login", data={"csrf": token.group(1), "password": PASSWORD}, allow_redirects=False
        )
        assert answer.status == 302
        queue = await (await self.client.get("/queue")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', queue)
        assert csrf is not None
        return csrf.group(1)


@pytest.fixture
async def site(engine: Engine, tmp_path: Path) -> AsyncIterator[Site]:  # noqa: F811
    files_dir = tmp_path / "files"
    config = load_config(
        None,
        environ={
            "VKBOT_DASHBOARD__ENABLED": "true",
            "VKBOT_DASHBOARD__PASSWORD": PASSWORD,
            "VKBOT_DASHBOARD__CLIP_MAX_MB": "1",
            "VKBOT_STORAGE__FILES_DIR": str(files_dir),
        },
    )
    files = LocalFileStore(files_dir)
    desk = Desk(engine, files)
    wakes: list[int] = []
    server = dashboard_server(
        config,
        engine,
        HealthSources(engine, 1, _Listener(), clock=desk.clock),
        wake=lambda: wakes.append(1),
        clock=desk.clock,
    )
    assert server is not None
    client = TestClient(TestServer(dashboard_app(server.dashboard)))
    await client.start_server()
    try:
        yield Site(client, desk, files, wakes)
    finally:
        await client.close()


@pytest.fixture
def photos() -> Iterator[tuple[bytes, bytes]]:
    # Small: the intake's face check costs ~0.25 s at this size, seconds at phone-camera sizes.
    yield make_photo(seed=11, side=300), make_photo(seed=12, side=310)


async def test_photos_are_served_to_a_session_only_by_an_id_of_that_order(
    site: Site, photos: tuple[bytes, bytes]
) -> None:
    order = place_order(site.desk, 7001, photos=photos, caption=CAPTION)
    other = place_order(site.desk, 7002, photos=(make_photo(seed=99, side=300),))
    first, second = files_of(site.desk.engine, order, "photo")
    [foreign] = files_of(site.desk.engine, other, "photo")
    full = f"/orders/{order.number}/files/{first.file_id}"

    for path in (full, f"{full}/thumb", f"/orders/{order.number}/files.zip"):
        answer = await site.client.get(path, allow_redirects=False)
        assert answer.status == 302 and answer.headers["Location"] == "/login", path
    await site.sign_in()

    answer = await site.client.get(full)
    assert answer.status == 200 and answer.content_type == "image/jpeg"
    assert await answer.read() == photos[0]
    assert answer.headers["Cache-Control"] == "no-store"
    # Another order's photo under this order's number, and anything that is not an id, are not found.
    refused = [
        f"/orders/{order.number}/files/{foreign.file_id}",
        f"/orders/{order.number}/files/{first.file_id[:-1]}",
        f"/orders/{order.number}/files/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        f"/orders/{order.number}/files/..%2F..%2Fsuite.db",
        f"/orders/{order.number}/files/{first.file_id}%2F..%2F..%2F{second.file_id}",
    ]
    for path in refused:
        answer = await site.client.get(URL(path, encoded=True), allow_redirects=False)
        assert answer.status == 404, path
        assert b"root:" not in await answer.read()
    assert (await site.client.get(f"/orders/{other.number}/files/{foreign.file_id}")).status == 200

    # Bytes that are no known image or sound (a page in disguise) are only ever offered as a download.
    disguised = site.files.put(b"<html><script>alert(1)</script></html>")
    with Session(site.desk.engine) as session:
        session.add(
            WlFile(order_id=order.id or 0, file_id=disguised, kind="photo", created_at=site.desk.clock.now())
        )
        session.commit()
    answer = await site.client.get(f"/orders/{order.number}/files/{disguised}")
    assert answer.status == 200 and answer.content_type == "application/octet-stream"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert (await site.client.get(f"/orders/{order.number}/files/{disguised}/thumb")).status == 404


async def test_a_thumbnail_is_small_made_once_and_removed_with_its_photo(site: Site) -> None:
    photo = make_photo(seed=12, side=700)
    order = place_order(site.desk, 7011, photos=(photo,))
    [big] = files_of(site.desk.engine, order, "photo")
    await site.sign_in()
    thumb_url = f"/orders/{order.number}/files/{big.file_id}/thumb"
    answer = await site.client.get(thumb_url)
    assert answer.status == 200 and answer.content_type == "image/jpeg"
    data = await answer.read()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and max(image.shape[:2]) == 320
    assert len(data) < len(photo) / 2

    cached = site.files.derived_path(big.file_id, "thumb")
    assert cached.read_bytes() == data
    made = cached.stat().st_mtime_ns
    assert await (await site.client.get(thumb_url)).read() == data
    assert cached.stat().st_mtime_ns == made, "the second request is served from the cache"

    site.files.delete(big.file_id)  # what retention does when the order's files expire
    assert not cached.exists(), "no small copy of a removed photo stays behind"
    assert (await site.client.get(thumb_url)).status == 404


async def test_the_order_page_shows_photos_with_their_captions_voice_story_wishes_and_contact(
    site: Site, photos: tuple[bytes, bytes]
) -> None:
    order = place_order(site.desk, 7021, photos=photos, caption=CAPTION, voice=VOICE)
    [voice] = files_of(site.desk.engine, order, "voice")
    await site.sign_in()
    page = await (await site.client.get(f"/orders/{order.number}")).text()
    items = re.findall(r'<li id="photo-\d+">(.*?)</li>', page, re.S)
    assert len(items) == 2
    for item, row in zip(items, files_of(site.desk.engine, order, "photo"), strict=True):
        assert (
            f"/files/{row.file_id}/thumb" in item
            and f'href="/orders/{order.number}/files/{row.file_id}"' in item
        )
        assert "Мама на даче, 1985 &lt;b&gt;лето&lt;/b&gt;" in item, "the caption beside its photo, as text"
    assert "<b>лето" not in page
    assert f'<audio controls preload="none" src="/orders/{order.number}/files/{voice.file_id}">' in page
    assert SCRIPTS["ru"]["story"] in page and SCRIPTS["ru"]["contact"] in page
    assert "Хотим белых птиц и песню" in page, "the wishes in the relative's words"
    answer = await site.client.get(f"/orders/{order.number}/files/{voice.file_id}")
    assert answer.content_type == "audio/ogg" and await answer.read() == VOICE


async def test_download_all_is_one_zip_with_every_photo_and_voice_note(
    site: Site, photos: tuple[bytes, bytes]
) -> None:
    order = place_order(site.desk, 7031, photos=photos, caption=CAPTION, voice=VOICE)
    await site.sign_in()
    answer = await site.client.get(f"/orders/{order.number}/files.zip")
    assert answer.status == 200 and answer.content_type == "application/zip"
    assert f"order-{order.number}.zip" in answer.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(await answer.read()))
    contents = {name: archive.read(name) for name in archive.namelist()}
    assert contents.pop("01-photo.jpg") == photos[0] and contents.pop("02-photo.jpg") == photos[1]
    assert contents.pop("03-voice.ogg") == VOICE
    captions = contents.pop("captions.txt").decode()
    assert f"01-photo.jpg: {CAPTION}" in captions and f"02-photo.jpg: {CAPTION}" in captions
    assert contents == {}


def _clip_form(csrf: str | None, data: bytes, *, token_first: bool = True) -> aiohttp.FormData:
    form = aiohttp.FormData()
    fields: list[tuple[str, Any, dict[str, str]]] = []
    if csrf is not None:
        fields.append(("csrf", csrf, {}))
    fields.append(("clip", io.BytesIO(data), {"filename": "clip.mp4", "content_type": "video/mp4"}))
    for name, value, extra in fields if token_first else reversed(fields):
        form.add_field(name, value, **extra)
    return form


def _status(engine: Engine, order: WlOrder) -> WlOrder:  # noqa: F811
    with Session(engine) as session:
        found = session.get(WlOrder, order.id)
        assert found is not None
        return found


def _clip_rows(engine: Engine) -> list[OutboxRow]:  # noqa: F811
    with Session(engine) as session:
        return list(session.exec(select(OutboxRow).where(OutboxRow.kind == "send_file")))


def _uploads_left(site: Site) -> list[Path]:
    folder = site.files.root / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


async def test_an_uploaded_clip_is_delivered_as_by_the_cli_and_only_once(site: Site) -> None:
    order = place_order(site.desk, 7041, photos=(make_photo(seed=3, side=300),))
    csrf = await site.sign_in()
    target = f"/orders/{order.number}/clip"

    answer = await site.client.post(target, data=_clip_form(csrf, CLIP), allow_redirects=False)
    assert answer.status == 302 and answer.headers["Location"] == f"/orders/{order.number}?done=clip"
    stored = _status(site.desk.engine, order)
    assert stored.status == "delivered" and stored.clip_file_id == hashlib.sha256(CLIP).hexdigest()
    assert site.files.open(stored.clip_file_id) == CLIP
    [row] = _clip_rows(site.desk.engine)
    assert row.params["peer_id"] == 7041 and row.params["file_id"] == stored.clip_file_id
    assert site.wakes, "the outbox sender is woken to send it now"
    assert _uploads_left(site) == [], "the streamed copy is removed once stored"

    page = await (await site.client.get(answer.headers["Location"])).text()
    assert i18n.text("dashboard.orders.clip_sent_sent", "ru") in page
    assert f'src="/orders/{order.number}/files/{stored.clip_file_id}"' in page
    # The player seeks in ranges: the clip is served in parts, not read whole.
    part = await site.client.get(
        f"/orders/{order.number}/files/{stored.clip_file_id}", headers={"Range": "bytes=4-11"}
    )
    assert part.status == 206 and part.content_type == "video/mp4" and await part.read() == b"ftypmp42"

    again = await site.client.post(target, data=_clip_form(csrf, CLIP + b"v2"), allow_redirects=False)
    assert again.status == 409, "a second click or tab sends nothing twice"
    assert len(_clip_rows(site.desk.engine)) == 1

    # The family agreed to publication: publishing drafts the post and asks their approval, as after the CLI.
    settings = PublishingSettings()
    asks: list[Any] = []
    for _ in range(2):
        with Session(site.desk.engine) as session:
            asks += [e for e in plan(session, settings, site.desk.clock) if isinstance(e, Reply)]
            session.commit()
        site.desk.clock.advance(minutes=settings.review_minutes + 1)
    [ask] = asks
    assert ask.peer_id == 7041 and ask.keyboard is not None
    assert ask.text.startswith(i18n.text("publishing.approval.ask", "ru", caption="", number=0)[:15])


async def test_a_clip_upload_is_refused_without_its_token_over_the_limit_or_when_not_a_video(
    site: Site,
) -> None:
    order = place_order(site.desk, 7051)
    csrf = await site.sign_in()
    target = f"/orders/{order.number}/clip"
    cases = [
        (_clip_form(None, CLIP), 403),
        (_clip_form(csrf[:-2] + "xx", CLIP), 403),
        (_clip_form(csrf, CLIP, token_first=False), 403),  # the token must come before the file
        (_clip_form(csrf, CLIP[:16] + b"\x00" * (1024 * 1024)), 413),  # clip_max_mb = 1
        (
            _clip_form(csrf, make_photo(seed=5, side=300)),
            400,
        ),  # a photo picked by mistake never reaches the family
        (_clip_form(csrf, b""), 400),
    ]
    for form, status in cases:
        answer = await site.client.post(target, data=form, allow_redirects=False)
        assert answer.status == status
    missing = await site.client.post("/orders/999/clip", data=_clip_form(csrf, CLIP), allow_redirects=False)
    assert missing.status == 404
    assert _status(site.desk.engine, order).status == "waiting"
    assert _clip_rows(site.desk.engine) == [] and _uploads_left(site) == []
    assert i18n.text("dashboard.orders.clip_not_video", "ru") in await answer.text()
    # Only the upload route takes a large body: a big ordinary form is still refused.
    big = await site.client.post(
        f"/orders/{order.number}/status",
        data={"csrf": csrf, "status": "declined", "reason": "x" * 100_000},
        allow_redirects=False,
    )
    assert big.status == 413 and _status(site.desk.engine, order).status == "waiting"


async def test_move_needs_a_reason_and_puts_the_order_at_the_place(site: Site) -> None:
    first, second = place_order(site.desk, 7061), place_order(site.desk, 7062)
    csrf = await site.sign_in()
    target = f"/orders/{second.number}/move"
    refused = await site.client.post(target, data={"csrf": csrf, "position": "1"}, allow_redirects=False)
    assert refused.status == 400
    moved = await site.client.post(
        target, data={"csrf": csrf, "position": "1", "reason": "годовщина"}, allow_redirects=False
    )
    assert moved.status == 302
    queue = await (await site.client.get("/queue")).text()
    assert queue.index(f"№ {second.number}<") < queue.index(f"№ {first.number}<")


async def test_search_and_filters_find_by_name_number_story_status_dates_and_consent(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = site.desk
    anna = place_order(desk, 7101, subject="Анна Петровна Смирнова", story="Любила вышивать крестиком.")
    desk.clock.advance(days=3)
    boris = place_order(desk, 7102, subject="Борис Ильич", story="Строил мосты на Севере.", publish=False)
    desk.clock.advance(days=3)
    vera = place_order(desk, 7103, subject="Вера", story="Пела в хоре.")
    with Session(desk.engine) as session:
        from waitlist import set_status

        set_status(session, vera.number or 0, "in_progress", None, at=desk.clock.now())
        session.commit()

    def numbers(**query: Any) -> list[int | None]:
        with Session(desk.engine) as session:
            views, total = find_orders(
                session, OrderQuery(**query), settings=desk.settings, now=desk.clock.now()
            )
        assert total == len(views)
        return [v.number for v in views]

    assert numbers() == [anna.number, boris.number, vera.number]
    assert numbers(text="анна") == [anna.number], "Cyrillic matches whatever the case"
    assert numbers(text="СМИРНОВА") == [anna.number]
    assert numbers(text="мосты") == [boris.number], "words from the story"
    assert numbers(text=f"№{vera.number}") == [vera.number]
    assert numbers(text="100%_") == []
    assert numbers(status="in_progress") == [vera.number]
    assert numbers(publish="no") == [boris.number]
    assert numbers(publish="yes") == [anna.number, vera.number]
    assert numbers(since=boris.completed_at, until=vera.completed_at) == [boris.number]

    await site.sign_in()
    day = (boris.completed_at or desk.clock.now()).date().isoformat()
    page = await (await site.client.get(f"/queue?from={day}&to={day}&publish=no")).text()
    found = re.findall(r'<a href="/orders/(\d+)">', page)
    assert found == [str(boris.number)]
    assert i18n.text("dashboard.orders.found", "ru", count=1) in page
    bad = await (await site.client.get("/queue?from=07.12.2026&status=<x>")).text()
    assert i18n.text("dashboard.orders.bad_filter", "ru") in bad and "<x>" not in bad
    assert len(re.findall(r'<a href="/orders/(\d+)">', bad)) == 3, "what was not understood is ignored"
    # "²" is a digit to str.isdigit but no number: not a crash, a page or "not found".
    assert (await site.client.get("/queue?page=%C2%B2&q=%C2%B2")).status == 200
    assert (await site.client.get("/orders/%C2%B2")).status == 404

    monkeypatch.setattr(orders_module, "PAGE_SIZE", 2)
    first = await (await site.client.get("/queue?q=%D0%B0")).text()  # "а": in every name
    assert re.findall(r'<a href="/orders/(\d+)">', first) == [str(anna.number), str(boris.number)]
    assert i18n.text("dashboard.orders.page_of", "ru", page=1, pages=2) in first
    assert 'href="/queue?q=%D0%B0&amp;page=2"' in first, "the next page keeps the search"
    second = await (await site.client.get("/queue?q=%D0%B0&page=2")).text()
    assert re.findall(r'<a href="/orders/(\d+)">', second) == [str(vera.number)]


async def test_the_sign_up_list_shows_who_waits_in_order_as_text(site: Site) -> None:
    clock = site.desk.clock
    with Session(site.desk.engine) as session:
        for peer, contact, status in (
            (7201, "+7 900 000-00-01", "listed"),
            (7202, "<i>почта</i> a@b.c", "listed"),
            (7203, "ушла", "cancelled"),
            (7204, "@vera", "invited"),
        ):
            clock.advance(hours=1)
            session.add(
                WlSignup(
                    peer_id=peer,
                    contact=contact,
                    status=status,
                    created_at=clock.now(),
                    listed_at=clock.now(),
                    invited_at=clock.now() if status == "invited" else None,
                )
            )
        session.commit()
    await site.sign_in()
    page = await (await site.client.get("/signups")).text()
    rows = re.findall(r'<tr id="signup-\d+">(.*?)</tr>', page, re.S)
    assert len(rows) == 3, "the cancelled one is not on the list"
    assert "+7 900 000-00-01" in rows[0] and "<td>1</td>" in rows[0]
    assert "&lt;i&gt;почта&lt;/i&gt;" in rows[1] and "<td>2</td>" in rows[1]
    assert "@vera" in rows[2] and "приглашён" in rows[2]
    assert i18n.text("dashboard.signups.open", "ru") in page
    assert 'href="/signups"' in page, "the nav links it"


def test_a_derived_copy_lives_and_dies_with_its_file(tmp_path: Path) -> None:
    files = LocalFileStore(tmp_path)
    file_id = files.put(b"photo")
    path = files.put_derived(file_id, "thumb", b"small")
    assert path.read_bytes() == b"small" and files.derived_path(file_id, "thumb") == path
    for bad in ("../x", "thumb.jpg", ""):
        with pytest.raises(ValueError):
            files.derived_path(file_id, bad)
    with pytest.raises(ValueError):
        files.derived_path("../../etc/passwd", "thumb")
    files.delete(file_id)
    assert not path.exists() and not files.exists(file_id)


def test_a_file_on_disk_is_stored_in_chunks_under_the_same_id_as_its_bytes(tmp_path: Path) -> None:
    source = tmp_path / "clip.mp4"
    source.write_bytes(CLIP * 4)  # several chunks
    files = LocalFileStore(tmp_path / "store")
    file_id = files.put_file(source)
    assert file_id == hashlib.sha256(CLIP * 4).hexdigest() == files.put(CLIP * 4)
    assert files.open(file_id) == CLIP * 4 and files.put_file(source) == file_id
    assert [p.name for p in (tmp_path / "store").iterdir()] == [file_id[:2]], "no temporary file left"


async def test_sign_ups_close_with_a_hint_and_reopen_from_the_list_page(site: Site) -> None:
    csrf = await site.sign_in()
    closed = await site.client.post(
        "/signups/close", data={"csrf": csrf, "hint": "в марте <b>"}, allow_redirects=False
    )
    assert closed.status == 302 and closed.headers["Location"] == "/signups?done=closed"
    with Session(site.desk.engine) as session:
        assert not signups_open(session) and reopen_hint(session) == "в марте <b>"
    page = await (await site.client.get("/signups")).text()
    assert i18n.text("dashboard.signups.closed", "ru") in page and "в марте &lt;b&gt;" in page
    # A new writer now hears that sign-ups are closed, with her hint.
    [reply, *_] = site.desk.send(7301, SCRIPTS["ru"]["hello"])
    assert "в марте" in reply.text
    assert (await site.client.post("/signups/open", data={}, allow_redirects=False)).status == 403
    opened = await site.client.post("/signups/open", data={"csrf": csrf}, allow_redirects=False)
    assert opened.status == 302
    with Session(site.desk.engine) as session:
        assert signups_open(session) and reopen_hint(session) == ""
