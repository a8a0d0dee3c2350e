"""People and roles per site: ``create-moderator --site``, the moderators page for the
installation's admin and for a site's admin, a site's settings, the desk's site filter, and who
gets the mail about a held comment."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.moderation.conftest import PASSWORD, ModeratorClient

KEY = "nyhet-1"
SITES = {"a": "Alfa-tidningen", "b": "Beta-bladet"}


@pytest.fixture
def two_sites(app):
    """Sites a and b, each with a thread of the same key."""
    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.sites import add_site

    with app.app_context():
        for site, name in SITES.items():
            add_site(site, name=name, origins=[f"https://{site}.example.se"], by="t", now=utcnow())
            threads.create_article(KEY, title=f"Nyhet på {name}", site=site)
        db.session.commit()
    return SITES


@pytest.fixture
def person(app, two_sites):
    """An account made through the service (``sites``: its sites; none: every site), logged in."""
    from commentsvc.extensions import db
    from commentsvc.moderation import accounts

    def make(name, *, role="moderator", sites=(), email="", notify=False) -> ModeratorClient:
        with app.app_context():
            accounts.create_moderator(
                name, PASSWORD, role=role, sites=sites, email=email, notify=notify
            )
            db.session.commit()
        client = ModeratorClient(app.test_client())
        assert client.login(name).status_code == 303
        return client

    return make


def roles_of(app, name: str) -> dict[str, str]:
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator
    from commentsvc.models.sites import SiteRole

    with app.app_context():
        rows = db.session.execute(
            select(SiteRole.site_id, SiteRole.role)
            .join(Moderator, Moderator.id == SiteRole.moderator_id)
            .where(Moderator.username == name)
        )
        return {site: role.value for site, role in rows}


def account_id(app, name: str) -> int:
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    with app.app_context():
        return db.session.execute(
            select(Moderator.id).where(Moderator.username == name)
        ).scalar_one()


def held_comment(app, site: str, text: str, email: str = "skribent@example.se") -> int:
    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    with app.app_context():
        article = threads.find_article(KEY, site=site)
        draft = threads.Draft(comment=text, author="Anna Lindqvist", email=email)
        comment = threads.post_comment(article, draft, ip="192.0.2.0", now=utcnow())
        db.session.commit()
        return comment.id


# --- create-moderator --site ---------------------------------------------------------------


def test_create_moderator_with_sites_makes_a_moderator_of_those_sites_only(app, runner, two_sites):
    result = runner.invoke(
        args=["create-moderator", "moa", "--site", "a", "--site", "b", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "moa" in result.output and "a, b" in result.output
    assert roles_of(app, "moa") == {"a": "moderator", "b": "moderator"}


def test_create_moderator_admin_with_a_site_makes_that_sites_admin_not_the_installations(
    app, runner, two_sites
):
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator
    from commentsvc.moderation.access import access_of

    result = runner.invoke(
        args=["create-moderator", "ada", "--admin", "--site", "a", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert roles_of(app, "ada") == {"a": "admin"}
    with app.test_request_context():
        ada = db.session.execute(select(Moderator).where(Moderator.username == "ada")).scalar_one()
        access = access_of(ada)
        assert (access.installation_admin, access.admin_of("a"), access.admin_of("b")) == (
            False,
            True,
            False,
        )


def test_create_moderator_without_a_site_works_on_every_site_as_before(app, runner, two_sites):
    result = runner.invoke(
        args=["create-moderator", "ida", "--admin", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "(admin)" in result.output
    assert roles_of(app, "ida") == {}


@pytest.mark.parametrize("site", ["c", "NOT-A-SITE", ""])
def test_create_moderator_refuses_a_site_that_does_not_exist_and_makes_no_account(
    app, runner, two_sites, site
):
    result = runner.invoke(
        args=["create-moderator", "moa", "--site", "a", "--site", site, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code != 0
    assert "--site" in result.output and "Traceback" not in result.output
    assert account_id_or_none(app, "moa") is None


def account_id_or_none(app, name: str) -> int | None:
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    with app.app_context():
        return db.session.execute(
            select(Moderator.id).where(Moderator.username == name)
        ).scalar_one_or_none()


def test_the_account_created_for_sites_is_in_each_sites_log(app, runner, two_sites):
    from commentsvc.extensions import db
    from commentsvc.models.moderation import AuditAction, ModerationEvent

    runner.invoke(
        args=["create-moderator", "moa", "--site", "a", "--site", "b", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    with app.app_context():
        events = db.session.execute(
            select(ModerationEvent.site_id, ModerationEvent.details).where(
                ModerationEvent.action == AuditAction.ACCOUNT_CREATED
            )
        ).all()
    assert sorted((site, details["site"], details["role"]) for site, details in events) == [
        ("a", "a", "moderator"),
        ("b", "b", "moderator"),
    ]


# --- the moderators page -------------------------------------------------------------------


def add_account(client: ModeratorClient, name: str, sites=(), role="moderator"):
    return client.post(
        "/moderation/moderators",
        {"username": name, "password": PASSWORD, "role": role, "sites": list(sites)},
    )


def test_the_installation_admin_adds_an_account_of_one_site_and_gives_it_another(
    app, person, two_sites
):
    ida = person("ida", role="admin")
    page = ida.get("/moderation/moderators").get_data(as_text=True)
    assert "Alfa-tidningen" in page and "Beta-bladet" in page  # the sites to choose from
    assert add_account(ida, "moa", ["a"]).status_code == 303
    assert roles_of(app, "moa") == {"a": "moderator"}
    answer = ida.post(
        f"/moderation/moderators/{account_id(app, 'moa')}/sites", {"site": "b", "role": "admin"}
    )
    assert answer.status_code == 303
    assert roles_of(app, "moa") == {"a": "moderator", "b": "admin"}
    ida.post(f"/moderation/moderators/{account_id(app, 'moa')}/sites", {"site": "a", "role": ""})
    assert roles_of(app, "moa") == {"b": "admin"}


def test_the_last_site_of_an_account_is_not_taken(app, person, two_sites):
    ida = person("ida", role="admin")
    person("moa", sites=["a"])
    answer = ida.post(
        f"/moderation/moderators/{account_id(app, 'moa')}/sites",
        {"site": "a", "role": ""},
        follow_redirects=True,
    )
    assert "sista webbplats" in answer.get_data(as_text=True)
    assert roles_of(app, "moa") == {"a": "moderator"}


def test_a_site_admin_adds_people_to_their_site_only(app, person, two_sites):
    ada = person("ada", role="admin", sites=["a"])
    page = ada.get("/moderation/moderators").get_data(as_text=True)
    assert "Alfa-tidningen" in page and "Beta-bladet" not in page
    assert add_account(ada, "moa", ["a"]).status_code == 303
    assert roles_of(app, "moa") == {"a": "moderator"}
    for sites, name in ((["b"], "mob"), ([], "mix"), (["a", "b"], "mab")):
        answer = add_account(ada, name, sites)
        assert answer.status_code == 422, sites
        assert 'class="error"' in answer.get_data(as_text=True)
        assert account_id_or_none(app, name) is None


def test_a_site_admin_cannot_give_a_role_on_another_site(app, person, two_sites):
    ada = person("ada", role="admin", sites=["a"])
    person("moa", sites=["a"])
    answer = ada.post(
        f"/moderation/moderators/{account_id(app, 'moa')}/sites",
        {"site": "b", "role": "moderator"},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert roles_of(app, "moa") == {"a": "moderator"}
    ok = ada.post(
        f"/moderation/moderators/{account_id(app, 'moa')}/sites", {"site": "a", "role": "admin"}
    )
    assert ok.status_code == 303
    assert roles_of(app, "moa") == {"a": "admin"}


def test_a_site_admin_never_makes_an_installation_admin(app, person, two_sites):
    ada = person("ada", role="admin", sites=["a"])
    person("moa", sites=["a"])
    answer = ada.post(
        f"/moderation/moderators/{account_id(app, 'moa')}/role",
        {"role": "admin"},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert roles_of(app, "moa") == {"a": "moderator"}
    with app.app_context():
        from commentsvc.extensions import db
        from commentsvc.models.moderation import Moderator

        assert db.session.get(Moderator, account_id(app, "moa")).role.value == "moderator"


def test_a_site_admin_sees_their_sites_people_but_no_one_elses(app, person, two_sites):
    ada = person("ada", role="admin", sites=["a"])
    person("moa.alfa", sites=["a"])
    person("mob.beta", sites=["b"])
    person("ida.alla", role="admin")
    person("mia.bada", sites=["a", "b"])
    page = ada.get("/moderation/moderators").get_data(as_text=True)
    assert "moa.alfa" in page and "mia.bada" in page
    assert "mob.beta" not in page and "ida.alla" not in page
    assert "Beta-bladet" not in page  # mia's role on B is B's business


def test_a_site_admin_may_disable_an_account_of_their_site_alone(app, person, two_sites):
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    ada = person("ada", role="admin", sites=["a"])
    person("moa", sites=["a"])
    person("mia", sites=["a", "b"])
    ada.post(f"/moderation/moderators/{account_id(app, 'moa')}/disable")
    ada.post(f"/moderation/moderators/{account_id(app, 'mia')}/disable")
    with app.app_context():
        active = dict(db.session.execute(select(Moderator.username, Moderator.active)).all())
    assert (active["moa"], active["mia"]) == (False, True)


def test_site_role_changes_are_in_that_sites_log(app, person, two_sites):
    ida = person("ida", role="admin")
    person("moa", sites=["a"])
    moa = account_id(app, "moa")
    ida.post(f"/moderation/moderators/{moa}/sites", {"site": "b", "role": "admin"})
    ada = person("ada", role="admin", sites=["a"])
    adb = person("adb", role="admin", sites=["b"])
    log_a = ada.get("/moderation/log?kind=accounts").get_data(as_text=True)
    log_b = adb.get("/moderation/log?kind=accounts").get_data(as_text=True)
    assert "moa" in log_b and "b – → admin" in log_b
    assert "b – → admin" not in log_a


# --- settings ------------------------------------------------------------------------------


def test_a_site_admin_saves_their_sites_settings_and_no_other(app, person, two_sites):
    from commentsvc.sites import config_for

    ada = person("ada", role="admin", sites=["a"])
    assert ada.get("/moderation/settings?site=b").status_code == 404
    assert ada.get("/moderation/settings?site=default").status_code == 404
    page = ada.get("/moderation/settings")
    assert page.status_code == 200
    answer = ada.post(
        "/moderation/settings",
        {
            "MODERATION": "all",
            "MAX_LINKS": "7",
            "MODERATION_KEYS": "",
            "DISALLOWED_KEYS": "",
            "CLOSE_AFTER_DAYS": "0",
            "BAN_ACTION": "refuse",
            "MIN_SUBMIT_SECONDS": "0",
        },
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    with app.test_request_context():
        assert config_for("a")["MAX_LINKS"] == 7
        assert config_for("b")["MAX_LINKS"] != 7
        assert config_for("default")["MAX_LINKS"] != 7


def test_the_installation_admin_picks_the_site_whose_settings_they_edit(app, person, two_sites):
    from commentsvc.sites import config_for

    ida = person("ida", role="admin")
    page = ida.get("/moderation/settings").get_data(as_text=True)
    assert 'name="site"' in page and "Beta-bladet" in page
    answer = ida.post(
        "/moderation/settings?site=b",
        {
            "MODERATION": "none",
            "MAX_LINKS": "9",
            "MODERATION_KEYS": "",
            "DISALLOWED_KEYS": "",
            "CLOSE_AFTER_DAYS": "0",
            "BAN_ACTION": "refuse",
            "MIN_SUBMIT_SECONDS": "0",
        },
    )
    assert answer.status_code == 303
    with app.test_request_context():
        assert config_for("b")["MAX_LINKS"] == 9
        assert config_for("a")["MAX_LINKS"] != 9
    assert ida.get("/moderation/settings?site=nosuch").status_code == 404


def test_a_plain_moderator_of_a_site_still_gets_403_on_settings(app, person, two_sites):
    moa = person("moa", sites=["a"])
    assert moa.get("/moderation/settings").status_code == 403
    assert moa.get("/moderation/settings?site=a").status_code == 403


# --- the desk's site filter ----------------------------------------------------------------


def test_a_moderator_of_several_sites_filters_the_desk_by_site(app, person, two_sites):
    held_comment(app, "a", "Väntar på Alfa")
    held_comment(app, "b", "Väntar på Beta")
    mia = person("mia", sites=["a", "b"])
    both = mia.get("/moderation/").get_data(as_text=True)
    assert 'id="filter-site"' in both
    assert "Väntar på Alfa" in both and "Väntar på Beta" in both
    assert "Alfa-tidningen" in both and "Beta-bladet" in both  # each row names its site
    only_b = mia.get("/moderation/?site=b").get_data(as_text=True)
    assert "Väntar på Beta" in only_b and "Väntar på Alfa" not in only_b
    assert "(1)" in only_b  # the pending count is B's


def test_a_moderator_of_one_site_has_no_site_filter_and_no_site_names(app, person, two_sites):
    held_comment(app, "a", "Väntar på Alfa")
    moa = person("moa", sites=["a"])
    page = moa.get("/moderation/").get_data(as_text=True)
    assert "Väntar på Alfa" in page
    assert 'id="filter-site"' not in page and 'class="site"' not in page


def test_the_reports_tab_filters_by_site(app, person, two_sites, report):
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow

    ids = {site: held_comment(app, site, f"Publicerad på {name}") for site, name in SITES.items()}
    with app.app_context():
        for comment_id in ids.values():
            moderation.approve(comment_id, by="test", now=utcnow())
        db.session.commit()
    for site, comment_id in ids.items():
        report(comment_id, browser=f"b-{site}", email=f"anmalare.{site}@example.se")
    ida = person("ida", role="admin")
    both = ida.get("/moderation/reports").get_data(as_text=True)
    assert "anmalare.a@example.se" in both and "anmalare.b@example.se" in both
    only_a = ida.get("/moderation/reports?site=a").get_data(as_text=True)
    assert "anmalare.a@example.se" in only_a and "anmalare.b@example.se" not in only_a


# --- the mail about a held comment ---------------------------------------------------------


def test_the_held_comment_mail_goes_to_the_people_of_its_site(app, person, two_sites):
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    person("moa", sites=["a"], email="moa@example.se", notify=True)
    person("mob", sites=["b"], email="mob@example.se", notify=True)
    person("mia", sites=["a", "b"], email="mia@example.se", notify=True)
    person("ida", role="admin", email="ida@example.se", notify=True)
    person("tyst", sites=["a"], email="tyst@example.se", notify=False)
    held_comment(app, "a", "Väntar på Alfa", email="skribent@example.se")
    with app.app_context():
        recipients = set(
            db.session.execute(
                select(OutboxMail.recipient).where(OutboxMail.kind == "comment_held")
            ).scalars()
        )
    assert recipients == {"moa@example.se", "mia@example.se", "ida@example.se"}


def test_a_site_admins_changes_of_their_people_are_in_their_sites_log(app, person, two_sites):
    ada = person("ada", role="admin", sites=["a"])
    adb = person("adb", role="admin", sites=["b"])
    person("moa.alfa", sites=["a"])
    ada.post(f"/moderation/moderators/{account_id(app, 'moa.alfa')}/disable")
    ada.post(f"/moderation/moderators/{account_id(app, 'moa.alfa')}/reset-password")
    log_a = ada.get("/moderation/log?kind=accounts").get_data(as_text=True)
    log_b = adb.get("/moderation/log?kind=accounts").get_data(as_text=True)
    assert "inaktiverade ett konto" in log_a and "återställde ett lösenord" in log_a
    assert "moa.alfa" not in log_b


def test_a_staff_reply_without_a_display_name_is_published_under_its_sites_name(
    app, person, two_sites
):
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    moa = person("moa@kommun.example.se", sites=("a", "b"))
    replies = {}
    for site in ("a", "b"):
        question = held_comment(app, site, f"En fråga på {site}")
        assert moa.act(question, "approve").status_code == 303
        assert moa.act(question, "reply", text=f"Svar på {site}").status_code == 303
        with app.app_context():
            reply = db.session.execute(
                select(Comment).where(Comment.text == f"Svar på {site}")
            ).scalar_one()
            replies[site] = reply.author
    assert replies == {"a": "Alfa-tidningen", "b": "Beta-bladet"}
