"""One policy: the admins' settings (Inställningar) overlay the configuration file, and
posting and an author's edit follow them alike on the plain page, in the iframe and through
the API. An edit passes the whole policy exactly as a new comment does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from commentsvc import settings
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article, Comment
from tests.conftest import ALLOWED_ORIGIN, CSRF_INPUT, Reader
from tests.test_api import new_comment
from tests.test_embed import SERVICE, own_tokens, post_from_frame

HOST = {"Origin": ALLOWED_ORIGIN}


@pytest.fixture
def config_overrides() -> dict:
    # The file says: publish at once, any number of links, no word lists.
    return {"MODERATION": "none", "MAX_LINKS": 50, "MODERATION_KEYS": [], "DISALLOWED_KEYS": []}


def admin_sets(app, key, value) -> None:
    with app.app_context():
        settings.save_settings({key: value}, by="ada", now=utcnow())
        db.session.commit()


def status_of_text(app, text: str) -> str | None:
    with app.app_context():
        found = db.session.execute(select(Comment).where(Comment.text == text)).scalar_one_or_none()
        return found.status.value if found else None


# --- how each path posts and edits -----------------------------------------------------------


def post_form(app, article, text, email):
    return Reader(app.test_client()).post(article, comment=text, email=email)


def post_api(app, article, text, email):
    return app.test_client().post(
        "/api/v1/comments", json=new_comment(article, comment=text, email=email), headers=HOST
    )


def post_iframe(app, article, text, email):
    return post_from_frame(app.test_client(use_cookies=False), article, comment=text, email=email)


def editor_form(app, article, email):
    """Posts an innocent comment on the plain page; returns a function that edits it there."""
    reader = Reader(app.test_client())
    answer = reader.post(article, comment=f"Oskyldig text av {email}", email=email)
    comment_id = int(answer.headers["Location"].rsplit("-", 1)[1])

    def edit(text):
        token = CSRF_INPUT.search(reader.open(article).get_data(as_text=True)).group(1)
        return reader.client.post(
            f"/comments/{comment_id}/edit", data={"comment": text, "csrf_token": token}
        )

    return edit


def editor_api(app, article, email):
    client = app.test_client()
    body = client.post(
        "/api/v1/comments",
        json=new_comment(article, comment=f"Oskyldig text av {email}", email=email),
        headers=HOST,
    ).get_json()

    def edit(text):
        return client.patch(
            f"/api/v1/comments/{body['comment']['id']}",
            json={"comment": text},
            headers={**HOST, "X-Edit-Token": body["edit_token"]},
        )

    return edit


def editor_iframe(app, article, email):
    client = app.test_client(use_cookies=False)
    location = post_from_frame(
        client, article, comment=f"Oskyldig text av {email}", email=email
    ).headers["Location"]
    token, comment_id = own_tokens(location)[0], int(location.rsplit("-", 1)[1])

    def edit(text):
        return client.post(
            f"/embed/comments/{comment_id}/edit?own={token}",
            data={"comment": text},
            headers={"Origin": SERVICE},
        )

    return edit


POSTERS = {"form": post_form, "api": post_api, "iframe": post_iframe}
EDITORS = {"form": editor_form, "api": editor_api, "iframe": editor_iframe}

# key, the admins' value, a text that the value catches (and a near miss it lets through),
# and what becomes of a comment with that text.
RULES = [
    ("MODERATION", "all", "Helt vanlig text", None, "pending"),
    ("MAX_LINKS", 0, "Läs https://a.example.se/x", "Läs a punkt example", "pending"),
    ("MODERATION_KEYS", ["bygglov"], "Frågan om bygglov", "Frågan om byggnad", "pending"),
    ("DISALLOWED_KEYS", ["kasino"], "Spela kasino nu", "Spela kasi no nu", "spam"),
]


@pytest.mark.parametrize("path", POSTERS)
@pytest.mark.parametrize(("key", "value", "caught", "near_miss", "outcome"), RULES)
def test_a_new_comment_follows_the_admins_setting(
    app, article, path, key, value, caught, near_miss, outcome
):
    admin_sets(app, key, value)
    POSTERS[path](app, article, f"{caught} ({path})", f"ny-{path}@example.se")
    assert status_of_text(app, f"{caught} ({path})") == outcome
    if near_miss:
        POSTERS[path](app, article, f"{near_miss} ({path})", f"ny2-{path}@example.se")
        assert status_of_text(app, f"{near_miss} ({path})") == "approved"


@pytest.mark.parametrize("path", EDITORS)
@pytest.mark.parametrize(("key", "value", "caught", "near_miss", "outcome"), RULES)
def test_an_authors_edit_follows_the_admins_setting_exactly_as_a_new_comment(
    app, article, path, key, value, caught, near_miss, outcome
):
    edit = EDITORS[path](app, article, f"author-{path}@example.se")
    assert status_of_text(app, f"Oskyldig text av author-{path}@example.se") == "approved"
    admin_sets(app, key, value)
    if near_miss:
        assert edit(f"{near_miss} ({path})").status_code in (200, 303)
        assert status_of_text(app, f"{near_miss} ({path})") == "approved"
    answer = edit(f"{caught} ({path})")
    assert answer.status_code in (200, 303)
    assert status_of_text(app, f"{caught} ({path})") == outcome
    # Not shown to other readers any more.
    assert f"{caught} ({path})" not in app.test_client().get(
        "/thread", query_string={"article": article}
    ).get_data(as_text=True)


@pytest.mark.parametrize("path", POSTERS)
def test_threads_close_by_the_admins_close_after_days(app, article, path):
    with app.app_context():
        db.session.execute(update(Article).values(created_at=utcnow() - timedelta(days=3)))
        db.session.commit()
    POSTERS[path](app, article, f"Före stängning ({path})", f"a-{path}@example.se")
    assert status_of_text(app, f"Före stängning ({path})") == "approved"
    reader = Reader(app.test_client())
    token = reader.csrf_token(article)  # the page was open before the thread closed
    admin_sets(app, "CLOSE_AFTER_DAYS", 2)
    if path == "form":
        answer = reader.post(
            article, comment="Efter stängning (form)", email="b@example.se", csrf_token=token
        )
    else:
        answer = POSTERS[path](app, article, f"Efter stängning ({path})", f"b-{path}@example.se")
    assert answer.status_code >= 400
    assert status_of_text(app, f"Efter stängning ({path})") is None


def test_the_time_trap_follows_the_admins_min_submit_seconds(app, article):
    admin_sets(app, "MIN_SUBMIT_SECONDS", 3600)
    post_form(app, article, "Skickad på en sekund", "snabb@example.se")
    assert status_of_text(app, "Skickad på en sekund") == "spam"


def test_no_rule_reads_an_admin_settable_key_from_the_file_configuration():
    """Every policy key is read through settings.effective_config (one accessor per rule)."""
    import pathlib
    import re

    package = pathlib.Path(settings.__file__).parent
    keys = "|".join(settings.EDITABLE)
    # current_app.config["MAX_LINKS"], app.config.get("MAX_LINKS", 2), {{ config.MAX_LINKS }}
    in_code = re.compile(rf"app\.config(?:\[|\.get\()\s*[\"']({keys})[\"']")
    in_templates = re.compile(rf"\bconfig(?:\.|\[[\"'])({keys})\b")
    sources = [(path, in_code) for path in package.rglob("*.py")]
    sources += [(path, in_templates) for path in (package.parent / "templates").rglob("*")]
    offenders = [
        f"{path.name}: {match.group(0)}"
        for path, pattern in sources
        if path.is_file() and path.suffix in (".py", ".html", ".txt", ".js")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_an_edit_that_sends_a_comment_back_to_the_queue_tells_the_moderators(app, article):
    from commentsvc.models.mail import OutboxMail
    from commentsvc.moderation import accounts

    with app.app_context():
        accounts.create_moderator("mia", "ett långt lösenord", email="mia@example.se", notify=True)
        db.session.commit()
    edit = editor_api(app, article, "author@example.se")
    admin_sets(app, "MODERATION_KEYS", ["bygglov"])
    assert edit("Nu om bygglov").status_code == 200
    with app.app_context():
        mail = db.session.execute(select(OutboxMail)).scalar_one()
        assert mail.recipient == "mia@example.se" and "Nu om bygglov" in mail.body
