"""The audit log, for admins."""

from __future__ import annotations

from flask import (
    render_template,
    request,
)

from commentsvc import audit
from commentsvc.dates import zone_of
from commentsvc.forms.desk import (
    AuditFilterForm,
)
from commentsvc.moderation.auth import (
    admin_required,
    current_access,
)
from commentsvc.views.moderation._common import bp
from commentsvc.views.moderation.comments import arg_page


@bp.get("/log")
@admin_required
def log():
    """Every recorded event, newest first, filtered by kind, moderator and dates: of the sites
    the admin manages (the installation's admin: every record, the installation's own too)."""
    sites = current_access().admin_sites
    form = AuditFilterForm(request.args, meta={"csrf": False}, sites=sites)
    valid = form.validate()
    # The days of the filter are those of the one site the admin manages, else the
    # installation's (each record is shown in its own site's zone, named).
    zone = zone_of(next(iter(sites)) if sites is not None and len(sites) == 1 else None)
    found = audit.log_page(
        kind=form.kind.data or None,
        actor=form.actor.data or None,
        since=form.since_moment(zone) if valid else None,
        until=form.until_moment(zone) if valid else None,
        sites=sites,
        page=arg_page(),
    )
    return render_template(
        "moderation/log.html",
        form=form,
        found=found,
        kinds=audit.KINDS,
        detail=audit.describer(found.items),
        zone=zone,
    ), 200 if valid else 422
