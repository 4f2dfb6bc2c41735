"""The shipped default questionnaire passes the review checks in every shipped language."""

from __future__ import annotations

import pytest

from conversations.questionnaire_lint import lint
from core.questionnaire import QuestionType
from locales.catalog import catalogs
from tests.default_questionnaire import DEFAULT


def test_the_default_questionnaire_has_no_problems_for_the_shipped_languages() -> None:
    assert lint(DEFAULT, languages=catalogs().languages, max_minutes=5) == []


def test_a_language_without_texts_is_named() -> None:
    (problem,) = lint(DEFAULT, languages=(*DEFAULT.languages, "bn"), max_minutes=5)
    assert str(problem) == "no texts in bn (customers there get en)"


@pytest.mark.parametrize("language", catalogs().languages)
def test_the_0_to_10_question_labels_both_ends_in_every_language(language: str) -> None:
    (scale,) = (q for q in DEFAULT.questions if q.type is QuestionType.SCALE10)
    text = scale.text[language]
    assert "0 =" in text and "10 =" in text
