"""The guided builder as forms, for surfaces with forms instead of a chat (Slack's modals).

One form starts a questionnaire (title, topic and its first question); each further form adds a
question to the working copy. The wording is machine-translated into the shop's other languages and
marked unreviewed, exactly as in the chat builder (conversations/admin/builder.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from conversations.admin.builder_draft import MAX_TITLE, MAX_WORDING, BuilderDraft, QuestionDraft, slug
from conversations.admin.builder_prompts import WHEN, WHEN_FOR_TYPE
from conversations.admin.commands import AdminCommands
from conversations.admin.context import AdminContext, AdminReply, Translate
from conversations.admin.documents import AdminError, definition, parse
from core.admin_payloads import DimensionName, KindName
from core.questionnaire import ID_PATTERN, Questionnaire
from core.questionnaire_drafts import QuestionnaireDraft


@dataclass(frozen=True, slots=True)
class QuestionForm:
    kind: KindName
    dimension: DimensionName
    wording: str
    required: bool = True
    condition: str = "always"  # or "<question id>:<when>"
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FormResult:
    questionnaire_id: str | None = None
    errors: dict[str, str] = field(default_factory=dict)  # by form field
    text: str = ""


def source_language(context: AdminContext) -> str:
    return "en" if "en" in context.languages else context.languages[0]


async def translated(
    translate: Translate | None, words: str, *, source: str, targets: list[str]
) -> tuple[dict[str, str], list[str]]:
    """`words` in `source` and machine-translated into `targets`; the languages that were translated."""
    texts = {source: words}
    made: list[str] = []
    for code in targets:
        if translate is None or code == source:
            continue
        result = await translate(words, source, code)
        if result.translated:
            texts[code] = result.text
            made.append(code)
    return texts, made


def condition_choices(questionnaire: Questionnaire | None) -> list[tuple[str, str]]:
    """(value, label) of each condition a new question may have, "always" first."""
    choices = [("always", "Always show it")]
    for number, question in enumerate(questionnaire.questions if questionnaire else (), 1):
        for when in WHEN_FOR_TYPE.get(question.type, ()):
            choices.append((f"{question.id}:{when}", f"Only if {number}. {WHEN[when][0]}"))
    return choices


async def start(
    context: AdminContext, admin: str, *, title: str, topic: str, first: QuestionForm
) -> FormResult:
    """A new working copy from the first form, or the errors to show beside its fields."""
    errors: dict[str, str] = {}
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        errors["title"] = f"A title of 1 to {MAX_TITLE} characters."
    qid = slug(topic)
    if not re.fullmatch(ID_PATTERN, qid):
        errors["topic"] = "The topic needs letters or digits (a–z, 0–9)."
    elif await context.store.questionnaires.latest(questionnaire_id=qid) or await context.store.drafts.get(
        questionnaire_id=qid
    ):
        errors["topic"] = f"{qid!r} exists already; choose another topic."
    errors |= _question_errors(first, None)
    if errors:
        return FormResult(errors=errors)
    source = source_language(context)
    targets = [code for code in context.languages if code != source]
    draft = BuilderDraft(source=source, languages=[source, *targets], questionnaire_id=qid)
    draft.title, made = await translated(context.translate, title, source=source, targets=targets)
    question, made_q = await _question(context, draft, first)
    draft.questions.append(question)
    machine = sorted(set(made) | set(made_q))
    built = draft.questionnaire()
    if built is None:
        return FormResult(errors={"wording": "This question cannot be used; check its wording."})
    if not await context.store.drafts.create(
        questionnaire_id=qid,
        definition=definition(built),
        author=admin,
        machine_translated=[code for code in machine if code in built.languages],
    ):
        return FormResult(errors={"topic": f"{qid!r} exists already; choose another topic."})
    await context.store.audit.add(
        actor=admin, action="new", target=qid, outcome="done", detail="builder form"
    )
    return FormResult(questionnaire_id=qid, text=f"Working copy {qid!r} created.")


async def add(context: AdminContext, admin: str, qid: str, form: QuestionForm) -> FormResult:
    """One more question at the end of the working copy, or the errors to show."""
    commands = AdminCommands(context, admin=admin)
    working = await context.store.drafts.get(questionnaire_id=qid)
    current = _parsed(working)
    errors = _question_errors(form, current)
    if errors or working is None or current is None:
        return FormResult(questionnaire_id=qid, errors=errors or {"wording": f"No working copy of {qid!r}."})
    draft = BuilderDraft.from_document(
        {"source": source_language(context), "languages": list(context.languages), "questionnaire_id": qid}
    )
    draft.questions = [QuestionDraft(**_entry(q)) for q in working.definition["questions"]]
    question, made = await _question(context, draft, form)
    reply: AdminReply = await commands.edit(
        qid,
        lambda data: data["questions"].append(question.definition()),
        f"{question.id} added",
        drafted=tuple(made),
    )
    if reply.text.startswith("Not done"):
        return FormResult(questionnaire_id=qid, errors={"wording": reply.text})
    return FormResult(questionnaire_id=qid, text=reply.text)


async def summary(context: AdminContext, admin: str, qid: str) -> str:
    """The working copy's questions, translations beside the original, and lint's findings."""
    reply = await AdminCommands(context, admin=admin).run(f"show {qid}")
    checks = await AdminCommands(context, admin=admin).run(f"lint {qid}")
    return f"{reply.text}\n\n{checks.text}"


async def working_copy(context: AdminContext, qid: str) -> Questionnaire | None:
    return _parsed(await context.store.drafts.get(questionnaire_id=qid))


def _parsed(working: QuestionnaireDraft | None) -> Questionnaire | None:
    if working is None:
        return None
    try:
        return parse(working.definition, source=working.id)
    except AdminError:  # a stored copy that no longer parses is shown as missing, not a crash
        return None


def _entry(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: data[key]
        for key in ("id", "type", "dimension", "required", "text", "options", "show_if")
        if key in data
    }


def _question_errors(form: QuestionForm, current: Questionnaire | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    wording = " ".join(form.wording.split())
    if not wording or len(wording) > MAX_WORDING:
        errors["wording"] = f"The question, 1 to {MAX_WORDING} characters."
    if form.kind == "choice" and not 2 <= len(form.options) <= 10:
        errors["options"] = "A choice needs 2 to 10 options, one per line."
    if form.condition not in {value for value, _ in condition_choices(current)}:
        errors["condition"] = "Choose one of the offered conditions."
    return errors


async def _question(
    context: AdminContext, draft: BuilderDraft, form: QuestionForm
) -> tuple[QuestionDraft, list[str]]:
    targets = draft.languages[1:]
    texts, made = await translated(
        context.translate, " ".join(form.wording.split()), source=draft.source, targets=targets
    )
    options = []
    for number, label in enumerate(form.options, 1):
        option_texts, option_made = await translated(
            context.translate, label, source=draft.source, targets=targets
        )
        options.append({"value": f"o{number}", "text": option_texts})
        made += [code for code in option_made if code not in made]
    show_if = None
    question_id, _, when = form.condition.partition(":")
    for name, (_, values) in WHEN.items():
        if name == when:
            show_if = {"question": question_id, "in": list(values)}
    question = QuestionDraft(
        id=draft.next_question_id(),
        type=form.kind,
        dimension=form.dimension,
        required=form.required,
        text=texts,
        options=options,
        show_if=show_if,
    )
    return question, made
