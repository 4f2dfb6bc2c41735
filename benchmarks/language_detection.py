"""Language detection on short chat lines: right on served languages, honest about unserved ones.

    python -m benchmarks.language_detection [--served en,es,...] [--data benchmarks/chat_lines.txt]

Data: ``benchmarks/chat_lines.txt``, short customer chat lines hand-written for this benchmark
(30 per language, 34 languages; see its header), never used to choose the detector's constants. The
served languages are the bot's (a UI catalog and the default questionnaire cover them) unless
``--served`` names others, e.g. to see the figures once new catalogs land. Prints, per language:
for a served one, the share detected as itself (goal >= 98 % overall); for an unserved one, the share
confidently (>= 0.5) assigned to a served language (goal <= 10 %), i.e. a customer who would get a
neighbour's language. Then speed, determinism, memory and start-up time with every detector language
loaded (RSS before importing the detector and after loading everything).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "chat_lines.txt"
GOAL_SERVED = 0.98
GOAL_UNSERVED = 0.10


@dataclass(frozen=True, slots=True)
class Line:
    language: str
    text: str


def load(path: Path) -> list[Line]:
    """`[xx]` starts a language's section; `#` lines and blank lines are skipped."""
    lines: list[Line] = []
    language: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("[") and text.endswith("]"):
            language = text[1:-1]
        elif language is None:
            raise SystemExit(f"{path}: a line before the first [language] header")
        else:
            lines.append(Line(language, text))
    return lines


def rss_mib() -> float:
    for entry in Path("/proc/self/status").read_text().splitlines():
        if entry.startswith("VmRSS:"):
            return int(entry.split()[1]) / 1024
    return float("nan")


def default_served() -> tuple[str, ...]:
    from conversations.language import served
    from core.questionnaire import BUILTIN_DIR, load_file
    from locales.catalog import catalogs

    return served(catalogs().languages, load_file(BUILTIN_DIR / "default.yaml").languages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--served", help="comma-separated codes (default: the bot's served languages)")
    args = parser.parse_args()
    lines = load(args.data)

    before = rss_mib()
    started = time.perf_counter()
    from conversations import detection

    detection.warm_up()
    startup = time.perf_counter() - started
    loaded = rss_mib()
    served = (
        tuple(code.strip() for code in args.served.split(",") if code.strip())
        if args.served
        else default_served()
    )

    detection.detect("warm up", served=served)
    started = time.perf_counter()
    first = [detection.detect(line.text, served=served) for line in lines]
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    second = [detection.detect(line.text, served=served) for line in lines]
    again = time.perf_counter() - started

    languages = list(dict.fromkeys(line.language for line in lines))
    print(f"data: {args.data} -> {len(lines)} lines in {len(languages)} languages")
    print(f"served: {' '.join(served)}\n")
    columns = f"{'served: detected as itself':<28}{'unserved: confidently served':<30}"
    print(f"{'lang':<6}{'lines':>6}  {columns}wrong as")
    right_served = total_served = leaked = total_unserved = 0
    for language in languages:
        pairs = [(line, found) for line, found in zip(lines, first, strict=True) if line.language == language]
        wrong = Counter(
            found.language if found else "none"
            for line, found in pairs
            if not found or found.language != language
        )
        if language in served:
            right = sum(1 for line, found in pairs if found and found.language == language)
            right_served, total_served = right_served + right, total_served + len(pairs)
            cells = f"{100 * right / len(pairs):>5.1f} %".ljust(28) + " " * 30
        else:
            confident = sum(1 for _, found in pairs if found and found.served and found.confident)
            leaked, total_unserved = leaked + confident, total_unserved + len(pairs)
            cells = " " * 28 + f"{100 * confident / len(pairs):>5.1f} %".ljust(30)
        mistakes = ", ".join(f"{code} {count}" for code, count in wrong.most_common(3))
        print(f"{language:<6}{len(pairs):>6}  {cells}{mistakes}")

    same = sum(a == b for a, b in zip(first, second, strict=True))
    served_share = right_served / total_served if total_served else float("nan")
    leaked_share = leaked / total_unserved if total_unserved else float("nan")
    print(
        f"\nserved languages, detected as themselves: {100 * served_share:.1f} % of {total_served} lines "
        f"(goal >= {100 * GOAL_SERVED:.0f} %: {'met' if served_share >= GOAL_SERVED else 'NOT met'})"
    )
    print(
        f"unserved languages, confidently served: {100 * leaked_share:.1f} % of {total_unserved} lines "
        f"(goal <= {100 * GOAL_UNSERVED:.0f} %: {'met' if leaked_share <= GOAL_UNSERVED else 'NOT met'})"
    )
    first_ms, again_ms = 1000 * elapsed / len(lines), 1000 * again / len(lines)
    print(
        f"speed: {first_ms:.3f} ms/line first time, {again_ms:.3f} ms/line again "
        f"(the nominees' detectors built); deterministic: {same == len(lines)}"
    )
    print(
        f"start-up (import + every model and word list): {startup:.2f} s; memory: +{loaded - before:.0f} MiB"
    )


if __name__ == "__main__":
    main()
