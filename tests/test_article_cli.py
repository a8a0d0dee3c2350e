"""``commentsvc article close|reopen|premoderate|postmoderate KEY [--site ID]`` and
``create-article`` run again on a registered article: one thread's state changes, nothing else
of it, and the audit log says who did what on which site."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.threads import Article, Comment
from tests.test_policy_everywhere import post_api, post_form, post_iframe, status_of_text

URL = "https://www.example.se/nyheter/soi-mitt"
TITLE = "SOI Mitt startar i Svealand"


@pytest.fixture
def config_overrides() -> dict:
    # The site publishes at once: whatever is held, the article's own rule held it.
    return {"MODERATION": "none", "MODERATION_KEYS": [], "DISALLOWED_KEYS": []}


def fields_of(app, key: str, site: str = "default") -> dict:
    with app.app_context():
        found = threads.find_article(key, site=site)
        return {
            "title": found.title,
            "url": found.url,
            "closed": found.closed,
            "premoderated": found.premoderated,
        }


def article_events(app) -> list[tuple[str, str | None, str, dict]]:
    with app.app_context():
        return [
            (str(e.action), e.site_id, e.actor, e.details)
            for e in db.session.execute(
                select(ModerationEvent)
                .where(ModerationEvent.action.like("article-%"))
                .order_by(ModerationEvent.id)
            ).scalars()
        ]


@pytest.mark.parametrize(
    ("command", "field", "value", "action", "said"),
    [
        ("close", "closed", True, "article-closed", "är stängd"),
        ("premoderate", "premoderated", True, "article-premoderated", "förhandsgranskas"),
    ],
)
def test_each_command_changes_its_flag_only_and_is_audited(
    app, runner, article, command, field, value, action, said
):
    before = fields_of(app, article)
    result = runner.invoke(args=["article", command, article])
    assert result.exit_code == 0, result.output
    assert said in result.output and article in result.output
    assert fields_of(app, article) == {**before, field: value}
    assert article_events(app) == [(action, "default", "cli", {"article": article})]


def test_the_way_back_restores_the_flags_and_each_step_is_recorded(app, runner, article):
    before = fields_of(app, article)
    for command in ("close", "premoderate", "reopen", "postmoderate"):
        assert runner.invoke(args=["article", command, article]).exit_code == 0
    assert fields_of(app, article) == before
    assert [a for a, *_ in article_events(app)] == [
        "article-closed",
        "article-premoderated",
        "article-reopened",
        "article-postmoderated",
    ]


def test_a_command_that_changes_nothing_says_so_and_records_nothing(app, runner, article):
    result = runner.invoke(args=["article", "reopen", article])
    assert result.exit_code == 0, result.output
    assert "inget ändrades" in result.output
    assert article_events(app) == []


def test_an_unknown_key_is_a_clear_error_and_changes_nothing(app, runner, article):
    result = runner.invoke(args=["article", "close", "nyhet-2"])
    assert result.exit_code == 1
    assert "nyhet-2" in result.output and "default" in result.output
    assert "Traceback" not in result.output
    assert fields_of(app, article)["closed"] is False
    assert article_events(app) == []


def test_an_unknown_action_is_a_usage_error(app, runner, article):
    result = runner.invoke(args=["article", "delete", article])
    assert result.exit_code == 2
    assert "delete" in result.output


def test_the_site_option_picks_the_thread_of_that_site_only(app, runner, article):
    from commentsvc.models.base import utcnow
    from commentsvc.sites import add_site

    with app.app_context():
        add_site("kultur", name="Kultur i Norr", origins=[], by="test", now=utcnow())
        threads.create_article(article, title="Konsert i parken", site="kultur")
        db.session.commit()
    result = runner.invoke(args=["article", "close", article, "--site", "kultur"])
    assert result.exit_code == 0, result.output
    assert fields_of(app, article, "kultur")["closed"] is True
    assert fields_of(app, article, "default")["closed"] is False  # the same key elsewhere
    assert article_events(app) == [("article-closed", "kultur", "cli", {"article": article})]
    unknown = runner.invoke(args=["article", "close", article, "--site", "kulturr"])
    assert unknown.exit_code == 2 and "kulturr" in unknown.output


def test_a_key_unknown_on_the_site_named_is_refused_though_another_site_has_it(
    app, runner, article
):
    from commentsvc.models.base import utcnow
    from commentsvc.sites import add_site

    with app.app_context():
        add_site("kultur", name="Kultur i Norr", origins=[], by="test", now=utcnow())
        db.session.commit()
    result = runner.invoke(args=["article", "close", article, "--site", "kultur"])
    assert result.exit_code == 1
    assert fields_of(app, article)["closed"] is False


# --- what readers notice, on every path ------------------------------------------------


@pytest.mark.parametrize("post", [post_form, post_api, post_iframe])
def test_a_premoderated_article_holds_every_new_comment_on_every_path(app, runner, article, post):
    runner.invoke(args=["article", "premoderate", article])
    answer = post(app, article, "Hålls av artikelns regel", "anna@example.se")
    assert answer.status_code in (201, 303), answer.get_data(as_text=True)
    assert status_of_text(app, "Hålls av artikelns regel") == "pending"
    with app.app_context():
        held_for = db.session.execute(
            select(Comment.held_for).where(Comment.text == "Hålls av artikelns regel")
        ).scalar_one()
    assert held_for.splitlines() == ["article"]


def test_a_closed_article_refuses_the_form_opened_before_it_closed(app, runner, article, reader):
    token = reader.csrf_token(article)
    runner.invoke(args=["article", "close", article])
    answer = reader.post(article, csrf_token=token, comment="För sent")
    assert answer.status_code == 403
    assert "Kommentarer är stängda." in answer.get_data(as_text=True)
    assert status_of_text(app, "För sent") is None
    assert 'id="commentform"' not in reader.open(article).get_data(as_text=True)


@pytest.mark.parametrize("post", [post_api, post_iframe])
def test_a_closed_article_refuses_new_comments_through_the_api_and_iframe(
    app, runner, article, post
):
    runner.invoke(args=["article", "close", article])
    answer = post(app, article, "För sent", "anna@example.se")
    assert answer.status_code == 403
    assert status_of_text(app, "För sent") is None
    runner.invoke(args=["article", "reopen", article])
    assert post(app, article, "I tid igen", "anna@example.se").status_code in (201, 303)
    assert status_of_text(app, "I tid igen") == "approved"


def test_after_postmoderate_the_sites_policy_decides_again(app, runner, article):
    runner.invoke(args=["article", "premoderate", article])
    runner.invoke(args=["article", "postmoderate", article])
    post_form(app, article, "Publiceras direkt", "anna@example.se")
    assert status_of_text(app, "Publiceras direkt") == "approved"


def test_premoderation_of_one_article_leaves_its_neighbour_alone(app, runner, article):
    runner.invoke(args=["create-article", "nyhet-2", "--title", "Granne"])
    runner.invoke(args=["article", "premoderate", article])
    post_form(app, "nyhet-2", "Grannens kommentar", "anna@example.se")
    assert status_of_text(app, "Grannens kommentar") == "approved"


# --- create-article again: the fields left out stay ------------------------------------


def test_create_article_closed_without_url_keeps_the_stored_url_and_title(app, runner, article):
    result = runner.invoke(args=["create-article", article, "--closed"])
    assert result.exit_code == 0, result.output
    assert fields_of(app, article) == {
        "title": TITLE,
        "url": URL,
        "closed": True,
        "premoderated": False,
    }
    reopened = runner.invoke(args=["create-article", article, "--open"])
    assert reopened.exit_code == 0, reopened.output
    assert fields_of(app, article) == {
        "title": TITLE,
        "url": URL,
        "closed": False,
        "premoderated": False,
    }


def test_create_article_changes_the_fields_given_and_keeps_the_rest(app, runner, article):
    runner.invoke(args=["article", "premoderate", article])
    runner.invoke(args=["article", "close", article])
    result = runner.invoke(args=["create-article", article, "--title", "Ny rubrik"])
    assert result.exit_code == 0, result.output
    assert fields_of(app, article) == {
        "title": "Ny rubrik",
        "url": URL,
        "closed": True,
        "premoderated": True,
    }
    moved = runner.invoke(args=["create-article", article, "--url", URL + "-2"])
    assert moved.exit_code == 0, moved.output
    assert fields_of(app, article)["url"] == URL + "-2"
    assert fields_of(app, article)["title"] == "Ny rubrik"


def test_a_new_article_without_title_or_url_is_registered_open_and_named_by_its_key(app, runner):
    result = runner.invoke(args=["create-article", "nyhet-3"])
    assert result.exit_code == 0, result.output
    assert fields_of(app, "nyhet-3") == {
        "title": "nyhet-3",
        "url": "",
        "closed": False,
        "premoderated": False,
    }
    with app.app_context():
        assert db.session.execute(select(Article.key)).scalars().all().count("nyhet-3") == 1
