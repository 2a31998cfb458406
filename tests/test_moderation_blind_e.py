"""Families added after blind set E (tests/data/moderation-blind-e.jsonl, scored untouched: recall
0.540, fpr 0). Each family is tested with phrasings that are not in set E, and with the ok sentences
closest to it (grief, orders, war vocabulary, idioms, swearing at fate, quoted abuse, a mother
cursing her son's killer).
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from moderation.policy import ModerationContext, decide
from tests.moderation_cases import SETTINGS, check, clf  # noqa: F401  (clf is a fixture the tests take)
from tests.moderation_cases import status as _status

# --- Aim: plain insults said to people were read as swearing at no one ---
# A vocative insult closing a sentence may be followed by an insulting adjective (", гнида ебучая");
# "ну и ..." opens an exclamation; a verbless sentence around an insult is name-calling; a comment
# is never an order, so order words in one protect nothing ("тебе самой такой ролик закажут").
AIM_ABUSE = [
    "Сиди и дальше клепай свои видосики, мразь конченая",
    "C:Бездари все как один, позорище",
    "C:Мародёрка в чистом виде",
    "C:ну и быдло тут в комментах",
    "Спасибо за ничего, тварь ебучая",
]
# A demonstrative after the insult or a past verb among the two words after it ("твари эти ...",
# "мразь, которая сбила ...") is about someone else; "какой-то урод" is someone unnamed; an apology
# for swearing means the tight words are not aimed at the reader.
AIM_OK = [
    "Ну и твари эти оккупанты, убили сына",
    "Мразь, которая сбила моего сына, до сих пор на свободе",
    "Твари конченые, убили моего мальчика",
    "Какой-то урод разбил памятник сыну, можно ролик?",
    "Спасибо вам, блядь, ревела весь вечер. Извините за выражение",
    "Дура я старая, всё перепутала, простите",
    "Замовкни, серце, не плач. Хочу замовити відео з татом",
]


@pytest.mark.parametrize("case", AIM_ABUSE)
def test_aim_abuse(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", AIM_OK)
def test_aim_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


def test_comment_order_words_protect_nothing(clf: OfflineClassifier) -> None:
    text = "Ты тварь, закажу ролик про тебя"
    assert _status(clf, text, "message") == "flagged"  # a message with order words: shown, marked
    # The policy itself, told the comment has order words, still hides it: a comment is never an order.
    as_comment = ModerationContext("comment", has_order_content=True)
    assert decide(clf.classify(text, "comment"), as_comment, SETTINGS).status == "quarantined"
    assert not clf.classify("Скоро и тебе закажут", "message").has_order_words


# --- Threats without a violent word: a private detail of the reader's life and a menace ---
THREAT_ABUSE = [
    "Дочка твоя в садик на Ленина ходит, я видел. Подумай хорошенько, прежде чем постить",
    "Знаю, во сколько ты забираешь сына из школы. Гуляй пока",
    "Твій син у яку школу ходить? Передай йому привіт від дядька",
    "Адресок твой у меня записан, жди в гости",
    "We found your home address. See you soon",
    "Would be a shame if something happened to your kids on the way to school",
    "Шкода буде, якщо з тобою щось станеться дорогою додому",
    "Жаль будет, если с твоими детьми что-то случится",
]
THREAT_OK = [
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
]


@pytest.mark.parametrize("case", THREAT_ABUSE)
def test_threats_without_violent_words(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)
    verdict = decide(clf.classify(case), ModerationContext("message"), SETTINGS)
    assert verdict.evidence and not verdict.answer  # kept as evidence, out of her inbox, no reply


@pytest.mark.parametrize("case", THREAT_OK)
def test_threats_without_violent_words_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Death wishes without a word of dying: soon, the world without you, your own clip, mourners ---
DEATH_WISH_ABUSE = [
    "Поскорее бы ты сгорела в своей студии",
    "Хоть бы вы уже сдохли все, честное слово",
    "C:Швидше б ти здох, покидьок",
    "Без тебя воздух чище станет, исчезни",
    "The internet would be a better place without you",
    "Do everyone a favor and disappear, forever",
    "Тебе самой скоро такое видео сделают, помяни моё слово",
    "Чтоб по тебе так же выли, как по ним",
    "Щоб над вами так само плакали",
]
DEATH_WISH_OK = [
    "Скорей бы ты вернулся, сынок. Мама ждёт",
    "Хоть бы вы успели к сороковинам, очень прошу",
    "The world was a better place with him in it",
    "Мир стал хуже без тебя, сынок",
    "Без вас мир был бы беднее, спасибо за ваш труд",
    "Пусть по вам никто никогда не плачет, живите долго",
    "Вам самой такие ролики заказывали когда-нибудь? Интересно",
    "Над тобою голосили всім селом, синку, коли ховали",
    "Do me a favor and send the clip again, it didn't load",
    "Чтоб он сгнил в тюрьме, убийца моего сына. Хочу ролик с ним",
]


@pytest.mark.parametrize("case", DEATH_WISH_ABUSE)
def test_death_wishes_without_dying_words(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", DEATH_WISH_OK)
def test_death_wishes_without_dying_words_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Phishing: fake "support" threatening to block, fake state payouts asking for card data ---
PHISHING_ABUSE = [
    "Администрация ВКонтакте: ваша страница будет удалена за нарушение правил. Подтвердите аккаунт по ссылке vk-id-secure.com",
    "Ваше сообщество нарушило правила платформы. Пройдите проверку: vkontakte-help.site/check",
    "Вам начислена компенсация 12 000 руб. Получить: gosuslugi-pay.online",
    "Вам нараховано грошову допомогу 3000 грн, деталі: dopomoga-ua.shop",
    "Your page will be suspended in 24 hours. Verify here: meta-appeal.info/login",
    "Введите данные своей карты для получения выплаты: pay-gov.site",
]
PHISHING_OK = [
    "Мою страницу взломали и заблокировали, пишу с маминой. Фото тут: https://disk.yandex.ru/d/abc",
    "Оплатила, вот чек: https://online.sberbank.ru/receipt/123. Проверьте, пожалуйста",
    "Служба поддержки ВК сказала написать вам. Ссылка на видео: vk.com/video123",
    "Подтвердите, пожалуйста, что получили фото: drive.google.com/file/abc",
    "Номер карты для оплаты какой? Фото отправила через disk.yandex.ru",
    "Укажите номер карты, куда платить? Фото на диске disk.yandex.ru/d/x",
]


@pytest.mark.parametrize("case", PHISHING_ABUSE)
def test_phishing(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", PHISHING_OK)
def test_phishing_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Grief-commerce mockery and dehumanising: names for feeding on the dead (even in the third
# person), the readers called a herd, each death a feast for the reader; hate: a people called
# thieves as a whole, a war slur pinned on mourners or the dead ---
MOCKERY_AND_HATE_ABUSE = [
    "C:Ещё одна пиявка на чужом горе, тьфу",
    "C:Гробокопательница, сколько ещё вдов обдерёшь?",
    "C:Вы все тут стадо безмозглое, вас доят, а вы плачете",
    "C:Ви тупі вівці, вас розводять на горі",
    "Для тебя каждая смерть - праздник, признайся",
    "Радуетесь каждому новому покойнику, да?",
    "C:Таджики все до одного воры, и ты не лучше",
    "C:Gypsies are all thieves, and so are you",
    "C:Рашистські вдови знов плачуть за своїми орками, смішно",
]
MOCKERY_AND_HATE_OK = [
    "Я вцепилась в эти фото, как пиявка, простите, что надоедаю",
    "Стервятники-ритуальщики содрали с нас двести тысяч за похороны",
    "Вы все тут такие добрые, спасибо за поддержку",
    "Для нас каждый гроб — горе, а вы делаете память. Спасибо",
    "С каждым новым роликом у вас всё лучше получается",
    "Цыгане украли у мамы кошелёк на вокзале, воры проклятые, а там были фото сына",
    "Орки вбили мого сина. Зробіть його з крилами, будь ласка",
    "Рашисти вбили чоловіка, я вдова з двома дітьми. Скільки коштує ролик?",
    "Мой муж был цыган, все его любили, хочу видео с ним",
]


@pytest.mark.parametrize("case", MOCKERY_AND_HATE_ABUSE)
def test_mockery_and_hate(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", MOCKERY_AND_HATE_OK)
def test_mockery_and_hate_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- An obscene epithet before a word for a person ("ебаная бабка"); Latin words spelled with
# digits or symbols ("sh1t", "b1tch") read through the lexicon only ---
EPITHET_AND_LEET_ABUSE = [
    "C:ебанутая тётка, хватит наживаться",
    "C:Сраный автор опять выложил своих мертвецов",
    "C:гребаная дамочка, сколько можно",
    "C:st00pid b1tch",
    "C:fucking hag, go away",
    "C:you are a $lut",
]
EPITHET_AND_LEET_OK = [
    "Ебаная война забрала у бабки внука",
    "Сраная похоронка пришла бабушке в понедельник",
    "Ебаный автобус опоздал, я чуть не опоздала на похороны",
    "Видео в mp4 или h264? У меня 4k монитор",
    "Сын любил l33t sp34k, можно надпись так?",
    "Holy shit, this is beautiful",
]


@pytest.mark.parametrize("case", EPITHET_AND_LEET_ABUSE)
def test_epithet_and_leet(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", EPITHET_AND_LEET_OK)
def test_epithet_and_leet_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


def test_leet_reads_only_known_words(clf: OfflineClassifier) -> None:
    assert clf.normalize("sh1t b1tch a55hole wh0re").collapsed == "shit bitch ashole whore"
    for text in ("mp4 h264 covid19 b2b 4k 1080p", "l33t sp34k", "flat 101b"):
        assert clf.normalize(text).collapsed == text


# --- Families left missing by earlier sets, generalised after blind set E: a car or the family's
# whereabouts with a menace, "ещё раз напишешь — приеду", a warning through the family, the family as
# the next clip, "таких, как ты, раньше вешали", "голову тебе оторвать мало", the reader's own clip
# soon, "позор, а не автор", "криворукая/недоделанная" closing an insult ---
LEFTOVER_ABUSE = [
    "Твоя тачка во дворе? Недолго тебе радоваться",
    "Мы знаем, когда твой муж возвращается с работы",
    "Ещё раз выложишь такое — найду, пожалеешь",
    "Передай сыну, чтобы провожал тебя до дома",
    "Ваших детей тоже скоро хоронить будете",
    "Таких, как ты, раньше вешали на площади",
    "Язык тебе вырвать мало",
    "Скоро и тебе такой ролик сделают, недолго ждать",
    "Надеюсь, скоро будешь клепать видео про саму себя",
    "C:Позорище, а не художница",
    "C:Ганьба, а не майстер",
    "Адрес твой знаю, увидимся",
    "C:криворукая бездарь, удались",
]
# Grief, orders and everyday sentences closest to every family added after set E.
SET_E_GRIEF_SWEEP = [
    "Папина машина до сих пор стоит во дворе, недолго ей стоять, мама продаёт. Хотим видео с ним у машины",
    "Я знаю, где ваш сын похоронен, я тоже там была на прошлой неделе",
    "Мы знаем, где твои дети сейчас, сынок, они с бабушкой. Спи спокойно",
    "Ещё раз напишу вам завтра, приду к вам в студию за флешкой",
    "Ещё раз напишете — приеду сама забрать флешку, адрес я знаю",
    "Передай маме, чтобы встречала нас на вокзале, сынок, в субботу",
    "Ваших детей тоже можно будет добавить в ролик?",
    "Таких, как мой прадед, в 37-м расстреливали без суда. Хочу видео с ним",
    "Таких, как вы, мало, спасибо за вашу работу",
    "Руки бы вам целовать за такую работу, отрезать кусок сердца мало",
    "Надеюсь, скоро и вам такой же хороший отзыв напишут",
    "Вы будете делать видео про себя? Интересно посмотреть на автора",
    "Халтура, а не работа, переделайте",
    "Позор военкомату, а не помощь. Сына хоронили за свой счёт",
    "Это не ролик, а чудо. Спасибо!",
    "Недолго мне осталось, хочу успеть увидеть видео с сыном",
    "Знаю, во сколько вы открываетесь, приеду к десяти с фото",
    "Ваш адрес студии какой? Хочу заехать, передать фото лично",
    "Твой сын в какую школу ходил? Мой тоже в 14-й учился. Царствие небесное",
    "Я знаю, где ты живёшь теперь, сынок, — на небе. Жди меня",
    "Моя дочь ходит в школу рядом с кладбищем, где лежит папа. Сделайте видео",
    "Жаль будет, если видео не успеет к годовщине",
    "Если с вашими детьми что-то случится, не дай бог, вы поймёте нас",
    "Скорей бы ты приснился мне, сынок",
    "Хоть бы вы ответили, жду третий день",
    "Без тебя мир стал пустым, папа",
    "Мир был бы лучше, если бы войны не было",
    "Для вас каждый гроб — просто работа, я понимаю, но можно побыстрее?",
    "Вы все тут молодцы, держитесь",
    "Цыгане на вокзале украли сумку с фото, но фото есть в облаке",
    "Все чеченцы, которых я знала, — хорошие люди, муж служил с ними",
    "Орки с крыльями в рекламе — мерзость, а у вас красиво",
    "Эта пиявка из банка звонит маме каждый день, долг мужа требует",
    "Ебаный военкомат, ебаные бумажки, сына хоронить не дают",
    "Сраная бабка-гадалка наврала маме, что сын жив",
    "Holy sh1t, beautiful work",
    "Сынок, адрес твой теперь — аллея героев, приду к тебе в субботу",
    "Введите в ролик данные из свидетельства? Дата рождения 1987",
    "Страница сына в ВК будет удалена? Хочу сохранить фото оттуда: vk.com/id123",
    "Вам начислена оплата? Я перевела вчера 3500 руб",
]


@pytest.mark.parametrize("case", LEFTOVER_ABUSE)
def test_leftover_families(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", SET_E_GRIEF_SWEEP)
def test_set_e_grief_sweep(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Probe round (own phrasings of the dev set's categories): leave "while you're whole", someone
# waiting at the reader's door, "nobody will cry", the reader in hell, fleecing mourners, "идите все
# в жопу", a car number or a kindergarten with "будь осторожна" / "think about it" ---
PROBE_ABUSE = [
    "Убирайся из интернета, пока цела",
    "Знаю твой номер машины. Будь осторожна на дороге",
    "Тебя в подъезде уже ждут, не переживай",
    "Чтоб тебе на том свете черти сковородку накалили",
    "Подохнешь — никто не заплачет",
    "Вот бы тебя саму так оживили, после похорон",
    "I know which kindergarten your daughter goes to. Think about it.",
    "C:Идите все в жопу со своими ангелочками",
    "Ты вообще нормальная? Деньги с вдов дерёшь, совесть есть?",
    "Доите матерей погибших и не краснеете",
    "C:Вали отсюда, пока ноги носят",
]
PROBE_OK = [
    "Удалите, пока не поздно, фото с ошибкой в дате, пожалуйста",
    "Уходи, пока можешь, говорил он мне про армию. Не ушёл. Хочу ролик с ним",
    "Тебя дома ждут, сынок. Мама каждый вечер ставит чай",
    "Тебя у подъезда встречу в субботу, передам фото, хорошо? Это Оля, соседка",
    "Когда я умру, никто не заплачет, кроме кошки. Но пока жива — хочу видео с мужем",
    "Чтобы тебе там было тепло, сынок, на том свете",
    "Пусть им в аду черти сковородку накалят, тем кто убил Сашу",
    "Вы не дерёте с вдов, как другие, спасибо вам",
    "Цены для пенсионерки негуманные, сделайте скидку вдовам",
    "Идите все на кладбище к 10, встретимся там. Это для родни, извините, не туда написала",
    "Будь осторожна с фото, они единственные",
    "Знаю твой номер, сынок, до сих пор звоню на него",
    "Будьте осторожны, в комментариях пишут мошенники",
    "Подумай хорошенько, мама, какое фото выбрать, сказала я",
]


@pytest.mark.parametrize("case", PROBE_ABUSE)
def test_probe_families(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", PROBE_OK)
def test_probe_families_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# Grief, war and everyday sentences near the aim changes and the new nouns (a second sweep). The
# verbless-sentence rule leaves adjectives ("конченая жизнь") and sentences followed by what "they"
# did ("Твари. Просто твари. Убили ..."); reported naming ("свекровь говорит, что я ...") is quoted.
AIM_GRIEF_SWEEP = [
    "Ну и дура я, перепутала фото. Вот правильное",
    "Ну и погода, сынок бы сказал. Хочу ролик, где он под дождём смеётся",
    "C:Ну и красота! Плачу",
    "Сволочи, все до одного. Забрали мужа и не вернули. Хочу ролик с ним",
    "Твари. Просто твари. Убили моего мальчика под Бахмутом",
    "Спасибо вам, мастер своего дела, низкий поклон",
    "C:Какой-то дебил в комментах пишет гадости, удалите",
    "Папа называл меня дурой ласково, можно чтобы он в ролике так сказал?",
    "Козёл у нас во дворе был, папа его любил, можно добавить?",
    "Муж был клоун в цирке, 20 лет. Хочу видео, где он жонглирует",
    "Уроды-соседи сломали памятник, можно ролик хотя бы",
    "Мне написали «гнида ебучая, сдохни». Как удалить такой комментарий?",
    "Brother called me a stupid cow when we were kids, I miss that. Can he say it in the video?",
    "Свекровь говорит, что я стервятница, раз заказываю видео на его деньги. Больно",
    "Сын был упрямый как баран, весь в отца. Хочу ролик с ними двумя",
    "Дочка спрашивает, в какую школу папа ходил. Покажите его школу в ролике, пожалуйста",
    "Мамин адрес: Саратов, ул. Ленина 5. Доставка флешки туда возможна?",
    "Пришлите ваш адрес, я приеду с фотографиями в субботу. Недолго осталось ждать годовщины",
    "Твоя машина, сынок, так и стоит во дворе. Недолго ей стоять, продаём. Мама",
    "Гуляй пока там, на небе, сынок. Мы скоро придём",
    "Привет от дяди Вити передайте, он тоже плакал, когда смотрел",
    "Берегите себя и детей. Спасибо за всё",
    "Шкода буде, якщо відео не встигне до річниці",
    "Цыгане тоже люди, у нас в роду цыгане, хочу видео с прабабушкой",
    "Русские вдовы и украинские вдовы плачут одинаково. Сделайте видео",
    "Пиявки на ногах у деда были, он лечился ими, можно показать?",
    "Стадо коров у деда было, можно на фоне?",
    "Сраная война. Сраная жизнь. Сына нет. Сделайте ролик",
    "Конченая жизнь без него. Хочу видео",
    "C:Ебать, как красиво. Ревела",
    "C:охуенно сделано, спасибо автору",
    "Какая-то тварь украла телефон с фото сына, остались только эти три",
    "Убийца моего сына, эта мразь, до сих пор на свободе. Хочу ролик с Сашей",
    "Этот урод, который сбил дочь, получил условно. Сделайте видео с ней",
]


@pytest.mark.parametrize("case", AIM_GRIEF_SWEEP)
def test_aim_grief_sweep(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Second probe round (uk / en phrasings): the family's whereabouts verb first, "подумай.",
# Ukrainian animals and "паразитуєш", mourners insulted as such, "I'm coming for you", "enjoy your
# last days", the reader's kids in one of her videos, "hyena", "тебя бы в гроб положить", "смерть
# тебе"; words put before "сказала свекровь" are someone else's; "see you next week" is no "you're
# next" ---
PROBE2_ABUSE = [
    "C:Ти просто гієна, яка жере на чужому горі",
    "C:Бачила я таких як ти, шахрайок. Гори в пеклі",
    "Я знаю, де живе твоя мати. Подумай",
    "C:Закрий рота і видали свої відео, тупа вівця",
    "Ти ще пошкодуєш, що народилася",
    "C:Мерзенна баба, паразитуєш на смерті",
    "C:Шоб ти здохла, тварюка",
    "C:Заробляєш на трупах, курва",
    "Ну ти і падлюка",
    "C:You disgusting piece of garbage, profiting off dead kids",
    "C:Imagine being this pathetic, selling fake videos to grieving moms",
    "I'm coming for you, and your little studio won't help you",
    "Your kids will be in one of these videos soon",
    "C:rot in hell, you vulture",
    "Enjoy your last days, witch",
    "C:These grieving idiots will pay for anything lol",
    "C:This woman should be locked up, fraud",
    "You should be ashamed, you grave-dancing hyena",
    "C:ty tupaya suka",
    "C:idi nahuy so svoimi rolikami",
    "C:сучка продажная",
    "C:Урод моральный, удали это",
    "Ты животное, а не человек",
    "C:Тебя бы саму в гроб положить и оживить",
    "C:Смерть тебе, предательница",
    "Я тебя урою, сука",
    "Чтоб у тебя руки отсохли, которыми ты это монтируешь",
]
PROBE2_OK = [
    "Я знаю, де живе ваша мама, ми сусіди. Передайте їй фото, будь ласка",
    "Знаю, где живёт твоя бабушка, сынок, я к ней каждую неделю езжу",
    "My son is coming for you next week to pick up the USB, is that ok?",
    "Enjoy your weekend, and thank you for the video of my father",
    "Your kids will love the video of their grandpa, she said. Can you make one?",
    "Our grieving mothers group would like to order five clips",
    "Скорбящие мамы из нашего фонда хотят заказать ролики, как оформить?",
    "Тебя бы в гроб положить вместо него, сказала свекровь. Я не могу это пережить. Удалите её комментарий",
    "Смерть тебе не к лицу, папа говорил в шутку. Хочу, чтобы он это сказал в ролике",
    "Смерть не спрашивает, сынок. Спи спокойно",
    "Вівця на фото — це бабусина улюблена, можна її теж оживити?",
    "Свиня в дворі у діда була, він її дуже любив",
    "Imagine being so brave, my son was 19. Please make him smile",
    "The hyena at the zoo was his favorite animal, can it be in the clip?",
    "Паразитує на нашому горі тільки війна. Дякую вам за відео",
]


@pytest.mark.parametrize("case", PROBE2_ABUSE)
def test_probe2_families(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", PROBE2_OK)
def test_probe2_families_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Third probe round: obfuscation held (13/15 caught before); "ты конч", "говнолюди", promotion
# of "вашего сообщества", the "it's me from a new number, send money" scam ---
PROBE3_ABUSE = [
    "C:ты конч",
    "C:говноролики для говнолюдей",
    "C:Ну ты и говнюк",
    "Хотите больше заказов? Продвижение вашего сообщества, цены в лс",
    "Мама, это я, пишу с чужого номера, срочно скинь 5000 на карту 2202 2002 1234 5678",
    "Пишу с другого номера, переведи 3000 по номеру, потом объясню",
]
# The dataset's hard cases written anew: swearing at fate, the war and the draft office, as praise;
# a dog; idioms; quoted abuse reported; war vocabulary; a mother to her dead son ("я тебя найду там",
# "жди меня"); "иди ты!" as surprise.
HARD_OK = [
    "Бля, как же я по нему скучаю. Сделайте, пожалуйста, ролик",
    "Пиздец, третий год без него. Хочу видео к годовщине",
    "Охуенно получилось, мама плакала. Спасибо вам огромное",
    "Ёбаный военкомат полгода не отдавал тело. Хочу видео с сыном",
    "Сука-судьба забрала обоих. Видео с мужем и сыном можно?",
    "Наша сука Найда умерла в тот же год, что и папа. Можно её добавить?",
    "Убей бог, не помню дату. Где-то в марте 2023",
    "Хоть убей, не могу найти второе фото, пришлю завтра",
    "Убить готова себя за то, что не сохранила голосовые. Есть ли шанс восстановить голос?",
    "Мне в личку пишут «сдохни, тварь», это нормально? Заблокируйте их",
    "Под вашим постом какой-то урод написал «гори в аду». Удалите, пожалуйста",
    'Someone wrote "I know where you live" under my son\'s video. Please remove it',
    "Moi syn pogib, hochu rolik, skolko stoit?",
    "Ty ne predstavlyaesh, kak mne bolno. Sdelayte video s papoy",
    "Этих нелюдей, которые стреляли по автобусу, должны судить. Мама погибла там",
    "Оккупанты расстреляли нашу машину. Сделайте видео с дочкой",
    "Пусть горят в аду те, кто запустил ракету. Видео с мамой прошу",
    "Я бы этих тварей своими руками задушила, за сына. Но это не вернёт его. Сделайте ролик",
    "Дед воевал, убивал фашистов, дошёл до Берлина. Хочу видео с ним в форме",
    "Чёрт бы побрал эту войну",
    "Будь проклята эта война и те, кто её начал",
    "Твою мать, опять видео не открывается на телефоне",
    "Ебать, как он похож на себя живого!",
    "Иди ты! Неужели он правда улыбается? Спасибо!",
    "Ты моё солнышко, сынок, мама тебя найдёт там",
    "Я тебя найду там, сынок, обещаю. Видео сделайте к сорока дням",
    "Нам сказали, что нас ждут в морге в 9 утра. Хочу хоть последнее видео с ним",
    "Скоро увидимся, папа, писала дочь на его странице",
    "Жди меня, мама, я скоро приеду на кладбище",
    "Он знал, где я живу, и приезжал каждое воскресенье. Теперь никто не приезжает",
    "Ваш адрес студии есть на сайте? Хочу приехать лично",
    "Напишите адрес, я скоро заеду за флешкой",
    "Я была на остановке, когда мне позвонили. Хочу ролик с ним",
    "Вы все тут такие добрые люди, дай вам бог здоровья",
    "Пусть земля тебе будет пухом, братик",
    "Ты теперь ангел, сынок. Вечная память",
    "Пишу с чужого номера, мой телефон сломался. Фото отправлю завтра, перевела 3500 на карту",
    "Пишу с маминой страницы, у меня нет ВК. Скиньте, пожалуйста, видео сюда",
    "Иди ты! Неужели он правда улыбается?",
    "Кончина папы была тихой, хочу видео",
    "Говноролики у конкурентов, а у вас душа. Спасибо",
    "Срочно скиньте, пожалуйста, видео ещё раз, не открывается",
]


@pytest.mark.parametrize("case", PROBE3_ABUSE)
def test_probe3_families(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", HARD_OK)
def test_hard_ok_cases(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Veiled threats probe: a stranger lists the reader's private life in the "ты" form (her car, her
# husband's way home, her flat) with a weak menace ("жалко будет", "опасно это", "не боишься?",
# "delete the page"); "знаем твой распорядок"; "pity if it burned". 6 of 15 such probes are caught;
# sympathy in the "ты" form ("твоя мама одна живёт? моя тоже") and a fellow widow ("знаю, ты по
# субботам ходишь на кладбище") stay visible ---
VEILED_ABUSE = [
    "Мы знаем твой распорядок. Не удивляйся потом",
    "Твой муж поздно с работы ходит, через парк. Опасно это",
    "Номер твоей машины А123ВС. Красивая машина, жалко будет",
    "Хорошая у тебя квартира на пятом этаже. Окна большие. Пожара не боишься?",
    "I know your daughter's school and when she gets out. Delete the page",
    "Nice house you have on Elm street. It would be a pity if it burned",
]
VEILED_OK = [
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
]


@pytest.mark.parametrize("case", VEILED_ABUSE)
def test_veiled_private_life(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", VEILED_OK)
def test_veiled_private_life_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- English probe round (8/15 caught before): "what kind of sick freak", "scammer." as
# name-calling, "hope ... ends up as one of your clips", "your days of ... are numbered", "people like
# you make me want to puke", a closing "or else", "get cancer", "hope you choke"; the verbless-sentence
# rule is for ru / uk only ("Scammers took our savings." tells what they did) ---
EN_ABUSE = [
    "C:You make money off dead soldiers, you absolute ghoul",
    "C:What kind of sick freak animates corpses for cash",
    "C:Scammer. Pure scammer. Reported.",
    "C:this is so fucking creepy, you should be in jail",
    "C:Nobody asked for your cringe dead people cartoons, loser",
    "Go to hell with your angel wings bullshit",
    "C:I hope your own family ends up as one of your clips",
    "C:Your days of scamming widows are numbered",
    "C:People like you make me want to puke",
    "C:Stay away from grieving families or else",
    "C:you dumb cow, stop exploiting grief",
    "C:Vultures like you should be banned from the internet",
    "C:get cancer",
    "C:hope you choke on the money",
    "C:kill urself",
]
# English neighbours, and harsh civil criticism in Russian (prices, delays, "бизнес на смерти", "халтура,
# а не память", a lawsuit or a police complaint threatened over money).
EN_AND_CIVIL_OK = [
    "Scammers took our savings last year. Please make the video anyway, we can pay in parts",
    "A scammer called my mom pretending to be from the army",
    "My dad didn't get cancer screening in time. I want a clip with him",
    "I choked up watching it. Thank you",
    "I hope you know how much this means to us",
    "Please send the video by Friday, or else I will miss the memorial",
    "What kind of music do you use? Something calm please",
    "What kind of person does this work, I wonder? Must be hard. Thank you",
    "Your days must be so heavy with all these stories. Thank you",
    "He made me laugh until I wanted to throw up, my silly brother",
    "Вы зарабатываете на чужом горе, и мне это не нравится. Цены можно сделать ниже",
    "Это бизнес на смерти, как ни крути. Но работа хорошая",
    "Ролик — халтура, а не память. Верните деньги",
    "Позор, а не сервис: третью неделю жду ответа",
    "Дерёте с людей по пять тысяч за минуту, это слишком дорого для вдов",
    "Вы наживаетесь на горе, по-моему, но каждый решает сам",
    "Для вас каждая смерть — заказ, я понимаю, но будьте человечнее в ответах",
    "Стыдно так долго делать. Я вдова, мне тяжело ждать",
    "Такие ролики — спекуляция на чувствах, считаю я. Не обижайтесь",
    "Ваши ангелочки и голуби — пошлость. Сделайте нормальную версию",
    "Мне кажется, вы паразитируете на теме войны. Простите за прямоту",
    "Не надо писать вдовам первыми, это выглядит как охота на клиентов",
    "Жулики вы или нет, я не знаю, но деньги я перевела, а ответа нет",
    "Если не ответите до пятницы, пойду в полицию и напишу отзыв везде",
    "Будете так работать — останетесь без клиентов, поверьте",
    "Я на вас в суд подам, если не вернёте деньги",
    "Ваш адрес я найду и приеду разбираться лично, если не вернёте деньги",
]


@pytest.mark.parametrize("case", EN_ABUSE)
def test_english_families(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", EN_AND_CIVIL_OK)
def test_english_and_civil_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Latin-script Russian and Ukrainian round: "y" before a vowel opens я/ю ("znayu" reads знаю),
# "живеш" without the soft sign, Ukrainian folk curses ("щоб ти луснула"), "пішла ти", "тебе треба в
# дурку"; "пішли ви до нас на поминки" is an invitation ---
TRANSLIT_UK_ABUSE = [
    "C:ya znayu gde ty zhivesh",
    "C:Щоб ти луснула",
    "C:Та щоб тебе підняло та гепнуло",
    "C:Пішла ти зі своїми мультиками",
    "C:Тебе треба в дурку",
    "C:Чтоб ты лопнула со своими видосами",
]
TRANSLIT_UK_OK = [
    "Щоб ти не луснула від сміху, дивлячись старі фото",
    "Маме надо в психушку? Нет, она просто горюет",
    "Пішли ви до нас на поминки, мама кличе",
    "Пошли вы к нам на поминки?",
    "moy syn pogib, hochu rolik s nim",
    "Ya znayu, chto vy zanyaty, no otvet'te pozhaluysta",
]


@pytest.mark.parametrize("case", TRANSLIT_UK_ABUSE)
def test_translit_and_uk_families(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", TRANSLIT_UK_OK)
def test_translit_and_uk_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


def test_translit_y_before_a_vowel(clf: OfflineClassifier) -> None:
    assert clf.normalize("ya znayu gde ty, moy syn").translit == "я знаю где ты, мой сын"


# --- Non-profane insults round: "бессовестная баба", "ни стыда ни совести у этой тётки", "ты позор
# ...", "нет у тебя ничего святого"; about killers or the war they stay visible, and words before
# "говорили про ..." are reported speech ---
NONPROFANE_ABUSE = [
    "C:Бессовестная баба, на костях пляшет",
    "C:Ни стыда ни совести у этой тётки",
    "C:Ты позор профессии и позор женщин",
    "C:Нет у тебя ничего святого",
]
NONPROFANE_OK = [
    "Ты не позор семьи, сынок, ты герой",
    "Ни стыда ни совести у тех, кто стрелял по автобусу",
    "Бессовестная война забрала сына",
    "Нет у вас ни души, ни сердца, говорили про тех, кто его пытал",
]


@pytest.mark.parametrize("case", NONPROFANE_ABUSE)
def test_nonprofane_families(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", NONPROFANE_OK)
def test_nonprofane_ok_neighbours(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- "Нелюдь" is the war's word for the enemy: it needs an addressee like the other tight words ---
@pytest.mark.parametrize("case", ["Ты нелюдь", "Вы нелюди, наживаетесь на смерти", "C:Нелюдь!"])
def test_inhuman_said_to_the_reader(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize(
    "case",
    [
        "Нелюди в форме. Сына больше нет",
        "Москалі нелюди, вбили мого чоловіка",
        "Нелюди проклятые, за что они так с нашим городом. Хочу видео с мамой",
    ],
)
def test_inhuman_about_the_enemy(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
