"""The handler fixtures (a running bot on the fake platforms) for the HTTP-level fuzzing."""

from tests.handlers.conftest import libre, polling, telegram

__all__ = ["libre", "polling", "telegram"]
