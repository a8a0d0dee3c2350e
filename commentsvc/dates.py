"""The one clock: how every surface shows a moment.

Moments are stored as timezone-aware UTC. A person reads one in the time zone of the site it
belongs to (the per-site setting ``TIMEZONE``; the installation's for what belongs to no
site), and is told which zone: ``2026-12-07 14:02 CET``, ``2026-07-01 08:00 EDT``. A machine
reads it in UTC, saying so: ``2026-12-07T13:02:00Z`` (JSON, CSV, ``<time datetime>``).

A date a person types (a filter's "from" and "to", a report's period) is a day in that same
zone: ``day_start`` turns it into the UTC moment where that day begins there.

The reader's thread (page, iframe, script embed) keeps its own friendlier wording,
``comment_time``, in the site's zone (Flask-Babel's time zone is the request's site's)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

COMMENT_TIME = _l("d MMMM y 'at' HH:mm")
#: The one pattern of a moment shown to moderators, admins and in mails (the zone follows).
SHOWN = "yyyy-MM-dd HH:mm"


def comment_time(value: datetime) -> str:
    """``30 november 2026 kl. 13:46`` in Swedish, ``30 November 2026 at 13:46`` in English."""
    return format_datetime(value, str(COMMENT_TIME))


def zone_of(site_id: str | None) -> str:
    """The time zone a site's moments are shown in (None: the installation's)."""
    from flask import current_app

    from commentsvc.sites import config_for

    if site_id is None:
        return current_app.config["TIMEZONE"]
    return config_for(site_id)["TIMEZONE"]


def _aware(moment: datetime) -> datetime:
    # SQLite can hand back a naive value from a raw query: it is UTC, as everything stored.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def in_zone(moment: datetime, zone: str) -> datetime:
    """The moment on the clocks of ``zone``."""
    return _aware(moment).astimezone(ZoneInfo(zone))


def zone_label(local: datetime) -> str:
    """The zone's abbreviation at that moment (CET in winter, CEST in summer); a zone without
    one (``+04``) is said as an offset from UTC (``UTC+04``)."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def site_time(moment: datetime, zone: str, pattern: str = SHOWN) -> str:
    """``2026-12-07 14:02 CET``: the moment in ``zone`` (a site's ``TIMEZONE``), in the
    reader's language, with the zone named."""
    local = in_zone(moment, zone)
    return f"{format_datetime(local, pattern, rebase=False)} {zone_label(local)}"


def local_time(moment: datetime, site_id: str | None) -> str:
    """A moment of ``site_id`` (None: of the installation) as a person reads it, in the
    site's zone: ``site_time`` with the site's ``TIMEZONE``."""
    return site_time(moment, zone_of(site_id))


def local_day(moment: datetime, zone: str) -> date:
    """The date of the moment on the clocks of ``zone``."""
    return in_zone(moment, zone).date()


def machine_time(moment: datetime) -> str:
    """``2026-12-07T13:02:00Z``: UTC, to the second, for ``<time datetime>``, JSON and CSV."""
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_start(day: date, zone: str) -> datetime:
    """The UTC moment where ``day`` begins in ``zone`` (a filter's or a report's day)."""
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)
