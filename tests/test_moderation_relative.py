"""A relative's order, follow-up or question is hidden by no tier (moderation.relative + the policy)."""

from __future__ import annotations

import pytest

from moderation.classifier import Classification, OfflineClassifier, Signal
from moderation.policy import LearnedScore, ModerationContext, decide
from moderation.relative import asks, reads_as_relative, spared, unguarded, with_guards
from moderation.settings import ModerationSettings

SETTINGS = ModerationSettings()


@pytest.fixture(scope="module")
def clf() -> OfflineClassifier:
    return OfflineClassifier()


def relative(clf: OfflineClassifier, text: str, channel: str = "message") -> bool:
    return reads_as_relative(text, clf.classify(text, channel), clf)


# Orders, follow-ups and questions in ru, uk, en with the words that trip a tier: swearing at illness,
# war or fate, a relative calling herself names, an order without order words.
RELATIVES = [
    "Я совсем бестолочь в телефонах, идиотка старая: куда вам отправить фото мамы?",
    "Блядская болезнь забрала мою Надю за месяц. Прошу, сделайте про неё ролик",
    "Проклятая война, сука, забрала сына. Фото его прикрепляю, он тут в форме",
    "Бабуся моя просить: зробіть відео про діда, курва, не можу без нього. Фото додаю",
    "Вибачте за тупе питання, я в цьому повний дуб: як надіслати вам відео?",
    "Damn this fucking cancer. Please make a clip for my dad, I'm sending his photos",
    "Sorry, I'm a total idiot with phones. Where do I send the photos of my son?",
    "Напоминаю про наш заказ, я уже вся извелась, чёрт побери. Мы ждём ролик про брата",
    # an edit asked of the clip without naming it, with "сука" meaning the dog
    "вы спрашивали про собаку — да, сука наша Альма. добавьте её пожалуйста рядом с ним",
    # a draft approved, with "killed me" meaning moved
    "Saw the draft last night. The ending killed me, mum to the life. Keep it as is",
    "Черновик посмотрела, меня просто убило, папа как живой. Публикуйте",
]
NOT_RELATIVES = [
    "Чтоб ты сдохла вместе со своими роликами",  # speaks to the reader as "ты"
    "Хохлам ролики не делайте, они всё равно нас ненавидят",  # no one asking, no writer of her own
    "Ти жалюгідна, і твої відео жалюгідні",
    "скинь фотки в купальнике тогда закажу",  # an order as bait (a beats_order rule)
    "Сколько стоит ночь с тобой?",
    "Публикуйте и дальше свои ролики, а ты сдохни, мне не жалко",  # an approval word, but "ты"
]


@pytest.mark.parametrize("text", RELATIVES)
def test_a_relatives_words_read_as_hers_in_every_language(clf: OfflineClassifier, text: str) -> None:
    assert relative(clf, text)


@pytest.mark.parametrize("text", NOT_RELATIVES)
def test_abuse_that_names_the_clip_is_no_relatives(clf: OfflineClassifier, text: str) -> None:
    assert not relative(clf, text)


HIDING = Classification((Signal("insult", "rules", 1.0, "test.insult"),))


@pytest.mark.parametrize("channel", ["message", "comment"])
def test_no_tier_hides_a_relatives_words_whatever_the_settings(channel: str) -> None:
    strictest = SETTINGS.model_copy(update={"ml_quarantine_enabled": True, "order_content_protects": False})
    context = ModerationContext(channel, relative=True, memorial=True)  # type: ignore[arg-type]
    sure = LearnedScore(1.0, "test", 0.5, 0.9)
    got = decide(HIDING, context, strictest, {"insult": 1.0}, sure)
    assert got.status == "flagged" and got.reasons[-1] == "relative"
    assert got.answer  # she is answered, never met with silence
    # the same words not read as hers are hidden: the guard, not the signals, kept them shown
    assert decide(HIDING, ModerationContext(channel), strictest, {"insult": 1.0}, sure).hidden  # type: ignore[arg-type]


def test_the_guard_reaches_the_verdict_through_eval(clf: OfflineClassifier, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """eval builds the context as the pipeline does: a relative's words marked "relative" when a tier
    would hide them, abuse with the same clip words still hidden."""
    import json

    from moderation.evaluation import evaluate, load_items
    from moderation.learned import LearnedTier

    rows = [
        {"text": RELATIVES[1], "label": "ok", "category": "order"},
        {
            "text": "Чтоб ты сдохла, тварь, вместе со своими роликами",
            "label": "abusive",
            "category": "death_wish",
        },
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    tier = LearnedTier.from_settings(SETTINGS)
    assert tier is not None
    scored = evaluate(load_items(path), clf, SETTINGS, learned=tier.assess, tier="all").scored
    assert not scored[0].hidden and scored[1].hidden


# -- what spares a text from the learned score alone ----------------------------------------------------

SPARED = [
    ("Охренеть, какая работа, мама как живая. Спасибо вам огромное", "thanks"),
    ("Holy shit, that's stunning. Thank you", "thanks"),
    ("Ненавижу этот грёбаный рак, он забрал у меня всё", "fate"),
    ("Курва, знову обстріл, знову похорон", "fate"),
    ("Мне пишут «сдохни вместе со своим сыном», вот скрин. Заблокируйте", "reported"),
    ("Someone commented 'good riddance' under my dad's clip, please remove it", "reported"),
    # a report without quotes: someone else said it, the admin is asked to act
    ("Someone wrote to the founder I know where you live, please block him", "reported"),
    ("Основательнице написали я знаю где ты живешь, заблокируйте его", "reported"),
    ("Охуеть вы мастера", "thanks"),  # praise said to "вы"
    ("Сука, опять тревога", "fate"),  # an air-raid alert
]
NOT_SPARED = [
    "Скажи спасибо, что я пока только пишу",  # a threat that says "thanks"
    "Чтоб у тебя рак нашли, стервятница",  # the illness wished on the reader
    "Ублюдки, наживаетесь на войне",  # the war named at a reader (a verb that speaks to one)
    "I hope you get cancer",
    "Бесплатный курс «Как заработать на похоронах», ссылка в профиле",  # quotes, but nobody reports
    "You wrote garbage, I will find you. Block me if you can",  # "you wrote": the reader, not someone else
    "Ты написала чушь, я знаю где ты живешь. Удали это",
]


@pytest.mark.parametrize(("text", "why"), SPARED)
def test_thanks_a_curse_at_fate_and_reported_words_are_spared(text: str, why: str) -> None:
    assert spared(text) == why


@pytest.mark.parametrize("text", NOT_SPARED)
def test_abuse_that_borrows_those_words_is_not_spared(text: str) -> None:
    assert spared(text) == ""


def test_a_spared_text_goes_to_review_at_most_and_the_rules_still_judge_it() -> None:
    sure = LearnedScore(1.0, "test", 0.5, 0.9)
    context = ModerationContext("comment", spared="thanks")
    got = decide(Classification(), context, SETTINGS, learned=sure)
    assert got.status == "flagged" and got.reasons == ("learned:1.00>=hide,thanks",)
    assert decide(HIDING, context, SETTINGS, learned=sure).hidden  # a rule's hide stands


def test_abuse_quoted_in_a_report_is_hidden_by_no_tier_and_she_is_answered() -> None:
    context = ModerationContext("message", spared="reported")
    got = decide(HIDING, context, SETTINGS, learned=LearnedScore(1.0, "test", 0.5, 0.9))
    assert got.status == "flagged" and got.reasons[-1] == "reported" and got.answer


def test_a_report_that_also_thanks_is_still_a_report() -> None:
    assert (
        spared("Someone messaged me 'go die with your son'. Please block them. Thanks in advance")
        == "reported"
    )


# -- what counts as a question (the learned score alone never hides one) -------------------------------

QUESTIONS = [
    "Сколько стоит?",
    "Год без тебя, сынок. Тупой вопрос: куда отправить фото?",  # "ты" to her dead, not in the question
    "Папа говорил «ну ты и балда», можно эту фразу в видео?",  # "ты" only in a quote
    "Can you make a clip of my dad?",  # "you" is also the polite form
    "Чому мій коментар видалили?",
    # a closing tag that is not one: a relative who did not understand, or a question that opens as one
    "Сколько нужно фото, я не поняла?",
    "Я правильно поняла?",
    "Do I send the photos here, got it?",
    "Можна надіслати голосове замість тексту, зрозуміла?",
]
NOT_QUESTIONS = [
    "Ты вообще в своём уме, тупая?",  # asks the reader as "ты"
    "Ти взагалі при розумі?",
    "Хочешь раскрутить группу? Пиши в личку",  # a verb in the second person singular
    "Чтоб ты сдохла. Поняла?",  # a tag after abuse
    "I hope you die, widow. Got it?",
    "People go missing sometimes, especially the chatty ones Got it?",  # the tag with no stop before it
    "Сиди тихо и не пиши сюда больше поняла?",
    "Ще одне слово, і пошкодуєш зрозуміла?",
    "Just a statement with no question mark",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_to_the_community_counts_as_one(text: str) -> None:
    assert asks(text)


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_a_question_to_a_reader_called_ty_or_a_tag_after_abuse_does_not(text: str) -> None:
    assert not asks(text)


def test_a_question_that_calls_the_reader_ty_is_hidden_by_a_high_score() -> None:
    from moderation.policy import asks as policy_asks

    sure = LearnedScore(0.99, "test", 0.5, 0.9)
    for text, hidden in (("Ты вообще в своём уме, тупая?", True), ("Сколько стоит ролик?", False)):
        context = ModerationContext("comment", question=policy_asks(text))
        assert decide(Classification(), context, SETTINGS, learned=sure).hidden is hidden, text


# -- abuse dressed as a mourner's words keeps no guard (relative.toml [unguard]) ------------------------

# (text, the check that finds it): hate asked as a question or said with a word of mourning, mockery of
# the dead, a threat holding a word of mourning, a question about the reader's family, a scam.
UNGUARDED = [
    ("Для узбеков тоже делаете? Они ж потом этот ролик перепродадут, торгаши", "group_contempt"),
    ("А инвалидов зачем рисовать? Обуза и при жизни была", "group_contempt"),
    ("Циганам теж робите відео? Там одні злодії", "group_contempt"),
    ("Why make clips for migrants at all? Let them make their own back home", "group_contempt"),
    ("Армяне и на похоронах торгуются, ни одного нормального", "group_contempt"),  # a grief word
    ("Можно ролик, где бабка из гроба встаёт и пляшет?", "mockery"),
    ("дед в ролике машет как живой 😂😂 а он уже год как помер", "mockery"),
    ("Lol the guy in the clip looks dead even for a dead guy", "mockery"),
    ("Ну что, кто следующий? Записывайтесь", "mockery"),
    ("Я терпеливый, но память у меня хорошая. Заказ мой переделайте", "menace"),
    ("Памятник тебе уже заказан? Поторопись", "menace"),
    ("Ще слово, і тобі самій знадобиться пам'ятне відео", "menace"),
    ("I know where you live. Nice memorial page though?", "menace"),
    ("Your son takes bus 12 after school, right?", "reader_detail"),
    ("У вас дочка во вторую смену учится, да?", "reader_detail"),
    ("Твоя мама на Садовой живёт, так?", "reader_detail"),
    # kinds, not phrases (guards2): a reader's family, home or day shown to be known, whatever the
    # punctuation; contempt for a group by stem or slur; mockery of the dead or the clips; a death wished
    # on the reader in a clip's words
    (
        "Светлана, у вас на аватарке дочка в форме лицея №2. Хороший лицей. Уроки до 14:00, да?",
        "reader_detail",
    ),
    ("Машина ваша белая опять у второго подъезда стоит? Не страшно так бросать?", "reader_detail"),
    ("А вы всё там же живёте, на Мира 7, третий этаж? Загляну как-нибудь 🙂", "reader_detail"),
    ("Ваша жена знает, во сколько вы возвращаетесь одна с работы? Я вот знаю", "reader_detail"),
    ("Знаю номер вашої машини. Бережіть себе, на дорогах зараз небезпечно", "reader_detail"),
    ("Ваш син у гурток по четвергах ходить? Я поруч живу, передавайте привіт", "reader_detail"),
    ("Your daughter's gym is on Park Street? Nice place. I drive past every day", "reader_detail"),
    ("Твои дети из школы одни ходят? Смелая ты", "reader_detail"),
    ("Таджики опять заказали? Ворюги все до одного", "group_contempt"),
    ("Для чурок тоже делаете?", "group_contempt"),  # a slur is contempt by itself
    ("Переселенці знову замовили? Паразити, сидять на нашій шиї", "group_contempt"),
    ("Refugees ordering memorial clips now? Parasites, every one of them", "group_contempt"),
    ("Опять в ленту эти ваши покойники, сил нет", "mockery"),
    ("Зніміть ще мультик про мерців, людям же мало", "mockery"),
    ("Стервятница с ноутбуком, светлая память всем твоим клиентам", "mockery"),
    ("A ghoul who animates grandmas, rest in peace to your conscience", "mockery"),
    ("Тоже хочешь ролик? Надеюсь, скоро про тебя такой напишут", "your_turn"),
    ("Сподіваюсь, про тебе теж зроблять відео. Царство небесне", "your_turn"),
    ("Can't wait for someone to make a memorial video about you", "your_turn"),
    ("Can't wait till someone writes rest in peace about you", "your_turn"),
    ("Your son still takes the 7:15 bus from Elm Street? Cute backpack", "reader_detail"),
    ("Мы с вами соседи, я вижу ваш балкон каждый вечер. Третий этаж, верно?", "reader_detail"),
    ("Гомики тоже заказывают? Мерзость", "group_contempt"),
    ("Думаешь, тебе ничего не будет? Светлая память тем, кто так думал", "menace"),
    ("Представитель ритуального агентства: памятники со скидкой, предоплата на карту", "scam"),
    ("Вам одобрен грант фонда памяти! Оплатите госпошлину", "scam"),
]
# Each check's near misses: the same words in a mourner's or a relative's mouth.
GUARDED = [
    "Ви робите ролики для мусульман? Треба без музики",  # a group named without contempt
    "Do you make clips for Jewish families? My grandfather was Jewish",
    "Цыгане украли у мамы кошелёк на вокзале, а там были фото сына. Можно восстановить по скринам?",
    "Москалі нелюди, убили мого сина. Зробите відео про нього?",  # the war's enemy is no group here
    "If this job kills me, make me a clip too lol",  # laughter with no word of the dead
    "Папа в ролике подмигивает, мы смеялись и плакали. Спасибо!",
    "Память у него была хорошая, всё помнил. Можно это в титры?",  # memory, not "у меня"
    "Я не знаю где взять его фото в форме, подскажете?",
    "Мой сын в 5-й школе учился, да? Вы же там тоже делали ролик",  # her son, not the reader's
    "Я оплатила предоплату на карту, всё верно?",  # paid, no offer
    "I got a message saying 'I know where you live'. What do I do?",  # someone else's words
    # her own family's details, a polite question about the founder's day or place, a quoted threat
    "Мой сын ходил в школу №5, там его все знали. Можно это в ролик?",
    "У нас машина сломалась, можно забрать флешку в субботу?",
    "Во сколько вы работаете? Хочу подъехать после работы",
    "Вы на каком этаже? Зайду за флешкой в пятницу",
    "Ваш муж тоже погиб? Держитесь, я знаю, как это",  # kin, no detail shown to be known
    "Мені пишуть «знаю де стоїть твоя машина», ось скрін. Заблокуйте його",
    "О котрій ви працюєте в суботу? Я поруч живу, заїду",
    "Мій син ходив до школи №3, а вчителі досі пам'ятають. Можна це в кліп?",
    "What time do you open on Saturday? I live nearby",
    "My daughter's school asked for the clip too, can you send it to them?",
    "Someone wrote 'I know which school your kid goes to' under my post. Please block them",
    # a group without contempt, the dead without mockery, "ты" as her dead, a name reported
    "Мой дед был цыганом, можно в ролике цыганскую музыку?",
    "Помяните всех покойников нашей деревни, ролик про них очень жду",
    "Мама любила мультики, можно сделать ролик в мультяшном стиле?",
    "Мамочка, жду не дождусь ролик про тебя, скоро 40 дней",
    "Скоро год, как ты ушёл. Ролик про тебя смотрю каждый день",
    "Hope the video for my dad is ready soon, we'll watch it together",
    "Кто-то в комментах называет вас стервятницей. Не обращайте внимания, вы делаете доброе дело",
    "Seeing comments calling her a 'ghoul'. That language is cruel. Reported a few",
    "Сынок, твоя машина так и стоит во дворе. Я знаю, ты бы расстроился",  # to her dead
    "Ваша мастерская на Ленина, да? Хочу заехать за флешкой",  # a business's place
    "Передавайте привет вашей маме, спасибо за ролик!",
    "Мой муж ездит на работу мимо вашей студии, может он заберёт флешку?",
    "Hope you are well. Waiting for the video about my mum",
    "Мама работала с мигрантами всю жизнь, они пришли на похороны",
]


@pytest.mark.parametrize(("text", "check"), UNGUARDED)
def test_abuse_dressed_as_a_mourners_words_is_named_by_its_check(text: str, check: str) -> None:
    assert unguarded(text) == check
    assert not asks(text)  # no question
    assert spared(text) == ""  # nor thanks, fate or a report


@pytest.mark.parametrize("text", GUARDED)
def test_a_mourners_words_that_share_theirs_keep_every_guard(text: str) -> None:
    assert unguarded(text) == ""


def test_the_readers_own_writing_quoted_back_is_no_report() -> None:
    # "пишешь" is the reader's writing, not someone else's words reported to the admin
    assert spared("ты тварь, пишешь «светлая память», а сама считаешь деньги") == ""
    assert spared("You wrote 'rest in peace' and then billed them, you fraud") == ""
    # a report keeps its guard, addressed to the admin as "ты" or not
    assert spared("Тебе пишут «сдохни, тварь», вот скрин. Удали их") == "reported"
    assert spared("Мне пишут «сдохни, тварь» уже неделю. Заблокируйте его") == "reported"
    assert spared("Вони пишуть «хай здохне», ось скрін") == "reported"


def test_a_relatives_reading_needs_her_own_family_and_a_real_request(clf: OfflineClassifier) -> None:
    # the reader's family ("your family can order one") is not hers; "прости господи" asks nothing
    assert not relative(
        clf, "The world would be better if you went under a bus. Then your family can order a clip"
    )
    assert not relative(clf, "Бабка на фото, прости господи, страшная как моя жизнь. Анимация не спасла")
    assert relative(clf, "Прости господи, не знаю как сказать: можно ролик про маму? Фото моё старое")
    assert relative(clf, "My family wants a clip for grandpa, can you?")
    # a check that finds abuse dressed so also ends a relative's reading
    assert not relative(clf, "Можно ролик про моего деда, где он из гроба встаёт?")


def test_words_of_mourning_keep_no_score_from_hiding_abuse_dressed_in_them() -> None:
    sure = LearnedScore(1.0, "test", 0.5, 0.9, grief=True)
    mourning = decide(Classification(), ModerationContext("comment"), SETTINGS, learned=sure)
    assert mourning.status == "flagged" and mourning.reasons == ("learned:1.00>=hide,grief",)
    context = ModerationContext("comment", unguarded="menace")
    got = decide(Classification(), context, SETTINGS, learned=sure)
    assert got.hidden and got.reasons == ("learned:1.00>=hide,unguarded:menace",)
    # an order in a private message and a report still keep it shown
    order = ModerationContext("message", has_order_content=True, unguarded="menace")
    assert not decide(Classification(), order, SETTINGS, learned=sure).hidden


def test_eval_hides_a_hateful_question_a_high_score_finds(clf: OfflineClassifier, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Through eval as through the pipeline: the question guard holds for a relative's question and not
    for hate asked as one (a stub score of 0.99 for both)."""
    import json

    from moderation.evaluation import evaluate, load_items

    rows = [
        {"text": GUARDED[0], "label": "ok", "category": "question", "channel": "comment"},
        {"text": UNGUARDED[0][0], "label": "abusive", "category": "hate", "channel": "comment"},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    sure = lambda text: LearnedScore(0.99, "test", 0.5, 0.9)  # noqa: E731
    scored = evaluate(load_items(path), clf, SETTINGS, learned=sure, tier="learned").scored
    assert not scored[0].hidden and scored[0].verdict.reasons == ("learned:0.99>=hide,question",)
    assert scored[1].hidden and "unguarded:group_contempt" in scored[1].verdict.reasons[0]


# -- a mourner speaking to her dead, a blessing for the reader's family (EXPERIMENTS item 10) -----------

TO_HER_DEAD = [
    "Сынок, твоя машина так и стоит во дворе, я каждый день на неё смотрю",
    "Дедушка, твой гараж мы так и не продали, там всё как при тебе",
    "Мамо, ти мені снилася вночі, така молода і весела",
    "Синку, твій велосипед досі стоїть у коридорі",
    "Grandma, I finally made your apple pie and it tasted just like yours",
    "Mom! Your garden bloomed again this spring",
]
BLESSINGS = [
    "Ирина, ваш сын такой красивый на фото в профиле, дай бог ему здоровья",
    "Your daughter looks so sweet in your profile pic! God bless your family",
    "Яка гарна у вас родина, хай Бог береже ваших діток",
    "Ваш муж наверное очень гордится вами",
    "С Пасхой всех! Христос воскресе 🙏",  # church greetings
    "З Різдвом Христовим, дорогі! Миру вашим родинам",
]
NEITHER = [
    "Мамаша, твой сын в профиле такой красивый, жаль если с ним что-то случится",  # a stranger called
    "Папаша, ваш сын на фото, узнаёте двор?",  # no kin of hers: "папаша" is a stranger
    "Мама, ваш сын опять пишет мне гадости",  # "ваш": a reader, not her dead
    "Ваш сын такой красивый на фото, будет обидно если с ним что-то случится",
    "Your daughter looks so sweet in your profile pic. Would be a shame if something happened to her",
    "Не дай бог вашему сыну попасться мне на улице",
    "Ты такой красивый на аватарке, жаль будет портить",  # "ты": no blessing for her family
    "Ирина, ваш сын мне не нравится",  # a name called, not her kin
    # praise with a condition, a regret or a warning tied to it (each hidden by the score alone before)
    "God bless your family. Enjoy them while you can",
    "Дай бог здоровья вашему сыну. Пусть пока поживёт",
    "Яка гарна донечка у вас. Шкода буде, якщо з нею щось трапиться",
    "What a beautiful house you have. Would be a pity if it burned down",
    "Такой красивый мальчик у вас. Берегите его, мало ли что",
    "Храни бог вашу семью, она вам ещё понадобится живой",
    "So cute, your kids. Which school do they go to?",
]


@pytest.mark.parametrize("text", TO_HER_DEAD)
def test_a_mourner_calling_her_dead_is_spared(text: str) -> None:
    assert spared(text) == "to_her_dead"


@pytest.mark.parametrize("text", BLESSINGS)
def test_a_blessing_for_the_readers_family_is_spared(text: str) -> None:
    assert spared(text) == "blessing"


@pytest.mark.parametrize("text", NEITHER)
def test_a_stranger_called_or_a_threat_dressed_as_praise_is_not_spared(text: str) -> None:
    assert spared(text) == ""


def test_a_call_or_a_blessing_with_an_insult_word_keeps_no_guard(clf: OfflineClassifier) -> None:
    from moderation.relative import with_guards

    def why(text: str) -> str:
        classification = clf.classify(text, "comment")
        return with_guards(ModerationContext("comment"), text, classification, clf).spared

    assert why("Сынок, твоя машина так и стоит во дворе, я каждый день на неё смотрю") == "to_her_dead"
    # an insult the rules only note (unaimed) voids it: the troll speaks to "мама" too
    assert spared("Мама, посмотри какая тупая тварь делает эти ролики на мертвецах") == "to_her_dead"
    assert why("Мама, посмотри какая тупая тварь делает эти ролики на мертвецах") == ""
    # a menace the unguard checks find voids it whatever the opening
    assert spared("Сынок, я знаю где ты живешь") == ""
    assert why("God bless your family, you fucking ghoul") == ""


@pytest.mark.parametrize(
    "text", ["Сынок, ты у меня следующий", "Синку, ти наступний", "Sonny, you're next", "Мама, ты следующая"]
)
def test_a_troll_calling_the_reader_son_keeps_no_guard(text: str) -> None:
    assert unguarded(text) == "menace"
    assert spared(text) == ""


# A relative's first message often tells how her family member died before it asks anything, and curses
# the killer, the driver or the war. The score hid 7 of 28 such probes and the rules 2, with no answer.
DEATHS_TOLD = [
    "Сына сбил пьяный урод на переходе. Ему было 12. Я не знаю как дальше",
    "Брата застрелили на блокпосту, твари. Тело отдали через месяц",
    "Дочь выпрыгнула из окна, ей было 15. Травили в школе, суки",
    "Сина збила п'яна сволота на переході. Йому було 9",
    "Маму збив п'яний мажор і відкупився. Суки, всі куплені",
    "A drunk driver killed my wife and walked away without a scratch. Bastard",
    "Моего мальчика сбила машина, водитель был пьяный, сволочь",  # someone close who is not kin
    "Сашу убили в подъезде, мрази. Ему было 19",  # a given name
    "My fiance died in a crash last week, the other driver was texting. Piece of shit",
    "Мужа убили. Сколько стоит ролик?",  # a question about the clip
    "Лучшего друга сбила машина, водитель скрылся, сволочь. Хочу заказать видео, подскажите цену",  # asks
]
NOT_DEATHS_TOLD = [
    "Сынок твой повесился и правильно, нечего было ныть",  # "ты" to the reader
    "Твого сина вбили і тебе вб'ють, чекай",
    "Hope your whole family overdoses like that junkie did",  # the reader's family; a wish, not a past
    "Его брата убили, туда ему и дорога",  # another's family, the death called deserved (a rule)
    "убить суку, это не отец",  # an infinitive is no death told
    "Мама погибшего бойца? Вам положена выплата 300 тысяч, оформите на gos-viplata.online",  # a scam
    "Ну что, вдовушка, муж сгорел, теперь одна? Могу утешить",  # a question to the reader, not the clip
    "Вову бы убили, и всем стало бы легче",  # a wish
    "Парня застрелили, а вы из него героя лепите. Он бандит был",  # no one of hers
    "Друга твоего зарезали, сделай теперь видео, подскажи цену",  # the reader's friend
]


def told(clf: OfflineClassifier, text: str, channel: str = "message") -> ModerationContext:
    return with_guards(ModerationContext(channel), text, clf.classify(text, channel), clf)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", DEATHS_TOLD)
def test_a_death_in_her_family_told_in_a_message_is_hidden_by_no_tier(
    clf: OfflineClassifier, text: str
) -> None:
    assert told(clf, text).told_death
    sure = LearnedScore(0.99, "test", 0.5, 0.9)
    verdict = decide(clf.classify(text, "message"), told(clf, text), SETTINGS, learned=sure)
    assert not verdict.hidden and verdict.answer  # marked for her at most, never hidden, answered


@pytest.mark.parametrize("text", NOT_DEATHS_TOLD)
def test_abuse_about_a_death_is_no_death_told(clf: OfflineClassifier, text: str) -> None:
    assert not told(clf, text).told_death


def test_a_death_told_on_the_wall_counts_for_nothing(clf: OfflineClassifier) -> None:
    """On the wall, mockery of a clip tells a death too; there the grief words guard the score instead."""
    assert not told(
        clf, "Брата застрелили на блокпосту, твари. Тело отдали через месяц", "comment"
    ).told_death
