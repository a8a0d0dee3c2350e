"""Adding, changing and removing sites (``commentsvc site …`` and the sites page); each change
is audited and reaches every instance on its next request."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from commentsvc.audit import record_event
from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.models.moderation import AuditAction
from commentsvc.models.sites import (
    DEFAULT_SITE,
    SITE_ID,
    SITE_NAME_MAX,
    Site,
    SiteOrigin,
)
from commentsvc.models.threads import Article, move_every_thread, move_site_threads
from commentsvc.sanitize import plain_line
from commentsvc.setting_specs import BY_KEY, PER_SITE_KEYS
from commentsvc.setting_types import SettingInvalid
from commentsvc.sites.config import config_for, forget_cached
from commentsvc.sites.origins import site_origins
from commentsvc.weburls import web_origin


class SiteInvalid(DomainError):
    status = 422
    code = "invalid_site"


class SiteNotFound(DomainError):
    status = 404
    code = "site_not_found"


def find_site(site_id: str) -> Site:
    site = db.session.get(Site, site_id) if SITE_ID.fullmatch(site_id or "") else None
    if site is None:
        raise SiteNotFound(_l("There is no site %(site)s.", site=site_id), field="site")
    return site


def all_sites() -> list[Site]:
    return list(db.session.execute(select(Site).order_by(Site.id)).scalars())


def thread_counts() -> dict[str, int]:
    """How many threads each site has."""
    rows = db.session.execute(select(Article.site_id, func.count()).group_by(Article.site_id))
    return dict(rows.all())


def _clean_name(name: str) -> str:
    cleaned = plain_line(name or "").strip()
    if not cleaned or len(cleaned) > SITE_NAME_MAX:
        raise SiteInvalid(
            _l("Give the site a name of 1–%(most)s characters.", most=SITE_NAME_MAX), field="name"
        )
    return cleaned


def _clean_origins(origins: Iterable[str], *, site_id: str) -> list[str]:
    """Each origin as browsers send it (``https://www.example.se``), owned by no other site."""
    owners = site_origins()
    cleaned: list[str] = []
    for given in origins:
        origin = web_origin(given or "")
        if not origin or origin != (given or "").strip().rstrip("/").lower():
            raise SiteInvalid(
                _l(
                    "%(origin)s is not an origin: write scheme and host only, like "
                    "https://www.example.se.",
                    origin=given,
                ),
                field="origin",
            )
        owner = owners.get(origin)
        if owner is not None and owner != site_id:
            raise SiteInvalid(
                _l(
                    "%(origin)s already belongs to the site %(site)s: an origin belongs to one "
                    "site.",
                    origin=origin,
                    site=owner,
                ),
                field="origin",
            )
        if origin not in cleaned:
            cleaned.append(origin)
    return cleaned


def check_site_setting(key: str, value: Any) -> Any:
    """The value as the site's rules use it (None: the installation's), or SiteInvalid."""
    if key not in PER_SITE_KEYS:
        raise SiteInvalid(
            _l(
                "%(key)s is not a setting a site has of its own. A site may set: %(keys)s.",
                key=key,
                keys=", ".join(sorted(PER_SITE_KEYS)),
            ),
            field=key,
        )
    if value is None:  # the installation's value again
        return None
    try:
        return BY_KEY[key].check(value)
    except SettingInvalid as error:
        raise SiteInvalid(error.message, field=key) from None


def add_site(
    site_id: str,
    *,
    name: str,
    origins: Iterable[str],
    settings: Mapping[str, Any] | None = None,
    by: str,
    now: datetime,
) -> Site:
    """A new site with its origins and own settings; the caller commits."""
    if not SITE_ID.fullmatch(site_id or ""):
        raise SiteInvalid(
            _l("A site's id is 1–32 lower-case letters a–z, digits and hyphens, like nt-kultur."),
            field="id",
        )
    if db.session.get(Site, site_id) is not None:
        raise SiteInvalid(_l("There is already a site %(site)s.", site=site_id), field="id")
    site = Site(id=site_id, name=_clean_name(name), settings={}, created_at=now)
    site.settings = {key: check_site_setting(key, v) for key, v in (settings or {}).items()}
    site.origins = [SiteOrigin(origin=o) for o in _clean_origins(origins, site_id=site_id)]
    db.session.add(site)
    record_event(
        AuditAction.SITE_ADDED,
        {"site": site_id, "origins": [o.origin for o in site.origins]},
        by=by,
        now=now,
        site=site_id,
    )
    db.session.flush()
    # New origins may have been answered as strangers' in a kept copy: ask again.
    move_every_thread(db.session)
    forget_cached()
    return site


def update_site(
    site_id: str,
    *,
    name: str | None = None,
    origins: Iterable[str] | None = None,
    settings: Mapping[str, Any] | None = None,
    by: str,
    now: datetime,
) -> Site:
    """Change a site's name, origins (the list given replaces its own) or settings (a value of
    None takes the installation's again); the caller commits."""
    site = find_site(site_id)
    changes: dict[str, Any] = {}
    if name is not None:
        cleaned = _clean_name(name)
        if cleaned != site.name:
            changes["name"] = cleaned
            site.name = cleaned
    if origins is not None:
        wanted = _clean_origins(origins, site_id=site_id)
        if wanted != [o.origin for o in site.origins]:
            changes["origins"] = wanted
            site.origins = [SiteOrigin(origin=o) for o in wanted]
    if changes:
        record_event(
            AuditAction.SITE_CHANGED, {"site": site_id, **changes}, by=by, now=now, site=site_id
        )
        db.session.flush()
        move_every_thread(db.session)  # origins decide whose thread a request reads
        forget_cached()
    if settings:
        checked = {key: check_site_setting(key, value) for key, value in settings.items()}
        store_settings(site_id, checked, by=by, now=now)
    return site


def store_settings(site_id: str, values: Mapping[str, Any], *, by: str, now: datetime) -> None:
    """The site's own values (checked already); None takes the installation's value again.

    A value equal to the installation's is not kept as the site's own either: a form saved as
    it was, or set back to the installation's value, leaves the site following the
    installation (and a later change of the installation's file reaches it). Each value that
    changes is audited with its old and new value, and the site's threads get a new version
    (CLOSE_AFTER_DAYS closes threads, a language changes every page)."""
    site = find_site(site_id)
    before = dict(config_for(site_id))
    own = dict(site.settings or {})
    changed = False
    for key, value in values.items():
        if value is None or value == current_app.config.get(key):
            own.pop(key, None)
        else:
            own[key] = value
    site.settings = own  # a new dict: the JSON column sees the change
    db.session.flush()
    forget_cached()
    after = config_for(site_id)
    for key in values:
        if before.get(key) != after.get(key):
            changed = True
            details = {"key": key, "old": before.get(key), "new": after.get(key)}
            record_event(AuditAction.SETTING, details, by=by, now=now, site=site_id)
    if changed:
        move_site_threads(db.session, site_id)
    db.session.flush()


def check_removal(site_id: str, *, with_threads: bool) -> int:
    """How many threads removing ``site_id`` would take with it, or SiteInvalid when it may
    not go (the default site; a site with threads, unless ``with_threads``). What the command
    and the page ask about before they remove."""
    find_site(site_id)
    if site_id == DEFAULT_SITE:
        raise SiteInvalid(
            _l(
                "The default site cannot be removed: requests that name no site are its. "
                "Rename it with site set default --name."
            ),
            field="id",
        )
    threads = thread_counts().get(site_id, 0)
    if threads and not with_threads:
        raise SiteInvalid(
            _l(
                "The site %(site)s has %(count)s threads. Export them first, then remove the "
                "site with its threads.",
                site=site_id,
                count=threads,
            ),
            field="with_threads",
        )
    return threads


def remove_site(site_id: str, *, with_threads: bool, by: str, now: datetime) -> int:
    """Remove a site, its origins and roles; its threads only when ``with_threads`` (else a
    site with threads is refused). Returns how many threads went; the caller commits."""
    threads = check_removal(site_id, with_threads=with_threads)
    site = find_site(site_id)
    if threads:
        db.session.execute(delete(Article).where(Article.site_id == site_id))
    db.session.delete(site)
    record_event(
        AuditAction.SITE_REMOVED,
        {"site": site_id, "threads": threads},
        by=by,
        now=now,
        site=site_id,
    )
    db.session.flush()
    move_every_thread(db.session)
    forget_cached()
    return threads
