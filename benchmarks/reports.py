"""Report time against the number of responses: 10k, 100k and 1M over one year, on the embedded store.

    python -m benchmarks.reports [--sizes 10000,100000,1000000] [--repeat 5] [--html FILE]

Responses are generated in memory and fed through the same code the bot uses when a response
finishes (quality rules → increments → counters); only the write is batched (one `$inc` per counter
document per load step), because the embedded store is slow at a million single writes. Then the
one-year report is built several times, overall and broken down by country, and the times printed.
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

from bot.report_html import analysis_html
from conversations.reports import rollups
from conversations.reports.figures import ReportRequest, build_report
from conversations.reports.quality import QualityRules, exclusion_reason
from conversations.tickets.policy import ComplaintPolicy
from core.questionnaire import BUILTIN_DIR, load_file
from storage.mongo import open_database
from storage.store import Store
from tests.default_questionnaire import RATED

YEAR_START = date(2025, 12, 1)
COUNTRIES = ("ES", "DE", "FR", "US", "BR", "MX", "JP", "SA")
LANGUAGES = ("es", "de", "fr", "en", "pt", "es", "ja", "ar")
SEGMENTS = ("new", "regular", "vip")
CHANNELS = ("telegram", "whatsapp", "web")


def generate(rng: random.Random, count: int, questionnaire: Any, rules: QualityRules) -> dict[Any, Any]:
    """`count` finished responses over the year, as counter increments (the bot's own code)."""
    parts = []
    for _ in range(count):
        day = YEAR_START + timedelta(days=rng.randrange(365))
        place = rng.randrange(len(COUNTRIES))
        mood = rng.choice((2, 3, 4, 4, 5))
        answers = {
            qid: {"value": min(5, max(1, mood + rng.choice((-1, 0, 0, 1)))), "skipped": False}
            for qid in RATED
        }
        answers["recommend"] = {"value": min(10, max(0, 2 * mood + rng.randrange(-1, 2))), "skipped": False}
        response = {"answers": answers, "duration_seconds": rng.uniform(15, 400), "status": "complete"}
        finished = rng.random() > 0.1
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
    return rollups.merge(parts)


async def main(sizes: list[int], repeat: int, html: Path | None = None) -> None:
    questionnaire = load_file(BUILTIN_DIR / "default.yaml")
    rules = QualityRules()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        async with open_database(uri=None, data_dir=Path(folder), database="bench") as db:
            store = await Store.open(db)
            loaded = 0
            analyses: list[tuple[int, float, float, float, float, str]] = []
            print(f"{'responses':>10} {'counter docs':>12} {'load (s)':>9} {'report p50 (s)':>15} "
                  f"{'max (s)':>8} {'by country p50 (s)':>19}")  # fmt: skip
            for size in sizes:
                started = time.perf_counter()
                for _ in range(0, size - loaded, 50_000):
                    batch = min(50_000, size - loaded)
                    await store.rollups.add(
                        await asyncio.to_thread(generate, rng, batch, questionnaire, rules)
                    )
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
                analyses.append((loaded, *await analysis_figures(store, by_country, now, repeat, html)))
            print()
            print(f"{'responses':>10} {'analysis p50 (s)':>17} {'max (s)':>8} {'alloc peak (MiB)':>17} "
                  f"{'max RSS (MiB)':>14}  key drivers")  # fmt: skip
            for loaded, p50, worst, peak, rss, drivers in analyses:
                print(f"{loaded:>10,} {p50:>17.3f} {worst:>8.3f} {peak:>17.1f} {rss:>14.0f}  {drivers}")


async def analysis_figures(
    store: Store, request: ReportRequest, now: datetime, repeat: int, keep: Path | None
) -> tuple[float, float, float, float, str]:
    """Build time of the whole HTML analysis report (p50, max), its allocation peak, the process's RSS."""

    async def build() -> str:
        report = await build_report(store, request, now=now)
        return await asyncio.to_thread(
            analysis_html, report, policy=ComplaintPolicy()
        )

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await build()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    page = await build()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    report = await build_report(store, request, now=now)
    drivers = "; ".join(f"{a.method.value}, n {a.respondents:,}" for a in report.drivers)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if keep is not None:
        await asyncio.to_thread(keep.write_text, page, encoding="utf-8")
    return statistics.median(times), max(times), peak, rss, drivers


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--html", type=Path, help="write the last HTML analysis report here")
    args = parser.parse_args()
    asyncio.run(main([int(s) for s in args.sizes.split(",")], args.repeat, args.html))
