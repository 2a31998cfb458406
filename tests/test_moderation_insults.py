"""Insults said to the reader, profane or not (grief-commerce mockery, the dead as merchandise, harsh
judgement, English), are hidden; civil criticism and grief near them stay visible.
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from tests.moderation_cases import check, clf  # noqa: F401  (clf is a fixture the tests take)

HIDDEN = [
    # ru.insult.profiteer
    "C:Ещё одна пиявка на чужом горе, тьфу",
    "C:Гробокопательница, сколько ещё вдов обдерёшь?",
    # ru.insult.herd
    "C:Вы все тут стадо безмозглое, вас доят, а вы плачете",
    # ru.insult.you_are_harsh
    "C:Ви тупі вівці, вас розводять на горі",
    # harsh judgement said to the reader as a predicate
    "Какие же вы отвратительные, честное слово",
    "Ты просто жалок со своими ангелочками",
    "Ви огидні, як і ваша справа",
    "Вы мне омерзительны",
    # ru.insult.death_is_your_feast
    "Для тебя каждая смерть - праздник, признайся",
    "Радуетесь каждому новому покойнику, да?",
    # ru.insult.obscene_people
    "C:ебанутая тётка, хватит наживаться",
    "C:сучка продажная",
    "Ну ты и шлендра",
    # ru.insult.obscene_epithet
    "C:Сраный автор опять выложил своих мертвецов",
    "C:гребаная дамочка, сколько можно",
    "C:fucking hag, go away",
    # ru.insult.nouns
    "C:Позорище, а не художница",
    "C:криворукая бездарь, удались",
    "C:Шоб ти здохла, тварюка",
    "Ну ти і падлюка",
    "C:This woman should be locked up, fraud",
    "C:Урод моральный, удали это",
    "Конченая мразь, ты ещё пишешь?",
    "Исчезни, истеричка",
    "Бездарь, даже монтировать не умеешь",
    # ru.insult.shame_not_a_maker
    "C:Ганьба, а не майстер",
    # ru.obscene.go_to
    "C:Идите все в жопу со своими ангелочками",
    "на хуй пошла со своими роликами",
    # ru.insult.fleecing_mourners
    "Ты вообще нормальная? Деньги с вдов дерёшь, совесть есть?",
    "Доите матерей погибших и не краснеете",
    # uk.insult.lexicon
    "C:Ти просто гієна, яка жере на чужому горі",
    # ru.insult.ambiguous
    "C:Закрий рота і видали свої відео, тупа вівця",
    "C:Мерзенна баба, паразитуєш на смерті",
    "Ты животное, а не человек",
    "C:ты конч",
    "C:you dumb cow, stop exploiting grief",
    "Какая же ты дрянь",
    # ru.insult.grief_business
    "C:Заробляєш на трупах, курва",
    # mocking the dead / the grief business, said to the reader
    "Торгуешь трупами и не краснеешь",
    "Ви торгуєте трупами заради грошей",
    "Вы наживаетесь на покойниках",
    # en.insult.nouns
    "C:You disgusting piece of garbage, profiting off dead kids",
    "You should be ashamed, you grave-dancing hyena",
    "C:Scammer. Pure scammer. Reported.",
    "C:Nobody asked for your cringe dead people cartoons, loser",
    "C:Vultures like you should be banned from the internet",
    "You bloodsucker, shame on you",
    "You clowns should be ashamed",
    # en.insult.imagine_being
    "C:Imagine being this pathetic, selling fake videos to grieving moms",
    # ru.insult.mourners_called
    "C:These grieving idiots will pay for anything lol",
    # ru.insult.shit_people
    "C:говноролики для говнолюдей",
    "C:Ну ты и говнюк",
    # en.insult.grief_business
    "C:You make money off dead soldiers, you absolute ghoul",
    "You are profiting off dead people",
    # en.insult.what_kind_of
    "C:What kind of sick freak animates corpses for cash",
    # ru.insult.harsh_adjectives
    "C:this is so fucking creepy, you should be in jail",
    "Мерзка ты, и ролики твои такие же",
    "Fuck off with your creepy videos",
    # en.obscene.fuck_you
    "Go to hell with your angel wings bullshit",
    "piss off, admin",
    # ru.insult.said_to_you
    "C:People like you make me want to puke",
    "C:Тебе треба в дурку",
    "У тебя нет ни стыда ни совести",
    "Меня тошнит от тебя",
    "Как тебя только земля носит",
    # ru.obscene.go_you
    "C:Пішла ти зі своїми мультиками",
    # Non-profane insults: "бессовестная баба", "ни стыда ни совести у этой тётки", "ты позор
    # ...", "нет у тебя ничего святого"; about killers or the war they stay visible, and words before
    # "говорили про ..." are reported speech
    "C:Бессовестная баба, на костях пляшет",
    "C:Ни стыда ни совести у этой тётки",
    "C:Ты позор профессии и позор женщин",
    "C:Нет у тебя ничего святого",
    # Insults without a swear word: the dead in the clip mocked and laughed at, the dead as a
    # discounted commodity, a sexual proposition to the author
    "C:Бабка в ролике трясётся как паралитик, ржака 🤣",
    "C:Ходячий труп пляшет, ахахах, кто это заказывает",
    "C:lmao grandpa jerks like a puppet on strings",
    "C:Два жмурика по цене одного, налетай",
    "C:Акция на трупы! Третий в подарок",
    "C:Bring a second corpse, the third one is for free. Businesswoman of the year",
    "Скрасишь мне вечер лично? Не обижу",
    "Сколько берёшь за ночь, вдовушка?",
    "Comfort me in person tonight, I'll pay better than those widows",
    # ru.insult.mocking_the_dead
    "Бабуля у вас в ролике кривляется как зомби, ржака",
    # ru.insult.dead_on_sale
    "Каждый третий покойник бесплатно, да? Бизнес",
    # ru.insult.proposition
    "Может, лично приедешь и согреешь меня? Заплачу",
    # Insults without a swear word: the dead as merchandise, a face likened to a zombie's with a
    # jeer, her photos asked for (an order as bait hides nothing)
    "C:торгуешь мертвечиной и не краснеешь",
    "C:скоро звонки с мертвецами по тарифу начнёшь продавать",
    "C:акция: скидка на братские могилы, налетай",
    "C:ахаха рожа как у мертвеца на этом видео 😂",
    "C:глаза как у трупа, ржака 🤣",
    "пришли фото в белье, тогда закажу",
    "send pics in a bikini and i'll order two videos",
    "покажись без одежды, доплачу за ролик",
    "C:фу, на видео дед как зомби лыбится, хахаха",
    "C:пришли фотку в нижнем белье, и оплачу заказ",
    # en.insult.you_are_harsh
    "You people are so despicable",
    # ru.obscene.imperative
    # obscene imperative and separators
    "съебись из интернета",
    # ru.insult.adjectives
    # an obscene adjective opening an insult
    "Тупая тварь, иди работай",
    "Ты больная на всю голову",
    # ru.insult.phrases
    "Вам самое место на помойке",
    # en.insult.exclamation
    "You're a vile, pathetic person",
    # uk.insult.nouns
    "Ти хворий на голову, іди лікуйся",
]
VISIBLE = [
    # (no rule comes near)
    "Для нас каждый гроб — горе, а вы делаете память. Спасибо",
    "Сын любил l33t sp34k, можно надпись так?",
    "Вы не дерёте с вдов, как другие, спасибо вам",
    "Идите все на кладбище к 10, встретимся там. Это для родни, извините, не туда написала",
    "Our grieving mothers group would like to order five clips",
    "Смерть не спрашивает, сынок. Спи спокойно",
    "Imagine being so brave, my son was 19. Please make him smile",
    "Паразитує на нашому горі тільки війна. Дякую вам за відео",
    "Следующий ролик хочу про дедушку, можно?",
    "She told me to piss off, can you ban her?",
    # Non-profane insults: "бессовестная баба", "ни стыда ни совести у этой тётки", "ты позор
    # ...", "нет у тебя ничего святого"; about killers or the war they stay visible, and words before
    # "говорили про ..." are reported speech
    "Ты не позор семьи, сынок, ты герой",
    "Ни стыда ни совести у тех, кто стрелял по автобусу",
    "Бессовестная война забрала сына",
    "Нет у вас ни души, ни сердца, говорили про тех, кто его пытал",
    # Insults without a swear word: the dead in the clip mocked and laughed at, the dead as a
    # discounted commodity, a sexual proposition to the author
    "Дед в ролике немного дёргается как робот, можно плавнее? Спасибо",
    "Папа в ролике как живой, мы смеялись и плакали 😂❤️",
    "Ролик огонь, ржали всей семьёй, папа как живой подмигивает",
    "Приведите, пожалуйста, фото покойного в порядок, оно старое",
    "Есть скидка на второй ролик? У нас двое погибших в семье",
    "Если закажу два ролика, третий бесплатно? Видела такую акцию",
    "Утешьте меня, пожалуйста, я не могу перестать плакать. Заплачу сколько скажете за ролик",
    "Сынок, утешь меня, приснись хоть раз, приезжай ко мне во сне",
    "Приезжайте лично на открытие памятника, заплатим за дорогу",
    # ru.insult.nouns
    "Таких ребят под пули бросили, сволочи. Хочу видео с ним",
    # Insults without a swear word: the dead as merchandise, a face likened to a zombie's with a
    # jeer, her photos asked for (an order as bait hides nothing)
    "Похоронное бюро торговлю мертвечиной устроило, а вы сделали маме ролик почти бесплатно. Спасибо",
    "Можно мамину улыбку оставить как на фото? Как у живой",
    "Папа на видео моргает как живой, я рыдала. Спасибо",
    "Пришлю фото в купальнике, где мама на море в 1985, можно её оживить?",
    "Скинь фотки с похорон, я закажу ролик для бабушки",
    "Лицо на ролике как у мертвеца, можно сделать живее? Доплачу",
    "Сделайте дедушке улыбку как у живого, а то на фото как мумия лежит",
    "C:Скидка на ролики ко Дню Победы? Хочу для деда и для братской могилы села",
    "Мертвечиной торгуют ритуальные конторы, а вы людям душу лечите",
    "Фото в купальнике мамы из Сочи прикрепляю, можно её там оживить?",
]


@pytest.mark.parametrize("case", HIDDEN)
def test_insult_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", VISIBLE)
def test_insult_neighbour_stays_visible(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
