"""Whether a text reads as a relative's order, follow-up or question about a clip (``relative.toml``).

The policy never lets any tier hide such a text (review at most): a relative who swears at the war
or calls herself "дуб дубом" before a question must never be hidden. The test is the same in every
language: the text names the clip, its material or its service, asks, requests or sends something,
speaks of the writer or her family ("я", "мой", "мы") and to no one as "ты" (abuse speaks to its
reader so; a relative writes "вы" to the community).
Pure, no I/O after loading.
"""

from __future__ import annotations

import re
import tomllib
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from moderation.classifier import ABUSE_CATEGORIES, Classification
from moderation.learned import read_words, word_search
from moderation.names import name_words
from moderation.policy import ModerationContext
from moderation.rules import RuleSet

_SENTENCES = re.compile(r"[.!?…\n]+")
# Sentence ends other than "?": a question is a piece of a sentence before a "?".
_STATEMENT_ENDS = re.compile(r"[.!…\n]+")


def _questions(text: str) -> Iterator[str]:
    """Each piece of a sentence that ends in "?"."""
    if "?" in text:
        for part in _STATEMENT_ENDS.split(text):
            yield from part.split("?")[:-1]


# A quoted span of two words or more: «...», “...”, "...", '...'.
_QUOTED = re.compile(r"«[^»]*\s[^»]*»|“[^”]*\s[^”]*”|\"[^\"]*\s[^\"]*\"|(?<!\w)'[^']*\s[^']*'(?!\w)")
# What every _QUOTED match opens with: most texts hold none, and this scan costs a third as much (the
# lookbehind of the last alternative keeps the engine from skipping ahead to a quote by itself).
_OPENING_QUOTE = re.compile("[«“\"']")
# A text that opens by calling someone ("Сынок, ...", "Мама! ..."): a mourner speaking to her dead.
_OPENING_CALL = re.compile(r"\s*(\w+)\s*[,!]")
# Spared only when the rules found no abuse word, even one below their flag score.
_SPARED_WITHOUT_INSULT = frozenset({"to_her_dead", "blessing"})
# Rule categories that keep a death from reading as told by her.
_DEATH_DENIED_BY = frozenset({"threat", "death_wish"})
DEFAULT_RELATIVE = Path(__file__).resolve().parent / "model" / "relative.toml"

__all__ = [
    "RelativeWords",
    "Unguards",
    "asks",
    "bait_rules",
    "reads_as_relative",
    "spared",
    "unguarded",
    "with_guards",
]


@dataclass(frozen=True, slots=True)
class _Words:
    prefixes: tuple[str, ...]
    phrases: tuple[str, ...]
    # A word starting with a prefix or a phrase among the words, as one search over ``joined``.
    _search: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_search", word_search(self.prefixes, self.phrases))

    @classmethod
    def of(cls, raw: dict[str, list[str]]) -> _Words:
        phrases = [" ".join(read_words(p)) for p in raw.get("phrases", [])]
        prefixes = [p for p in raw.get("prefixes", []) if " " not in p]
        return cls(tuple(prefixes), tuple(p for p in phrases if p))

    def found(self, words: list[str], joined: str) -> bool:
        """Some word starts with a prefix, or ``joined`` (the words as " word word ... ") holds a phrase."""
        if not words:
            return "" in self.phrases  # joined is "  ": it holds the empty phrase only
        return self._search.search(joined) is not None


@dataclass(frozen=True, slots=True)
class Unguards:
    """Abuse dressed as a mourner's words (``relative.toml`` [unguard]): each check is named, and a text
    one of them finds keeps no guard of the learned score (see ``RelativeWords.unguarded``). Each finds
    a kind, not a phrase: contempt for a group, mockery of the dead or the clips, a threat, the reader's
    family or home shown to be known, a death wished on the reader in a clip's words, a scam."""

    groups: _Words
    contempt: _Words
    slurs: _Words
    laughter: _Words
    laughter_marks: tuple[str, ...]
    dead: _Words
    mockery: _Words
    names: _Words
    reported_names: _Words
    dead_heap: _Words
    belittle: _Words
    menace: _Words
    reader: frozenset[str]
    pronouns: frozenset[str]
    polite: frozenset[str]
    own: frozenset[str]
    kin: _Words
    details: _Words
    knowing: _Words
    tag_question: re.Pattern[str]
    question_words: frozenset[str]
    asking_stems: tuple[str, ...]
    waiting: _Words
    aimed: _Words
    clip: _Words
    offer: _Words
    payment: _Words
    asking_her: frozenset[str]  # reader words that also ask of her before her kin ("прошу вас маму ...")

    @classmethod
    def of(
        cls, raw: dict[str, dict[str, list[str]]], question_words: frozenset[str] = frozenset()
    ) -> Unguards:
        group, mock, known, turn = (
            raw["group_contempt"],
            raw["mockery"],
            raw["reader_detail"],
            raw["your_turn"],
        )
        tags = "|".join(map(re.escape, known["tags"]))
        return cls(
            _Words.of({"prefixes": group["groups"], "phrases": group["group_phrases"]}),
            _Words.of({"prefixes": group["contempt"], "phrases": group["contempt_phrases"]}),
            _Words.of({"prefixes": group["slurs"], "phrases": group["slur_words"]}),
            _Words.of({"prefixes": mock["laughter"], "phrases": mock["laughter_words"]}),
            tuple(mock["laughter_marks"]),
            _Words.of({"prefixes": mock["dead"], "phrases": mock["dead_phrases"]}),
            _Words.of({"phrases": mock["phrases"]}),
            _Words.of({"prefixes": mock["mock_prefixes"]}),
            _Words.of({"phrases": mock["reported_names"]}),
            _Words.of({"phrases": mock["dead_heap"]}),
            _Words.of({"prefixes": mock["belittle"], "phrases": mock["belittle_phrases"]}),
            _Words.of({"phrases": raw["menace"]["phrases"]}),
            frozenset(known["reader"]),
            frozenset(known["pronouns"]),
            frozenset(known["polite"]),
            frozenset(known["own"]),
            _Words.of({"prefixes": known["kin"], "phrases": known["kin_words"]}),
            _Words.of({"prefixes": known["details"], "phrases": known["detail_words"]}),
            _Words.of({"prefixes": known["knowing"], "phrases": known["knowing_phrases"]}),
            re.compile(rf",\s*(?:{tags})\s*\?", re.IGNORECASE),
            question_words,
            tuple(known["asking_stems"]),
            _Words.of({"prefixes": turn["waiting"]}),
            _Words.of({"phrases": turn["aimed"]}),
            _Words.of({"prefixes": turn["clip"], "phrases": turn.get("clip_phrases", [])}),
            _Words.of({"prefixes": raw["scam"]["offer"], "phrases": raw["scam"]["offer_phrases"]}),
            _Words.of({"prefixes": raw["scam"]["payment"], "phrases": raw["scam"]["payment_phrases"]}),
            frozenset(known["asking_her"]),
        )

    def check(
        self,
        text: str,
        words: list[str],
        joined: str,
        said: tuple[str, ...] = (),
        her_kin: bool = False,
        to_her_dead: bool = False,
    ) -> str:
        """The name of the first check that finds abuse dressed as a mourner's words, or "". ``said``:
        words that report someone else's ("пишут"), which leave a name ("стервятница") out; ``her_kin``:
        the writer names her own kin, and "ты" may be her dead ("Мама, жду ролик про тебя"); ``to_her_dead``:
        the text opens by calling her kin ("Сынок, твоя машина так и стоит во дворе")."""
        if self.slurs.found(words, joined) or (
            self.groups.found(words, joined) and self.contempt.found(words, joined)
        ):
            return "group_contempt"  # "Бурятов тоже оживляете? ... они и живые-то не совсем люди"
        if (
            self.mockery.found(words, joined)
            or (self.names.found(words, joined) and not self._names_reported(words, joined, said))
            or (self.dead_heap.found(words, joined) and self.belittle.found(words, joined))
            or (
                self.dead.found(words, joined)
                and (self.laughter.found(words, joined) or any(m in text for m in self.laughter_marks))
            )
        ):
            return "mockery"  # "А можно ролик где дедуля из гроба встаёт? 😂", "мультики про мертвих"
        if self.menace.found(words, joined):
            return "menace"  # "Я человек терпеливый, но память у меня хорошая"
        if (
            not her_kin
            and self.waiting.found(words, joined)
            and self.aimed.found(words, joined)
            and self.clip.found(words, joined)
        ):
            return "your_turn"  # "Жду, когда и про тебя кто-нибудь напишет «светлая память»"
        if (not to_her_dead or self.polite.intersection(words)) and self._reader_detail(text, words, joined):
            return "reader_detail"  # "машина ваша серая Киа опять у третьего подъезда ночует?"
        if self.offer.found(words, joined) and self.payment.found(words, joined):
            return "scam"  # "Вам одобрен грант ... оплатите госпошлину на карту куратора"
        return ""

    def _names_reported(self, words: list[str], joined: str, said: tuple[str, ...]) -> bool:
        return self.reported_names.found(words, joined) or any(w.startswith(said) for w in words if said)

    def _reader_detail(self, text: str, words: list[str], joined: str) -> bool:
        """The reader's family, home or day shown to be known: a detail named, and the writer confirms
        it (a tag, a question with no question word) or says she knows or watches; the detail is the
        reader's (kin or a detail near a reader word), or, with no such word, a reader's pronoun and no
        word of the writer's own ("мой", "наш")."""
        if self.tag_question.search(text) and self._near_reader(words, kin_only=True):
            return True  # "Your son takes bus 12 after school, right?"
        if not self.details.found(words, joined):
            return False
        knows = self.knowing.found(words, joined)
        confirms = bool(self.tag_question.search(text)) or self._confirms(text)
        if not (knows or confirms):
            return False
        if self._near_reader(words):
            return True
        if self.own.intersection(words):
            return False
        return (
            knows and confirms and bool(self.pronouns.intersection(words) or self.tag_question.search(text))
        )

    def _near_reader(self, words: list[str], kin_only: bool = False) -> bool:
        """A reader word ("your", "ваша", "у вас") with kin or a detail up to five words after it or two
        before it ("машина ваша")."""
        for at, word in enumerate(words):
            if word in self.reader:
                near = words[max(0, at - 2) : at] + words[at + 1 : at + 6]
                near_joined = f" {' '.join(near)} "
                if self.kin.found(near, near_joined) or (
                    not kin_only and self.details.found(near, near_joined)
                ):
                    return True
        return False

    def _confirms(self, text: str) -> bool:
        """A question with no question word, that names a detail or a reader: "5 этаж?", "машина ваша
        ... ночует?" (not "Во сколько вы работаете?")."""
        for question in _questions(text):
            words = read_words(question)
            if not words or self.question_words.intersection(words):
                continue
            if any(w.startswith(self.asking_stems) for w in words):
                continue
            joined = f" {' '.join(words)} "
            if self.details.found(words, joined) or self.reader.intersection(words):
                return True
        return False


@dataclass(frozen=True, slots=True)
class RelativeWords:
    setting: _Words
    asking: _Words
    first_person: frozenset[str]
    kin: tuple[str, ...]
    second_person: frozenset[str]
    thanks: _Words
    not_thanks: tuple[str, ...]
    fate: _Words
    fate_reader: frozenset[str]
    fate_reader_endings: tuple[str, ...]
    reporting: tuple[str, ...]
    said: tuple[str, ...]
    act: tuple[str, ...]
    ty_endings: tuple[str, ...]
    question_tags: frozenset[str]
    closing_tags: tuple[tuple[str, ...], ...] = ()
    not_before_tag: frozenset[str] = frozenset()
    question_words: frozenset[str] = frozenset()
    unguards: Unguards | None = None
    not_asking: tuple[str, ...] = ()  # phrases holding an asking word that ask nothing ("прости господи")
    kin_calls: frozenset[str] = frozenset()  # her kin called at the opening ("Сынок, ..."): [kin] calls
    blessing: _Words | None = None  # a blessing or praise for the reader's family ("дай бог здоровья")
    not_blessing: tuple[str, ...] = ()  # ... a threat dressed so ("жаль будет, если что-то случится")
    not_blessing_words: frozenset[str] = frozenset()  # a condition or regret tied to it ("если", "while")
    not_blessing_prefixes: tuple[str, ...] = ()  # a harm or a place of the child's day ("случи", "школ")
    not_reporting_after: frozenset[str] = frozenset()  # "ты пишешь ..." is the reader's writing
    death: _Words | None = None  # how her kin died ([death]): "убили", "сбила", "втопився", "stabbed"
    others: frozenset[str] = frozenset()  # another's possessive before kin: someone else's family
    death_denied_by: frozenset[str] = frozenset()  # rules that call the death deserved
    close: tuple[str, ...] = ()  # those close to her who are not kin ([death] close), after ``own``
    own: frozenset[str] = frozenset()  # her own possessives ([death] own)
    wish: frozenset[str] = frozenset()  # words that make a death a wish ([death] wish)
    # The last text ``unguarded`` read and its answer: asks, spared, reads_as_relative and with_guards
    # each ask it of the same text in turn (one tuple, replaced whole: safe across threads).
    _last_unguarded: list[tuple[str, str]] = field(
        default_factory=lambda: [("", "")], compare=False, repr=False
    )

    @classmethod
    def load(cls, path: Path = DEFAULT_RELATIVE) -> RelativeWords:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        death = raw.get("death", {})
        return cls(
            _Words.of(raw["setting"]),
            _Words.of(raw["asking"]),
            frozenset(raw["first_person"]["words"]),
            tuple(raw["kin"]["prefixes"]),
            frozenset(raw["second_person"]["words"]),
            _Words.of(raw["spare"]["thanks"]),
            tuple(" ".join(read_words(p)) for p in raw["spare"]["thanks"].get("not_phrases", [])),
            _Words.of(raw["spare"]["fate"]),
            frozenset(raw["spare"]["fate"]["reader"]),
            tuple(raw["spare"]["fate"]["reader_endings"]),
            tuple(raw["spare"]["reported"]["prefixes"]),
            tuple(raw["spare"]["reported"]["said"]),
            tuple(raw["spare"]["reported"]["act"]),
            tuple(raw["question"]["ty_endings"]),
            frozenset(raw["question"]["tags"]),
            tuple(tuple(read_words(t)) for t in raw["question"].get("closing_tags", [])),
            frozenset(raw["question"].get("not_before_tag", [])),
            frozenset(raw["question"].get("question_words", [])),
            Unguards.of(raw["unguard"], frozenset(raw["question"].get("question_words", [])))
            if "unguard" in raw
            else None,
            tuple(" ".join(read_words(p)) for p in raw["asking"].get("not_phrases", [])),
            frozenset(raw["kin"].get("calls", [])),
            _Words.of(raw["spare"]["blessing"]) if "blessing" in raw["spare"] else None,
            tuple(" ".join(read_words(p)) for p in raw["spare"].get("blessing", {}).get("not_phrases", [])),
            frozenset(raw["spare"].get("blessing", {}).get("not_words", [])),
            tuple(raw["spare"].get("blessing", {}).get("not_prefixes", [])),
            frozenset(raw["spare"]["reported"].get("not_after", [])),
            _Words.of(death) if death else None,
            # Another's possessive or a reader's, up to two words before her kin ("your whole family").
            frozenset(death.get("others", []))
            | frozenset(raw.get("unguard", {}).get("reader_detail", {}).get("reader", [])),
            frozenset(death.get("denied_by_rules", [])),
            tuple(death.get("close", [])),
            frozenset(death.get("own", [])),
            frozenset(death.get("wish", [])),
        )

    def unguarded(self, text: str) -> str:
        """The name of the check (``Unguards``) that finds abuse dressed as a mourner's words: hate
        asked as a question, mockery of the dead, a threat holding a word of mourning, a question about
        the reader's family; "" when none does. Such a text keeps no guard of the learned score: it
        does not ask (``asks``), is no relative's (``reads_as_relative``), is not spared for thanks or
        fate (``spared``), and its words of mourning keep no score from hiding it (the policy)."""
        last_text, last = self._last_unguarded[0]
        if text == last_text:
            return last
        found = self._unguarded(text)
        self._last_unguarded[0] = (text, found)
        return found

    def _unguarded(self, text: str) -> str:
        if self.unguards is None:
            return ""
        # Someone else's words, quoted or reported to the admin, are not the writer's.
        if _OPENING_QUOTE.search(text):
            text = _QUOTED.sub(" ", text)
        words = read_words(text)
        if self._reported_unquoted(words):
            return ""
        # "дочекаюсь" waits, it names no daughter ("доч")
        kin_words = [w for w in words if not w.startswith(self.unguards.waiting.prefixes)]
        joined = f" {' '.join(words)} "
        return self.unguards.check(
            text, words, joined, self.said, self._her_kin(kin_words), self._to_her_dead(text)
        )

    def _to_her_dead(self, text: str) -> bool:
        """The text opens by calling her own kin ("Сынок, твоя машина так и стоит во дворе", "Mom, ..."):
        a mourner speaking to her dead. A whole word of ``[kin] calls``: "Мамаша, ..." calls a stranger."""
        opening = _OPENING_CALL.match(text)
        return opening is not None and opening.group(1).lower() in self.kin_calls

    def asks(self, text: str) -> bool:
        """A question the learned score alone may not hide: a sentence ending in "?" (quotes aside)
        that calls no one "ты" and is more than a tag after abuse ("I wish you death. Got it?"), in a
        text that is not abuse dressed as a mourner's words (``unguarded``: hate asked as a question)."""
        if "?" not in text:
            return False
        original = text
        if any(q in text for q in "«“\"'"):
            text = _QUOTED.sub(" ", text)
        for question in _questions(text):
            words = read_words(question)
            if not words or self.question_tags.issuperset(words) or self._tag_closes(words):
                continue
            if self.second_person.intersection(words) or any(
                len(w) > 4 and w.endswith(self.ty_endings) for w in words
            ):
                continue
            return not self.unguarded(original)  # checked last: most texts ask nothing
        return False

    def _tag_closes(self, words: list[str]) -> bool:
        """A statement closed by a tag with no stop before it ("...the chatty ones Got it?", "...сдохни
        поняла?"): at least three words, then the tag, and not "я не поняла" (a relative who did not
        understand), nor a sentence that opens as a question ("Do I send photos here, got it?")."""
        if words[0] in self.question_words:
            return False
        for tag in self.closing_tags:
            rest = len(words) - len(tag)
            if rest >= 3 and tuple(words[rest:]) == tag and words[rest - 1] not in self.not_before_tag:
                return True
        return False

    def tells_death_in_family(self, text: str) -> bool:
        """Her kin, someone close of hers or a given name named, and how they died (``[death]``); no one
        called "ты", no wish, no question but about the clip, and no unguard check."""
        words = read_words(text)
        joined = f" {' '.join(words)} "
        if self.death is None or not self.death.found(words, joined):
            return False
        if self.second_person.intersection(words) or self.wish.intersection(words):
            return False
        if not (
            self._her_kin(words, self.others)
            or self._her_close(words)
            or self._names_someone(words)
            or self._close_and_the_clip(words, joined)
        ):
            return False
        return not self._asks_beside_the_clip(text) and not self.unguarded(text)

    def _close_and_the_clip(self, words: list[str], joined: str) -> bool:
        """Someone close named without a possessive, in a text that asks for the clip ("друга забили до
        смерті якісь виродки... підкажіть що треба для відео"): "Парня застрелили" alone names no one of
        hers, and a mocker does not ask her for a clip."""
        return (
            self._her_kin(words, self.others, self.close)
            and self.setting.found(words, joined)
            and self._asks_something(words, joined)
        )

    def _asks_beside_the_clip(self, text: str) -> bool:
        """A question that names no clip or service: a relative telling a death asks about the clip
        ("Мужа убили. Сколько стоит ролик?"); "вдовушка, муж сгорел, теперь одна?" asks the reader."""
        for question in _questions(text):
            words = read_words(question)
            if words and not self.setting.found(words, f" {' '.join(words)} "):
                return True
        return False

    def _names_someone(self, words: list[str]) -> bool:
        """A given name, not after a reader's or another's possessive ("Сашу убили в подъезде")."""
        given = name_words().given
        return any(w in given and (at == 0 or words[at - 1] not in self.others) for at, w in enumerate(words))

    def _her_close(self, words: list[str]) -> bool:
        """Someone close named after her own possessive, up to two words before ("моего мальчика", "my
        fiance", "нашего любимого малыша"): "Парня застрелили" names no one of hers."""
        return any(
            w.startswith(self.close) and not self.own.isdisjoint(words[max(0, at - 2) : at])
            for at, w in enumerate(words)
        )

    def asks_as_relative(self, text: str) -> bool:
        """Names the clip or its service, asks or sends something, speaks of herself or her kin, and
        calls no one "ты" in a sentence about the clip."""
        words = read_words(text)
        joined = f" {' '.join(words)} "
        if not self.setting.found(words, joined):
            return False
        if not ("?" in text or self._asks_something(words, joined)):
            return False
        if not (self.first_person.intersection(words) or self._her_kin(words)):
            return False
        if any(self._ty_about_the_clip(sentence) for sentence in _SENTENCES.split(text)):
            return False
        return not self.unguarded(text)

    def _asks_something(self, words: list[str], joined: str) -> bool:
        """An asking word, not only inside a phrase that asks nothing ("прости господи")."""
        if not self.asking.found(words, joined):
            return False
        if not any(f" {p} " in joined for p in self.not_asking):
            return True
        for phrase in self.not_asking:
            joined = joined.replace(f" {phrase} ", " ")
        rest = joined.split()
        return self.asking.found(rest, f" {' '.join(rest)} ")

    def _her_kin(
        self, words: list[str], others: frozenset[str] = frozenset(), kin: tuple[str, ...] | None = None
    ) -> bool:
        """Kin named (or those ``kin`` starts), not as the reader's ("your family can order one", "твоя
        мама") nor after ``others`` (which may stand two words before: "your whole family")."""
        kin = self.kin if kin is None else kin
        readers = (
            (self.unguards.reader - self.unguards.asking_her) if self.unguards is not None else frozenset()
        )
        return any(
            w.startswith(kin)
            and (at == 0 or words[at - 1] not in readers)
            and others.isdisjoint(words[max(0, at - 2) : at])
            for at, w in enumerate(words)
        )

    def spared(self, text: str) -> str:
        """Why the learned score alone may not hide the text ("reported", "thanks", "fate", "to_her_dead",
        "blessing"), or "".
        "reported" comes first: it also keeps the rules from hiding."""
        if _OPENING_QUOTE.search(text) and _QUOTED.search(text):
            outside = read_words(_QUOTED.sub(" ", text))
            # ... unless her own words outside the quotes mock the dead or threaten.
            if self._reports(outside) and not self.unguarded(text):
                return "reported"
        words = read_words(text)
        if self._reported_unquoted(words):
            return "reported"
        joined = f" {' '.join(words)} "
        ty = bool(self.second_person.intersection(words))
        if (
            not ty
            and self.thanks.found(words, joined)
            and not any(f" {p} " in joined for p in self.not_thanks)
        ):
            return "" if self.unguarded(text) else "thanks"
        if not ty and self.fate.found(words, joined) and not self._reader(words):
            return "" if self.unguarded(text) else "fate"
        # A mourner speaking to her dead: "ты" is her dead, "ваш/вас" a reader.
        polite = self.unguards.polite if self.unguards is not None else frozenset()
        if self._to_her_dead(text) and not polite.intersection(words):
            return "" if self.unguarded(text) else "to_her_dead"
        if (
            not ty
            and self.blessing is not None
            and self.blessing.found(words, joined)
            and not any(f" {p} " in joined for p in self.not_blessing)
            and not self.not_blessing_words.intersection(words)
            and not any(w.startswith(self.not_blessing_prefixes) for w in words)
        ):
            return "" if self.unguarded(text) else "blessing"
        return ""

    def _reports(self, words: list[str]) -> bool:
        """A reporting word, not the reader's own writing ("ты пишешь «светлая память», а сама ..."):
        not a "ты" verb form, nor after "ты/вы/you" ("тебе пишут «...»" still reports)."""
        return any(
            w.startswith(self.reporting)
            and not w.endswith(self.ty_endings)
            and (at == 0 or words[at - 1] not in self.not_reporting_after)
            for at, w in enumerate(words)
        )

    def _reported_unquoted(self, words: list[str]) -> bool:
        """Someone else said it (a saying word not after "ты/вы/you") and the admin is asked to act."""
        if not any(w.startswith(self.act) for w in words):
            return False
        readers = self.second_person | self.fate_reader | {"вы", "ви"}
        return any(
            w.startswith(self.said) and (at == 0 or words[at - 1] not in readers)
            for at, w in enumerate(words)
        )

    def _reader(self, words: list[str]) -> bool:
        return bool(self.fate_reader.intersection(words)) or any(
            w.endswith(self.fate_reader_endings) for w in words
        )

    def _ty_about_the_clip(self, sentence: str) -> bool:
        words = read_words(sentence)
        if not self.second_person.intersection(words):
            return False
        return self.setting.found(words, f" {' '.join(words)} ")


@lru_cache(maxsize=1)
def _default() -> RelativeWords:
    return RelativeWords.load()


def reads_as_relative(text: str, classification: Classification, classifier: object) -> bool:
    """With the shipped word lists (``RelativeWords.asks_as_relative``), unless one of the
    classifier's rules that make a message no order matched: an order as bait for harassment
    ("скинь фотки в купальнике, тогда закажу") is no order."""
    bait = bait_rules(classifier)
    if any(s.rule in bait for s in classification.signals):
        return False
    return _default().asks_as_relative(text)


def tells_death(text: str, classification: Classification) -> bool:
    """With the shipped word lists (``RelativeWords.tells_death_in_family``), unless a rule finds a
    threat, a death wish or the death called deserved."""
    relative = _default()
    return relative.tells_death_in_family(text) and not any(
        s.category in _DEATH_DENIED_BY or s.rule in relative.death_denied_by for s in classification.signals
    )


_BAIT: weakref.WeakKeyDictionary[object, frozenset[str]] = weakref.WeakKeyDictionary()


def bait_rules(classifier: object) -> frozenset[str]:
    """The rules (``beats_order``) of a classifier with a rule set; worked out once per classifier."""
    found = _BAIT.get(classifier)
    if found is None:
        rules = getattr(classifier, "rules", None)
        bait = (r.name for r in rules.rules if r.beats_order) if isinstance(rules, RuleSet) else ()
        found = _BAIT[classifier] = frozenset(bait)
    return found


def asks(text: str) -> bool:
    """With the shipped word lists: see ``RelativeWords.asks``."""
    return _default().asks(text)


def spared(text: str) -> str:
    """With the shipped word lists: see ``RelativeWords.spared``."""
    return _default().spared(text)


def unguarded(text: str) -> str:
    """With the shipped word lists: see ``RelativeWords.unguarded``."""
    return _default().unguarded(text)


def with_guards(
    base: ModerationContext, text: str, classification: Classification, classifier: object
) -> ModerationContext:
    """``base`` with what keeps a tier from hiding the text (a question, a relative's words, why it is
    spared) and the check that voids those guards for abuse dressed as a mourner's words: as the
    pipeline, eval and the training's threshold choice all read a text."""
    why = spared(text)
    # A mourner's call to her dead and a blessing are spared only with no insult at all, even one the
    # rules do not count ("Мама, посмотри какая тупая тварь делает эти ролики").
    if why in _SPARED_WITHOUT_INSULT and any(
        s.category in ABUSE_CATEGORIES and s.source == "rules" for s in classification.signals
    ):
        why = ""
    return replace(
        base,
        question=asks(text),
        relative=reads_as_relative(text, classification, classifier),
        # On the wall, mockery of a clip tells a death too ("бабушка бы со стыда второй раз умерла").
        told_death=base.channel == "message" and tells_death(text, classification),
        spared=why,
        unguarded=unguarded(text),
    )
