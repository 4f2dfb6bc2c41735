"""The dialogue engine: load a chat's state, run one step of its state machine, save it (versioned)."""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from conversations import complaint, feedback, outbox, ticket_chat
from conversations import language as languages
from conversations.admin import AdminCommands, AdminContext, AdminReply
from conversations.detection import detect
from conversations.dialogue import Dialogue, State
from conversations.events import SHOW_HELD, Choice, EventKind, InboundEvent, Outbound
from conversations.invitations import invitation_in_payload, open_invitation
from conversations.outbox import Effect, Op
from conversations.privacy import ask_erase, my_data, on_confirm_delete, withdraw
from conversations.rendering import language_buttons
from conversations.start_payload import StartPayload, parse_start_payload
from conversations.survey import (
    offer_consent,
    on_consent,
    on_resume,
    on_survey,
    reshow,
    start_preview,
)
from conversations.translation import Translation, Translator
from conversations.turn import EngineConfig, Reply, Turn
from locales.catalog import Catalogs
from storage.conversations import Conversations
from storage.store import Store

log = logging.getLogger("conversations.engine")
MAX_SAVE_ATTEMPTS = 5
APPLIED_KEPT = 10_000
Step = Callable[[Turn], Awaitable[State]]


class ConcurrentUpdateError(RuntimeError):
    """Another worker kept saving the same conversation; the event stays pending for replay."""


async def on_new(turn: Turn) -> State:
    if turn.event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
        return State.NEW
    return await offer_consent(turn, StartPayload())


async def on_completed(turn: Turn) -> State:
    return _idle(turn, "done.already")


async def on_declined(turn: Turn) -> State:
    return _idle(turn, "idle.prompt")


async def on_withdrawn(turn: Turn) -> State:
    return _idle(turn, "stopped.reminder")


def _idle(turn: Turn, key: str) -> State:
    if turn.event.kind is EventKind.BUTTON:
        turn.notice = turn.t("unknown.button")
    else:
        turn.say_key(key)
    return turn.dialogue.state


STEPS: dict[State, Step] = {
    State.NEW: on_new,
    State.CONSENT: on_consent,
    State.SURVEY: on_survey,
    State.RESUME: on_resume,
    State.CONFIRM_DELETE: on_confirm_delete,
    State.COMPLETED: on_completed,
    State.DECLINED: on_declined,
    State.WITHDRAWN: on_withdrawn,
    State.COMPLAINT_CONSENT: complaint.on_consent,
    State.COMPLAINT_SENSITIVE: complaint.on_sensitive,
    State.COMPLAINT_CATEGORY: complaint.on_category,
    State.COMPLAINT_ORDER: complaint.on_order,
    State.COMPLAINT_PRODUCT: complaint.on_product,
    State.COMPLAINT_DESCRIPTION: complaint.on_description,
    State.COMPLAINT_EXPECTATION: complaint.on_expectation,
    State.COMPLAINT_CONTACT_TIME: complaint.on_contact_time,
    State.COMPLAINT_CONTACT: complaint.on_contact,
    State.COMPLAINT_CONFIRM: complaint.on_confirm,
    State.COMPLAINT_CORRECT: complaint.on_correct,
    State.COMPLAINT_REJECT_REASON: ticket_chat.on_reject_reason,
    State.FOLLOWUP_COMMENT: ticket_chat.on_followup_comment,
    State.FEEDBACK_CLASSIFY: feedback.on_classify,
}


async def on_start(turn: Turn) -> State:
    d = turn.dialogue
    if d.state in {State.SURVEY, State.RESUME} and d.question_id is not None:
        questionnaire = await turn.questionnaire()
        total = len(questionnaire.questions)
        turn.say(
            turn.t("resume.prompt", n=len(d.history) + 1, total=total),
            (
                (
                    Choice(turn.t("button.continue"), "resume:continue"),
                    Choice(turn.t("button.restart"), "resume:restart"),
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
    if turn.event.raw.get("document_refused"):
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


def _reply_document(event_id: str, reply: Reply) -> dict[str, Any]:
    messages = [{**m.to_document(), "edit_ref": m.edit_ref} for m in reply.messages]
    return {"event_id": event_id, "notice": reply.notice, "messages": messages}


def _stored_reply(doc: dict[str, Any]) -> Reply:
    messages = tuple(
        dataclasses.replace(Outbound.from_document(m), edit_ref=m.get("edit_ref"))
        for m in doc.get("messages", [])
    )
    return Reply(messages=messages, notice=doc.get("notice"))


class Engine:
    def __init__(
        self, *, store: Store, catalogs: Catalogs, config: EngineConfig, translator: Translator | None = None
    ) -> None:
        self._translator = translator
        self._store = store
        self._catalogs = catalogs
        self._config = config
        # Outboxes this worker applied, by conversation: a chat's next event usually comes to the
        # same worker, which then need not apply them again nor spend a write on clearing them.
        self._applied: OrderedDict[str, str] = OrderedDict()

    async def handle(self, event: InboundEvent) -> Reply:
        """Apply one event; an event already applied to this chat gets its reply again, unchanged.

        The step decides; this commits its state, reply and effects in one versioned write, and
        only then applies the effects (the outbox). A step that loses the race to another worker
        has written nothing and simply runs again on the winner's state. The reply is saved with
        the state: a worker killed after saving but before the reply left must not leave the
        customer without their next question when the event is replayed.
        """
        for _ in range(MAX_SAVE_ATTEMPTS):
            turn = await self._prepare(event)
            if isinstance(turn, Reply):
                return turn
            turn.dialogue.state = await self._step(turn)
            if turn.erased:
                return turn.reply()
            reply = turn.reply()
            effects = list(turn.outbox.effects)
            documents = [e.to_document() for e in effects]
            pending = {"event_id": event.event_id, "effects": documents} if effects else None
            saved = await self._store.conversations.save(
                state={
                    **turn.dialogue.to_document(),
                    "last_reply": _reply_document(event.event_id, reply),
                    "outbox": pending,
                },
                expected_version=turn.dialogue.version,
                event_id=event.event_id,
            )
            if saved:
                if effects:
                    await self._apply(turn.dialogue.key, event.event_id, effects)
                return reply
            log.info("conversation changed concurrently; re-running the event")
        raise ConcurrentUpdateError(f"could not save the conversation after {MAX_SAVE_ATTEMPTS} tries")

    async def _apply(self, key: str, event_id: str, effects: list[Effect]) -> None:
        await outbox.apply(self._store, effects)
        if any(effect.op in outbox.PERSONAL for effect in effects):
            # Contact details and free text must not linger in the conversation document.
            await self._store.conversations.clear_outbox(key=key, event_id=event_id)
        self._applied[key] = event_id
        self._applied.move_to_end(key)
        while len(self._applied) > APPLIED_KEPT:
            self._applied.popitem(last=False)

    async def _prepare(self, event: InboundEvent) -> Turn | Reply:
        doc = await self._store.conversations.load(channel=event.channel, chat_key=event.chat_key)
        pending = (doc or {}).get("outbox")
        if doc is not None and pending and self._applied.get(doc["_id"]) != pending.get("event_id"):
            # Committed by another worker, or by one that died before applying them: the effects
            # must land before anything reads what they write (applying twice changes nothing).
            effects = [Effect.from_document(e) for e in pending.get("effects", [])]
            await self._apply(doc["_id"], str(pending.get("event_id")), effects)
        if doc is not None and event.event_id in doc.get("recent_events", []):
            last = doc.get("last_reply") or {}
            return _stored_reply(last) if last.get("event_id") == event.event_id else Reply()
        if doc is not None:
            dialogue = Dialogue.from_document(doc)
            customer = await self._store.customers.get(customer_id=dialogue.customer_id)
        else:
            customer = None
        if customer is None:
            customer = await self._store.customers.identify(channel=event.channel, user_key=event.user_key)
            dialogue = Dialogue(
                key=Conversations.key(channel=event.channel, chat_key=event.chat_key),
                channel=event.channel,
                chat_key=event.chat_key,
                customer_id=customer.id,
                version=0 if doc is None else int(doc.get("version", 0)),
            )
        supported = self._catalogs.languages
        hinted = languages.normalise(event.language_hint, supported)
        detected = None
        if customer.language is None and hinted is None and event.kind is EventKind.TEXT:
            found = detect(event.text, supported=supported)
            if found is not None and found.confidence >= self._config.detection_min_confidence:
                detected = found.language
        chosen = languages.choose(
            explicit=customer.language if customer.language_explicit else None,
            stored=customer.language,
            hint=hinted,
            detected=detected,
            default=self._config.default_language,
            supported=supported,
        )
        turn = Turn(
            event=event,
            dialogue=dialogue,
            customer=customer,
            language=chosen,
            store=self._store,
            catalogs=self._catalogs,
            config=self._config,
            translator=self._translator,
        )
        # Only a real signal becomes the stored preference; the default must not outrank a later one.
        if customer.language is None and (hinted or detected):
            turn.outbox.add(Op.LANGUAGE, customer_id=customer.id, language=chosen, explicit=False)
        return turn

    async def _step(self, turn: Turn) -> State:
        event = turn.event
        if event.kind is EventKind.COMMAND:
            command = COMMANDS.get(event.command)
            if command is None:
                turn.say_key("unknown.command")
                return turn.dialogue.state
            return await command(turn)
        if event.kind is EventKind.BUTTON and event.text == SHOW_HELD:
            return turn.dialogue.state  # the channel delivers what it held for this chat
        if event.kind is EventKind.BUTTON and event.text == "language":
            return await on_language_menu(turn)
        if event.kind is EventKind.BUTTON and event.text.partition(":")[0] == "complain":
            return await self._complaint_button(turn, event.text.partition(":")[2])
        if event.kind is EventKind.BUTTON and event.text.startswith("invite:"):
            return await open_invitation(turn, event.text.removeprefix("invite:"))
        if event.kind is EventKind.BUTTON and event.text.startswith(ticket_chat.TICKET_BUTTONS):
            return await ticket_chat.on_ticket_button(turn)
        if event.kind is EventKind.BUTTON and event.text.startswith("lang:"):
            return await self._switch_language(turn, event.text.removeprefix("lang:"))
        media_welcome = turn.dialogue.state is State.COMPLAINT_DESCRIPTION and event.kind is EventKind.MEDIA
        if event.kind in {EventKind.MEDIA, EventKind.UNSUPPORTED} and not media_welcome:
            turn.say_key("unsupported.media")
            return turn.dialogue.state
        forwarded = await ticket_chat.forward_to_open_ticket(turn)
        if forwarded is not None:
            return forwarded
        classifying = feedback.ask_kind(turn)
        if classifying is not None:
            return classifying
        return await STEPS[turn.dialogue.state](turn)

    async def _complaint_button(self, turn: Turn, detail: str) -> State:
        """`complain` (start menu), `complain:r<rating>` (offer after a low rating), `complain:no`."""
        if detail == "no":
            turn.say(turn.t("complaint.offer"), edit_ref=turn.pressed_ref())
            return turn.dialogue.state
        rating = int(detail[1:]) if detail in {"r1", "r2"} else None
        if detail and rating is None:
            turn.notice = turn.t("unknown.button")
            return turn.dialogue.state
        return await complaint.start_complaint(turn, rating=rating)

    async def _switch_language(self, turn: Turn, code: str) -> State:
        if not self._catalogs.has(code):
            turn.notice = turn.t("unknown.button")
            return turn.dialogue.state
        turn.outbox.add(Op.LANGUAGE, customer_id=turn.customer.id, language=code, explicit=True)
        turn.language = code
        turn.say(turn.t("language.set"), edit_ref=turn.pressed_ref())
        in_complaint = complaint.reshow(turn, turn.dialogue.state)
        return in_complaint if in_complaint is not None else await reshow(turn, turn.dialogue.state)
