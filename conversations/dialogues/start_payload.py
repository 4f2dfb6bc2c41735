"""Deep-link start payloads: `q-<questionnaire>` and/or `o-<order>`, joined by `__`.

Telegram allows `[A-Za-z0-9_-]{1,64}` after `?start=`; a bare part is a questionnaire id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ALLOWED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_QUESTIONNAIRE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_ORDER = re.compile(r"^[A-Za-z0-9-]{1,40}$")


@dataclass(frozen=True, slots=True)
class StartPayload:
    questionnaire_id: str | None = None
    order_ref: str | None = None


def parse_start_payload(text: str) -> StartPayload | None:
    """The payload's parts, or None when it is malformed (the caller falls back to defaults)."""
    text = text.strip()
    if not text:
        return StartPayload()
    if not _ALLOWED.match(text):
        return None
    questionnaire_id: str | None = None
    order_ref: str | None = None
    for part in text.split("__"):
        prefix, value = (part[:2], part[2:]) if part[:2] in {"o-", "q-"} else ("", part)
        if prefix == "o-" and _ORDER.match(value) and order_ref is None:
            order_ref = value
        elif prefix != "o-" and _QUESTIONNAIRE.match(value) and questionnaire_id is None:
            questionnaire_id = value
        else:
            return None
    return StartPayload(questionnaire_id=questionnaire_id, order_ref=order_ref)


def build_start_payload(*, questionnaire_id: str | None = None, order_ref: str | None = None) -> str:
    parts = ([f"q-{questionnaire_id}"] if questionnaire_id else []) + (
        [f"o-{order_ref}"] if order_ref else []
    )
    payload = "__".join(parts)
    if parse_start_payload(payload) != StartPayload(questionnaire_id, order_ref):
        raise ValueError("questionnaire id or order reference cannot be carried in a start link")
    return payload
