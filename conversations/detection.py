"""The language a customer's message is written in, among the languages the bot speaks.

Chosen by measurement (``python -m benchmarks.language_id``): the writing system decides where it
names one supported language (kana -> ja, Hangul -> ko, Arabic script -> ar, Cyrillic -> ru); the
rest goes to lingua (``lingua-language-detector``, high-accuracy mode, models inside the wheel,
no network), restricted to the supported languages that script allows (Han: zh/ja; Latin: the
Latin-script ones). For Latin script, whose short messages lingua alone confuses most (en/es/pt),
lingua's confidence is multiplied by how common each word of the message is in each language
(wordfreq's "small" lists: subtitles, chat, web and Wikipedia text, in the package): a naive-Bayes
product, so "no llegó" leans to Spanish on "llegó" even when its letters look Portuguese.
Deterministic; detectors and word lists are built once, lazily, under a lock.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass

import wordfreq
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

_WORD = re.compile(r"[^\W\d_]+")
# Log frequency of a word a language's list does not hold: below the lists' rarest entries (about
# 1e-6), so an unknown word counts against a language without vetoing it; equal for all languages
# when no list knows the word, which leaves the decision to lingua.
_UNLISTED = math.log(1e-7)
_LEAST_LINGUA = 1e-9  # lingua gives 0.0 to languages it rules out; keep them in the product

_lock = threading.Lock()
_detectors: dict[tuple[str, ...], LanguageDetector] = {}
_wordlists: dict[str, dict[str, float]] = {}


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
    lingua = {
        value.language.iso_code_639_1.name.lower(): value.value
        for value in detector.compute_language_confidence_values(text)
    }
    words = [word.casefold() for word in _WORD.findall(text)]
    lists = _wordlists_for(candidates) if words and set(candidates) <= _LATIN_LANGUAGES else None
    if lists is None:
        best = max(candidates, key=lambda code: lingua.get(code, 0.0))
        confidence = lingua.get(best, 0.0)
        return Detection(best, round(confidence, 6)) if confidence > 0.0 else None
    scores = {
        code: math.log(max(lingua.get(code, 0.0), _LEAST_LINGUA))
        + sum(lists[code].get(word, _UNLISTED) for word in words)
        for code in candidates
    }
    best = max(candidates, key=scores.__getitem__)
    # The product's share among the candidates (a softmax of the log scores) is the confidence.
    total = sum(math.exp(score - scores[best]) for score in scores.values())
    return Detection(best, round(1.0 / total, 6))


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


def _wordlists_for(languages: tuple[str, ...]) -> dict[str, dict[str, float]] | None:
    """Word -> log frequency for each language, or None when wordfreq lacks one of them."""
    missing = [code for code in languages if code not in _wordlists]
    if missing:
        with _lock:
            available = wordfreq.available_languages(wordlist="small")
            for code in missing:
                if code not in _wordlists and code in available:
                    frequencies = wordfreq.get_frequency_dict(code, wordlist="small")
                    _wordlists[code] = {word: math.log(f) for word, f in frequencies.items() if f > 0.0}
    if any(code not in _wordlists for code in languages):
        return None
    return {code: _wordlists[code] for code in languages}
