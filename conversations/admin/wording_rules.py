"""Leading wording, per language: what pushes a customer's answer one way before they give it.

Each language has one table of patterns by kind of problem. Only the question itself is read: what
follows a colon or an opening parenthesis explains the thing rated or labels the scale (the policy's
after-sales question, "0 = not at all likely"), and is not the question's claim.
The labelled wordings in benchmarks/lint_wordings.csv measure these tables
(`python -m benchmarks.lint_quality`); add every miss found there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRESUMES = "presumes a quality of what is rated"
NEGATIVE = "a negative question invites agreement"
AGREEMENT = "asks for agreement"
FEELING = "assumes a feeling"
DOUBLE = "double-barrelled: asks about two things at once"
UNBALANCED = "unbalanced answer options: more positive than negative ones"


@dataclass(frozen=True, slots=True)
class Rules:
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    positive_options: re.Pattern[str]
    negative_options: re.Pattern[str]


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_EN_GOOD = (
    r"excellent|amazing|great|wonderful|fantastic|outstanding|superb|fast|quick|speedy|reliable|friendly|"
    r"helpful|convenient|perfect|best|awesome|lovely|smooth|efficient|professional|courteous|prompt|"
    r"terrible|awful|poor|slow|bad|rude|unhelpful|disappointing"
)
_DE_GOOD = (
    r"schnell|zügig|zuverlässig|toll|hervorragend|ausgezeichnet|großartig|super|freundlich|perfekt|"
    r"exzellent|fantastisch|wunderbar|schlecht|langsam|miserabel|unfreundlich|enttäuschend"
)
_ES_GOOD = (
    r"rápid|excelente|magnífic|estupend|fantástic|genial|fiable|confiable|amable|perfect|maravillos|"
    r"pésim|terrible|lent|mal[oa]s?\b|decepcionante"
)
_FR_GOOD = (
    r"rapide|excellent|formidable|fantastique|superbe|fiable|parfait|aimable|génial|merveilleu|"
    r"terrible|lent|mauvais|médiocre|décevant"
)

RULES: dict[str, Rules] = {
    "en": Rules(
        patterns=(
            (PRESUMES, _p(rf"\b(?:our|the|your|this|its)\s+(?:[\w-]+\s+)?(?:{_EN_GOOD})\b")),
            (
                PRESUMES,
                _p(r"\b(?:excellent|amazing|wonderful|fantastic|outstanding|superb|terrible|awful)\b"),
            ),
            (
                NEGATIVE,
                _p(
                    r"^\W*(?:wasn'?t|isn'?t|didn'?t|don'?t|doesn'?t|aren'?t|weren'?t|won'?t|wouldn'?t|"
                    r"haven'?t|hasn'?t|couldn'?t|shouldn'?t)\b|"
                    r"^\W*(?:was|were|is|are|did|do|does|would|could|has|have)\b[^?]{0,40}\bnot\b"
                ),
            ),
            (AGREEMENT, _p(r"\b(?:agree that|surely|obviously|of course|clearly|don'?t you)\b")),
            (
                FEELING,
                _p(
                    r"\b(?:did you (?:enjoy|like|love)|how (?:much did you (?:like|love|enjoy)|happy|pleased|"
                    r"delighted|disappointed|much do you (?:like|love)))\b"
                ),
            ),
            (
                DOUBLE,
                _p(
                    r"\b(?:with|about|of|rate)\s+(?:(?:the|our|your|its)\s+)?(?:[\w-]+\s+){1,2}(?:and|&)\s+\w"
                ),
            ),
        ),
        positive_options=_p(r"\b(?:excellent|very good|good|great|satisfied|happy|fast|quick|perfect)\b"),
        negative_options=_p(r"\b(?:poor|bad|slow|dissatisfied|unhappy|terrible|unsatisfied|not)\b"),
    ),
    "de": Rules(
        patterns=(
            (
                PRESUMES,
                _p(rf"\b(?:unser\w*|die|der|den|dem|das|ihre?\w*)\s+(?:[\w-]+\s+)?(?:{_DE_GOOD})\w*\b"),
            ),
            (PRESUMES, _p(r"\b(?:hervorragend|ausgezeichnet|großartig|fantastisch|wunderbar|miserabel)\w*")),
            (
                NEGATIVE,
                _p(
                    r"^\W*(?:war|ist|hat|haben|waren|sind|fanden|finden|hätten|wäre|wurde)\b[^?]*\bnicht\b|"
                    r"\bnicht wahr\b"
                ),
            ),
            (AGREEMENT, _p(r"\b(?:stimmen sie \w*\s*zu|sicherlich|natürlich|offensichtlich|bestimmt)\b")),
            (
                FEELING,
                _p(r"\b(?:gefallen|begeistert|wie glücklich|wie sehr (?:hat|haben|mochten)|genossen)\b"),
            ),
            (
                DOUBLE,
                _p(
                    r"\b(?:mit|über)\s+(?:(?:der|dem|den|die|das|unserer?|unseren|unserem|ihrer?|ihrem)\s+)?"
                    r"(?:[\w-]+\s+){1,2}und\s+\w"
                ),
            ),
        ),
        positive_options=_p(r"\b(?:ausgezeichnet|sehr gut|gut|super|zufrieden|schnell|perfekt)\b"),
        negative_options=_p(r"\b(?:schlecht|langsam|unzufrieden|mangelhaft|ungenügend|nicht)\b"),
    ),
    "es": Rules(
        patterns=(
            (
                PRESUMES,
                _p(rf"\b(?:nuestr[oa]s?|el|la|los|las|su|sus)\s+(?:[\w-]+\s+)?(?:{_ES_GOOD})\w*"),
            ),
            (
                PRESUMES,
                _p(r"\b(?:excelente|magnífic[oa]|estupend[oa]|fantástic[oa]|maravillos[oa]|pésim[oa])"),
            ),
            (NEGATIVE, _p(r"^\W*no\b|\bverdad\s*\?")),
            (
                AGREEMENT,
                _p(r"\b(?:de acuerdo en que|sin duda|obviamente|por supuesto|claramente|seguramente)\b"),
            ),
            (
                FEELING,
                _p(
                    r"\b(?:le|te|les) (?:gustó|gusto|encantó|encanto)\b|"
                    r"\bqué tan (?:feliz|content[oa])\b|disfrutó"
                ),
            ),
            (
                DOUBLE,
                _p(
                    r"\b(?:con|de|sobre)\s+(?:(?:el|la|los|las|nuestr[oa]s?|su|sus)\s+)?(?:[\w-]+\s+){1,2}"
                    r"[ye]\s+\w"
                ),
            ),
        ),
        positive_options=_p(r"\b(?:excelente|muy bien|muy buen[oa]|buen[oa]|bien|satisfech[oa]|rápid[oa])\b"),
        negative_options=_p(r"\b(?:mal[oa]?|lent[oa]|insatisfech[oa]|pésim[oa]|deficiente|no)\b"),
    ),
    "fr": Rules(
        patterns=(
            (
                PRESUMES,
                _p(rf"\b(?:notre|nos|votre|vos|la|le|les)\s+(?:[\w-]+\s+)?(?:{_FR_GOOD})\w*"),
            ),
            (PRESUMES, _p(r"\b(?:excellent\w*|formidable|fantastique|superbe|merveilleu\w*|médiocre)\b")),
            (NEGATIVE, _p(r"\b(?:ne|n['’])\s*[\w-]+(?:-[\w]+)*\s+pas\b|\bn['’]est-ce pas\b")),
            (
                AGREEMENT,
                _p(r"\b(?:d['’]accord (?:pour dire )?que|sans doute|évidemment|bien sûr|forcément)\b"),
            ),
            (FEELING, _p(r"\b(?:avez-vous (?:aimé|apprécié|adoré)|à quel point (?:avez-vous|êtes-vous))")),
            (
                DOUBLE,
                _p(
                    r"\b(?:de|du|des|avec|sur|concernant)\s+(?:(?:la|le|les|l['’]|notre|nos|votre|vos)\s*)?"
                    r"(?:[\w'’-]+\s+){1,2}et\s+\w"
                ),
            ),
        ),
        positive_options=_p(r"\b(?:excellent\w*|très bien|très bon\w*|bien|bon\w*|satisfait\w*|rapide)\b"),
        negative_options=_p(r"\b(?:mauvais\w*|lent\w*|insatisfait\w*|médiocre|insuffisant\w*|pas)\b"),
    ),
}
LANGUAGES = tuple(RULES)
_ASIDE = re.compile(r"[:：(（]")


def wording_problems(text: str, language: str) -> list[tuple[str, str]]:
    """(why, the words that show it) for each kind of leading wording in `text`."""
    rules = RULES.get(language)
    if rules is None:
        return []
    question = _ASIDE.split(text, maxsplit=1)[0]
    found: list[tuple[str, str]] = []
    for why, pattern in rules.patterns:
        match = pattern.search(question)
        if match and all(why != seen for seen, _ in found):
            found.append((why, match.group(0).strip()))
    return found


def unbalanced(options: list[str], language: str) -> bool:
    """More positive answer options than negative ones (at least two more): the scale leans."""
    rules = RULES.get(language)
    if rules is None or len(options) < 3:
        return False
    positive = sum(
        1 for o in options if rules.positive_options.search(o) and not rules.negative_options.search(o)
    )
    negative = sum(1 for o in options if rules.negative_options.search(o))
    return positive - negative >= 2
