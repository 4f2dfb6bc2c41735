"""Admin commands that start or compare questionnaires: from a template, a deep link, a diff."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from conversations.admin.context import AdminReply
from conversations.admin.documents import AdminError, arg, definition, parse
from conversations.admin.questionnaire_diff import diff as questionnaire_diff
from conversations.admin.questionnaire_templates import LABELS, template
from conversations.admin.questionnaire_templates import NAMES as TEMPLATE_NAMES
from conversations.dialogues.start_payload import build_start_payload
from core.admin_payloads import UseTemplate
from core.questionnaire_drafts import DraftStatus

if TYPE_CHECKING:
    from conversations.admin.commands import AdminCommands


async def from_template(commands: AdminCommands, args: list[str]) -> AdminReply:
    """`new from-template [<template> [<new-id>]]`: a working copy of a template from the policy."""
    if not args:
        lines = ["Templates (then: new from-template <template> [<new-id>]):"]
        lines += [f"• {name} — {LABELS[name]}" for name in TEMPLATE_NAMES]
        rows = tuple((UseTemplate(name).button(LABELS[name]),) for name in TEMPLATE_NAMES)
        return AdminReply("\n".join(lines), choices=rows)
    found = template(args[0])
    if found is None:
        raise AdminError(f"no template {args[0]!r} (templates: {', '.join(TEMPLATE_NAMES)})")
    new_id = args[1] if len(args) > 1 else await _free_id(commands, args[0])
    created = parse(definition(found) | {"id": new_id, "version": 1}, source=f"template {args[0]}")
    if await commands.store.questionnaires.latest(questionnaire_id=new_id) is not None or not (
        await commands.store.drafts.create(
            questionnaire_id=new_id, definition=definition(created), author=commands.admin
        )
    ):
        raise AdminError(f"{new_id!r} exists already; give another id")
    reply = await commands.with_lint(
        f"Working copy {new_id!r} created from the template {args[0]!r}.", created, None
    )
    return dataclasses.replace(reply, target=new_id)


async def _free_id(commands: AdminCommands, base: str) -> str:
    for number in range(1, 100):
        candidate = base if number == 1 else f"{base}-{number}"
        taken = await commands.store.questionnaires.latest(questionnaire_id=candidate) is not None
        if not taken and await commands.store.drafts.get(questionnaire_id=candidate) is None:
            return candidate
    raise AdminError("give the new questionnaire an id: new from-template <template> <new-id>")


async def link(commands: AdminCommands, args: list[str], document: str) -> AdminReply:
    """A deep link that starts a published questionnaire, optionally for one order."""
    qid = arg(args, 0, "questionnaire id")
    order = args[1] if len(args) > 1 else None
    if await commands.store.questionnaires.latest(questionnaire_id=qid) is None:
        raise AdminError(f"{qid!r} is not published; links start only published questionnaires")
    if await commands.store.drafts.is_closed(questionnaire_id=qid):
        raise AdminError(f"{qid} is closed; a link would start the default questionnaire")
    try:
        payload = build_start_payload(questionnaire_id=qid, order_ref=order)
    except ValueError:
        raise AdminError("an order reference in a link is 1–40 letters, digits or -") from None
    url = commands.context.deep_link(payload)
    if url is None:
        return AdminReply(f"Start payload: {payload}\nSet TELEGRAM_BOT_USERNAME to get the full t.me link.")
    for_whom = f" for order {order}" if order else ""
    return AdminReply(f"Link to {qid}{for_whom}:\n{url}")


async def diff(commands: AdminCommands, args: list[str], document: str) -> AdminReply:
    """What publishing the working copy would change, against the published version."""
    qid = arg(args, 0, "questionnaire id")
    published = await commands.store.questionnaires.latest(questionnaire_id=qid)
    draft = await commands.store.drafts.get(questionnaire_id=qid)
    if published is None:
        raise AdminError(f"{qid!r} is not published; `show {qid}` shows the whole working copy")
    if draft is None or draft.status in {DraftStatus.PUBLISHED, DraftStatus.CLOSED}:
        return AdminReply(f"{qid}: the working copy is the published v{published.version}.")
    lines = questionnaire_diff(published, parse(draft.definition, source=qid))
    if not lines:
        return AdminReply(f"{qid}: no changes against the published v{published.version}.")
    return AdminReply(f"{qid}, working copy against the published v{published.version}:\n" + "\n".join(lines))
