"""Urgent words per language, as the shipped catalogs list them."""

from __future__ import annotations

import pytest

from conversations.tickets.policy import listed_words_in
from locales.catalog import catalogs


def shipped() -> dict[str, list[str]]:
    ui = catalogs()
    return {
        language: [word for entry in ui.words(language, "urgent.words") for word in entry]
        for language in ui.languages
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ich schalte jetzt meinen Anwalt ein.", ["anwalt"]),
        ("Voy a llamar a mi abogado", ["abogado"]),
        ("Мы обратимся в полицию", ["полици"]),  # a word's beginning: every case ending counts
        ("弁護士に相談します", ["弁護士"]),  # no spaces between words
        ("ذهبت إلى المستشفى", ["مستشفى"]),  # the article glued on
        ("Ürün patladı, hastaneye gittim", ["patla", "hastane"]),
        ("Saya akan ke rumah sakit", ["rumah sakit"]),  # a phrase of two words
        ("폭발했어요", ["폭발"]),
        ("Mój prawnik już wie, wezwaliśmy policję", ["prawnik", "policj"]),
        ("Het apparaat is ontploft", ["ontploft"]),
        ("Sản phẩm bị nổ, tôi phải vào bệnh viện", ["bị nổ", "bệnh viện"]),
        ("ฉันต้องไปโรงพยาบาล", ["โรงพยาบาล"]),  # Thai: no spaces, vowel signs
        ("मुझे अस्पताल जाना पड़ा", ["अस्पताल"]),  # Hindi: vowel signs are not \w
        ("פניתי למשטרה", ["משטרה"]),  # Hebrew: the preposition glued on
        ("Jag fick åka till sjukhuset", ["sjukhus"]),
    ],
)
def test_urgent_words_of_each_language_are_found(text: str, expected: list[str]) -> None:
    assert listed_words_in((text,), shipped()) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Die Anzeige am Gerät ist dunkel",  # display, not a police report
        "Я искал посылку неделю",  # "искал" is not a lawsuit ("иск")
        "배송이 연기되었어요",  # postponed, not smoke
        "Le colis est arrivé en retard, je dépose une plainte",
        "The suede jacket arrived late",
        "Your return policies are unclear",  # no stem such as "polici*" in any list
        "Paket saya belum sampai, tolong hantar segera",
        "Kiện hàng đến trễ ba ngày",  # a parcel, not a lawsuit
        "Varan var skadad vid leveransen",  # damaged goods, not an injury
        "Die Lieferung kam eine Woche zu spät",
    ],
)
def test_ordinary_complaints_are_not_urgent(text: str) -> None:
    assert listed_words_in((text,), shipped()) == []
