"""What the customer sees: consent text, questions with their buttons, answer labels."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any

from core.events import Choice
from core.payloads import Answer, Back, Consent, LanguageMenu, PickLanguage, ReportProblem, Skip
from core.questionnaire import Question, Questionnaire, QuestionType
from locales.catalog import Catalogs

Buttons = tuple[tuple[Choice, ...], ...]


@dataclass(frozen=True, slots=True)
class Branding:
    company: str | None
    """The shop's name; None: a generic "our shop" in the customer's language."""
    privacy_url: str
    retention_days: int
    """How long survey answers are kept (`DATA_RETENTION_DAYS`)."""
    ticket_retention_days: int = 730
    """How long a closed complaint keeps the customer's words (`TICKET_RETENTION_DAYS`)."""


def company_name(company: str | None, *, language: str, catalogs: Catalogs) -> str:
    return company or catalogs.text(language, "company.default")


def consent_text(
    questionnaire: Questionnaire, *, language: str, catalogs: Catalogs, branding: Branding
) -> str:
    qlang = questionnaire.language_for(language)
    return catalogs.text(
        language,
        "consent.text",
        company=company_name(branding.company, language=language, catalogs=catalogs),
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
            Consent(agreed=True).button(catalogs.text(language, "button.agree")),
            Consent(agreed=False).button(catalogs.text(language, "button.decline")),
        ),
        (
            LanguageMenu().button(catalogs.text(language, "button.language")),
            ReportProblem().button(catalogs.text(language, "button.report_problem")),
        ),
    )


def language_buttons(catalogs: Catalogs) -> Buttons:
    choices = [PickLanguage(code).button(catalogs.text(code, "language.name")) for code in catalogs.languages]
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
                (
                    dataclasses.replace(
                        Answer(qid, str(v)).button(f"{v} · {catalogs.text(language, f'rating.{v}')}"),
                        short=f"{v} · {catalogs.text(language, f'rating.{v}.short')}",
                    ),
                )
                for v in range(1, 6)
            ]
        case QuestionType.SCALE10:
            rows = [
                tuple(Answer(qid, str(v)).button(str(v)) for v in range(0, 6)),
                tuple(Answer(qid, str(v)).button(str(v)) for v in range(6, 11)),
            ]
        case QuestionType.YESNO:
            rows = [
                (
                    Answer(qid, "yes").button(catalogs.text(language, "button.yes")),
                    Answer(qid, "no").button(catalogs.text(language, "button.no")),
                )
            ]
        case QuestionType.CHOICE:
            qlang = questionnaire.language_for(language)
            rows = [(Answer(qid, o.value).button(o.text[qlang]),) for o in question.options]
        case QuestionType.TEXT:
            rows = []
    navigation: list[Choice] = []
    if can_go_back:
        navigation.append(Back(qid).button(catalogs.text(language, "button.back")))
    if not question.required:
        navigation.append(Skip(qid).button(catalogs.text(language, "button.skip")))
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
