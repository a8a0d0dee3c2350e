"""Sites: the host sites one installation serves.

Each site has its threads (article keys are unique per site), its origins (an origin belongs to
one site), its settings over the installation's configuration, and its people. Every rule that
reads a per-site setting reads it from ``config_for(site_id)`` (the site of the article or
comment at hand) or ``effective_config()`` (the site of the request); nothing reads such a key
from ``current_app.config``.
"""

from commentsvc.models.sites import DEFAULT_SITE, SITE_ID, Site
from commentsvc.sites.config import (
    config_for,
    current_site_id,
    effective_config,
    forget_cached,
    use_site,
)
from commentsvc.sites.origins import origins_of, site_of_origin, site_origins
from commentsvc.sites.registry import (
    SiteInvalid,
    SiteNotFound,
    add_site,
    all_sites,
    find_site,
    remove_site,
    update_site,
)

__all__ = [
    "DEFAULT_SITE",
    "SITE_ID",
    "Site",
    "SiteInvalid",
    "SiteNotFound",
    "add_site",
    "all_sites",
    "config_for",
    "current_site_id",
    "effective_config",
    "find_site",
    "forget_cached",
    "origins_of",
    "remove_site",
    "site_of_origin",
    "site_origins",
    "update_site",
    "use_site",
]
