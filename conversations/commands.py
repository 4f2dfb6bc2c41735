"""Slash commands a customer (or an admin) can send in any state: one table, one function each."""

from __future__ import annotations

import logging
from dataclasses import replace

from conversations import complaint
from conversations.admin import AdminCommands, AdminContext, AdminReply
from conversations.dialogue import State
from conversations.invitations import invitation_in_payload, open_invitation
from conversations.privacy import ask_erase, my_data, withdraw
from conversations.rendering import language_buttons
from conversations.start_payload import StartPayload, parse_start_payload
from conversations.survey import offer_consent, start_preview
from conversations.translation import Translation
from conversations.turn import Step, Turn
from core.events import Outbound
from core.payloads import Resume

log = logging.getLogger("conversations.commands")


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
        await turn.store.audit.add(
            actor=who, action="admin", target=None, outcome="refused", detail="not an admin"
        )
        turn.say_key("unknown.command")
        return turn.dialogue.state
    if turn.event.attachment is not None and turn.event.attachment.refused:
        await turn.store.audit.add(
            actor=who, action="admin", target=None, outcome="refused", detail="file too large"
        )
        turn.messages.append(
            Outbound(text="Not done: the file is too large for a questionnaire (200 KB at most)")
        )
        return turn.dialogue.state
    line, _, document = turn.event.text.partition("\n")
    translator = turn.translator

    async def translate(text: str, source: str, target: str) -> Translation:
        assert translator is not None
        return await translator.translate(text, source=source, target=target)

    context = AdminContext(
        store=turn.store,
        languages=turn.catalogs.languages,
        max_minutes=turn.config.questionnaire_max_minutes,
        translate=translate if translator is not None else None,
        clock=turn.config.clock,
        report_min_group=turn.config.report_min_group,
    )
    commands = AdminCommands(context, admin=who)
    if line.split()[:1] == ["preview"]:
        # The one admin command that changes the admin's own chat: it runs the survey there.
        found = await commands.questionnaire_for_preview(line.split()[1:])
        if isinstance(found, AdminReply):
            turn.messages.append(Outbound(text=found.text))
            return turn.dialogue.state
        return await start_preview(turn, found)
    reply = await commands.run(line, document)
    turn.messages.append(Outbound(text=reply.text, document=reply.document))
    return turn.dialogue.state


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
