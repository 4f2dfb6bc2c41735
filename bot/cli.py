"""The `feedback-bot` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from bot import log_setup
from bot.app import FeedbackBot, contact_sealer, install_questionnaires, quality_rules
from bot.charts import render_charts
from bot.export import export_responses
from bot.invite_batch import invite_csv
from bot.rollup_jobs import RollupJobs
from bot.settings import Settings, SettingsError, load_settings
from conversations.detection import detect
from conversations.questionnaire import QuestionnaireError
from conversations.report_text import render_csv, render_text
from conversations.reports import BY, ReportRequest, build_report
from handlers.console import ConsoleChannel
from locales.catalog import catalogs
from storage.mongo import open_database
from storage.store import Store

log = logging.getLogger("bot.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedback-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the bot with every configured channel")
    run.add_argument(
        "--no-console",
        action="store_true",
        help="without TELEGRAM_BOT_TOKEN, do not open the terminal chat (serve HTTP only)",
    )
    commands.add_parser(
        "detect-language",
        help="read lines on stdin; print each one's detected language code and confidence",
    )
    invite = commands.add_parser(
        "invite", help="invite the customers of a CSV file (results as CSV on stdout; safe to run again)"
    )
    invite.add_argument(
        "--csv", required=True, type=argparse.FileType("r", encoding="utf-8"), dest="csv_file"
    )
    report = commands.add_parser(
        "report", help="survey and complaint figures for a period (de-identified, small groups hidden)"
    )
    report.add_argument("--from", dest="start", type=date.fromisoformat, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=date.fromisoformat, help="last day (default: today)")
    report.add_argument("--by", choices=list(BY), help="break the figures down")
    report.add_argument("--questionnaire", help="one questionnaire (default: all)")
    report.add_argument("--format", choices=["text", "csv", "png"], default="text")
    report.add_argument("--out", type=Path, default=Path("."), help="folder for the PNG charts")
    report.add_argument(
        "--rebuild",
        action="store_true",
        help="recompute every report counter from the stored data first (stop the bot before)",
    )
    commands.add_parser(
        "rotate-contacts", help="re-encrypt contact details under the first key of CONTACT_KEYS"
    )
    export = commands.add_parser("export", help="write stored data to standard output")
    export.add_argument("what", choices=["responses"])
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export.add_argument(
        "--clean",
        action="store_true",
        help="the analysis view: counted responses only, de-identified, free text redacted",
    )
    return parser


async def _run(settings: Settings, *, console_wanted: bool) -> None:
    console = ConsoleChannel() if console_wanted and settings.telegram_bot_token is None else None
    app = FeedbackBot(settings, console=console)
    await app.start()
    if app.webchat_url is not None and settings.log_format == "json":
        log.info("web chat at %s", app.webchat_url)
    elif app.webchat_url is not None:
        print(f"Web chat: open {app.webchat_url} in a browser", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
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
        await app.stop()


async def _export(settings: Settings, fmt: str, *, clean: bool = False) -> None:
    uri = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else None
    async with open_database(uri=uri, data_dir=settings.data_dir, database=settings.mongodb_database) as db:
        store = await Store.open(db)
        count = await export_responses(store, sys.stdout, fmt=fmt, clean=clean)
    log.info("%d responses exported", count)


async def _invite(settings: Settings, source: TextIO) -> None:
    uri = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else None
    username = settings.telegram_bot_username

    def deep_link(payload: str) -> str | None:
        return f"https://t.me/{username}?start={payload}" if username else None

    async with open_database(uri=uri, data_dir=settings.data_dir, database=settings.mongodb_database) as db:
        store = await Store.open(db)
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


async def _report(settings: Settings, args: argparse.Namespace) -> None:
    end = args.end or datetime.now(UTC).date()
    request = ReportRequest(
        args.start or end - timedelta(days=29), end, args.questionnaire, args.by, settings.report_min_group
    )
    uri = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else None
    async with open_database(uri=uri, data_dir=settings.data_dir, database=settings.mongodb_database) as db:
        store = await Store.open(db)
        if args.rebuild:
            counted = await RollupJobs(store=store, rules=quality_rules(settings)).rebuild(
                default_questionnaire=settings.default_questionnaire
            )
            print(
                "counters rebuilt from " + ", ".join(f"{n} {what}" for what, n in counted.items()),
                file=sys.stderr,
            )
        report = await build_report(store, request, now=datetime.now(UTC))
    if args.format == "text":
        sys.stdout.write(render_text(report))
    elif args.format == "csv":
        sys.stdout.write(render_csv(report))
    else:
        images = await asyncio.to_thread(render_charts, report)
        await asyncio.to_thread(args.out.mkdir, parents=True, exist_ok=True)
        for name, data in images.items():
            path = args.out / f"report-{request.start}-{request.end}-{name}"
            await asyncio.to_thread(path.write_bytes, data)
            print(path)


async def _rotate(settings: Settings) -> None:
    uri = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else None
    async with open_database(uri=uri, data_dir=settings.data_dir, database=settings.mongodb_database) as db:
        store = await Store.open(db, sealer=contact_sealer(settings))
        changed = await store.contacts.reseal()
    print(f"{changed} contact details re-encrypted under the current key", file=sys.stderr)


def _detect_lines(lines: TextIO, out: TextIO) -> None:
    """One output line per input line: `<code> <confidence>`, or `und 0.00` when nothing is detected."""
    supported = catalogs().languages
    for line in lines:
        found = detect(line.rstrip("\n"), supported=supported)
        out.write(f"{found.language} {found.confidence:.2f}\n" if found else "und 0.00\n")
        out.flush()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "detect-language":
        _detect_lines(sys.stdin, sys.stdout)
        return 0
    try:
        settings = load_settings()
    except (SettingsError, ValidationError) as error:
        print(f"feedback-bot: invalid settings: {error}", file=sys.stderr)
        return 2
    log_setup.configure(settings, sys.stderr)
    try:
        if args.command == "run":
            asyncio.run(_run(settings, console_wanted=not args.no_console))
        elif args.command == "invite":
            asyncio.run(_invite(settings, args.csv_file))
        elif args.command == "report":
            asyncio.run(_report(settings, args))
        elif args.command == "rotate-contacts":
            asyncio.run(_rotate(settings))
        else:
            asyncio.run(_export(settings, args.format, clean=args.clean))
    except (QuestionnaireError, SettingsError) as error:
        print(f"feedback-bot: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        # Typically the HTTP port is taken: say which setting to change rather than show a traceback.
        print(
            f"feedback-bot: {error} (FEEDBACK_BOT_HOST={settings.host}, FEEDBACK_BOT_PORT={settings.port})",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
