"""The policy: abuse hidden, grief and war kept, protected conversations only flagged, self-harm urgent."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.classifier import Classification, OfflineClassifier, Signal
from moderation.evaluation import evaluate, load_items
from moderation.policy import ModerationContext, decide
from moderation.settings import ModerationSettings

SETTINGS = ModerationSettings()
OPEN = ModerationContext("message")


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


def verdict(clf: OfflineClassifier, text: str, context: ModerationContext = OPEN):
    return decide(clf.classify(text, context.channel), context, SETTINGS)


GRIEF_AND_WAR = [
    "Моего сына убили под Авдеевкой, хоронили в закрытом гробу. Сделайте ролик, прошу.",
    "Проклятая война, сука, забрала у меня всех. Простите за мат.",
    "Папу расстреляли оккупанты, эти твари даже тело не отдали.",
    "Дід загинув на фронті, бабуся померла від горя. Вічна пам'ять.",
    "My husband was killed by a drone strike. I just want to see him smile again.",
    "Убейте, не помню, какого числа похороны были. Кажется, в субботу.",
    "Мне написали «чтоб ты сдохла вместе с ним». Как такое удалить?",
    "Нашу суку пришлось усыпить, она была с папой до конца.",
    "Какого хрена военкомат тянул с похоронкой три месяца, пиздец просто.",
    "Батько застрахував життя, але страховка не допомогла.",
]


@pytest.mark.parametrize("text", GRIEF_AND_WAR)
def test_grief_and_war_never_hidden(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined"


def test_dog_is_ok_addressed_bitch_is_not(clf: OfflineClassifier) -> None:
    assert verdict(clf, "Наша сука ощенилась, можно щенков в ролик?").status == "ok"
    assert verdict(clf, "Ну ты и сука, на горе наживаешься").status == "quarantined"


@pytest.mark.parametrize(
    "text",
    [
        "Я знаю, где ты живешь. Жди гостей.",
        "Чтоб ты сгорела вместе со своими видосами",
        "Тебе не жить, если не удалишь.",
        "Щоб ти здохла разом зі своїми роликами",
        "I hope you die slowly",
        "I will find you, mark my words",
    ],
)
def test_threats_and_death_wishes_without_obscenity(clf: OfflineClassifier, text: str) -> None:
    v = verdict(clf, text)
    assert v.status == "quarantined"
    assert v.evidence
    assert not v.answer


def test_protected_conversation_only_flagged(clf: OfflineClassifier) -> None:
    protected = ModerationContext("message", protected=True)
    v = verdict(clf, "Ты тупая тварь, где мое видео?", protected)
    assert v.status == "flagged"
    assert "protected_conversation" in v.reasons


def test_order_inside_abuse_still_answered(clf: OfflineClassifier) -> None:
    ctx = ModerationContext("message", has_order_content=True)
    v = verdict(clf, "Мразь, хочу заказать видео с отцом", ctx)
    assert v.status == "flagged" and v.answer


def test_self_harm_is_urgent_and_shown(clf: OfflineClassifier) -> None:
    v = verdict(clf, "Не хочу жить без него, сука, и вы все твари")
    assert v.urgent and v.status == "flagged" and v.answer
    assert v.categories[0] == "self_harm"


def test_ml_alone_flags_and_quarantines_only_when_enabled() -> None:
    empty = Classification()
    assert decide(empty, OPEN, SETTINGS, {"insult": 0.99}).status == "flagged"
    enabled = SETTINGS.model_copy(update={"ml_quarantine_enabled": True})
    assert decide(empty, OPEN, enabled, {"insult": 0.99}).status == "quarantined"
    assert decide(empty, OPEN, enabled, {"insult": 0.9}).status == "flagged"
    protected = ModerationContext("message", protected=True)
    assert decide(empty, protected, enabled, {"insult": 0.99}).status == "flagged"


def test_unaimed_signal_does_not_flag() -> None:
    weak = Classification((Signal("obscene", "rules", 0.3, "ru.obscene.blya:unaimed"),))
    assert decide(weak, OPEN, SETTINGS).status == "ok"


def test_civil_criticism_visible(clf: OfflineClassifier) -> None:
    for text in [
        "Считаю такие ролики неэтичными, вы зарабатываете на чужом горе.",
        "Слишком дорого, и ответа я жду уже неделю. Разочарована.",
    ]:
        assert verdict(clf, text).status == "ok"


# False friends found while generalising the rules: each was hidden, or would have been, by a rule.
GRIEF_FALSE_FRIENDS = [
    "Врачи сказали, недолго ей осталось, успеете сделать видео до её дня рождения?",
    "Служил на Черноморском флоте, погиб в 2022. Сделайте ролик.",
    "Дед в ватнике на фото, 1943 год, можно оживить?",
    "У сына был синдром Дауна, он был самым добрым человеком. Вы сможете сделать видео?",
    "Скоро мы все тут подохнем от обстрелов, но видео сделайте, пожалуйста.",
    "Я вас нашла через знакомых, хочу заказать видео с папой.",
    "Давайте встретимся у подъезда, я передам вам фотографии.",
    "Гореть им в аду, тем кто убил моего сына. Сделайте видео, прошу.",
    "Мне сказали, что вы шарлатаны, но я не верю. Сколько стоит?",
    "Вы выиграли моё сердце, спасибо за видео!",
    "Кто-то пишет гадости под видео, удалите пожалуйста.",
    "На вашем месте должны работать профессионалы, а не новички.",
    "Украинские семьи не заслуживают такого горя. Сделайте видео для мамы.",
    "Хохлома на фото за спиной у бабушки, это её работа.",
    "Вы не представляете, какие ублюдки бомбили наш город. Сына не стало. Сделайте видео.",
    "Эти твари убили моего мужа, вы бы видели, что они сделали. Сделайте ролик.",
    "Вы ответите за сроки? Мне нужно к девятому мая.",
    "Вы пожалеете, что не видели его улыбку, он был таким светлым.",
    "Вам конец месяца подходит для оплаты?",
    "Ты следующая в очереди, написали мне в чате заказов, это правда?",
    "Дура я, что не сохранила голосовые. Простите.",
    "Идиотская ситуация: видео пришло без звука.",
]


@pytest.mark.parametrize("text", GRIEF_FALSE_FRIENDS)
def test_false_friends_stay_visible(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined"


@pytest.mark.parametrize(
    "text",
    [
        "Гореть тебе в аду за такие ролики",  # infinitive + dative curse
        "Смотри, как бы с тобой чего не случилось",  # veiled threat idiom
        "Надеюсь, тебя скоро закопают",  # passive death wish
        "Подожжём твою квартиру, поняла?",  # generated first-person threat verb
        "Мы тебя вычислили, сиди и бойся",  # doxxing
        "Ты реально больная, на мёртвых наживаешься",  # ambiguous adjective said to the reader
        "Проходимки вроде тебя наживаются на горе",  # generated insult noun form
    ],
)
def test_general_abuse_classes(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined"


# Two sets written by hand for this check, in the dev set's style, never from it:
# - held-out (84 items) was written before any rule change (first look: recall 0.595, fpr_ok 0.071);
#   some rule classes were then added after reading its misses, so its figure is optimistic;
# - fresh (41 items) was written after those changes and first scored recall 0.696, fpr_ok 0;
#   four general constructions followed;
# - fresh3 (30 items) was written last and never tuned on: recall 0.562 (old rules 0.50), fpr 0;
#   the blind-A families (not its misses) later took it to 0.75;
# The honest estimate for unseen data is the first looks (0.56-0.70), not the tuned figures.
# The bands below hold the current figures with a little room, so a regression fails loudly.
@pytest.mark.parametrize(
    ("name", "min_recall"),
    [
        ("moderation-heldout.jsonl", 0.85),
        ("moderation-fresh.jsonl", 0.80),
        ("moderation-fresh3.jsonl", 0.70),
        # blind-a: written before reading the rules, first look 0.735; its misses then guided rule
        # families, so 1.0 is tuned. blind-b: same author and time, scored once at the end: 0.833.
        ("moderation-blind-a.jsonl", 0.95),
        ("moderation-blind-b.jsonl", 0.80),
    ],
)
def test_hand_written_sets_keep_grief_visible_and_recall(name: str, min_recall: float) -> None:
    items = load_items(Path(__file__).resolve().parent / "data" / name)
    figures = evaluate(items, OfflineClassifier(), SETTINGS).summary()
    assert figures["fpr_grief"] == 0
    assert figures["fpr_ok"] <= 0.05
    assert figures["recall_abusive"] >= min_recall


# Families added after the blind set A (tests/data/moderation-blind-a.jsonl). Each family is tested
# with phrasings that are not in set A, and with the ok sentences closest to it.
FAMILY_ABUSE = [
    # harsh judgement said to the reader as a predicate
    "Какие же вы отвратительные, честное слово",
    "Ты просто жалок со своими ангелочками",
    "Мерзка ты, и ролики твои такие же",
    "Ви огидні, як і ваша справа",
    "You people are so despicable",
    # veiled threats: dismissive opener + future meeting; regret; family; the reader's own clip
    "Ну-ну, ещё свидимся, не сомневайся",
    "Нічого, ще зустрінемося",
    "Ещё пожалеешь, если не удалишь",
    "Твои детки тоже смертны, помни это",
    "Знаю, в какую школу ходит твой сын",
    "Будешь героиней своего же ролика, обещаю",
    "Спляшу на твоей могиле",
    "Таких, как ты, надо расстреливать",
    "Die, you parasite",
    # mocking the dead / the grief business, said to the reader
    "Торгуешь трупами и не краснеешь",
    "Ви торгуєте трупами заради грошей",
    "Вы наживаетесь на покойниках",
    "You are profiting off dead people",
    # obscene imperative and separators
    "съебись из интернета",
    "у_ё_б_ы_в_а_й отсюда",
]


@pytest.mark.parametrize("text", FAMILY_ABUSE)
def test_blind_a_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


FAMILY_OK = [
    "Вы не пожалеете, что заказали у неё, очень душевно",
    "Ничего, мы ещё встретимся там, сынок. Жди меня.",
    "Ваши родители не вечны, звоните им чаще, пока можно",
    "Мои дети до сих пор не верят, что папы нет",
    "Следующий ролик хочу про дедушку, можно?",
    "Мне кажется, это бизнес на чужом горе, но дело ваше",
    "Это отвратительно сделано, руки смазаны, переделайте",
    "Война омерзительна. Мой брат не вернулся.",
    "Я была жалкая в те дни, простите, что так писала",
    "Пиздец как больно, вы даже не представляете",
    "test_case_one и a_b_c остаются как есть",
]


@pytest.mark.parametrize("text", FAMILY_OK)
def test_blind_a_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


# Second round: the rest of the families named in issue 5's misses (not from any set's sentences).
FAMILY_ABUSE_2 = [
    "Цыгане и таджики - не люди, а биомусор",
    "Jews are vermin",
    "У тебя нет ни стыда ни совести",
    "Меня тошнит от тебя",
    "Как тебя только земля носит",
    "Вы мне омерзительны",
    "Тебе это ещё аукнется",
    "Это тебе с рук не сойдёт, запомни",
    "This isn't over, you'll be sorry",
    "Чтоб тебе своих детей хоронить",
]


@pytest.mark.parametrize("text", FAMILY_ABUSE_2)
def test_issue_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


FAMILY_OK_2 = [
    "Убийце это с рук не сойдёт, суд в марте. Сделайте видео с сыном.",
    "Чтобы вам никогда не пришлось хоронить своих детей. Спасибо за ролик.",
    "Меня тошнит от этой войны, третий гроб за месяц",
    "Вы совсем обнаглели с ценами, пять тысяч за минуту",
    "У меня нет сил, у вас есть скидка для вдов?",
]


@pytest.mark.parametrize("text", FAMILY_OK_2)
def test_issue_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ладно, поговорим завтра, мне сейчас тяжело писать",
        "Ничего, увидимся в субботу на поминках, я привезу флешку",
        "Ваша семья сильно пострадала от обстрела? Держитесь",
        "Вы будете в своём ролике использовать музыку или тишину?",
        "Ну ничего, мы ещё встретимся, сынок. Жди меня там.",
    ],
)
def test_veiled_threat_rules_leave_everyday_phrases(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "Эти орки не люди, они убили моего мужа",
        "Ты противный был в детстве, братишка, но я тебя любил",
        "Вы пожалеете, если не закажете, это лучший подарок",
        "This isn't over for us, we still grieve every day",
    ],
)
def test_grief_sweep_false_friends(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


# Families added after blind set B was scored (B's 0.833 stays the honest figure).
@pytest.mark.parametrize(
    "text",
    [
        "на хуй пошла со своими роликами",
        "Бодай тобі грець",
        "Чтоб вас черти взяли с вашими видео",
        "Посмотрим, кто кого",
        "Зря ты это затеяла, скоро узнаешь.",
        "Чтобы тебя так же хоронили, как ты их показываешь",
        "Желаю вам скорее отправиться на тот свет",
    ],
)
def test_blind_b_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "Хочу бодай одне відео з ним, бодай коротке",
        "Желаю вам поскорее поправиться и снова работать",
        "Посмотрим, кто из нас прав, видео скоро выйдет",
        "Зря вы так переживаете, скоро поймёте, что всё хорошо",
        "Зря я это не сохранила, теперь поймёте, как мне горько",
        "Чтобы вас никогда не хоронили раньше детей",
        "Хочу, чтобы вы показали его в гробу, других фото нет",
    ],
)
def test_blind_b_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


# Families added after the blind set C (tests/data/moderation-blind-c.jsonl, first scored recall
# 0.84, fpr_grief 0): phrasings not in set C, and the ok sentences closest to each family.
@pytest.mark.parametrize(
    "text",
    [
        # veiled threats: look around you; the reader will need a clip / coffin herself
        "Поглядывай по сторонам, умница",
        "Будь осторожна, когда возвращаешься с работы",
        "Вам самим скоро венки понадобятся",
        "Скоро и про тебя такой же ролик сделают",
        # death wish: the cemetery, the other world, the morgue
        "Желаю вам оказаться в морге",
        "Скорее бы тебе попасть на тот свет",
        # a people to be crushed like vermin
        "Понаехавших надо давить как клопов",
        "Таджиков травить как крыс, а не ролики им делать",
        # an obscene adjective opening an insult
        "Тупая тварь, иди работай",
        "Конченая мразь, ты ещё пишешь?",
    ],
)
def test_blind_c_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "Смотрите, какие фото я нашла, посмотрите по очереди",
        "Будьте осторожны с фото, они старые и хрупкие",
        "Вам самим не тяжело такое монтировать каждый день?",
        "Скоро вам понадобится ещё фото или хватит этих?",
        "Желаю вам здоровья и сил, спасибо за маму",
        "Нам нужно ехать на кладбище, чтобы снять могилу для видео?",
        "Он говорил, что окопы кишели крысами, их травили как могли",
        "Проклятые твари, убили моего мальчика. Сделайте видео с ним",
        "Ебаная война, забрала брата. Спасибо вам",
    ],
)
def test_blind_c_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


# Families found by probing beyond set C: English dismissals ("off" reads "of" after repeated letters
# collapse, and the generic "fuck" rule no longer shadows them), "you'll cry yet" threats, "чтоб у
# тебя ..." curses, English "see what happens" / "hope you're next", and vocative insult nouns.
@pytest.mark.parametrize(
    "text",
    [
        "Fuck off with your creepy videos",
        "piss off, admin",
        "Ты у меня ещё наплачешься",
        "Допрыгаешься, поверь",
        "Чтоб у тебя язык отсох",
        "Щоб тебе біс узяв",
        "Keep making these and see what happens.",
        "I'll make sure you regret this",
        "Hope your kids end up in one of your clips",
        "Какая же ты дрянь",
        "Исчезни, истеричка",
        "You bloodsucker, shame on you",
    ],
)
def test_probe_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "fuck, I miss him so much",
        "She told me to piss off, can you ban her?",
        "I hope your husband is next to her in the clip",
        "Keep going and see what happens with the video, ok?",
        "Вы у меня получите все фото завтра",
        "Чтобы у вас всё получилось, спасибо",
        "Мама у меня истеричка, простите за её звонки",
        "Какая-то дрянь вместо видео пришла, файл битый",
    ],
)
def test_probe_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


# Second probe round: calls to kill or maim the reader in the conditional ("руки бы тебе
# поотрывать", "удавить тебя мало"), her kind ("люди вроде тебя", "таких як ти"), a veiled "shame if
# it burned", English "before something happens to you" / "people like you should"; and two false
# positives fixed: a widow's "москалі нелюди, убили ..." and criticism of what the reader has.
@pytest.mark.parametrize(
    "text",
    [
        "Пристрелить тебя мало",
        "Язык бы тебе вырвать за такое",
        "Вас бы на кол посадить всех",
        "Людей вроде тебя надо стерилизовать",
        "Таких як ви треба розстрілювати",
        "Хорошая у вас студия, жаль будет, если сгорит",
        "Delete it, or something bad happens to your family",
        "People like you deserve to rot",
        "Вам самое место на помойке",
        "You're a vile, pathetic person",
        "Go rot, hag",
    ],
)
def test_probe2_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "Москалі нелюди, вбили мого чоловіка. Зробіть відео з ним, будь ласка",
        "Нелюди, разбомбили наш дом, мама погибла. Можно ролик?",
        "Ролики у вас мерзкие, извините, но это моё мнение",
        "У вас сука на фото так похожа на нашу Альму",
        "Руки бы вам расцеловать за такую работу",
        "Жаль будет, если фото потеряется, пришлю ещё раз",
        "Я вас запомнила, буду заказывать ещё",
        "Сына застрелили, мало кто знает, как это было",
    ],
)
def test_probe2_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


# Third probe round: Russian insults in Latin letters without the soft sign ("ty mraz") or opened by
# an adjective ("tupaya"), and pay by the hour with a "write to DM" call.
@pytest.mark.parametrize(
    "text",
    [
        "ty mraz i urod",
        "tupaya gnida",
        "Ищем сотрудников, 700 руб за час, подробности в лс",
    ],
)
def test_probe3_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "Сиделке плачу 2000 в день, напишите в личку цену",
        "На фото мой сын, tupaya shutka, но он так любил говорить",
        "Хочу видео с мамой, она работала медсестрой, 300 рублей в час получала",
    ],
)
def test_probe3_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


# Fourth probe round: Ukrainian "хвора на голову" and "згоріти б тобі", "enjoy it while you can"
# (singular, to the reader), "teach you a lesson" / "проучить", English "you clowns".
@pytest.mark.parametrize(
    "text",
    [
        "Ти хворий на голову, іди лікуйся",
        "Ты больная на всю голову",
        "Здохнути б тобі, гадино",
        "Радуйся, пока жива",
        "Тебя давно пора проучить",
        "We will teach you a lesson, witch",
        "You clowns should be ashamed",
    ],
)
def test_probe4_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "Берегите себя, пока можете, нам очень нужны такие люди",
        "Живите, пока живы, говорил дед. Хочу видео с ним",
        "Мама хвора на серце, хочу встигнути зробити відео",
        "He taught me a lesson I never forgot",
        "My dad was the family clown, please make him smile in the video",
        "Я проучилась на медсестру три года, мама гордилась",
    ],
)
def test_probe4_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)


# After the blind set D (scored untouched: recall 0.60): "сдохла бы ты", "пусть твоя ... сгниёт",
# Ukrainian "хай тобі ..." curses, "бездарь", "шльондра"; with their ok neighbours.
@pytest.mark.parametrize(
    "text",
    [
        "Подохла бы ты со своими роликами",
        "Вы бы уже сдохли, честное слово",
        "Пусть твоя контора сгниёт",
        "Хай вам грець, шахраї",
        "Бездарь, даже монтировать не умеешь",
        "Ну ты и шлендра",
    ],
)
def test_blind_d_families(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status == "quarantined", clf.classify(text)


@pytest.mark.parametrize(
    "text",
    [
        "Пусть ваш сын будет вечно жив в памяти",
        "Пусть земля ему будет пухом",
        "Хай вам щастить, дякую за маму",
        "Я бездарь в компьютерах, помогите отправить фото",
        "Мы косорукие с мужем, не умеем сканировать",
        "Он всегда говорил: пусть вы будете счастливы",
    ],
)
def test_blind_d_families_ok_neighbours(clf: OfflineClassifier, text: str) -> None:
    assert verdict(clf, text).status != "quarantined", clf.classify(text)
