"""Fifth batch, written by the team on 2026-12-07: English (and some Ukrainian) ok texts that speak to
the reader as "you": the English side had more abuse than ok text, so "you" itself read as abuse."""

EN_OK = {
    "civil_criticism": [
        "You said two weeks and it's been a month. I'm not angry, just tired of waiting",
        "Your replies feel automated. A human answer would mean a lot",
        "I think you should ask the whole family before posting a clip",
        "Your music choices are always the same, please vary them",
        "You could explain the queue better on your page",
        "You removed my comment and I don't understand why",
        "Honestly your last few clips felt rushed",
        "You should answer messages faster, people here are grieving",
    ],
    "condolence": [
        "Thinking of you and your mum today",
        "Your brother was a good man. I'm so sorry",
        "Sending you strength this week",
        "We remember your dad every day at the plant",
        "Your family is in our prayers",
        "I'm so sorry you lost her so young",
    ],
    "question": [
        "Could you tell me how long the queue is now?",
        "Do you need the photos in a particular size?",
        "Can you add my grandad's medals to the clip?",
        "Will you post it publicly or just send it to us?",
        "Did you get the photos I sent yesterday?",
    ],
    "order_followup": [
        "You did such a good job on the draft, just one date to fix",
        "Thank you for your patience with me, here are the last photos",
        "Your clip played at the wake today. Everyone cried",
        "I know you're busy, just checking you got my message",
    ],
    "grief_venting": [
        "It's been a year today and I still call his phone",
        "Nobody tells you how quiet the house gets",
        "Some days I can't believe you're gone, son",
        "Two months today. Every day is heavier",
    ],
    "swearing_praise": [
        "You absolute legends, that clip is perfect",
        "You nailed it, damn. Mum would have loved it",
    ],
    "dark_humour_self": [
        "I'm hopeless with tech, you'll have to forgive me",
        "My memory is shot, you probably noticed I sent the same photo twice",
    ],
}

UK_OK = {
    "civil_criticism": [
        "Ви обіцяли тиждень, а минув місяць. Я не сварюся, просто втомилася чекати",
        "Ваші відповіді як від робота, хотілося б людської",
        "Здається, ролики останнім часом зроблені поспіхом",
        "Не подобається, що всі кліпи з однаковою музикою, зробіть різноманітніше",
    ],
    "condolence": [
        "Думаю про вас і вашу маму сьогодні",
        "Ваш брат був доброю людиною. Співчуваю",
    ],
}
