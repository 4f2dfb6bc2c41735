"""The shipped default questionnaire's question ids, read from its file (tests and benchmarks drive it)."""

from __future__ import annotations

from core.questionnaire import BUILTIN_DIR, QuestionType, load_file

DEFAULT = load_file(BUILTIN_DIR / "default.yaml")
RATED = tuple(q.id for q in DEFAULT.questions if q.type is QuestionType.RATING5)
"""The 1–5 questions in order (the first eight questions a satisfied customer sees)."""
