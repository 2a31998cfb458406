"""Death wishes, with or without a word of dying (the reader in a coffin, in such a clip, the world
without her), are hidden; prayers, grief and curses at fate near them stay visible.
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from moderation.policy import ModerationContext, decide
from tests.moderation_cases import SETTINGS, check, clf  # noqa: F401  (clf is a fixture the tests take)

HIDDEN = [
    # Death wishes without a word of dying: soon, the world without you, your own clip, mourners
    "Поскорее бы ты сгорела в своей студии",
    "Хоть бы вы уже сдохли все, честное слово",
    "C:Швидше б ти здох, покидьок",
    "Без тебя воздух чище станет, исчезни",
    "The internet would be a better place without you",
    "Do everyone a favor and disappear, forever",
    "Тебе самой скоро такое видео сделают, помяни моё слово",
    "Чтоб по тебе так же выли, как по ним",
    "Щоб над вами так само плакали",
    # ru.death_wish.your_own_clip_soon
    "Скоро и тебе такой ролик сделают, недолго ждать",
    "Надеюсь, скоро будешь клепать видео про саму себя",
    # ru.death_wish.hell_for_you
    "Чтоб тебе на том свете черти сковородку накалили",
    # ru.death_wish.wish
    "Вот бы тебя саму так оживили, после похорон",
    "Чтоб у тебя руки отсохли, которыми ты это монтируешь",
    "Чтоб ты сдохла, сука, со своими мультиками",
    "Чтоб тебе своих детей хоронить",
    "Желаю вам скорее отправиться на тот свет",
    # death wish: the cemetery, the other world, the morgue
    "Желаю вам оказаться в морге",
    "Чтоб у тебя язык отсох",
    # uk.death_wish
    "C:Бачила я таких як ти, шахрайок. Гори в пеклі",
    # en.death_wish
    "C:rot in hell, you vulture",
    "C:I hope your own family ends up as one of your clips",
    "C:hope you choke on the money",
    "C:kill urself",
    "Hope your kids end up in one of your clips",
    "Go rot, hag",
    # ru.death_wish.into_the_coffin
    "C:Тебя бы саму в гроб положить и оживить",
    "C:Смерть тебе, предательница",
    # ru.death_wish.burst
    "C:Щоб ти луснула",
    "C:Та щоб тебе підняло та гепнуло",
    "C:Чтоб ты лопнула со своими видосами",
    # ru.death_wish.same_death
    "Тебя бы на передок, тогда поймёшь, каково это",
    "C:Таких, как ты, в мясорубку надо, под Бахмут",
    "Вас бы под обстрел, на пару дней",
    "Таких под обстрел надо, тогда поймёт",
    # ru.death_wish.imperative
    "Сдохни, тварь, война по тебе плачет",
    # Death wishes: the reader in such a clip, God asked to take her
    "чтобы ты в таком же ролике очутилась, ведьма",
    "щоб ти сама в такому відео опинилась",
    "hope somebody orders one of those clips about you soon",
    "пусть господь приберёт тебя поскорее",
    "молюсь, чтоб бог наказал тебя и твоих",
    "i pray god takes you next",
    "C:пусть бог заберёт твоих детей, как ты на чужих наживаешься",
    "C:скоро сама в таком видео окажешься, надеюсь",
    "C:чтоб вас самих в такой ролик засунули",
    # ru.threat.your_own_clip
    "Будешь героиней своего же ролика, обещаю",
    "Спляшу на твоей могиле",
    # en.death_wish.die_you
    "Die, you parasite",
    # ru.death_wish.funeral
    "Бодай тобі грець",
    "Чтоб вас черти взяли с вашими видео",
    "Чтобы тебя так же хоронили, как ты их показываешь",
    "Хай вам грець, шахраї",
    # ru.death_wish.passive
    "Скорее бы тебе попасть на тот свет",
    "Здохнути б тобі, гадино",
]
VISIBLE = [
    # Death wishes without a word of dying: soon, the world without you, your own clip, mourners
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
    # (no rule comes near)
    "Чтобы тебе там было тепло, сынок, на том свете",
    "Пусть им в аду черти сковородку накалят, тем кто убил Сашу",
    "Тебя бы в гроб положить вместо него, сказала свекровь. Я не могу это пережить. Удалите её комментарий",
    "Смерть тебе не к лицу, папа говорил в шутку. Хочу, чтобы он это сказал в ролике",
    "Щоб ти не луснула від сміху, дивлячись старі фото",
    "Таких, как мой сын, на передок отправляли без подготовки",
    "Нужно было таких, как мой сын, не отправлять на фронт",
    "Хочу бодай одне відео з ним, бодай коротке",
    "Желаю вам поскорее поправиться и снова работать",
    "Посмотрим, кто из нас прав, видео скоро выйдет",
    "Чтобы вас никогда не хоронили раньше детей",
    "Хочу, чтобы вы показали его в гробу, других фото нет",
    "Желаю вам здоровья и сил, спасибо за маму",
    "I hope your husband is next to her in the clip",
    # Death wishes: the reader in such a clip, God asked to take her
    "Хочу, чтобы мама в таком ролике оказалась рядом с папой, как на свадьбе",
    "I hope someone makes one of these videos for me when I'm gone",
    "Бог забрал тебя, сынок, слишком рано. Мама сделала тебе ролик",
    "Молюсь, чтоб бог дал вам сил, вы делаете доброе дело",
    "Господь забрал его в сорок лет. Хочу заказать видео для внуков",
    "Господь прибрал его молодым. Пусть земля ему будет пухом",
    "Пусть бог заберёт меня к нему, сил нет. Сделайте ролик с нами вдвоём",
    "Чтоб вы знали, в таком ролике мама оказалась как живая",
]


@pytest.mark.parametrize("case", HIDDEN)
def test_death_wish_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)
    text = case[2:] if case.startswith("C:") else case
    verdict = decide(clf.classify(text), ModerationContext("message"), SETTINGS)
    assert verdict.evidence and not verdict.answer  # kept as evidence, out of her inbox, no reply


@pytest.mark.parametrize("case", VISIBLE)
def test_death_wish_neighbour_stays_visible(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
