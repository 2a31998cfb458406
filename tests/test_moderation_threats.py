"""Threats: violence, doxxing, the reader's private life listed by a stranger, and menace without a
violent word (ru / uk / en) are hidden; the everyday and grief sentences nearest to them stay visible.
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from moderation.policy import ModerationContext, decide
from tests.moderation_cases import SETTINGS, check, clf  # noqa: F401  (clf is a fixture the tests take)

HIDDEN = [
    # Threats without a violent word: a private detail of the reader's life and a menace
    "Дочка твоя в садик на Ленина ходит, я видел. Подумай хорошенько, прежде чем постить",
    "Знаю, во сколько ты забираешь сына из школы. Гуляй пока",
    "Твій син у яку школу ходить? Передай йому привіт від дядька",
    "Адресок твой у меня записан, жди в гости",
    "We found your home address. See you soon",
    "Would be a shame if something happened to your kids on the way to school",
    "Шкода буде, якщо з тобою щось станеться дорогою додому",
    "Жаль будет, если с твоими детьми что-то случится",
    # ru.threat.detail_and_menace
    "Твоя тачка во дворе? Недолго тебе радоваться",
    "Знаю твой номер машины. Будь осторожна на дороге",
    "I know which kindergarten your daughter goes to. Think about it.",
    "Я знаю, де живе твоя мати. Подумай",
    # ru.threat.family_whereabouts
    "Мы знаем, когда твой муж возвращается с работы",
    # ru.threat.warn_through_family
    "Передай сыну, чтобы провожал тебя до дома",
    # ru.threat.your_family_next_clip
    "Ваших детей тоже скоро хоронить будете",
    # ru.threat.burned_such
    "Таких, как ты, раньше вешали на площади",
    # ru.threat.maim_is_too_little
    "Язык тебе вырвать мало",
    # ru.threat.found_you
    "Адрес твой знаю, увидимся",
    # ru.threat.leave_while_whole
    "Убирайся из интернета, пока цела",
    "C:Вали отсюда, пока ноги носят",
    # ru.threat.waiting_at_the_door
    "Тебя в подъезде уже ждут, не переживай",
    # uk.threat.phrases
    "Ти ще пошкодуєш, що народилася",
    # en.threat.coming_for_you
    "I'm coming for you, and your little studio won't help you",
    "Your kids will be in one of these videos soon",
    "Enjoy your last days, witch",
    # ru.threat.you_violence
    "Я тебя урою, сука",
    # Veiled threats: a stranger lists the reader's private life in the "ты" form (her car, her
    # husband's way home, her flat) with a weak menace ("жалко будет", "опасно это", "не боишься?",
    # "delete the page"); "знаем твой распорядок"; "pity if it burned";
    # sympathy in the "ты" form ("твоя мама одна живёт? моя тоже") and a fellow widow ("знаю, ты по
    # субботам ходишь на кладбище") stay visible
    "Мы знаем твой распорядок. Не удивляйся потом",
    "Твой муж поздно с работы ходит, через парк. Опасно это",
    "Номер твоей машины А123ВС. Красивая машина, жалко будет",
    "Хорошая у тебя квартира на пятом этаже. Окна большие. Пожара не боишься?",
    "I know your daughter's school and when she gets out. Delete the page",
    "Nice house you have on Elm street. It would be a pity if it burned",
    # en.threat.phrases
    "C:Your days of scamming widows are numbered",
    "C:Stay away from grieving families or else",
    "C:get cancer",
    "Keep making these and see what happens.",
    "I'll make sure you regret this",
    "Delete it, or something bad happens to your family",
    "People like you deserve to rot",
    "We will teach you a lesson, witch",
    # Threats without a violent word: the reader's home described by a stranger, accidents that
    # "happen" to her kind, a warning about her child's way home, a call for her address and a reckoning
    # "по-мужски", her face passed to people who hate her
    # home described ("ты" form) + a second detail of the building
    "Балкон у тебя на пятом этаже, бельё сушишь. Красивое",
    "Твоя дверь коричневая, домофон не работает, я в курсе",
    "Your balcony faces the park, second floor. Nice flowers",
    # accidents that happen
    "С такими, как ты, всякое бывает. Машины, например, сами загораются",
    "Такие, как ты, долго не живут, запомни",
    "People like you tend to have accidents. Just saying",
    # the child's way home, advice that menaces
    "Сын твой ходит на тренировки по четвергам. На твоём месте я бы его одного не отпускал",
    "Your daughter walks to school past the garages, right? I wouldn't let her go there alone",
    "Дочь твоя возвращается в девять вечера. Я бы на твоём месте встречал",
    # a call for her address and a reckoning
    "C:Дайте адрес этой хозяйки, проучим всей толпой",
    "C:Кто знает, где она живёт? Съездим, поговорим по-мужски",
    "C:Someone drop her address, we'll pay her a visit",
    # her face passed to hostile people
    "Скинул твою рожу пацанам, которые таких ненавидят. Спокойной ночи",
    "Your photo is now with some friends of mine who can't stand people like you",
    "Твоё фото уже показал ребятам, они очень хотят с тобой познакомиться",
    # ru.threat.home_described
    "Окна у тебя на кухне во двор выходят, второй этаж. Свет допоздна горит",
    "Твоя дверь на третьем этаже, коврик с ромашками. Милый",
    # ru.threat.accidents_happen
    "У таких, как ты, машины иногда загораются. Бывает",
    "С такими, как вы, часто что-то случается. Так, к слову",
    # ru.threat.private_life_and_weak_menace
    "Сын твой в музыкалку ходит по средам? На твоём месте я бы его встречал",
    # ru.threat.gang_visit
    "Скиньте адрес этой авторши, объясним ей по-пацански",
    # ru.threat.leaked_to_haters
    "Your address is now with a few people who hate grave robbers. Sweet dreams",
    # Threats without a violent word: the reader's place known and a visit, a talk "по-взрослому",
    # arson of her studio / home / car, doxxing with a deadline, the narrow path, "while there is someone
    # to pass it to", her car described with "твоя?" and a weak menace
    "квартиру знаем, этаж знаем. жди, скоро заедем",
    "мы тебя вычислили, так что приедем поговорить по-мужски",
    "скоро заглянем побеседовать по-взрослому, адрес есть",
    "твой офис полыхнёт однажды ночью, помяни моё слово",
    "машина твоя сгорит, если не удалишь пост",
    "I will burn down your studio if you post another one",
    "солью твои данные и фото паспорта в чаты района. у тебя сутки на удаление",
    "опубликую твою переписку и адрес, пусть люди знают",
    "i'll post your address and number everywhere, you have 24 hours",
    "ну ничего, пересечёмся ещё на узкой дорожке",
    "на узкой дорожке встретишься со мной ещё",
    "передай привет маме, пока ещё есть кому передавать",
    "C:привет сыночку своему передавай, пока есть кому",
    "say hi to your kids while you still can",
    "белая киа у магазина твоя? жалко будет, если колёса кто-то проколет",
    "C:родители твои в деревне одни живут? жаль будет, если что-то случится",
    "C:у третьего подъезда твоя мазда? хорошая. обидно будет если сгорит",
    "C:мы тебя нашли, сука. жди гостей",
    "C:студию твою спалим, жди",
    "C:скину твой адрес и фотки паспорта в телегу, у тебя час",
    # ru.threat.veiled_meeting
    # veiled threats: dismissive opener + future meeting; regret; family; the reader's own clip
    "Ну-ну, ещё свидимся, не сомневайся",
    "Нічого, ще зустрінемося",
    # ru.threat.phrases
    "Ещё пожалеешь, если не удалишь",
    # veiled threats: look around you; the reader will need a clip / coffin herself
    "Поглядывай по сторонам, умница",
    "Будь осторожна, когда возвращаешься с работы",
    "Вам самим скоро венки понадобятся",
    "Скоро и про тебя такой же ролик сделают",
    "Ты у меня ещё наплачешься",
    "Допрыгаешься, поверь",
    "Щоб тебе біс узяв",
    "Радуйся, пока жива",
    "Тебя давно пора проучить",
    "Подохла бы ты со своими роликами",
    "Вы бы уже сдохли, честное слово",
    "Пусть твоя контора сгниёт",
    # ru.threat.family
    "Твои детки тоже смертны, помни это",
    "Знаю, в какую школу ходит твой сын",
    # ru.threat.kill_such
    "Таких, как ты, надо расстреливать",
    "Пристрелить тебя мало",
    "Язык бы тебе вырвать за такое",
    "Вас бы на кол посадить всех",
    "Людей вроде тебя надо стерилизовать",
    "Таких як ви треба розстрілювати",
    "Хорошая у вас студия, жаль будет, если сгорит",
    # ru.threat.it_will_come_back
    "Тебе это ещё аукнется",
    "Это тебе с рук не сойдёт, запомни",
    "This isn't over, you'll be sorry",
    # ru.threat.who_survives
    "Посмотрим, кто кого",
    "Зря ты это затеяла, скоро узнаешь.",
]
VISIBLE = [
    # Threats without a violent word: a private detail of the reader's life and a menace
    "Врачи сказали, недолго ей осталось, успеете сделать видео до её дня рождения?",
    "Ваш сын в какую школу ходил? Мой учился в 14-й. Недолго осталось до выпускного, было бы ему 18",
    "Я знаю, где ты сейчас, сынок. Мне недолго осталось, скоро увидимся",
    "Нашла ваш адрес на сайте, приеду в субботу с фотографиями",
    "We found your studio on Google maps, can we visit on Saturday?",
    "Передайте привет вашей маме от меня, она у нас в школе вела математику",
    "Твоя мама в какой школе работала? Передай ей привет от меня, я её ученица",
    "Дай бог, чтобы с вашими детьми ничего не случилось. Берегите их",
    "Если с вами что-то случится, кто доделает ролик? Адрес студии дайте на всякий случай",
    "Адрес у меня есть, заеду к вам в субботу забрать флешку",
    "Сынок, я знаю, где ты теперь. Жди меня, скоро приду",
    "Подумайте хорошенько, какое фото лучше, я не могу выбрать. Ваш адрес для оплаты?",
    "Мне написали: «знаю, в какую школу ходит твой сын, гуляй пока». Что делать?",
    # (no rule comes near)
    "Удалите, пока не поздно, фото с ошибкой в дате, пожалуйста",
    "Уходи, пока можешь, говорил он мне про армию. Не ушёл. Хочу ролик с ним",
    "Тебя дома ждут, сынок. Мама каждый вечер ставит чай",
    "Тебя у подъезда встречу в субботу, передам фото, хорошо? Это Оля, соседка",
    "Будь осторожна с фото, они единственные",
    "Знаю твой номер, сынок, до сих пор звоню на него",
    "Я знаю, де живе ваша мама, ми сусіди. Передайте їй фото, будь ласка",
    "Знаю, где живёт твоя бабушка, сынок, я к ней каждую неделю езжу",
    "My son is coming for you next week to pick up the USB, is that ok?",
    "Enjoy your weekend, and thank you for the video of my father",
    "Your kids will love the video of their grandpa, she said. Can you make one?",
    "Вы не пожалеете, что заказали у неё, очень душевно",
    "Зря вы так переживаете, скоро поймёте, что всё хорошо",
    "Будьте осторожны с фото, они старые и хрупкие",
    "Вам самим не тяжело такое монтировать каждый день?",
    "Скоро вам понадобится ещё фото или хватит этих?",
    "Keep going and see what happens with the video, ok?",
    "Вы у меня получите все фото завтра",
    "Жаль будет, если фото потеряется, пришлю ещё раз",
    "Сына застрелили, мало кто знает, как это было",
    "Берегите себя, пока можете, нам очень нужны такие люди",
    "Живите, пока живы, говорил дед. Хочу видео с ним",
    "He taught me a lesson I never forgot",
    "Я проучилась на медсестру три года, мама гордилась",
    "Пусть ваш сын будет вечно жив в памяти",
    "Пусть земля ему будет пухом",
    "Он всегда говорил: пусть вы будете счастливы",
    # Veiled threats: a stranger lists the reader's private life in the "ты" form (her car, her
    # husband's way home, her flat) with a weak menace ("жалко будет", "опасно это", "не боишься?",
    # "delete the page"); "знаем твой распорядок"; "pity if it burned";
    # sympathy in the "ты" form ("твоя мама одна живёт? моя тоже") and a fellow widow ("знаю, ты по
    # субботам ходишь на кладбище") stay visible
    "Ваш сын такой красивый на фото, жаль будет, если видео не успеет к годовщине",
    "Твоя дочка такая красивая на аватарке! Я знаю, как тяжело без отца",
    "Твой адрес студии скинь, пожалуйста, я на машине, мне не опасно ехать вечером",
    "Мама у меня одна живёт, поэтому хочу успеть сделать ей видео с папой",
    "Твоя мама одна живёт? Моя тоже, после папы. Держись, подруга",
    "Ты по вечерам работаешь? Я напишу завтра, не удивляйся, если поздно",
    "Знаю, ты по субботам ходишь на кладбище к мужу. Я тоже. Может, встретимся там?",
    "Удалите, пожалуйста, видео с моим братом, жена против. Жаль, конечно",
    "Your daughter's drawing in the clip was lovely, it would be a pity if it got cut",
    "Пожара не боитесь со свечами в студии? Шучу, видео прекрасное",
    # Threats without a violent word: the reader's home described by a stranger, accidents that
    # "happen" to her kind, a warning about her child's way home, a call for her address and a reckoning
    # "по-мужски", her face passed to people who hate her
    "Подъезд наш с зелёной дверью, третий этаж, домофон не работает — курьер пусть звонит",
    "Сынок, твои окна во двор, подъезд всё тот же, третий этаж. Шторки твои я не снимаю",
    "У тебя в студии шторки красивые, подъезд с зелёной дверью нашла сразу. Спасибо, Оля",
    "Ваш подъезд с зелёной дверью? Я приеду на третий этаж в субботу с фото",
    "В нашем доме квартиры иногда горят, проводка старая. Хочу успеть сохранить фото сына",
    "У таких, как вы, сердце золотое. Спасибо за ролик",
    "Такие, как мой сын, долго не живут, говорила бабушка. Сделайте его смеющимся",
    "Дочка моя во вторую смену учится, одну её домой не отпускаю, поэтому заберу флешку вечером",
    "На вашем месте я бы не отпускала ребёнка одного, но это не моё дело. Когда будет видео?",
    "Скиньте адрес студии, съездим с мамой в субботу",
    "Дайте адрес автора, хотим поблагодарить лично, привезём цветы",
    "Муж объяснил сыну по-мужски, что нельзя гонять на мотоцикле. Не послушал. Сделайте ролик",
    "Sent your clip to my friends who lost sons too, they want to order",
    "Показала твою фотку подругам, которые тоже хотят ролик. Спокойной ночи!",
    "Мне написали: «скинул твою рожу пацанам, спокойной ночи». Что делать?",
    # ru.threat.home_described
    "Твой балкон, папа, до сих пор в твоих цветах. Третий этаж, окна во двор. Хочу это в ролике",
    "У тебя дома шторки такие же, как у мамы были? Третий этаж, окна во двор — мы соседи были, это Таня",
    # Threats without a violent word: the reader's place known and a visit, a talk "по-взрослому",
    # arson of her studio / home / car, doxxing with a deadline, the narrow path, "while there is someone
    # to pass it to", her car described with "твоя?" and a weak menace
    "Здравствуйте, дом знаем, где вы снимали, заедем в субботу за флешкой",
    "Мы нашли вас через поиск, хотим заказать ролик с папой. Приедем в студию?",
    "Наш дом сгорел после прилёта, фото почти не осталось. Можно сделать ролик из двух снимков?",
    "У сына машина сгорела вместе с ним под Бахмутом. Хочу ролик, где он у своей машины",
    "Выложу ваш номер в группе вдов нашего города, многие хотят такой ролик",
    "Опубликую ролик с мамой у себя на странице, можно? Очень красиво получилось",
    "Сынок, машина твоя стоит у подъезда, я её не продаю. Жалко будет её отдавать",
    "Обнимите своих родителей, пока есть кого обнимать. Я свою маму уже не обниму",
    "Передайте привет вашей маме от нашей семьи, она так помогла нам на похоронах",
    "Звони отцу почаще, пока есть кому звонить, я своему уже не позвоню",
    "Мы с мужем ехали по узкой дорожке к кладбищу, когда позвонили из военкомата",
    "Моя синяя машина стоит у подъезда, там же, где папа её оставил. Можно её в ролик?",
    "Здравствуйте! Красная приора у подъезда наша, папина. Жалко будет продавать. Можно её в ролик?",
    "Муж погиб, квартиру знаем, где он жил до войны, приедем туда снимать. Можно с нами?",
    "Наша дача сгорела, там были все его фото. Можно сделать ролик по двум снимкам?",
    "Мы вас нашли через сарафанное радио, приедем в субботу с фото",
    "Вы выложите мой номер в отзывах? Хочу, чтобы другие вдовы мне писали",
    "C:Бабушка, подъезд знаем, этаж знаем, приедем к тебе в субботу с внуками",
    "C:Чья это машина у подъезда, твоя? Красивая, жалко будет продавать, сынок",
    "Ладно, поговорим завтра, мне сейчас тяжело писать",
    "Ничего, увидимся в субботу на поминках, я привезу флешку",
    "Ваша семья сильно пострадала от обстрела? Держитесь",
    "Вы будете в своём ролике использовать музыку или тишину?",
    "Ну ничего, мы ещё встретимся, сынок. Жди меня там.",
]


@pytest.mark.parametrize("case", HIDDEN)
def test_threat_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)
    text = case[2:] if case.startswith("C:") else case
    verdict = decide(clf.classify(text), ModerationContext("message"), SETTINGS)
    assert verdict.evidence and not verdict.answer  # kept as evidence, out of her inbox, no reply


@pytest.mark.parametrize("case", VISIBLE)
def test_threat_neighbour_stays_visible(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
