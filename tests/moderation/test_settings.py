"""Policy settings changed by an admin in the UI: stored in the database, in effect at once
for every instance of the service."""

from __future__ import annotations

import pytest

SETTINGS = {
    "MODERATION": "none",
    "MAX_LINKS": "2",
    "MODERATION_KEYS": "",
    "DISALLOWED_KEYS": "",
    "MIN_SUBMIT_SECONDS": "0",
    "CLOSE_AFTER_DAYS": "0",
    "BAN_ACTION": "refuse",
}


def test_the_settings_page_shows_the_current_values(admin):
    page = admin.get("/moderation/settings").get_data(as_text=True)
    assert '<option selected value="first-time">' in page
    assert 'name="MAX_LINKS" required type="number" value="2"' in page


def test_a_saved_setting_applies_at_once_on_another_instance(
    app, admin, database_url, tmp_path, make_reader, article
):
    from commentsvc import create_app
    from tests.conftest import base_config

    other_instance = create_app(base_config(database_url, tmp_path))
    other_reader = make_reader()
    other_reader.client = other_instance.test_client()
    response = admin.post(
        "/moderation/settings", {**SETTINGS, "DISALLOWED_KEYS": "kasino\nbettingtips"}
    )
    assert response.status_code == 303
    assert other_reader.post(article, comment="Bästa KASINO online").status_code == 303
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    with other_instance.app_context():
        stored = db.session.query(Comment).one()
        assert (stored.status.value, stored.held_for) == ("spam", "disallowed-key:kasino")
        db.engine.dispose()


def test_moderation_none_publishes_at_once(admin, reader, article):
    admin.post("/moderation/settings", SETTINGS)
    page = reader.post(article, follow=True).get_data(as_text=True)
    assert "väntar på granskning" not in page
    assert "1 kommentar till" in page


def test_closing_threads_by_age_applies_at_once(app, admin, reader, article):
    from datetime import timedelta

    from commentsvc.extensions import db
    from commentsvc.models.base import utcnow
    from commentsvc.models.threads import Article

    with app.app_context():
        found = db.session.query(Article).one()
        found.created_at = utcnow() - timedelta(days=40)
        db.session.commit()
    admin.post("/moderation/settings", {**SETTINGS, "CLOSE_AFTER_DAYS": "30"})
    assert "Kommentarer är stängda" in reader.open(article).get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [("MAX_LINKS", "-1"), ("MAX_LINKS", "många"), ("MIN_SUBMIT_SECONDS", ""), ("MODERATION", "x")],
)
def test_bad_values_are_refused_and_nothing_changes(app, admin, field, value):
    response = admin.post("/moderation/settings", {**SETTINGS, field: value})
    assert response.status_code == 422
    from commentsvc.extensions import db
    from commentsvc.models.sites import Site

    with app.app_context():
        assert db.session.get(Site, "default").settings == {}


def test_the_effective_config_reads_the_database_once_per_request(app, admin, count_queries):
    from commentsvc.settings import effective_config

    admin.post("/moderation/settings", {**SETTINGS, "MAX_LINKS": "7"})
    with app.test_request_context(), count_queries() as counter:
        assert effective_config()["MAX_LINKS"] == 7
        assert effective_config()["MODERATION"] == "none"
        assert effective_config()["MAX_DEPTH"] == app.config["MAX_DEPTH"]  # not editable
    assert counter.count == 1
