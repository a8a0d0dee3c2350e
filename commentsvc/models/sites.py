"""Sites: the host sites one installation serves, each with its own threads, origins, settings
and people (an installation admin sees them all; a site's admins and moderators see theirs)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commentsvc.extensions import db
from commentsvc.models.base import UTCDateTime, stored_enum, utcnow
from commentsvc.models.moderation import ModeratorRole

# The site every installation has: an installation from before sites is this one site, and a
# request that names no site and comes from no site's origin is its.
DEFAULT_SITE = "default"
SITE_ID_MAX = 32
# Short, and safe in an address, a file name and a command line: "norrtalje", "nt-kultur".
SITE_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
SITE_NAME_MAX = 200


class Site(db.Model):
    """One host site (or title) of the installation.

    ``settings`` holds the site's own values of the per-site keys (setting_specs.py:
    ``per_site``); a key not there takes the installation's configuration.
    """

    id: Mapped[str] = mapped_column(String(SITE_ID_MAX), primary_key=True)
    name: Mapped[str] = mapped_column(String(SITE_NAME_MAX))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    origins: Mapped[list[SiteOrigin]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="SiteOrigin.origin"
    )


class SiteOrigin(db.Model):
    """An origin (``https://www.example.se``) of a host site: it belongs to one site only."""

    origin: Mapped[str] = mapped_column(String(200), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)

    site: Mapped[Site] = relationship(back_populates="origins")


class SiteRole(db.Model):
    """A moderator's role on one site. An account with none works on every site with its own
    role (``Moderator.role``: an admin with none is the installation's admin); an account with
    some works on those sites only, as admin or moderator of each."""

    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderator.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[str] = mapped_column(
        ForeignKey("site.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[ModeratorRole] = mapped_column(stored_enum(ModeratorRole))
