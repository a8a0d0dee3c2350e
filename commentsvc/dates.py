"""How a comment's time is shown to readers: one format for the page, the iframe and the
script embed, in the configured ``TIMEZONE`` and the page's language."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale, to_user_timezone
from flask_babel import lazy_gettext as _l

COMMENT_TIME = _l("d MMMM y 'at' HH:mm")

# Issue 15: Babel loads a language's whole CLDR data (about 5 MB for Swedish with its root,
# 1 MB more for English) into every worker at the first date it formats, for twelve month
# names. The patterns the service uses (numbers, wide month names, quoted text) are formatted
# here; the two languages of the service have theirs here (tests/test_memory.py checks them
# against Babel's); any other language or pattern letter is left to Babel as before.
MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "sv": (
        "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
        "september", "oktober", "november", "december",
    ),
}  # fmt: skip
# A pattern is letters (fields), 'quoted text' ('' is a quote) and other characters as typed.
_TOKEN = re.compile(r"'((?:[^']|'')*)'|([A-Za-z])\2*|([^A-Za-z']+)")
_FIELDS = {
    "d": lambda t, months: str(t.day),
    "dd": lambda t, months: f"{t.day:02d}",
    "MM": lambda t, months: f"{t.month:02d}",
    "MMMM": lambda t, months: months[t.month - 1],
    "y": lambda t, months: str(t.year),
    "yyyy": lambda t, months: f"{t.year:04d}",
    "HH": lambda t, months: f"{t.hour:02d}",
    "mm": lambda t, months: f"{t.minute:02d}",
}
_compiled: dict[str, list | None] = {}


def _compile(pattern: str) -> list | None:
    """The pattern's parts (text, or a field's function), or None when Babel must format it."""
    if pattern not in _compiled:
        _compiled[pattern] = _parts(pattern)
    return _compiled[pattern]


def _parts(pattern: str) -> list | None:
    if pattern in ("short", "medium", "long", "full"):  # the language's own formats
        return None
    parts: list = []
    position = 0
    for match in _TOKEN.finditer(pattern):
        if match.start() != position:
            return None
        position = match.end()
        quoted, field, text = match.group(1), match.group(0), match.group(3)
        if quoted is not None:
            parts.append(quoted.replace("''", "'") if quoted else "'")
        elif text is not None:
            parts.append(text)
        elif field in _FIELDS:
            parts.append(_FIELDS[field])
        else:
            return None
    return parts if position == len(pattern) else None


def format_datetime(value: datetime | None = None, format: str | None = None, rebase=True) -> str:
    """flask_babel's ``format_datetime`` (and the templates' ``datetimeformat`` filter), the
    same answer, without Babel's locale data for the patterns and languages above."""
    months = MONTHS.get(str(get_locale()))
    if value is None or format is None or not rebase or months is None:
        return babel_format_datetime(value, format, rebase)
    parts = _compile(format)
    if parts is None:
        return babel_format_datetime(value, format, rebase)
    local = to_user_timezone(value)
    return "".join(p if isinstance(p, str) else p(local, months) for p in parts)


def comment_time(value: datetime) -> str:
    """``30 november 2026 kl. 13:46`` in Swedish, ``30 November 2026 at 13:46`` in English."""
    return format_datetime(value, str(COMMENT_TIME))
