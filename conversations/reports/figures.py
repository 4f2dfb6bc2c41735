"""A report from the counters, the tickets and the improvement actions: de-identified, small groups hidden."""

from __future__ import annotations

import dataclasses
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from conversations.reports.drivers import DriverAnalysis, analyse, sums_from_counts
from conversations.reports.model import (
    ActionStatus,
    ComplaintFigures,
    Exclusions,
    Funnel,
    Group,
    Nps,
    Rate,
    Report,
    Score,
    TrendPoint,
)
from conversations.reports.rollups import ALL, AXES, UNSERVED
from conversations.reports.stats import (
    Ratio,
    holm,
    mean_interval,
    share_difference_p,
    share_interval,
    welch_p,
)
from core.tickets import FollowUpRecord, Status, TicketFigures
from storage.store import Store
from storage.types import Document

BY = AXES
ACTION_WINDOW = timedelta(days=28)  # before an action is recorded / after it is finished
FOLLOWUP_DUE = timedelta(days=7)  # the policy's latest follow-up after closing
SIGNIFICANCE = 0.05


@dataclass(frozen=True, slots=True)
class ReportRequest:
    start: date
    end: date  # inclusive
    questionnaire: str | None = None
    by: str | None = None
    min_group: int = 5
    unit: Literal["week", "month"] | None = None  # None: weeks up to 16 weeks, months beyond

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the report ends before it starts")
        if self.by is not None and self.by not in BY:
            raise ValueError(f"--by must be one of {', '.join(BY)}")


_META = {"_id", "day", "questionnaire", "axis", "value"}


def flatten(doc: Document) -> Document:
    """A counter document with nested counters as dotted names ("dims.product.n"); read once, summed often."""
    flat: Document = {}
    stack: list[tuple[str, dict[str, Any]]] = [("", doc)]
    while stack:
        prefix, part = stack.pop()
        for key, value in part.items():
            if type(value) is dict:
                stack.append((f"{prefix}{key}.", value))
            else:
                flat[f"{prefix}{key}" if prefix else key] = value
    return flat


def totals(docs: Iterable[Document]) -> dict[str, float]:
    """Every counter of flattened documents summed (the day, axis and value are not counters)."""
    summed: dict[str, float] = defaultdict(float)
    for doc in docs:
        for key, value in doc.items():
            kind = type(value)
            if (kind is int or kind is float) and key not in _META:
                summed[key] += value
    return dict(summed)


def ratio(counts: dict[str, float], prefix: str, value: str) -> Ratio:
    """Respondents' totals behind `prefix`'s mean (value "sum") or CSAT (value "top2")."""
    square, cross = ("ss", "sn") if value == "sum" else ("tt", "tn")
    return Ratio(
        respondents=int(counts.get(f"{prefix}.r", 0)),
        answers=counts.get(f"{prefix}.n", 0),
        value=counts.get(f"{prefix}.{value}", 0),
        answers_sq=counts.get(f"{prefix}.nn", 0),
        value_sq=counts.get(f"{prefix}.{square}", 0),
        cross=counts.get(f"{prefix}.{cross}", 0),
    )


def _score(counts: dict[str, float], prefix: str) -> Score:
    n = int(counts.get(f"{prefix}.n", 0))
    if n == 0:
        return Score(0, None, None)
    mean, share = ratio(counts, prefix, "sum"), ratio(counts, prefix, "top2")
    return Score(
        n,
        counts.get(f"{prefix}.sum", 0) / n,
        counts.get(f"{prefix}.top2", 0) / n,
        respondents=mean.respondents,
        mean_ci=mean_interval(mean),
        csat_ci=share_interval(share),
    )


def _difference_ps(first: dict[str, float], second: dict[str, float]) -> tuple[float | None, float | None]:
    """Raw p-values of CSAT and of the mean between two sets of counters (respondents as the unit)."""
    return (
        share_difference_p(ratio(first, "rating", "top2"), ratio(second, "rating", "top2")),
        welch_p(ratio(first, "rating", "sum"), ratio(second, "rating", "sum")),
    )


def compared_groups(
    groups: list[Group], counts: dict[str, dict[str, float]], whole: dict[str, float], min_group: int
) -> list[Group]:
    """Each shown group against everyone else, Holm-adjusted across the breakdown (CSAT and mean apart)."""
    raw: list[tuple[float | None, float | None]] = []
    for group in groups:
        mine = counts[group.key]
        rest = {name: whole.get(name, 0) - mine.get(name, 0) for name in whole}
        if group.suppressed or rest.get("kept", 0) < min_group:
            raw.append((None, None))
        else:
            raw.append(_difference_ps(rest, mine))
    csat = holm([c for c, _ in raw])
    means = holm([m for _, m in raw])
    return [
        dataclasses.replace(group, csat_p=c, mean_p=m)
        for group, c, m in zip(groups, csat, means, strict=True)
    ]


def group_of(key: str, counts: dict[str, float], min_group: int) -> Group:
    respondents = int(counts.get("kept", 0))
    if respondents < min_group:
        return Group(key, respondents, True, None, None, {})
    dimensions = sorted({name.split(".")[1] for name in counts if name.startswith("dims.")})
    nps = Nps(
        int(counts.get("nps.n", 0)),
        int(counts.get("nps.promoters", 0)),
        int(counts.get("nps.passives", 0)),
        int(counts.get("nps.detractors", 0)),
    )
    return Group(
        key,
        respondents,
        False,
        _score(counts, "rating"),
        nps,
        {name: _score(counts, f"dims.{name}") for name in dimensions},
    )


def _period(day: date, unit: str) -> tuple[str, date]:
    if unit == "month":
        return f"{day.year}-{day.month:02d}", day.replace(day=1)
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}", day - timedelta(days=day.weekday())


def trend(docs: list[Document], unit: str, min_group: int) -> list[TrendPoint]:
    """One point per period; each shown period is compared with the previous shown one, and the
    CSAT and mean comparisons of the whole trend are Holm-adjusted together."""
    by_period: dict[tuple[str, date], list[Document]] = defaultdict(list)
    for doc in docs:
        by_period[_period(date.fromisoformat(doc["day"]), unit)].append(doc)
    points: list[TrendPoint] = []
    raw: list[float | None] = []  # two per point: CSAT, mean
    previous: dict[str, float] | None = None
    for (label, start), members in sorted(by_period.items(), key=lambda item: item[0][1]):
        counts = totals(members)
        kept = int(counts.get("kept", 0))
        if kept < min_group:
            points.append(TrendPoint(label, start, kept, None, None))
            raw += [None, None]
            continue
        group = group_of(label, counts, min_group)
        raw += list(_difference_ps(previous, counts)) if previous is not None else [None, None]
        score, nps = group.overall, group.nps
        points.append(
            TrendPoint(
                label,
                start,
                kept,
                score.csat if score else None,
                nps.score if nps else None,
                csat_ci=score.csat_ci if score else None,
                nps_ci=nps.score_ci if nps else None,
                mean=score.mean if score else None,
                mean_ci=score.mean_ci if score else None,
            )
        )
        previous = counts
    adjusted = holm(raw)
    marked: list[TrendPoint] = []
    for index, point in enumerate(points):
        pair = [p for p in adjusted[2 * index : 2 * index + 2] if p is not None]
        p_value = min(pair) if pair else None
        changed = p_value is not None and p_value < SIGNIFICANCE
        marked.append(dataclasses.replace(point, p_value=p_value, changed=changed))
    return marked


def _suppressed_counts(counts: dict[str, int], min_group: int) -> dict[str, int | None]:
    return {key: (value if value >= min_group else None) for key, value in sorted(counts.items())}


def _hours(later: Any, earlier: Any) -> float | None:
    if isinstance(later, datetime) and isinstance(earlier, datetime):
        return (_aware(later) - _aware(earlier)).total_seconds() / 3600
    return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _on_time(
    tickets: list[TicketFigures], kind: str, now: datetime, min_group: int
) -> tuple[Rate, float | None]:
    hits = decided = 0
    hours: list[float] = []
    for ticket in tickets:
        deadline, met = ticket.deadlines.get(kind), ticket.met.get(kind)
        if deadline is None:
            continue
        if met is not None:
            decided += 1
            hits += _aware(met) <= _aware(deadline)
            took = _hours(met, ticket.created_at)
            if took is not None:
                hours.append(took)
        elif _aware(deadline) < now:
            decided += 1  # missed: no contact or result by the deadline
    median = statistics.median(hours) if len(hours) >= min_group else None
    return Rate(hits, decided, decided < min_group), median


def _single_answers(ratings: list[int]) -> Score:
    """1–5 ratings, one per respondent (a complaint's follow-up), with their intervals."""
    n, tops = len(ratings), sum(r >= 4 for r in ratings)
    values = Ratio(n, n, sum(ratings), n, sum(r * r for r in ratings), sum(ratings))
    shares = Ratio(n, n, tops, n, tops, tops)
    return Score(
        n,
        statistics.fmean(ratings),
        tops / n,
        respondents=n,
        mean_ci=mean_interval(values),
        csat_ci=share_interval(shares),
    )


def complaint_figures(
    tickets: list[TicketFigures], feedback_kinds: dict[str, int], now: datetime, min_group: int
) -> ComplaintFigures:
    def count(of: Callable[[TicketFigures], str]) -> dict[str, int]:
        counted: dict[str, int] = defaultdict(int)
        for ticket in tickets:
            counted[of(ticket) or "unknown"] += 1
        return dict(counted)

    urgency: dict[str, int] = defaultdict(int)
    accepted = decided = followed = due = 0
    ratings: list[int] = []
    for ticket in tickets:
        urgency["urgent" if ticket.urgent else "normal"] += 1
        actions = [entry.action for entry in ticket.history]
        accepted += actions.count("accepted the resolution")
        decided += actions.count("accepted the resolution") + actions.count("rejected the resolution")
        closed, followup = ticket.closed_at, ticket.followup or FollowUpRecord()
        if ticket.status is Status.CLOSED and closed is not None and _aware(closed) + FOLLOWUP_DUE <= now:
            due += 1
            followed += bool(followup.sent_at)
        rating = followup.rating
        if rating is not None and 1 <= rating <= 5:
            ratings.append(rating)
    first, first_hours = _on_time(tickets, "first_contact", now, min_group)
    resolution, resolution_hours = _on_time(tickets, "resolution", now, min_group)
    post = _single_answers(ratings) if len(ratings) >= min_group else Score(len(ratings), None, None)
    split = {"complaint": len(tickets), **{k: v for k, v in feedback_kinds.items() if k != "complaint"}}
    return ComplaintFigures(
        total=len(tickets),
        by_category=_suppressed_counts(count(lambda ticket: ticket.category), min_group),
        by_urgency=_suppressed_counts(dict(urgency), min_group),
        by_team=_suppressed_counts(count(lambda ticket: ticket.team), min_group),
        first_contact_on_time=first,
        resolution_on_time=resolution,
        median_first_contact_hours=first_hours,
        median_resolution_hours=resolution_hours,
        proposals_accepted=Rate(accepted, decided, decided < min_group),
        followup_coverage=Rate(followed, due, due < min_group),
        post_complaint=post,
        feedback_split=_suppressed_counts(split, min_group),
    )


async def _read(
    store: Store,
    *,
    start: date,
    end: date,
    questionnaire: str | None,
    axes: list[str],
    fields: list[str] | None = None,
) -> list[Document]:
    docs = await store.rollups.read(
        start=start, end=end, questionnaire=questionnaire, axes=axes, fields=fields
    )
    return [flatten(doc) for doc in docs]


async def build_report(store: Store, request: ReportRequest, *, now: datetime) -> Report:
    axes = [ALL] + ([request.by] if request.by else [])
    docs = await _read(
        store, start=request.start, end=request.end, questionnaire=request.questionnaire, axes=axes
    )
    if request.by != "channel":
        # Only the respondents per channel are needed from these: a small read.
        docs += await _read(
            store,
            start=request.start,
            end=request.end,
            questionnaire=request.questionnaire,
            axes=["channel"],
            fields=["kept"],
        )
    overall_docs = [doc for doc in docs if doc["axis"] == ALL]
    counts = totals(overall_docs)
    by_value: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        if doc["axis"] == request.by:
            by_value[str(doc["value"])].append(doc)
    group_counts = {key: totals(members) for key, members in by_value.items()}
    per_channel: dict[str, int] = defaultdict(int)
    for doc in docs:
        if doc["axis"] == "channel":
            per_channel[str(doc["value"])] += int(doc.get("kept", 0))
    unit = request.unit or ("week" if (request.end - request.start).days <= 16 * 7 else "month")
    begin = datetime.combine(request.start, time(), UTC)
    finish = datetime.combine(request.end + timedelta(days=1), time(), UTC)
    tickets = await store.tickets.created_between(start=begin, end=finish)
    kinds = await store.feedback.kinds_between(start=begin, end=finish)
    return Report(
        start=request.start,
        end=request.end,
        questionnaire=request.questionnaire,
        by=request.by,
        min_group=request.min_group,
        respondents=int(counts.get("kept", 0)),
        exclusions=Exclusions(
            duplicate=int(counts.get("excluded.duplicate", 0)),
            incomplete=int(counts.get("excluded.incomplete", 0)),
            speeder=int(counts.get("excluded.speeder", 0)),
            straight_lining=int(counts.get("excluded.straight_lining", 0)),
        ),
        overall=group_of("all", counts, request.min_group),
        groups=compared_groups(
            [group_of(key, group_counts[key], request.min_group) for key in sorted(group_counts)],
            group_counts,
            counts,
            request.min_group,
        ),
        trend=trend(overall_docs, unit, request.min_group),
        trend_unit=unit,
        funnel=Funnel(
            invited=int(counts.get("funnel.invited", 0)),
            started=int(counts.get("funnel.started", 0)),
            consented=int(counts.get("funnel.consented", 0)),
            completed=int(counts.get("funnel.completed", 0)),
            stopped_at={
                name.removeprefix("stopped_at."): int(value)
                for name, value in sorted(counts.items())
                if name.startswith("stopped_at.")
            },
        ),
        complaints=complaint_figures(tickets, kinds, now, request.min_group),
        actions=await _actions(store, request, now),
        unserved_languages=unserved_languages(counts, request.min_group),
        drivers=drivers(overall_docs),
        channels=_suppressed_counts({k: v for k, v in per_channel.items() if v}, request.min_group),
    )


def unserved_languages(counts: dict[str, float], min_group: int) -> dict[str, int | None]:
    """Customers per unserved language, most first; a count below `min_group` is withheld (None)."""
    found = {
        name.removeprefix(f"{UNSERVED}."): int(value)
        for name, value in counts.items()
        if name.startswith(f"{UNSERVED}.") and value
    }
    ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    return {code: (count if count >= min_group else None) for code, count in ordered}


def drivers(overall_docs: list[Document]) -> list[DriverAnalysis]:
    """Key drivers per questionnaire over the report's period (from the overall counters' sums)."""
    by_questionnaire: dict[str, list[Document]] = defaultdict(list)
    for doc in overall_docs:
        by_questionnaire[str(doc["questionnaire"])].append(doc)
    found = []
    for questionnaire, members in sorted(by_questionnaire.items()):
        counts = totals(members)
        if counts.get("kept", 0) > 0:
            found.append(analyse(questionnaire, sums_from_counts(counts)))
    return found


async def _actions(store: Store, request: ReportRequest, now: datetime) -> list[ActionStatus]:
    shown: list[ActionStatus] = []
    for action in await store.improvements.all():
        created, done, due, target = action.created_at, action.done_at, action.due, action.target
        before = after = None
        if done is not None and target.startswith("dimension:"):
            dimension = target.removeprefix("dimension:")
            before = await _dimension(
                store, request, dimension, _aware(created) - ACTION_WINDOW, _aware(created)
            )
            after = await _dimension(
                store, request, dimension, _aware(done), min(now, _aware(done) + ACTION_WINDOW)
            )
        shown.append(
            ActionStatus(
                action_id=action.id,
                target=target,
                team=action.team,
                owner=action.owner,
                due=due,
                status="done" if done is not None else "open",
                overdue=done is None and due < now.date(),
                before=before,
                after=after,
            )
        )
    return shown


async def _dimension(
    store: Store, request: ReportRequest, dimension: str, start: datetime, end: datetime
) -> Score | None:
    docs = await _read(
        store, start=start.date(), end=end.date(), questionnaire=request.questionnaire, axes=[ALL]
    )
    counts = totals(docs)
    if counts.get("kept", 0) < request.min_group:
        return None
    return _score(counts, f"dims.{dimension}")


@dataclass(frozen=True, slots=True)
class ReportCommand:
    request: ReportRequest
    format: str  # text | csv | png


def parse_report_words(words: list[str], *, today: date, min_group: int) -> ReportCommand:
    """`--from D --to D --by X --questionnaire Q --format F` (the last 30 days by default)."""
    values: dict[str, str] = {}
    names = {
        "--from": "from",
        "--to": "to",
        "--by": "by",
        "--questionnaire": "questionnaire",
        "--format": "format",
    }
    position = 0
    while position < len(words):
        name = names.get(words[position])
        if name is None or position + 1 >= len(words):
            raise ValueError(f"unknown or incomplete option {words[position]!r}; use {', '.join(names)}")
        values[name] = words[position + 1]
        position += 2
    try:
        end = date.fromisoformat(values["to"]) if "to" in values else today
        start = date.fromisoformat(values["from"]) if "from" in values else end - timedelta(days=29)
    except ValueError:
        raise ValueError("dates are written YYYY-MM-DD") from None
    fmt = values.get("format", "text")
    if fmt not in {"text", "csv", "png"}:
        raise ValueError("--format is text, csv or png")
    request = ReportRequest(start, end, values.get("questionnaire"), values.get("by"), min_group)
    return ReportCommand(request, fmt)
