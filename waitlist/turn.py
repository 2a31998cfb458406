"""One incoming message being handled: what it is, who sent it, and the replies gathered so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

import i18n
from waitlist.dialog import PD_CONSENT_QUESTION, Step
from waitlist.effects import MAX_TEXT, Button, Keyboard, Reply
from waitlist.inbound import InboundMessage
from waitlist.models import WlConversation
from waitlist.ports import Downloader, FileStore
from waitlist.settings import WaitlistSettings

__all__ = ["Turn", "command_row", "keyboard_for"]


def command_row(lang: str) -> tuple[Button, ...]:
    return (
        Button(i18n.text("intake.button.status", lang), {"cmd": "status"}),
        Button(i18n.text("intake.button.human", lang), {"cmd": "human"}),
        Button(i18n.text("intake.button.help", lang), {"cmd": "help"}),
    )


def keyboard_for(step: Step | None, lang: str) -> Keyboard:
    """The step's answer buttons, then a row of the commands that always work."""
    rows: list[tuple[Button, ...]] = []
    for ids in step.buttons if step else ():
        color = "positive" if ids[0] in {"yes", "agree", "confirm", "done", "publish_yes"} else "secondary"
        rows.append(
            tuple(
                Button(i18n.text(f"intake.button.{i.replace(':', '_')}", lang), {"a": i}, color) for i in ids
            )
        )
    rows.append(command_row(lang))
    return Keyboard(rows=tuple(rows), one_time=False, inline=False)


@dataclass
class Turn:
    session: Session
    msg: InboundMessage
    settings: WaitlistSettings
    now: datetime
    files: FileStore
    downloader: Downloader
    conv: WlConversation
    replies: list[Reply] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.conv.lang

    def t(self, key: str, **params: Any) -> str:
        if not self.msg.keyboard_supported:  # no buttons on screen: the words to write instead of a press
            typed = "intake.typed." + key.removeprefix("intake.")
            key = typed if i18n.has(typed, self.lang) else key
        return i18n.text(key, self.lang, **params)

    def say(self, text: str, keyboard: Keyboard | None = None, attachment_file: str | None = None) -> None:
        if keyboard is not None and not self.msg.keyboard_supported:
            keyboard = None  # free text always works; buttons only where the client shows them
        key = f"{self.msg.event_key}:reply:{len(self.replies)}"
        self.replies.append(Reply(self.msg.peer_id, text[:MAX_TEXT], key, keyboard, attachment_file))

    def say_key(self, key: str, **params: Any) -> None:
        self.say(self.t(key, **params))

    def question_key(self, step: Step) -> str:
        return self.settings.pd_consent_text_key if step.question == PD_CONSENT_QUESTION else step.question

    def ask(self, step: Step | None, lead: str = "") -> None:
        """Ask the step's question (after an optional lead-in sentence) with its buttons."""
        if step is None:
            self.say(lead or self.t("intake.idle_hint"), keyboard_for(None, self.lang))
            return
        question = self.t(self.question_key(step))
        self.say(f"{lead}\n\n{question}" if lead else question, keyboard_for(step, self.lang))
