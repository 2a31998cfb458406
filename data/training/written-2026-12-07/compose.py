"""Build train.jsonl and heldout.jsonl from the hand-written lines in this folder (deterministic).

Each hand-written line is a *core*. A fifth of the cores (by a seeded hash of the line) is held out: neither it nor any variant of it is ever trained on. A core appears as written and in
up to three variants: with an opener or a closer written for its setting, in lower case without the
final stop (as typed on a phone), or joined with another core of the same split whose category fits
(grief then an order, a question after a self-deprecating remark, an insult then a threat). Run from
the repository root: ``python data/training/written-2026-12-07/compose.py``; a later set of lines in
``ru.py``, ``uk.py`` and ``en.py``: ``python data/training/written-2026-12-07/compose.py FOLDER PREFIX``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import batch2  # noqa: E402
import batch3  # noqa: E402
import batch4  # noqa: E402
import batch5  # noqa: E402
import en  # noqa: E402
import ru_abusive  # noqa: E402
import ru_ok  # noqa: E402
import uk  # noqa: E402

SEED = 20261207

CORES: dict[tuple[str, str, str], list[str]] = {
    ("ru", "abusive", "threat"): ru_abusive.THREAT,
    ("ru", "abusive", "threat_veiled"): ru_abusive.VEILED,
    ("ru", "abusive", "death_wish"): ru_abusive.DEATH_WISH,
    ("ru", "abusive", "hate_speech"): ru_abusive.HATE,
    ("ru", "abusive", "nonprofane_insult"): ru_abusive.INSULT,
    ("ru", "abusive", "mock_dead"): ru_abusive.MOCK_DEAD,
    ("ru", "abusive", "sexual_harassment"): ru_abusive.SEXUAL,
    ("ru", "abusive", "spam"): ru_abusive.SPAM,
    ("ru", "ok", "order"): ru_ok.ORDER,
    ("ru", "ok", "order_followup"): ru_ok.FOLLOWUP,
    ("ru", "ok", "question"): ru_ok.QUESTION,
    ("ru", "ok", "grief_venting"): ru_ok.GRIEF,
    ("ru", "ok", "swearing_praise"): ru_ok.PRAISE,
    ("ru", "ok", "dark_humour_self"): ru_ok.DARK_SELF,
    ("ru", "ok", "civil_criticism"): ru_ok.CIVIL,
    ("ru", "ok", "quoted_report"): ru_ok.QUOTED,
}
for _lang, _label, _groups2 in (
    ("ru", "abusive", batch2.RU_ABUSIVE),
    ("ru", "ok", batch2.RU_OK),
    ("uk", "ok", batch2.UK_OK_EXTRA),
    ("en", "ok", batch2.EN_OK_EXTRA),
    ("uk", "abusive", batch3.UK_ABUSIVE),
    ("uk", "ok", batch3.UK_OK),
    ("en", "abusive", batch3.EN_ABUSIVE),
    ("en", "ok", batch3.EN_OK),
    ("ru", "ok", batch3.RU_OK),
    ("ru", "abusive", batch4.RU_ABUSIVE),
    ("uk", "abusive", batch4.UK_ABUSIVE),
    ("en", "abusive", batch4.EN_ABUSIVE),
    ("ru", "ok", batch4.RU_OK),
    ("en", "ok", batch5.EN_OK),
    ("uk", "ok", batch5.UK_OK),
):
    for _category, _lines in _groups2.items():
        CORES[(_lang, _label, _category)] = CORES.get((_lang, _label, _category), []) + _lines
for _lang, _module in (("uk", uk), ("en", en)):
    for _label, _groups in (("abusive", _module.ABUSIVE), ("ok", _module.OK)):
        for _category, _lines in _groups.items():
            CORES[(_lang, _label, _category)] = CORES.get((_lang, _label, _category), []) + _lines

# Openers and closers a writer of each kind might put around the core.
OPENERS = {
    ("ru", "ok"): [
        "Здравствуйте. ",
        "Добрый день! ",
        "Добрый вечер, ",
        "Извините за беспокойство. ",
        "Доброе утро. ",
        "Простите, что поздно пишу. ",
    ],
    ("ru", "abusive"): [
        "Слышь, ",
        "Эй, ты. ",
        "Короче. ",
        "Админ, читай внимательно: ",
        "Ну что, ",
        "Запомни: ",
    ],
    ("uk", "ok"): ["Добрий день. ", "Доброго вечора! ", "Вибачте, що турбую. ", "Здрастуйте, "],
    ("uk", "abusive"): ["Слухай, ", "Ей, ти. ", "Коротше. ", "Запам'ятай: "],
    ("en", "ok"): ["Hello. ", "Hi there, ", "Sorry to bother you. ", "Good evening, "],
    ("en", "abusive"): ["Listen, ", "Hey you. ", "Read this carefully: ", "Remember: "],
}
CLOSERS = {
    ("ru", "ok"): [
        " Спасибо.",
        " Заранее благодарю",
        " С уважением, Ольга",
        " Жду ответа.",
        " 🙏",
        " Спасибо вам за то, что вы делаете",
    ],
    ("ru", "abusive"): [
        " Жди.",
        " Поняла?",
        " 😈",
        " Это последнее предупреждение.",
        " Так и знай.",
        " Удачи)))",
    ],
    ("uk", "ok"): [" Дякую.", " Заздалегідь дякую", " З повагою, Галина", " 🙏"],
    ("uk", "abusive"): [" Чекай.", " Зрозуміла?", " Так і знай.", " 😈"],
    ("en", "ok"): [" Thank you.", " Thanks in advance", " Kind regards, Sarah", " 🙏"],
    ("en", "abusive"): [" Count on it.", " Got it?", " Just so you know.", " 😈"],
}
# Which categories may be joined (first, second), same language and label.
JOINS = {
    "ok": [
        ("grief_venting", "order"),
        ("dark_humour_self", "question"),
        ("swearing_praise", "order_followup"),
        ("grief_venting", "question"),
        ("order_followup", "question"),
        ("civil_criticism", "question"),
    ],
    "abusive": [
        ("nonprofane_insult", "threat"),
        ("nonprofane_insult", "death_wish"),
        ("hate_speech", "nonprofane_insult"),
        ("mock_dead", "death_wish"),
        ("threat_veiled", "threat"),
        ("nonprofane_insult", "sexual_harassment"),
    ],
}
CHANNELS = {
    "order": ("message",),
    "order_followup": ("message",),
    "question": ("message", "message", "comment"),
    "quoted_report": ("message",),
    "civil_criticism": ("comment", "comment", "message"),
    "spam": ("comment", "message"),
}


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _casual(text: str) -> str:
    return text.rstrip(".!").lower() if not text.endswith("?") else text.lower()


def build(
    cores: dict[tuple[str, str, str], list[str]] | None = None,
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    # Every choice is seeded by the line itself, so adding lines never moves another line across the
    # split nor changes its variants. A later set passes its own cores (written-2026-12-07b).
    split: dict[str, list[dict[str, str]]] = {"train": [], "heldout": []}
    cores_by: dict[tuple[str, str, str, str], list[str]] = {}
    for (lang, label, category), lines in sorted((CORES if cores is None else cores).items()):
        for core in sorted(set(lines), key=_stable):
            part = "heldout" if _stable(f"{SEED}/split/{core}") % 5 == 0 else "train"
            cores_by.setdefault((part, lang, label, category), []).append(core)
    for (part, lang, label, category), chosen in sorted(cores_by.items()):
        for core in chosen:
            rng = random.Random(f"{SEED}/{core}")
            group = f"{lang}/{category}/{_stable(core):08x}"
            variants = [core]
            kind = rng.random()
            if kind < 0.45:
                variants.append(rng.choice(OPENERS[(lang, label)]) + core)
            elif kind < 0.8:
                variants.append(core + rng.choice(CLOSERS[(lang, label)]))
            if rng.random() < 0.5:
                variants.append(_casual(core))
            for text in variants:
                channel = rng.choice(CHANNELS.get(category, ("message", "comment")))
                split[part].append(_row(text, lang, label, category, channel, group))
    for part in ("train", "heldout"):
        for lang in ("ru", "uk", "en"):
            for label, pairs in JOINS.items():
                for first, second in pairs:
                    a = cores_by.get((part, lang, label, first), [])
                    b = cores_by.get((part, lang, label, second), [])
                    for x in a:
                        rng = random.Random(f"{SEED}/{second}/{x}")
                        if rng.random() < 0.6 and b:
                            y = rng.choice(b)
                            sep = " " if x.endswith((".", "!", "?", ")")) else ". "
                            category = second if label == "ok" else first
                            channel = rng.choice(CHANNELS.get(second, ("message", "comment")))
                            group = f"{lang}/{category}/{_stable(x):08x}+{_stable(y):08x}"
                            split[part].append(_row(x + sep + y, lang, label, category, channel, group))
    return split["train"], split["heldout"]


def _row(text: str, lang: str, label: str, category: str, channel: str, group: str) -> dict[str, str]:
    return {
        "text": text,
        "lang": lang,
        "channel": channel,
        "label": label,
        "category": category,
        "group": group,
    }


def main(
    cores: dict[tuple[str, str, str], list[str]] | None = None, here: Path = HERE, prefix: str = "w1207"
) -> None:
    train, heldout = build(cores)
    for name, rows in (("train", train), ("heldout", heldout)):
        seen: set[str] = set()
        lines = []
        for i, row in enumerate(rows):
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            lines.append(json.dumps({"id": f"{prefix}-{name}-{i:04d}", **row}, ensure_ascii=False))
        (here / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(name, len(lines))


def later_set_cores(folder: Path) -> dict[tuple[str, str, str], list[str]]:
    """The cores of a later set: its ``ru.py``, ``uk.py`` and ``en.py``, each with ``ABUSIVE`` and ``OK``
    ({category: lines}); loaded by path, so they never clash with this set's modules of the same name."""
    cores: dict[tuple[str, str, str], list[str]] = {}
    for lang in ("ru", "uk", "en"):
        spec = importlib.util.spec_from_file_location(f"{folder.name}_{lang}", folder / f"{lang}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for label, groups in (("abusive", module.ABUSIVE), ("ok", module.OK)):
            for category, lines in groups.items():
                cores.setdefault((lang, label, category), []).extend(lines)
    return cores


def compose_later_set(folder: Path, prefix: str) -> None:
    """Write a later set's train.jsonl and heldout.jsonl with this set's recipe."""
    main(later_set_cores(folder), folder, prefix)


if __name__ == "__main__":
    # A later set by name and id prefix: ``compose.py written-2026-12-08 w1208``.
    if len(sys.argv) == 3:
        compose_later_set(HERE.parent / sys.argv[1], sys.argv[2])
    else:
        main()
