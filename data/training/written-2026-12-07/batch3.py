"""Third batch, written by the team on 2026-12-07: Ukrainian and English of every kind, and Russian
ok texts that carry the words abuse uses (death, killing, curses, names) without abusing anyone."""

UK_ABUSIVE = {
    "threat": [
        "Ще раз побачу своє фото у вас на сторінці — приїду і розберуся",
        "Я знаю, де твоя студія. Чекай у гості",
        "Тобі недовго лишилося посміхатися",
        "Дай тільки зустріти тебе на вулиці",
        "Спалю тобі хату, відьмо",
    ],
    "threat_veiled": [
        "Твоя донька ж у синій курточці ходить? Гарненька",
        "Школа номер 7, другий поверх, так? Передавай привіт малому",
        "Ти ж щовечора з собакою біля парку гуляєш. Темно там",
        "Батько твій у лікарні, палата 12? Одужує, кажуть. Поки що",
        "Знаю, на якій машині їздить твій чоловік. Гальма давно перевіряв?",
    ],
    "death_wish": [
        "Щоб ти в муках сконала",
        "Хай тебе швидше закопають",
        "Бажаю тобі потрапити під обстріл",
        "Таких, як ти, треба в землю",
    ],
    "hate_speech": [
        "Ромів треба гнати з міста, вони тільки крадуть",
        "Всі москалі — недолюди, і діти їхні теж",
        "Порада: не беріть замовлення від переселенців, вони всі брешуть",
        "Жінки на війні — це сміх, нехай сидять на кухні",
        "Ці збоченці-геї ще й пам'ять просять, ганьба",
        "Жиди й тут заробляють, як завжди",
    ],
    "nonprofane_insult": [
        "Бездарна ти, і відео твої бездарні",
        "Ти не людина, а непорозуміння",
        "Стерв'ятники, на чужому горі гроші робите",
        "Тупа як пробка, навіть фото обрізати не вміє",
        "Ти позорище, і вся твоя група теж",
    ],
    "mock_dead": [
        "Ну і добре, що здох, менше проблем",
        "Алкаш був, от і доскакався",
        "Смішно, як ви тут ридаєте за якимсь бандюком",
    ],
    "sexual_harassment": [
        "Що на тобі зараз вдягнено? Просто цікаво",
        "Можу бути твоїм спонсором, якщо будеш слухняною",
        "Кинь фото без одягу, я заплачу",
    ],
    "spam": [
        "Шукаємо людей на віддалену роботу, 2 години на день, пиши «+»",
        "Пам'ятники з граніту зі знижкою 40%, пишіть в особисті",
        "Виграй 10 000 грн! Підпишись і зроби репост",
    ],
}

UK_OK = {
    "order": [
        "Хочу ролик про маму, її забрав інсульт. Фото знайшла в альбомі, надсилаю",
        "Синочок загинув під Бахмутом, прокляті орки. Зробіть, будь ласка, відео для онуків",
        "Замовлення від мене і сестри: тато, 1950-2026, шахтар",
        "Надсилаю фото дідуся. Він пройшов дві війни, а помер удома, тихо",
    ],
    "order_followup": [
        "Отримали ролик, дякуємо, мама дивиться щодня",
        "Додайте, будь ласка, ще пісню «Два кольори», він її любив",
        "Я вчора писала, але фото не дійшли. Надсилаю знову",
        "Все чудово, тільки ім'я в титрах з помилкою",
    ],
    "question": [
        "Скільки зараз людей у черзі?",
        "Можна замовити ролик, якщо він був не військовий, а просто помер від хвороби?",
        "А ролик потім можна завантажити собі?",
        "Вибачте, я нічого не тямлю: фото треба надсилати по одному?",
    ],
    "grief_venting": [
        "Ненавиджу цю кляту війну всім серцем",
        "Бляха муха, рік минув, а я все чекаю, що він подзвонить",
        "Щоб вона здохла, ця хвороба",
        "Господи, за що нам це все",
        "Курва мать, знову тривога, знову похорон",
    ],
    "swearing_praise": [
        "Охріненний ролик, дякую від усієї родини",
        "Це, бляха, так гарно, що я не можу",
        "Ну ви даєте, тато як живий",
    ],
    "dark_humour_self": [
        "Я така стара, що мене саму час у кліп",
        "Голова як решето, знову забула дату",
        "Я безрука, фото криве, вибачте",
    ],
    "civil_criticism": [
        "Довго чекати відповіді, це неприємно",
        "Не подобається, що ролики однакові",
        "Ви б пояснювали, чому відмовляєте",
    ],
    "quoted_report": [
        "Мені пишуть «щоб ти здохла», ось скрін. Заблокуйте",
        "Хтось пише під постом «роми всі злодії». Видаліть",
    ],
    "condolence": [
        "Співчуваю вашому горю. Тримайтеся",
        "Герої не вмирають. Світла пам'ять",
    ],
}

EN_ABUSIVE = {
    "threat": [
        "Post my brother again and I'll come find you",
        "You'll be sorry when I show up at your door",
        "I know your office. See you soon",
        "Keep it up and you'll need a funeral video yourself",
    ],
    "threat_veiled": [
        "Pretty school your girl goes to. No security at all",
        "Your husband drives the red pickup, right? Check his brakes",
        "Nice house. Wooden fence burns fast, they say",
        "Your dad's in ward 5 at St Mary's? Hope he stays well",
    ],
    "death_wish": [
        "I hope you choke on your own tears",
        "Do us all a favour and drop dead",
        "Can't wait to see your obituary",
    ],
    "hate_speech": [
        "Muslims are a plague, keep them out of our cemeteries",
        "Advice: never trust an Arab with your money",
        "Fags shouldn't get memorials",
        "Immigrants are vermin, ship them all back",
        "Women soldiers are a joke, no wonder they died",
    ],
    "nonprofane_insult": [
        "You're a parasite feeding on grief",
        "What a pathetic excuse for a person",
        "Talentless, shameless, clueless",
        "You clowns should be ashamed",
    ],
    "mock_dead": [
        "He was a junkie, no surprise he ended up dead",
        "Crying over a criminal, how pathetic",
        "LOL another one bites the dust",
    ],
    "sexual_harassment": [
        "What are you wearing right now?",
        "Be my sugar baby and I'll pay for the clip",
        "Send me a video of you dancing, wink wink",
    ],
    "spam": [
        "Work from home, $300/day, comment + and I'll DM you",
        "Headstones 40% off this week only, message me",
        "Free gift card! Follow and share to win",
    ],
}

EN_OK = {
    "order": [
        "My son was killed by a drunk driver. I want people to remember him for who he was. Photos attached",
        "I'd like to order a clip for grandma's memorial, she was 97",
    ],
    "order_followup": [
        "Sending a few more photos, hope it's not too late",
        "The clip is perfect. Could I get a copy for my sister?",
        "Just a reminder about our order, no rush",
    ],
    "question": [
        "Can you add subtitles in Russian and English?",
        "How do I send a video that's too big for messages?",
        "Do you need a death certificate or anything?",
    ],
    "grief_venting": [
        "Fuck this war. Fuck all of it",
        "Bloody hell, I still set his plate every night",
        "Cancer, you son of a bitch, you took my mum",
    ],
    "swearing_praise": [
        "Holy crap, that's stunning. Thank you",
        "Shit, I'm crying at work. Thank you so much",
    ],
    "dark_humour_self": [
        "I'm so sleep-deprived I look like the dead one in the photos",
        "Brain like a sieve, forgot his birthday in the form. It's March 3",
    ],
    "civil_criticism": [
        "The music was too loud over the photos, please fix that in future",
        "I think posting clips without asking every relative is wrong",
    ],
    "quoted_report": [
        "Someone commented 'serves him right' under my son's clip. Please remove it",
        "A user DMed me 'send nudes'. Please ban him",
    ],
    "condolence": [
        "Rest easy, soldier",
        "Thinking of your family today",
    ],
}

RU_OK = {
    "order": [
        "Его убили в Курской области, тело привезли через два месяца. Я хочу, чтобы внуки знали деда. Фото отправляю",
        "Маму сбил пьяный на переходе, гад даже не остановился. Хочу ролик к сорока дням, вот фото",
        "Хочу видео про моего Сашу, умер от передоза, да, я знаю, как это звучит. Он был хорошим",
        "Прошу ролик про папу. Застрелился. Мы так и не поняли почему. Фото прилагаю",
        "Хочу клип про дочку, её убил бывший муж. Пусть запомнят её живой. Фото по ссылке",
    ],
    "question": [
        "А если человек покончил с собой, вы делаете ролик? Не откажете?",
        "Можно ли ролик про того, кто умер в тюрьме? Он мой сын, какой бы ни был",
        "Я тупица в технике, объясните медленно: куда нажать, чтобы прикрепить фото?",
        "Вопрос, может, глупый, но можно ли сделать ролик про ещё живого, который умирает? Хочу успеть показать ему",
    ],
    "order_followup": [
        "Спасибо, что ответили. Я уже думала, что меня послали к чёрту. Фото отправляю",
        "Ролик — бомба, простите за слово. Можно чуть длиннее концовку?",
    ],
    "grief_venting": [
        "Убила бы того водителя своими руками. Но мне не вернуть её",
        "Хочется найти тех, кто это сделал, и посмотреть им в глаза",
        "Знаете, я ненавижу всех, кто говорит «время лечит»",
        "Чтоб тебя, судьба, за что ты так с нами",
    ],
    "quoted_report": [
        "Жалуюсь на комментарий: «Жаль, что тебя не было в той машине». Мне его написали под роликом мужа",
        "Он мне пишет: «Твой сын же в 7-Б учится?» Я в ужасе. Помогите заблокировать",
        "Тут пишут «ромам не делайте ролики, они воры». Моя свекровь цыганка, мне больно",
    ],
    "civil_criticism": [
        "Вы, простите, но так нельзя: ролик моего сына выложили с ошибкой в дате",
        "Бездушный ответ от вашего бота, честно говоря. Хотелось бы человека",
        "Вы берёте заказы по знакомству, а мы ждём месяцами. Это нечестно",
    ],
    "dark_humour_self": [
        "Я теперь эксперт по похоронам, хоть курсы веди. Шучу. Вот фото",
        "Меня уже в морге узнают по голосу. Так себе достижение",
    ],
}
