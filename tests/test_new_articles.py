"""Threads opened on first use: only from a host site, only for an address on that site, at
most RATELIMIT_NEW_ARTICLES per reader's address and MAX_NEW_ARTICLES_PER_DAY for the site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article
from tests.conftest import ALLOWED_ORIGIN

FROM_HOST_SITE = {"Origin": ALLOWED_ORIGIN}


def article_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Article.id))).scalar_one()


def open_thread(
    client, key, path="/api/v1/comments", headers=FROM_HOST_SITE, address="127.0.0.1", **params
):
    return client.get(
        path,
        query_string={"article": key, "url": f"{ALLOWED_ORIGIN}/{key}", **params},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/page",
        "https://www.example.se.evil.example/x",  # a near miss of the allowed origin
        "http://www.example.se/x",  # another scheme is another origin
        "https://www.example.se:8443/x",
    ],
)
def test_a_new_threads_address_must_lie_on_an_allowed_origin(app, client, url):
    r = client.get(
        "/api/v1/comments", query_string={"article": "k1", "url": url}, headers=FROM_HOST_SITE
    )
    assert r.status_code == 422
    assert r.get_json()["errors"]["url"] == [
        "Artikelns adress måste ligga på webbplatsen som visar kommentarerna."
    ]
    assert article_count(app) == 0
    # Beside it, the same request with an address on the host site opens the thread.
    r = open_thread(client, "k1")
    assert r.status_code == 200
    assert r.get_json()["article"]["url"] == f"{ALLOWED_ORIGIN}/k1"


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://localhost"}, {"Referer": "http://localhost/thread?article=x"}],
    ids=["origin", "referer"],
)
@pytest.mark.parametrize("path", ["/thread", "/embed", "/api/v1/comments"])
def test_a_request_claiming_the_service_itself_opens_no_thread(app, client, path, headers):
    r = open_thread(client, "k2", path=path, headers=headers)
    assert r.status_code == 404
    assert article_count(app) == 0


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_NEW_ARTICLES": "3 per hour;50 per day"}


def test_new_threads_are_limited_per_address_with_a_clear_429(app, client):
    for n in range(3):
        assert open_thread(client, f"k{n}").status_code == 200
    r = open_thread(client, "k3")
    assert r.status_code == 429
    assert r.get_json()["message"] == (
        "För många nya diskussioner från din adress. Vänta en stund och försök igen."
    )
    page = open_thread(client, "k3", path="/thread")
    assert page.status_code == 429
    assert "För många nya diskussioner" in page.get_data(as_text=True)
    assert article_count(app) == 3
    # Reading threads that exist is not counted, and another address may still open one.
    assert open_thread(client, "k0").status_code == 200
    assert open_thread(client, "k9", address="198.51.100.9").status_code == 200
    assert article_count(app) == 4


def test_the_site_opens_at_most_max_new_articles_per_day(app, client, runner):
    app.config.update(MAX_NEW_ARTICLES_PER_DAY=2, RATELIMIT_NEW_ARTICLES="100 per hour")
    # Threads of the site owner's command and of imports do not count.
    runner.invoke(args=["create-article", "agarens", "--title", "T"])
    assert open_thread(client, "a").status_code == 200
    assert open_thread(client, "b").status_code == 200
    r = open_thread(client, "c", address="198.51.100.10")
    assert r.status_code == 429
    assert "gräns för nya diskussioner per dygn" in r.get_json()["message"]
    assert article_count(app) == 3
    # A day later there is room again.
    with app.app_context():
        db.session.execute(update(Article).values(created_at=utcnow() - timedelta(days=1, hours=1)))
        db.session.commit()
    assert open_thread(client, "c").status_code == 200


def test_a_new_threads_title_is_capped_and_without_control_characters(app, client):
    r = open_thread(client, "k5", title="Rubrik\x07 " + "å" * 1000)
    assert r.status_code == 200
    title = r.get_json()["article"]["title"]
    assert title.startswith("Rubrik å") and len(title) == 300


def test_the_per_address_limit_is_shared_by_instances_through_redis(database_url, tmp_path):
    """Two instances on one Redis (RATELIMIT_STORAGE_URI): the budget is one, not two."""
    import os
    import uuid

    from commentsvc import create_app
    from tests.conftest import base_config

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test the shared limit")
    config = {
        **base_config(database_url, tmp_path),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_NEW_ARTICLES": "2 per hour",
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    answers = []
    for n in range(3):
        instance = create_app(config)  # a new app each time: nothing shared but Redis
        answers.append(open_thread(instance.test_client(), f"r{n}").status_code)
        with instance.app_context():
            db.engine.dispose()
    assert answers == [200, 200, 429]
