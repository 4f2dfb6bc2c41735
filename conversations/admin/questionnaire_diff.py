"""What a working copy changes against the published version: questions and texts, per language."""

from __future__ import annotations

from core.questionnaire import Question, Questionnaire


def diff(published: Questionnaire, working: Questionnaire) -> list[str]:
    """One line per change, in the working copy's order; empty when nothing changed."""
    lines: list[str] = []
    added = [code for code in working.languages if code not in published.languages]
    dropped = [code for code in published.languages if code not in working.languages]
    if added:
        lines.append(f"+ languages: {', '.join(added)}")
    if dropped:
        lines.append(f"- languages: {', '.join(dropped)}")
    lines += _texts("title", published.title, working.title)
    before = {q.id: q for q in published.questions}
    after = {q.id: q for q in working.questions}
    for question in published.questions:
        if question.id not in after:
            lines.append(f"- {question.id}: {_first(question.text)}")
    for question in working.questions:
        old = before.get(question.id)
        if old is None:
            lines.append(f"+ {question.id} [{question.type}, {question.dimension}]: {_first(question.text)}")
            continue
        lines += _question_changes(old, question)
    old_order = [q.id for q in published.questions if q.id in after]
    new_order = [q.id for q in working.questions if q.id in before]
    if old_order != new_order:
        lines.append(f"~ order: {' → '.join(new_order)}")
    return lines


def _question_changes(old: Question, new: Question) -> list[str]:
    lines: list[str] = []
    for field in ("type", "dimension", "required"):
        if getattr(old, field) != getattr(new, field):
            lines.append(f"~ {new.id} {field}: {getattr(old, field)} → {getattr(new, field)}")
    if old.show_if != new.show_if:
        lines.append(f"~ {new.id} condition changed")
    if [o.value for o in old.options] != [o.value for o in new.options]:
        lines.append(f"~ {new.id} options: {', '.join(o.value for o in new.options)}")
    lines += _texts(new.id, old.text, new.text)
    old_options = {o.value: o.text for o in old.options}
    for option in new.options:
        if option.value in old_options:
            lines += _texts(f"{new.id} option {option.value}", old_options[option.value], option.text)
    return lines


def _texts(what: str, old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Reworded, added and removed texts, one line per language."""
    lines: list[str] = []
    for code in dict.fromkeys([*new, *old]):
        if code not in old:
            lines.append(f"+ {what} [{code}]: {new[code]}")
        elif code not in new:
            lines.append(f"- {what} [{code}]")
        elif old[code] != new[code]:
            lines.append(f"~ {what} [{code}]: “{old[code]}” → “{new[code]}”")
    return lines


def _first(texts: dict[str, str]) -> str:
    return texts.get("en") or next(iter(texts.values()), "")
