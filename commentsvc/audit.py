"""The audit log: every decision on a comment, and the events that concern no single comment
(settings changed, accounts, privacy requests, purges), read by admins on the log page.

A record stores what happened as fields (``ModerationEvent.details``, JSON) and is turned
into a sentence only when shown, in the reader's language, by one function per action: no
stored sentence is ever parsed back. A record names accounts by number (``{"account": 7}``,
shown as today's user name) and comments by id, never a reader's name, address or text, so
what an erasure cannot reach holds no personal data. (The one exception, an edit's earlier
text, is reached by the erasure through the comment's address; a trust decision names the
person's address, for the moderators, and the erasure blanks it.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction, ModerationEvent, Moderator

A = AuditAction
LABELS = {
    A.APPROVE: _l("approved"),
    A.TRASH: _l("moved to trash"),
    A.SPAM: _l("marked as spam"),
    A.RESTORE: _l("restored"),
    A.EDIT: _l("edited the text"),
    A.DELETE: _l("deleted permanently"),
    A.STAFF_REPLY: _l("replied as staff"),
    A.UNSUBSCRIBE: _l("removed an email subscription"),
    A.UNDO: _l("undid the last decision"),
    A.REPORT_HOLD: _l("held after readers' reports"),
    A.REPORTS_KEPT: _l("kept; reports dismissed"),
    A.SETTING: _l("changed a setting"),
    A.ACCOUNT_CREATED: _l("added an account"),
    A.ACCOUNT_DISABLED: _l("disabled an account"),
    A.ACCOUNT_ENABLED: _l("re-enabled an account"),
    A.ROLE_CHANGED: _l("changed a role"),
    A.PASSWORD_SET: _l("set a password"),
    A.PASSWORD_RESET: _l("reset a password"),
    A.PRIVACY_EXPORT: _l("privacy export"),
    A.PRIVACY_ERASE: _l("privacy erasure"),
    A.PURGE: _l("purge"),
    A.EDIT_SUBMITTED: _l("edited an approved comment; the edit waits for review"),
    A.EDIT_APPROVED: _l("published the author's edit"),
    A.EDIT_REJECTED: _l("rejected the author's edit"),
    A.SITE_ADDED: _l("added a site"),
    A.SITE_CHANGED: _l("changed a site"),
    A.SITE_REMOVED: _l("removed a site"),
    A.UNAPPROVE: _l("took back to the queue"),
    A.PICK: _l("marked as an editors' pick"),
    A.UNPICK: _l("no longer an editors' pick"),
    A.TRUST: _l("changed a person's trust"),
    A.BAN: _l("banned an address or a network"),
    A.UNBAN: _l("lifted a ban"),
    A.ARTICLE_CLOSED: _l("closed an article"),
    A.ARTICLE_REOPENED: _l("reopened an article"),
    A.ARTICLE_PREMODERATED: _l("pre-moderated an article"),
    A.ARTICLE_POSTMODERATED: _l("put an article back under the site's policy"),
    A.LOGIN: _l("logged in"),
    A.LOGOUT: _l("logged out"),
    A.LOGIN_UNLOCKED: _l("cleared failed logins"),
    A.TOTP_ENABLED: _l("turned on a second factor"),
    A.TOTP_DISABLED: _l("turned off a second factor"),
}
KINDS = {
    "decisions": (
        _l("Decisions on comments"),
        (
            A.APPROVE,
            A.TRASH,
            A.SPAM,
            A.RESTORE,
            A.EDIT,
            A.STAFF_REPLY,
            A.UNDO,
            A.UNSUBSCRIBE,
            A.REPORT_HOLD,
            A.REPORTS_KEPT,
            A.EDIT_SUBMITTED,
            A.EDIT_APPROVED,
            A.EDIT_REJECTED,
            A.UNAPPROVE,
            A.PICK,
            A.UNPICK,
        ),
    ),
    "people": (_l("People and bans"), (A.TRUST, A.BAN, A.UNBAN)),
    "articles": (
        _l("Articles"),
        (
            A.ARTICLE_CLOSED,
            A.ARTICLE_REOPENED,
            A.ARTICLE_PREMODERATED,
            A.ARTICLE_POSTMODERATED,
        ),
    ),
    "deletes": (_l("Permanent deletes"), (A.DELETE,)),
    "settings": (_l("Settings"), (A.SETTING, A.SITE_ADDED, A.SITE_CHANGED, A.SITE_REMOVED)),
    "accounts": (
        _l("Accounts"),
        (
            A.ACCOUNT_CREATED,
            A.ACCOUNT_DISABLED,
            A.ACCOUNT_ENABLED,
            A.ROLE_CHANGED,
            A.PASSWORD_SET,
            A.PASSWORD_RESET,
            A.LOGIN,
            A.LOGOUT,
            A.LOGIN_UNLOCKED,
            A.TOTP_ENABLED,
            A.TOTP_DISABLED,
        ),
    ),
    "privacy": (_l("Privacy requests"), (A.PRIVACY_EXPORT, A.PRIVACY_ERASE)),
    "purge": (_l("Purges"), (A.PURGE,)),
    "bans": (_l("Bans"), (A.BAN, A.UNBAN)),
}
PER_PAGE = 50


def label(action: str) -> str:
    """The action as the pages name it, in the reader's language."""
    return str(LABELS.get(action, action))


def record_event(
    action: AuditAction,
    details: dict[str, Any] | None = None,
    *,
    by: str,
    now: datetime,
    site: str | None = None,
) -> ModerationEvent:
    """Note an event that concerns no single comment, on one ``site`` (its settings, its
    people) or on the whole installation (None); the caller commits."""
    details = details or {}
    event = ModerationEvent(
        comment_id=None, site_id=site, actor=by, action=action, details=details, created_at=now
    )
    db.session.add(event)
    current_app.logger.info(
        "audit %s by %s at %s: %s", action, by, now.isoformat(), json.dumps(details)
    )
    return event


def log_page(
    *,
    kind: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sites: Collection[str] | None = None,
    page: int = 1,
) -> Pagination:
    """One page of the log, newest first, filtered by kind, moderator and time; a page past
    the end is the last one (a link kept from when the log was filtered differently). With
    ``sites``, the records of those sites only (never the installation's own)."""
    conditions = [] if sites is None else [ModerationEvent.site_id.in_(sorted(sites))]
    if kind in KINDS:
        conditions.append(ModerationEvent.action.in_(KINDS[kind][1]))
    if actor:
        conditions.append(func.lower(ModerationEvent.actor) == actor.strip().lower())
    if since:
        conditions.append(ModerationEvent.created_at >= since)
    if until:
        conditions.append(ModerationEvent.created_at < until)
    query = select(ModerationEvent).where(*conditions).order_by(ModerationEvent.id.desc())
    found = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    if found.pages and found.page > found.pages:
        found = db.paginate(query, page=found.pages, per_page=PER_PAGE, error_out=False)
    return found


def actors(sites: Collection[str] | None = None) -> list[str]:
    """Everyone who has done something (on ``sites``), for the filter."""
    query = select(ModerationEvent.actor)
    if sites is not None:
        query = query.where(ModerationEvent.site_id.in_(sorted(sites)))
    return list(db.session.execute(query.distinct().order_by(ModerationEvent.actor)).scalars())


# --- the details as sentences: one function per action, translated when shown ------------

Names = Mapping[int, str]


def _account(details: dict, names: Names) -> str:
    number = details["account"]
    return names.get(number, f"moderator:{number}")


def _trash(details: dict, names: Names) -> str:
    if "reports" not in details:
        return ""
    return ngettext(
        "removed after %(num)d report: %(reason)s",
        "removed after %(num)d reports: %(reason)s",
        details["reports"],
        reason=details["reason"],
    )


def _report_hold(details: dict, names: Names) -> str:
    return ngettext(
        "%(num)d reader reported it (REPORTS_TO_HOLD = %(limit)s)",
        "%(num)d readers reported it (REPORTS_TO_HOLD = %(limit)s)",
        details["count"],
        limit=details["limit"],
    )


def _reports_kept(details: dict, names: Names) -> str:
    return ngettext("%(num)d report dismissed", "%(num)d reports dismissed", details["dismissed"])


def _setting(details: dict, names: Names) -> str:
    # Values are shown as they are written in the config (JSON): "all", 4, ["a", "b"].
    def shown(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    return f"{details['key']}: {shown(details['old'])} → {shown(details['new'])}"


def _account_created(details: dict, names: Names) -> str:
    if "site" in details:
        return gettext(
            "%(account)s, role %(role)s on the site %(site)s",
            account=_account(details, names),
            role=details["role"],
            site=details["site"],
        )
    return gettext(
        "%(account)s, role %(role)s", account=_account(details, names), role=details["role"]
    )


def _role_changed(details: dict, names: Names) -> str:
    if "site" in details:
        return gettext(
            "%(account)s, role on the site %(site)s %(old)s → %(new)s",
            account=_account(details, names),
            site=details["site"],
            old=details["old"] or "–",
            new=details["new"] or "–",
        )
    return gettext(
        "%(account)s, role %(old)s → %(new)s",
        account=_account(details, names),
        old=details["old"],
        new=details["new"],
    )


def _privacy_export(details: dict, names: Names) -> str:
    return ngettext("%(num)d record", "%(num)d records", details["rows"])


def _privacy_erase(details: dict, names: Names) -> str:
    parts = [
        ngettext(
            "%(num)d comment anonymized", "%(num)d comments anonymized", details["anonymized"]
        ),
        ngettext("%(num)d deleted", "%(num)d deleted", details["deleted"]),
        ngettext("%(num)d other record", "%(num)d other records", details["other"]),
    ]
    if details.get("texts_removed"):
        parts.append(gettext("texts removed"))
    return ", ".join(parts)


def _purge(details: dict, names: Names) -> str:
    purged = [
        ngettext("%(num)d IP address cleared", "%(num)d IP addresses cleared", details["ips"]),
        ngettext("%(num)d comment deleted", "%(num)d comments deleted", details["comments"]),
    ]
    if "mails" in details:
        purged.append(
            ngettext("%(num)d sent mail deleted", "%(num)d sent mails deleted", details["mails"])
        )
    if "reports" in details:
        purged.append(
            ngettext(
                "the personal data of %(num)d decided report cleared",
                "the personal data of %(num)d decided reports cleared",
                details["reports"],
            )
        )
    return ", ".join(purged)


def _subscription(details: dict, names: Names) -> str:
    kinds = {
        "replies": gettext("replies to this comment"),
        "article": gettext("every new comment on the article"),
    }
    return kinds.get(details["kind"], details["kind"])


def _site(details: dict, names: Names) -> str:
    parts = [gettext("Site: %(site)s", site=details["site"])]
    if "name" in details:
        parts.append(gettext("name: %(name)s", name=details["name"]))
    if "origins" in details:
        parts.append(gettext("origins: %(origins)s", origins=", ".join(details["origins"])))
    if "threads" in details:
        parts.append(gettext("threads removed: %(count)s", count=details["threads"]))
    return "; ".join(parts)


def _trust(details: dict, names: Names) -> str:
    standing = {
        "trusted": gettext("trusted: no first-time hold"),
        "held": gettext("always held"),
    }.get(details["trust"], gettext("as anyone's"))
    # An erased person's record keeps the decision, not whom it was about.
    return f"{details['address']}: {standing}" if details["address"] else standing


def _login(details: dict, names: Names) -> str:
    if details.get("proof") == "recovery":
        return gettext("%(account)s, with a recovery code", account=_account(details, names))
    if details.get("proof") == "totp":
        return gettext("%(account)s, with a second factor", account=_account(details, names))
    return _account(details, names)


def _totp_disabled(details: dict, names: Names) -> str:
    if details.get("reset"):
        return gettext("%(account)s, reset by an administrator", account=_account(details, names))
    return _account(details, names)


def _ban(details: dict, names: Names) -> str:
    """Ban 3 on 192.0.2.0/24 (or "on an address": the log never names one), how long, why."""
    if details.get("target"):
        what = gettext("ban %(id)s on %(target)s", id=details["ban"], target=details["target"])
    else:
        what = gettext("ban %(id)s on an address", id=details["ban"])
    if "reason" not in details:  # lifted
        return what
    days = details.get("days")
    length = ngettext("%(num)d day", "%(num)d days", days) if days else gettext("until lifted")
    return f"{what}, {length}, {details['reason']}"


def _nothing(details: dict, names: Names) -> str:
    return ""


def _article(details: dict, names: Names) -> str:
    return gettext("Article: %(key)s", key=details.get("article", "?"))


SENTENCES: dict[str, Callable[[dict, Names], str]] = {
    A.APPROVE: _nothing,
    A.TRASH: _trash,
    A.SPAM: _nothing,
    A.RESTORE: _nothing,
    # The earlier text is a reader's words, kept for undo only: never shown in the log.
    A.EDIT: _nothing,
    A.DELETE: lambda d, n: gettext("Article: %(key)s", key=d["article"]),
    A.STAFF_REPLY: _nothing,
    A.UNSUBSCRIBE: _subscription,
    A.UNDO: _nothing,
    A.REPORT_HOLD: _report_hold,
    A.REPORTS_KEPT: _reports_kept,
    A.SETTING: _setting,
    A.ACCOUNT_CREATED: _account_created,
    A.ACCOUNT_DISABLED: _account,
    A.ACCOUNT_ENABLED: _account,
    A.ROLE_CHANGED: _role_changed,
    A.PASSWORD_SET: _account,
    A.PASSWORD_RESET: _account,
    A.PRIVACY_EXPORT: _privacy_export,
    A.PRIVACY_ERASE: _privacy_erase,
    A.PURGE: _purge,
    # The texts are a reader's words: never shown in the log.
    A.EDIT_SUBMITTED: _nothing,
    A.EDIT_APPROVED: _nothing,
    A.EDIT_REJECTED: _nothing,
    A.SITE_ADDED: _site,
    A.SITE_CHANGED: _site,
    A.SITE_REMOVED: _site,
    A.UNAPPROVE: _nothing,
    A.PICK: _nothing,
    A.UNPICK: _nothing,
    A.TRUST: _trust,
    A.BAN: _ban,
    A.UNBAN: _ban,
    A.ARTICLE_CLOSED: _article,
    A.ARTICLE_REOPENED: _article,
    A.ARTICLE_PREMODERATED: _article,
    A.ARTICLE_POSTMODERATED: _article,
    A.LOGIN: _login,
    A.LOGOUT: _account,
    A.LOGIN_UNLOCKED: _account,
    A.TOTP_ENABLED: _account,
    A.TOTP_DISABLED: _totp_disabled,
}


def account_names(events: Iterable[ModerationEvent]) -> dict[int, str]:
    """Today's user names of the accounts these records are about, in one query."""
    numbers = {
        e.details["account"]
        for e in events
        if isinstance(e.details, dict) and isinstance(e.details.get("account"), int)
    }
    if not numbers:
        return {}
    rows = db.session.execute(
        select(Moderator.id, Moderator.username).where(Moderator.id.in_(numbers))
    ).all()
    return dict(rows)


def describe(event: ModerationEvent, names: Names | None = None) -> str:
    """The record's details as a sentence in the page's language ("" when there are none).

    A detail the upgrade to JSON could not read is kept as ``{"text": ...}`` and shown as is
    (except an edit's: that text is the reader's earlier words).
    """
    details = event.details if isinstance(event.details, dict) else {}
    if event.action not in (A.EDIT, A.EDIT_APPROVED) and set(details) == {"text"}:
        return str(details["text"])
    sentence = SENTENCES.get(event.action, _nothing)
    if names is None:
        names = account_names([event])
    try:
        return sentence(details, names)
    except (KeyError, TypeError, ValueError):
        return ""


def describer(events: Iterable[ModerationEvent]) -> Callable[[ModerationEvent], str]:
    """``describe`` for a page of records, with the accounts' names looked up once."""
    names = account_names(events)
    return lambda event: describe(event, names)
