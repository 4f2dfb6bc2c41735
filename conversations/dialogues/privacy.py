"""The customer's rights: withdraw consent (/stop), see their data (/mydata), erase it (/delete)."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_datetime

from conversations.dialogues.dialogue import State
from conversations.dialogues.survey import SURVEY_CONSENT, abandon, record_consent, reshow
from conversations.outbox import Op
from conversations.rendering import answer_label
from conversations.turn import Turn
from core.payloads import Erase
from core.questionnaire import Questionnaire
from core.responses import Response
from storage.consents import Decision


async def withdraw(turn: Turn) -> State:
    d = turn.dialogue
    current = await turn.reads.consents.current(customer_id=turn.customer.id, kind=SURVEY_CONSENT)
    active = d.state in {State.CONSENT, State.SURVEY, State.RESUME}
    if current is not Decision.GRANTED and not active:
        turn.say_key("stop.not_active")
        return d.state
    if current is Decision.GRANTED:
        record_consent(turn, Decision.WITHDRAWN)
    if d.response_id and d.state in {State.SURVEY, State.RESUME}:
        await abandon(turn, d.questionnaire_id or "")
    d.question_id, d.history = None, []
    turn.say_key("stop.done")
    return State.WITHDRAWN


async def my_data(turn: Turn) -> State:
    """Send everything stored about the customer, in their language."""
    history = await turn.reads.consents.history(customer_id=turn.customer.id)
    responses = await turn.reads.responses.for_customer(customer_id=turn.customer.id)
    # A survey's answers reach `responses` when it ends; those in progress (this chat's included)
    # are read from the conversations.
    responses = await turn.reads.conversations.with_answers_so_far(responses)
    # Ids (the pseudonymous customer, consent-text hashes) mean nothing to the customer: not shown.
    # The language is listed only when it is stored (chosen or remembered), not when merely guessed
    # for this message, e.g. right after an erasure.
    stored = turn.customer.language is not None
    lines = [turn.t("mydata.header")]
    if stored:
        lines += ["", turn.t("mydata.language", language=turn.t("language.name"))]
    if history:
        lines += ["", turn.t("mydata.consents")]
        for e in history:
            decision = turn.t(f"decision.{e.decision.value}")
            purpose = turn.t(f"mydata.purpose.{e.kind}")
            lines.append(f"• {_when(e.at, turn.language)} — {purpose}: {decision}")
    if responses:
        lines += ["", turn.t("mydata.responses")]
        for response in responses:
            lines += await _describe_response(turn, response)
    lines += await _complaints_and_feedback(turn)
    if len(lines) == 1:
        lines = [turn.t("mydata.none")]
    turn.say("\n".join(lines))
    return turn.dialogue.state


async def _describe_response(turn: Turn, response: Response) -> list[str]:
    questionnaire = await turn.reads.questionnaires.get(
        questionnaire_id=response.questionnaire_id, version=response.questionnaire_version
    )
    # An abandoned response reads "in progress" too: the customer has only those two words.
    status_key = "status.complete" if response.complete else "status.in_progress"
    title = (
        questionnaire.title[questionnaire.language_for(turn.language)]
        if questionnaire is not None
        else response.questionnaire_id
    )
    header = f"— {title}, {turn.t(status_key)}"
    if response.started_at is not None:
        header += f", {_when(response.started_at, turn.language)}"
    if response.order_ref:
        header += f", #{response.order_ref}"
    lines = [header]
    if questionnaire is None:
        return lines
    for question in questionnaire.questions:
        if (answer := response.answers.get(question.id)) is not None:
            label = answer_label(
                questionnaire,
                question,
                answer.value,
                skipped=answer.skipped,
                language=turn.language,
                catalogs=turn.catalogs,
            )
            lines.append(f"  {_short(questionnaire, question.id, turn.language)}: {label}")
    return lines


async def _complaints_and_feedback(turn: Turn) -> list[str]:
    store, customer_id = turn.reads, turn.customer.id
    lines: list[str] = []
    tickets = await store.tickets.for_customer(customer_id=customer_id)
    if tickets:
        lines += ["", turn.t("mydata.complaints")]
        for ticket in tickets:
            status = turn.t("status.complete" if ticket.closed else "status.in_progress")
            category = turn.t(f"complaint.category.{ticket.category}")
            header = f"— {ticket.id}, {category}, {status}, {_when(ticket.created_at, turn.language)}"
            if ticket.order_ref:
                header += f", #{ticket.order_ref}"
            lines += [header, f"  {ticket.product or ''}: {ticket.description}"]
            contact = await store.contacts.get(ticket_id=ticket.id)
            if contact:
                lines.append("  " + turn.t("mydata.contact", value=contact))
    feedback = await store.feedback.for_customer(customer_id=customer_id)
    if feedback:
        lines += ["", turn.t("mydata.feedback")]
        for doc in feedback:
            lines.append(f"— {turn.t(f'classify.{doc.get("kind")}')}: {doc.get('text')}")
    return lines


def _short(questionnaire: Questionnaire, question_id: str, language: str) -> str:
    question = questionnaire.question(question_id)
    text = question.text[questionnaire.language_for(language)] if question else question_id
    return text if len(text) <= 80 else text[:77] + "…"


def _when(moment: datetime, language: str) -> str:
    """A date and time the way the customer's locale writes them (Babel/CLDR), in UTC."""
    return format_datetime(moment, format="medium", tzinfo=UTC, locale=language) + " UTC"


async def ask_erase(turn: Turn) -> State:
    d = turn.dialogue
    if d.state is not State.CONFIRM_DELETE:
        d.return_state = d.state
    turn.say(
        turn.t("delete.confirm"),
        (
            (
                Erase(confirmed=True).button(turn.t("button.delete_confirm")),
                Erase(confirmed=False).button(turn.t("button.cancel")),
            ),
        ),
    )
    return State.CONFIRM_DELETE


async def on_confirm_delete(turn: Turn) -> State:
    pressed = turn.event.pressed(Erase)
    if pressed is not None and pressed.confirmed:
        return await erase(turn)
    if pressed is not None:
        turn.say(turn.t("delete.cancelled"), edit_ref=turn.pressed_ref())
        back = turn.dialogue.return_state or State.NEW
        turn.dialogue.return_state = None
        return await reshow(turn, back)
    return await ask_erase(turn)


async def erase(turn: Turn) -> State:
    """Erase answers and personal data. The consent ledger keeps its entries: they prove what was
    agreed, and once the identity is gone they point to nobody.

    A step like any other: it decides (the withdrawal entry, then the erasure) and the engine
    commits and applies; a worker that dies in between leaves the erasure pending in the
    conversation, and whoever loads it next carries it out (`erase_customer` may run twice).
    """
    if (
        await turn.reads.consents.current(customer_id=turn.customer.id, kind=SURVEY_CONSENT)
        is Decision.GRANTED
    ):
        record_consent(turn, Decision.WITHDRAWN)
    turn.outbox.add(
        Op.ERASE,
        customer_id=turn.customer.id,
        channel=turn.event.channel,
        chat_key=turn.event.chat_key,
        event_id=turn.event.event_id,
        at=turn.config.clock(),
    )
    turn.dialogue.history, turn.dialogue.answers = [], None
    turn.dialogue.detour = turn.dialogue.return_to = None
    turn.say(turn.t("delete.done"), edit_ref=turn.pressed_ref())
    return State.NEW
