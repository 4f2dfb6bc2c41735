"""Checks an admin sees before a questionnaire goes to review, each naming the question it concerns."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.admin.wording_rules import UNBALANCED, unbalanced, wording_problems
from core.questionnaire import Condition, Question, Questionnaire, QuestionType

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Problem:
    question: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.question}: {self.message}" if self.question else self.message


def lint(
    questionnaire: Questionnaire,
    *,
    languages: tuple[str, ...],
    max_minutes: int,
    unreviewed: tuple[str, ...] = (),
) -> list[Problem]:
    problems: list[Problem] = []
    missing = [code for code in languages if code not in questionnaire.languages]
    if missing:
        problems.append(
            Problem(
                None, f"no texts in {', '.join(missing)} (customers there get {questionnaire.languages[0]})"
            )
        )
    if unreviewed:
        problems.append(Problem(None, f"machine-translated, unreviewed: {', '.join(unreviewed)}"))
    minutes = questionnaire.estimated_minutes()
    if minutes > max_minutes:
        problems.append(Problem(None, f"takes about {minutes} min, over the {max_minutes} min limit"))
    for question in questionnaire.questions:
        problems.extend(_question_problems(questionnaire, question))
    return problems


def _question_problems(questionnaire: Questionnaire, question: Question) -> list[Problem]:
    found = _wording(questionnaire, question)
    source = question.text.get(SOURCE_LANGUAGE) or question.text[questionnaire.languages[0]]
    if question.type is QuestionType.SCALE10 and not ("0" in source and "10" in source):
        found.append(Problem(question.id, "the 0–10 scale's end points are not labeled in the question"))
    if question.show_if is not None and not _reachable(questionnaire, question.show_if):
        found.append(Problem(question.id, "never shown: its condition asks for answers that cannot be given"))
    return found


def _wording(questionnaire: Questionnaire, question: Question) -> list[Problem]:
    """Leading wording in the source text, then what only another language's text has."""
    if question.type is QuestionType.TEXT:
        return []
    source = SOURCE_LANGUAGE if SOURCE_LANGUAGE in question.text else questionnaire.languages[0]
    others = [code for code in questionnaire.languages if code != source and code in question.text]
    found: list[Problem] = []
    seen: set[str] = set()
    for code in [source, *others]:
        where = question.id if code == source else f"{question.id} [{code}]"
        for why, words in wording_problems(question.text[code], code):
            if why not in seen:
                found.append(Problem(where, f"leading wording ({why}): {words!r}"))
                seen.add(why)
        options = [option.text.get(code, "") for option in question.options]
        if UNBALANCED not in seen and unbalanced(options, code):
            found.append(Problem(where, UNBALANCED))
            seen.add(UNBALANCED)
    return found


def _reachable(questionnaire: Questionnaire, condition: Condition) -> bool:
    if condition.any is not None:
        return any(_reachable(questionnaire, c) for c in condition.any)
    if condition.all is not None:
        return all(_reachable(questionnaire, c) for c in condition.all)
    asked = questionnaire.question(condition.question or "")
    if asked is None:
        return False
    possible = _possible_answers(asked)
    return possible is None or any(value in possible for value in condition.in_ or ())


def _possible_answers(question: Question) -> set[object] | None:
    """The answers a question can produce; None for free text (anything)."""
    if question.type is QuestionType.RATING5:
        return set(range(1, 6))
    if question.type is QuestionType.SCALE10:
        return set(range(0, 11))
    if question.type is QuestionType.YESNO:
        return {True, False}
    if question.type is QuestionType.CHOICE:
        return {option.value for option in question.options}
    return None
