"""Policy settings an admin changes in the UI: stored in the database, read by every instance.

``effective_config()`` is the one way the policy reads its values: the configuration file's
defaults with the database's overrides on top, read once per request (or app context).
Posting, an author's edit and the API all judge a comment by it; no rule reads an
``EDITABLE`` key from ``current_app.config``. Which keys are editable, and what values they
take, is declared once in ``setting_specs.py``: the configuration file is checked by the same
declaration, so every value it may hold can be shown and saved here.
"""

from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app, g
from sqlalchemy import select

from commentsvc.audit import record_event
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction, Setting
from commentsvc.models.threads import move_every_thread
from commentsvc.setting_specs import BY_KEY, EDITABLE_SETTINGS, SettingInvalid

# The keys an admin may change at run time; everything else stays in the configuration file.
EDITABLE = tuple(spec.key for spec in EDITABLE_SETTINGS)


class SettingRejected(DomainError):
    status = 422
    code = "invalid_setting"


def effective_config() -> Mapping[str, Any]:
    """``current_app.config`` with the admins' stored settings on top (one query per request)."""
    cached = g.get("_commentsvc_settings")
    if cached is None:
        rows = db.session.execute(select(Setting.key, Setting.value)).all()
        cached = {key: json.loads(value) for key, value in rows if key in EDITABLE}
        g._commentsvc_settings = cached
    return ChainMap(cached, current_app.config)


def _check(key: str, value: Any) -> Any:
    try:
        return BY_KEY[key].check(value)
    except SettingInvalid as error:
        raise SettingRejected(error.message, field=key) from None


def save_settings(values: Mapping[str, Any], *, by: str, now: datetime) -> None:
    """Store the admins' values; they take effect on the next request of every instance.

    Each value that changes is written to the audit log with its old and new value. The
    caller commits."""
    checked = {key: _check(key, value) for key, value in values.items() if key in EDITABLE}
    effective = effective_config()
    before = {key: effective[key] for key in EDITABLE}
    for key, value in checked.items():
        if before.get(key) == value:
            continue
        row = db.session.get(Setting, key)
        if row is None:
            row = Setting(key=key)
            db.session.add(row)
        row.value, row.updated_at, row.updated_by = json.dumps(value), now, by
        details = {"key": key, "old": before.get(key), "new": value}
        record_event(AuditAction.SETTING, details, by=by, now=now)
    if any(before.get(key) != value for key, value in checked.items()):
        # CLOSE_AFTER_DAYS closes threads: every thread's kept answers must go (readcache.py).
        move_every_thread(db.session)
    db.session.flush()
    g.pop("_commentsvc_settings", None)
