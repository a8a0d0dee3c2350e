"""Threads attach to any article by a key; strangers cannot create them; closed threads."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from commentsvc import threads
from commentsvc.extensions import db
from commentsvc.models.threads import Article

from .conftest import ALLOWED_ORIGIN


def article_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Article.id))).scalar_one()


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": ALLOWED_ORIGIN},
        {"Referer": f"{ALLOWED_ORIGIN}/nyheter/soi-mitt"},
    ],
)
def test_a_new_key_is_created_on_first_use_from_an_allowed_origin(client, app, headers):
    response = client.get(
        "/thread",
        query_string={
            "article": "post-4711",
            "title": "Ny upphandling",
            "url": f"{ALLOWED_ORIGIN}/4711",
        },
        headers=headers,
    )
    assert response.status_code == 200
    assert "Inga kommentarer ännu till ”Ny upphandling”" in response.get_data(as_text=True)
    with app.app_context():
        article = threads.find_article("post-4711")
        assert (article.title, article.url) == ("Ny upphandling", f"{ALLOWED_ORIGIN}/4711")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/x"},
        {"Origin": "null"},
        {"Origin": ALLOWED_ORIGIN + ".evil.example"},
        # The service itself: no page of ours opens a thread, and a program claims it easily.
        {"Origin": "http://localhost"},
        {"Referer": "http://localhost/nagon-sida"},
    ],
)
def test_strangers_get_a_clear_404_and_no_thread(client, app, headers):
    response = client.get("/thread", query_string={"article": "spam-1"}, headers=headers)
    assert response.status_code == 404
    assert "Det finns ingen diskussion för den här artikeln." in response.get_data(as_text=True)
    assert article_count(app) == 0


@pytest.mark.parametrize("key", ["x" * 201, "två ord", "tab\tkey", "ctl\x01", ""])
def test_keys_that_break_the_rules_are_404(client, app, key):
    response = client.get(
        "/thread", query_string={"article": key}, headers={"Origin": ALLOWED_ORIGIN}
    )
    assert response.status_code == 404
    assert article_count(app) == 0


def test_create_article_command_registers_a_thread_ahead(runner, app, client):
    result = runner.invoke(
        args=[
            "create-article",
            "nyhet/2026/soi-mitt",
            "--title",
            "SOI Mitt",
            "--url",
            "https://www.example.se/nyhet",
        ]
    )
    assert result.exit_code == 0, result.output
    page = client.get("/thread?article=nyhet/2026/soi-mitt").get_data(as_text=True)
    assert "Inga kommentarer ännu till ”SOI Mitt”" in page


def test_create_article_refuses_a_key_with_spaces(runner, app):
    result = runner.invoke(args=["create-article", "två ord", "--title", "T"])
    assert result.exit_code != 0
    assert "no spaces" in result.output
    assert article_count(app) == 0


def test_a_closed_article_shows_comments_but_no_form(runner, reader, app, article, add_comment):
    add_comment(article, "Skrivet innan stängning")
    runner.invoke(args=["create-article", article, "--title", "SOI Mitt", "--closed"])
    page = reader.open(article).get_data(as_text=True)
    assert "Skrivet innan stängning" in page
    assert "Kommentarer är stängda." in page
    assert 'id="commentform"' not in page
    assert ">Svara</a>" not in page


def test_posting_to_a_closed_article_is_refused_and_the_text_kept(runner, reader, app, article):
    token = reader.csrf_token(article)
    runner.invoke(args=["create-article", article, "--title", "SOI Mitt", "--closed"])
    response = reader.post(article, csrf_token=token, comment="Sent svar")
    assert response.status_code == 403
    assert "Kommentarer är stängda." in response.get_data(as_text=True)


def test_threads_close_after_close_after_days(reader, app, article):
    app.config["CLOSE_AFTER_DAYS"] = 14
    token = reader.csrf_token(article)
    with app.app_context():
        found = threads.find_article(article)
        found.created_at = found.created_at - timedelta(days=15)
        db.session.commit()
    page = reader.open(article).get_data(as_text=True)
    assert "Kommentarer är stängda." in page
    response = reader.post(article, csrf_token=token)
    assert response.status_code == 403
