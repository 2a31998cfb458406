"""A seeded simulator of people around the community: relatives through the intake, a founder working the
queue, trolls and commenters.

Relatives behave like people on a phone: they read what the bot last wrote and the buttons under it, and
answer that question: they tap a button that is there (VK delivers its label and payload), or, on an old
client without keyboards, type the button's words; they type names and stories, send photos (some
forwarded from another chat, some without ``orig_photo``, as real VK sends them) and voice notes. They
never type a button's id. A relative the bot asks the same thing over and over gives up and is counted
as ``stuck``. The founder (``DemoFounder``) starts the next order and delivers the clip of the one in
progress through the same domain calls as `vkbot orders set-status` / `deliver`, so the queue moves and
people on the waiting list are invited. Families who were sent their clip answer the approval question
(mostly "publish as is"; some write their own text, choose a date or say no), so the wall fills with
approved clips and nothing else; commenters write under those posts. Who wrote last and the families
still to answer are kept in the demo folder, so a restart adds nothing twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

import i18n
from vkbot.clock import Clock
from vkbot.sandbox import SandboxControl

log = logging.getLogger("vkbot.demo")

# -- what the bot asks, recognised from the texts it sends ---------------------------------------------

# Catalogue key -> the step it asks (the texts are read in every language: the bot may switch).
QUESTIONS: dict[str, str] = {
    "intake.consent.pd_text": "consent",
    "intake.ask.signup_consent": "consent",
    "intake.ask.subject": "subject",
    "intake.ask.relation": "relation",
    "intake.ask.photos": "photos",
    "intake.reask.photos": "photos",
    "intake.ask.story": "story",
    "intake.reask.story": "story",
    "intake.ask.wishes": "wishes",
    "intake.reask.wishes": "wishes",
    "intake.ask.voice": "voice",
    "intake.reask.voice": "voice",
    "intake.ask.contact": "contact",
    "intake.reask.contact": "contact",
    "intake.ask.notify": "notify",
    "intake.ask.publish": "publish",
    "intake.ask.confirm": "confirm",
    "intake.summary.text": "confirm",
    "intake.reask.confirm": "confirm",
    "intake.ask.correction": "correction",
    "intake.cancel.confirm": "cancel_confirm",
    "intake.notice.invite": "invited",
    "intake.greeting_invited": "invited",
    # After the clip is delivered: the family approves the exact post (publishing.approval).
    "publishing.approval.ask": "approval",
    "publishing.approval.ask_text": "approval_text",
    "publishing.approval.ask_date": "approval_date",
    "publishing.approval.date_unclear": "approval_date",
}
# Where a relative's conversation ends for now.
ENDINGS: dict[str, str] = {
    "intake.placed": "placed",
    "intake.signup.listed": "listed",
    "intake.closed": "closed",
    "intake.cancel.draft_done": "cancelled",
    "intake.cancel.done": "cancelled",
    "intake.declined": "declined",
}
# A step without a recognised text, told by the buttons under it.
BUTTON_STEPS = (
    ("agree", "consent"),
    ("wish:wings", "wishes"),
    ("publish_yes", "publish"),
    ("confirm", "confirm"),
    ("here", "contact"),
    ("skip", "voice"),
)


def _marker(template: str) -> str:
    """The fixed start of a catalogue text (before any ``{field}``), enough to recognise it."""
    head = template.split("{", 1)[0].strip()
    return head[:60]


def _markers() -> list[tuple[str, str, str]]:
    """(marker, kind, step) for every language, longest markers first (the most specific wins)."""
    found = []
    for lang in i18n.LANGUAGES:
        for table, kind in ((QUESTIONS, "ask"), (ENDINGS, "end")):
            for key, step in table.items():
                # An old client without keyboards is asked in the words to write (intake.typed.*).
                for variant in (key, "intake.typed." + key.removeprefix("intake.")):
                    if i18n.has(variant, lang):
                        marker = _marker(i18n.text(variant, lang))
                        if len(marker) >= 8:
                            found.append((marker, kind, step))
    return sorted(set(found), key=lambda item: -len(item[0]))


MARKERS = _markers()


def _language_of(text: str, key: str) -> str:
    """The language the bot wrote ``key``'s text in (the family answers in it)."""
    for lang in i18n.LANGUAGES:
        if _marker(i18n.text(key, lang)) in text:
            return lang
    return i18n.DEFAULT_LANGUAGE


def recognise(texts: list[str], buttons: list[dict[str, Any]]) -> tuple[str, str] | None:
    """What the newest of the bot's messages ask or say: ("ask", step), ("end", outcome) or None."""
    for text in reversed(texts):
        for marker, kind, step in MARKERS:
            if marker in text:
                return kind, step
    ids = {str(b["payload"].get("a", "")) for b in buttons}
    for button_id, step in BUTTON_STEPS:
        if button_id in ids:
            return "ask", step
    return None


# -- who the relatives are ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    lang: str
    hello: str
    subject: str
    relation: str
    story: tuple[str, ...]
    correction: str = ""
    phone: str = ""
    yes: str = "да"
    no: str = "нет"


PERSONAS: dict[str, list[Persona]] = {
    "ru": [
        Persona(
            "ru",
            "Здравствуйте! Мой сын погиб в мае. Можно ли сделать видео с ним?",
            "Андрей Викторович Соколов, 1994–2025",
            "Я его мама",
            ("Он очень любил море и своих дочек. Всегда улыбался, даже когда было трудно.",),
        ),
        Persona(
            "ru",
            "Добрый день, это мой папа, его не стало в марте",
            "Николай Иванович",
            "дочь",
            ("Папа был шофёром, всю жизнь за рулём.", "Пел нам песни, когда мы были маленькими."),
            correction="Отчество — Иванович, через «и»",
            phone="+7 912 345-67-89",
        ),
        Persona(
            "ru",
            "Здравствуйте, хочу заказать видео для бабушки",
            "Мария Степановна",
            "внучка",
            ("Бабушка пекла пироги и вязала нам носки.",),
        ),
    ],
    "uk": [
        Persona(
            "uk",
            "Доброго дня! Мій брат загинув на війні. Чи можна зробити відео?",
            "Олександр, 1998–2024",
            "брат",
            ("Він був дуже добрим, завжди допомагав мамі.",),
            yes="так",
            no="ні",
        )
    ],
    "en": [
        Persona(
            "en",
            "Hello, my grandmother passed away last month. Could you make a farewell video?",
            "Margaret Ellis",
            "granddaughter",
            ("She baked bread every Sunday and taught me to read.",),
            yes="yes",
            no="no",
        )
    ],
}

ABUSE = [
    "Ты тупая с у к а, наживаешься на чужом горе",
    "чтоб ты сдохла со своими видео",
    "Я знаю, где ты живёшь, тебе конец",
    "п0шла н@х*й, мошенница",
    "Ти тупа курва, щоб ти здохла",
    "You are a disgusting vulture, I hope you die",
    "idi nahui, moshennitsa",
    "Заработок от 5000 в день! Переходи: bit.ly/free-money-vk",
]
CIVIL_COMMENTS = [
    "Мне кажется, такие ролики немного жутковаты, но людям, видимо, помогает.",
    "Спасибо вам за вашу работу, плакала весь вечер.",
    "Вечная память всем погибшим.",
]
WISH_IDS = ("wish:embrace", "wish:wings", "wish:birds", "wish:song")
# How families answer the approval question: mostly "publish as is".
APPROVAL_WEIGHTS = {"yes": 12, "closed": 2, "edit": 2, "date": 2, "no": 2}
OWN_CAPTIONS = {
    "ru": "Любим, помним, скорбим. Спасибо всем, кто был рядом.",
    "uk": "Любимо, пам'ятаємо, сумуємо. Дякуємо всім, хто був поруч.",
    "en": "Loved, remembered, missed. Thank you to everyone who was there.",
}
OLD_CLIENT = {"keyboard": False, "inline_keyboard": False, "button_actions": ["text"]}


def demo_photo(rng: random.Random) -> bytes:
    """A small JPEG: a soft portrait-like gradient (the photo check will rightly find no face in it)."""
    h, w = 480, 360
    y, x = np.mgrid[0:h, 0:w]
    base = rng.randint(60, 200)
    img = np.stack([(x * 0.3 + base) % 255, (y * 0.4 + base) % 255, np.full((h, w), base)], axis=-1)
    cv2.circle(img, (w // 2, h // 2 - 40), 80, (200, 190, 180), -1)
    ok, buf = cv2.imencode(".jpg", img.astype(np.uint8))
    assert ok
    return buf.tobytes()


def demo_clip(path: Path, seconds: int = 2, fps: int = 5) -> None:
    """A small real MP4 (a slow fade over a soft circle), so the calendar shows a frame of it."""
    import tempfile

    h, w = 240, 320
    y, x = np.mgrid[0:h, 0:w]
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        tmp = Path(folder) / "clip.mp4"
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
        for i in range(seconds * fps):
            shade = 90 + 4 * i
            img = np.stack([(x * 0.2 + shade) % 255, (y * 0.3 + shade) % 255, np.full((h, w), shade)], -1)
            cv2.circle(img, (w // 2, h // 2), 60, (225, 215, 200), -1)
            writer.write(img.astype(np.uint8))
        writer.release()
        tmp.replace(path)


def demo_voice(rng: random.Random) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(2048))  # stands for an .ogg voice note


@dataclass
class TrafficStats:
    relatives: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # placed, listed, cancelled, stuck, unanswered
    returned: int = 0  # invited people who came back
    abuse: int = 0
    comments: int = 0
    approvals: Counter[str] = field(default_factory=Counter)  # families' answers: yes, edit, date, no

    def line(self) -> str:
        ends = ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items())) or "none yet"
        answers = ", ".join(f"{name} {count}" for name, count in sorted(self.approvals.items())) or "none yet"
        return (
            f"traffic: {self.relatives} relatives ({ends}), {self.returned} came back when invited, "
            f"post approvals ({answers}), {self.abuse} abusive messages, {self.comments} comments"
        )


@dataclass
class _Talk:
    """One relative's conversation as they see it."""

    user: int
    persona: Persona
    old_client: bool
    seen: int = 0
    step: str | None = None
    progress: Counter[str] = field(default_factory=Counter)  # answers given per step
    asked: Counter[str] = field(default_factory=Counter)  # times each question was recognised


class DemoTraffic:
    MAX_TURNS = 40
    MAX_ASKED = 4  # the same question this often: the relative gives up (and is counted as stuck)
    PUBLISH_SHARE = 0.5  # relatives who allow publication at the intake
    READ_EVERY_S = 0.25  # how often a relative looks for the bot's answer (the tests look more often)
    QUIET_S = 0.4  # the bot's answer is complete once nothing more came for this long

    def __init__(
        self,
        control: SandboxControl,
        *,
        clock: Clock,  # the suite's: a family names a date from the suite's today
        seed: int = 1,
        speed: float = 1.0,
        first_user_id: int = 10_000,
        state_file: Path | None = None,
        max_active: int = 30,
    ):
        self.control = control
        self.clock = clock
        self.rng = random.Random(seed)
        self.speed = speed
        self.state_file = state_file
        saved = self._load()
        self.next_user = max(first_user_id, int(saved.get("next_user", 0)))
        self.waiting_list: list[int] = [int(u) for u in saved.get("waiting_list", [])]
        # People whose order was placed: once their clip is delivered they are asked to approve the post.
        self.families: list[int] = [int(u) for u in saved.get("families", [])]
        self.stats = TrafficStats()
        self._active = asyncio.Semaphore(max_active)

    # -- persistence: a restart continues, it does not start over -----------------------------------

    def _load(self) -> dict[str, Any]:
        if self.state_file is None or not self.state_file.exists():
            return {}
        try:
            return dict(json.loads(self.state_file.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            log.warning("demo traffic state %s unreadable; starting with new people", self.state_file)
            return {}

    def _save(self) -> None:
        if self.state_file is not None:
            state = {
                "next_user": self.next_user,
                "waiting_list": self.waiting_list,
                "families": self.families,
            }
            self.state_file.write_text(json.dumps(state), encoding="utf-8")

    # -- the loop ---------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        tasks: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            kind = self.rng.choices(
                ["relative", "returning", "family", "abuse", "comment"], weights=[6, 1, 4, 2, 2]
            )[0]
            task = asyncio.create_task(self._one(kind))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await self._pause(stop, self.rng.uniform(2.0, 5.0))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._save()

    async def _one(self, kind: str) -> None:
        try:
            if kind == "relative":
                async with self._active:
                    await self.relative()
            elif kind == "returning":
                async with self._active:
                    await self.returning()
            elif kind == "family":
                async with self._active:
                    await self.family()
            elif kind == "abuse":
                await self.troll()
            else:
                await self.commenter()
        except asyncio.CancelledError:
            raise
        except Exception:  # a demo persona failing must not stop the demo
            log.exception("simulated %s failed", kind)

    def _user(self) -> int:
        self.next_user += 1
        self._save()
        return self.next_user

    # -- relatives --------------------------------------------------------------------------------------

    async def relative(self) -> str:
        """A new relative writes and answers until the order is placed, listed, cancelled or stuck."""
        lang = self.rng.choices(["ru", "uk", "en"], weights=[6, 2, 2])[0]
        talk = _Talk(self._user(), self.rng.choice(PERSONAS[lang]), old_client=self.rng.random() < 0.1)
        self.stats.relatives += 1
        if self.rng.random() < 0.15:  # some send the photo before anything else
            await self._send_photo(talk)
        await self._say(talk, talk.persona.hello)
        return await self._converse(talk)

    async def returning(self) -> None:
        """Someone on the waiting list who was invited writes back and places the order."""
        for user in list(self.waiting_list):
            texts = [s["text"] for s in await self.control.sent(user)]
            if recognise(texts[-1:], []) == ("ask", "invited"):
                self.waiting_list.remove(user)
                self._save()
                lang = self.rng.choice(list(PERSONAS))
                talk = _Talk(user, self.rng.choice(PERSONAS[lang]), old_client=False, seen=len(texts))
                self.stats.returned += 1
                await self._say(talk, talk.persona.hello)
                await self._converse(talk)
                return

    async def _converse(self, talk: _Talk) -> str:
        outcome = "stuck"
        for _ in range(self.MAX_TURNS):
            texts, buttons = await self._read(talk)
            if texts is None:
                outcome = "unanswered"
                break
            seen = recognise(texts, buttons)
            if seen is not None and seen[0] == "end":
                outcome = seen[1]
                break
            if seen is not None:
                talk.step = seen[1]
                talk.asked[talk.step] += 1
                if talk.asked[talk.step] > self.MAX_ASKED:
                    log.warning(
                        "simulated relative %s: asked %r again and again: %s", talk.user, talk.step, texts
                    )
                    break
            if talk.step is None:
                outcome = "not understood"
                log.warning("simulated relative %s cannot tell what the bot asks: %s", talk.user, texts)
                break
            await self._answer(talk, buttons)
            await asyncio.sleep(self.rng.uniform(0.3, 1.2) / self.speed)
        self.stats.outcomes[outcome] += 1
        if outcome == "listed":
            self.waiting_list.append(talk.user)
            self._save()
        elif outcome == "placed":
            self.families.append(talk.user)
            self._save()
        return outcome

    # -- families approving the post of their clip --------------------------------------------------------

    async def family(self) -> str | None:
        """A family asked to approve their clip's post answers it; returns the answer (None: nobody asked)."""
        for user in list(self.families):
            sent = await self.control.sent(user)
            asked = recognise([s["text"] for s in sent[-1:]], []) == ("ask", "approval")
            if not asked or user not in self.families:  # another simulated hand took it meanwhile
                continue
            self.families.remove(user)  # this family is answering now: no second simulated hand
            self._save()
            lang = _language_of(sent[-1]["text"], "publishing.approval.ask")
            talk = _Talk(user, self.rng.choice(PERSONAS[lang]), old_client=False, seen=len(sent))
            choice = self.rng.choices(list(APPROVAL_WEIGHTS), weights=list(APPROVAL_WEIGHTS.values()))[0]
            _text, buttons = await self.control.sent_keyboard(user)
            await self._approve(talk, buttons, choice)
            texts, _buttons = await self._read(talk)
            step = recognise(texts or [], [])
            if step == ("ask", "approval_text"):
                await self._say(talk, OWN_CAPTIONS.get(talk.persona.lang, OWN_CAPTIONS["ru"]))
            elif step == ("ask", "approval_date"):
                soon = self.clock.now().date() + timedelta(days=self.rng.randint(1, 3))
                await self._say(talk, f"{soon:%d.%m.%Y}")
            self.stats.approvals[choice] += 1
            return choice
        return None

    async def _approve(self, talk: _Talk, buttons: list[dict[str, Any]], choice: str) -> None:
        for button in buttons:
            if button["payload"].get("pub") == choice:
                await self._send(talk, text=button["label"], payload=button["payload"])
                return
        words = i18n.text(f"publishing.approval.words.{choice}", talk.persona.lang).split("|")
        await self._say(talk, words[0])

    async def _answer(self, talk: _Talk, buttons: list[dict[str, Any]]) -> None:
        """Answer the step the bot is on, as this relative would."""
        p, step, n = talk.persona, talk.step, talk.progress[talk.step or ""]
        talk.progress[step or ""] += 1
        if step == "consent":
            await self._choose(talk, buttons, "agree", p.yes)
        elif step == "subject":
            await self._say(talk, p.subject)
        elif step == "relation":
            await self._say(talk, p.relation)
        elif step == "photos":
            if n < 1 + self.rng.randint(0, 1):
                await self._send_photo(talk)
            else:
                await self._choose(talk, buttons, "done")
        elif step == "story":
            if n < len(p.story):
                await self._say(talk, p.story[n])
            else:
                await self._choose(talk, buttons, "done")
        elif step == "wishes":
            if n == 0 and self.rng.random() < 0.7:
                await self._choose(talk, buttons, self.rng.choice(WISH_IDS))
            else:
                await self._choose(talk, buttons, "done")
        elif step == "voice":
            if n == 0 and self.rng.random() < 0.5:
                await self._send(
                    talk,
                    attachments=[SandboxControl.attachment("audio_message", "v.ogg", demo_voice(self.rng))],
                )
            else:
                await self._choose(talk, buttons, "skip")
        elif step == "contact":
            if p.phone and n == 0:
                await self._say(talk, p.phone)
            else:
                await self._choose(talk, buttons, "here")
        elif step == "notify":
            await self._choose(talk, buttons, "yes", p.yes)
        elif step == "publish":
            allows = self.rng.random() < self.PUBLISH_SHARE
            await self._choose(talk, buttons, "publish_yes" if allows else "publish_no")
        elif step == "confirm":
            if p.correction and talk.progress["correction"] == 0:
                await self._choose(talk, buttons, "fix")
            else:
                await self._choose(talk, buttons, "confirm")
        elif step == "correction":
            await self._say(talk, p.correction or "Всё правильно")
        elif step in ("cancel_confirm", "invited"):
            await self._say(talk, p.yes if step == "cancel_confirm" else p.hello)

    async def _choose(
        self, talk: _Talk, buttons: list[dict[str, Any]], answer: str, words: str | None = None
    ) -> None:
        """Tap the button for ``answer`` if it is on screen, else say it in words (never the id)."""
        for button in buttons:
            if button["payload"].get("a") == answer and not talk.old_client:
                await self._send(talk, text=button["label"], payload=button["payload"])
                return
        key = f"intake.button.{answer.replace(':', '_')}"
        label = i18n.text(key, talk.persona.lang) if i18n.has(key, talk.persona.lang) else None
        await self._say(talk, words or (label.lower() if label else talk.persona.yes))

    async def _say(self, talk: _Talk, text: str) -> None:
        await self._send(talk, text=text)

    async def _send_photo(self, talk: _Talk) -> None:
        """A photo as VK really sends them: attached (often without orig_photo) or forwarded from a chat."""
        photo = SandboxControl.attachment(
            "photo", "photo.jpg", demo_photo(self.rng), orig_photo=self.rng.random() < 0.5
        )
        if self.rng.random() < 0.2:
            forwarded = {"from_id": talk.user + 500_000, "text": "", "attachments": [photo]}
            await self._send(talk, fwd_messages=[forwarded])
        else:
            await self._send(talk, attachments=[photo])

    async def _send(self, talk: _Talk, text: str = "", **extra: Any) -> None:
        if talk.old_client:
            extra["client_info"] = OLD_CLIENT
        await self.control.inject_message(talk.user, text, **extra)

    async def _read(
        self, talk: _Talk, timeout_s: float = 30.0
    ) -> tuple[list[str] | None, list[dict[str, Any]]]:
        """Wait for the bot's answer (until it has been quiet a moment): its new texts and the buttons."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        count, quiet_since = talk.seen, None
        while loop.time() < deadline:
            now_count = len(await self.control.sent(talk.user))
            if now_count != count:
                count, quiet_since = now_count, loop.time()
            elif quiet_since is not None and loop.time() - quiet_since >= self.QUIET_S:
                break
            await asyncio.sleep(self.READ_EVERY_S)
        if count == talk.seen:
            return None, []
        sent = await self.control.sent(talk.user)
        texts = [s["text"] for s in sent[talk.seen :]]
        talk.seen = len(sent)
        _text, buttons = await self.control.sent_keyboard(talk.user)
        return texts, buttons

    # -- others -----------------------------------------------------------------------------------------

    async def troll(self) -> None:
        self.stats.abuse += 1
        await self.control.inject_message(from_id=self._user(), text=self.rng.choice(ABUSE))

    async def commenter(self) -> None:
        """A comment under the newest memorial post open to comments (none before the first clip goes up)."""
        posts = [
            p
            for p in (await self.control.wall())["posts"]
            if not p.get("deleted") and p["comments"]["can_post"] and p["post_type"] == "post"
        ]
        if not posts:
            return
        self.stats.comments += 1
        text = self.rng.choice(ABUSE if self.rng.random() < 0.5 else CIVIL_COMMENTS)
        newest = max(posts, key=lambda p: int(p["id"]))
        await self.control.add_comment(from_id=self._user(), post_id=int(newest["id"]), text=text)

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds / self.speed)
        except TimeoutError:
            pass


# -- the founder ---------------------------------------------------------------------------------------


@dataclass
class FounderStats:
    started: int = 0
    delivered: int = 0


class DemoFounder:
    """The founder at work: every while she delivers the clip in progress, or starts the next order, through
    the domain calls `vkbot orders set-status` and `deliver` make; the news goes out through the outbox."""

    def __init__(
        self,
        engine: Engine,
        config: Any,
        clip: Path,
        *,
        clock: Clock,
        speed: float = 1.0,
        every_s: float = 45.0,  # a clip every 90 s at speed 1: the queue fills, then moves
        wake: Any = None,
    ):
        self.engine = engine
        self.config = config
        self.clip = clip
        self.clock = clock
        self.speed = speed
        self.every_s = every_s
        self.wake = wake
        self.stats = FounderStats()

    async def run(self, stop: asyncio.Event) -> None:
        if not self.clip.exists():
            await asyncio.to_thread(demo_clip, self.clip)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.every_s / self.speed)
            except TimeoutError:
                pass
            if stop.is_set():
                break
            try:
                if await asyncio.to_thread(self.work_once) and self.wake is not None:
                    self.wake()
            except Exception:  # the founder's hand slipping must not stop the demo
                log.exception("simulated founder failed")

    def work_once(self) -> str | None:
        """One step of work: deliver the order in progress, else start the first waiting one."""
        import waitlist
        from vkbot.core.store.db import begin_write
        from vkbot.ops.jobs import queue_notices
        from waitlist.filestore import LocalFileStore

        now = self.clock.now()
        settings = self.config.waitlist
        with Session(self.engine) as session:
            begin_write(session)
            busy = waitlist.list_orders(session, settings=settings, now=now, status="in_progress")
            if busy:
                files = LocalFileStore(self.config.storage.files_dir)
                waitlist.deliver(session, busy[0].number, self.clip, files=files, at=now)
                done = f"delivered {busy[0].number}"
                self.stats.delivered += 1
            else:
                waiting = waitlist.list_orders(session, settings=settings, now=now, status="waiting")
                if not waiting:
                    return None
                waitlist.set_status(session, waiting[0].number, "in_progress", None, at=now)
                done = f"started {waiting[0].number}"
                self.stats.started += 1
            queue_notices(session, settings, self.clock)
            session.commit()
        log.info("simulated founder: order %s", done)
        return done

    def line(self) -> str:
        return f"founder: {self.stats.started} orders started, {self.stats.delivered} clips delivered"


__all__ = ["DemoFounder", "DemoTraffic", "TrafficStats", "demo_clip", "recognise"]
