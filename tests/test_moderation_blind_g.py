"""Families added after blind set G (tests/data/moderation-blind-g.jsonl, scored untouched: recall
0.660, fpr_ok 0.060). Each family is tested with phrasings that are not in set G, and with the ok
sentences closest to it (grief, orders, war vocabulary, quoted abuse reported to the admin, tributes
to the dead, relatives describing their own car, home or parents in an order).
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from tests.moderation_cases import check, clf  # noqa: F401  (clf is a fixture the tests take)

# --- Abuse quoted in a report to the admin: «...» after "пишет / пише / writes", or followed by
# "удалите / заблокируйте" is someone else's words (the first false positive of set G) ---
QUOTED_ABUSE = [
    "чтоб вы все сдохли, крысы, удалите свой паблик",
    "C:мразь ты, пишешь тут каждый день, удалите этот паблик",
    "you vultures, nobody writes to you anymore, die already",
    "Удалите пост: вы мрази и стервятники",
    'C:удалите свой паблик, "художница", тварь ты бездушная',
]
QUOTED_OK = [
    "Здравствуйте. Под роликом про деда кто-то пишет «сдохни, тварь» уже третий день. Мама плачет.",
    "Адмін, тут якийсь тролль пише «щоб ви всі здохли, мрази» під відео мого брата. Заблокуйте його",
    'someone writes "die you filthy vultures" under my dad\'s clip every night. please block them',
    "«Чтоб ты сдохла, гнида» — вот такое мне прислали в личку. Заблокируйте его, пожалуйста",
    'Под постом про Мишу: "мрази, сдохните все". Удалите, пожалуйста, это увидит его вдова.',
    "«Гиена», «стервятница» — так меня назвали в комментариях. Заблокируйте их",
    "Мне пишут: «чтоб ты сдохла вместе со своими роликами». Что делать?",
]


@pytest.mark.parametrize("case", QUOTED_ABUSE)
def test_unquoted_abuse_still_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", QUOTED_OK)
def test_quoted_abuse_reported_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- An interjection (курва, сука, бля) set off by commas, at fate or the war, with no addressee
# (the second false positive of set G); the same word with "ты" or an adjective is aimed ---
INTERJECTION_ABUSE = [
    "Курва ти, а не художниця, віддай гроші",
    "сука ты, верни деньги за ролик",
    "Ти курва, і всі це знають.",
    "сука тупая, мразь, когда будет видео",
    "C:бля, какие же вы твари",
    "C:Курва ти продажна",
]
INTERJECTION_OK = [
    "Курва, ще один похорон. Друга з батальйону привезли вчора.",
    "Сука, опять прилёт по нашему району, соседа хороним в субботу.",
    "Бля, пятый год без него, а я всё жду, что позвонит. Сделайте ролик с папой, пожалуйста",
    "Третій місяць без сина на зв'язку, курва. Проклята війна.",
    "Сука, как же больно. Год без мамы",
    "Ой, курва, забыла фото прикрепить. Вот папа",
    "Блин, опять обстрел, третий день не спим. Сделайте ролик с братом",
    "C:Брат, курва, зачем ты туда пошёл",
    "C:Мама, сука, как же без тебя плохо",
]


@pytest.mark.parametrize("case", INTERJECTION_ABUSE)
def test_aimed_swearword(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", INTERJECTION_OK)
def test_interjection_at_fate_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- A tribute to the dead (rest easy, земля пухом, царство небесное): an insult word said fondly
# to fallen friends is aimed at no reader (the third false positive of set G) ---
TRIBUTE_ABUSE = [
    "you bastards sell dead people's faces for cash",
    "эх вы, сволочи, наживаетесь на горе",
    "C:сволочи вы, а не мастера, верните деньги",
    "C:твой клиент сдох, земля ему пухом, а ты, мразь, наживаешься",
    "C:царство небесное деду, а вы, уроды, на нём зарабатываете",
    "C:rip to the guy, but you are a disgusting vulture",
    "C:Ты, сволочь, на горе наживаешься. Земля пухом твоей совести",
]
TRIBUTE_OK = [
    "ну что, сволочи, за вас, пацаны. земля вам пухом",
    "you stupid bastards promised to come home. rest in peace, boys",
    "Ех ви, падлюки мої рідні, чекайте мене там. Вічна вам пам'ять",
    "C:скоты вы мои любимые, не дождались дембеля. царство небесное, братва",
    "Пацаны, вечная память вам, черти мои родные. Закажу ролик со всеми",
    "C:братва, сволочи вы мои, спите спокойно",
    "Эх вы, мои дорогие, рано ушли. Вечная память",
    "C:We, the bastards of third platoon, salute you, brother. Rest easy",
]


@pytest.mark.parametrize("case", TRIBUTE_ABUSE)
def test_insult_without_tribute(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", TRIBUTE_OK)
def test_tribute_to_the_dead_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Name-calling set off by commas mid-sentence, Ukrainian "ви" as an address, "барыга" ---
NAME_CALLING_ABUSE = [
    "C:опять эти ролики крутят, дебилы, хоть бы постыдились",
    "Ви просто шакал, пані, і всі це бачать.",
    "барыга бессовестная. за мультик с покойником такие деньги",
    "C:автор, мрази такие, зарабатывают на слезах, уроды, тьфу",
    "C:жулики, барыги, ебланы, верните деньги людям",
    "C:nice work, idiots, my grandma looks like a puppet",
    "C:ви, пані, просто падлюка",
    "C:well done, you hyenas, another widow robbed",
    "C:ви гієни, наживаєтесь на горі",
    "C:ты гиена из интернета, удали страницу",
    "C:ви просто мерзота, а не художниця",
]
NAME_CALLING_OK = [
    "Эти уроды, твари, убили моего сына на блокпосту. Сделайте ролик про него",
    "Ви робите святу справу, дякую вам за відео з татом.",
    "Брат был, дурак, такой весёлый, всех смешил. Хочу ролик с его улыбкой",
    "Они, сволочи, обстреляли нашу улицу в мае, мама погибла. Можно ролик с ней?",
    "C:Мой сосед, урод, снёс мамину скамейку у подъезда.",
    "C:Кто-то, сволочи, украл венки с могилы сына. Помогите найти",
    "C:Его, дурака, отговаривали идти добровольцем. Царство небесное",
    "C:Мы, идиоты, думали, что война быстро кончится",
    "C:Ви, мабуть, не знаєте, як це — ховати сина.",
    "C:Ви тримайтеся, гієни з ритуальних агенцій вас не зламають",
    "C:Держитесь, стервятники из похоронки вас не сломают",
]


@pytest.mark.parametrize("case", NAME_CALLING_ABUSE)
def test_name_calling(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", NAME_CALLING_OK)
def test_name_calling_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Threats without a violent word: the reader's place known and a visit, a talk "по-взрослому",
# arson of her studio / home / car, doxxing with a deadline, the narrow path, "while there is someone
# to pass it to", her car described with "твоя?" and a weak menace ---
THREAT_ABUSE = [
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
]
THREAT_OK = [
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
]


@pytest.mark.parametrize("case", THREAT_ABUSE)
def test_threats_without_violent_words(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", THREAT_OK)
def test_threats_without_violent_words_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Death wishes: the reader in such a clip, God asked to take her ---
DEATH_WISH_ABUSE = [
    "чтобы ты в таком же ролике очутилась, ведьма",
    "щоб ти сама в такому відео опинилась",
    "hope somebody orders one of those clips about you soon",
    "пусть господь приберёт тебя поскорее",
    "молюсь, чтоб бог наказал тебя и твоих",
    "i pray god takes you next",
    "C:пусть бог заберёт твоих детей, как ты на чужих наживаешься",
    "C:скоро сама в таком видео окажешься, надеюсь",
    "C:чтоб вас самих в такой ролик засунули",
]
DEATH_WISH_OK = [
    "Хочу, чтобы мама в таком ролике оказалась рядом с папой, как на свадьбе",
    "I hope someone makes one of these videos for me when I'm gone",
    "Бог забрал тебя, сынок, слишком рано. Мама сделала тебе ролик",
    "Молюсь, чтоб бог дал вам сил, вы делаете доброе дело",
    "Господь забрал его в сорок лет. Хочу заказать видео для внуков",
    "Господь прибрал его молодым. Пусть земля ему будет пухом",
    "Пусть бог заберёт меня к нему, сил нет. Сделайте ролик с нами вдвоём",
    "Чтоб вы знали, в таком ролике мама оказалась как живая",
]


@pytest.mark.parametrize("case", DEATH_WISH_ABUSE)
def test_death_wishes(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", DEATH_WISH_OK)
def test_death_wishes_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- Insults without a swear word: the dead as merchandise, a face likened to a zombie's with a
# jeer, her photos asked for (an order as bait hides nothing) ---
INSULT_ABUSE = [
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
]
INSULT_OK = [
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


@pytest.mark.parametrize("case", INSULT_ABUSE)
def test_insults_without_swear_words(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", INSULT_OK)
def test_insults_without_swear_words_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# --- A competitor's page advertised; a people told to keep to themselves ---
SPAM_HATE_ABUSE = [
    "C:Подписывайтесь на нас: vk.com/pamyat_navsegda , делаем то же самое",
    "C:у нас вдвое дешевле! t.me/ozhivim_foto вступайте",
    "C:subscribe to vk.com/memory_clips_best for cheaper clips",
    "C:чурки пусть валят к себе в аул и там своих оживляют",
    "C:понаехавшие со своими мечетями, не лезьте к нам",
    "C:бородатые ваши — зверьё, а не люди",
    "C:эти чурки со своими мечетями пусть валят домой",
    "C:зверьё бородатое, не лезьте сюда",
]
SPAM_HATE_OK = [
    "Вот страница моего сына vk.com/id12345, там все его фото. Сделайте ролик",
    "Подписалась на вас, мама была бы рада. Ролик с бабушкой пришлю на vk.com/id777",
    "Мой муж был таджик, похоронили у него на родине в кишлаке. Сделайте ролик для его мамы",
    "Сына похоронили по-мусульмански, мечеть помогла. Хочу ролик, где он с бородой, как в последний год",
    "C:в группе Память Героев есть фото моего деда vk.com/pamyat_geroev, подписывайтесь, там все наши земляки",
    "Моя сестра вышла замуж за чеченца, его похоронили в ауле. Сделайте ролик для неё",
]


@pytest.mark.parametrize("case", SPAM_HATE_ABUSE)
def test_competitor_and_keep_out(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", SPAM_HATE_OK)
def test_competitor_and_keep_out_ok(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
