"""Who may do what in moderation: anonymous, a disabled account, a moderator and an admin,
against every route under /moderation as the app's URL map has them (so a route added later is
covered without touching this file). A refused request changes nothing and shows nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from commentsvc import threads
from commentsvc.notify import subscriptions
from tests.attack.conftest import PASSWORD, ModeratorClient
from tests.conftest import CSRF_INPUT

# Routes for admins only. A route missing here is still checked: anonymous and disabled
# accounts must be refused on it, and nobody may get a 5xx.
ADMIN_ONLY = {
    "moderation.confirm_delete",
    "moderation.delete",
    "moderation.moderators",
    "moderation.set_active",
    "moderation.set_role",
    "moderation.set_site_role",
    "moderation.reset_password",
    "moderation.unlock",
    "moderation.reset_second_factor",
    "moderation.log",
    "moderation.settings_page",
    "moderation.sites",
    "moderation.site",
    "moderation.remove_site",
    "moderation.privacy",
    "moderation.privacy_lookup",
    "moderation.privacy_export",
    "moderation.privacy_erase",
    "report_moderation.transparency",
    "moderation.mail_failures",
    "moderation.retry_mail",
}
# Open to everyone: the way in and the way out.
# The code page of a login's second step asks for the account that just gave its password.
OPEN = {"moderation.login", "moderation.login_code", "moderation.logout"}
# Every moderator's, not only admins'.
MODERATOR = {
    "moderation.queue",
    "moderation.comment",
    "moderation.act",
    "moderation.bulk",
    "moderation.edit",
    "moderation.reply",
    "moderation.remove_subscription",
    "moderation.notify",
    "moderation.password",
    "moderation.second_factor",
    "moderation.disable_second_factor",
    "report_moderation.reported",
    "report_moderation.keep",
    "report_moderation.remove",
    "moderation.person",
    "moderation.comment_person",
    "moderation.set_trust",
    "moderation.articles_page",
    "moderation.article_action",
    "moderation.bans",
    "moderation.new_ban",
    "moderation.lift_ban",
}

HELD_TEXT = "Hemlig väntande kommentar"
EMAIL = "eva.privat@example.se"
NOTIFIER = "greta.anmalare@example.se"  # gave notice of the published comment


def every_request(app, ids: dict) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every moderation route, its values filled with real ids."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/moderation"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            choices = [{}]
            for name, converter in rule._converters.items():
                items = sorted(getattr(converter, "items", None) or [ids.get(name, ids["any"])])
                choices = [{**c, name: item} for c in choices for item in items]
            for values in choices:
                with app.test_request_context():
                    url = app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
                found.append((rule.endpoint, method, url))
    return found


FORM = {
    "text": "Ändrat av någon",
    "reason": "illegal",
    "ground": "Ingen grund",
    "confirm": "yes",
    "action": "spam",
    "username": "inkraktare",
    "password": PASSWORD,
    "role": "admin",
    "email": EMAIL,
    "notify": "on",
    "MODERATION": "none",
    "MAX_LINKS": "50",
    "MIN_SUBMIT_SECONDS": "0",
    "CLOSE_AFTER_DAYS": "0",
    "next": "/moderation/",
}


def snapshot(app) -> dict:
    """Everything a moderation action could change."""
    from commentsvc.extensions import db
    from commentsvc.models.mail import Subscription
    from commentsvc.models.moderation import ModerationEvent, Moderator
    from commentsvc.models.people import Ban
    from commentsvc.models.reports import Report
    from commentsvc.models.sites import Site, SiteOrigin, SiteRole
    from commentsvc.models.threads import Article, Comment

    with app.app_context():
        rows = lambda model, *cols: sorted(  # noqa: E731
            tuple(r) for r in db.session.execute(select(*cols)).all()
        )
        return {
            "comments": rows(Comment, Comment.id, Comment.status, Comment.text),
            "articles": rows(
                Article, Article.id, Article.url, Article.closed, Article.premoderated
            ),
            "moderators": rows(
                Moderator, Moderator.username, Moderator.role, Moderator.active, Moderator.notify
            ),
            "sites": rows(Site, Site.id, Site.name, Site.settings),
            "origins": rows(SiteOrigin, SiteOrigin.origin, SiteOrigin.site_id),
            "site roles": rows(SiteRole, SiteRole.moderator_id, SiteRole.site_id, SiteRole.role),
            "events": rows(ModerationEvent, ModerationEvent.id),
            "subscriptions": rows(Subscription, Subscription.id, Subscription.address),
            "reports": rows(Report, Report.id, Report.decided_at, Report.explanation),
            "bans": rows(Ban, Ban.id, Ban.address, Ban.network, Ban.lifted_at),
        }


@pytest.fixture
def world(app, article, add_comment, make_moderator):
    """A held comment with a private email (who asked for email about replies), an approved
    one a notifier reported, and four kinds of visitor."""
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.mail import SubscriptionKind
    from commentsvc.models.moderation import Moderator
    from commentsvc.models.reports import ReportReason
    from commentsvc.models.threads import Comment
    from commentsvc.moderation import accounts

    held = add_comment(article, HELD_TEXT, email=EMAIL, approve=False)
    with app.app_context():
        wish = subscriptions.subscribe(
            db.session.get(Comment, held), SubscriptionKind.REPLIES, language="sv", now=utcnow()
        )
        db.session.commit()
        subscription_id = wish.id
    published = add_comment(article, "Publicerad", email="greta.eva@example.se")
    with app.app_context():
        notice = reports.NewReport(
            ReportReason.ILLEGAL, "Olaga hot", name="Greta", email=NOTIFIER, good_faith=True
        )
        reports.file_report(
            published,
            notice,
            reporter=reports.reporter_key("b"),
            network="192.0.2.0",
            lang="sv",
            now=utcnow(),
        )
        db.session.commit()
    make_moderator("ada", role="admin", email="ada@example.se")
    make_moderator("moa")
    make_moderator("dora")
    clients = {}
    for name in ("ada", "moa", "dora"):
        clients[name] = ModeratorClient(app.test_client())
        assert clients[name].login(name).status_code == 303
    with app.app_context():
        by_name = {m.username: m for m in db.session.execute(select(Moderator)).scalars()}
        accounts.set_active(by_name["dora"].id, False, by=by_name["ada"])
        db.session.commit()
        moa_id = by_name["moa"].id
        article_id = threads.find_article(article).id
        from commentsvc.moderation import bans

        ban_id = bans.add_ban(
            "default", "192.0.2.0/24", days=None, reason="spam", by="ada", now=utcnow()
        ).id
        db.session.commit()
    clients["anonymous"] = ModeratorClient(app.test_client())
    return {
        "clients": clients,
        "ids": {
            "comment_id": held,
            "moderator_id": moa_id,
            "subscription_id": subscription_id,
            "article_id": article_id,
            "ban_id": ban_id,
            "any": held,
        },
    }


def send(client: ModeratorClient, method: str, url: str):
    if method == "GET":
        return client.get(url)
    page = client.get("/moderation/login").get_data(as_text=True)
    token = CSRF_INPUT.search(page)[1]
    return client.client.open(url, method=method, data={**FORM, "csrf_token": token})


def refused(answer, method: str) -> bool:
    if method == "GET" and answer.status_code in (302, 303):
        return re.match(r"^(http://localhost)?/moderation/login", answer.headers["Location"])
    return answer.status_code in (401, 403)


@pytest.mark.parametrize("who", ["anonymous", "dora"])
def test_without_a_working_account_every_moderation_route_refuses(app, world, who):
    requests = every_request(app, world["ids"])
    assert len(requests) >= 20  # the matrix is built from the URL map, not from a list here
    before = snapshot(app)
    wrong = []
    for endpoint, method, url in requests:
        if endpoint in OPEN:
            continue
        answer = send(world["clients"][who], method, url)
        body = answer.get_data(as_text=True)
        if not refused(answer, method):
            wrong.append(f"{method} {url}: {answer.status_code}")
        if EMAIL in body or HELD_TEXT in body or NOTIFIER in body:
            wrong.append(f"{method} {url}: shows the held comment, its email or a notifier")
    assert not wrong, "\n".join(wrong)
    assert snapshot(app) == before


def test_a_moderator_is_refused_on_every_admin_route_and_changes_nothing_there(app, world):
    before = snapshot(app)
    wrong = []
    for endpoint, method, url in every_request(app, world["ids"]):
        if endpoint not in ADMIN_ONLY:
            continue
        answer = send(world["clients"]["moa"], method, url)
        if answer.status_code != 403:
            wrong.append(f"{method} {url}: {answer.status_code}")
        if EMAIL in answer.get_data(as_text=True) or NOTIFIER in answer.get_data(as_text=True):
            wrong.append(f"{method} {url}: shows a person's email")
    assert not wrong, "\n".join(wrong)
    assert snapshot(app) == before


def test_every_moderation_route_is_in_a_list_of_who_may_use_it(app, world):
    """A route someone adds lands in one of the lists, so the matrix says who it is for."""
    endpoints = {endpoint for endpoint, _method, _url in every_request(app, world["ids"])}
    unlisted = endpoints - ADMIN_ONLY - OPEN - MODERATOR
    assert not unlisted, f"say who may use: {sorted(unlisted)}"


def test_a_moderator_removes_a_subscription_and_the_history_says_so(app, world):
    from commentsvc.extensions import db
    from commentsvc.models.mail import Subscription
    from commentsvc.models.moderation import ModerationEvent

    url = f"/moderation/comments/{world['ids']['comment_id']}/subscriptions/"
    answer = send(
        world["clients"]["moa"], "POST", url + f"{world['ids']['subscription_id']}/remove"
    )
    assert answer.status_code == 303
    with app.app_context():
        assert db.session.execute(select(Subscription)).first() is None
        event = db.session.execute(
            select(ModerationEvent).where(ModerationEvent.action == "unsubscribe")
        ).scalar_one()
        assert (event.actor, event.details) == ("moa", {"kind": "replies"})  # not the address


@pytest.mark.parametrize("who", ["moa", "ada"])
def test_moderators_and_admins_reach_their_routes_without_a_5xx(app, world, who):
    wrong = []
    for endpoint, method, url in every_request(app, world["ids"]):
        if endpoint in OPEN or (who == "moa" and endpoint in ADMIN_ONLY):
            continue
        if endpoint == "moderation.set_active" and url.endswith("/disable"):
            continue  # would lock moa out before the rest of the matrix is tried
        answer = send(world["clients"][who], method, url)
        if answer.status_code >= 500 or answer.status_code in (401, 403):
            wrong.append(f"{method} {url}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)
