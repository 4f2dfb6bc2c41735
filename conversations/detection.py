"""The language a customer's message is written in, among the languages the bot speaks.

Chosen by measurement (``python -m benchmarks.language_id``): the writing system decides where it
names one supported language (kana -> ja, Hangul -> ko, Arabic script -> ar, Cyrillic -> ru); the
rest goes to lingua (``lingua-language-detector``, high-accuracy mode, models inside the wheel,
no network), restricted to the supported languages that script allows (Han: zh/ja; Latin: the
Latin-script ones). Deterministic; a detector per language set is built once, lazily, under a lock.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

# A detection below this is a guess: treat the language as unknown (see the benchmark's threshold table).
CONFIDENT = 0.5

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# A script that alone names one language, when that language is supported.
_SINGLE_SCRIPT = ((_KANA, "ja"), (_HANGUL, "ko"), (_ARABIC, "ar"), (_CYRILLIC, "ru"))
_HAN_LANGUAGES = frozenset({"zh", "ja"})
_LATIN_LANGUAGES = frozenset({"en", "es", "fr", "de", "pt", "tr", "id", "it", "nl", "pl", "vi"})

_lock = threading.Lock()
_detectors: dict[tuple[str, ...], LanguageDetector] = {}


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT


def detect(text: str, *, supported: tuple[str, ...]) -> Detection | None:
    """The most likely supported language of `text`, or None when it holds no letters to judge by."""
    if not supported or not any(unicodedata.category(char).startswith("L") for char in text):
        return None
    candidates = _candidates(text, supported)
    if len(candidates) == 1:
        return Detection(candidates[0], 1.0)
    detector = _detector(candidates)
    if detector is None:
        return None
    for value in detector.compute_language_confidence_values(text):
        language = value.language.iso_code_639_1.name.lower()
        if language in candidates:
            return Detection(language, round(value.value, 6)) if value.value > 0.0 else None
    return None


def _candidates(text: str, supported: tuple[str, ...]) -> tuple[str, ...]:
    """The supported languages the text's writing system allows, in `supported` order."""
    for pattern, language in _SINGLE_SCRIPT:
        if language in supported and pattern.search(text):
            return (language,)
    if _HAN.search(text):
        han = tuple(code for code in supported if code in _HAN_LANGUAGES)
        if han:
            return han
    return tuple(code for code in supported if code in _LATIN_LANGUAGES) or supported


def _iso_code(code: str) -> IsoCode639_1 | None:
    try:
        return IsoCode639_1.from_str(code)
    except ValueError:
        return None


def _detector(languages: tuple[str, ...]) -> LanguageDetector | None:
    key = tuple(sorted(set(languages)))
    detector = _detectors.get(key)
    if detector is not None:
        return detector
    with _lock:
        detector = _detectors.get(key)
        if detector is None:
            codes = [iso for iso in map(_iso_code, key) if iso is not None]
            if not codes:
                return None
            if len(codes) == 1:
                # lingua needs two languages; a second one only gives the first something to beat.
                other = IsoCode639_1.EN if codes[0] != IsoCode639_1.EN else IsoCode639_1.ES
                detector = LanguageDetectorBuilder.from_iso_codes_639_1(codes[0], other).build()
            else:
                detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
            _detectors[key] = detector
    return detector
