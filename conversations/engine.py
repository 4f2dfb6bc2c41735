"""The dialogue engine: load a chat's state, run one step of its state machine, commit it (versioned)."""

from __future__ import annotations

import copy
import dataclasses
import logging
from collections import OrderedDict
from typing import Any

from conversations import language as languages
from conversations import outbox
from conversations.deferred import DeferredEffects, deferrable, latest_only
from conversations.detection import detect
from conversations.dialogues import machine, unserved
from conversations.dialogues.dialogue import Dialogue, State
from conversations.dialogues.machine import STEPS
from conversations.dialogues.start_payload import StartPayload
from conversations.dialogues.survey import offer_consent
from conversations.interceptors import INTERCEPTORS
from conversations.outbox import Effect, Op
from conversations.reports import rollups
from conversations.tickets.agent_actions import apply_agent_action
from conversations.translation import Translator
from conversations.turn import EngineConfig, Reply, Turn
from core.events import EventKind, InboundEvent, Outbound
from locales.catalog import Catalogs, is_rtl
from storage.conversations import Conversations
from storage.customers import Customer
from storage.store import Store

log = logging.getLogger("conversations.engine")
MAX_SAVE_ATTEMPTS = 5
CACHED_CHATS = 2_000
# What a visitor with nothing stored may see without anything being written: the consent prompt
# (again, in another language). A preference from a platform hint is not worth storing yet.
PREVIEW_STATES = frozenset({State.NEW, State.CONSENT})
PREVIEW_EFFECTS = frozenset({Op.LANGUAGE})


class ConcurrentUpdateError(RuntimeError):
    """Another worker kept saving the same conversation; the event stays pending for replay."""


def _reply_document(event_id: str, reply: Reply) -> dict[str, Any]:
    messages = [{**m.to_document(), "edit_ref": m.edit_ref} for m in reply.messages]
    return {
        "event_id": event_id,
        "notice": reply.notice,
        "messages": messages,
        **({"keep_buttons": True} if reply.keep_buttons else {}),
    }


def _stored_reply(doc: dict[str, Any]) -> Reply:
    messages = tuple(
        dataclasses.replace(Outbound.from_document(m), edit_ref=m.get("edit_ref"))
        for m in doc.get("messages", [])
    )
    return Reply(messages=messages, notice=doc.get("notice"), keep_buttons=bool(doc.get("keep_buttons")))


class Engine:
    def __init__(
        self,
        *,
        store: Store,
        catalogs: Catalogs,
        config: EngineConfig,
        translator: Translator | None = None,
        defer_seconds: float | None = None,
    ) -> None:
        self._translator = translator
        self._store = store
        # With an interval, an answer's effects are applied in the background (batched) after the
        # reply; without one, before it (tests that read the store right after `handle`).
        self._deferred = None if defer_seconds is None else DeferredEffects(store, interval=defer_seconds)
        self._catalogs = catalogs
        self._config = config
        # Each chat's last committed document (and customer), kept for its next event, which usually
        # comes to the same worker: no read before that step, and its outbox is known applied here.
        self._recent: OrderedDict[str, tuple[dict[str, Any], Customer | None]] = OrderedDict()

    async def handle(self, event: InboundEvent) -> Reply:
        """Apply one event; an event already applied to this chat gets its reply again, unchanged.

        The step decides; this commits its state, reply and effects in one versioned write, and
        only then applies the effects (the outbox). A step that loses the race to another worker
        has written nothing and simply runs again on the winner's state. The reply is saved with
        the state: a worker killed after saving but before the reply left must not leave the
        customer without their next question when the event is replayed.
        """
        if event.kind is EventKind.AGENT:
            # A ticket's own versioned, idempotent operations; no conversation is involved.
            return await apply_agent_action(
                event, store=self._store, policy=self._config.complaints, clock=self._config.clock
            )
        try:
            return await self._handle(event)
        except BaseException:
            # Whatever failed, the next event of this chat starts from what is stored.
            self._recent.pop(Conversations.key(channel=event.channel, chat_key=event.chat_key), None)
            raise

    async def flush(self) -> None:
        """Apply every effect committed before this call (the dispatcher's cue to mark events done)."""
        if self._deferred is not None:
            await self._deferred.flush()

    async def close(self) -> None:
        """Apply what is still queued (at shutdown)."""
        if self._deferred is not None:
            await self._deferred.close()

    async def preview(self, event: InboundEvent) -> Reply | None:
        """The reply to an event of a chat with nothing stored, when it needs nothing stored; else None.

        An anonymous visitor (the web chat) sees the consent prompt without a conversation, customer
        or identity being written: the first write comes with their decision, through `handle`.
        Reads only; nothing here can race another worker.
        """
        if event.kind is not EventKind.COMMAND and event.kind is not EventKind.TEXT:
            if not (event.kind is EventKind.BUTTON and event.text.startswith("lang:")):
                return None
        key = Conversations.key(channel=event.channel, chat_key=event.chat_key)
        if key in self._recent or await self._store.conversations.load(
            channel=event.channel, chat_key=event.chat_key
        ):
            return None
        if await self._store.customers.known(channel=event.channel, user_key=event.user_key):
            return None
        visitor = Customer(id="", language=None, language_explicit=False)
        dialogue = Dialogue(key=key, channel=event.channel, chat_key=event.chat_key, customer_id="")
        turn = await self._turn(event, dialogue, visitor)
        # A visitor's page asks for the prompt (/start) before anything else: every event after that
        # meets the prompt as it was shown (another language, a typed reply shows it again).
        dialogue.state = await offer_consent(turn, StartPayload())
        turn.messages.clear()
        state = await self._step(turn)
        if state not in PREVIEW_STATES or {e.op for e in turn.outbox.effects} - PREVIEW_EFFECTS:
            return None
        return turn.reply()

    async def _handle(self, event: InboundEvent) -> Reply:
        key = Conversations.key(channel=event.channel, chat_key=event.chat_key)
        deferred = self._deferred
        if deferred is not None and event.kind is EventKind.COMMAND and deferred.has_pending(key):
            # A command may read or erase what the chat's queued effects write (/mydata, /delete).
            await deferred.flush()
        for _ in range(MAX_SAVE_ATTEMPTS):
            turn = await self._prepare(event)
            if isinstance(turn, Reply):
                return turn
            turn.dialogue.state = await self._step(turn)
            reply = turn.reply()
            effects = list(turn.outbox.effects)
            # Effects of earlier commits still queued here ride along: this commit replaces the outbox.
            carried = deferred.pending_for(key) if deferred is not None else []
            documents = [e.to_document() for e in latest_only([*carried, *effects])]
            pending = {"event_id": event.event_id, "effects": documents} if documents else None
            saved = await self._store.conversations.save(
                state={
                    **turn.dialogue.to_document(),
                    "last_reply": _reply_document(event.event_id, reply),
                    "outbox": pending,
                },
                expected_version=turn.dialogue.version,
                event_id=event.event_id,
            )
            if saved is not None:
                self._remember(turn.dialogue.key, saved, turn.customer, effects)
                if deferred is not None and deferrable(effects):
                    deferred.add(key, effects)
                elif effects:
                    if deferred is not None and deferred.has_pending(key):
                        await deferred.flush()  # in order: e.g. the last answers before an abandon
                    await self._apply(turn.dialogue.key, event.event_id, effects)
                return reply
            self._recent.pop(turn.dialogue.key, None)
            log.info("conversation changed concurrently; re-running the event")
        raise ConcurrentUpdateError(f"could not save the conversation after {MAX_SAVE_ATTEMPTS} tries")

    def _remember(self, key: str, doc: dict[str, Any], customer: Customer, effects: list[Effect]) -> None:
        """Keep the chat's committed document for its next event: no read before that step.

        Safe with any number of workers: the next commit is versioned, so a document another worker
        changed meanwhile makes it fail, and the event runs again on a fresh read. A customer whose
        language changed is read afresh; an erased chat is not kept.
        """
        ops = {effect.op for effect in effects}
        if Op.ERASE in ops:
            self._recent.pop(key, None)
            return
        self._recent[key] = (doc, None if Op.LANGUAGE in ops else customer)
        self._recent.move_to_end(key)
        while len(self._recent) > CACHED_CHATS:
            self._recent.popitem(last=False)

    async def _apply(self, key: str, event_id: str, effects: list[Effect]) -> None:
        await outbox.apply(self._store, effects)
        if any(effect.op in outbox.PERSONAL for effect in effects):
            # Contact details and free text must not linger in the conversation document.
            await self._store.conversations.clear_outbox(key=key, event_id=event_id)

    async def _prepare(self, event: InboundEvent) -> Turn | Reply:
        key = Conversations.key(channel=event.channel, chat_key=event.chat_key)
        cached = self._recent.get(key)
        doc: dict[str, Any] | None
        known: Customer | None
        if cached is not None:
            # Kept after this worker committed and applied it (a failure drops it). A copy: a step
            # that fails half-way must not leave its changes in the kept document.
            doc, known = copy.deepcopy(cached[0]), cached[1]
        else:
            known = None
            doc = await self._store.conversations.load(channel=event.channel, chat_key=event.chat_key)
            pending = (doc or {}).get("outbox")
            if doc is not None and pending:
                # Committed by another worker, or one that died before applying them: they must
                # land before anything reads what they write (applying twice changes nothing).
                effects = [Effect.from_document(e) for e in pending.get("effects", [])]
                await self._apply(key, str(pending.get("event_id")), effects)
        if doc is None and event.kind is EventKind.TIMER:
            return Reply()  # the chat was erased since the job was scheduled
        if doc is not None and event.event_id in doc.get("recent_events", []):
            last = doc.get("last_reply") or {}
            return _stored_reply(last) if last.get("event_id") == event.event_id else Reply()
        if doc is not None:
            dialogue = Dialogue.from_document(doc)
            customer = (
                known
                if known is not None and known.id == dialogue.customer_id
                else await self._store.customers.get(customer_id=dialogue.customer_id)
            )
        else:
            customer = None
        if customer is None:
            customer = await self._store.customers.identify(channel=event.channel, user_key=event.user_key)
            dialogue = Dialogue(
                key=key,
                channel=event.channel,
                chat_key=event.chat_key,
                customer_id=customer.id,
                version=0 if doc is None else int(doc.get("version", 0)),
            )
        return await self._turn(event, dialogue, customer)

    async def _turn(self, event: InboundEvent, dialogue: Dialogue, customer: Customer) -> Turn:
        """The step's context, in the language the signals choose."""
        supported = self._config.served_languages or self._catalogs.languages
        hinted = languages.normalise(event.language_hint, supported)
        detected = foreign = None
        if customer.language is None and hinted is None:
            foreign = unserved.of_hint(event.language_hint, supported)
            found = detect(event.text, served=supported) if event.kind is EventKind.TEXT else None
            if found and found.confidence >= self._config.detection_min_confidence:
                if found.served:
                    detected, foreign = found.language, None
                elif foreign is None:
                    foreign = found.language
        default = self._config.default_language
        if foreign is not None:
            # Never silently a neighbour: the shop's chosen fallback or the default, with a note.
            default = unserved.fallback_for(
                foreign, fallbacks=self._config.fallback_languages, default=default, served=supported
            )
        chosen = languages.choose(
            explicit=customer.language if customer.language_explicit else None,
            stored=customer.language,
            hint=hinted,
            detected=detected,
            default=default,
            supported=supported,
        )
        turn = Turn(
            event=event,
            dialogue=dialogue,
            customer=customer,
            language=chosen,
            direct=self._store,
            catalogs=self._catalogs,
            config=self._config,
            translator=self._translator,
        )
        if foreign is not None:
            text, written_in = await unserved.note(
                foreign, chosen, catalogs=self._catalogs, translator=self._translator
            )
            turn.messages.append(Outbound(text=text, rtl=is_rtl(written_in)))
            await rollups.count_unserved(
                turn.outbox,
                language=foreign,
                questionnaire_id=self._config.default_questionnaire,
                customer_id=customer.id,
                at=self._config.clock(),
            )
        # Only a real signal becomes the stored preference; the default must not outrank a later one.
        # The fallback for an unserved language is one: the note is said once, not on every message.
        if customer.language is None and (hinted or detected or foreign):
            turn.outbox.add(Op.LANGUAGE, customer_id=customer.id, language=chosen, explicit=False)
        return turn

    async def _step(self, turn: Turn) -> State:
        """Cross-cutting interceptors first, in order; otherwise the current state's own step."""
        before = turn.dialogue.state
        for interceptor in INTERCEPTORS:
            after = await interceptor.run(turn)
            if after is not None:
                return machine.enforce(before, after, via=interceptor)
        return machine.enforce(before, await STEPS[before](turn), via=None)
