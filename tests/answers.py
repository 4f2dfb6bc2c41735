"""Where a test finds a response's answers: in `responses` once the survey has ended, in the
conversation while it is being answered (they are copied when the survey is completed or left)."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase


async def answers_so_far(db: AsyncDatabase[dict[str, Any]], response: dict[str, Any]) -> dict[str, Any]:
    if response.get("status") != "in_progress":
        return dict(response.get("answers") or {})
    conversation = await db["conversations"].find_one({"response_id": response["_id"]})
    return dict((conversation or {}).get("answers") or {})
