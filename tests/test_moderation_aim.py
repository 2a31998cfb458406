"""Aim and exemptions: an insult is hidden only when it is said to the reader.

Swearing at fate, the war or grief (an interjection set off by commas, a curse at an abstract noun), abuse
quoted in a report, fond words to the dead, and insults about third persons (the enemy, the killers,
someone unnamed) stay visible; name-calling said to someone (a vocative, a verbless sentence, a word
set off by commas, "ты/вы" nearby) is hidden. The checks are moderation/aim.py.
"""
# ruff: noqa: F811

from __future__ import annotations

import re

import pytest

from moderation.aim import LOOSE_CHECKS, TIGHT_CHECKS, WORD_RE, AimWords, Around, Check, aimed
from moderation.classifier import OfflineClassifier
from moderation.settings import DEFAULT_DATA_DIR
from tests.moderation_cases import check, clf  # noqa: F401  (clf is a fixture the tests take)

HIDDEN = [
    # Aim: plain insults said to people were read as swearing at no one
    # A vocative insult closing a sentence may be followed by an insulting adjective (", гнида ебучая");
    # "ну и ..." opens an exclamation; a verbless sentence around an insult is name-calling; a comment
    # is never an order, so order words in one protect nothing ("тебе самой такой ролик закажут").
    "Сиди и дальше клепай свои видосики, мразь конченая",
    "C:Бездари все как один, позорище",
    "C:Мародёрка в чистом виде",
    "C:ну и быдло тут в комментах",
    "Спасибо за ничего, тварь ебучая",
    # "Нелюдь" is the war's word for the enemy: it needs an addressee like the other tight words
    "Ты нелюдь",
    "Вы нелюди, наживаетесь на смерти",
    "C:Нелюдь!",
    # A curse at fate: an abstract noun in the vocative (война / болезнь / рак / судьба / водка
    # проклятая), anywhere in the sentence or as a sentence of its own, makes a death wish or "иди ты"
    # swearing at no reader
    "Чтоб ты сдохла, тварь",
    "Чтоб ты сдохла со своими роликами",
    "C:Чтоб ты сдохла. Война проклятая забрала пацанов, а ты на этом наживаешься",
    "Рак тебе в печень, чтоб ты сдохла",
    "Чтоб ты сдохла от рака, как твои клиенты",
    "Щоб ти здохла разом зі своїми відео",
    "Иди ты на хуй со своей войной",
    # Abuse quoted in a report to the admin: «...» after "пишет / пише / writes", or followed by
    # "удалите / заблокируйте" is someone else's words
    "чтоб вы все сдохли, крысы, удалите свой паблик",
    "C:мразь ты, пишешь тут каждый день, удалите этот паблик",
    "you vultures, nobody writes to you anymore, die already",
    "Удалите пост: вы мрази и стервятники",
    'C:удалите свой паблик, "художница", тварь ты бездушная',
    # An interjection (курва, сука, бля) set off by commas, at fate or the war, with no addressee
    # ; the same word with "ты" or an adjective is aimed
    "Курва ти, а не художниця, віддай гроші",
    "сука ты, верни деньги за ролик",
    "Ти курва, і всі це знають.",
    "сука тупая, мразь, когда будет видео",
    "C:бля, какие же вы твари",
    "C:Курва ти продажна",
    # A tribute to the dead (rest easy, земля пухом, царство небесное): an insult word said fondly
    # to fallen friends is aimed at no reader
    "you bastards sell dead people's faces for cash",
    "эх вы, сволочи, наживаетесь на горе",
    "C:сволочи вы, а не мастера, верните деньги",
    "C:твой клиент сдох, земля ему пухом, а ты, мразь, наживаешься",
    "C:царство небесное деду, а вы, уроды, на нём зарабатываете",
    "C:rip to the guy, but you are a disgusting vulture",
    "C:Ты, сволочь, на горе наживаешься. Земля пухом твоей совести",
    # Name-calling set off by commas mid-sentence, Ukrainian "ви" as an address, "барыга"
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
VISIBLE = [
    # Aim: plain insults said to people were read as swearing at no one
    # A vocative insult closing a sentence may be followed by an insulting adjective (", гнида ебучая");
    # "ну и ..." opens an exclamation; a verbless sentence around an insult is name-calling; a comment
    # is never an order, so order words in one protect nothing ("тебе самой такой ролик закажут").
    # A demonstrative after the insult or a past verb among the two words after it ("твари эти ...",
    # "мразь, которая сбила ...") is about someone else; "какой-то урод" is someone unnamed; an apology
    # for swearing means the tight words are not aimed at the reader.
    "Ну и твари эти оккупанты, убили сына",
    "Мразь, которая сбила моего сына, до сих пор на свободе",
    "Твари конченые, убили моего мальчика",
    "Какой-то урод разбил памятник сыну, можно ролик?",
    "Спасибо вам, блядь, ревела весь вечер. Извините за выражение",
    "Дура я старая, всё перепутала, простите",
    "Замовкни, серце, не плач. Хочу замовити відео з татом",
    # ru.insult.nouns
    "Я вцепилась в эти фото, как пиявка, простите, что надоедаю",
    "Стервятники-ритуальщики содрали с нас двести тысяч за похороны",
    "Эта пиявка из банка звонит маме каждый день, долг мужа требует",
    "Будьте осторожны, в комментариях пишут мошенники",
    "Под вашим постом какой-то урод написал «гори в аду». Удалите, пожалуйста",
    "Я бы этих тварей своими руками задушила, за сына. Но это не вернёт его. Сделайте ролик",
    "Проклятые твари, убили моего мальчика. Сделайте видео с ним",
    "Мама у меня истеричка, простите за её звонки",
    "Я бездарь в компьютерах, помогите отправить фото",
    "Мы косорукие с мужем, не умеем сканировать",
    # ru.obscene.eb
    "Ебаная война забрала у бабки внука",
    "Ебаный автобус опоздал, я чуть не опоздала на похороны",
    "Ебаный военкомат, ебаные бумажки, сына хоронить не дают",
    "Ёбаный военкомат полгода не отдавал тело. Хочу видео с сыном",
    "Ебать, как он похож на себя живого!",
    "Ебаная война, забрала брата. Спасибо вам",
    # en.obscene.fuck
    "Holy shit, this is beautiful",
    "Holy sh1t, beautiful work",
    "fuck, I miss him so much",
    # Grief, war and everyday sentences near the aim checks and the insult nouns. The
    # verbless-sentence rule leaves adjectives ("конченая жизнь") and sentences followed by what "they"
    # did ("Твари. Просто твари. Убили ..."); reported naming ("свекровь говорит, что я ...") is quoted.
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
    # ru.insult.ambiguous
    "Вівця на фото — це бабусина улюблена, можна її теж оживити?",
    "Свиня в дворі у діда була, він її дуже любив",
    "Сука-судьба забрала обоих. Видео с мужем и сыном можно?",
    "Наша сука Найда умерла в тот же год, что и папа. Можно её добавить?",
    "Этих нелюдей, которые стреляли по автобусу, должны судить. Мама погибла там",
    "Сука ты, судьба. За что нам это",
    "Какая-то дрянь вместо видео пришла, файл битый",
    "Москалі нелюди, вбили мого чоловіка. Зробіть відео з ним, будь ласка",
    "Нелюди, разбомбили наш дом, мама погибла. Можно ролик?",
    "У вас сука на фото так похожа на нашу Альму",
    # en.insult.nouns
    "The hyena at the zoo was his favorite animal, can it be in the clip?",
    "Scammers took our savings last year. Please make the video anyway, we can pay in parts",
    "A scammer called my mom pretending to be from the army",
    "My dad was the family clown, please make him smile in the video",
    # ru.obscene.blya
    "Бля, как же я по нему скучаю. Сделайте, пожалуйста, ролик",
    # ru.obscene.pizd
    "Пиздец, третий год без него. Хочу видео к годовщине",
    "Пиздец как больно, вы даже не представляете",
    # ru.obscene.hui
    "Охуенно получилось, мама плакала. Спасибо вам огромное",
    # ru.obscene.govno
    "Говноролики у конкурентов, а у вас душа. Спасибо",
    # "Нелюдь" is the war's word for the enemy: it needs an addressee like the other tight words
    "Нелюди в форме. Сына больше нет",
    "Москалі нелюди, вбили мого чоловіка",
    "Нелюди проклятые, за что они так с нашим городом. Хочу видео с мамой",
    # A curse at fate: an abstract noun in the vocative (война / болезнь / рак / судьба / водка
    # проклятая), anywhere in the sentence or as a sentence of its own, makes a death wish or "иди ты"
    # swearing at no reader
    "Война проклятая, чтоб ты сдохла. Сына забрала, мужа забрала",
    "Чтоб ты сгорела, проклятая болезнь, маму за полгода съела",
    "Щоб ти здохла, клята війно. Синку, я чекаю",
    "Рак проклятый! Чтоб ты сдох! Папе было 52",
    "Чтоб ты сдохла! Водка проклятая. Папа из-за неё умер",
    "Иди ты на хуй, болезнь, ненавижу тебя. Хочу ролик с мамой",
    "Сдохни, судьба, сколько можно отнимать",
    "Сука ты, война проклятая, сколько ж ты забрала",
    "Гори в аду, военкомат проклятый, забрали мальчика без подготовки",
    # uk.death_wish
    "Хвороба клята, щоб ти здохла. Мама згоріла за три місяці",
    # ru.death_wish.wish
    "Чтоб ты провалилась, болезнь проклятая, забрала маму в 45",
    "Чтоб ты сдох, рак, ненавижу тебя. Папе было 52",
    "Чтоб ты сдохла, война, сколько пацанов забрала",
    # ru.obscene.go_to
    "Иди ты на хуй, война. Сына нет",
    # ru.death_wish.imperative
    "Сдохни, рак, сдохни. Мама, держись",
    # Abuse quoted in a report to the admin: «...» after "пишет / пише / writes", or followed by
    # "удалите / заблокируйте" is someone else's words
    "Здравствуйте. Под роликом про деда кто-то пишет «сдохни, тварь» уже третий день. Мама плачет.",
    "Адмін, тут якийсь тролль пише «щоб ви всі здохли, мрази» під відео мого брата. Заблокуйте його",
    'someone writes "die you filthy vultures" under my dad\'s clip every night. please block them',
    "«Чтоб ты сдохла, гнида» — вот такое мне прислали в личку. Заблокируйте его, пожалуйста",
    'Под постом про Мишу: "мрази, сдохните все". Удалите, пожалуйста, это увидит его вдова.',
    "«Гиена», «стервятница» — так меня назвали в комментариях. Заблокируйте их",
    "Мне пишут: «чтоб ты сдохла вместе со своими роликами». Что делать?",
    # An interjection (курва, сука, бля) set off by commas, at fate or the war, with no addressee
    # ; the same word with "ты" or an adjective is aimed
    "Курва, ще один похорон. Друга з батальйону привезли вчора.",
    "Сука, опять прилёт по нашему району, соседа хороним в субботу.",
    "Бля, пятый год без него, а я всё жду, что позвонит. Сделайте ролик с папой, пожалуйста",
    "Третій місяць без сина на зв'язку, курва. Проклята війна.",
    "Сука, как же больно. Год без мамы",
    "Ой, курва, забыла фото прикрепить. Вот папа",
    "Блин, опять обстрел, третий день не спим. Сделайте ролик с братом",
    "C:Брат, курва, зачем ты туда пошёл",
    "C:Мама, сука, как же без тебя плохо",
    # A tribute to the dead (rest easy, земля пухом, царство небесное): an insult word said fondly
    # to fallen friends is aimed at no reader
    "ну что, сволочи, за вас, пацаны. земля вам пухом",
    "you stupid bastards promised to come home. rest in peace, boys",
    "Ех ви, падлюки мої рідні, чекайте мене там. Вічна вам пам'ять",
    "C:скоты вы мои любимые, не дождались дембеля. царство небесное, братва",
    "Пацаны, вечная память вам, черти мои родные. Закажу ролик со всеми",
    "C:братва, сволочи вы мои, спите спокойно",
    "Эх вы, мои дорогие, рано ушли. Вечная память",
    "C:We, the bastards of third platoon, salute you, brother. Rest easy",
    # Name-calling set off by commas mid-sentence, Ukrainian "ви" as an address, "барыга"
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
    # ru.insult.harsh_adjectives
    "Это отвратительно сделано, руки смазаны, переделайте",
    "Я была жалкая в те дни, простите, что так писала",
    "Ролики у вас мерзкие, извините, но это моё мнение",
    # ru.insult.adjectives
    "На фото мой сын, tupaya shutka, но он так любил говорить",
]


@pytest.mark.parametrize("case", HIDDEN)
def test_aim_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", VISIBLE)
def test_aim_neighbour_stays_visible(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)


# Which named check decides, in the order of moderation/aim.py: (text, the matched word, aimed, check).
LOOSE_DECISIONS = [
    ("Ты урод", "урод", True, "short_message"),
    ("Курва, третій похорон за місяць, сил немає", "курва", False, "interjection"),
    ("Дура я старая, всё перепутала, простите", "дура", False, "speaks_of_herself"),
    (
        "Эти твари убили моего мужа, вы бы видели, что они сделали",
        "твари",
        False,
        "demonstrative_or_they_acted",
    ),
    ("Мразь, которая сбила моего сына, до сих пор на свободе", "мразь", False, "demonstrative_or_they_acted"),
    ("Ну и твари эти оккупанты, убили сына", "твари", False, "demonstrative_after"),
    ("Держитесь, стервятники из похоронки вас не сломают", "стервятники", False, "from_elsewhere"),
    ("Какой-то урод разбил памятник сыну, можно ролик?", "урод", False, "someone_unnamed"),
    ("Спасибо за ролик, а вы, твари, все равно наживаетесь", "твари", True, "near_address"),
    ("Шарлатанка и мошенница, верните деньги за ролик", "шарлатанка", True, "opens_sentence"),
    ("Сиди и дальше клепай свои видосики, мразь конченая", "мразь", True, "closes_sentence"),
    ("Понаехали тут и заказывают, ебланы, лайки им подавай", "ебланы", True, "set_off_by_commas"),
    ("Мой сосед, урод, снёс забор у могилы сына прошлой весной", "урод", False, "otherwise_not_aimed"),
    ("Твари. Просто твари. Убили моего мальчика под Бахмутом", "твари", False, "otherwise_not_aimed"),
]
TIGHT_DECISIONS = [
    ("сука ты", "сука", True, "two_words_or_fewer"),
    ("Спасибо вам, сука, до слёз. Простите за мат.", "сука", False, "apology_for_swearing"),
    ("Курва, третій похорон за місяць", "курва", False, "interjection"),
    ("тупая сука, иди отсюда со своими роликами", "сука", True, "adjective_before"),
    ("Сука жадная, сколько можно драть с людей", "сука", True, "noun_then_adjective"),
    ("Ну ты и сука, на горе наживаешься", "сука", True, "next_to_address"),
    ("Наша сука ощенилась, можно щенков в ролик?", "сука", False, "next_to_address"),
]


def _decision(clf: OfflineClassifier, text: str, word: str, checks: tuple[Check, ...]) -> tuple[bool, str]:
    norm = clf.normalize(text).collapsed
    match = re.search(word, norm)
    assert match is not None
    around = Around(
        norm, match, len(WORD_RE.findall(norm)), clf.rules.context, AimWords.load(DEFAULT_DATA_DIR)
    )
    return aimed(checks, around)


@pytest.mark.parametrize(("text", "word", "is_aimed", "check"), LOOSE_DECISIONS)
def test_loose_aim_decided_by_the_named_check(
    clf: OfflineClassifier, text: str, word: str, is_aimed: bool, check: str
) -> None:
    assert _decision(clf, text, word, LOOSE_CHECKS) == (is_aimed, check)


@pytest.mark.parametrize(("text", "word", "is_aimed", "check"), TIGHT_DECISIONS)
def test_tight_aim_decided_by_the_named_check(
    clf: OfflineClassifier, text: str, word: str, is_aimed: bool, check: str
) -> None:
    assert _decision(clf, text, word, TIGHT_CHECKS) == (is_aimed, check)


def test_every_check_list_ends_with_one_that_always_answers(clf: OfflineClassifier) -> None:
    text = "Мой сосед, урод, снёс забор у могилы сына прошлой весной"
    for checks in (LOOSE_CHECKS, TIGHT_CHECKS):
        assert _decision(clf, text, "урод", checks[-1:])[1] == checks[-1].__name__
    with pytest.raises(ValueError, match="always answers"):
        _decision(clf, text, "урод", LOOSE_CHECKS[:1])
