"""All repositories over one database, created once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from storage.admin import AuditLog, QuestionnaireDrafts
from storage.consents import ConsentLedger
from storage.contacts import Contacts
from storage.conversations import Conversations
from storage.customers import Customers
from storage.deliveries import Deliveries
from storage.feedback import Feedback
from storage.improvements import Improvements
from storage.inbox import Inbox
from storage.indexes import ensure_indexes
from storage.invitations import Invitations
from storage.jobs import Jobs
from storage.questionnaires import Questionnaires
from storage.report_approvals import ReportApprovals
from storage.responses import Responses
from storage.rollups import Rollups
from storage.sealing import Sealer
from storage.service_windows import HeldMessages, ServiceWindows
from storage.theme_assignments import ThemeAssignments
from storage.tickets import Tickets
from storage.translations import TranslationCache
from storage.types import Database
from storage.webchat import WebChatTranscripts


@dataclass(frozen=True, slots=True)
class Store:
    customers: Customers
    conversations: Conversations
    responses: Responses
    consents: ConsentLedger
    inbox: Inbox
    questionnaires: Questionnaires
    tickets: Tickets
    jobs: Jobs
    contacts: Contacts
    feedback: Feedback
    drafts: QuestionnaireDrafts
    audit: AuditLog
    invitations: Invitations
    deliveries: Deliveries
    windows: ServiceWindows
    held: HeldMessages
    webchat: WebChatTranscripts
    rollups: Rollups
    improvements: Improvements
    translations: TranslationCache
    approvals: ReportApprovals
    themes: ThemeAssignments

    @classmethod
    async def open(cls, db: Database, *, sealer: Sealer | None = None) -> Store:
        """`sealer` encrypts contact details; without one, a key that dies with the process."""
        await ensure_indexes(db)
        return cls(
            customers=Customers(db),
            conversations=Conversations(db),
            responses=Responses(db),
            consents=ConsentLedger(db),
            inbox=Inbox(db),
            questionnaires=Questionnaires(db),
            tickets=Tickets(db),
            jobs=Jobs(db),
            contacts=Contacts(db, sealer or Sealer.ephemeral()),
            feedback=Feedback(db),
            drafts=QuestionnaireDrafts(db),
            audit=AuditLog(db),
            invitations=Invitations(db),
            deliveries=Deliveries(db),
            windows=ServiceWindows(db),
            held=HeldMessages(db),
            webchat=WebChatTranscripts(db),
            rollups=Rollups(db),
            improvements=Improvements(db),
            translations=TranslationCache(db),
            approvals=ReportApprovals(db),
            themes=ThemeAssignments(db),
        )

    async def forget_chat(self, *, channel: str, chat_key: str) -> None:
        """What the channels keep of one chat beyond the conversation: each erases its own."""
        for kept in (self.held, self.windows, self.webchat):
            await kept.forget_chat(channel=channel, chat_key=chat_key)
