"""The desk's bans: the list (search, the lifted ones on request), a new ban (prefilled from a
comment, an address or a network) and lifting one. A moderator sees and bans on their own
sites only: another site's ban, comment or site answers 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from commentsvc import reports
from commentsvc.dates import site_time
from commentsvc.extensions import db
from commentsvc.forms.bans import NOTE_MAX
from commentsvc.models.base import utcnow
from commentsvc.models.sites import DEFAULT_SITE
from commentsvc.models.threads import Comment
from commentsvc.moderation import access
from commentsvc.moderation import bans as ban_rules
from commentsvc.moderation.auth import current_access, login_required
from commentsvc.sites import config_for
from commentsvc.views.moderation._common import actor, bp, safe_next


@bp.app_template_global()
def ban_reasons() -> list[tuple[str, str]]:
    """The reasons a ban may give, as decisions name them, in the page's language."""
    return [(r.value, str(label)) for r, label in reports.REASON_LABELS.items()]


@bp.app_template_global()
def ban_sites() -> list[tuple[str, str]]:
    """The sites the signed-in moderator may ban on: (id, name)."""
    return [(s.id, s.name or s.id) for s in access.visible_sites(current_access())]


@bp.app_template_global()
def ban_time(moment, site_id: str) -> str:
    """A moment of a ban in its site's time zone, saying which."""
    return site_time(moment, config_for(site_id)["TIMEZONE"])


def _visible_comment(comment_id: str | None) -> Comment | None:
    """The comment a ban is made from, when the moderator sees it (else 404)."""
    if not comment_id:
        return None
    if not str(comment_id).isdigit():
        abort(404)
    comment = db.session.get(Comment, int(comment_id))
    if comment is None or not current_access().sees(comment.article.site_id):
        abort(404)
    return comment


def _chosen_site(site_id: str | None) -> str | None:
    """The site asked for, when the moderator works on it (another's: 404); without one, the
    only site they see, or the default when they see it; else None (they must choose)."""
    mine = current_access()
    if site_id:
        if not mine.sees(site_id) or site_id not in dict(ban_sites()):
            abort(404)
        return site_id
    sites = mine.sites
    if sites is not None and len(sites) == 1:
        return next(iter(sites))
    return DEFAULT_SITE if mine.sees(DEFAULT_SITE) else None


def _new_page(values: dict, errors: dict | None = None, status: int = 200):
    return render_template(
        "moderation/ban_new.html",
        address=values.get("address", ""),
        network=values.get("network", ""),
        site_id=values.get("site_id"),
        comment_id=values.get("comment_id"),
        ban_values=values,
        ban_errors=errors or {},
        note_max=NOTE_MAX,
        next_url=safe_next(""),
    ), status


@bp.route("/bans/new", methods=["GET", "POST"])
@login_required
def new_ban():
    if request.method == "GET":
        comment = _visible_comment(request.args.get("comment"))
        values: dict = {
            "address": (request.args.get("address") or "").strip()[:254],
            "network": (request.args.get("network") or "").strip()[:64],
            "site_id": request.args.get("site") or None,
        }
        if values["site_id"]:
            _chosen_site(values["site_id"])
        if comment is not None:
            values.update(
                address=comment.address,
                network=ban_rules.network_of(comment.ip),
                site_id=comment.article.site_id,
                comment_id=comment.id,
            )
        return _new_page(values)
    form = request.form
    comment = _visible_comment(form.get("comment"))
    site_id = comment.article.site_id if comment else _chosen_site(form.get("site"))
    values = {
        "target": form.get("target", ""),
        "days": form.get("days", ""),
        "reason": form.get("reason", ""),
        "note": form.get("note", ""),
        "site_id": site_id,
        "comment_id": comment.id if comment else None,
        "address": form.get("address", ""),
        "network": form.get("network", ""),
    }
    if site_id is None:
        return _new_page(values, {"site": str(_l("Choose the site the ban is on."))}, 422)
    try:
        made = ban_rules.add_ban(
            site_id,
            values["target"],
            days=values["days"],
            reason=values["reason"],
            note=values["note"],
            comment_id=comment.id if comment else None,
            by=actor(),
            now=utcnow(),
        )
    except ban_rules.BanInvalid as error:
        db.session.rollback()
        return _new_page(values, {error.field or "form": str(error.message)}, 422)
    db.session.commit()
    target = made.address or made.network
    if made.expires_at:
        flash(
            str(
                _l(
                    "Ban %(id)s: %(target)s may not comment on this site until %(until)s.",
                    id=made.id,
                    target=target,
                    until=ban_time(made.expires_at, made.site_id),
                )
            )
        )
    else:
        flash(
            str(
                _l(
                    "Ban %(id)s: %(target)s may not comment on this site until the ban is lifted.",
                    id=made.id,
                    target=target,
                )
            )
        )
    if made.address:
        flash(str(_l("The person is sent a statement of reasons.")))
    return redirect(safe_next(url_for("moderation.bans")), code=303)


@bp.get("/bans")
@login_required
def bans():
    mine = current_access()
    site = request.args.get("site") or None
    search = (request.args.get("q") or "").strip()[:254]
    everything = bool(request.args.get("all"))
    errors = {}
    try:
        found = ban_rules.list_bans(
            now=utcnow(), sites=mine.narrowed(site), search=search, everything=everything
        )
    except ban_rules.BanInvalid as error:
        found, errors = [], {"q": str(error.message)}
    return render_template(
        "moderation/bans.html",
        found=found,
        statements=ban_rules.statements_of(found),
        search=search,
        everything=everything,
        site=site,
        errors=errors,
        now=utcnow(),
        is_active=ban_rules.is_active,
        reason_label=reports.reason_label,
    ), 422 if errors else 200


@bp.post("/bans/<int:ban_id>/lift")
@login_required
def lift_ban(ban_id: int):
    try:
        lifted = ban_rules.lift_ban(ban_id, by=actor(), now=utcnow(), sites=current_access().sites)
    except ban_rules.BanNotFound:
        db.session.rollback()
        abort(404)
    except ban_rules.BanInvalid as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(safe_next(url_for("moderation.bans")), code=303)
    db.session.commit()
    flash(
        str(
            _l(
                "Ban %(id)s on %(target)s is lifted.",
                id=lifted.id,
                target=lifted.address or lifted.network,
            )
        )
    )
    return redirect(safe_next(url_for("moderation.bans")), code=303)
