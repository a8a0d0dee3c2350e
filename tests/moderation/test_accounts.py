"""Moderator accounts: the command, logging in and out, the session cookie, admin-only pages,
and failed logins slowed then locked per account and address."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.moderation.conftest import PASSWORD, ModeratorClient


def test_create_moderator_reads_the_password_from_stdin_for_scripts(app, runner):
    result = runner.invoke(
        args=["create-moderator", "redaktionen", "--admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "redaktionen" in result.output and "admin" in result.output
    client = ModeratorClient(app.test_client())
    assert client.login("redaktionen").status_code == 303


def test_create_moderator_prompts_twice_and_stores_a_scrypt_hash(app, runner):
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    result = runner.invoke(args=["create-moderator", "moa"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.query(Moderator).one()
        assert stored.password_hash.startswith("scrypt:")
        assert PASSWORD not in stored.password_hash
        assert stored.role == "moderator"


def test_create_moderator_keeps_the_shown_name_on_one_line(app, runner):
    # The name goes on every staff reply and into mail headers: the command line follows the
    # same one-line rule as the admin page's form, and a plain name (the near miss) is kept.
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    for username, typed in [("moa", "Moa\u2028Lind\r\nRed\x01aktionen"), ("eva", "Eva Lind")]:
        result = runner.invoke(
            args=["create-moderator", username, "--name", typed, "--password-stdin"],
            input=PASSWORD + "\n",
        )
        assert result.exit_code == 0, result.output
    with app.app_context():
        names = dict(db.session.query(Moderator.username, Moderator.display_name).all())
    assert names == {"moa": "Moa Lind Redaktionen", "eva": "Eva Lind"}


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create-moderator", "moa", "--password-stdin"], "kort\n", "minst 10"),
        (["create-moderator", "moa", "--password-stdin"], PASSWORD + "\n", "finns redan"),
    ],
)
def test_create_moderator_refuses_with_a_reason(runner, make_moderator, args, stdin, message):
    if message == "finns redan":
        make_moderator("MOA")
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output


def test_login_sets_an_httponly_lax_session_and_opens_the_queue(app, make_moderator):
    make_moderator("moa")
    client = ModeratorClient(app.test_client())
    response = client.login("moa")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/moderation/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/moderation/").status_code == 200


def test_the_session_cookie_is_secure_over_https(app, make_moderator):
    make_moderator("moa")
    client = ModeratorClient(app.test_client())
    client.client.get("/moderation/login", base_url="https://localhost")
    token = client.token("/moderation/login")
    response = client.client.post(
        "/moderation/login",
        data={"username": "moa", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/moderation/login"},
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_logout_ends_the_session(mod):
    assert mod.post("/moderation/logout").status_code == 303
    response = mod.get("/moderation/")
    assert response.status_code == 302 and "/moderation/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("moa", "fel lösenord helt och hållet"), ("finns-inte", PASSWORD), ("moa", "")],
)
def test_wrong_credentials_are_refused_with_one_message(app, make_moderator, username, password):
    make_moderator("moa")
    client = ModeratorClient(app.test_client())
    response = client.login(username, password)
    assert response.status_code in (401, 422)
    page = response.get_data(as_text=True)
    assert "Fel användarnamn eller lösenord" in page or "Ange ditt lösenord" in page
    assert client.get("/moderation/").status_code == 302


def test_a_disabled_moderator_cannot_log_in_and_is_logged_out(app, admin, make_moderator):
    make_moderator("moa")
    other = ModeratorClient(app.test_client())
    assert other.login("moa").status_code == 303
    page = admin.get("/moderation/moderators").get_data(as_text=True)
    assert "moa" in page
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    with app.app_context():
        moa_id = db.session.query(Moderator).filter_by(username="moa").one().id
    assert admin.post(f"/moderation/moderators/{moa_id}/disable").status_code == 303
    assert other.get("/moderation/").status_code == 302  # the open session stops at once
    response = ModeratorClient(app.test_client()).login("moa")
    assert response.status_code == 401
    assert "Kontot är avstängt" in response.get_data(as_text=True)
    assert admin.post(f"/moderation/moderators/{moa_id}/enable").status_code == 303
    assert ModeratorClient(app.test_client()).login("moa").status_code == 303


def test_an_admin_adds_a_moderator_in_the_ui(app, admin):
    response = admin.post(
        "/moderation/moderators",
        {
            "username": "erik@example.se",
            "display_name": "Erik på redaktionen",
            "email": "erik@example.se",
            "password": PASSWORD,
            "role": "moderator",
            "notify": "y",
        },
    )
    assert response.status_code == 303
    assert ModeratorClient(app.test_client()).login("erik@example.se").status_code == 303


def test_an_admin_cannot_disable_their_own_account(app, admin):
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator

    with app.app_context():
        ada = db.session.query(Moderator).filter_by(username="ada").one().id
    page = admin.post(f"/moderation/moderators/{ada}/disable", follow_redirects=True)
    assert "Du kan inte stänga av ditt eget konto" in page.get_data(as_text=True)
    assert admin.get("/moderation/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/moderation/moderators"),
        ("get", "/moderation/settings"),
        ("post", "/moderation/moderators"),
        ("post", "/moderation/settings"),
        ("get", "/moderation/comments/1/confirm-delete"),
        ("post", "/moderation/comments/1/delete"),
    ],
)
def test_a_moderator_may_not_use_admin_only_pages(mod, held, method, path):
    held()
    response = mod.get(path) if method == "get" else mod.post(path, {"confirm": "yes"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    ["/moderation/", "/moderation/comments/1", "/moderation/moderators", "/moderation/settings"],
)
def test_a_readers_session_is_sent_to_login_and_never_sees_the_data(reader, held, path):
    held(email="hemlig@example.se")
    reader.post("nyhet-1", comment="Jag är bara en läsare")  # the reader has a session
    response = reader.client.get(path)
    assert response.status_code == 302
    assert "/moderation/login" in response.headers["Location"]
    assert "hemlig@example.se" not in response.get_data(as_text=True)


def test_a_readers_post_to_an_action_is_refused(reader, held, status_of):
    comment = held()
    token = reader.csrf_token("nyhet-1")  # a valid token of the reader's own session
    response = reader.client.post(
        f"/moderation/comments/{comment}/approve", data={"csrf_token": token}
    )
    assert response.status_code == 403
    assert status_of(comment) == "pending"


STALE_PAGE = "Sidan hade varit öppen för länge. Ingenting ändrades; försök igen."


def stale_or_missing(mod, token: str) -> dict:
    """The form's token as a moderator's old tab has it: none, or one of an ended session."""
    if token == "missing":
        return {}
    old_page_token = mod.token("/moderation/")
    mod.post("/moderation/logout")
    mod.login("moa")  # a new session: the old tab's token no longer matches
    return {"csrf_token": old_page_token}


@pytest.mark.parametrize("token", ["missing", "stale"])
def test_a_moderation_action_with_a_stale_token_changes_nothing_and_says_so(
    mod, held, status_of, token
):
    comment = held()
    data = stale_or_missing(mod, token)
    response = mod.client.post(f"/moderation/comments/{comment}/approve", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert STALE_PAGE in page
    assert "Formuläret hade gått ut" not in page
    assert status_of(comment) == "pending"


@pytest.mark.parametrize("token", ["missing", "stale"])
def test_a_moderators_edit_with_a_stale_token_keeps_the_stored_text(app, mod, held, token):
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    comment = held("Texten som den skrevs")
    data = {**stale_or_missing(mod, token), "text": "Ändrad i en gammal flik"}
    response = mod.client.post(f"/moderation/comments/{comment}/edit", data=data)
    assert response.status_code == 400
    assert STALE_PAGE in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Comment, comment).text == "Texten som den skrevs"


def test_a_readers_form_without_a_token_keeps_the_readers_message(reader, article):
    # Beside the moderators' pages: a public form refused by the same gate says the reader's
    # sentence, not the desk's.
    response = reader.client.post("/comments/1/delete")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Formuläret hade gått ut" in page
    assert STALE_PAGE not in page


@pytest.mark.parametrize(
    "path",
    [
        "/moderation/comments/1/approve",
        "/moderation/comments/1/trash",
        "/moderation/comments/1/spam",
        "/moderation/comments/1/restore",
        "/moderation/comments/1/undo",
        "/moderation/comments/1/delete",
        "/moderation/comments/1/edit",
        "/moderation/comments/1/reply",
        "/moderation/bulk",
        "/moderation/logout",
    ],
)
def test_a_get_to_an_action_url_is_405(mod, held, status_of, path):
    held()
    response = mod.get(path)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert status_of(1) == "pending"


def test_100_failed_logins_are_slowed_then_locked(app, make_moderator):
    make_moderator("moa")
    client = ModeratorClient(app.test_client())
    statuses = [client.login("moa", f"gissning nummer {i}").status_code for i in range(100)]
    assert statuses[:3] == [401, 401, 401]
    assert 429 in statuses  # slowed down: the next try must wait
    last = client.login("moa", PASSWORD)  # even the right password waits during the lock
    assert last.status_code == 429
    assert "För många misslyckade försök" in last.get_data(as_text=True)


def test_after_the_lock_period_the_right_password_works(app, make_moderator):
    from commentsvc.models.base import utcnow
    from commentsvc.moderation import logins

    make_moderator("moa")
    start = utcnow()
    with app.app_context():
        for i in range(100):
            try:
                logins.authenticate(
                    "moa", f"fel {i}", address="198.51.100.0", now=start + timedelta(seconds=i)
                )
            except logins.LoginThrottled:
                continue
            except logins.LoginFailed:
                continue
        with pytest.raises(logins.LoginThrottled):
            logins.authenticate("moa", PASSWORD, address="198.51.100.0", now=start)
        later = start + timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"] + 3)
        moderator = logins.authenticate("moa", PASSWORD, address="198.51.100.0", now=later)
        assert moderator.username == "moa"


def test_an_attacker_does_not_lock_the_moderator_out_from_another_address(app, make_moderator):
    from commentsvc.models.base import utcnow
    from commentsvc.moderation import logins

    make_moderator("moa")
    now = utcnow()
    with app.app_context():
        for i in range(30):
            with pytest.raises((logins.LoginFailed, logins.LoginThrottled)):
                logins.authenticate("moa", f"fel {i}", address="203.0.113.0", now=now)
        with pytest.raises(logins.LoginThrottled):
            logins.authenticate("moa", PASSWORD, address="203.0.113.0", now=now)
        assert logins.authenticate("moa", PASSWORD, address="192.0.2.0", now=now)


def test_one_address_guessing_many_accounts_is_locked_too(app, make_moderator):
    from commentsvc.models.base import utcnow
    from commentsvc.moderation import logins

    make_moderator("moa")
    now = utcnow()
    with app.app_context():
        for i in range(app.config["LOGIN_ADDRESS_FAILURES"] * 2):
            with pytest.raises((logins.LoginFailed, logins.LoginThrottled)):
                logins.authenticate(f"konto{i}", "fel", address="203.0.113.0", now=now)
        with pytest.raises(logins.LoginThrottled):
            logins.authenticate("moa", PASSWORD, address="203.0.113.0", now=now)


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(app, make_moderator):
    make_moderator("moa")
    client = ModeratorClient(app.test_client())
    first = client.get("/moderation/?status=spam")
    assert "next=" in first.headers["Location"]
    token = client.token("/moderation/login")
    for target, expected in (
        ("/moderation/?status=spam", "/moderation/?status=spam"),
        ("https://evil.example/", "/moderation/"),
        ("//evil.example/", "/moderation/"),
    ):
        client.client.post("/moderation/logout", data={"csrf_token": token})
        token = client.token("/moderation/login")
        response = client.client.post(
            "/moderation/login",
            query_string={"next": target},
            data={"username": "moa", "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected
        token = client.token("/moderation/")
