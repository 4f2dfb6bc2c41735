"""The consent and survey steps: show consent, record the decision, ask, record and advance."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from conversations.detection import detect
from conversations.dialogues.answers import parse_button, parse_typed, typed_navigation
from conversations.dialogues.detours import PreviewDraft
from conversations.dialogues.dialogue import State
from conversations.dialogues.start_payload import StartPayload
from conversations.outbox import Op
from conversations.rendering import (
    answer_label,
    consent_buttons,
    consent_text,
    question_buttons,
    question_text,
    text_version,
    visible_total,
)
from conversations.reports import rollups
from conversations.turn import AnsweredQuestion, Turn
from core.events import EventKind, Unprompted
from core.jobs import SurveyReminder
from core.payloads import Answer, Back, ComplaintOffer, Consent, Resume, Skip, parse
from core.questionnaire import Question, Questionnaire, QuestionType
from core.responses import answers_to_document
from storage.consents import Decision
from storage.responses import new_response_id

log = logging.getLogger("conversations.dialogues.survey")
SURVEY_CONSENT = "survey"
REMIND = SurveyReminder.KIND
STARTED_AND_CONSENTED = "started+consented"  # funnel stages counted by one job, joined by "+"


def is_preview(turn: Turn) -> bool:
    """An admin's preview keeps its questionnaire and answers in the dialogue only: nothing is stored."""
    return isinstance(turn.dialogue.detour, PreviewDraft)


async def start_preview(turn: Turn, questionnaire: Questionnaire) -> State:
    """Take `questionnaire` (published or a working copy) as a customer would, without consent or storage."""
    d = turn.dialogue
    back = d.state if d.state not in {State.SURVEY, State.RESUME} else State.NEW
    keep_answers_so_far(turn)  # the admin's own survey in progress, if any, is left here
    d.detour, d.return_to = PreviewDraft(questionnaire=questionnaire), back
    d.questionnaire_id, d.questionnaire_version = questionnaire.id, questionnaire.version
    turn.say(f"Preview of {questionnaire.id} v{questionnaire.version} — your answers are not stored.")
    return await begin_survey(turn, questionnaire)


async def offer_consent(turn: Turn, payload: StartPayload, *, edit_ref: str | None = None) -> State:
    """Pick the questionnaire and show the consent text; nothing is collected before agreement."""
    d = turn.dialogue
    questionnaire = None
    if payload.questionnaire_id:
        questionnaire = await turn.reads.questionnaires.latest(questionnaire_id=payload.questionnaire_id)
        if questionnaire is not None and await turn.reads.drafts.is_closed(questionnaire_id=questionnaire.id):
            questionnaire = None  # closed by an admin: nobody new starts it
        if questionnaire is None:
            log.info("start link names an unknown or closed questionnaire; using the default")
    if questionnaire is None:
        d.questionnaire_id = None
        questionnaire = await turn.questionnaire()
    d.questionnaire_id, d.questionnaire_version = questionnaire.id, questionnaire.version
    d.order_ref = payload.order_ref
    return await show_consent(turn, questionnaire, edit_ref=edit_ref)


async def show_consent(turn: Turn, questionnaire: Questionnaire, *, edit_ref: str | None = None) -> State:
    text = consent_text(
        questionnaire, language=turn.language, catalogs=turn.catalogs, branding=turn.config.branding
    )
    turn.dialogue.consent_version = text_version(text)
    turn.say(text, consent_buttons(turn.language, turn.catalogs), edit_ref=edit_ref)
    return State.CONSENT


async def on_consent(turn: Turn) -> State:
    event = turn.event
    pressed = event.pressed(Consent)
    if pressed is not None:
        agreed = pressed.agreed
    elif event.kind is EventKind.TEXT:
        typed = parse_typed(_YES_NO, event.text, language=turn.language, catalogs=turn.catalogs)
        if not isinstance(typed, bool):
            return await show_consent(turn, await turn.questionnaire())
        agreed = typed
    else:
        turn.notice = turn.t("unknown.button")
        return State.CONSENT
    questionnaire = await turn.questionnaire()
    record_consent(turn, Decision.GRANTED if agreed else Decision.REFUSED)
    if not is_preview(turn) and not agreed:  # agreed: counted with the survey's start, one job for both
        await rollups.count(
            turn.outbox,
            stage="started",
            questionnaire_id=questionnaire.id,
            entity=f"{event.channel}:{event.event_id}",
            at=turn.config.clock(),
        )
    if event.kind is EventKind.BUTTON:
        label = turn.t("button.agree" if agreed else "button.decline")
        if turn.pressed_ref() is None:
            # A channel that cannot edit (WhatsApp): a short acknowledgement, not the whole text again.
            turn.say(f"✓ {label}")
        else:
            # Keep the consent text in the chat as the customer saw it, with their decision under it.
            shown = consent_text(
                questionnaire,
                language=turn.language,
                catalogs=turn.catalogs,
                branding=turn.config.branding,
            )
            turn.say(f"{shown}\n\n✓ {label}", edit_ref=turn.pressed_ref(), cosmetic=agreed)
    if not agreed:
        turn.say_key("consent.declined")
        return State.DECLINED
    return await begin_survey(turn, questionnaire, consented=True)


async def abandon(turn: Turn, questionnaire_id: str) -> None:
    """The survey in progress is left (/stop, a restart): its answers so far, then the abandonment,
    then its count (which reads where it stopped from those answers)."""
    d = turn.dialogue
    if not d.response_id:
        return
    if not is_preview(turn):
        _copy_answers(turn, d.response_id, await stored_answers(turn))
    turn.outbox.add(Op.RESPONSE_ABANDON, response_id=d.response_id)
    await finished(turn, d.response_id, questionnaire_id)
    d.answers = None  # written with the abandonment; nothing of this survey is carried any further


def keep_answers_so_far(turn: Turn) -> None:
    """A survey in progress that is left without being completed or abandoned (another one starts in
    this chat): its answers so far go to `responses`, where the sweep of forgotten surveys finds them."""
    d = turn.dialogue
    if d.response_id and d.answers and not is_preview(turn):
        _copy_answers(turn, d.response_id, d.answers)


def _copy_answers(turn: Turn, response_id: str, answers: dict[str, Any]) -> None:
    # The whole set, guarded by the conversation's version (a late copy never wins).
    seq = turn.dialogue.version + 1
    turn.outbox.add(Op.RESPONSE_ANSWERS, response_id=response_id, answers=dict(answers), seq=seq)


async def finished(turn: Turn, response_id: str, questionnaire_id: str) -> None:
    """A response completed or abandoned: its figures go into the report counters (once)."""
    await rollups.count(
        turn.outbox,
        stage=rollups.FINAL,
        questionnaire_id=questionnaire_id,
        entity=response_id,
        at=turn.config.clock(),
        response_id=response_id,
    )


def record_consent(turn: Turn, decision: Decision) -> None:
    turn.outbox.add(
        Op.CONSENT,
        entry_id=f"{turn.event.channel}:{turn.event.event_id}:{SURVEY_CONSENT}",
        customer_id=turn.customer.id,
        kind=SURVEY_CONSENT,
        text_version=turn.dialogue.consent_version or "",
        language=turn.language,
        channel=turn.event.channel,
        decision=decision.value,
        questionnaire_id=turn.dialogue.questionnaire_id,
        at=turn.config.clock(),
    )


async def begin_survey(
    turn: Turn, questionnaire: Questionnaire, *, edit_ref: str | None = None, consented: bool = False
) -> State:
    """Start a response; `consented`: right after the consent decision, which it counts as well."""
    d = turn.dialogue
    keep_answers_so_far(turn)
    d.history, d.question_id, d.answers = [], None, {}
    if isinstance(d.detour, PreviewDraft):
        d.response_id = None
        d.detour.answers = {}
        return await _advance(turn, questionnaire, {}, edit_ref=edit_ref)
    d.response_id = new_response_id(channel=turn.event.channel, event_id=turn.event.event_id)
    turn.outbox.add(
        Op.RESPONSE_START,
        response_id=d.response_id,
        customer_id=turn.customer.id,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        language=turn.language,
        channel=turn.event.channel,
        order_ref=d.order_ref,
        consent_version=d.consent_version or "",
    )
    await rollups.count(
        turn.outbox,
        # One counter job for the decision and the start (the job counts each stage it names).
        stage=STARTED_AND_CONSENTED if consented else "consented",
        questionnaire_id=questionnaire.id,
        entity=d.response_id,
        at=turn.config.clock(),
    )
    if turn.config.reminder_count > 0:
        # By reference: the chat is found through the response's conversation, so an erased
        # customer's chat id is not left behind in the job.
        await turn.outbox.put(
            SurveyReminder(response=d.response_id, number=1),
            key=f"{d.response_id}:1",
            due_at=turn.config.clock() + turn.config.reminder_delay,
        )
    return await _advance(turn, questionnaire, {}, edit_ref=edit_ref)


async def current_answers(turn: Turn) -> dict[str, Any]:
    """Answer values so far (skipped questions count as unanswered for show_if)."""
    if isinstance(turn.dialogue.detour, PreviewDraft):
        return dict(turn.dialogue.detour.answers)
    return {qid: a["value"] for qid, a in (await stored_answers(turn)).items() if not a.get("skipped")}


async def stored_answers(turn: Turn) -> dict[str, Any]:
    """The in-progress answers, kept in the conversation (read once from `responses` for chats
    that started before they were)."""
    d = turn.dialogue
    if d.answers is None:
        response = await turn.reads.responses.get(response_id=d.response_id) if d.response_id else None
        d.answers = answers_to_document(response.answers) if response else {}
    return d.answers


def _render(
    turn: Turn, questionnaire: Questionnaire, question: Question, answers: dict[str, Any]
) -> tuple[str, Any]:
    number = len(turn.dialogue.history) + 1
    total = max(number, visible_total(questionnaire, answers))
    text = question_text(
        questionnaire,
        question,
        number=number,
        total=total,
        language=turn.language,
        catalogs=turn.catalogs,
    )
    buttons = question_buttons(
        questionnaire,
        question,
        language=turn.language,
        catalogs=turn.catalogs,
        can_go_back=bool(turn.dialogue.history),
    )
    return text, buttons


def ask_current(
    turn: Turn,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    *,
    prefix: str = "",
    edit_ref: str | None = None,
) -> State:
    question = questionnaire.question(turn.dialogue.question_id or "")
    if question is None:
        raise RuntimeError("no current question to ask")
    text, buttons = _render(turn, questionnaire, question, answers)
    turn.say(f"{prefix}{text}", buttons, edit_ref=edit_ref)
    return State.SURVEY


async def _advance(
    turn: Turn,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    *,
    edit_ref: str | None = None,
) -> State:
    d = turn.dialogue
    if d.question_id is not None:
        d.history.append(d.question_id)
    following = questionnaire.next_question(d.question_id, answers)
    if following is None:
        return await _finish(turn, questionnaire, answers)
    d.question_id = following.id
    return ask_current(turn, questionnaire, answers, edit_ref=edit_ref)


async def _finish(turn: Turn, questionnaire: Questionnaire, answers: dict[str, Any]) -> State:
    d = turn.dialogue
    if is_preview(turn):
        back = turn.leave_detour(State.NEW)
        d.question_id, d.history = None, []
        d.questionnaire_id = d.questionnaire_version = None
        turn.say(f"Preview of {questionnaire.id} finished — nothing was stored.")
        return back
    stored = await stored_answers(turn)
    # An answer whose question is hidden by the final answers (after a Back) is not part of the response.
    dropped = [
        qid
        for qid in stored
        if (q := questionnaire.question(qid)) is not None
        and q.show_if is not None
        and not q.show_if.holds(answers)
    ]
    kept = {qid: answer for qid, answer in stored.items() if qid not in dropped}
    turn.outbox.add(Op.RESPONSE_COMPLETE, response_id=d.response_id or "", answers=kept, seq=d.version + 1)
    await finished(turn, d.response_id or "", questionnaire.id)
    d.question_id, d.history, d.answers = None, [], None
    turn.say_key("survey.thanks")
    # A rating of 1-2 anywhere: offer to look into it (at the end, so the survey is not interrupted).
    low = [
        int(value)
        for qid, value in answers.items()
        if (q := questionnaire.question(qid)) is not None
        and q.type is QuestionType.RATING5
        and value in (1, 2)
    ]
    if low:
        buttons = (
            (
                ComplaintOffer(min(low)).button(turn.t("button.yes")),
                ComplaintOffer().button(turn.t("button.no")),
            ),
        )
        turn.say(turn.t("complaint.offer"), buttons)
    return State.COMPLETED


async def on_survey(turn: Turn) -> State:
    event = turn.event
    questionnaire = await turn.questionnaire()
    question = questionnaire.question(turn.dialogue.question_id or "")
    if question is None:
        log.warning("conversation in survey without a current question; restarting it")
        return await begin_survey(turn, questionnaire)
    answers = await current_answers(turn)
    if event.pressed(Resume) == Resume("continue"):  # from a reminder
        return ask_current(turn, questionnaire, answers)
    if event.kind is EventKind.BUTTON:
        return await _on_survey_button(turn, questionnaire, question, answers)
    if event.kind is not EventKind.TEXT:
        turn.say_key("unsupported.media")
        return State.SURVEY
    if question.type is QuestionType.TEXT and len(event.text) > question.max_length:
        hint = turn.t("survey.hint.too_long", max=question.max_length)
        return ask_current(turn, questionnaire, answers, prefix=f"{hint}\n\n")
    action = typed_navigation(event.text, language=turn.language, catalogs=turn.catalogs)
    if action == "back" and turn.dialogue.history:
        turn.dialogue.question_id = turn.dialogue.history.pop()
        return ask_current(turn, questionnaire, answers)
    if action == "skip":
        if question.required:
            return ask_current(turn, questionnaire, answers, prefix=f"{turn.t('survey.required')}\n\n")
        return await _accept(turn, questionnaire, question, answers, None, skipped=True, edit_ref=None)
    value = parse_typed(question, event.text, language=turn.language, catalogs=turn.catalogs)
    if value is None:
        hint = turn.t(f"survey.hint.{question.type.value}")
        return ask_current(turn, questionnaire, answers, prefix=f"{hint}\n\n")
    return await _accept(turn, questionnaire, question, answers, value, skipped=False, edit_ref=None)


async def _on_survey_button(
    turn: Turn, questionnaire: Questionnaire, question: Question, answers: dict[str, Any]
) -> State:
    pressed = parse(turn.event.text)
    if not isinstance(pressed, Answer | Skip | Back) or pressed.question != question.id:
        # A late tap on an earlier question (WhatsApp cannot take its buttons away) says why nothing happens.
        answered = isinstance(pressed, Answer | Skip) and pressed.question in turn.dialogue.history
        turn.notice = turn.t("survey.already_answered" if answered else "unknown.button")
        return State.SURVEY
    if isinstance(pressed, Back):
        if not turn.dialogue.history:
            turn.notice = turn.t("unknown.button")
            return State.SURVEY
        turn.dialogue.question_id = turn.dialogue.history.pop()
        return ask_current(turn, questionnaire, answers, edit_ref=turn.pressed_ref())
    if isinstance(pressed, Skip):
        if question.required:
            turn.notice = turn.t("survey.required")
            return State.SURVEY
        return await _accept(
            turn, questionnaire, question, answers, None, skipped=True, edit_ref=turn.pressed_ref()
        )
    value = parse_button(question, pressed.value)
    if value is None:
        turn.notice = turn.t("unknown.button")
        return State.SURVEY
    return await _accept(
        turn, questionnaire, question, answers, value, skipped=False, edit_ref=turn.pressed_ref()
    )


async def _accept(
    turn: Turn,
    questionnaire: Questionnaire,
    question: Question,
    answers: dict[str, Any],
    value: Any,
    *,
    skipped: bool,
    edit_ref: str | None,
) -> State:
    if isinstance(turn.dialogue.detour, PreviewDraft):
        kept = {k: v for k, v in turn.dialogue.detour.answers.items() if k != question.id}
        turn.dialogue.detour.answers = kept if skipped else {**kept, question.id: value}
    else:
        written_in = None
        if question.type is QuestionType.TEXT and isinstance(value, str):
            found = detect(value, expected=turn.language)
            written_in = found.language if found is not None and found.confident else None
        stored = await stored_answers(turn)
        # Kept in the conversation only (committed with the state): `responses` gets the whole set
        # when the survey is completed or left (`_finish`, `abandon`), one write per survey rather
        # than one per answer. /mydata and the export read in-progress answers from here.
        stored[question.id] = {
            "value": value,
            "skipped": skipped,
            "at": turn.config.clock(),
            **({"language": written_in} if written_in else {}),
        }
    answers = {k: v for k, v in answers.items() if k != question.id}
    if not skipped:
        answers[question.id] = value
    if edit_ref is None and (skipped or question.type is QuestionType.TEXT):
        return await _advance(turn, questionnaire, answers)  # their own message shows the answer
    label = answer_label(
        questionnaire,
        question,
        value,
        skipped=skipped,
        language=turn.language,
        catalogs=turn.catalogs,
    )
    answered = f"✓ {turn.t('survey.answered', answer=label)}"
    # A typed choice ("tre", "4") has no message of ours to edit (`edit_ref` None): the next message
    # opens with how it was read, so what the customer is shown is what is stored, at no extra call.
    style = turn.answered_question()
    if style is AnsweredQuestion.SEPARATE and edit_ref is not None:
        # The answered question stays in the chat with the choice under it.
        text, _ = _render(turn, questionnaire, question, answers)
        turn.say(f"{text}\n\n{answered}", edit_ref=edit_ref)
        return await _advance(turn, questionnaire, answers)
    following = len(turn.messages)
    state = await _advance(turn, questionnaire, answers)
    _open_with(turn, following, answered, edit_ref=edit_ref if style is AnsweredQuestion.EDIT else None)
    # A tap on the old question's buttons is answered "already answered": not worth a call to remove.
    turn.keep_buttons = style is AnsweredQuestion.NEW and edit_ref is not None
    return state


def _open_with(turn: Turn, index: int, line: str, *, edit_ref: str | None) -> None:
    """The message said at `index` (the next question, or the thanks) opens with `line` and goes out
    as one call: an edit of `edit_ref`, or a new message. Nothing said there: `line` alone."""
    if index < len(turn.messages):
        first = turn.messages[index]
        if first.edit_ref is None and first.document is None and first.unprompted is None:
            joined = f"{line}\n\n{first.text}"
            turn.messages[index] = dataclasses.replace(first, text=joined, edit_ref=edit_ref)
            return
    turn.say(line, edit_ref=edit_ref)
    turn.messages.insert(index, turn.messages.pop())


async def on_reminder(turn: Turn) -> State:
    """A survey reminder fell due: a nudge if this very survey is still waiting, else nothing."""
    d, job = turn.dialogue, SurveyReminder.read(turn.event.timer)
    response_id, number = job.response, job.number
    if d.state not in {State.SURVEY, State.RESUME} or d.response_id != response_id:
        return d.state  # finished, stopped, or doing something else now
    questionnaire = await turn.questionnaire()
    title = questionnaire.title[questionnaire.language_for(turn.language)]
    turn.say(
        turn.t("reminder.text", title=title),
        ((Resume("continue").button(turn.t("button.continue")),),),
        unprompted=Unprompted("reminder", turn.language, (title,)),
    )
    if number < turn.config.reminder_count:
        await turn.outbox.put(
            SurveyReminder(response=response_id, number=number + 1),
            key=f"{response_id}:{number + 1}",
            due_at=turn.config.clock() + turn.config.reminder_delay,
        )
    return d.state


async def reshow(turn: Turn, state: State) -> State:
    """Show again what the customer was looking at in `state` (after a detour, or in a new language)."""
    d = turn.dialogue
    if state is State.CONSENT:
        return await show_consent(turn, await turn.questionnaire())
    if state in {State.SURVEY, State.RESUME} and d.question_id is not None:
        return ask_current(turn, await turn.questionnaire(), await current_answers(turn))
    return state


async def on_resume(turn: Turn) -> State:
    event = turn.event
    questionnaire = await turn.questionnaire()
    resume = event.pressed(Resume)
    if resume is not None and resume.how == "continue":
        return ask_current(turn, questionnaire, await current_answers(turn), edit_ref=turn.pressed_ref())
    if resume is not None and resume.how == "restart":
        await abandon(turn, questionnaire.id)
        return await begin_survey(turn, questionnaire, edit_ref=turn.pressed_ref())
    if event.kind is EventKind.BUTTON and not isinstance(parse(event.text), Answer | Skip | Back):
        turn.notice = turn.t("unknown.button")
        return State.RESUME
    # Writing or answering instead of choosing means carrying on where they were.
    return await on_survey(turn)


_YES_NO = Question(id="consent", type=QuestionType.YESNO, text={"en": "consent"})
