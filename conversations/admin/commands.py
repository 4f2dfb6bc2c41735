"""Admin commands for questionnaires, one engine for every surface (Telegram chat, Slack command).

`/admin <command> [arguments]`, with a YAML document on the following lines where one is needed.
Review follows the policy's compliance step: draft → submitted → approved by a *different* admin →
published as a new version → closed. Every command, done or refused, is in the audit log.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import yaml

from conversations.admin import authoring as admin_authoring
from conversations.admin import reports as admin_reports
from conversations.admin.context import AdminContext as AdminContext
from conversations.admin.context import AdminReply as AdminReply
from conversations.admin.documents import (
    AdminError,
    arg,
    complete_languages,
    definition,
    parse,
    parse_yaml,
    question_entry,
    target,
)
from conversations.admin.questionnaire_lint import lint
from conversations.admin.review import AdminNotice, ReviewStep, enforce, reviewers
from core.questionnaire import Questionnaire
from core.questionnaire_drafts import DraftStatus, QuestionnaireDraft
from core.responses import ResponseStatus
from storage.store import Store

MAX_DOCUMENT = 200_000
HELP = (
    """Admin commands (/admin …):
help — this list
list — questionnaires: published version and review status
show <id> — questions, languages, duration, status
diff <id> — what the working copy changes against the published version, per language
export <id> — the working copy as YAML (the format the project ships)
new — the guided builder (in a chat); or the YAML on the following lines (its id from the YAML)
new from-template [<template> [<new-id>]] — a working copy of a template from the policy
copy <id> <new-id> — a new working copy from an existing questionnaire
text <id> <question> <language> <text…> — change one text · title <id> <language> <text…>
translate <id> [<language>] — draft a language (without: every one missing) by machine translation
review <id> <language> — machine-translated texts read and correct
required <id> <question> yes|no · dimension <id> <question> <name>
move <id> <question> <position> · remove <id> <question>
add <id> — then one question as YAML on the following lines (added at the end)
lint <id> — problems to fix before review
submit <id> · approve <id> · reject <id> <reason…> — review (approval by another admin)
publish <id> — make the approved copy the new version customers get
close <id> — no new customers start it (those in it finish)
preview <id> — take it here as a customer would; nothing is stored
link <id> [order] — a deep link that starts it (for one order), without the shop's API
coverage <id> [days] — invited, opened, consented, completed (invitations of the last 30 days)
audit — the latest admin actions
"""
    + admin_reports.HELP
)


Command = Callable[["AdminCommands", list[str], str], Awaitable[AdminReply]]


class AdminCommands:
    def __init__(self, context: AdminContext, *, admin: str) -> None:
        self._context = context
        self._store = context.store
        self._admin = admin

    @property
    def store(self) -> Store:
        return self._store

    @property
    def context(self) -> AdminContext:
        return self._context

    @property
    def admin(self) -> str:
        return self._admin

    async def run(self, line: str, document: str = "") -> AdminReply:
        """Run one command line (and its document); refusals come back as replies, audited."""
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        name = words[0].lower() if words else "help"
        command = COMMANDS.get(name)
        if command is None:
            return AdminReply(f"Unknown command {name!r}.\n\n{HELP}")
        if len(document) > MAX_DOCUMENT:
            return await self._refused(name, None, f"the document is longer than {MAX_DOCUMENT} characters")
        try:
            reply = await command(self, words[1:], document)
        except AdminError as error:
            return await self._refused(name, words[1] if len(words) > 1 else None, str(error))
        if name not in {
            "help",
            "list",
            "show",
            "diff",
            "export",
            "lint",
            "audit",
            "coverage",
            "report",
            "link",
        }:
            await self._store.audit.add(
                actor=self._admin,
                action=name,
                target=reply.target or target(words),
                outcome="done",
                detail=reply.detail,
            )
        return reply

    async def _refused(self, action: str, target: str | None, why: str) -> AdminReply:
        await self._store.audit.add(
            actor=self._admin, action=action, target=target, outcome="refused", detail=why
        )
        return AdminReply(f"Not done: {why}")

    # --- reading ------------------------------------------------------------------------------

    async def help_(self, args: list[str], document: str) -> AdminReply:
        return AdminReply(HELP)

    async def list_(self, args: list[str], document: str) -> AdminReply:
        lines = ["Questionnaires:"]
        drafts = {draft.id: draft for draft in await self._store.drafts.all()}
        ids = sorted(set(drafts) | set(await self._published_ids()))
        for qid in ids:
            latest = await self._store.questionnaires.latest(questionnaire_id=qid)
            published = f"v{latest.version}" if latest else "not published"
            status = drafts[qid].status if qid in drafts else DraftStatus.PUBLISHED
            lines.append(f"• {qid} — {published}, {status}")
        return AdminReply("\n".join(lines) if ids else "No questionnaires yet.")

    async def show(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        questionnaire, draft = await self._current(qid)
        status = draft.status if draft else DraftStatus.PUBLISHED
        lines = [
            f"{qid} v{questionnaire.version} — {status}",
            f"Languages: {', '.join(questionnaire.languages)}; about {questionnaire.estimated_minutes()} min",
        ]
        if draft and draft.status is DraftStatus.DRAFT and draft.rejected_because:
            lines.append(f"Sent back by {draft.rejected_by or 'a reviewer'}: {draft.rejected_because}")
        unreviewed = [
            code for code in (draft.machine_translated if draft else ()) if code in questionnaire.languages
        ]
        source = "en" if "en" in questionnaire.languages else questionnaire.languages[0]
        for number, question in enumerate(questionnaire.questions, 1):
            flags = "" if question.required else " (optional)"
            condition = " (conditional)" if question.show_if else ""
            text = question.text.get(source) or next(iter(question.text.values()))
            lines.append(
                f"{number}. {question.id} [{question.type}, {question.dimension}]{flags}{condition}: {text}"
            )
            # Machine translations beside the original, for the human who reviews them.
            lines += [f"   {code} (machine, unreviewed): {question.text[code]}" for code in unreviewed]
        return AdminReply("\n".join(lines))

    async def export(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        questionnaire, _ = await self._current(qid)
        text = yaml.safe_dump(
            questionnaire.model_dump(mode="json", by_alias=True, exclude_defaults=True),
            allow_unicode=True,
            sort_keys=False,
        )
        return AdminReply(f"{qid} v{questionnaire.version} as YAML.", document=(f"{qid}.yaml", text))

    async def lint(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        questionnaire, draft = await self._current(qid)
        problems = self._lint(questionnaire, draft)
        if not problems:
            return AdminReply(f"{qid}: no problems found.")
        return AdminReply(f"{qid}: {len(problems)} problem(s):\n" + "\n".join(f"• {p}" for p in problems))

    async def coverage(self, args: list[str], document: str) -> AdminReply:
        """Invited → opened → consented → completed for invitations of the last N days (default 30)."""
        qid = arg(args, 0, "questionnaire id")
        days = args[1] if len(args) > 1 else "30"
        if not days.isdigit() or not 1 <= int(days) <= 3660:
            raise AdminError("the period is a number of days from 1")
        end = self._context.clock()
        start = end - timedelta(days=int(days))
        invited = await self._store.invitations.between(questionnaire_id=qid, start=start, end=end)
        orders = [invitation.order_ref for invitation in invited]
        responses = await self._store.responses.for_orders(questionnaire_id=qid, order_refs=orders)
        consented = {response.order_ref for response in responses}
        completed = {
            response.order_ref for response in responses if response.status is ResponseStatus.COMPLETE
        }
        counts = [
            ("invited", len(invited)),
            ("opened", sum(1 for invitation in invited if invitation.opened_at)),
            ("consented", len(consented)),
            ("completed", len(completed)),
        ]
        total = max(len(invited), 1)
        lines = [f"{qid}, invitations of the last {days} days:"]
        lines += [f"• {name}: {count} ({100 * count / total:.0f} %)" for name, count in counts]
        return AdminReply("\n".join(lines))

    async def report(self, args: list[str], document: str) -> AdminReply:
        try:
            text, attached = await admin_reports.report(
                self._store, args, now=self._context.clock(), min_group=self._context.report_min_group
            )
        except admin_reports.AdminReportError as error:
            raise AdminError(str(error)) from None
        return AdminReply(text, attached)

    async def action(self, args: list[str], document: str) -> AdminReply:
        try:
            return AdminReply(
                await admin_reports.action(self._store, args, admin=self._admin, now=self._context.clock())
            )
        except admin_reports.AdminReportError as error:
            raise AdminError(str(error)) from None

    async def audit(self, args: list[str], document: str) -> AdminReply:
        entries = await self._store.audit.latest(limit=20)
        lines = [
            f"{e.at:%Y-%m-%d %H:%M} {e.actor} {e.action} {e.target or ''} — {e.outcome}"
            + (f" ({e.detail})" if e.detail else "")
            for e in entries
        ]
        return AdminReply("Latest admin actions:\n" + "\n".join(lines) if lines else "No admin actions yet.")

    # --- writing the working copy ----------------------------------------------------------------

    async def new(self, args: list[str], document: str) -> AdminReply:
        if args[:1] == ["from-template"]:
            return await admin_authoring.from_template(self, args[1:])
        # `new yaml` is how the terminal chat announces a pasted document; there is no other argument.
        if not document.strip():
            raise AdminError(
                "send the questionnaire as YAML on the lines after the command, or start from a template "
                "with `new from-template`"
            )
        questionnaire = parse_yaml(document)
        if await self._store.questionnaires.latest(questionnaire_id=questionnaire.id) is not None:
            raise AdminError(f"{questionnaire.id!r} exists; use copy, or edit its working copy")
        if not await self._store.drafts.create(
            questionnaire_id=questionnaire.id, definition=definition(questionnaire), author=self._admin
        ):
            raise AdminError(f"a working copy of {questionnaire.id!r} exists already")
        reply = await self.with_lint(f"Working copy {questionnaire.id!r} created.", questionnaire, None)
        return dataclasses.replace(reply, target=questionnaire.id)

    async def copy(self, args: list[str], document: str) -> AdminReply:
        source, target = arg(args, 0, "questionnaire id"), arg(args, 1, "new id")
        questionnaire, _ = await self._current(source)
        data = definition(questionnaire) | {"id": target, "version": 1}
        copied = parse(data, source=f"copy of {source}")
        if await self._store.questionnaires.latest(questionnaire_id=target) or await self._store.drafts.get(
            questionnaire_id=target
        ):
            raise AdminError(f"{target!r} exists already")
        await self._store.drafts.create(
            questionnaire_id=target, definition=definition(copied), author=self._admin
        )
        return AdminReply(f"Working copy {target!r} created from {source!r}.")

    async def text(self, args: list[str], document: str) -> AdminReply:
        qid, question, language = (
            arg(args, i, n) for i, n in enumerate(("questionnaire id", "question", "language"))
        )
        words = " ".join(args[3:]).strip()
        if not words:
            raise AdminError("the new text is missing")

        def change(data: dict[str, Any]) -> None:
            entry = question_entry(data, question)
            entry.setdefault("text", {})[language] = words
            if language not in data["languages"]:
                data["languages"] = [*data["languages"], language]

        return await self._edit(qid, change, f"{question} text in {language} changed")

    async def title(self, args: list[str], document: str) -> AdminReply:
        qid, language = arg(args, 0, "questionnaire id"), arg(args, 1, "language")
        words = " ".join(args[2:]).strip()
        if not words:
            raise AdminError("the new title is missing")

        def change(data: dict[str, Any]) -> None:
            data["title"][language] = words
            data["languages"] = [*data["languages"], language]

        return await self._edit(qid, change, f"title in {language} changed")

    async def translate(self, args: list[str], document: str) -> AdminReply:
        """Draft every text of one language (without one: of every language the shop serves that the
        copy lacks) by machine translation, marked unreviewed until `review`."""
        qid = arg(args, 0, "questionnaire id")
        questionnaire, _ = await self._current(qid)
        targets = args[1:2] or [
            code for code in self._context.languages if code not in questionnaire.languages
        ]
        for code in targets:
            if code not in self._context.languages:
                raise AdminError(
                    f"{code!r} is not one of the bot's languages ({', '.join(self._context.languages)}; "
                    "SURVEY_LANGUAGES)"
                )
        translate = self._context.translate
        if translate is None:
            raise AdminError(
                "no translation provider is configured: set TRANSLATION_PROVIDER (and its key or URL, "
                "see docs/settings.md) and restart, or write the texts with `text` and `title`"
            )
        if not targets:
            return AdminReply(f"{qid}: every language the shop serves has its texts already.")
        source = "en" if "en" in questionnaire.languages else questionnaire.languages[0]
        data = definition(questionnaire)
        mappings = [data["title"]] + [q["text"] for q in data["questions"]]
        mappings += [o["text"] for q in data["questions"] for o in q.get("options") or []]
        for code in targets:
            for mapping in mappings:
                result = await translate(mapping[source], source, code)
                if not result.translated:
                    raise AdminError(
                        f"translation into {code} failed ({result.note or 'no translation'}); "
                        "nothing was changed"
                    )
                mapping[code] = result.text

        def change(current: dict[str, Any]) -> None:
            current.clear()
            current.update(data)

        done = f"{', '.join(targets)} drafted by machine translation"
        return await self._edit(qid, change, done, drafted=tuple(targets))

    async def review(self, args: list[str], document: str) -> AdminReply:
        qid, language = arg(args, 0, "questionnaire id"), arg(args, 1, "language")
        return await self._edit(qid, lambda data: None, f"{language} texts reviewed", reviewed=language)

    async def required(self, args: list[str], document: str) -> AdminReply:
        qid, question, value = (
            arg(args, i, n) for i, n in enumerate(("questionnaire id", "question", "yes|no"))
        )
        if value not in {"yes", "no"}:
            raise AdminError("required takes yes or no")
        return await self._edit(
            qid,
            lambda data: question_entry(data, question).update(required=value == "yes"),
            f"{question} required: {value}",
        )

    async def dimension(self, args: list[str], document: str) -> AdminReply:
        qid, question, name = (
            arg(args, i, n) for i, n in enumerate(("questionnaire id", "question", "dimension"))
        )
        return await self._edit(
            qid,
            lambda data: question_entry(data, question).update(dimension=name),
            f"{question} dimension: {name}",
        )

    async def move(self, args: list[str], document: str) -> AdminReply:
        qid, question, position = (
            arg(args, i, n) for i, n in enumerate(("questionnaire id", "question", "position"))
        )
        if not position.isdigit() or int(position) < 1:
            raise AdminError("the position is a number from 1")

        def change(data: dict[str, Any]) -> None:
            entry = question_entry(data, question)
            data["questions"].remove(entry)
            data["questions"].insert(min(int(position), len(data["questions"]) + 1) - 1, entry)

        return await self._edit(qid, change, f"{question} moved to position {position}")

    async def remove(self, args: list[str], document: str) -> AdminReply:
        qid, question = arg(args, 0, "questionnaire id"), arg(args, 1, "question")
        return await self._edit(
            qid, lambda data: data["questions"].remove(question_entry(data, question)), f"{question} removed"
        )

    async def add(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        try:
            entry = yaml.safe_load(document) if document.strip() else None
        except yaml.YAMLError as error:
            raise AdminError(f"the question is not valid YAML: {error}") from None
        if not isinstance(entry, dict):
            raise AdminError("send one question as YAML (id, type, text …) on the lines after the command")
        return await self._edit(qid, lambda data: data["questions"].append(entry), f"{entry.get('id')} added")

    # --- review -------------------------------------------------------------------------------

    async def submit(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        draft = await self._draft(qid, ReviewStep.SUBMIT)
        await self._move(draft, ReviewStep.SUBMIT, submitted_by=self._admin)
        questionnaire = parse(draft.definition, source=qid)
        notices = reviewers(self._context.admins, submitted_by=self._admin, questionnaire=qid)
        reply = await self.with_lint(f"{qid} submitted for review by another admin.", questionnaire, draft)
        told = sum(1 for notice in notices if notice.job(cause="") is not None)
        if told:
            reply = dataclasses.replace(
                reply,
                text=f"{reply.text}\n\nReview requested from {told} admin(s) in their chat with the bot.",
            )
        return dataclasses.replace(reply, notices=notices)

    async def approve(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        draft = await self._draft(qid, ReviewStep.APPROVE)
        if self._admin == draft.submitted_by or self._admin in draft.edited_by:
            raise AdminError("approval must come from an admin who did not write or submit it")
        if draft.machine_translated:
            raise AdminError(
                f"machine-translated texts are not reviewed: {', '.join(draft.machine_translated)}"
            )
        await self._move(draft, ReviewStep.APPROVE, approved_by=self._admin)
        author = AdminNotice(to=str(draft.submitted_by), about="approved", questionnaire=qid, by=self._admin)
        return AdminReply(f"{qid} approved; publish it to make it live.", notices=(author,))

    async def reject(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        reason = " ".join(args[1:]).strip() or "no reason given"
        draft = await self._draft(qid, ReviewStep.REJECT)
        await self._move(draft, ReviewStep.REJECT, rejected_because=reason, rejected_by=self._admin)
        author = AdminNotice(
            to=str(draft.submitted_by),
            about="rejected",
            questionnaire=qid,
            by=self._admin,
            reason=reason,
        )
        return AdminReply(f"{qid} sent back to draft: {reason}", detail=reason, notices=(author,))

    async def publish(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        draft = await self._draft(qid, ReviewStep.PUBLISH)
        latest = await self._store.questionnaires.latest(questionnaire_id=qid)
        version = 1 if latest is None else latest.version + 1
        questionnaire = parse(draft.definition | {"version": version}, source=qid)
        await self._store.questionnaires.install(questionnaire, source=f"admin {self._admin}")
        await self._move(
            draft, ReviewStep.PUBLISH, definition=definition(questionnaire), published_version=version
        )
        return AdminReply(
            f"{qid} v{version} published. Customers who start now get it; those in a survey keep theirs."
        )

    async def close(self, args: list[str], document: str) -> AdminReply:
        qid = arg(args, 0, "questionnaire id")
        await self._move(await self._working_copy(qid), ReviewStep.CLOSE)
        return AdminReply(f"{qid} closed: no new customers start it.")

    async def questionnaire_for_preview(self, args: list[str]) -> Questionnaire | AdminReply:
        """The working copy (or published version) to preview, or the refusal to show."""
        try:
            questionnaire, _ = await self._current(arg(args, 0, "questionnaire id"))
        except AdminError as error:
            return await self._refused("preview", args[0] if args else None, str(error))
        await self._store.audit.add(
            actor=self._admin, action="preview", target=questionnaire.id, outcome="done"
        )
        return questionnaire

    # --- helpers ------------------------------------------------------------------------------

    async def _published_ids(self) -> list[str]:
        return await self._store.questionnaires.ids()

    async def _current(self, qid: str) -> tuple[Questionnaire, QuestionnaireDraft | None]:
        draft = await self._store.drafts.get(questionnaire_id=qid)
        if draft is not None:
            return parse(draft.definition, source=qid), draft
        latest = await self._store.questionnaires.latest(questionnaire_id=qid)
        if latest is None:
            raise AdminError(f"no questionnaire {qid!r}")
        return latest, None

    async def _working_copy(self, qid: str) -> QuestionnaireDraft:
        """The working copy, made from the published version when there is none yet."""
        draft = await self._store.drafts.get(questionnaire_id=qid)
        if draft is None:
            latest = await self._store.questionnaires.latest(questionnaire_id=qid)
            if latest is None:
                raise AdminError(f"no questionnaire {qid!r}")
            await self._store.drafts.create(
                questionnaire_id=qid, definition=definition(latest), author=self._admin
            )
            draft = await self._store.drafts.get(questionnaire_id=qid)
        if draft is None:
            raise AdminError(f"the working copy of {qid!r} vanished; try again")
        return draft

    async def _draft(self, qid: str, step: ReviewStep) -> QuestionnaireDraft:
        """The working copy `step` may start from (refused before the step's own checks)."""
        draft = await self._store.drafts.get(questionnaire_id=qid)
        if draft is None:
            raise AdminError(f"no working copy of {qid!r} (copy or create one first)")
        enforce(step, draft)
        return draft

    async def _edit(
        self,
        qid: str,
        change: Callable[[dict[str, Any]], object],
        done: str,
        *,
        reviewed: str | None = None,
        drafted: tuple[str, ...] = (),
    ) -> AdminReply:
        draft = await self._working_copy(qid)
        status = enforce(ReviewStep.EDIT, draft)
        data = definition(parse(draft.definition, source=qid))
        change(data)
        questionnaire = parse(complete_languages(data), source=qid)
        edited_by = sorted({*draft.edited_by, self._admin})
        unreviewed = [code for code in draft.machine_translated if code != reviewed]
        unreviewed += [code for code in drafted if code not in unreviewed]
        if not await self._store.drafts.update(
            questionnaire_id=qid,
            expected_version=draft.version,
            changes={
                "definition": definition(questionnaire),
                "status": status,
                "edited_by": edited_by,
                "machine_translated": unreviewed,
            },
        ):
            raise AdminError("another admin changed it at the same moment; try again")
        return await self.with_lint(
            f"{qid}: {done}.", questionnaire, dataclasses.replace(draft, machine_translated=tuple(unreviewed))
        )

    async def edit(
        self,
        qid: str,
        change: Callable[[dict[str, Any]], object],
        done: str,
        *,
        drafted: tuple[str, ...] = (),
    ) -> AdminReply:
        """Change the working copy by `change` (a form's edit), audited; refusals come back as replies."""
        try:
            reply = await self._edit(qid, change, done, drafted=drafted)
        except AdminError as error:
            return await self._refused("edit", qid, str(error))
        await self._store.audit.add(actor=self._admin, action="edit", target=qid, outcome="done", detail=done)
        return reply

    async def _move(self, draft: QuestionnaireDraft, step: ReviewStep, **fields: Any) -> None:
        """`step` on the working copy as it was read (a copy changed since then is not overwritten)."""
        if not await self._store.drafts.update(
            questionnaire_id=draft.id,
            expected_version=draft.version,
            changes={"status": enforce(step, draft), **fields},
        ):
            raise AdminError("another admin changed it at the same moment; try again")

    def _lint(self, questionnaire: Questionnaire, draft: QuestionnaireDraft | None) -> list[Any]:
        unreviewed = draft.machine_translated if draft else ()
        return lint(
            questionnaire,
            languages=self._context.languages,
            max_minutes=self._context.max_minutes,
            unreviewed=unreviewed,
        )

    async def with_lint(
        self, message: str, questionnaire: Questionnaire, draft: QuestionnaireDraft | None
    ) -> AdminReply:
        """`message`, with what lint finds before review."""
        problems = self._lint(questionnaire, draft)
        if problems:
            message += "\n\nBefore review:\n" + "\n".join(f"• {p}" for p in problems)
        return AdminReply(message)


COMMANDS: dict[str, Command] = {
    name.rstrip("_"): getattr(AdminCommands, name)
    for name in (
        "help_ list_ show export lint audit new copy text title translate review required dimension "
        "move remove add submit approve reject publish close coverage report action"
    ).split()
} | {
    "link": admin_authoring.link,
    "diff": admin_authoring.diff,
}
