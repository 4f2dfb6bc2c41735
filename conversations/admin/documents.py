"""Questionnaire documents as admins edit them: parsing with readable errors, plain-dict editing."""

from __future__ import annotations

from typing import Any

import yaml

from core.questionnaire import Questionnaire, QuestionnaireError, parse_questionnaire


class AdminError(Exception):
    """A command that cannot be done; the message tells the admin why."""


def arg(args: list[str], index: int, name: str) -> str:
    if len(args) <= index:
        raise AdminError(f"the {name} is missing")
    return args[index]


def target(words: list[str]) -> str | None:
    return words[1] if len(words) > 1 else None


def definition(questionnaire: Questionnaire) -> dict[str, Any]:
    data: dict[str, Any] = questionnaire.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["languages"] = list(questionnaire.languages)
    data["questions"] = list(data["questions"])
    return data


def question_entry(data: dict[str, Any], question_id: str) -> dict[str, Any]:
    for entry in data["questions"]:
        if entry.get("id") == question_id:
            if not isinstance(entry, dict):
                raise AdminError("a question entry is not a mapping")
            return entry
    raise AdminError(f"no question {question_id!r}")


def complete_languages(data: dict[str, Any]) -> dict[str, Any]:
    """Keep in `languages` only those every text has: a working copy may be part-translated
    (customers in a missing language get the first one) and lint lists what is missing."""
    mappings: list[Any] = [data.get("title") or {}]
    for question in data.get("questions") or []:
        if isinstance(question, dict):
            mappings.append(question.get("text") or {})
            mappings += [
                option.get("text") or {}
                for option in question.get("options") or []
                if isinstance(option, dict)
            ]
    # Every language any text has, so removing the one untranslated question brings the rest back.
    named = [*(data.get("languages") or []), *(code for m in mappings if isinstance(m, dict) for code in m)]
    candidates = list(dict.fromkeys(named))
    complete = [
        code
        for code in candidates
        if all(isinstance(m, dict) and str(m.get(code) or "").strip() for m in mappings)
    ]
    return {**data, "languages": complete or candidates[:1]}


def parse(data: object, *, source: str) -> Questionnaire:
    try:
        return parse_questionnaire(data, source=source)
    except QuestionnaireError as error:
        raise AdminError(str(error)) from None


def parse_yaml(document: str) -> Questionnaire:
    try:
        data = yaml.safe_load(document)
    except yaml.YAMLError as error:
        raise AdminError(f"not valid YAML: {error}") from None
    return parse(data, source="the YAML sent")
