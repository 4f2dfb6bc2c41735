"""The questionnaire model: the shipped default, validation messages, show_if and content hashes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.questionnaire import (
    BUILTIN_DIR,
    QuestionnaireError,
    QuestionType,
    load_directory,
    load_file,
    parse_questionnaire,
)

POLICY_DIMENSIONS = {"product", "logistics", "after_sales", "usability", "payment", "communication"}


def _valid() -> dict[str, Any]:
    return {
        "id": "mini",
        "version": 1,
        "languages": ["en", "de"],
        "title": {"en": "Title", "de": "Titel"},
        "questions": [
            {"id": "q1", "type": "rating5", "text": {"en": "One?", "de": "Eins?"}},
            {
                "id": "q2",
                "type": "choice",
                "text": {"en": "Two?", "de": "Zwei?"},
                "options": [
                    {"value": "x", "text": {"en": "X", "de": "X"}},
                    {"value": "y", "text": {"en": "Y", "de": "Y"}},
                ],
            },
            {"id": "q3", "type": "text", "required": False, "text": {"en": "Three?", "de": "Drei?"}},
        ],
    }


def _write(tmp_path: Path, data: dict[str, Any], name: str = "mini.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(_valid())
    change(data)
    return data


# --- the shipped default -------------------------------------------------------------------


def test_default_questionnaire_loads_with_policy_dimensions() -> None:
    questionnaire = load_file(BUILTIN_DIR / "default.yaml")
    assert questionnaire.id == "default"
    assert len(questionnaire.questions) == 11
    dimensions = {q.dimension for q in questionnaire.questions}
    assert dimensions >= POLICY_DIMENSIONS
    assert any(q.type is QuestionType.SCALE10 for q in questionnaire.questions)
    assert any(q.type is QuestionType.TEXT and not q.required for q in questionnaire.questions)
    assert questionnaire.estimated_minutes() >= 1
    # Every listed language has every question text (the validator guarantees it; check the file too).
    for question in questionnaire.questions:
        assert set(questionnaire.languages) <= set(question.text)


def test_builtin_directory_holds_the_default() -> None:
    assert "default" in {q.id for q in load_directory(BUILTIN_DIR)}


def test_valid_minimal_file_loads(tmp_path: Path) -> None:
    questionnaire = load_file(_write(tmp_path, _valid()))
    assert [q.id for q in questionnaire.questions] == ["q1", "q2", "q3"]
    assert questionnaire.question("q2") is not None
    assert questionnaire.question("nope") is None
    assert questionnaire.language_for("de") == "de"
    assert questionnaire.language_for("ja") == "en"


# --- invalid files ---------------------------------------------------------------------------


def _set_q(index: int, **fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["questions"][index].update(fields)


TWO_OPTIONS = [{"value": "x", "text": {"en": "X", "de": "X"}}, {"value": "y", "text": {"en": "Y", "de": "Y"}}]

INVALID = {
    "duplicate id": (_set_q(2, id="q1"), "q1", "used twice"),
    "unknown type": (_set_q(1, type="stars"), "q2", "rating5"),
    "show_if later question": (
        _set_q(0, show_if={"question": "q3", "in": ["x"]}),
        "q1",
        "not an earlier question",
    ),
    "show_if unknown question": (
        _set_q(2, show_if={"any": [{"question": "ghost", "in": [1]}]}),
        "q3",
        "ghost",
    ),
    "missing language text": (lambda d: d["questions"][1]["text"].pop("de"), "q2", "lacks ['de']"),
    "missing option language": (
        lambda d: d["questions"][1]["options"][0]["text"].pop("de"),
        "q2",
        "option 'x' lacks ['de']",
    ),
    "choice with one option": (
        lambda d: d["questions"][1].update(options=d["questions"][1]["options"][:1]),
        "q2",
        "2 to 10 options",
    ),
    "options on a rating": (_set_q(0, options=TWO_OPTIONS), "q1", "only allowed on choice"),
    "bad id characters": (_set_q(0, id="Bad Id!"), "Bad Id!", "pattern"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_questionnaire_names_file_question_and_problem(tmp_path: Path, case: str) -> None:
    change, question_id, problem = INVALID[case]
    path = _write(tmp_path, _mutated(change), name="broken-survey.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"question {question_id!r}" in message
    assert problem in message


def test_show_if_referring_to_itself_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, _mutated(_set_q(1, show_if={"question": "q2", "in": ["x"]})))
    with pytest.raises(QuestionnaireError, match="not an earlier question"):
        load_file(path)


def test_show_if_needs_exactly_one_form(tmp_path: Path) -> None:
    both = {"question": "q1", "in": [1], "any": [{"question": "q1", "in": [2]}]}
    path = _write(tmp_path, _mutated(_set_q(2, show_if=both)))
    with pytest.raises(QuestionnaireError, match="exactly one of"):
        load_file(path)


def test_bad_yaml_syntax_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text("id: t\nquestions: [\n  - a: b\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    assert str(path) in str(caught.value)
    assert "YAML" in str(caught.value)


def test_missing_file_is_a_questionnaire_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match=r"absent\.yaml"):
        load_file(tmp_path / "absent.yaml")


def test_unknown_field_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="colour"):
        load_file(_write(tmp_path, _mutated(_set_q(0, colour="red"))))


def test_missing_title_language_is_rejected() -> None:
    data = _mutated(lambda d: d["title"].pop("de"))
    with pytest.raises(QuestionnaireError, match=r"title lacks \['de'\]"):
        parse_questionnaire(data, source="inline")


# --- show_if ---------------------------------------------------------------------------------


def _branching() -> Any:
    data = {
        "id": "branch",
        "version": 1,
        "languages": ["en"],
        "title": {"en": "Branching"},
        "questions": [
            {"id": "rate", "type": "rating5", "text": {"en": "Rate"}},
            {"id": "again", "type": "yesno", "text": {"en": "Again?"}},
            {
                "id": "why_any",
                "type": "text",
                "text": {"en": "Why (any)?"},
                "show_if": {
                    "any": [{"question": "rate", "in": [1, 2]}, {"question": "again", "in": [False]}]
                },
            },
            {
                "id": "why_all",
                "type": "text",
                "text": {"en": "Why (all)?"},
                "show_if": {"all": [{"question": "rate", "in": [1]}, {"question": "again", "in": [False]}]},
            },
            {"id": "last", "type": "scale10", "text": {"en": "Last"}},
        ],
    }
    return parse_questionnaire(data, source="inline")


def _path(questionnaire: Any, answers: dict[str, Any]) -> list[str]:
    shown, current = [], None
    while (following := questionnaire.next_question(current, answers)) is not None:
        shown.append(following.id)
        current = following.id
    return shown


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"rate": 5, "again": True}, ["rate", "again", "last"]),
        ({"rate": 2, "again": True}, ["rate", "again", "why_any", "last"]),
        ({"rate": 4, "again": False}, ["rate", "again", "why_any", "last"]),
        ({"rate": 1, "again": False}, ["rate", "again", "why_any", "why_all", "last"]),
        ({"rate": 1, "again": True}, ["rate", "again", "why_any", "last"]),
        ({}, ["rate", "again", "last"]),  # unanswered questions satisfy no condition
    ],
)
def test_next_question_honours_show_if_any_and_all(answers: dict[str, Any], expected: list[str]) -> None:
    assert _path(_branching(), answers) == expected


def test_next_question_starts_at_the_first_and_ends_with_none() -> None:
    questionnaire = _branching()
    first = questionnaire.next_question(None, {})
    assert first is not None and first.id == "rate"
    assert questionnaire.next_question("last", {}) is None


def test_default_shows_what_went_wrong_only_after_a_low_rating() -> None:
    questionnaire = load_file(BUILTIN_DIR / "default.yaml")
    happy = {q.id: 4 for q in questionnaire.questions if q.type is QuestionType.RATING5}
    assert "what_went_wrong" not in _path(questionnaire, happy)
    unhappy = {**happy, "delivery_speed": 1}
    assert "what_went_wrong" in _path(questionnaire, unhappy)


# --- content hash ----------------------------------------------------------------------------


def test_content_hash_is_stable_and_follows_the_text() -> None:
    first = parse_questionnaire(_valid(), source="a")
    again = parse_questionnaire(_valid(), source="b")
    assert first.content_hash() == again.content_hash()
    assert first.content_hash() == first.content_hash()
    assert len(first.content_hash()) == 64

    edited = parse_questionnaire(
        _mutated(lambda d: d["questions"][0]["text"].update(en="One, reworded?")), source="c"
    )
    assert edited.content_hash() != first.content_hash()
