"""A seeded simulator of people writing to the community: relatives through the intake, trolls, commenters.

Relatives behave like people on a phone: they read the bot's last message and tap one of its buttons
(the sandbox delivers the button's payload, as VK does) or type free text, attach photos and voice notes,
and now and then cancel. Trolls write abuse (ru, uk, en, obfuscated) in private and under posts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from vkbot.sandbox import SandboxControl

log = logging.getLogger("vkbot.demo")

# A relative's plan: ("text", s) types s; ("tap", id) taps the button whose payload is {"a": id};
# ("photo",) / ("voice",) send an attachment.
Action = tuple[str, ...]

RELATIVES: dict[str, list[list[Action]]] = {
    "ru": [
        [
            ("text", "Здравствуйте! Мой сын погиб в мае. Можно ли сделать видео с ним?"),
            ("tap", "agree"),
            ("text", "Андрей Викторович Соколов, 1994–2025"),
            ("text", "Я его мама"),
            ("photo",),
            ("tap", "done"),
            ("text", "Он очень любил море и своих дочек. Всегда улыбался, даже когда было трудно."),
            ("tap", "done"),
            ("tap", "wish:wings"),
            ("tap", "done"),
            ("tap", "here"),
            ("tap", "yes"),
            ("tap", "publish_yes"),
            ("tap", "confirm"),
            ("text", "статус"),
        ],
        [
            ("photo",),
            ("text", "Добрый день, это мой папа, его не стало в марте"),
            ("text", "да"),
            ("text", "Николай Иванович"),
            ("text", "дочь"),
            ("tap", "done"),
            ("text", "Папа был шофёром, всю жизнь за рулём. Пел нам песни."),
            ("tap", "done"),
            ("tap", "wish:voice"),
            ("voice",),
            ("tap", "here"),
            ("tap", "no"),
            ("tap", "publish_no"),
            ("tap", "confirm"),
        ],
        [
            ("text", "Здравствуйте, хочу заказать видео для бабушки"),
            ("tap", "agree"),
            ("text", "Мария Степановна"),
            ("text", "отмена"),
            ("tap", "yes"),
        ],
    ],
    "uk": [
        [
            ("text", "Доброго дня! Мій брат загинув на війні. Чи можна зробити відео?"),
            ("tap", "agree"),
            ("text", "Олександр, 1998–2024"),
            ("text", "брат"),
            ("photo",),
            ("tap", "done"),
            ("text", "Він був дуже добрим, завжди допомагав мамі."),
            ("tap", "done"),
            ("tap", "wish:birds"),
            ("tap", "done"),
            ("tap", "here"),
            ("tap", "yes"),
            ("tap", "publish_yes"),
            ("tap", "confirm"),
        ]
    ],
    "en": [
        [
            ("text", "Hello, my grandmother passed away last month. Could you make a farewell video?"),
            ("tap", "agree"),
            ("text", "Margaret Ellis"),
            ("text", "granddaughter"),
            ("photo",),
            ("tap", "done"),
            ("text", "She baked bread every Sunday and taught me to read."),
            ("tap", "done"),
            ("tap", "wish:embrace"),
            ("tap", "done"),
            ("tap", "here"),
            ("tap", "yes"),
            ("tap", "publish_no"),
            ("tap", "confirm"),
        ]
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


def demo_voice(rng: random.Random) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(2048))  # stands for an .ogg voice note


@dataclass
class TrafficStats:
    relatives: int = 0
    finished: int = 0
    abuse: int = 0
    comments: int = 0


class DemoTraffic:
    def __init__(
        self, control: SandboxControl, *, seed: int = 1, speed: float = 1.0, first_user_id: int = 10_000
    ):
        self.control = control
        self.rng = random.Random(seed)
        self.speed = speed
        self.next_user = first_user_id
        self.stats = TrafficStats()
        self.post_id: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        post = await self.control.create_post("Вечная память. Новый ролик по просьбе семьи.")
        self.post_id = int(post["post_id"])
        tasks: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            kind = self.rng.choices(["relative", "abuse", "comment"], weights=[6, 2, 2])[0]
            task = asyncio.create_task(self._one(kind))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await self._pause(stop, self.rng.uniform(2.0, 5.0))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(self, kind: str) -> None:
        try:
            if kind == "relative":
                await self.relative()
            elif kind == "abuse":
                await self.troll()
            else:
                await self.commenter()
        except Exception:  # a demo persona failing must not stop the demo
            log.exception("simulated %s failed", kind)

    def _user(self) -> int:
        self.next_user += 1
        return self.next_user

    async def relative(self) -> None:
        lang = self.rng.choices(["ru", "uk", "en"], weights=[6, 2, 2])[0]
        plan = self.rng.choice(RELATIVES[lang])
        user = self._user()
        self.stats.relatives += 1
        for action in plan:
            seen = len(await self.control.sent(peer_id=user))
            await self._act(user, action)
            await self._await_reply(user, seen)
            await asyncio.sleep(self.rng.uniform(0.3, 1.2) / self.speed)
        self.stats.finished += 1

    async def _act(self, user: int, action: Action) -> None:
        if action[0] == "text":
            await self.control.inject_message(from_id=user, text=action[1])
        elif action[0] == "tap":
            label, payload = await self._button(user, action[1])
            await self.control.inject_message(from_id=user, text=label, payload=payload)
        elif action[0] == "photo":
            att = SandboxControl.attachment("photo", "photo.jpg", demo_photo(self.rng))
            await self.control.inject_message(from_id=user, text="", attachments=[att])
        elif action[0] == "voice":
            att = SandboxControl.attachment("audio_message", "voice.ogg", demo_voice(self.rng))
            await self.control.inject_message(from_id=user, text="", attachments=[att])

    async def _button(self, user: int, answer_id: str) -> tuple[str, dict[str, Any] | None]:
        """The label and payload of the button the bot offered last (or the id typed, if none matches)."""
        for message in reversed(await self.control.sent(peer_id=user)):
            keyboard = message.get("keyboard")
            if not keyboard:
                continue
            data = json.loads(keyboard) if isinstance(keyboard, str) else keyboard
            for row in data.get("buttons", []):
                for button in row:
                    action = button.get("action", {})
                    payload = json.loads(action.get("payload") or "{}")
                    if payload.get("a") == answer_id:
                        return action.get("label", answer_id), payload
            break
        return answer_id, None

    async def _await_reply(self, user: int, seen: int, timeout_s: float = 15.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline and len(await self.control.sent(peer_id=user)) <= seen:
            await asyncio.sleep(0.2)

    async def troll(self) -> None:
        self.stats.abuse += 1
        await self.control.inject_message(from_id=self._user(), text=self.rng.choice(ABUSE))

    async def commenter(self) -> None:
        self.stats.comments += 1
        text = self.rng.choice(ABUSE if self.rng.random() < 0.5 else CIVIL_COMMENTS)
        assert self.post_id is not None
        await self.control.add_comment(from_id=self._user(), post_id=self.post_id, text=text)

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds / self.speed)
        except TimeoutError:
            pass
