"""`feedback-bot invite --csv FILE`: invitations for many orders at once, safe to run again.

Each row becomes an invitation exactly as through the API; a row already invited is recognised
(same order and questionnaire) and not sent twice, so an interrupted run is resumed by running it
again. Sending into existing chats is done by the running bot's job runner, at the platforms' pace.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from pydantic import ValidationError

from conversations.dialogues.invitations import InvitationError, InvitationRequest, invite
from storage.store import Store

COLUMNS = (
    "customer_ref",
    "order_ref",
    "questionnaire",
    "language",
    "send_at",
    "segment",
    "country",
    "timezone",
    "channel",
)
OUTPUT = ("line", "order_ref", "status", "invitation_id", "deep_link", "problem", "start_payload")
# Exit status of `feedback-bot invite` when rows were refused: distinct from 1 (could not run at all)
# and 2 (bad arguments), so a script can tell "fix these rows" from "fix the set-up".
EXIT_REFUSED = 3


async def invite_csv(
    store: Store,
    source: TextIO,
    out: TextIO,
    progress: TextIO,
    *,
    default_questionnaire: str,
    deep_link: Callable[[str], str | None],
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, int]:
    """Invite every row; write one result row each to `out`; the counts by status."""
    rows = list(csv.DictReader(source))
    writer = csv.DictWriter(out, fieldnames=OUTPUT)
    writer.writeheader()
    counts = {"invited": 0, "already invited": 0, "sending in chat": 0, "refused": 0}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        values = {key: (row.get(key) or "").strip() for key in COLUMNS}
        data = {key: value for key, value in values.items() if value}
        data.setdefault("questionnaire", default_questionnaire)
        result_row: dict[str, object] = {"line": number, "order_ref": values["order_ref"]}
        try:
            result = await invite(
                store, InvitationRequest.model_validate(data), now=clock(), deep_link=deep_link, source="csv"
            )
        except ValidationError as error:
            problem = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
            result_row.update(status="refused", problem=problem)
            counts["refused"] += 1
        except InvitationError as error:
            result_row.update(status="refused", problem=str(error))
            counts["refused"] += 1
        else:
            status = "already invited" if result.duplicate else "invited"
            counts[status] += 1
            counts["sending in chat"] += int(result.sending)
            result_row.update(
                status=status,
                invitation_id=result.invitation_id,
                # Without a bot username there is no link: an empty cell, never a bare payload posing as one.
                deep_link=result.deep_link or "",
                start_payload=result.start_payload,
            )
        writer.writerow(result_row)
        _bar(progress, number - 1, len(rows))
    progress.write("\n")
    return counts


def _bar(stream: TextIO, done: int, total: int, width: int = 30) -> None:
    filled = width * done // max(total, 1)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    stream.flush()
