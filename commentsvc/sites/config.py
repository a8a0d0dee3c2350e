"""A site's configuration: the installation's (``current_app.config``) with the site's own
values of the per-site keys on top. Every site and origin is read in ONE query per request (or
app context): sites are few, and a request needs its origin's owner and its site's settings."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.sites import DEFAULT_SITE, Site, SiteOrigin
from commentsvc.setting_specs import PER_SITE_KEYS

SNAPSHOT = "_commentsvc_sites"
CURRENT = "_commentsvc_site"


@dataclass
class Sites:
    """Every site's name and settings, and which site owns each origin, as read once."""

    own: dict[str, dict[str, Any]] = field(default_factory=dict)  # site id: its own values
    origins: dict[str, str] = field(default_factory=dict)  # origin: site id
    configs: dict[str, Mapping[str, Any]] = field(default_factory=dict)


def sites_now() -> Sites:
    """The sites as this request (or app context) sees them; read on first use."""
    snapshot = g.get(SNAPSHOT)
    if snapshot is None:
        snapshot = Sites()
        # The default site's origins are also the installation's ALLOWED_ORIGINS, so an
        # installation of one site needs no new setting; a stored claim wins (an origin
        # belongs to one site: site add and set refuse a clash).
        for origin in current_app.config["ALLOWED_ORIGINS"]:
            snapshot.origins[origin.rstrip("/")] = DEFAULT_SITE
        rows = db.session.execute(
            select(Site.id, Site.name, Site.settings, SiteOrigin.origin).outerjoin(Site.origins)
        )
        for site_id, name, settings, origin in rows:
            if site_id not in snapshot.own:
                own = {k: v for k, v in (settings or {}).items() if k in PER_SITE_KEYS}
                if name:
                    own["SITE_NAME"] = name
                snapshot.own[site_id] = own
            if origin:
                snapshot.origins[origin] = site_id
        setattr(g, SNAPSHOT, snapshot)
    return snapshot


def config_for(site_id: str | None) -> Mapping[str, Any]:
    """The configuration that rules of ``site_id`` read: its own settings, its name
    (``SITE_NAME``), id (``SITE_ID``) and origins (``ALLOWED_ORIGINS``), over the
    installation's. An unknown site (removed since) has the installation's values alone."""
    site_id = site_id or DEFAULT_SITE  # an article not yet flushed is the default's
    snapshot = sites_now()
    config = snapshot.configs.get(site_id)
    if config is None:
        own = dict(snapshot.own.get(site_id, {}))
        own["SITE_ID"] = site_id
        own["ALLOWED_ORIGINS"] = sorted(o for o, s in snapshot.origins.items() if s == site_id)
        config = snapshot.configs[site_id] = ChainMap(own, current_app.config)
    return config


def forget_cached() -> None:
    """Sites changed in this context: the next read reads them again."""
    g.pop(SNAPSHOT, None)


def current_site_id() -> str:
    """The site of the request (views/_site.py chose it) or of the command (``use_site``)."""
    return g.get(CURRENT) or DEFAULT_SITE


def effective_config() -> Mapping[str, Any]:
    """The configuration of the request's (or command's) site."""
    return config_for(current_site_id())


@contextmanager
def use_site(site_id: str) -> Iterator[None]:
    """Work as ``site_id`` for a while (a command about one site, a mail of a site)."""
    before = g.get(CURRENT)
    setattr(g, CURRENT, site_id)
    try:
        yield
    finally:
        setattr(g, CURRENT, before)


def enter_site(site_id: str) -> None:
    """The request is for ``site_id`` from here on (views/_site.py)."""
    setattr(g, CURRENT, site_id)
