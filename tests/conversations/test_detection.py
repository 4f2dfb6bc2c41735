"""Detecting a message's language: deterministic, only supported languages, None without letters."""

from __future__ import annotations

import threading

import pytest

from conversations.detection import Detection, detect

ALL = ("en", "zh", "es", "fr", "de", "ru", "pt", "ar", "ja", "ko", "tr", "id")

OBVIOUS = [
    ("My package never arrived", "en"),
    ("The delivery was late again", "en"),
    ("我的包裹还没到", "zh"),
    ("包裹坏了", "zh"),
    ("El pedido no llegó", "es"),
    ("Muchas gracias por todo", "es"),
    ("Le colis est arrivé cassé", "fr"),
    ("Merci beaucoup", "fr"),
    ("Das Paket ist beschädigt", "de"),
    ("Vielen Dank für die schnelle Lieferung", "de"),
    ("Посылка не пришла", "ru"),
    ("Спасибо", "ru"),
    ("O pacote não chegou", "pt"),
    ("Muito obrigado pela ajuda", "pt"),
    ("لم يصل الطرد", "ar"),
    ("شكرا جزيلا", "ar"),
    ("荷物が届きません", "ja"),
    ("ありがとうございます", "ja"),
    ("택배가 아직 안 왔어요", "ko"),
    ("감사합니다", "ko"),
    ("Siparişim gelmedi", "tr"),
    ("Çok teşekkür ederim", "tr"),
    ("Paket saya belum sampai", "id"),
    ("Terima kasih banyak", "id"),
]


@pytest.mark.parametrize(("text", "language"), OBVIOUS)
def test_obvious_messages(text: str, language: str) -> None:
    result = detect(text, supported=ALL)
    assert result is not None
    assert result.language == language
    assert 0.0 < result.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "123", "12 345,00", "👍", "😡😡😡", "?!", "👍 100%", "\n"])
def test_nothing_to_judge_by(text: str) -> None:
    assert detect(text, supported=ALL) is None


def test_no_supported_languages() -> None:
    assert detect("Merci beaucoup", supported=()) is None


@pytest.mark.parametrize(
    "supported",
    [("en", "es"), ("de", "fr", "ru"), ("ja",), ("zh", "ar"), ("pt", "id", "ko", "tr")],
)
@pytest.mark.parametrize("text", [text for text, _ in OBVIOUS] + ["ok", "no", "hello"])
def test_answers_only_supported_languages(text: str, supported: tuple[str, ...]) -> None:
    result = detect(text, supported=supported)
    assert result is None or result.language in supported


def test_restriction_picks_among_supported() -> None:
    chinese_only = detect("包裹坏了", supported=("ja", "en"))
    assert chinese_only is not None and chinese_only.language == "ja"
    unsupported_script = detect("Спасибо", supported=("en", "de"))
    assert unsupported_script is None or unsupported_script.language in ("en", "de")


def test_deterministic() -> None:
    texts = [text for text, _ in OBVIOUS] + ["ok", "no", "sí", "ja", "thanks", "hola"]
    first = [detect(text, supported=ALL) for text in texts]
    second = [detect(text, supported=ALL) for text in texts]
    assert first == second
    assert detect("ok", supported=ALL) == detect("ok", supported=tuple(reversed(ALL)))


def test_concurrent_first_use() -> None:
    supported = ("en", "fr", "es")
    results: list[Detection | None] = []
    lock = threading.Lock()

    def work() -> None:
        result = detect("Le colis est arrivé cassé", supported=supported)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert results[0] is not None and results[0].language == "fr"
    assert all(result == results[0] for result in results)


def test_confident_flag() -> None:
    sure = detect("Vielen Dank für die schnelle Lieferung", supported=ALL)
    assert sure is not None and sure.confident
    assert not Detection("en", 0.2).confident


# Two or three words where letters alone mislead lingua; the word lists settle them.
SHORT_LATIN = [
    ("no llegó", "es"),
    ("gracias", "es"),
    ("não chegou", "pt"),
    ("obrigada", "pt"),
    ("thanks a lot", "en"),
    ("not yet", "en"),
    ("danke", "de"),
    ("merci", "fr"),
    ("teşekkürler", "tr"),
    ("belum sampai", "id"),
]


@pytest.mark.parametrize(("text", "language"), SHORT_LATIN)
def test_short_latin_messages(text: str, language: str) -> None:
    result = detect(text, supported=ALL)
    assert result is not None and result.language == language


def test_a_word_shared_by_languages_is_less_certain_than_a_sentence() -> None:
    shared = detect("no", supported=ALL)
    sentence = detect("El pedido no llegó", supported=ALL)
    assert shared is not None and sentence is not None
    assert sentence.language == "es" and sentence.confident
    assert shared.confidence < sentence.confidence
