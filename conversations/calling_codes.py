"""A phone number's calling code: the country it belongs to, and the language people there most read.

Both are hints: a customer's own words and choices decide their language, and a report's country
breakdown prefers the country the shop gave with the invitation.
"""

from __future__ import annotations

# Calling code → (ISO country, language). +1 covers the US and Canada; +7 Russia and Kazakhstan. India
# (+91) has no entry: its shoppers read English as often as Hindi, so their words decide.
_CODES = {
    "1": ("US", "en"), "44": ("GB", "en"), "61": ("AU", "en"), "64": ("NZ", "en"), "353": ("IE", "en"),
    "49": ("DE", "de"), "43": ("AT", "de"), "41": ("CH", "de"), "33": ("FR", "fr"), "32": ("BE", "fr"),
    "34": ("ES", "es"), "52": ("MX", "es"), "54": ("AR", "es"), "57": ("CO", "es"), "56": ("CL", "es"),
    "51": ("PE", "es"), "55": ("BR", "pt"), "351": ("PT", "pt"), "7": ("RU", "ru"), "86": ("CN", "zh"),
    "886": ("TW", "zh"), "852": ("HK", "zh"), "81": ("JP", "ja"), "82": ("KR", "ko"), "90": ("TR", "tr"),
    "62": ("ID", "id"), "966": ("SA", "ar"), "971": ("AE", "ar"), "20": ("EG", "ar"), "212": ("MA", "ar"),
    "962": ("JO", "ar"), "965": ("KW", "ar"), "974": ("QA", "ar"), "973": ("BH", "ar"), "968": ("OM", "ar"),
    "213": ("DZ", "ar"), "216": ("TN", "ar"),
    "39": ("IT", "it"), "31": ("NL", "nl"), "48": ("PL", "pl"), "380": ("UA", "uk"), "84": ("VN", "vi"),
    "66": ("TH", "th"), "60": ("MY", "ms"), "972": ("IL", "he"), "98": ("IR", "fa"), "46": ("SE", "sv"),
    "420": ("CZ", "cs"),
}  # fmt: skip


def _lookup(number: str) -> tuple[str, str] | None:
    digits = number.lstrip("+")
    for length in (3, 2, 1):
        found = _CODES.get(digits[:length])
        if found:
            return found
    return None


def country_of_number(number: str) -> str | None:
    found = _lookup(number)
    return found[0] if found else None


def language_of_number(number: str) -> str | None:
    found = _lookup(number)
    return found[1] if found else None
