"""Families added after blind set F (tests/data/moderation-blind-f.jsonl, scored untouched: recall
0.740, fpr_ok 0.020). Each family is tested with phrasings that are not in set F, and with the ok
sentences closest to it (grief, orders, war vocabulary, a relative's own home or child's school,
swearing at fate, quoted abuse reported to the admin, a mother cursing her son's killer).
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from tests.moderation_cases import check, clf  # noqa: F401  (clf is a fixture the tests take)

# --- A curse at fate: an abstract noun in the vocative (война / болезнь / рак / судьба / водка
# проклятая), anywhere in the sentence or as a sentence of its own, makes a death wish or "иди ты"
# swearing at no reader (the false positive of set F) ---
FATE_ABUSE = [
    "Чтоб ты сдохла, тварь",
    "Чтоб ты сдохла со своими роликами",
    "C:Чтоб ты сдохла. Война проклятая забрала пацанов, а ты на этом наживаешься",
    "Рак тебе в печень, чтоб ты сдохла",
    "Чтоб ты сдохла от рака, как твои клиенты",
    "Щоб ти здохла разом зі своїми відео",
    "Иди ты на хуй со своей войной",
]
FATE_OK = [
    "Война проклятая, чтоб ты сдохла. Сына забрала, мужа забрала",
    "Чтоб ты сгорела, проклятая болезнь, маму за полгода съела",
    "Щоб ти здохла, клята війно. Синку, я чекаю",
    "Рак проклятый! Чтоб ты сдох! Папе было 52",
    "Чтоб ты сдохла! Водка проклятая. Папа из-за неё умер",
    "Иди ты на хуй, болезнь, ненавижу тебя. Хочу ролик с мамой",
    "Сдохни, судьба, сколько можно отнимать",
    "Сука ты, война проклятая, сколько ж ты забрала",
    "Гори в аду, военкомат проклятый, забрали мальчика без подготовки",
]


@pytest.mark.parametrize("case", FATE_ABUSE)
def test_curse_at_a_reader(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", FATE_OK)
def test_curse_at_fate_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Phishing and investment bait: more link endings, a messenger handle as the link ("DM @name on
# Telegram"), a sanction stated for the page ("группа будет заморожена", never asked), the owner's
# confirmation demanded, "turned $300 into $9,400" ---
SPAM_ABUSE = [
    "Служба поддержки ВКонтакте: канал будет ограничен через 12 часов. Подтвердите права: vk-support.app/verify",
    "Your community will be restricted today. Owner must confirm: meta-verify.help/login",
    "Без подтверждения администратора сообщество будет отключено. Подробнее: vk-owner.space/id",
    "Made $500 into $12,000 in a week with crypto signals, write @btc_guru_max in Telegram",
    "Пиши в тг @invest_olga: инвестиции в крипту, доход 300% в месяц",
]
SPAM_OK = [
    "Страница сына будет удалена? Фото оттуда: vk.com/id555",
    "Подтвердите, пожалуйста, что фото дошли: disk.yandex.ru/d/abc",
    "Мамин инстаграм @lyuda_petrova, там все её фото, возьмите оттуда",
    "Напишите мне в телеграм @olga_mama, если нужны ещё фото сына. Оплату перевела",
    "Группа сына в ВК была заблокирована, фото сохранила тут: cloud.mail.ru/public/x",
    "Служба поддержки ВК сказала, что ваша группа в порядке. Видео тут: vk.com/video1",
]


@pytest.mark.parametrize("case", SPAM_ABUSE)
def test_phishing_and_bait(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", SPAM_OK)
def test_phishing_and_bait_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Words written backwards: read back when the message says so ("читай задом наперёд", "наоборот",
# "backwards") or a word opens with ь / ъ, and only into a known word or a second-person pronoun ---
REVERSED_ABUSE = [
    "акус ыт, прочитай наоборот",
    "C:kcuf uoy, read it backwards",
    "йух ебет, это наоборот читается",
    "C:ьтялб тупая",
]
REVERSED_OK = [
    "Укус пчелы у папы был, наоборот, не страшный",
    "Прочитайте наоборот: сначала дата смерти, потом рождения. Так папа хотел",
    "Можно текст задом наперёд, как в его любимом фильме? Хочу ролик",
    "Read it backwards, it spells his name: nomis",
]


@pytest.mark.parametrize("case", REVERSED_ABUSE)
def test_reversed_words(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", REVERSED_OK)
def test_reversed_words_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


def test_reversal_reads_only_known_words(clf: OfflineClassifier) -> None:
    assert (
        clf.normalize("ьдялб продажная, читай задом наперёд").collapsed
        == "блядь продажная, читай задом наперед"
    )
    assert clf.normalize("nomis, backwards").collapsed == "nomis, backwards"


# --- Threats without a violent word: the reader's home described by a stranger, accidents that
# "happen" to her kind, a warning about her child's way home, a call for her address and a reckoning
# "по-мужски", her face passed to people who hate her ---
THREAT_ABUSE = [
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
]
THREAT_OK = [
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
]


@pytest.mark.parametrize("case", THREAT_ABUSE)
def test_threats_without_violent_words(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", THREAT_OK)
def test_threats_without_violent_words_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Insults without a swear word: the dead in the clip mocked and laughed at, the dead as a
# discounted commodity, a sexual proposition to the author ---
INSULT_ABUSE = [
    "C:Бабка в ролике трясётся как паралитик, ржака 🤣",
    "C:Ходячий труп пляшет, ахахах, кто это заказывает",
    "C:lmao grandpa jerks like a puppet on strings",
    "C:Два жмурика по цене одного, налетай",
    "C:Акция на трупы! Третий в подарок",
    "C:Bring a second corpse, the third one is for free. Businesswoman of the year",
    "Скрасишь мне вечер лично? Не обижу",
    "Сколько берёшь за ночь, вдовушка?",
    "Comfort me in person tonight, I'll pay better than those widows",
]
INSULT_OK = [
    "Дед в ролике немного дёргается как робот, можно плавнее? Спасибо",
    "Папа в ролике как живой, мы смеялись и плакали 😂❤️",
    "Ролик огонь, ржали всей семьёй, папа как живой подмигивает",
    "Приведите, пожалуйста, фото покойного в порядок, оно старое",
    "Есть скидка на второй ролик? У нас двое погибших в семье",
    "Если закажу два ролика, третий бесплатно? Видела такую акцию",
    "Утешьте меня, пожалуйста, я не могу перестать плакать. Заплачу сколько скажете за ролик",
    "Сынок, утешь меня, приснись хоть раз, приезжай ко мне во сне",
    "Приезжайте лично на открытие памятника, заплатим за дорогу",
]


@pytest.mark.parametrize("case", INSULT_ABUSE)
def test_insults_without_swear_words(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", INSULT_OK)
def test_insults_without_swear_words_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Hate: a faith or a people to be purged from the country; a death wish: the reader sent to the
# death the soldiers met ("под ту же мину", "на передок") ---
HATE_AND_WAR_DEATH_ABUSE = [
    "C:Синагогу опять открыли. Выгнать бы всех из страны, и тебя с ними",
    "C:Цыгане тут ролики заказывают? Вычистить бы эту погань из города",
    "C:Muslims everywhere now, time to kick them out of the country",
    "Тебя бы на передок, тогда поймёшь, каково это",
    "C:Таких, как ты, в мясорубку надо, под Бахмут",
    "Вас бы под обстрел, на пару дней",
]
HATE_AND_WAR_DEATH_OK = [
    "Мой муж мусульманин, его хоронили по исламу. Хочу ролик, где он у мечети",
    "Вигнати б цю нечисть з нашої землі, сина вбили. Зробіть ролик",
    "Орков вычистить бы с нашей земли. Сына убили под Херсоном",
    "Мусульмане из нашего села помогали хоронить сына, спасибо им",
    "Таких, как мой сын, на передок отправляли без подготовки",
    "Нужно было таких, как мой сын, не отправлять на фронт",
    "Тебя бы на фронт не пустили, сынок, ты же хромал",
    "Таких ребят под пули бросили, сволочи. Хочу видео с ним",
]


@pytest.mark.parametrize("case", HATE_AND_WAR_DEATH_ABUSE)
def test_purge_and_war_death(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", HATE_AND_WAR_DEATH_OK)
def test_purge_and_war_death_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- A probe after the set-F families (own phrasings, not in set F) and a sweep of the ok sentences
# nearest to them: a relative's or neighbour's home, "such as you" as praise, advice from a friend,
# an address for flowers, laughter at a happy clip, faiths at a funeral, the front in a widow's words,
# fate cursed with "ты" ---
SET_F_PROBE_ABUSE = [
    "Окна у тебя на кухне во двор выходят, второй этаж. Свет допоздна горит",
    "Твоя дверь на третьем этаже, коврик с ромашками. Милый",
    "У таких, как ты, машины иногда загораются. Бывает",
    "С такими, как вы, часто что-то случается. Так, к слову",
    "Сын твой в музыкалку ходит по средам? На твоём месте я бы его встречал",
    "Скиньте адрес этой авторши, объясним ей по-пацански",
    "Your address is now with a few people who hate grave robbers. Sweet dreams",
    "Бабуля у вас в ролике кривляется как зомби, ржака",
    "Каждый третий покойник бесплатно, да? Бизнес",
    "Может, лично приедешь и согреешь меня? Заплачу",
    "Вычистить бы всех этих евреев из страны",
    "Таких под обстрел надо, тогда поймёт",
    "Чтоб ты сдохла, сука, со своими мультиками",
    "Сдохни, тварь, война по тебе плачет",
]
SET_F_GRIEF_SWEEP = [
    "Подъезд с зелёной дверью, третий этаж, окна во двор — доставьте флешку туда, пожалуйста",
    "Твой балкон, папа, до сих пор в твоих цветах. Третий этаж, окна во двор. Хочу это в ролике",
    "Мой сын жил на пятом этаже, окна во двор, шторки мама шила. Покажите это в ролике",
    "У тебя дома шторки такие же, как у мамы были? Третий этаж, окна во двор — мы соседи были, это Таня",
    "У таких, как ты, золотые руки. Спасибо за ролик",
    "С такими, как вы, и горе легче. Спасибо",
    "Такие, как вы, редкость. Спасибо за ролик с мужем",
    "Дочка моя учится во вторую смену, я на работе, ролик посмотрю вечером",
    "Я бы на вашем месте не брала за срочность, но это ваше дело. Когда будет готово?",
    "На твоём месте я бы не удалял тот ролик, он прекрасный. Это Оля, подруга",
    "Скиньте адрес, куда прислать фото, съездим на почту завтра",
    "Кто знает, где она похоронена? Хочу съездить с цветами, это моя учительница была",
    "Sent your video to my friends who lost their sons too. Sweet dreams to all the mothers",
    "Показала твой ролик подругам, которые тоже потеряли сыновей. Спокойной ночи",
    "Папа в ролике как живой, подмигивает, мы хохотали сквозь слёзы 😂",
    "Дедушка в ролике танцует, как на свадьбе в 1975-м, вот это умора, спасибо! 😂",
    "Можно ли скидку, если мы приведём ещё одну семью погибших? Мы из одного полка",
    "Сын за год до смерти выиграл iPhone в лотерею, смешно. Можно его с телефоном?",
    "Утешь меня, Господи. Мужа нет уже год",
    "Война проклятая, будь ты проклята. Сын, мы тебя помним",
    "Хвороба клята, щоб ти здохла. Мама згоріла за три місяці",
    "Чтоб ты провалилась, болезнь проклятая, забрала маму в 45",
    "Чтоб ты сдох, рак, ненавижу тебя. Папе было 52",
    "Мусульмане и христиане вместе хоронили наших ребят. Хочу видео с ними",
    "Вас бы на передок, говорил мой муж военкомам. Его забрали, а их нет",
    "Таких, как мой сын, под обстрел бросали без брони. Сделайте его живым",
    "Тебя бы под Бахмут, сынок, не отправляли, если б не подписал контракт",
    "Мама говорила: таких, как я, под танк надо. Шутила так. Хочу ролик с ней",
    "Иди ты на хуй, война. Сына нет",
    "Сука ты, судьба. За что нам это",
    "Сдохни, рак, сдохни. Мама, держись",
    "Чтоб ты сдохла, война, сколько пацанов забрала",
    "Выгнали бы всех мигрантов — кто бы тогда хоронил? Спасибо таджикам, что копали могилу",
    "Сына хоронили мусульмане по обряду. Депортировать бы эту бюрократию из жизни",
    "Евреи из нашей общины помогли с похоронами. Хочу ролик с раввином",
    "Вычистить бы всю эту грязь из интернета, пишут гадости под вашими роликами",
    "Приведите в порядок фото, пожалуйста, покойный муж на нём нечёткий",
    "Сделайте бесплатно ролик для покойника из детдома? Денег нет, я волонтёр",
]


@pytest.mark.parametrize("case", SET_F_PROBE_ABUSE)
def test_set_f_probe(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", SET_F_GRIEF_SWEEP)
def test_set_f_grief_sweep(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
