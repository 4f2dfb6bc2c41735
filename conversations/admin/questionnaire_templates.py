"""Questionnaire templates from the feedback policy, for `/admin new from-template`."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from core.admin_payloads import TemplateName
from core.questionnaire import BUILTIN_DIR, Questionnaire, load_file

TEMPLATE_DIR = BUILTIN_DIR / "templates"
# The post-delivery survey is the shipped default; the others live beside it, not loaded at start-up.
FILES: dict[TemplateName, Path] = {
    "post-delivery": BUILTIN_DIR / "default.yaml",
    "after-complaint": TEMPLATE_DIR / "after-complaint.yaml",
    "repair": TEMPLATE_DIR / "repair.yaml",
    "nps-pulse": TEMPLATE_DIR / "nps-pulse.yaml",
}
LABELS: dict[TemplateName, str] = {
    "post-delivery": "After delivery: the six dimensions, 0–10 recommendation, comments",
    "after-complaint": "After a complaint: resolution, response time, solved?",
    "repair": "After a repair: result, duration, keeping informed",
    "nps-pulse": "NPS pulse: 0–10 recommendation and its reason",
}
NAMES: tuple[TemplateName, ...] = get_args(TemplateName)


def template(name: str) -> Questionnaire | None:
    """The template called `name`, or None when there is none."""
    for known in NAMES:
        if known == name:
            return load_file(FILES[known])
    return None
