"""The complaint policy (teams, routing, deadlines) built from settings, with errors that name the setting."""

from __future__ import annotations

import re

from bot.settings import Settings, SettingsError
from conversations.tickets.policy import DEFAULT_URGENT_WORDS, ComplaintPolicy, Team
from conversations.tickets.working_time import Calendar, Counting


def complaint_policy(settings: Settings) -> ComplaintPolicy:
    try:
        pattern = re.compile(settings.complaint_order_pattern)
    except re.error as error:
        raise SettingsError(f"COMPLAINT_ORDER_PATTERN: {error}") from None
    if not pattern.fullmatch(settings.complaint_order_example):
        raise SettingsError("COMPLAINT_ORDER_EXAMPLE does not match COMPLAINT_ORDER_PATTERN")
    teams: dict[str, Team] = {}
    for name, team in settings.teams.items():
        try:
            calendar = Calendar(
                timezone=team.timezone,
                workdays=frozenset(team.workdays),
                opens=team.opens,
                closes=team.closes,
                holidays=frozenset(team.holidays),
            )
        except Exception as error:  # unknown zone or impossible hours
            raise SettingsError(f"TEAMS.{name}: {error}") from None
        teams[name] = Team(name=name, channel=team.channel, calendar=calendar)
    words = (
        tuple(word.casefold() for word in settings.urgent_words)
        if settings.urgent_words
        else DEFAULT_URGENT_WORDS
    )
    try:
        return ComplaintPolicy(
            order_pattern=pattern,
            order_example=settings.complaint_order_example,
            teams=teams,
            routing=dict(settings.routing),
            default_team=settings.default_team,
            counting=Counting(settings.sla_counting),
            first_contact_hours=settings.sla_first_contact_hours,
            resolution_hours=settings.sla_resolution_hours,
            reminder_share=settings.sla_reminder_share,
            followup_working_days=settings.followup_working_days,
            urgent_words=words,
            urgent_words_per_language=not settings.urgent_words,
        )
    except ValueError as error:
        raise SettingsError(f"TEAMS/ROUTING/DEFAULT_TEAM: {error}") from None
