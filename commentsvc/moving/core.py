"""What every importer shares: source records, the summary, and storing one article at a time."""

from __future__ import annotations

import html
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import click
from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc.errors import DomainError
from commentsvc.models.threads import CommentStatus
from commentsvc.weburls import BadWebUrl, clean_web_url

Progress = Callable[[str], None]


class ProgressBar:
    """A progress bar for an import or export on a terminal, and nothing elsewhere.

    The command makes one and hands it down; the reader says how many items there are
    (``start``), the store or writer moves it (``advance``). It is drawn only when standard
    output is a terminal, so a summary redirected to a file or read by cron stays clean.
    """

    def __init__(self, label: str, *, file=None):
        self.label = label
        self.file = file if file is not None else sys.stdout
        self.shown = bool(getattr(self.file, "isatty", lambda: False)())
        self._bar = None

    def start(self, total: int) -> None:
        if self.shown and self._bar is None and total > 0:
            self._bar = click.progressbar(length=total, label=self.label, file=self.file)
            self._bar.__enter__()

    def advance(self, count: int = 1) -> None:
        if self._bar is not None and count:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.__exit__(None, None, None)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LongText(str):
    """A source's text longer than an importer keeps of it (the first part only, read without
    the rest); ``length`` is its real size, for the summary."""

    length: int


class ImportRefused(DomainError):
    """The file cannot be imported as a whole (not XML, truncated, a DTD with entities…)."""

    status = 422
    code = "import_refused"


@dataclass
class SourceComment:
    """A comment as the old system stored it, before it has a place in our database."""

    source_id: str
    parent_source_id: str | None
    author: str
    email: str
    website: str
    ip: str
    created_at: datetime | None
    text: str
    status: CommentStatus
    # Set when the date had to be guessed; reported in the summary.
    date_note: str = ""
    # Deleted at the source but answered: kept as an empty, anonymous placeholder so that
    # its replies stay in their place ("This comment has been removed.").
    removed: bool = False
    # The site's own reply (a staff reply), as our WordPress export marks it.
    by_staff: bool = False
    # When its author or a moderator last changed it at the source, if the source says.
    edited_at: datetime | None = None


@dataclass
class SourceArticle:
    source_id: str
    key: str
    title: str
    url: str
    closed: bool
    created_at: datetime | None
    comments: list[SourceComment] = field(default_factory=list)


@dataclass
class Summary:
    """What an import did, for the person who ran it."""

    articles_created: int = 0
    articles_existing: int = 0
    comments: Counter = field(default_factory=Counter)  # CommentStatus -> stored
    # What the source held that has no place here (likes, reply subscriptions): one line
    # each, so nothing is left behind without the operator being told.
    left_behind: list[str] = field(default_factory=list)
    already_imported: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    notes: list[tuple[str, str]] = field(default_factory=list)  # stored, but with a remark
    # --dry-run: every article was stored and rolled back, so the counts are the real ones.
    dry_run: bool = False

    @property
    def stored(self) -> int:
        return sum(self.comments.values())

    def lines(self) -> list[str]:
        """The summary as lines of text in the configured language."""
        lines = [_("Dry run: nothing was written. The import would do this:")] * self.dry_run
        lines += [
            _(
                "Articles: %(created)s, %(existing)s.",
                created=ngettext("%(num)d new", "%(num)d new", self.articles_created),
                existing=ngettext(
                    "%(num)d already there", "%(num)d already there", self.articles_existing
                ),
            ),
            _(
                "Comments imported: %(count)d (approved %(approved)d, pending %(pending)d, "
                "spam %(spam)d, trash %(trash)d).",
                count=self.stored,
                approved=self.comments[CommentStatus.APPROVED],
                pending=self.comments[CommentStatus.PENDING],
                spam=self.comments[CommentStatus.SPAM],
                trash=self.comments[CommentStatus.TRASH],
            ),
            _("Already imported earlier: %(count)d.", count=self.already_imported),
            _("Skipped: %(count)d.", count=len(self.skipped)),
        ]
        lines += [f"  - {what}: {why}" for what, why in self.skipped]
        if self.notes:
            lines.append(_("Imported with a remark: %(count)d.", count=len(self.notes)))
            lines += [f"  - {what}: {why}" for what, why in self.notes]
        if self.left_behind:
            lines.append(_("Not imported, with the reason:"))
            lines += [f"  - {line}" for line in self.left_behind]
        return lines


_ODD_SPACE = re.compile(r"\s+")


def parse_date(value: str | None) -> datetime | None:
    """A date as exports write it, in UTC: ``2013-03-14 15:01:21``, ISO 8601, RFC 2822.

    Dates without a zone are taken as UTC (callers pass the GMT fields). WordPress's
    ``0000-00-00 00:00:00`` and anything unreadable give None.
    """
    value = _ODD_SPACE.sub(" ", (value or "").strip())
    if not value or value.startswith("0000-00-00"):
        return None
    candidates = [value, value.replace(" ", "T", 1)]
    if value.endswith(("Z", "z")):
        candidates.append(value[:-1] + "+00:00")
    for candidate in candidates:
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return _as_utc(parsed)
    for pattern in ("%Y/%m/%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return _as_utc(datetime.strptime(value, pattern))
        except ValueError:
            continue
    try:
        return _as_utc(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        return None


def _as_utc(moment: datetime) -> datetime | None:
    if moment.year < 1970:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def plain(value: str | None) -> str:
    """A name or address from an export: entities decoded (``&laquo;``), spaces trimmed."""
    return html.unescape(value or "").strip()


def capped(value: str, limit: int, what: str, field: str, notes: list) -> str:
    """The value cut to the form's limit for the field; a cut is noted for the summary."""
    length = getattr(value, "length", len(value))  # the parser may have kept only the start
    if length <= limit:
        return value
    notes.append(
        (
            what,
            _(
                "the %(field)s had %(length)d characters; the first %(limit)d were kept",
                field=field,
                length=length,
                limit=limit,
            ),
        )
    )
    return value[:limit]


def web_address(value: str, limit: int, what: str, field: str, notes: list) -> str:
    """An address as the form would take it (weburls.clean_web_url); a refused one is
    dropped, never stored, and the summary says so."""
    try:
        return clean_web_url(value, limit=limit, bare_domain=False)
    except BadWebUrl as error:
        notes.append(
            (
                what,
                _(
                    "the %(field)s %(value)r was dropped: %(why)s",
                    field=field,
                    value=value[:80],
                    why=error.message,
                ),
            )
        )
        return ""
