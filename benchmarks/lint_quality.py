"""Lint's precision and recall on leading wording, on a labelled set of question wordings.

Data: benchmarks/lint_wordings.csv — language, question type, wording, options (`|`-separated,
for choice questions), label (1 leading, 0 neutral) and a note. Each row becomes a one-question
questionnaire in its language and goes through `lint`; a row counts as flagged when lint reports
leading wording or unbalanced options for it. Run::

    .venv/bin/python -m benchmarks.lint_quality

The set grows with every miss found in use: add the wording with its label, then fix the rules in
conversations/admin/wording_rules.py until both figures are back at 0.9 or more.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from conversations.admin.questionnaire_lint import lint
from conversations.admin.wording_rules import UNBALANCED
from core.questionnaire import parse_questionnaire

DATA = Path(__file__).parent / "lint_wordings.csv"  # not under data/: git ignores that (the bot's)


@dataclass(frozen=True, slots=True)
class Scored:
    language: str
    text: str
    leading: bool
    flagged: bool
    why: str


def flagged(language: str, kind: str, text: str, options: list[str]) -> list[str]:
    """What lint says is leading about this one question."""
    question: dict[str, object] = {"id": "q", "type": kind, "text": {language: text}}
    if options:
        question["options"] = [
            {"value": f"o{n}", "text": {language: label}} for n, label in enumerate(options, 1)
        ]
    questionnaire = parse_questionnaire(
        {
            "id": "bench",
            "version": 1,
            "languages": [language],
            "title": {language: "t"},
            "questions": [question],
        },
        source="benchmark",
    )
    problems = lint(questionnaire, languages=(language,), max_minutes=60)
    return [p.message for p in problems if "leading wording" in p.message or p.message == UNBALANCED]


def score(path: Path = DATA) -> list[Scored]:
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    scored = []
    for row in rows:
        options = [o for o in row["options"].split("|") if o]
        found = flagged(row["language"], row["type"], row["text"], options)
        scored.append(
            Scored(row["language"], row["text"], row["leading"] == "1", bool(found), "; ".join(found))
        )
    return scored


def precision_recall(scored: list[Scored]) -> tuple[float, float]:
    true_positive = sum(1 for s in scored if s.leading and s.flagged)
    flagged_count = sum(1 for s in scored if s.flagged)
    leading_count = sum(1 for s in scored if s.leading)
    precision = true_positive / flagged_count if flagged_count else 1.0
    recall = true_positive / leading_count if leading_count else 1.0
    return precision, recall


def main() -> None:
    scored = score()
    print(f"{len(scored)} labelled wordings from {DATA.name}")
    print(f"{'language':<9}{'n':>4}{'leading':>9}{'precision':>11}{'recall':>8}")
    for language in [*sorted({s.language for s in scored}), "all"]:
        group = [s for s in scored if language in {"all", s.language}]
        precision, recall = precision_recall(group)
        leading = sum(1 for s in group if s.leading)
        print(f"{language:<9}{len(group):>4}{leading:>9}{precision:>11.2f}{recall:>8.2f}")
    misses = [s for s in scored if s.leading != s.flagged]
    for miss in misses:
        kind = "missed" if miss.leading else "false alarm"
        print(f"{kind}: [{miss.language}] {miss.text}" + (f" ({miss.why})" if miss.why else ""))
    precision, recall = precision_recall(scored)
    print(f"goal: both at least 0.9 — {'met' if precision >= 0.9 and recall >= 0.9 else 'NOT met'}")


if __name__ == "__main__":
    main()
