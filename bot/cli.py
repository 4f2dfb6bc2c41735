"""The `feedback-bot` command: runs one command and turns known failures into one line each."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TextIO

from pydantic import ValidationError

from bot import log_setup
from bot.app import FeedbackBot, contact_sealer, install_questionnaires, quality_rules
from bot.cli_errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    UsageError,
    describe,
    fatal,
    json_wanted,
    settings_problems,
)
from bot.cli_parser import parser
from bot.export import export_responses
from bot.invite_batch import EXIT_REFUSED, invite_csv
from bot.policy import complaint_policy
from bot.report_html import analysis_html
from bot.rollup_jobs import RollupJobs
from bot.settings import Settings, SettingsError, load_settings
from conversations.detection import detect
from conversations.language import served as served_languages
from conversations.reports.figures import ReportRequest, build_report
from conversations.reports.text import render_csv, render_text
from conversations.reports.themes import themes_for_period
from core.questionnaire import BUILTIN_DIR, load_directory
from handlers.console import ConsoleChannel
from locales.catalog import catalogs
from storage import mongo_uri
from storage.migrate import CollectionCopy, copy_database
from storage.mongo import open_database, redact_uri
from storage.sealing import Sealer
from storage.store import Store

log = logging.getLogger("bot.cli")
# After Ctrl-C or SIGTERM: how long accepted messages may take to finish before the process exits
# anyway (the help of `run` says so). Whatever is still unfinished stays in the inbox and is
# replayed at the next start.
DRAIN_SECONDS = 10.0
EXIT_INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C


@asynccontextmanager
async def _store(
    settings: Settings, command: str, *, share: bool, sealer: Sealer | None = None
) -> AsyncIterator[Store]:
    """The data of `settings`; with `share`, a bot running on the same data folder lends its server."""
    uri = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else None
    async with open_database(
        uri=uri, data_dir=settings.data_dir, database=settings.mongodb_database, command=command, share=share
    ) as db:
        yield await Store.open(db, sealer=sealer)


async def _run(settings: Settings, *, console_wanted: bool) -> None:
    console = ConsoleChannel() if console_wanted and settings.telegram_bot_token is None else None
    app = FeedbackBot(settings, console=console)
    await app.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Before the address is announced: whoever reacts to it with a signal gets a clean stop.
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if app.webchat_url is not None and settings.log_format == "json":
        log.info("web chat at %s", app.webchat_url)
    elif app.webchat_url is not None:
        print(f"Web chat: open {app.webchat_url} in a browser", file=sys.stderr, flush=True)
    try:
        if console is not None:
            chat = asyncio.create_task(console.run(app.dispatcher.submit))
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({chat, waiter}, return_when=asyncio.FIRST_COMPLETED)
            for task in (chat, waiter):
                task.cancel()
        else:
            if settings.telegram_bot_token is None:
                log.info("no TELEGRAM_BOT_TOKEN: serving HTTP only")
            await stop.wait()
    finally:
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                await app.stop()
        except TimeoutError:
            # The embedded server stops by itself when we exit (its stdin closes); the inbox keeps
            # what was accepted but not finished.
            log.warning("not stopped within %.0f s: exiting anyway", DRAIN_SECONDS)


async def _export(settings: Settings, fmt: str, *, clean: bool = False) -> None:
    async with _store(settings, "export", share=True) as store:
        count = await export_responses(store, sys.stdout, fmt=fmt, clean=clean)
    log.info("%d responses exported", count)


async def _invite(settings: Settings, source: TextIO) -> int:
    username = settings.telegram_bot_username
    if not username:
        log.warning(
            "TELEGRAM_BOT_USERNAME is not set: the deep_link column stays empty "
            "(set it and run again for the links; nobody is invited twice)"
        )

    def deep_link(payload: str) -> str | None:
        return f"https://t.me/{username}?start={payload}" if username else None

    async with _store(settings, "invite", share=True) as store:
        await install_questionnaires(store, settings)
        counts = await invite_csv(
            store,
            source,
            sys.stdout,
            sys.stderr,
            default_questionnaire=settings.default_questionnaire,
            deep_link=deep_link,
        )
    print(", ".join(f"{name}: {count}" for name, count in counts.items()), file=sys.stderr)
    return EXIT_REFUSED if counts["refused"] else 0


def _report_request(settings: Settings, args: argparse.Namespace, today: date) -> ReportRequest:
    end: date = args.end or today
    start: date = args.start or end - timedelta(days=29)
    if start > end:
        shown_end = f"--to {end}" if args.end else f"today ({end})"
        raise UsageError(f"report: --from {start} is after {shown_end}")
    return ReportRequest(start, end, args.questionnaire, args.by, settings.report_min_group)


async def _report(settings: Settings, args: argparse.Namespace) -> None:
    request = _report_request(settings, args, datetime.now(UTC).date())
    # Rebuilding rewrites the counters the running bot updates: that one needs the folder alone.
    async with _store(settings, "report", share=not args.rebuild) as store:
        if request.questionnaire is not None:
            known = await store.questionnaires.ids()
            if request.questionnaire not in known:
                listed = ", ".join(known) or "none"
                raise UsageError(f"report: no questionnaire {request.questionnaire!r} (known: {listed})")
        if args.rebuild:
            counted = await RollupJobs(store=store, rules=quality_rules(settings)).rebuild(
                default_questionnaire=settings.default_questionnaire
            )
            print(
                "counters rebuilt from " + ", ".join(f"{n} {what}" for what, n in counted.items()),
                file=sys.stderr,
            )
        report = await build_report(store, request, now=datetime.now(UTC))
        themes = None
        if args.format == "html":
            # Assigns the texts written since the last hourly run first (idempotent, like the job).
            now = datetime.now(UTC)
            themes = await themes_for_period(
                store, start=request.start, end=request.end, min_group=request.min_group, now=now
            )
    if args.format == "text":
        sys.stdout.write(render_text(report))
    elif args.format == "csv":
        sys.stdout.write(render_csv(report))
    elif args.format == "html":
        policy = complaint_policy(settings)
        document = await asyncio.to_thread(analysis_html, report, policy=policy, themes=themes)
        await asyncio.to_thread(args.out.mkdir, parents=True, exist_ok=True)
        path = args.out / f"report-{request.start}-{request.end}.html"
        await asyncio.to_thread(path.write_text, document, encoding="utf-8")
        print(path)
    else:
        # Imported here: matplotlib and numpy cost ~60 MiB of memory, for a chart drawn weekly.
        from bot.charts import render_charts

        images = await asyncio.to_thread(render_charts, report)
        await asyncio.to_thread(args.out.mkdir, parents=True, exist_ok=True)
        for name, data in images.items():
            path = args.out / f"report-{request.start}-{request.end}-{name}"
            await asyncio.to_thread(path.write_bytes, data)
            print(path)


async def _rotate(settings: Settings) -> None:
    async with _store(settings, "rotate-contacts", share=False, sealer=contact_sealer(settings)) as store:
        changed = await store.contacts.reseal()
    print(f"{changed} contact details re-encrypted under the current key", file=sys.stderr)


def _served_by_files(settings: Settings) -> tuple[str, ...]:
    """The served languages from the catalogs and the default questionnaire's file (no database)."""
    directories = [BUILTIN_DIR] + ([settings.questionnaires_dir] if settings.questionnaires_dir else [])
    for directory in reversed(directories):  # a shop's own file of the same id replaces the shipped one
        for questionnaire in load_directory(directory) if directory.is_dir() else []:
            if questionnaire.id == settings.default_questionnaire:
                return served_languages(catalogs().languages, questionnaire.languages)
    raise UsageError(f"DEFAULT_QUESTIONNAIRE={settings.default_questionnaire}: no such questionnaire")


def _detect(texts: Iterable[str], out: TextIO, served: tuple[str, ...]) -> None:
    """One output line per text: `CODE CONFIDENCE served|unserved`; `und 0.00 unserved` without letters."""
    for text in texts:
        found = detect(text.rstrip("\n"), served=served)
        if found is None:
            out.write("und 0.00 unserved\n")
        else:
            out.write(f"{found.language} {found.confidence:.2f} {'served' if found.served else 'unserved'}\n")
        out.flush()


async def _migrate(settings: Settings, *, to: str, resume: bool) -> None:
    """The trial's embedded data into a real MongoDB (the bot must be stopped: it holds the files)."""
    source_uri = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else None
    if source_uri is not None:
        raise UsageError("migrate copies the data folder's embedded database: unset MONGODB_URI")
    mongo_uri.parse(to, name="--to")
    async with (
        open_database(
            uri=None, data_dir=settings.data_dir, database=settings.mongodb_database, command="migrate"
        ) as source,
        open_database(uri=to, data_dir=None, database=settings.mongodb_database, command="migrate") as target,
    ):

        def progress(copied: CollectionCopy) -> None:
            if sys.stderr.isatty():  # a live count on a terminal; logs get the summary only
                print(f"  {copied.name}: {copied.inserted + copied.already_there}", end="\r", file=sys.stderr)

        report = await copy_database(source, target, resume=resume, progress=progress)
    for copied in report.collections:
        print(
            f"{copied.name}: {copied.inserted} copied, {copied.already_there} already there, "
            f"{len(copied.indexes)} indexes",
            file=sys.stderr,
        )
    print(f"copied {report.inserted} of {report.documents} documents into {redact_uri(to)}", file=sys.stderr)


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "detect-language":
        # Words given unquoted are one text, as typed.
        _detect([" ".join(args.text)] if args.text else sys.stdin, sys.stdout, _served_by_files(settings))
    elif args.command == "run":
        asyncio.run(_run(settings, console_wanted=not args.no_console))
    elif args.command == "invite":
        return asyncio.run(_invite(settings, args.csv_file))
    elif args.command == "report":
        asyncio.run(_report(settings, args))
    elif args.command == "rotate-contacts":
        asyncio.run(_rotate(settings))
    elif args.command == "migrate":
        asyncio.run(_migrate(settings, to=args.to, resume=args.resume))
    else:
        asyncio.run(_export(settings, args.format, clean=args.clean))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)  # bad arguments: usage on stderr, exit 2
    try:
        settings = load_settings()
    except (SettingsError, ValidationError) as error:
        problem = settings_problems(error) if isinstance(error, ValidationError) else str(error)
        fatal(
            f"invalid settings: {problem}", stream=sys.stderr, json_format=json_wanted(), logging_ready=False
        )
        return EXIT_USAGE
    log_setup.configure(settings, sys.stderr)
    json_format = settings.log_format == "json"
    try:
        return _dispatch(settings, args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except OSError as error:
        # Typically the HTTP port is taken: say which setting to change rather than show a traceback.
        message = f"{error} (FEEDBACK_BOT_HOST={settings.host}, FEEDBACK_BOT_PORT={settings.port})"
        fatal(message, stream=sys.stderr, json_format=json_format, logging_ready=True)
        return EXIT_FAILED
    except Exception as error:
        described = describe(error)
        if described is None:
            # A bug: the traceback is for whoever fixes it (one JSON line under LOG_FORMAT=json).
            log.critical("unexpected error", exc_info=error)
            return EXIT_FAILED
        fatal(described[0], stream=sys.stderr, json_format=json_format, logging_ready=True)
        return described[1]


if __name__ == "__main__":
    sys.exit(main())
