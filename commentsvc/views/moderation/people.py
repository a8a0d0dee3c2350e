"""The person page: one commenter's history on the moderator's sites, found by exact address,
and the moderators' standing decision about them (trusted, always held)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import lazy_gettext as _l

from commentsvc import moderation, reports
from commentsvc.extensions import db
from commentsvc.forms.people import TRUST_CHOICES, PersonSearchForm, TrustForm
from commentsvc.models.base import utcnow
from commentsvc.models.people import Trust
from commentsvc.moderation import access, people
from commentsvc.moderation.auth import current_access, login_required
from commentsvc.privacy.identity import normalize_address
from commentsvc.views.moderation._common import actor, bp, safe_next
from commentsvc.views.moderation.comments import arg_page

TRUST_DONE = {
    "trusted": _l("%(address)s is trusted: their comments skip the first-time hold."),
    "held": _l("Every comment of %(address)s now waits for a moderator."),
    "none": _l("The comments of %(address)s are treated as anyone's again."),
}


def _chosen_site(typed: str | None) -> str | None:
    """The site a trust decision is about: the one asked for (another site's, or none such:
    404, as every other thing of a site the moderator does not see), else the moderator's only
    site; None when they see several and chose none."""
    mine = current_access()
    visible = [s.id for s in access.visible_sites(mine)]
    if typed:
        if typed not in visible:
            abort(404)
        return typed
    return visible[0] if len(visible) == 1 else None


def _percent(rate: float | None) -> str:
    return "–" if rate is None else format_percent(rate)


def _person_page(
    address: str,
    *,
    site: str | None,
    comment=None,
    trust_form: TrustForm | None = None,
    status: int = 200,
):
    """The page of ``address`` (normalized) on the moderator's sites, ``site`` first."""
    mine = current_access()
    shown_site = site if site and mine.sees(site) else None
    found = people.person(address, sites=mine.narrowed(shown_site), page=arg_page())
    trust = dict(found.trust)
    offered = shown_site or _chosen_site(None)
    if offered and offered not in trust:
        trust[offered] = None
    # Pages keep the comment (the comment's route) or the address.
    if request.endpoint == "moderation.comment_person":
        endpoint, keep = request.endpoint, dict(request.view_args or {})
    else:
        endpoint, keep = "moderation.person", {"address": address, "site": shown_site}
    return render_template(
        "moderation/person.html",
        person=found,
        address=address,
        site=shown_site,
        comment=comment,
        trust=trust,
        trust_form=trust_form,
        search_form=PersonSearchForm(formdata=None, address=address, site=shown_site),
        approval=_percent(found.approval_rate),
        rejection=_percent(found.rejection_rate),
        reason_label=reports.reason_label,
        ban_state=people.ban_state,
        now=utcnow(),
        trust_choices=TRUST_CHOICES,
        page_url=lambda number: url_for(endpoint, page=number, **keep),
        here=request.full_path.rstrip("?"),
    ), status


@bp.get("/people")
@login_required
def person():
    """Find a person by their exact address; without one, the search form alone."""
    form = PersonSearchForm(request.args, meta={"csrf": False})
    if "address" not in request.args:
        return render_template("moderation/person.html", person=None, search_form=form)
    if not form.validate():
        return render_template("moderation/person.html", person=None, search_form=form), 422
    return _person_page(normalize_address(form.address.data), site=form.site.data or None)


@bp.get("/comments/<int:comment_id>/person")
@login_required
def comment_person(comment_id: int):
    """The person who wrote the comment (another site's comment: 404, by keep_to_own_sites)."""
    found = moderation.get_comment(comment_id)
    if not found.address:
        return render_template(
            "moderation/person.html",
            person=None,
            comment=found,
            search_form=PersonSearchForm(formdata=None),
        ), 404
    return _person_page(found.address, site=found.article.site_id, comment=found)


@bp.post("/people/trust")
@login_required
def set_trust():
    """Trusted, always held, or as anyone, on one site: audited, in one transaction."""
    form = TrustForm()
    site = _chosen_site(form.site.data or None)
    form.site.data = site  # the page shows the errors beside that site's form
    if not form.validate():
        if form.address.errors:
            search = PersonSearchForm(formdata=None, address=form.address.data)
            search.address.errors = list(form.address.errors)
            return render_template("moderation/person.html", person=None, search_form=search), 422
        address = normalize_address(form.address.data)
        return _person_page(address, site=site, trust_form=form, status=422)
    address = normalize_address(form.address.data)
    if site is None:
        form.site.errors = [str(_l("Choose the site where this decision applies."))]
        return _person_page(address, site=None, trust_form=form, status=422)
    choice = form.trust.data
    changed = people.set_trust(
        address, site, None if choice == "none" else Trust(choice), by=actor(), now=utcnow()
    )
    if changed:
        db.session.commit()
        flash(str(TRUST_DONE[choice] % {"address": address}))
    else:
        flash(str(_l("Nothing changed: that was already the decision about this person.")))
    target = safe_next(url_for("moderation.person", address=address, site=site))
    return redirect(target + f"#trust-{site}", code=303)
