"""How a comment's time is shown to readers: one format for the page, the iframe and the
script embed, in the configured ``TIMEZONE`` and the page's language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

COMMENT_TIME = _l("d MMMM y 'at' HH:mm")


def comment_time(value: datetime) -> str:
    """``30 november 2026 kl. 13:46`` in Swedish, ``30 November 2026 at 13:46`` in English."""
    return format_datetime(value, str(COMMENT_TIME))


def utc_time(moment: datetime) -> str:
    """A moment for the record (mails of notice and action, the transparency report), in UTC
    and saying so: ``2026-12-01 13:46 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def site_time(moment: datetime, zone: str) -> str:
    """A moment in a site's time zone (``TIMEZONE``), saying which: ``2026-12-01 14:46
    (Europe/Stockholm)``. A mail's reader is in the site's zone, not the server's."""
    local = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} ({zone})"
