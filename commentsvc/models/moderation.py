"""The moderators' side: accounts, login throttles and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import (
    Mapped,
    mapped_column,
    validates,
)

from commentsvc.extensions import db
from commentsvc.models.base import UTCDateTime, stored_enum, utcnow
from commentsvc.privacy.identity import normalize_address


class AuditAction(enum.StrEnum):
    """What a record of the audit log says was done; the values are what is stored."""

    APPROVE = "approve"
    TRASH = "trash"
    SPAM = "spam"
    RESTORE = "restore"
    EDIT = "edit"
    DELETE = "delete"
    STAFF_REPLY = "staff-reply"
    UNSUBSCRIBE = "unsubscribe"
    UNDO = "undo"
    REPORT_HOLD = "report-hold"  # readers' reports took a published comment back to the queue
    REPORTS_KEPT = "reports-kept"  # a moderator dismissed the reports; the comment stays
    SETTING = "setting"
    ACCOUNT_CREATED = "account-created"
    ACCOUNT_DISABLED = "account-disabled"
    ACCOUNT_ENABLED = "account-enabled"
    ROLE_CHANGED = "role-changed"
    PASSWORD_SET = "password-set"  # noqa: S105 (an action, not a password)
    PASSWORD_RESET = "password-reset"  # noqa: S105
    PRIVACY_EXPORT = "privacy-export"
    PRIVACY_ERASE = "privacy-erase"
    PURGE = "purge"
    # An author edited a comment a moderator had approved: the new text waits as a revision.
    EDIT_SUBMITTED = "edit-submitted"
    EDIT_APPROVED = "edit-approved"  # details {"text": the text before} as for EDIT
    EDIT_REJECTED = "edit-rejected"
    SITE_ADDED = "site-added"  # details {"site", "origins"}
    SITE_CHANGED = "site-changed"  # details {"site", and "name" and/or "origins" as now}
    SITE_REMOVED = "site-removed"  # details {"site", "threads": how many went with it}
    UNAPPROVE = "unapprove"  # a published comment back to the queue
    PICK = "pick"
    UNPICK = "unpick"
    # details {"address", "trust": "trusted", "held" or None}; an erasure blanks the address
    TRUST = "trust"
    BAN = "ban"  # details {"ban": id, "kind": "address"|"network", "days": N or None, "reason"}
    UNBAN = "unban"  # details {"ban": id}
    ARTICLE_CLOSED = "article-closed"  # details {"article": key}
    ARTICLE_REOPENED = "article-reopened"
    ARTICLE_PREMODERATED = "article-premoderated"
    ARTICLE_POSTMODERATED = "article-postmoderated"
    LOGIN = "login"
    LOGOUT = "logout"
    LOGIN_UNLOCKED = "login-unlocked"  # details {"account"}
    TOTP_ENABLED = "totp-enabled"
    TOTP_DISABLED = "totp-disabled"


# --- moderators, the audit log, login throttling ---


class ModeratorRole(enum.StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"


class Moderator(db.Model):
    """A person who works the queue; admins also manage moderators and the policy settings."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)  # a name or an email
    email: Mapped[str] = mapped_column(String(200), default="")  # where queue mail goes
    address: Mapped[str] = mapped_column(String(254), default="", server_default="")
    display_name: Mapped[str] = mapped_column(String(245), default="")  # on staff replies
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[ModeratorRole] = mapped_column(stored_enum(ModeratorRole))
    active: Mapped[bool] = mapped_column(default=True)
    notify: Mapped[bool] = mapped_column(default=False)  # mail me when a comment is held
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Kept in every session cookie and compared on each request: raising it (logout, a new
    # password, disabling, a new role) ends every session of the account on every instance.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by an admin's reset: the temporary password only opens the page that changes it.
    reset_pending: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # A second factor (TOTP, RFC 6238): the shared secret once confirmed, and the recovery
    # codes' hashes, each removed when used.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # Hashes, yet a credential's: an export leaves them out unless --with-secrets.
    recovery_codes: Mapped[list] = mapped_column(JSON, default=list, info={"secret": True})

    @validates("email")
    def _keep_address(self, key: str, value: str | None) -> str | None:
        self.address = normalize_address(value)
        return value

    @property
    def is_admin(self) -> bool:
        return self.role == ModeratorRole.ADMIN


class ModerationEvent(db.Model):
    """One decision on a comment: who, when, what, and the status before and after.

    ``comment_id`` is a plain number, not a foreign key, so the record of a permanent
    deletion outlives the comment. It is empty for an action on no single comment (a setting,
    an account, a privacy export or erasure, a purge); ``details`` then holds counts and
    numbers, never the data.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(index=True)
    # The site the action was on (a comment's, a site's setting or people); empty for an
    # action on the whole installation. A plain value: the record outlives a removed site.
    site_id: Mapped[str | None] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))  # an AuditAction value
    before: Mapped[str | None] = mapped_column(String(16))
    after: Mapped[str | None] = mapped_column(String(16))
    # What happened as fields, turned into a sentence only when shown (commentsvc/audit.py):
    # for an edit {"text": the text before it} (so the edit can be undone), for an undo
    # {"event": the undone record's id}, for a setting {"key", "old", "new"}, ...
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    undone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginThrottle(db.Model):
    """Failed logins counted per account-and-address pair and per address (shared by instances)."""

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
