"""Which site owns an origin (an origin belongs to one site only)."""

from __future__ import annotations

from commentsvc.sites.config import config_for, sites_now


def site_origins() -> dict[str, str]:
    """Every origin of every site: ``{origin: site id}``."""
    return sites_now().origins


def site_of_origin(origin: str | None) -> str | None:
    """The site that owns ``origin`` (as a browser writes Origin), or None."""
    if not origin:
        return None
    return sites_now().origins.get(origin.rstrip("/"))


def origins_of(site_id: str) -> list[str]:
    """The origins of one site, in order."""
    return list(config_for(site_id)["ALLOWED_ORIGINS"])
