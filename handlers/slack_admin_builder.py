"""`/feedback-admin new` in Slack: the guided questionnaire builder as modals.

The first modal asks the title, topic and first question; each submission then shows the working copy
(translations beside the original, lint) with the form for the next question; submitting that form
with no wording closes it. The rules are in conversations/admin/forms.py; this only renders and reads.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from conversations.admin import forms as admin_forms
from conversations.admin.builder_draft import MAX_TITLE, MAX_WORDING
from conversations.admin.builder_prompts import DIMENSIONS, KINDS
from conversations.admin.commands import AdminContext
from core.admin_payloads import DimensionName, KindName

log = logging.getLogger("handlers.slack_admin_builder")

START = "questionnaire_builder_start"
QUESTION = "questionnaire_builder_question"
MAX_SECTION = 2900  # Slack refuses section texts over 3,000 characters


class SlackQuestionnaireBuilder:
    def __init__(self, *, client: AsyncWebClient, admin: AdminContext, admin_users: frozenset[str]) -> None:
        self._client = client
        self._admin = admin
        self._admin_users = admin_users

    def register(self, app: AsyncApp) -> None:
        app.view(START)(self._started)
        app.view(QUESTION)(self._added)

    async def open(self, trigger_id: str) -> None:
        await self._client.views_open(trigger_id=trigger_id, view=start_view(self._admin))

    async def _started(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        if user not in self._admin_users:
            log.warning("builder form refused (not an admin)")
            await ack(response_action="errors", errors={"title": "Only the configured admins can do this."})
            return
        values = _values(view)
        form = _question_form(values)
        if isinstance(form, dict):
            await ack(response_action="errors", errors=form)
            return
        result = await admin_forms.start(
            self._admin,
            f"slack:{user}",
            title=values.get("title", ""),
            topic=values.get("topic", ""),
            first=form,
        )
        await self._next(ack, user, result)

    async def _added(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        qid = str(view.get("private_metadata") or "")
        if user not in self._admin_users:
            log.warning("builder form refused (not an admin)")
            await ack(response_action="errors", errors={"wording": "Only the configured admins can do this."})
            return
        values = _values(view)
        if not values.get("wording", "").strip():
            await ack()  # no further question: the working copy is complete as it is
            return
        form = _question_form(values)
        if isinstance(form, dict):
            await ack(response_action="errors", errors=form)
            return
        await self._next(ack, user, await admin_forms.add(self._admin, f"slack:{user}", qid, form))

    async def _next(self, ack: AsyncAck, user: str, result: admin_forms.FormResult) -> None:
        if result.errors or result.questionnaire_id is None:
            await ack(response_action="errors", errors=result.errors or {"wording": "Not saved; try again."})
            return
        qid = result.questionnaire_id
        shown = await admin_forms.summary(self._admin, f"slack:{user}", qid)
        current = await admin_forms.working_copy(self._admin, qid)
        await ack(
            response_action="update", view=question_view(qid, shown, admin_forms.condition_choices(current))
        )


def start_view(admin: AdminContext) -> dict[str, Any]:
    source = admin_forms.source_language(admin)
    others = [code for code in admin.languages if code != source]
    note = f"Type in {source}; " + (
        f"it is machine-translated into {', '.join(others)} for you to review."
        if others and admin.translate is not None
        else "lint lists any language still missing."
    )
    blocks = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]},
        _text_input("title", "Title, as customers see it (e.g. “your repair”)", MAX_TITLE),
        _text_input("topic", "Topic in a few words (it becomes the id)", 60),
        *_question_blocks(admin_forms.condition_choices(None), optional=False),
    ]
    return _modal(START, "New questionnaire", "", blocks)


def question_view(qid: str, shown: str, conditions: list[tuple[str, str]]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "plain_text", "text": _clip(shown)}},
        {"type": "divider"},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Next question — submit with no wording to finish."}],
        },
        *_question_blocks(conditions, optional=True),
    ]
    return _modal(QUESTION, "Add a question", qid, blocks)


def _question_blocks(conditions: list[tuple[str, str]], *, optional: bool) -> list[dict[str, Any]]:
    kinds = [(str(k), label) for k, label in KINDS.items()]
    dimensions = [(str(d), label) for d, label in DIMENSIONS.items()]
    wording = _text_input("wording", "The question, as customers will read it", MAX_WORDING)
    wording["optional"] = optional
    options = _text_input("options", "Choice options, one per line (choice questions only)", 420)
    options["optional"] = True
    options["element"]["multiline"] = True
    return [
        _select("kind", "Kind", kinds),
        _select("dimension", "Dimension", dimensions),
        wording,
        options,
        _select("required", "Must it be answered?", [("yes", "Required"), ("no", "Optional (Skip button)")]),
        _select("condition", "Show it", conditions),
    ]


def _modal(callback_id: str, title: str, metadata: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }


def _text_input(block_id: str, label: str, limit: int) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {"type": "plain_text_input", "action_id": "value", "max_length": limit},
    }


def _select(block_id: str, label: str, choices: list[tuple[str, str]]) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": text[:75]}, "value": value} for value, text in choices]
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {
            "type": "static_select",
            "action_id": "value",
            "options": options,
            "initial_option": options[0],
        },
    }


def _values(view: dict[str, Any]) -> dict[str, str]:
    """Each input block's value (typed text or the chosen option), by block id."""
    found: dict[str, str] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        element = elements.get("value") if isinstance(elements, dict) else None
        if not isinstance(element, dict):
            continue
        selected = element.get("selected_option")
        value = selected.get("value") if isinstance(selected, dict) else element.get("value")
        if isinstance(value, str):
            found[str(block_id)] = value
    return found


def _question_form(values: dict[str, str]) -> admin_forms.QuestionForm | dict[str, str]:
    """The typed question form, or errors by field for values no form offered (forged or stale)."""
    kind = next((k for k in KINDS if k == values.get("kind")), None)
    dimension = next((d for d in DIMENSIONS if d == values.get("dimension")), None)
    errors = {}
    if kind is None:
        errors["kind"] = "Choose one of the kinds offered."
    if dimension is None:
        errors["dimension"] = "Choose one of the dimensions offered."
    if values.get("required") not in {"yes", "no"}:
        errors["required"] = "Choose required or optional."
    if errors or kind is None or dimension is None:
        return errors
    chosen_kind: KindName = kind
    chosen_dimension: DimensionName = dimension
    return admin_forms.QuestionForm(
        kind=chosen_kind,
        dimension=chosen_dimension,
        wording=values.get("wording", ""),
        required=values.get("required") == "yes",
        condition=values.get("condition", "always"),
        options=tuple(line.strip() for line in values.get("options", "").splitlines() if line.strip()),
    )


def _clip(text: str) -> str:
    return text if len(text) <= MAX_SECTION else text[:MAX_SECTION] + "\n…"
