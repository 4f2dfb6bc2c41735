"""The `feedback-bot` command line: its commands, their arguments and their help texts.

argparse, kept tidy rather than click or typer: the command line is six small commands, argparse
already gives `--help`, usage on stderr and exit status 2 for bad arguments, and it adds no
dependency to the lock file.
"""

from __future__ import annotations

import argparse
from datetime import date
from importlib import metadata
from pathlib import Path

from bot.invite_batch import COLUMNS, EXIT_REFUSED, OUTPUT
from conversations.reports.figures import BY

PROG = "feedback-bot"
DESCRIPTION = (
    "Feedback Bot: consent-first customer surveys and complaints on Telegram, WhatsApp and a web chat, "
    "in the customer's language, stored in MongoDB. Settings come from environment variables "
    "(and the optional FEEDBACK_BOT_CONFIG file); without MONGODB_URI the data is kept in "
    "FEEDBACK_BOT_DATA_DIR (default ./data)."
)
EPILOG = (
    "Run `feedback-bot COMMAND --help` for a command's arguments. Exit status 2: bad arguments or settings."
)
INVITE_EPILOG = (
    f"CSV columns (header row required): {', '.join(COLUMNS)}; customer_ref and order_ref are required, "
    f"the others optional (questionnaire: DEFAULT_QUESTIONNAIRE; language: one of the shipped UI languages). "
    f"Output columns: {', '.join(OUTPUT)}. Deep links need TELEGRAM_BOT_USERNAME. Exit status 0 when every "
    f"row was invited (or had been already), {EXIT_REFUSED} when some rows were refused (the others are "
    "invited; the problem column says why), 1 when the command could not run."
)


def _version() -> str:
    try:
        return metadata.version("feedback-bot")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _day(text: str) -> date:
    """A calendar day; argparse turns the ValueError into one usage error naming the argument."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day in the form YYYY-MM-DD") from None


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG)
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = root.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")

    def command(
        name: str, summary: str, details: str = "", epilog: str | None = None
    ) -> argparse.ArgumentParser:
        # `help` is the one line in the command list; the description repeats it with the details.
        return commands.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}. {details}".strip(),
            epilog=epilog,
        )

    run = command(
        "run",
        "run the bot with every configured channel",
        "Without TELEGRAM_BOT_TOKEN the terminal is a chat with the bot (read from stdin). "
        "Ctrl-C or SIGTERM stops it: accepted messages are finished for up to 10 s, then it exits.",
    )
    run.add_argument(
        "--no-console",
        action="store_true",
        help="without TELEGRAM_BOT_TOKEN, do not open the terminal chat (serve HTTP only)",
    )
    detect_language = command(
        "detect-language",
        "print the detected language of a text and whether the bot serves it",
        "Writes `CODE CONFIDENCE served|unserved` (`und 0.00 unserved` for text without letters); "
        "served: a UI catalog and the default questionnaire cover the language. Without TEXT, "
        "reads lines on standard input and writes one line for each line.",
    )
    detect_language.add_argument(
        "text", nargs="*", metavar="TEXT", help="the text (its words may be given unquoted)"
    )
    invite = command(
        "invite",
        "invite the customers listed in a CSV file (safe to run again)",
        "Results go to stdout as CSV, progress to stderr.",
        epilog=INVITE_EPILOG,
    )
    invite.add_argument(
        "--csv",
        required=True,
        type=argparse.FileType("r", encoding="utf-8"),
        dest="csv_file",
        metavar="FILE",
        help="the orders to invite for (`-` for stdin); columns below",
    )
    report = command(
        "report",
        "print survey and complaint figures for a period",
        "Reads the stored counters; de-identified, groups smaller than REPORT_MIN_GROUP hidden. "
        "Works while the bot runs.",
    )
    report.add_argument("--from", dest="start", type=_day, metavar="DAY", help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=_day, metavar="DAY", help="last day (default: today)")
    report.add_argument("--by", choices=list(BY), help="break the figures down")
    report.add_argument("--questionnaire", metavar="ID", help="one questionnaire (default: all)")
    report.add_argument(
        "--format",
        choices=["text", "csv", "png", "html"],
        default="text",
        help="html: one self-contained analysis report (charts, key drivers, conclusions, actions)",
    )
    report.add_argument(
        "--out", type=Path, default=Path("."), metavar="FOLDER", help="folder for the PNG charts or HTML file"
    )
    report.add_argument(
        "--rebuild",
        action="store_true",
        help="recompute every report counter from the stored data first (stop the bot before)",
    )
    command(
        "rotate-contacts",
        "re-encrypt contact details under the first key of CONTACT_KEYS",
        "Stop the bot before.",
    )
    migrate = command(
        "migrate",
        "copy the data folder's embedded database into another MongoDB",
        "Copies every collection (documents and indexes) of MONGODB_DATABASE in FEEDBACK_BOT_DATA_DIR "
        "into the database of the same name at --to. Stop the bot before. A target that already holds "
        "documents is refused unless --resume.",
    )
    migrate.add_argument("--to", required=True, metavar="URI", help="the MongoDB URI to copy into")
    migrate.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted copy: documents already in the target are left as they are",
    )
    export = command(
        "export",
        "write stored responses to stdout as JSON lines or CSV",
        "No contact details are exported. Works while the bot runs.",
    )
    export.add_argument("what", choices=["responses"], help="what to export")
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export.add_argument(
        "--clean",
        action="store_true",
        help="the analysis view: counted responses only, de-identified, free text redacted",
    )
    return root
