"""Everything one step of a dialogue needs, and the replies it collects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from conversations.detection import CONFIDENT
from conversations.dialogues.detours import ComplaintDraft, PreviewDraft
from conversations.dialogues.dialogue import Dialogue, State
from conversations.outbox import Outbox
from conversations.ports import Reads
from conversations.rendering import Branding
from conversations.tickets.policy import ComplaintPolicy
from conversations.translation import Translator
from core.events import Choice, InboundEvent, Outbound, Unprompted
from core.questionnaire import Questionnaire
from locales.catalog import Catalogs, is_rtl
from storage.customers import Customer
from storage.store import Store


class AnsweredQuestion(StrEnum):
    """How a question answered with a button stays in the chat, and how the next one arrives."""

    SEPARATE = "separate"
    """The question is edited to show the answer (✓) under it; the next comes as a new message."""
    EDIT = "edit"
    """The question's message becomes the answer (✓) followed by the next question: one edit."""
    NEW = "new"
    """One new message: the answer (✓), then the next question; the old buttons stay (a tap on them
    is answered "already answered")."""


@dataclass(frozen=True, slots=True)
class EngineConfig:
    branding: Branding
    default_language: str
    default_questionnaire: str
    # Below this confidence a detected language is ignored (the other signals or the default decide).
    detection_min_confidence: float = CONFIDENT
    # A UI catalog and the default questionnaire cover them; empty: every catalog's language.
    served_languages: tuple[str, ...] = ()
    # Unserved -> served, as the shop chose (FALLBACK_LANGUAGES); others get the default language.
    fallback_languages: dict[str, str] = field(default_factory=dict)
    complaints: ComplaintPolicy = field(default_factory=ComplaintPolicy)
    admins: frozenset[str] = frozenset()  # "<channel>:<user key>" of staff who may run /admin
    questionnaire_max_minutes: int = 5
    reminder_count: int = 1  # nudges for a started, unfinished survey
    reminder_delay: timedelta = timedelta(hours=24)
    report_min_group: int = 5  # smaller groups are never shown in reports
    agent_language: str = "en"  # what agents write in; translated into the customer's language
    # Whether agents have a desk (Slack) now; without one, what customers send waits for it, and the
    # bot does not say it was passed on.
    desk: bool = True
    survey_languages: tuple[str, ...] = ()  # the languages the shop serves; empty: every shipped one
    deep_link: Callable[[str], str | None] = field(default=lambda payload: None)  # start payload → t.me link
    # Per channel (a channel not named: SEPARATE). One call per answer matters where messages are
    # rate-limited (Telegram's ~30 messages/s for the whole bot).
    answered_question: Mapping[str, AnsweredQuestion] = field(default_factory=dict)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Reply:
    messages: tuple[Outbound, ...] = ()
    notice: str | None = None
    """A short note attached to the acknowledgement of a button press (a Telegram toast)."""
    keep_buttons: bool = False
    """Earlier messages may keep their buttons: the dialogue answers a tap on them, so an adapter
    need not spend a call taking superseded buttons off."""


@dataclass(slots=True)
class Turn:
    event: InboundEvent
    dialogue: Dialogue
    customer: Customer
    language: str
    direct: Store
    """The whole store: only for the admin commands and a ticket's lifecycle, which write through
    their own versioned operations. Dialogue steps read through `reads` and write through `outbox`."""
    catalogs: Catalogs
    config: EngineConfig
    translator: Translator | None = None
    messages: list[Outbound] = field(default_factory=list)
    notice: str | None = None
    keep_buttons: bool = False
    outbox: Outbox = field(default_factory=Outbox)
    """What the step decided beyond its state and reply; committed with them, applied after."""

    @property
    def reads(self) -> Reads:
        """What a dialogue step may read besides its conversation (conversations/ports.py)."""
        return self.direct

    def t(self, key: str, /, **values: object) -> str:
        return self.catalogs.text(self.language, key, **values)

    def say(
        self,
        text: str,
        choices: tuple[tuple[Choice, ...], ...] = (),
        *,
        edit_ref: str | None = None,
        unprompted: Unprompted | None = None,
        cosmetic: bool = False,
    ) -> None:
        self.messages.append(
            Outbound(
                text=text,
                choices=choices,
                edit_ref=edit_ref,
                rtl=is_rtl(self.language),
                unprompted=unprompted,
                language=self.language,
                cosmetic=cosmetic,
            )
        )

    def say_key(self, key: str, /, **values: object) -> None:
        self.say(self.t(key, **values))

    def complaint(self) -> ComplaintDraft:
        """The complaint being written (a chat stored mid-complaint without one starts it afresh)."""
        d = self.dialogue
        if not isinstance(d.detour, ComplaintDraft):
            d.detour = ComplaintDraft()
        return d.detour

    def leave_detour(self, default: State) -> State:
        """End the detour: the state it returns to (`default` when it recorded none)."""
        d = self.dialogue
        back = d.return_to or default
        d.detour, d.return_to = None, None
        return back

    def pressed_ref(self) -> str | None:
        """The message whose button was pressed, to be edited in place."""
        return self.event.message_ref

    async def questionnaire(self) -> Questionnaire:
        d = self.dialogue
        if isinstance(d.detour, PreviewDraft):
            return d.detour.questionnaire
        if d.questionnaire_id is not None and d.questionnaire_version is not None:
            found = await self.reads.questionnaires.get(
                questionnaire_id=d.questionnaire_id, version=d.questionnaire_version
            )
            if found is not None:
                return found
        fallback = await self.reads.questionnaires.latest(questionnaire_id=self.config.default_questionnaire)
        if fallback is None:
            raise RuntimeError(f"default questionnaire {self.config.default_questionnaire!r} missing")
        d.questionnaire_id, d.questionnaire_version = fallback.id, fallback.version
        return fallback

    def reply(self) -> Reply:
        return Reply(messages=tuple(self.messages), notice=self.notice, keep_buttons=self.keep_buttons)

    def answered_question(self) -> AnsweredQuestion:
        """How this channel shows a question answered with a button (`EngineConfig.answered_question`)."""
        return self.config.answered_question.get(self.event.channel, AnsweredQuestion.SEPARATE)


Step = Callable[[Turn], Awaitable[State]]
"""A step of the dialogue: decides the next state, the reply and the effects of one event."""
