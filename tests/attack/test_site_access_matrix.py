"""The access matrix with two sites: every moderation route, both ways.

Sites A and B each have a thread with the SAME key, a held comment with a private email, a
published comment a notifier reported, and their own people: a moderator of A, one of B, an
admin of A, a moderator of both and the installation's admin. A site's people neither see nor
touch the other site's comments, reports, people or records: routes about them answer 404
(they must not learn that they exist), lists leave them out, and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.attack.conftest import PASSWORD, ModeratorClient
from tests.attack.test_access_matrix import ADMIN_ONLY, OPEN, every_request, send, snapshot
from tests.moderation.conftest import status_of as status_of  # a fixture of this module too

KEY = "nyhet-1"  # the same key on both sites: a thread is found by site and key
SITES = {"a": "Alfa-tidningen", "b": "Beta-bladet"}
# What only the people of each site may see.
SECRETS = {
    site: {
        "held": f"Hemlig väntande kommentar på {name}",
        "email": f"skribent.{site}@example.se",
        "notifier": f"anmalare.{site}@example.se",
        "published": f"Publicerad kommentar på {name}",
    }
    for site, name in SITES.items()
}
PEOPLE = {
    # name: ({site: role} (empty: every site), role of an account of every site)
    "moa.alfa": ({"a": "moderator"}, "moderator"),
    "mob.beta": ({"b": "moderator"}, "moderator"),
    "ada.alfa": ({"a": "admin"}, "admin"),
    "mia.bada": ({"a": "moderator", "b": "moderator"}, "moderator"),
    "ida.alla": ({}, "admin"),
}
# Routes only the installation's admin uses: they span every site. (A site's admin looks up
# and exports a person's data of their sites on the privacy page; the erasure reaches every
# site: tests/moderation/test_site_personal_data.py.)
INSTALLATION_ONLY = {
    "moderation.privacy_erase",
    "moderation.mail_failures",
    "moderation.retry_mail",
}


def add_site_comment(app, site: str, text: str, *, email: str, approve: bool) -> int:
    from commentsvc import moderation, threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.threads import CommentStatus

    with app.app_context():
        article = threads.find_article(KEY, site=site)
        draft = threads.Draft(comment=text, author="Anna Lindqvist", email=email)
        comment = threads.post_comment(article, draft, ip="192.0.2.0", now=utcnow())
        if approve and comment.status != CommentStatus.APPROVED:
            moderation.approve(comment.id, by="test", now=utcnow())
        db.session.commit()
        return comment.id


@pytest.fixture
def sites_world(app):
    """Two sites, each with its thread, held and reported comments, and its people logged in."""
    from commentsvc import reports, threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.mail import SubscriptionKind
    from commentsvc.models.reports import ReportReason
    from commentsvc.models.threads import Comment
    from commentsvc.moderation import accounts, bans
    from commentsvc.notify import subscriptions
    from commentsvc.sites import add_site

    with app.app_context():
        for site, name in SITES.items():
            add_site(site, name=name, origins=[f"https://{site}.example.se"], by="t", now=utcnow())
            threads.create_article(KEY, title=f"Nyhet på {name}", site=site)
        db.session.commit()
    ids = {}
    for site, secret in SECRETS.items():
        held = add_site_comment(app, site, secret["held"], email=secret["email"], approve=False)
        published = add_site_comment(
            app, site, secret["published"], email=f"annan.{site}@example.se", approve=True
        )
        with app.app_context():
            wish = subscriptions.subscribe(
                db.session.get(Comment, held),
                SubscriptionKind.REPLIES,
                language="sv",
                now=utcnow(),
            )
            notice = reports.NewReport(
                ReportReason.ILLEGAL,
                "Olaga hot",
                name="Greta",
                email=secret["notifier"],
                good_faith=True,
            )
            reports.file_report(
                published,
                notice,
                reporter=reports.reporter_key(f"browser-{site}"),
                network=f"network-{site}",
                lang="sv",
                now=utcnow(),
            )
            db.session.commit()
            # A ban on the held comment's author: their address is a secret of the site.
            ban_id = bans.add_ban(
                site,
                secret["email"],
                days=None,
                reason="harassment",
                comment_id=held,
                by="t",
                now=utcnow(),
            ).id
            db.session.commit()
            ids[site] = {
                "comment_id": held,
                "ban_id": ban_id,
                "published": published,
                "subscription_id": wish.id,
                "any": held,
            }
    with app.app_context():
        for name, (roles, role) in PEOPLE.items():
            created = accounts.create_moderator(
                name, PASSWORD, role=role, sites=list(roles), by="cli", now=utcnow()
            )
            assert created.id
        db.session.commit()
        by_name = {
            m.username: m.id for m in db.session.execute(select(accounts.Moderator)).scalars()
        }
    clients = {}
    for name in PEOPLE:
        clients[name] = ModeratorClient(app.test_client())
        assert clients[name].login(name).status_code == 303, name
    ids["a"]["moderator_id"] = by_name["moa.alfa"]
    ids["b"]["moderator_id"] = by_name["mob.beta"]
    with app.app_context():
        for site in SITES:
            ids[site]["article_id"] = threads.find_article(KEY, site=site).id
    for site in SITES:
        ids[site]["site_id"] = site  # the sites page of each site
    return {"clients": clients, "ids": ids, "accounts": by_name}


def other_site(site: str) -> str:
    return "b" if site == "a" else "a"


def shows_secret_of(body: str, site: str) -> list[str]:
    return [label for label, text in SECRETS[site].items() if text in body]


def routes_with(app, argument: str) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if argument in r.arguments}


# Who works on which site alone, and the site that is not theirs.
OUTSIDERS = [("moa.alfa", "b"), ("mob.beta", "a"), ("ada.alfa", "b")]


@pytest.mark.parametrize(("who", "foreign"), OUTSIDERS)
def test_every_route_about_another_sites_comment_is_404_and_changes_nothing(
    app, sites_world, who, foreign
):
    about_comments = routes_with(app, "comment_id")
    requests = [
        (endpoint, method, url)
        for endpoint, method, url in every_request(app, sites_world["ids"][foreign])
        if endpoint in about_comments
    ]
    assert len(requests) >= 12  # the comment page, each action, edit, reply, reports, delete
    before = snapshot(app)
    wrong = []
    for _endpoint, method, url in requests:
        answer = send(sites_world["clients"][who], method, url)
        if answer.status_code != 404:
            wrong.append(f"{method} {url}: {answer.status_code}")
        if leaked := shows_secret_of(answer.get_data(as_text=True), foreign):
            wrong.append(f"{method} {url}: shows {leaked}")
    assert not wrong, "\n".join(wrong)
    assert snapshot(app) == before


@pytest.mark.parametrize(("who", "foreign"), OUTSIDERS)
def test_every_route_about_another_sites_article_is_404_and_changes_nothing(
    app, sites_world, who, foreign
):
    about_articles = routes_with(app, "article_id")
    requests = [
        (endpoint, method, url)
        for endpoint, method, url in every_request(app, sites_world["ids"][foreign])
        if endpoint in about_articles
    ]
    assert len(requests) >= 4  # close, reopen, premoderate, postmoderate
    before = snapshot(app)
    wrong = []
    for _endpoint, method, url in requests:
        answer = send(sites_world["clients"][who], method, url)
        if answer.status_code != 404:
            wrong.append(f"{method} {url}: {answer.status_code}")
        if SITES[foreign] in answer.get_data(as_text=True):
            wrong.append(f"{method} {url}: names the other site")
    assert not wrong, "\n".join(wrong)
    assert snapshot(app) == before


@pytest.mark.parametrize(("who", "own"), [("moa.alfa", "a"), ("mob.beta", "b"), ("ada.alfa", "a")])
def test_the_same_routes_work_on_the_own_sites_article(app, sites_world, who, own):
    """The near miss of the test above: the same changes on their own site's article."""
    about_articles = routes_with(app, "article_id")
    wrong = []
    for endpoint, method, url in every_request(app, sites_world["ids"][own]):
        if endpoint not in about_articles:
            continue
        answer = send(sites_world["clients"][who], method, url)
        if answer.status_code != 303:
            wrong.append(f"{method} {url}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("who", "own"), [("moa.alfa", "a"), ("mob.beta", "b"), ("ada.alfa", "a")])
def test_the_same_routes_work_on_the_own_sites_comment(app, sites_world, who, own):
    """The near miss of the test above: the same requests on their own site's comment."""
    about_comments = routes_with(app, "comment_id")
    wrong = []
    for endpoint, method, url in every_request(app, sites_world["ids"][own]):
        if endpoint not in about_comments or endpoint.endswith("delete"):
            continue
        answer = send(sites_world["clients"][who], method, url)
        if answer.status_code in (401, 403, 404) or answer.status_code >= 500:
            wrong.append(f"{method} {url}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)
    page = sites_world["clients"][who].get(f"/moderation/comments/{sites_world['ids'][own]['any']}")
    assert SECRETS[own]["email"] in page.get_data(as_text=True)


LISTS = [
    "/moderation/articles",
    "/moderation/articles?site={foreign}",
    "/moderation/articles?q=Nyhet",
    "/moderation/?status=all",
    "/moderation/",
    "/moderation/?status=all&site={foreign}",
    "/moderation/?status=all&article=" + KEY,
    "/moderation/?status=all&q=example.se",
    "/moderation/reports",
    "/moderation/reports?site={foreign}",
    "/moderation/log",
    "/moderation/log?kind=accounts",
    "/moderation/transparency",
    "/moderation/moderators",
    "/moderation/settings",
    "/moderation/bans",
    "/moderation/bans?all=1",
    "/moderation/bans?site={foreign}",
    "/moderation/bans/new",
]


@pytest.mark.parametrize(("who", "foreign"), OUTSIDERS)
def test_no_list_shows_another_sites_comments_reports_or_people(app, sites_world, who, foreign):
    own = other_site(foreign)
    foreign_people = [n for n, (roles, _r) in PEOPLE.items() if roles and own not in roles]
    wrong = []
    for path in LISTS:
        answer = sites_world["clients"][who].get(path.format(foreign=foreign))
        body = answer.get_data(as_text=True)
        if answer.status_code == 403:
            continue  # a moderator on an admin's page: refused as before
        if answer.status_code != 200:
            wrong.append(f"{path}: {answer.status_code}")
        if leaked := shows_secret_of(body, foreign):
            wrong.append(f"{path}: shows {leaked}")
        if seen := [n for n in [*foreign_people, "ida.alla"] if n in body]:
            wrong.append(f"{path}: shows the accounts {seen}")
        if SITES[foreign] in body:
            wrong.append(f"{path}: names the other site")
    assert not wrong, "\n".join(wrong)
    queue = sites_world["clients"][who].get("/moderation/?status=all").get_data(as_text=True)
    assert SECRETS[own]["held"] in queue and SECRETS[own]["published"] in queue
    reported = sites_world["clients"][who].get("/moderation/reports").get_data(as_text=True)
    assert SECRETS[own]["notifier"] in reported


@pytest.mark.parametrize(("who", "foreign"), OUTSIDERS)
def test_a_person_is_their_comments_on_the_own_sites_only(app, sites_world, who, foreign):
    """The person page of another site's writer shows nothing of theirs (the address is what
    the moderator typed), chosen site or not; a trust decision there is 404 and changes
    nothing. The near miss: the own site's writer, found the same ways."""
    from commentsvc.extensions import db
    from commentsvc.models.people import PersonTrust

    client = sites_world["clients"][who]
    own = other_site(foreign)
    wrong = []
    for site in ("", foreign):
        address = SECRETS[foreign]["email"]
        answer = client.get("/moderation/people", query_string={"address": address, "site": site})
        body = answer.get_data(as_text=True)
        if answer.status_code != 200 or "Inga kommentarer" not in body:
            wrong.append(f"{address} on {site!r}: {answer.status_code}")
        if leaked := [k for k in shows_secret_of(body, foreign) if k != "email"]:
            wrong.append(f"{address} on {site!r}: shows {leaked}")
        if SITES[foreign] in body or f'id="trust-{foreign}"' in body:
            wrong.append(f"{address} on {site!r}: names the other site")
    before = snapshot(app)
    for site in (foreign, "no-such-site"):
        answer = client.post(
            "/moderation/people/trust",
            {"address": SECRETS[foreign]["email"], "site": site, "trust": "held"},
        )
        if answer.status_code != 404:
            wrong.append(f"trust on {site}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.query(PersonTrust).count() == 0
    mine = client.get("/moderation/people", query_string={"address": SECRETS[own]["email"]})
    assert SECRETS[own]["held"] in mine.get_data(as_text=True)
    from_comment = client.get(f"/moderation/comments/{sites_world['ids'][own]['any']}/person")
    assert SECRETS[own]["held"] in from_comment.get_data(as_text=True)
    decided = client.post(
        "/moderation/people/trust",
        {"address": SECRETS[own]["email"], "site": own, "trust": "trusted"},
    )
    assert decided.status_code == 303
    with app.app_context():
        assert db.session.query(PersonTrust.site_id).scalar() == own


def test_the_installation_admin_and_a_moderator_of_both_sites_see_both(app, sites_world):
    for who in ("ida.alla", "mia.bada"):
        client = sites_world["clients"][who]
        queue = client.get("/moderation/?status=all").get_data(as_text=True)
        reported = client.get("/moderation/reports").get_data(as_text=True)
        for site in SITES:
            assert SECRETS[site]["held"] in queue, (who, site)
            assert SITES[site] in queue  # each row names its site
            assert SECRETS[site]["notifier"] in reported, (who, site)
            page = client.get(f"/moderation/comments/{sites_world['ids'][site]['any']}")
            assert page.status_code == 200
    log = sites_world["clients"]["ida.alla"].get("/moderation/log").get_data(as_text=True)
    assert "moa.alfa" in log and "mob.beta" in log


def test_a_site_admins_log_shows_their_sites_records_only(app, sites_world):
    log = sites_world["clients"]["ada.alfa"].get("/moderation/log").get_data(as_text=True)
    assert "moa.alfa" in log  # added to site A: the record is A's
    assert "mob.beta" not in log  # added to site B
    assert "ida.alla" not in log  # an installation-wide account: the installation's record


def test_a_bulk_action_leaves_another_sites_comments_alone(app, sites_world, status_of):
    ids = sites_world["ids"]
    answer = sites_world["clients"]["moa.alfa"].post(
        "/moderation/bulk",
        {"action": "spam", "ids": [ids["a"]["comment_id"], ids["b"]["comment_id"]]},
    )
    assert answer.status_code == 303
    assert status_of(ids["a"]["comment_id"]) == "spam"
    assert status_of(ids["b"]["comment_id"]) == "pending"
    only_foreign = sites_world["clients"]["moa.alfa"].post(
        "/moderation/bulk",
        {"action": "spam", "ids": [ids["b"]["published"]]},
        follow_redirects=True,
    )
    assert "Markera minst en kommentar" in only_foreign.get_data(as_text=True) or (
        "Select at least one comment" in only_foreign.get_data(as_text=True)
    )
    assert status_of(ids["b"]["published"]) == "approved"


def test_a_site_admin_finds_no_account_of_another_site_or_of_every_site(app, sites_world):
    about_accounts = routes_with(app, "moderator_id")
    wrong = []
    before = snapshot(app)
    for target in ("mob.beta", "ida.alla", "mia.bada"):
        ids = {"moderator_id": sites_world["accounts"][target], "any": 1}
        for endpoint, method, url in every_request(app, ids):
            if endpoint not in about_accounts:
                continue
            answer = send(sites_world["clients"]["ada.alfa"], method, url)
            # mia works on A too: ada sees her, but may not change an account of B as well.
            expected = (303,) if target == "mia.bada" else (404,)
            if answer.status_code not in expected:
                wrong.append(f"{target}: {method} {url}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)
    after = snapshot(app)
    assert after["moderators"] == before["moderators"]
    assert after["site roles"] == before["site roles"]


def test_the_installation_admin_reaches_every_route_of_both_sites_without_a_5xx(app, sites_world):
    wrong = []
    for site in SITES:
        # The permanent delete last: after it the comment is gone, and every later route
        # about it rightly answers 404.
        requests = sorted(
            every_request(app, sites_world["ids"][site]),
            key=lambda request: request[0] == "moderation.delete",
        )
        for endpoint, method, url in requests:
            if endpoint in OPEN or (
                endpoint == "moderation.set_active" and url.endswith("/disable")
            ):
                continue
            answer = send(sites_world["clients"]["ida.alla"], method, url)
            if answer.status_code >= 500 or answer.status_code in (401, 403, 404):
                wrong.append(f"{method} {url}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("who", ["moa.alfa", "ada.alfa", "mia.bada"])
def test_site_people_get_403_on_what_spans_the_installation(app, sites_world, who):
    before = snapshot(app)
    wrong = []
    for endpoint, method, url in every_request(app, sites_world["ids"]["a"]):
        if endpoint not in INSTALLATION_ONLY and not (who != "ada.alfa" and endpoint in ADMIN_ONLY):
            continue
        if endpoint in routes_with(app, "comment_id") or endpoint in routes_with(
            app, "moderator_id"
        ):
            continue  # checked above, by the item's site
        answer = send(sites_world["clients"][who], method, url)
        if answer.status_code != 403:
            wrong.append(f"{method} {url}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("ada.alfa", {"/sites/a": 200, "/sites/b": 403, "/sites": 403, "/sites/a/remove": 403}),
        ("moa.alfa", {"/sites/a": 403, "/sites/b": 403, "/sites": 403, "/sites/a/remove": 403}),
        ("ida.alla", {"/sites/a": 200, "/sites/b": 200, "/sites": 200, "/sites/a/remove": 200}),
    ],
)
def test_a_sites_page_is_its_admins_and_the_installations(app, sites_world, who, expected):
    """A site's admin edits their own site only; adding and removing sites is the
    installation admin's; a moderator has no sites page at all."""
    client = sites_world["clients"][who]
    got = {path: client.get(f"/moderation{path}").status_code for path in expected}
    assert got == expected
    before = snapshot(app)
    if who != "ida.alla":
        client.post("/moderation/sites/b", {"name": "Övertagen", "origins": "https://x.example"})
        assert snapshot(app) == before


def test_a_site_admin_unlocks_the_accounts_of_their_sites_only(app, sites_world):
    """``POST /moderation/moderators/<id>/unlock``: ada (admin of A) clears moa's failed logins,
    recorded in A's log; mob of B and the installation's ida are not there for her (404), and
    mia, who also works on B, is the installation admin's to unlock."""
    from commentsvc.extensions import db
    from commentsvc.models.moderation import ModerationEvent

    ada = sites_world["clients"]["ada.alfa"]
    accounts_ = sites_world["accounts"]
    assert ada.post(f"/moderation/moderators/{accounts_['moa.alfa']}/unlock").status_code == 303
    for target in ("mob.beta", "ida.alla"):
        assert ada.post(f"/moderation/moderators/{accounts_[target]}/unlock").status_code == 404
    refused = ada.post(
        f"/moderation/moderators/{accounts_['mia.bada']}/unlock", follow_redirects=True
    )
    assert "installationens administratör" in refused.get_data(as_text=True)
    with app.app_context():
        records = db.session.execute(
            select(ModerationEvent.site_id, ModerationEvent.details).where(
                ModerationEvent.action == "login-unlocked"
            )
        ).all()
    assert [(site, details["account"]) for site, details in records] == [
        ("a", accounts_["moa.alfa"])
    ]


@pytest.mark.parametrize(("who", "foreign"), OUTSIDERS)
def test_the_desks_new_decisions_on_another_sites_comment_are_404_also_as_json(
    app, sites_world, who, foreign
):
    """Unapprove and the editors' pick are routes of the matrix above (the action rule lists
    them); here named, and asked the way the desk's script asks."""
    ids = sites_world["ids"][foreign]
    urls = {url for _e, method, url in every_request(app, ids) if method == "POST"}
    before = snapshot(app)
    for action in ("unapprove", "pick", "unpick"):
        url = f"/moderation/comments/{ids['published']}/{action}"
        assert f"/moderation/comments/{ids['any']}/{action}" in urls
        answer = sites_world["clients"][who].post(url, headers={"Accept": "application/json"})
        assert answer.status_code == 404, (action, answer.status_code)
        assert not shows_secret_of(answer.get_data(as_text=True), foreign)
    assert snapshot(app) == before
    own = sites_world["ids"][other_site(foreign)]["published"]
    answer = sites_world["clients"][who].post(
        f"/moderation/comments/{own}/pick", headers={"Accept": "application/json"}
    )
    assert answer.status_code == 200 and answer.get_json()["picked"] is True


@pytest.mark.parametrize(("who", "foreign"), OUTSIDERS)
def test_the_queues_filters_find_nothing_of_another_site(app, sites_world, who, foreign):
    client = sites_world["clients"][who]
    for query in (
        {"person": SECRETS[foreign]["email"]},
        {"network": "192.0.2.0"},
        {"article": "Nyhet på"},
        {"since": "2000-01-01", "sort": "newest"},
    ):
        answer = client.get("/moderation/", query_string={"status": "all", **query})
        body = answer.get_data(as_text=True)
        assert answer.status_code == 200, query
        if "person" in query:  # the address typed is in its field: no row may match it
            assert 'class="queue-item"' not in body, query
        else:
            assert not shows_secret_of(body, foreign), query


@pytest.mark.parametrize(("who", "foreign"), OUTSIDERS)
def test_another_sites_ban_is_404_and_cannot_be_made_from_its_comment_or_on_it(
    app, sites_world, who, foreign
):
    """The ban routes, both ways: another site's ban cannot be lifted, its comment cannot
    seed a ban, and its site cannot be banned on; the same requests work on the own site."""
    client = sites_world["clients"][who]
    theirs, mine = sites_world["ids"][foreign], sites_world["ids"][other_site(foreign)]
    before = snapshot(app)
    requests = [
        ("POST", f"/moderation/bans/{theirs['ban_id']}/lift", {}),
        ("GET", f"/moderation/bans/new?comment={theirs['comment_id']}", None),
        ("GET", f"/moderation/bans/new?site={foreign}", None),
        (
            "POST",
            "/moderation/bans/new",
            {"target": "ny.person@example.se", "reason": "spam", "site": foreign},
        ),
        (
            "POST",
            "/moderation/bans/new",
            {"target": "ny.person@example.se", "reason": "spam", "comment": theirs["comment_id"]},
        ),
    ]
    wrong = []
    for method, url, data in requests:
        answer = client.get(url) if method == "GET" else client.post(url, data)
        if answer.status_code != 404:
            wrong.append(f"{method} {url}: {answer.status_code}")
        if leaked := shows_secret_of(answer.get_data(as_text=True), foreign):
            wrong.append(f"{method} {url}: shows {leaked}")
    assert not wrong, "\n".join(wrong)
    assert snapshot(app) == before
    # Searching for the other site's banned address finds nothing (the query is echoed only).
    searched = client.get(f"/moderation/bans?all=1&q={SECRETS[foreign]['email']}")
    assert "Ingen avstängning matchar" in searched.get_data(as_text=True)
    own = other_site(foreign)
    form = client.get(f"/moderation/bans/new?comment={mine['comment_id']}")
    assert form.status_code == 200
    assert SECRETS[own]["email"] in form.get_data(as_text=True)
    made = client.post(
        "/moderation/bans/new",
        {"target": "ny.person@example.se", "reason": "spam", "comment": mine["comment_id"]},
    )
    assert made.status_code == 303
    assert client.post(f"/moderation/bans/{mine['ban_id']}/lift").status_code == 303


def test_a_moderator_of_two_sites_chooses_the_site_of_a_ban(app, sites_world):
    client = sites_world["clients"]["mia.bada"]
    form = client.get("/moderation/bans/new").get_data(as_text=True)
    assert SITES["a"] in form and SITES["b"] in form  # both of hers, to choose from
    fields = {"target": "ny.person@example.se", "reason": "spam"}
    unsure = client.post("/moderation/bans/new", fields)
    assert unsure.status_code == 422
    assert "Välj webbplatsen som avstängningen gäller." in unsure.get_data(as_text=True)
    assert client.post("/moderation/bans/new", {**fields, "site": "b"}).status_code == 303
    listed = client.get("/moderation/bans?site=b").get_data(as_text=True)
    assert "ny.person@example.se" in listed
    assert "ny.person@example.se" not in client.get("/moderation/bans?site=a").get_data(
        as_text=True
    )
