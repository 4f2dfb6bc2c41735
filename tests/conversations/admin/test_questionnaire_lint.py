"""Lint: the shipped default passes in every shipped language; wording checks per language; the set."""

from __future__ import annotations

import pytest

from benchmarks.lint_quality import flagged, precision_recall, score
from conversations.admin.questionnaire_lint import lint
from core.questionnaire import QuestionType, parse_questionnaire
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


@pytest.mark.parametrize(
    ("kind", "text", "why"),
    [
        ("rating5", "How satisfied are you with our fast delivery?", "presumes a quality of what is rated"),
        ("yesno", "Did you enjoy our quick and reliable delivery?", "assumes a feeling"),
        ("yesno", "Wasn't our delivery fast?", "a negative question invites agreement"),
        ("rating5", "How satisfied are you with the speed and condition of the parcel?", "double-barrelled"),
    ],
)
def test_the_wordings_the_issue_names_are_caught(kind: str, text: str, why: str) -> None:
    assert any(why in message for message in flagged("en", kind, text, []))


def test_leading_wording_in_one_translation_alone_names_its_language() -> None:
    questionnaire = parse_questionnaire(
        {
            "id": "q",
            "version": 1,
            "languages": ["en", "es"],
            "title": {"en": "t", "es": "t"},
            "questions": [
                {
                    "id": "delivery",
                    "type": "rating5",
                    "text": {
                        "en": "How satisfied are you with the delivery time?",
                        "es": "¿Cuál es su grado de satisfacción con nuestra entrega rápida?",
                    },
                }
            ],
        },
        source="test",
    )
    problems = [str(p) for p in lint(questionnaire, languages=("en", "es"), max_minutes=5)]
    assert problems == [
        "delivery [es]: leading wording (presumes a quality of what is rated): 'nuestra entrega rápida'"
    ]


def test_unbalanced_options_and_asides_after_a_colon() -> None:
    assert flagged("en", "choice", "How was it?", ["Excellent", "Very good", "Good", "Fair"]) == [
        "unbalanced answer options: more positive than negative ones"
    ]
    assert flagged("en", "choice", "How was it?", ["Good", "Neither good nor poor", "Poor"]) == []
    aside = "How satisfied are you with our after-sales service: how quickly we replied and how we fixed it?"
    assert flagged("en", "rating5", aside, []) == []
    assert flagged("ko", "rating5", "배송에 얼마나 만족하십니까?", []) == []  # no rules for Korean yet


def test_the_labelled_set_keeps_precision_and_recall_at_least_0_9() -> None:
    scored = score()
    assert len(scored) >= 60 and len({s.language for s in scored}) >= 4
    precision, recall = precision_recall(scored)
    misses = [s.text for s in scored if s.leading != s.flagged]
    assert precision >= 0.9 and recall >= 0.9, misses
