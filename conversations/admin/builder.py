"""The guided questionnaire builder: an admin makes a questionnaire with buttons and typed wording.

Its own machine: `STEPS` handle an event in each step of the build, `TRANSITIONS` say where each may
lead, and `on_builder` is the one place that enforces them. The questionnaire in progress is a typed
draft (conversations/admin/builder_draft.py) kept in the admin's dialogue document, so the engine commits
it with the reply. The admin's wording is machine-translated into the shop's other languages at once
and marked unreviewed, which blocks approval until a human has read it (`/admin review`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from conversations.admin.builder_draft import (
    MAX_OPTION,
    MAX_TITLE,
    MAX_WORDING,
    BuilderDraft,
    BuildStep,
    QuestionDraft,
    slug,
)
from conversations.admin.builder_prompts import (
    WHEN,
    WHEN_FOR_TYPE,
    condition_candidates,
    copy_buttons,
    prompt,
)
from conversations.admin.forms import translated
from conversations.dialogues.dialogue import State
from conversations.translation import Translation
from conversations.turn import Turn
from core.admin_payloads import (
    BuilderArrange,
    BuilderCondition,
    BuilderDimension,
    BuilderKind,
    BuilderMenu,
    BuilderRequired,
)
from core.events import EventKind
from core.payloads import Payload
from core.questionnaire import ID_PATTERN, QuestionType

log = logging.getLogger("conversations.admin.builder")

END = None  # the build is over (saved or cancelled)
Next = BuildStep | None
BuildHandler = Callable[[Turn, BuilderDraft, list[str]], Awaitable[Next]]


def is_admin(turn: Turn) -> bool:
    return f"{turn.event.channel}:{turn.event.user_key}" in turn.config.admins


async def start_builder(turn: Turn) -> State:
    """`/admin new` without a document: the first step of a guided build (replacing any unfinished one)."""
    languages = list(turn.config.survey_languages or turn.catalogs.languages)
    source = turn.language if turn.language in languages else languages[0]
    ordered = [source, *(code for code in languages if code != source)]
    draft = BuilderDraft(source=source, languages=ordered)
    prompt(turn, draft, ["New questionnaire, step by step (no YAML). Cancel at any time."])
    turn.dialogue.builder = draft.to_document()
    return turn.dialogue.state


async def on_builder(turn: Turn) -> State | None:
    """An admin's text or builder button while a build is open; None when the event is not for it."""
    if turn.event.kind not in {EventKind.TEXT, EventKind.BUTTON}:
        return None
    if turn.dialogue.builder is None:
        if _builder_button(turn):
            turn.notice = "This questionnaire builder has ended; /admin new starts another."
            return turn.dialogue.state
        return None
    if not is_admin(turn):  # an admin removed from the settings mid-build
        turn.dialogue.builder = None
        return None
    draft = BuilderDraft.from_document(turn.dialogue.builder)
    notes: list[str] = []
    if turn.event.pressed(BuilderMenu) == BuilderMenu("cancel"):
        after: Next = END
        notes.append("Questionnaire builder cancelled; nothing was saved.")
    elif turn.event.kind is EventKind.BUTTON and not _builder_button(turn):
        turn.notice = "That button is not part of this step."
        return turn.dialogue.state
    else:
        after = await STEPS[draft.step](turn, draft, notes)
    if after not in TRANSITIONS[draft.step] and after is not draft.step:
        raise RuntimeError(f"the builder may not move from {draft.step} to {after}")
    if after is END:
        turn.dialogue.builder = None
        saved = draft.step is BuildStep.MENU and turn.event.pressed(BuilderMenu) == BuilderMenu("save")
        unreviewed = [code for code in draft.machine_translated if code in draft.languages]
        buttons = copy_buttons(draft.questionnaire_id or "", unreviewed) if saved else ()
        turn.say("\n\n".join(notes), buttons, edit_ref=turn.pressed_ref())
        return turn.dialogue.state
    draft.step = after
    prompt(turn, draft, notes)
    turn.dialogue.builder = draft.to_document()
    return turn.dialogue.state


def _builder_button(turn: Turn) -> bool:
    kinds: tuple[type[Payload], ...] = (
        BuilderMenu,
        BuilderKind,
        BuilderDimension,
        BuilderRequired,
        BuilderCondition,
        BuilderArrange,
    )
    return any(turn.event.pressed(kind) is not None for kind in kinds)


# --- steps: each decides where the build goes next --------------------------------------------


async def _on_title(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    words = _typed(turn, notes, MAX_TITLE)
    if words is None:
        return BuildStep.TITLE
    draft.title = await _translated(turn, draft, words)
    return BuildStep.TOPIC


async def _on_topic(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    words = _typed(turn, notes, 60)
    if words is None:
        return BuildStep.TOPIC
    qid = slug(words)
    if not re.fullmatch(ID_PATTERN, qid):
        notes.append("The topic needs letters or digits (a–z, 0–9).")
        return BuildStep.TOPIC
    taken = await turn.reads.questionnaires.latest(questionnaire_id=qid) is not None
    if taken or await turn.reads.drafts.get(questionnaire_id=qid) is not None:
        notes.append(f"{qid!r} exists already; choose another topic.")
        return BuildStep.TOPIC
    draft.questionnaire_id = qid
    return BuildStep.MENU


async def _on_menu(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    pressed = turn.event.pressed(BuilderMenu)
    if pressed is None or pressed.action == "done":
        return _unexpected(notes, BuildStep.MENU)
    if pressed.action == "add":
        draft.pending = QuestionDraft(id=draft.next_question_id(), type="text")
        return BuildStep.KIND
    if not draft.questions:
        notes.append("Add a question first.")
        return BuildStep.MENU
    if pressed.action == "arrange":
        return BuildStep.ARRANGE
    return await _save(turn, draft, notes)


async def _on_kind(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    pressed = turn.event.pressed(BuilderKind)
    if pressed is None or draft.pending is None:
        return _unexpected(notes, BuildStep.KIND)
    draft.pending.type = pressed.kind
    return BuildStep.DIMENSION


async def _on_dimension(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    pressed = turn.event.pressed(BuilderDimension)
    if pressed is None or draft.pending is None:
        return _unexpected(notes, BuildStep.DIMENSION)
    draft.pending.dimension = pressed.dimension
    return BuildStep.WORDING


async def _on_wording(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    words = _typed(turn, notes, MAX_WORDING)
    if words is None or draft.pending is None:
        return BuildStep.WORDING
    draft.pending.text = await _translated(turn, draft, words)
    return BuildStep.OPTIONS if draft.pending.type == QuestionType.CHOICE else BuildStep.REQUIRED


async def _on_options(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    words = _typed(turn, notes, 10 * (MAX_OPTION + 1), lines=True)
    if words is None or draft.pending is None:
        return BuildStep.OPTIONS
    labels = [part.strip() for part in words.replace(",", "\n").splitlines() if part.strip()]
    if not 2 <= len(labels) <= 10 or any(len(label) > MAX_OPTION for label in labels):
        notes.append(f"Give 2 to 10 options, one per line, each at most {MAX_OPTION} characters.")
        return BuildStep.OPTIONS
    draft.pending.options = [
        {"value": f"o{number}", "text": await _translated(turn, draft, label)}
        for number, label in enumerate(labels, 1)
    ]
    return BuildStep.REQUIRED


async def _on_required(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    pressed = turn.event.pressed(BuilderRequired)
    if pressed is None or draft.pending is None:
        return _unexpected(notes, BuildStep.REQUIRED)
    draft.pending.required = pressed.required
    if condition_candidates(draft):
        return BuildStep.CONDITION
    return _add_pending(draft, notes)


async def _on_condition(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    pressed = turn.event.pressed(BuilderCondition)
    if pressed is None or draft.pending is None:
        return _unexpected(notes, BuildStep.CONDITION)
    if pressed.when != "always":
        candidates = dict(condition_candidates(draft))
        earlier = candidates.get(pressed.question)
        if earlier is None or pressed.when not in WHEN_FOR_TYPE.get(QuestionType(earlier.type), ()):
            return _unexpected(notes, BuildStep.CONDITION)
        draft.pending.show_if = {"question": earlier.id, "in": list(WHEN[pressed.when][1])}
    return _add_pending(draft, notes)


async def _on_arrange(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    if turn.event.pressed(BuilderMenu) == BuilderMenu("done"):
        return BuildStep.MENU
    pressed = turn.event.pressed(BuilderArrange)
    if pressed is None or not 1 <= pressed.question <= len(draft.questions):
        return _unexpected(notes, BuildStep.ARRANGE)
    index = pressed.question - 1
    moved = draft.questions[index]
    if pressed.how == "remove":
        del draft.questions[index]
        dropped = [q.id for q in draft.questions if q.show_if and q.show_if.get("question") == moved.id]
        for question in draft.questions:
            if question.id in dropped:
                question.show_if = None  # its condition named the removed question
        notes.append(
            f"{moved.id} removed" + (f"; {', '.join(dropped)} now always shown." if dropped else ".")
        )
    elif index > 0:
        above = draft.questions[index - 1]
        if moved.show_if and moved.show_if.get("question") == above.id:
            notes.append(f"{moved.id} depends on {above.id}, so it stays below it.")
        else:
            draft.questions[index - 1], draft.questions[index] = moved, above
    return BuildStep.MENU if not draft.questions else BuildStep.ARRANGE


STEPS: dict[BuildStep, BuildHandler] = {
    BuildStep.TITLE: _on_title,
    BuildStep.TOPIC: _on_topic,
    BuildStep.MENU: _on_menu,
    BuildStep.KIND: _on_kind,
    BuildStep.DIMENSION: _on_dimension,
    BuildStep.WORDING: _on_wording,
    BuildStep.OPTIONS: _on_options,
    BuildStep.REQUIRED: _on_required,
    BuildStep.CONDITION: _on_condition,
    BuildStep.ARRANGE: _on_arrange,
}

# Where each step may lead (staying is always allowed; Cancel ends the build from any step).
TRANSITIONS: dict[BuildStep, frozenset[Next]] = {
    BuildStep.TITLE: frozenset({BuildStep.TOPIC, END}),
    BuildStep.TOPIC: frozenset({BuildStep.MENU, END}),
    BuildStep.MENU: frozenset({BuildStep.KIND, BuildStep.ARRANGE, END}),
    BuildStep.KIND: frozenset({BuildStep.DIMENSION, END}),
    BuildStep.DIMENSION: frozenset({BuildStep.WORDING, END}),
    BuildStep.WORDING: frozenset({BuildStep.OPTIONS, BuildStep.REQUIRED, END}),
    BuildStep.OPTIONS: frozenset({BuildStep.REQUIRED, END}),
    BuildStep.REQUIRED: frozenset({BuildStep.CONDITION, BuildStep.MENU, END}),
    BuildStep.CONDITION: frozenset({BuildStep.MENU, END}),
    BuildStep.ARRANGE: frozenset({BuildStep.MENU, END}),
}


def mermaid() -> str:
    """The builder's state diagram (Mermaid), generated from TRANSITIONS."""
    lines = ["stateDiagram-v2", f"    [*] --> {BuildStep.TITLE.value}"]
    for before, targets in TRANSITIONS.items():
        lines += [f"    {before.value} --> {after.value}" for after in BuildStep if after in targets]
        ends = "save or cancel" if before is BuildStep.MENU else "cancel"
        lines.append(f"    {before.value} --> [*]: {ends}")
    return "\n".join(lines) + "\n"


def _typed(turn: Turn, notes: list[str], limit: int, *, lines: bool = False) -> str | None:
    """The admin's typed text (tidied), or None with a note saying why when it cannot be used."""
    if turn.event.kind is not EventKind.TEXT:
        notes.append("Type it as a message.")
        return None
    parts = turn.event.text.splitlines() if lines else [turn.event.text]
    words = "\n".join(" ".join(part.split()) for part in parts if part.strip())
    if not words:
        notes.append("That was empty; type it as a message.")
        return None
    if len(words) > limit:
        notes.append(f"That is {len(words)} characters; at most {limit} here.")
        return None
    return words


def _unexpected(notes: list[str], step: BuildStep) -> BuildStep:
    notes.append("Please use the buttons below.")
    return step


def _add_pending(draft: BuilderDraft, notes: list[str]) -> Next:
    if draft.pending is None:
        return BuildStep.MENU
    draft.questions.append(draft.pending)
    notes.append(f"Question {len(draft.questions)} added.")
    draft.pending = None
    return BuildStep.MENU


async def _translated(turn: Turn, draft: BuilderDraft, words: str) -> dict[str, str]:
    """`words` in the admin's language and, machine-translated, in the shop's other languages."""
    translator = turn.translator

    async def translate(text: str, source: str, target: str) -> Translation:
        assert translator is not None
        return await translator.translate(text, source=source, target=target)

    texts, made = await translated(
        translate if translator is not None else None, words, source=draft.source, targets=draft.languages[1:]
    )
    draft.machine_translated += [code for code in made if code not in draft.machine_translated]
    missing = [code for code in draft.languages[1:] if code not in texts]
    if translator is not None and missing:
        log.info("builder: machine translation failed into %s", ", ".join(missing))
    return texts


async def _save(turn: Turn, draft: BuilderDraft, notes: list[str]) -> Next:
    questionnaire = draft.questionnaire()
    qid = draft.questionnaire_id
    if questionnaire is None or qid is None:
        notes.append("The questionnaire is not complete yet.")
        return BuildStep.MENU
    who = f"{turn.event.channel}:{turn.event.user_key}"
    unreviewed = [code for code in draft.machine_translated if code in questionnaire.languages]
    if not await turn.direct.drafts.create(
        questionnaire_id=qid,
        definition=questionnaire.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        author=who,
        machine_translated=unreviewed,
    ):
        notes.append(f"{qid!r} was created meanwhile by someone else; choose another topic.")
        draft.questionnaire_id = None
        return BuildStep.TOPIC
    await turn.direct.audit.add(actor=who, action="new", target=qid, outcome="done", detail="guided builder")
    notes.append(
        f"Working copy {qid!r} saved. Read each machine translation (beside the original above; correct one "
        f"with /admin text {qid} <question> <language> …) and mark it read; then submit it for review."
    )
    return END
