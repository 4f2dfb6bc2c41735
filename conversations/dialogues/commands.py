"""Slash commands a customer (or an admin) can send in any state: one table, one function each."""

from __future__ import annotations

import logging
import shlex
from dataclasses import replace

from conversations.admin.builder import is_admin, start_builder
from conversations.admin.builder_prompts import copy_buttons
from conversations.admin.commands import AdminCommands, AdminContext, AdminReply
from conversations.dialogues import complaint
from conversations.dialogues.dialogue import State
from conversations.dialogues.invitations import invitation_in_payload, open_invitation
from conversations.dialogues.privacy import ask_erase, my_data, withdraw
from conversations.dialogues.start_payload import StartPayload, parse_start_payload
from conversations.dialogues.survey import offer_consent, start_preview
from conversations.rendering import language_buttons
from conversations.translation import Translation
from conversations.turn import Step, Turn
from core.admin_payloads import MarkReviewed, ReviewAction, UseTemplate
from core.events import EventKind, Outbound
from core.payloads import Resume
from core.questionnaire_drafts import DraftStatus

log = logging.getLogger("conversations.dialogues.commands")


async def on_start(turn: Turn) -> State:
    d = turn.dialogue
    if d.state in {State.SURVEY, State.RESUME} and d.question_id is not None:
        questionnaire = await turn.questionnaire()
        total = len(questionnaire.questions)
        turn.say(
            turn.t("resume.prompt", n=len(d.history) + 1, total=total),
            (
                (
                    Resume("continue").button(turn.t("button.continue")),
                    Resume("restart").button(turn.t("button.restart")),
                ),
            ),
        )
        return State.RESUME
    invited = invitation_in_payload(turn.event.text)
    if invited is not None:
        return await open_invitation(turn, invited)
    payload = parse_start_payload(turn.event.text)
    if payload is None:
        log.info("malformed start payload ignored")
        payload = StartPayload()
    return await offer_consent(turn, payload)


async def on_help(turn: Turn) -> State:
    turn.say_key("help.text")
    return turn.dialogue.state


async def on_language_menu(turn: Turn) -> State:
    turn.say(turn.t("language.prompt"), language_buttons(turn.catalogs))
    return turn.dialogue.state


async def on_admin(turn: Turn) -> State:
    """Staff commands; to anyone else `/admin` is an unknown command (and the attempt is audited)."""
    who = f"{turn.event.channel}:{turn.event.user_key}"
    if who not in turn.config.admins:
        await turn.direct.audit.add(
            actor=who, action="admin", target=None, outcome="refused", detail="not an admin"
        )
        turn.say_key("unknown.command")
        return turn.dialogue.state
    if turn.event.attachment is not None and turn.event.attachment.refused:
        await turn.direct.audit.add(
            actor=who, action="admin", target=None, outcome="refused", detail="file too large"
        )
        turn.messages.append(
            Outbound(text="Not done: the file is too large for a questionnaire (200 KB at most)")
        )
        return turn.dialogue.state
    line, _, document = turn.event.text.partition("\n")
    commands = admin_commands(turn, who)
    if line.split()[:1] == ["preview"]:
        # The one admin command that changes the admin's own chat: it runs the survey there.
        found = await commands.questionnaire_for_preview(line.split()[1:])
        if isinstance(found, AdminReply):
            turn.messages.append(Outbound(text=found.text))
            return turn.dialogue.state
        return await start_preview(turn, found)
    if line.split() == ["new"] and not document.strip():
        return await start_builder(turn)
    reply = await commands.run(line, document)
    turn.messages.append(Outbound(text=reply.text, document=reply.document, choices=reply.choices))
    await _notify(turn, reply)
    return turn.dialogue.state


async def _notify(turn: Turn, reply: AdminReply) -> None:
    """The admins a command told, each by a job for their chat (committed with this step)."""
    for notice in reply.notices:
        job = notice.job(cause=turn.event.event_id)
        if job is not None:
            await turn.outbox.put(job[0], key=job[1], due_at=turn.config.clock())


async def on_admin_button(turn: Turn) -> State | None:
    """A template picked from `/admin new from-template`'s buttons, or a review notice's buttons
    (only an admin's press counts; the command audits it like a typed one)."""
    template, review = turn.event.pressed(UseTemplate), turn.event.pressed(ReviewAction)
    marked = turn.event.pressed(MarkReviewed)
    if template is None and review is None and marked is None:
        return None
    if not is_admin(turn):
        turn.notice = turn.t("unknown.button")
        return turn.dialogue.state
    who = f"{turn.event.channel}:{turn.event.user_key}"
    commands = admin_commands(turn, who)
    if marked is not None:
        reply = await commands.run(
            f"review {shlex.quote(marked.questionnaire)} {shlex.quote(marked.language)}"
        )
        working = await turn.reads.drafts.get(questionnaire_id=marked.questionnaire)
        left = list(working.machine_translated) if working else []
        draft = working is not None and working.status is DraftStatus.DRAFT
        turn.say(reply.text, copy_buttons(marked.questionnaire, left) if draft else ())
        return turn.dialogue.state
    if template is not None:
        line = f"new from-template {template.template}"
    elif review is not None and review.action == "preview":
        found = await commands.questionnaire_for_preview([review.questionnaire])
        if isinstance(found, AdminReply):
            turn.say(found.text)
            return turn.dialogue.state
        return await start_preview(turn, found)
    elif review is not None and review.action == "changes":
        turn.dialogue.review_reason_for = review.questionnaire
        turn.say(
            f"What should change in {review.questionnaire}? Type it; the author gets it as you write it."
        )
        return turn.dialogue.state
    else:
        assert review is not None
        line = f"{'submit' if review.action == 'submit' else 'approve'} {shlex.quote(review.questionnaire)}"
    reply = await commands.run(line)
    turn.say(reply.text)
    await _notify(turn, reply)
    return turn.dialogue.state


async def on_review_reason(turn: Turn) -> State | None:
    """The reason typed after "Request changes": the questionnaire goes back to draft with it."""
    qid = turn.dialogue.review_reason_for
    if qid is None or turn.event.kind is not EventKind.TEXT:
        return None
    turn.dialogue.review_reason_for = None
    if not is_admin(turn):
        return None
    reason = " ".join(turn.event.text.split())[:500]
    who = f"{turn.event.channel}:{turn.event.user_key}"
    reply = await admin_commands(turn, who).run(f"reject {shlex.quote(qid)} {shlex.quote(reason)}")
    turn.say(reply.text)
    await _notify(turn, reply)
    return turn.dialogue.state


def admin_commands(turn: Turn, who: str) -> AdminCommands:
    translator = turn.translator

    async def translate(text: str, source: str, target: str) -> Translation:
        assert translator is not None
        return await translator.translate(text, source=source, target=target)

    context = AdminContext(
        store=turn.direct,
        languages=turn.config.survey_languages or turn.catalogs.languages,
        max_minutes=turn.config.questionnaire_max_minutes,
        translate=translate if translator is not None else None,
        clock=turn.config.clock,
        report_min_group=turn.config.report_min_group,
        deep_link=turn.config.deep_link,
        admins=turn.config.admins,
    )
    return AdminCommands(context, admin=who)


async def on_report(turn: Turn) -> State:
    """`/report …` is `/admin report …`, for managers who only ever want the figures."""
    turn.event = replace(turn.event, text=f"report {turn.event.text}".strip())
    return await on_admin(turn)


async def on_complain(turn: Turn) -> State:
    return await complaint.start_complaint(turn)


COMMANDS: dict[str, Step] = {
    "start": on_start,
    "complain": on_complain,
    "admin": on_admin,
    "report": on_report,
    "help": on_help,
    "language": on_language_menu,
    "stop": withdraw,
    "mydata": my_data,
    "delete": ask_erase,
}
