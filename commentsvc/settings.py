"""Policy settings an admin changes in the UI: stored with the site, read by every instance.

``effective_config()`` (sites/config.py) is the one way the policy reads its values: the
configuration file's defaults with the site's stored values on top, read once per request (or
app context). Posting, an author's edit and the API all judge a comment by its site's; no rule
reads an ``EDITABLE`` key from ``current_app.config``. Which keys are editable, and what values
they take, is declared once in ``setting_specs.py``: the configuration file is checked by the
same declaration, so every value it may hold can be shown and saved here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from commentsvc.errors import DomainError
from commentsvc.setting_specs import BY_KEY, EDITABLE_SETTINGS
from commentsvc.setting_types import SettingInvalid
from commentsvc.sites.config import config_for, current_site_id, effective_config

# The keys an admin may change at run time; everything else stays in the configuration file.
EDITABLE = tuple(spec.key for spec in EDITABLE_SETTINGS)

__all__ = ["EDITABLE", "SettingRejected", "effective_config", "save_settings"]


class SettingRejected(DomainError):
    status = 422
    code = "invalid_setting"


def check_setting(key: str, value: Any) -> Any:
    """The value as the service uses it, or SettingRejected saying what it may be."""
    try:
        return BY_KEY[key].check(value)
    except SettingInvalid as error:
        raise SettingRejected(error.message, field=key) from None


def save_settings(
    values: Mapping[str, Any], *, by: str, now: datetime, site: str | None = None
) -> None:
    """Store the admins' values for ``site`` (default: the request's); they take effect on
    the next request of every instance. Each value that changes is written to the audit log
    with its old and new value. The caller commits."""
    from commentsvc.sites.registry import store_settings

    checked = {key: check_setting(key, value) for key, value in values.items() if key in EDITABLE}
    store_settings(site or current_site_id(), checked, by=by, now=now)


def site_settings(site: str) -> dict[str, Any]:
    """The editable settings as ``site`` has them now (its own or the installation's)."""
    config = config_for(site)
    return {key: config[key] for key in EDITABLE}
