"""Moderators' passwords (the same rules everywhere, set and reset) and sessions that end:
at logout, at every change of the account, and at login."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from commentsvc.extensions import db
from commentsvc.models.moderation import Moderator

from .conftest import PASSWORD, ModeratorClient


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "all"}  # every comment waits, and a mail about it is written


@pytest.mark.parametrize(
    ("password", "message"),
    [("kort", "minst 10 tecken"), ("Mia.Moderator", "får inte vara användarnamnet")],
    ids=["short", "the-name"],
)
def test_the_same_password_rules_apply_in_all_three_places(
    app, runner, make_moderator, password, message
):
    make_moderator("mia.moderator")
    result = runner.invoke(
        args=["set-password", "mia.moderator", "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code != 0 and message in result.output
    mia = ModeratorClient(app.test_client())
    assert mia.login("mia.moderator").status_code == 303
    answer = mia.post(
        "/moderation/me/password",
        {"current": PASSWORD, "password": password, "confirm": password},
    )
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    created = runner.invoke(
        args=["create-moderator", "Mia.Moderator2", "--password-stdin"],
        input=("mia.moderator2" if "moderator" in password.lower() else password) + "\n",
    )
    assert created.exit_code != 0


def test_set_password_lets_a_moderator_in_again_after_an_import_without_secrets(
    app, runner, make_moderator
):
    make_moderator("mia")
    with app.app_context():
        db.session.execute(update(Moderator).values(password_hash="!"))  # as after import-json
        db.session.commit()
    assert ModeratorClient(app.test_client()).login("mia").status_code == 401
    result = runner.invoke(
        args=["set-password", "mia", "--password-stdin"], input="ett nytt långt lösenord\n"
    )
    assert result.exit_code == 0, result.output
    assert (
        ModeratorClient(app.test_client()).login("mia", "ett nytt långt lösenord").status_code
        == 303
    )
    unknown = runner.invoke(args=["set-password", "nobody", "--password-stdin"], input="x" * 12)
    assert unknown.exit_code != 0


def test_an_admin_resets_a_password_and_the_temporary_one_must_be_changed(app, admin, mod):
    with app.app_context():
        moa = db.session.execute(select(Moderator).where(Moderator.username == "moa")).scalar_one()
    page = admin.post(f"/moderation/moderators/{moa.id}/reset-password")
    assert page.status_code == 200
    temporary = page.get_data(as_text=True).split('class="temporary-password">')[1].split("<")[0]
    assert mod.get("/moderation/").status_code in (302, 303)  # her session has ended
    fresh = ModeratorClient(app.test_client())
    assert fresh.login("moa").status_code == 401  # the old password is gone
    login = fresh.login("moa", temporary)
    assert login.status_code == 303 and login.headers["Location"].endswith(
        "/moderation/me/password"
    )
    queue = fresh.get("/moderation/")
    assert queue.status_code == 303 and queue.headers["Location"].endswith(
        "/moderation/me/password"
    )
    wrong = fresh.post(
        "/moderation/me/password",
        {
            "current": "fel",
            "password": "ett helt nytt lösenord",
            "confirm": "ett helt nytt lösenord",
        },
    )
    assert wrong.status_code == 422 and "Det nuvarande lösenordet är fel." in wrong.get_data(
        as_text=True
    )
    done = fresh.post(
        "/moderation/me/password",
        {
            "current": temporary,
            "password": "ett helt nytt lösenord",
            "confirm": "ett helt nytt lösenord",
        },
    )
    assert done.status_code == 303
    assert fresh.get("/moderation/").status_code == 200


def copied(app, client: ModeratorClient):
    """Another browser with a copy of this one's session cookie."""
    other = app.test_client()
    cookie = client.client.get_cookie("session")
    other.set_cookie("session", cookie.value)
    assert other.get("/moderation/").status_code == 200
    return other


def test_logout_ends_a_copied_cookie_too(app, mod):
    other = copied(app, mod)
    assert mod.post("/moderation/logout").status_code == 303
    assert other.get("/moderation/").status_code == 302
    assert mod.login("moa").status_code == 303  # a new login works


@pytest.mark.parametrize("change", ["disable-enable", "role", "password", "reset"])
def test_account_changes_end_every_session_of_the_account(app, admin, mod, change):
    other = copied(app, mod)
    with app.app_context():
        moa_id = db.session.execute(
            select(Moderator.id).where(Moderator.username == "moa")
        ).scalar_one()
    if change == "disable-enable":
        admin.post(f"/moderation/moderators/{moa_id}/disable")
        admin.post(f"/moderation/moderators/{moa_id}/enable")
    elif change == "role":
        admin.post(f"/moderation/moderators/{moa_id}/role", {"role": "admin"})
    elif change == "password":
        answer = mod.post(
            "/moderation/me/password",
            {
                "current": PASSWORD,
                "password": "ett helt nytt lösenord",
                "confirm": "ett helt nytt lösenord",
            },
        )
        assert answer.status_code == 303
        assert mod.get("/moderation/").status_code == 200  # this browser goes on
    else:
        admin.post(f"/moderation/moderators/{moa_id}/reset-password")
    assert other.get("/moderation/").status_code == 302


def test_login_renews_the_session(app, mod):
    before = mod.client.get_cookie("session").value
    mod.post("/moderation/logout")
    mod.login("moa")
    assert mod.client.get_cookie("session").value != before
