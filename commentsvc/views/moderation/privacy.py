"""Admins' data-subject requests (GDPR art. 15 and 17): look up, export, erase."""

from __future__ import annotations

import json

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l

from commentsvc.errors import DomainError
from commentsvc.extensions import db
from commentsvc.forms.desk import (
    PrivacyForm,
)
from commentsvc.models.base import utcnow
from commentsvc.moderation.access import installation_admins
from commentsvc.moderation.auth import (
    admin_required,
    current_access,
    installation_admin_required,
)
from commentsvc.views.moderation._common import actor, bp

# The installation's admin sees and erases a person's data on every site (the address is one
# person); a site's admin sees their sites' part, and asks the installation's admin to erase,
# as an erasure reaches every site.


def _admin_sites() -> frozenset[str] | None:
    """The sites whose part the admin sees; None: every site."""
    return current_access().admin_sites


def _privacy_page(form: PrivacyForm, status: int = 200, **context):

    from commentsvc.gdpr import rights  # loaded when used: not in every worker

    sites = _admin_sites()
    return render_template(
        "moderation/privacy.html",
        form=form,
        audit=rights.recent_audit(sites=sites),
        view_sites=sorted(sites) if sites is not None else None,
        ask=installation_admins() if sites is not None else [],
        **context,
    ), status


@bp.get("/privacy")
@admin_required
def privacy():
    return _privacy_page(PrivacyForm(formdata=None))


@bp.post("/privacy/lookup")
@admin_required
def privacy_lookup():
    """What is stored about the email, shown on the page (an access: it is audited)."""
    from commentsvc.gdpr import rights  # loaded when used: not in every worker

    form = PrivacyForm()
    if not form.validate_on_submit():
        return _privacy_page(form, 422)
    document = rights.personal_data(form.email.data, now=utcnow(), by=actor(), sites=_admin_sites())
    db.session.commit()
    return _privacy_page(
        form,
        document=document,
        found=rights.has_data(document),
        pretty=json.dumps(document, ensure_ascii=False, indent=2),
    )


@bp.post("/privacy/export")
@admin_required
def privacy_export():
    """The same document as ``privacy-export``, as a file to hand over to the person."""
    from commentsvc.gdpr import rights  # loaded when used: not in every worker

    form = PrivacyForm()
    if not form.validate_on_submit():
        return _privacy_page(form, 422)
    now = utcnow()
    document = rights.personal_data(form.email.data, now=now, by=actor(), sites=_admin_sites())
    db.session.commit()
    response = Response(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="personal-data-{now:%Y%m%d-%H%M%S}.json"'
    )
    return response


@bp.post("/privacy/erase")
@installation_admin_required
def privacy_erase():
    """First a confirmation page; with ``confirm=yes`` from it, the erasure."""
    from commentsvc.gdpr import rights  # loaded when used: not in every worker

    form = PrivacyForm()
    if not form.validate_on_submit():
        return _privacy_page(form, 422)
    email, remove_texts = form.email.data, bool(form.delete.data)
    if request.form.get("confirm") != "yes":
        return render_template("moderation/privacy_erase.html", form=form)
    try:
        result = rights.erase(email, delete=remove_texts, now=utcnow(), by=actor())
    except DomainError as error:
        # Refused (an active moderator's address): said beside the field, the address kept.
        db.session.rollback()
        form.email.errors = [error.message]
        return _privacy_page(form, error.status)
    db.session.commit()
    if not result.found:
        flash(str(_l("Nothing is stored about this email address; nothing was changed.")))
    else:
        flash(rights.describe_erasure(result.anonymized, result.deleted, result.other))
    return redirect(url_for("moderation.privacy"), code=303)
