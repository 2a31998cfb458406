"""Seeded traffic for benchmarks and the demo: many varied user messages injected at once."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from vkbot.sandbox.uploads import GROUP_PNG

if TYPE_CHECKING:
    from vkbot.sandbox.core import Sandbox

FIRST_USER_ID = 500_000

RELATIVES = (
    "Здравствуйте, хочу заказать видео в память о маме",
    "Добрый день. Мой сын погиб в мае, можно сделать ролик?",
    "Здравствуйте! Сделайте, пожалуйста, видео для бабушки, её не стало зимой",
    "Доброго дня, хочу замовити відео про тата",
    "Hello, my brother died last year, could you make a video?",
    "Отправляю фото и историю, его звали Алексей",
    "Хотим, чтобы были белые птицы и крылья",
    "Песню можно любую спокойную",
    "Да, можно публиковать",
    "Нет, публиковать не надо",
)
COMMANDS = ("статус", "Статус", "status", "отмена", "cancel", "удалить мои данные", "начать", "Start")
TROLLS = (
    "ты дура",
    "кому нужны ваши видео, идиоты",
    "отписка, бред",
    "д.у.р.а",
    "you are stupid",
    "ну и мусор",
)
OTHER = (
    "Спасибо вам огромное 🙏",
    "Когда будет готово?",
    "ок",
    "Сколько ждать?",
    "👍",
    "Подскажите, это бесплатно?",
)


def generate(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` messages: who writes, what, and whether a photo comes with it (deterministic per seed)."""
    pick = random.Random(seed)
    users = [FIRST_USER_ID + seed % 1000 * 10_000 + i for i in range(max(10, count // 8))]
    stream = []
    for _ in range(count):
        roll = pick.random()
        pool = RELATIVES if roll < 0.55 else COMMANDS if roll < 0.7 else TROLLS if roll < 0.85 else OTHER
        stream.append(
            {
                "from_id": pick.choice(users),
                "text": pick.choice(pool),
                "photo": pool is RELATIVES and pick.random() < 0.05,
            }
        )
    return stream


def inject(sb: Sandbox, count: int, seed: int) -> dict[str, Any]:
    """Inject the seeded stream; each message arrives exactly as one sent through /sandbox/messages."""
    stream = generate(count, seed)
    photo_file = (
        sb.media.store_file(GROUP_PNG, "photo.png") if any(item["photo"] for item in stream) else None
    )
    first = last = 0
    for item in stream:
        attachments = []
        if item["photo"] and photo_file is not None:
            attachments.append(
                {"type": "photo", "photo": sb.media.photo(item["from_id"], photo_file, GROUP_PNG)}
            )
        message = sb.state.user_message(item["from_id"], item["text"], attachments)
        first = first or message["id"]
        last = message["id"]
    return {
        "count": count,
        "first_message_id": first,
        "last_message_id": last,
        "users": len({item["from_id"] for item in stream}),
    }
