"""What the customer sees: consent text, questions with their buttons, answer labels."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from core.events import Choice
from core.questionnaire import Question, Questionnaire, QuestionType
from locales.catalog import Catalogs

Buttons = tuple[tuple[Choice, ...], ...]


@dataclass(frozen=True, slots=True)
class Branding:
    company: str
    privacy_url: str
    retention_days: int


def consent_text(
    questionnaire: Questionnaire, *, language: str, catalogs: Catalogs, branding: Branding
) -> str:
    qlang = questionnaire.language_for(language)
    return catalogs.text(
        language,
        "consent.text",
        company=branding.company,
        # Conditional questions appear only for some answers; the promise counts the sure ones.
        questions=catalogs.count(
            language, "count.questions", sum(1 for q in questionnaire.questions if q.show_if is None)
        ),
        title=questionnaire.title[qlang],
        duration=catalogs.count(language, "count.minutes", questionnaire.estimated_minutes()),
        retention=catalogs.count(language, "count.days", branding.retention_days),
        privacy_url=branding.privacy_url,
    )


def text_version(text: str) -> str:
    """The consent-text version recorded in the ledger: a hash of the exact text shown."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def consent_buttons(language: str, catalogs: Catalogs) -> Buttons:
    return (
        (
            Choice(catalogs.text(language, "button.agree"), "consent:yes"),
            Choice(catalogs.text(language, "button.decline"), "consent:no"),
        ),
        (
            Choice(catalogs.text(language, "button.language"), "language"),
            Choice(catalogs.text(language, "button.report_problem"), "complain"),
        ),
    )


def language_buttons(catalogs: Catalogs) -> Buttons:
    choices = [Choice(catalogs.text(code, "language.name"), f"lang:{code}") for code in catalogs.languages]
    return tuple(tuple(choices[i : i + 3]) for i in range(0, len(choices), 3))


def visible_total(questionnaire: Questionnaire, answers: dict[str, Any]) -> int:
    return sum(1 for q in questionnaire.questions if q.show_if is None or q.show_if.holds(answers))


def question_text(
    questionnaire: Questionnaire,
    question: Question,
    *,
    number: int,
    total: int,
    language: str,
    catalogs: Catalogs,
) -> str:
    qlang = questionnaire.language_for(language)
    progress = catalogs.text(language, "survey.progress", n=number, total=total)
    body = question.text[qlang]
    if not question.required:
        body = f"{body} {catalogs.text(language, 'survey.optional')}"
    return f"{progress}\n\n{body}"


def question_buttons(
    questionnaire: Questionnaire,
    question: Question,
    *,
    language: str,
    catalogs: Catalogs,
    can_go_back: bool,
) -> Buttons:
    qid = question.id
    rows: list[tuple[Choice, ...]] = []
    match question.type:
        case QuestionType.RATING5:
            rows = [
                (Choice(f"{v} · {catalogs.text(language, f'rating.{v}')}", f"a:{qid}:{v}"),)
                for v in range(1, 6)
            ]
        case QuestionType.SCALE10:
            rows = [
                tuple(Choice(str(v), f"a:{qid}:{v}") for v in range(0, 6)),
                tuple(Choice(str(v), f"a:{qid}:{v}") for v in range(6, 11)),
            ]
        case QuestionType.YESNO:
            rows = [
                (
                    Choice(catalogs.text(language, "button.yes"), f"a:{qid}:yes"),
                    Choice(catalogs.text(language, "button.no"), f"a:{qid}:no"),
                )
            ]
        case QuestionType.CHOICE:
            qlang = questionnaire.language_for(language)
            rows = [(Choice(o.text[qlang], f"a:{qid}:{o.value}"),) for o in question.options]
        case QuestionType.TEXT:
            rows = []
    navigation: list[Choice] = []
    if can_go_back:
        navigation.append(Choice(catalogs.text(language, "button.back"), f"back:{qid}"))
    if not question.required:
        navigation.append(Choice(catalogs.text(language, "button.skip"), f"skip:{qid}"))
    if navigation:
        rows.append(tuple(navigation))
    return tuple(rows)


def answer_label(
    questionnaire: Questionnaire,
    question: Question,
    value: object,
    *,
    skipped: bool,
    language: str,
    catalogs: Catalogs,
) -> str:
    if skipped:
        return catalogs.text(language, "survey.skipped")
    match question.type:
        case QuestionType.RATING5:
            return f"{value} · {catalogs.text(language, f'rating.{value}')}"
        case QuestionType.YESNO:
            return catalogs.text(language, "button.yes" if value else "button.no")
        case QuestionType.CHOICE:
            qlang = questionnaire.language_for(language)
            option = next((o for o in question.options if o.value == value), None)
            return option.text[qlang] if option else str(value)
        case _:
            return str(value)
