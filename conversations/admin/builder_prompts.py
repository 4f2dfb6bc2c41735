"""What the questionnaire builder shows at each step (conversations/admin/builder.py decides the steps)."""

from __future__ import annotations

from collections.abc import Callable

from conversations.admin.builder_draft import BuilderDraft, BuildStep, QuestionDraft
from conversations.admin.questionnaire_lint import lint
from conversations.rendering import question_buttons, question_text
from conversations.turn import Turn
from core.admin_payloads import (
    BuilderArrange,
    BuilderCondition,
    BuilderDimension,
    BuilderKind,
    BuilderMenu,
    BuilderRequired,
    DimensionName,
    KindName,
    MarkReviewed,
    ReviewAction,
    WhenName,
)
from core.events import Choice
from core.questionnaire import Question, Questionnaire, QuestionType

Buttons = tuple[tuple[Choice, ...], ...]

KINDS: dict[KindName, str] = {
    "rating5": "1–5 satisfaction",
    "scale10": "0–10 recommendation",
    "yesno": "yes / no",
    "choice": "choice",
    "text": "free text",
}
DIMENSIONS: dict[DimensionName, str] = {
    "product": "product",
    "logistics": "delivery",
    "after_sales": "after-sales",
    "usability": "ease of use",
    "payment": "payment",
    "communication": "communication",
    "general": "other",
}
# The answers each condition stands for, by the type of the earlier question it looks at.
WHEN: dict[WhenName, tuple[str, tuple[int | str | bool, ...]]] = {
    "low": ("is 1–2", (1, 2)),
    "high": ("is 4–5", (4, 5)),
    "detractor": ("is 0–6", (0, 1, 2, 3, 4, 5, 6)),
    "yes": ("is yes", (True,)),
    "no": ("is no", (False,)),
}
WHEN_FOR_TYPE: dict[QuestionType, tuple[WhenName, ...]] = {
    QuestionType.RATING5: ("low", "high"),
    QuestionType.SCALE10: ("detractor",),
    QuestionType.YESNO: ("yes", "no"),
}
CANCEL = BuilderMenu("cancel").button("✕ Cancel")


def condition_candidates(draft: BuilderDraft) -> list[tuple[int, QuestionDraft]]:
    return [
        (number, question)
        for number, question in enumerate(draft.questions, 1)
        if QuestionType(question.type) in WHEN_FOR_TYPE
    ]


def prompt(turn: Turn, draft: BuilderDraft, notes: list[str]) -> None:
    text, choices = PROMPTS[draft.step](turn, draft)
    turn.say("\n\n".join([*notes, text]), choices, edit_ref=turn.pressed_ref())


def _ask_title(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    return (
        f"Title, as customers see it (e.g. “your repair”), in {draft.source}:",
        ((CANCEL,),),
    )


def _ask_topic(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    return "Topic in a few words; it becomes the id (e.g. “repair check” → repair-check):", ((CANCEL,),)


def _show_menu(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    lines = [f"{draft.questionnaire_id} — {draft.title.get(draft.source, '')}"]
    if not draft.questions:
        lines.append("No questions yet.")
    for number, question in enumerate(draft.questions, 1):
        flags = ("" if question.required else ", optional") + (", conditional" if question.show_if else "")
        lines.append(f"{number}. [{_kind_label(question.type)}, {question.dimension}{flags}]")
        lines += _beside(draft, question.text)
    lines += _lint_lines(turn, draft, with_pending=False)
    row = [BuilderMenu("add").button("➕ Add a question")]
    if draft.questions:
        row.append(BuilderMenu("arrange").button("↕ Reorder / remove"))
    rows: list[tuple[Choice, ...]] = [tuple(row)]
    if draft.questions:
        rows.append((BuilderMenu("save").button("💾 Save as working copy"),))
    rows.append((CANCEL,))
    return "\n".join(lines), tuple(rows)


def _kind_label(kind: str) -> str:
    return next((label for name, label in KINDS.items() if name == kind), kind)


def _ask_kind(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    rows = tuple((BuilderKind(kind).button(label),) for kind, label in KINDS.items())
    return f"Question {len(draft.questions) + 1}: what kind?", (*rows, (CANCEL,))


def _ask_dimension(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    buttons = [BuilderDimension(name).button(label) for name, label in DIMENSIONS.items()]
    rows = tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))
    return "Which dimension of the feedback policy does it measure?", (*rows, (CANCEL,))


def _ask_wording(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    return f"Type the question as customers will read it, in {draft.source}:", ((CANCEL,),)


def _ask_options(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    return "Type the options, one per line (2 to 10):", ((CANCEL,),)


def _ask_required(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    lines = [*_live_preview(turn, draft), *_lint_lines(turn, draft, with_pending=True)]
    lines += ["", "Must it be answered?"]
    row = (BuilderRequired(True).button("Required"), BuilderRequired(False).button("Optional (Skip button)"))
    return "\n".join(lines), (row, (CANCEL,))


def _ask_condition(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    rows: list[tuple[Choice, ...]] = [(BuilderCondition("always").button("Always show it"),)]
    for number, question in condition_candidates(draft):
        rows.append(
            tuple(
                BuilderCondition(when, number).button(f"Only if {number}. {WHEN[when][0]}")
                for when in WHEN_FOR_TYPE[QuestionType(question.type)]
            )
        )
    rows.append((CANCEL,))
    return "Show it always, or only after a certain earlier answer?", tuple(rows)


def _ask_arrange(turn: Turn, draft: BuilderDraft) -> tuple[str, Buttons]:
    lines = ["Reorder or remove (↑ moves a question up one place):"]
    rows: list[tuple[Choice, ...]] = []
    for number, question in enumerate(draft.questions, 1):
        lines.append(f"{number}. {question.text.get(draft.source, '')}")
        buttons = [BuilderArrange("remove", number).button(f"✕ {number}")]
        if number > 1:
            buttons.insert(0, BuilderArrange("up", number).button(f"↑ {number}"))
        rows.append(tuple(buttons))
    rows.append((BuilderMenu("done").button("Done"),))
    return "\n".join(lines), tuple(rows)


PROMPTS: dict[BuildStep, Callable[[Turn, BuilderDraft], tuple[str, Buttons]]] = {
    BuildStep.TITLE: _ask_title,
    BuildStep.TOPIC: _ask_topic,
    BuildStep.MENU: _show_menu,
    BuildStep.KIND: _ask_kind,
    BuildStep.DIMENSION: _ask_dimension,
    BuildStep.WORDING: _ask_wording,
    BuildStep.OPTIONS: _ask_options,
    BuildStep.REQUIRED: _ask_required,
    BuildStep.CONDITION: _ask_condition,
    BuildStep.ARRANGE: _ask_arrange,
}


def _beside(draft: BuilderDraft, texts: dict[str, str]) -> list[str]:
    """The original, and each translation beside it (marked when machine-made and unreviewed)."""
    lines = [f"   {draft.source}: {texts.get(draft.source, '')}"]
    for code in draft.languages[1:]:
        made = " (machine)" if code in draft.machine_translated else ""
        lines.append(f"   {code}{made}: {texts[code]}" if code in texts else f"   {code}: —")
    return lines


def _live_preview(turn: Turn, draft: BuilderDraft) -> list[str]:
    """The pending question as the customer will see it (in the admin's language), then the others."""
    questionnaire = draft.questionnaire(with_pending=True)
    pending = draft.pending
    if questionnaire is None or pending is None:
        return []
    question = questionnaire.question(pending.id)
    if question is None:
        return []
    shown = _as_customer(turn, draft, questionnaire, question)
    return ["Preview, as customers see it:", shown, "", "Texts:", *_beside(draft, pending.text)]


def _as_customer(turn: Turn, draft: BuilderDraft, questionnaire: Questionnaire, question: Question) -> str:
    number = questionnaire.index(question.id) + 1
    language, catalogs = draft.source, turn.catalogs
    total = len(questionnaire.questions)
    text = question_text(
        questionnaire, question, number=number, total=total, language=language, catalogs=catalogs
    )
    buttons = question_buttons(
        questionnaire, question, can_go_back=number > 1, language=language, catalogs=catalogs
    )
    labels = " ".join(f"[{choice.label}]" for row in buttons for choice in row)
    return "┆ " + text.replace("\n", "\n┆ ") + (f"\n┆ {labels}" if labels else "\n┆ (typed answer)")


def _lint_lines(turn: Turn, draft: BuilderDraft, *, with_pending: bool) -> list[str]:
    questionnaire = draft.questionnaire(with_pending=with_pending)
    if questionnaire is None:
        return []
    problems = lint(
        questionnaire,
        languages=tuple(draft.languages),
        max_minutes=turn.config.questionnaire_max_minutes,
        unreviewed=tuple(draft.machine_translated),
    )
    if not problems:
        return ["Lint: no problems."]
    return ["Lint:"] + [f"• {problem}" for problem in problems]


def copy_buttons(qid: str, unreviewed: list[str]) -> Buttons:
    """What the author does next with a saved working copy: mark translations read, preview, submit."""
    rows: list[tuple[Choice, ...]] = []
    marks = [MarkReviewed(code, qid).button(f"✔ {code} read") for code in unreviewed]
    rows += [tuple(marks[i : i + 4]) for i in range(0, len(marks), 4)]
    rows.append(
        (
            ReviewAction("preview", qid).button("👁 Preview"),
            ReviewAction("submit", qid).button("📤 Submit for review"),
        )
    )
    return tuple(rows)
