"""Spam and scams (fake "support", fake payouts, investment bait, a competitor's page, a link with a lure)
are hidden; relatives sharing links, numbers and pages stay visible.
"""
# ruff: noqa: F811

from __future__ import annotations

import pytest

from moderation.classifier import OfflineClassifier
from tests.moderation_cases import check, clf  # noqa: F401  (clf is a fixture the tests take)

HIDDEN = [
    # Phishing: fake "support" threatening to block, fake state payouts asking for card data
    "Администрация ВКонтакте: ваша страница будет удалена за нарушение правил. Подтвердите аккаунт по ссылке vk-id-secure.com",
    "Ваше сообщество нарушило правила платформы. Пройдите проверку: vkontakte-help.site/check",
    "Вам начислена компенсация 12 000 руб. Получить: gosuslugi-pay.online",
    "Вам нараховано грошову допомогу 3000 грн, деталі: dopomoga-ua.shop",
    "Your page will be suspended in 24 hours. Verify here: meta-appeal.info/login",
    "Введите данные своей карты для получения выплаты: pay-gov.site",
    # spam.promotion
    "Хотите больше заказов? Продвижение вашего сообщества, цены в лс",
    # spam.relative_new_number
    "Мама, это я, пишу с чужого номера, срочно скинь 5000 на карту 2202 2002 1234 5678",
    "Пишу с другого номера, переведи 3000 по номеру, потом объясню",
    # Phishing and investment bait: more link endings, a messenger handle as the link ("DM @name on
    # Telegram"), a sanction stated for the page ("группа будет заморожена", never asked), the owner's
    # confirmation demanded, "turned $300 into $9,400"
    "Служба поддержки ВКонтакте: канал будет ограничен через 12 часов. Подтвердите права: vk-support.app/verify",
    "Your community will be restricted today. Owner must confirm: meta-verify.help/login",
    "Без подтверждения администратора сообщество будет отключено. Подробнее: vk-owner.space/id",
    "Made $500 into $12,000 in a week with crypto signals, write @btc_guru_max in Telegram",
    "Пиши в тг @invest_olga: инвестиции в крипту, доход 300% в месяц",
    # spam.competitor
    "C:Подписывайтесь на нас: vk.com/pamyat_navsegda , делаем то же самое",
    "C:у нас вдвое дешевле! t.me/ozhivim_foto вступайте",
    "C:subscribe to vk.com/memory_clips_best for cheaper clips",
    # spam.link_with_lure
    "Ищем сотрудников, 700 руб за час, подробности в лс",
]
VISIBLE = [
    # Phishing: fake "support" threatening to block, fake state payouts asking for card data
    "Мою страницу взломали и заблокировали, пишу с маминой. Фото тут: https://disk.yandex.ru/d/abc",
    "Оплатила, вот чек: https://online.sberbank.ru/receipt/123. Проверьте, пожалуйста",
    "Служба поддержки ВК сказала написать вам. Ссылка на видео: vk.com/video123",
    "Подтвердите, пожалуйста, что получили фото: drive.google.com/file/abc",
    "Номер карты для оплаты какой? Фото отправила через disk.yandex.ru",
    "Укажите номер карты, куда платить? Фото на диске disk.yandex.ru/d/x",
    # Phishing and investment bait: more link endings, a messenger handle as the link ("DM @name on
    # Telegram"), a sanction stated for the page ("группа будет заморожена", never asked), the owner's
    # confirmation demanded, "turned $300 into $9,400"
    "Страница сына будет удалена? Фото оттуда: vk.com/id555",
    "Подтвердите, пожалуйста, что фото дошли: disk.yandex.ru/d/abc",
    "Мамин инстаграм @lyuda_petrova, там все её фото, возьмите оттуда",
    "Напишите мне в телеграм @olga_mama, если нужны ещё фото сына. Оплату перевела",
    "Группа сына в ВК была заблокирована, фото сохранила тут: cloud.mail.ru/public/x",
    "Служба поддержки ВК сказала, что ваша группа в порядке. Видео тут: vk.com/video1",
    # (no rule comes near)
    "Подписалась на вас, мама была бы рада. Ролик с бабушкой пришлю на vk.com/id777",
    "C:в группе Память Героев есть фото моего деда vk.com/pamyat_geroev, подписывайтесь, там все наши земляки",
]


@pytest.mark.parametrize("case", HIDDEN)
def test_spam_hidden(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, True)


@pytest.mark.parametrize("case", VISIBLE)
def test_spam_neighbour_stays_visible(clf: OfflineClassifier, case: str) -> None:
    check(clf, case, False)
