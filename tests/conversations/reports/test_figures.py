"""Known data in, exact figures out: counters fed by the real roll-up jobs, then the report.

Every expected figure below is worked out by hand in the comments.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.rollup_jobs import RollupJobs
from bot.scheduler import JobRunner
from conversations.reports import rollups
from conversations.reports.drivers import Method
from conversations.reports.figures import ReportRequest, build_report
from conversations.reports.stats import Ratio, holm, share_difference_p, t_two_sided_p, wilson
from storage.store import Store
from tests.clock import Clock
from tests.default_questionnaire import DEFAULT, RATED

W45 = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)  # Tuesday of ISO week 45
W46 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


async def add_response(
    store: Store,
    rid: str,
    *,
    ratings: list[int],
    nps: int | None,
    at: datetime,
    seconds: float = 300,
    customer: str | None = None,
    order: str | None = None,
    language: str = "en",
    status: str = "complete",
) -> None:
    answers: dict[str, Any] = {
        qid: {"value": v, "skipped": False} for qid, v in zip(RATED, ratings, strict=False)
    }
    if nps is not None:
        answers["recommend"] = {"value": nps, "skipped": False}
    doc: dict[str, Any] = {
        "_id": rid,
        "customer_id": customer or f"cust-{rid}",
        "questionnaire_id": "default",
        "questionnaire_version": DEFAULT.version,
        "language": language,
        "channel": "telegram",
        "order_ref": order,
        "status": status,
        "started_at": at - timedelta(seconds=seconds),
        "answers": answers,
    }
    if status == "complete":
        doc |= {"completed_at": at, "duration_seconds": seconds}
    else:
        doc["abandoned_at"] = at
    await store.responses._docs.insert_one(doc)
    await rollups.count(
        store.jobs, stage=rollups.FINAL, questionnaire_id="default", entity=rid, at=at, response_id=rid
    )


async def invite(store: Store, order: str, *, country: str, segment: str) -> None:
    from conversations.dialogues.invitations import invitation_id_for

    await store.invitations.create(
        fields={
            "_id": invitation_id_for(questionnaire_id="default", order_ref=order),
            "channel": "telegram",
            "customer_ref": f"customer-{order}",
            "order_ref": order,
            "questionnaire_id": "default",
            "country": country,
            "segment": segment,
            "created_at": W45,
        }
    )


async def settle(store: Store, now: datetime) -> None:
    runner = JobRunner(jobs=store.jobs, handlers=RollupJobs(store=store).handlers(), clock=Clock(now))
    while await runner.run_due():
        pass


@pytest.fixture
async def fed(store: Store) -> Store:
    """Week 45: six kept responses and one of each excluded kind; week 46: five unhappy ones."""
    ratings = {
        "r1": [5, 5, 4, 4, 3, 5, 5, 4],  # sum 35, 4–5: 7
        "r2": [4, 4, 4, 2, 3, 4, 4, 4],  # sum 29, 4–5: 6
        "r3": [2, 3, 2, 1, 2, 3, 3, 2],  # sum 18, 4–5: 0
        "r4": [5, 4, 5, 5, 4, 5, 5, 5],  # sum 38, 4–5: 8
        "r5": [3, 3, 3, 3, 3, 3, 3, 3],  # sum 24, 4–5: 0 — identical but unhurried: kept
        "r6": [4, 5, 4, 5, 4, 5, 4, 5],  # sum 36, 4–5: 8
    }
    nps = {"r1": 10, "r2": 8, "r3": 3, "r4": 9, "r5": 7, "r6": 10}
    where = {"r1": ("ES", "vip"), "r2": ("ES", "vip"), "r3": ("DE", "regular"), "r4": ("DE", "regular")}
    where["r6"] = ("ES", "vip")
    for rid, values in ratings.items():
        order = f"O-{rid}" if rid in where else None
        if order:
            await invite(store, order, country=where[rid][0], segment=where[rid][1])
        await add_response(store, rid, ratings=values, nps=nps[rid], at=W45, order=order, customer=f"c-{rid}")
    # Left out: r1's customer again for the same order (duplicate), 20 s for 90 s of questions
    # (speeder: < 0.3 × 90), the same answer everywhere in 50 s (straight-lining: < 0.6 × 90),
    # and a survey abandoned after two answers (incomplete, stopped at delivery_speed).
    await add_response(
        store, "d1", ratings=[1] * 8, nps=0, at=W45 + timedelta(hours=1), order="O-r1", customer="c-r1"
    )
    await add_response(store, "s1", ratings=[4, 2, 5, 1, 3, 4, 2, 5], nps=5, at=W45, seconds=20)
    await add_response(store, "l1", ratings=[1] * 8, nps=0, at=W45, seconds=50)
    await add_response(store, "i1", ratings=[4, 4], nps=None, at=W45, status="abandoned")
    for n in range(7, 12):  # week 46: sum 12, no 4–5, detractors
        order = f"O-r{n}"
        await invite(store, order, country="ES", segment="vip")
        await add_response(store, f"r{n}", ratings=[1, 2] * 4, nps=2, at=W46, order=order, customer=f"c-r{n}")
    for stage, times in (("invited", 20), ("started", 16), ("consented", 15)):
        for n in range(times):
            await rollups.count(
                store.jobs, stage=stage, questionnaire_id="default", entity=f"{stage}{n}", at=W45
            )
    await settle(store, W46 + timedelta(hours=1))
    return store


async def test_overall_dimensions_nps_exclusions_and_funnel(fed: Store) -> None:
    report = await build_report(fed, ReportRequest(date(2026, 11, 1), date(2026, 11, 30)), now=W46)
    assert report.respondents == 11
    e = report.exclusions
    assert (e.duplicate, e.speeder, e.straight_lining, e.incomplete, e.total) == (1, 1, 1, 1, 4)
    overall = report.overall.overall
    assert overall is not None
    # 88 answers: sums 35+29+18+38+24+36 + 5×12 = 240; 4–5: 7+6+0+8+0+8 = 29.
    assert overall.answers == 88 and overall.mean == pytest.approx(240 / 88)
    assert overall.csat == pytest.approx(29 / 88)
    nps = report.overall.nps
    assert nps is not None and (nps.promoters, nps.passives, nps.detractors) == (3, 2, 6)
    assert nps.score == pytest.approx(100 * (3 - 6) / 11)
    product, logistics = report.overall.dimensions["product"], report.overall.dimensions["logistics"]
    # product: (5,5)(4,4)(2,3)(5,4)(3,3)(4,5) + 5×(1,2): n 22, sum 47 + 15, 4–5: 8.
    assert product.answers == 22 and product.mean == pytest.approx(62 / 22)
    assert product.csat == pytest.approx(8 / 22)
    # logistics: (4,4)(4,2)(2,1)(5,5)(3,3)(4,5) + 5×(1,2): n 22, sum 42 + 15, 4–5: 7.
    assert logistics.answers == 22 and logistics.mean == pytest.approx(57 / 22)
    assert logistics.csat == pytest.approx(7 / 22)
    f = report.funnel
    assert (f.invited, f.started, f.consented, f.completed) == (20, 16, 15, 14)  # 11 kept + 3 excluded
    assert f.stopped_at == {"delivery_speed": 1}


async def test_breakdown_suppresses_groups_below_five(fed: Store) -> None:
    request = ReportRequest(date(2026, 11, 1), date(2026, 11, 30), by="country")
    report = await build_report(fed, request, now=W46)
    groups = {g.key: g for g in report.groups}
    assert set(groups) == {"ES", "DE", "unknown"}
    assert groups["DE"].suppressed and groups["DE"].overall is None and groups["DE"].nps is None
    assert groups["unknown"].suppressed  # r5 alone (the excluded ones do not count as respondents)
    spain = groups["ES"]
    assert not spain.suppressed and spain.respondents == 8
    assert spain.overall is not None and spain.nps is not None
    # r1, r2, r6 and five of week 46: 64 answers, sum 35 + 29 + 36 + 60, 4–5: 7 + 6 + 8.
    assert spain.overall.mean == pytest.approx(160 / 64) and spain.overall.csat == pytest.approx(21 / 64)
    assert spain.nps.score == pytest.approx(100 * (2 - 5) / 8)
    by_segment = await build_report(
        fed, ReportRequest(date(2026, 11, 1), date(2026, 11, 30), by="segment"), now=W46
    )
    assert {g.key: g.respondents for g in by_segment.groups} == {"vip": 8, "regular": 2, "unknown": 1}


async def test_weekly_trend_marks_a_change_beyond_noise(fed: Store) -> None:
    report = await build_report(fed, ReportRequest(date(2026, 11, 2), date(2026, 11, 15)), now=W46)
    assert report.trend_unit == "week"
    w45, w46 = report.trend
    assert (w45.period, w45.respondents, w45.changed) == ("2026-W45", 6, False)
    assert w45.csat == pytest.approx(29 / 48)
    assert (w46.period, w46.respondents, w46.csat) == ("2026-W46", 5, 0.0)
    # Respondents as the unit. CSAT: W45's respondents gave t = 7, 6, 0, 8, 0, 8 answers of 4–5 out
    # of a = 8 each, p = 29/48, so p·a = 29/6 and the linearised variance is
    # Σ(t − p·a)² / A² = (2.1667² + 1.1667² + 4.8333² + 3.1667² + 4.8333² + 3.1667²) / 48²
    # = 72.833 / 2304 = 0.031612; W46 (all 0 of 8) has none. z = (29/48) / √0.031612 = 3.398.
    csat_p = math.erfc(3.398 / math.sqrt(2))  # ≈ 0.00068
    # Mean: sums s = 35, 29, 18, 38, 24, 36 of a = 8, mean 3.75, s − 3.75·a = 5, −1, −12, 8, −6, 6;
    # variance 6/5 · 306 / 2304 = 0.159375, t = (3.75 − 1.5) / √0.159375 = 5.636, Welch df = 5.
    mean_p = t_two_sided_p(5.636, 5)  # ≈ 0.0024
    # Holm over the trend's two comparisons: the smaller doubled, the larger as it is (≥ the first).
    assert csat_p == pytest.approx(0.00068, abs=2e-5) and mean_p == pytest.approx(0.0024, abs=1e-4)
    assert w46.changed and w46.p_value == pytest.approx(2 * csat_p, rel=1e-3)
    assert w45.csat_ci is not None and w46.csat_ci is not None and w46.csat_ci.low == 0.0
    # Five respondents, all at 0: Wilson on 5 gives an upper end of z²/(n + z²) = 3.8415/8.8415.
    assert w46.csat_ci.high == pytest.approx(3.8415 / 8.8415, abs=1e-4)


async def test_intervals_treat_the_respondent_as_the_unit(fed: Store) -> None:
    report = await build_report(fed, ReportRequest(date(2026, 11, 1), date(2026, 11, 30)), now=W46)
    after_sales = report.overall.dimensions["after_sales"]
    # One answer each: 3, 3, 2, 4, 3, 4 and five 1s. n 11, mean 24/11, two of 4–5.
    assert after_sales.respondents == 11 and after_sales.csat == pytest.approx(2 / 11)
    # Wilson for 2 of 11: centre (0.1818 + 3.8415/22) / (1 + 3.8415/11) = 0.2642,
    # half 1.96/1.3492 · √(0.1818·0.8182/11 + 3.8415/484) = 0.2128 → 0.0514 … 0.4770.
    assert after_sales.csat_ci is not None
    assert (after_sales.csat_ci.low, after_sales.csat_ci.high) == pytest.approx((0.0514, 0.4770), abs=1e-4)
    # t interval: Σx² = 68, s² = (68 − 11·(24/11)²)/10 = 1.5636, se = 0.3770, t(10) = 2.2281.
    assert after_sales.mean_ci is not None
    assert after_sales.mean_ci.low == pytest.approx(24 / 11 - 2.2281 * 0.37703, abs=1e-3)
    assert after_sales.mean_ci.high == pytest.approx(24 / 11 + 2.2281 * 0.37703, abs=1e-3)
    overall = report.overall.overall
    assert overall is not None and overall.csat_ci is not None and overall.respondents == 11
    # 29 of 88 answers, but from 11 respondents: t = 7, 6, 0, 8, 0, 8, 0 × 5 of a = 8, p·a = 2.6364;
    # Σ(t − p·a)² = 136.545, variance 136.545/88² = 0.017632, effective n = p(1 − p)/var = 12.53.
    n_eff = (29 / 88) * (59 / 88) / (136.545 / 88**2)
    expected = wilson(29 / 88 * n_eff, n_eff)
    assert expected is not None and overall.csat_ci.low == pytest.approx(expected.low, abs=1e-4)
    # Far wider than Wilson on 88 "independent" answers would claim.
    naive = wilson(29, 88)
    assert naive is not None and overall.csat_ci.high - overall.csat_ci.low > 2 * (naive.high - naive.low)
    nps = report.overall.nps
    assert nps is not None and nps.score_ci is not None
    # P = 3/11, D = 6/11: var = (9/11 − (3/11)²)/11 = 0.06762, half 1.96·0.26004 = 0.5097.
    assert nps.score_ci.low == pytest.approx(100 * (-3 / 11 - 0.5097), abs=0.05)
    assert report.drivers[0].method is Method.NOT_ENOUGH and report.drivers[0].respondents == 11


async def test_breakdown_compares_each_group_with_the_rest_holm_adjusted(fed: Store) -> None:
    request = ReportRequest(date(2026, 11, 1), date(2026, 11, 30), by="country", min_group=2)
    groups = {g.key: g for g in (await build_report(fed, request, now=W46)).groups}

    # ES: r1, r2, r6 (7, 6, 8 of 8) + five 0s; the rest: r3, r4, r5 (0, 8, 0 of 8).
    # DE: r3, r4 (0, 8 of 8); the rest: r1, r2, r5, r6 + five 0s. unknown (r5 alone) is hidden.
    def share(tops: list[int]) -> Ratio:
        return Ratio(len(tops), 8.0 * len(tops), sum(tops), 64.0 * len(tops), sum(t * t for t in tops),
                     8.0 * sum(tops))  # fmt: skip

    es = share_difference_p(share([0, 8, 0]), share([7, 6, 8, 0, 0, 0, 0, 0]))
    de = share_difference_p(share([7, 6, 0, 8, 0, 0, 0, 0, 0]), share([0, 8]))
    assert groups["ES"].csat_p == pytest.approx(holm([es, de])[0])
    assert groups["DE"].csat_p == pytest.approx(holm([es, de])[1])
    assert groups["unknown"].suppressed and groups["unknown"].csat_p is None


async def test_one_week_alone_is_suppressed_below_five(fed: Store) -> None:
    report = await build_report(fed, ReportRequest(date(2026, 11, 10), date(2026, 11, 10)), now=W46)
    assert report.respondents == 5 and not report.overall.suppressed
    strict = await build_report(
        fed, ReportRequest(date(2026, 11, 10), date(2026, 11, 10), min_group=6), now=W46
    )
    assert strict.overall.suppressed and strict.overall.overall is None and strict.trend[0].csat is None


async def test_admin_report_and_improvement_action_commands(fed: Store) -> None:
    from conversations.admin.commands import AdminCommands, AdminContext

    context = AdminContext(store=fed, languages=("en",), max_minutes=5, clock=Clock(W46 + timedelta(days=1)))
    admin = AdminCommands(context, admin="telegram:1")
    text = (await admin.run("report --from 2026-11-01 --to 2026-11-30 --by country")).text
    assert "Respondents counted: 11 (left out: 4" in text
    assert "ES" in text and "DE             fewer than 5 respondents: not shown" in text
    assert "2026-W46 *" in text  # the marked week
    assert "c-r1" not in text and "O-r1" not in text  # no customer or order ever appears
    sheet = await admin.run("report --from 2026-11-01 --to 2026-11-30 --format csv")
    assert sheet.document is not None and sheet.document[0] == "report-2026-11-01-2026-11-30.csv"
    assert "overall,all,respondents,11" in sheet.document[1]
    assert (await admin.run("report --by shoe-size")).text.startswith("Not done: --by must be one of")
    added = await admin.run("action add dimension:logistics logistics Ana 2026-12-01")
    assert added.text.startswith("A1 recorded")
    assert (await admin.run("action add nowhere logistics Ana 2026-12-01")).text.startswith("Not done")
    assert (
        "A1 dimension:logistics · logistics · Ana · due 2026-12-01 · open"
        in (await admin.run("action list")).text
    )
    assert (await admin.run("action done A1")).text.startswith("A1 marked done")
    assert (await admin.run("action done A1")).text == "Not done: no open action 'A1'"
    audit = await fed.audit.latest(limit=10)
    outcomes = [(entry.action, entry.outcome) for entry in audit]
    assert (
        ("action", "refused") in outcomes
        and ("action", "done") in outcomes
        and ("report", "refused") in outcomes
    )


async def test_rebuilding_the_counters_from_stored_data_gives_the_same_figures(fed: Store) -> None:
    request = ReportRequest(date(2026, 11, 1), date(2026, 11, 30), by="country")
    before = await build_report(fed, request, now=W46)
    counted = await RollupJobs(store=fed).rebuild(default_questionnaire="default")
    after = await build_report(fed, request, now=W46)
    assert counted == {"responses": 15, "invited": 10, "started": 0}
    assert (after.respondents, after.exclusions, after.overall, after.groups) == (
        before.respondents,
        before.exclusions,
        before.overall,
        before.groups,
    )
    assert after.trend == before.trend and after.drivers == before.drivers  # the drivers' sums too
    # The funnel now comes from the stored invitations and responses (the fixture's synthetic counts
    # of 20 invited and 16 started had nothing stored behind them).
    assert (after.funnel.invited, after.funnel.consented, after.funnel.completed) == (10, 15, 14)
    assert after.funnel.stopped_at == before.funnel.stopped_at


