"""Report time against the number of responses: 10k, 100k and 1M over one year, on the embedded store,
and the full HTML analysis report (with themes of the year's free texts) over the same year.

    python -m benchmarks.reports [--sizes 10000,100000,1000000] [--repeat 5] [--texts 0.2] [--html FILE]

Responses are generated in memory and fed through the same code the bot uses when a response
finishes (quality rules → increments → counters); only the write is batched (one `$inc` per counter
document per load step), because the embedded store is slow at a million single writes. A share of
the finished responses (`--texts`, 20 %) also answers the free-text question in the customer's
language, stored as the completed response; one response in 500 comes with a complaint ticket and
one in 200 with a suggestion, both with words (`benchmarks/report_texts.py`). Then the one-year
report is built several times, overall and broken down by country; the free texts' themes are
assigned from scratch (the one-off cost; the bot does it hourly, a few texts at a time) and the
whole HTML analysis report (report, themes with quotes, findings, charts) is built with the
assignments stored: its time, allocation peak and the process's RSS are printed, and each of its
sections is checked to have content.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.report_texts import TEXT_QUESTION, TextSeeder
from bot.report_html import SECTIONS, analysis_html
from conversations.reports import rollups
from conversations.reports.figures import ReportRequest, build_report
from conversations.reports.quality import QualityRules, exclusion_reason
from conversations.reports.themes import catch_up, themes_for_period
from conversations.tickets.policy import ComplaintPolicy
from core.questionnaire import BUILTIN_DIR, load_file
from core.responses import Response, ResponseStatus, answers_from_document
from storage.mongo import open_database
from storage.store import Store
from storage.types import Database
from tests.default_questionnaire import RATED

YEAR_START = date(2025, 12, 1)
COUNTRIES = ("ES", "DE", "FR", "US", "BR", "MX", "JP", "SA", "IT", "PL", "TH", "IN")
LANGUAGES = ("es", "de", "fr", "en", "pt", "es", "ja", "ar", "it", "pl", "th", "hi")
TICKET_SHARE, SUGGESTION_SHARE = 1 / 500, 1 / 200
Documents = dict[str, list[dict[str, Any]]]
# Responses generated per load step: each step is one upsert per counter document touched (~10,000
# whatever the step's size), so larger steps load a million responses in fewer writes.
LOAD_BATCH = 200_000
SEGMENTS = ("new", "regular", "vip")
CHANNELS = ("telegram", "whatsapp", "web")


def generate(
    rng: random.Random,
    count: int,
    questionnaire: Any,
    rules: QualityRules,
    texts: TextSeeder | None = None,
    text_share: float = 0.0,
) -> tuple[dict[Any, Any], Documents]:
    """`count` finished responses over the year, as counter increments (the bot's own code), and the
    documents holding the free texts some of them come with."""
    parts = []
    docs: Documents = {"responses": [], "tickets": [], "feedback": []}
    for number in range(count):
        day = YEAR_START + timedelta(days=rng.randrange(365))
        place = rng.randrange(len(COUNTRIES))
        mood = rng.choice((2, 3, 4, 4, 5))
        answers = {
            qid: {"value": min(5, max(1, mood + rng.choice((-1, 0, 0, 1)))), "skipped": False}
            for qid in RATED
        }
        answers["recommend"] = {"value": min(10, max(0, 2 * mood + rng.randrange(-1, 2))), "skipped": False}
        finished = rng.random() > 0.1
        if texts is not None and finished:
            language = LANGUAGES[place]
            if rng.random() < text_share:
                answers[TEXT_QUESTION], doc = texts.answer(day, language, answers, mood)
                docs["responses"].append(doc)
            if rng.random() < TICKET_SHARE:
                docs["tickets"].append(texts.ticket(day, language))
            if rng.random() < SUGGESTION_SHARE:
                docs["feedback"].append(texts.suggestion(day, language))
        response = Response(
            id=f"r{number}",
            customer_id="c",
            questionnaire_id="default",
            questionnaire_version=questionnaire.version,
            status=ResponseStatus.COMPLETE,
            answers=answers_from_document(answers),
            duration_seconds=rng.uniform(15, 400),
        )
        reason = (
            "incomplete"
            if not finished
            else exclusion_reason(response, questionnaire, duplicate=rng.random() < 0.01, rules=rules)
        )
        facets = rollups.Facets(
            country=COUNTRIES[place],
            language=LANGUAGES[place],
            channel=rng.choice(CHANNELS),
            segment=rng.choice(SEGMENTS),
            version="1",
        )
        parts.append(
            rollups.keyed(
                day, "default", facets, rollups.response_increments(response, questionnaire, reason=reason)
            )
        )
        if reason is None:
            drivers = rollups.driver_increments(response, questionnaire)
            parts.append(rollups.driver_keyed(day, "default", drivers))
        if finished:
            parts.append(rollups.funnel_increment(day, "default", "completed"))
    return rollups.merge(parts), docs


async def main(sizes: list[int], repeat: int, text_share: float, html: Path | None = None) -> None:
    questionnaire = load_file(BUILTIN_DIR / "default.yaml")
    rules = QualityRules()
    rng = random.Random(7)
    texts = TextSeeder(random.Random(11), questionnaire_version=questionnaire.version)
    with tempfile.TemporaryDirectory() as folder:
        async with open_database(uri=None, data_dir=Path(folder), database="bench") as db:
            store = await Store.open(db)
            await store.questionnaires.install(questionnaire, source="benchmark")
            loaded = 0
            stored: dict[str, int] = {"responses": 0, "tickets": 0, "feedback": 0}
            analyses: list[tuple[int, int, float, tuple[float, float, float, float, str, str]]] = []
            print(f"{'responses':>10} {'counter docs':>12} {'load (s)':>9} {'report p50 (s)':>15} "
                  f"{'max (s)':>8} {'by country p50 (s)':>19}")  # fmt: skip
            for size in sizes:
                started = time.perf_counter()
                for _ in range(0, size - loaded, LOAD_BATCH):
                    batch = min(LOAD_BATCH, size - loaded)
                    increments, docs = await asyncio.to_thread(
                        generate, rng, batch, questionnaire, rules, texts, text_share
                    )
                    await store.rollups.add(increments)
                    for collection, rows in docs.items():
                        for start in range(0, len(rows), 5_000):
                            await db[collection].insert_many(rows[start : start + 5_000])
                        stored[collection] += len(rows)
                    loaded += batch
                load_seconds = time.perf_counter() - started
                request = ReportRequest(YEAR_START, YEAR_START + timedelta(days=364), "default")
                by_country = ReportRequest(YEAR_START, YEAR_START + timedelta(days=364), "default", "country")
                now = datetime.now(UTC)
                times, grouped = [], []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    report = await build_report(store, request, now=now)
                    times.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    await build_report(store, by_country, now=now)
                    grouped.append(time.perf_counter() - t0)
                documents = await db["rollups"].count_documents({})
                counted = report.respondents + report.exclusions.total
                assert counted == loaded, "every response counted once"
                p50, p50_grouped = statistics.median(times), statistics.median(grouped)
                print(f"{loaded:>10,} {documents:>12,} {load_seconds:>9.1f} {p50:>15.3f} "
                      f"{max(times):>8.3f} {p50_grouped:>19.3f}")  # fmt: skip
                assigned, assign_seconds = await assign_from_scratch(db, store, now)
                assert assigned == sum(stored.values()), "every free text assigned once"
                figures = await analysis_figures(store, by_country, now, repeat, html)
                analyses.append((loaded, assigned, assign_seconds, figures))
            print()
            print(f"{'responses':>10} {'free texts':>10} {'assign once (s)':>15} {'analysis p50 (s)':>17} "
                  f"{'max (s)':>8} {'alloc peak (MiB)':>17} {'max RSS (MiB)':>14}  "
                  "parts p50 (s); key drivers")  # fmt: skip
            for loaded, assigned, assign_seconds, (p50, worst, peak, rss, drivers, split) in analyses:
                print(f"{loaded:>10,} {assigned:>10,} {assign_seconds:>15.1f} {p50:>17.3f} {worst:>8.3f} "
                      f"{peak:>17.1f} {rss:>14.0f}  {split}; {drivers}")  # fmt: skip


async def assign_from_scratch(db: Database, store: Store, now: datetime) -> tuple[int, float]:
    """Every free text's theme assigned and stored, as on a first run (earlier runs' assignments are
    dropped: this size's texts are spread over the same year, before the last reading)."""
    for name in ("theme_assignments", "theme_days", "theme_watermarks"):
        await db[name].delete_many({})
    started = time.perf_counter()
    assigned = await catch_up(store, now=now)
    return assigned, time.perf_counter() - started


def missing_sections(page: str) -> list[str]:
    """Sections without content: absent, only a "nothing here" line, or (themes) without quotes."""
    missing = []
    for key in SECTIONS:
        head = f'<section id="{key}">'
        if head not in page:
            missing.append(key)
            continue
        body = page[page.index(head) : page.index("</section>", page.index(head))]
        after_title = body[body.index("</h2>") + 5 :]
        if after_title.startswith('<p class="muted">') and after_title.count("<p") == 1:
            missing.append(key)
        elif key == "themes" and "<blockquote>" not in body:
            missing.append(key)
    return missing


async def analysis_figures(
    store: Store, request: ReportRequest, now: datetime, repeat: int, keep: Path | None
) -> tuple[float, float, float, float, str, str]:
    """Build time of the whole HTML analysis report with its themes (p50, max), its allocation peak,
    the process's RSS, the key drivers and the p50 of its parts; every section is checked to have
    content."""
    parts: dict[str, list[float]] = {"report": [], "themes": [], "html": []}

    async def build() -> str:
        t0 = time.perf_counter()
        report = await build_report(store, request, now=now)
        t1 = time.perf_counter()
        themes = await themes_for_period(
            store, start=request.start, end=request.end, min_group=request.min_group, now=now
        )
        t2 = time.perf_counter()
        page = await asyncio.to_thread(analysis_html, report, policy=ComplaintPolicy(), themes=themes)
        for part, seconds in zip(parts, (t1 - t0, t2 - t1, time.perf_counter() - t2), strict=True):
            parts[part].append(seconds)
        return page

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        page = await build()
        times.append(time.perf_counter() - t0)
    missing = missing_sections(page)
    assert not missing, f"sections without content: {', '.join(missing)}"
    split = " + ".join(f"{part} {statistics.median(seconds):.2f}" for part, seconds in parts.items())
    tracemalloc.start()
    page = await build()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    report = await build_report(store, request, now=now)
    drivers = "; ".join(f"{a.method.value}, n {a.respondents:,}" for a in report.drivers)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if keep is not None:
        await asyncio.to_thread(keep.write_text, page, encoding="utf-8")
    return statistics.median(times), max(times), peak, rss, drivers, split


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--texts", type=float, default=0.2, help="share of responses with a free-text answer")
    parser.add_argument("--html", type=Path, help="write the last HTML analysis report here")
    args = parser.parse_args()
    asyncio.run(main([int(s) for s in args.sizes.split(",")], args.repeat, args.texts, args.html))
