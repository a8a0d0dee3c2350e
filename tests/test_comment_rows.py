"""One way to build a comment row: a reader's post, a staff reply and an import place a
comment in its thread alike and keep the same about its author."""

from __future__ import annotations

import pytest

from commentsvc import moderation, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from commentsvc.privacy.addresses import avatar_key

from .test_import_wordpress import comment, item, stored_by_source, wxr


@pytest.mark.parametrize("config_overrides", [{"MAX_DEPTH": 2}])
def test_a_staff_reply_below_the_deepest_level_stays_there_under_its_thread(
    app, article, add_comment
):
    top = add_comment(article, "Överst")
    reply = add_comment(article, "Svar", parent=top, email="b@example.se")
    beside = add_comment(article, "Bredvid", email="c@example.se")
    with app.app_context():
        staff = moderation.reply_as_staff(
            reply,
            "Redaktionen svarar",
            by="ada",
            author="Redaktionen",
            email="red@example.se",
            now=utcnow(),
        )
        db.session.commit()
        staff = db.session.get(Comment, staff.id)
        assert (staff.parent_id, staff.root_id, staff.depth) == (reply, top, 2)
        assert staff.avatar == avatar_key(app.config["SECRET_KEY"], "red@example.se")
        assert staff.address == "red@example.se" and staff.by_staff
        assert db.session.get(Comment, beside).root_id is None


def test_a_comment_is_stored_with_the_network_of_its_ip_only_whoever_passes_it(app, article):
    with app.app_context():
        found = threads.find_article(article)
        draft = threads.Draft(comment="Hej!", author="Anna", email="Anna@Example.se")
        posted = threads.post_comment(found, draft, ip="203.0.113.77", now=utcnow())
        db.session.commit()
        posted = db.session.get(Comment, posted.id)
        assert posted.ip == "203.0.113.0"
        assert posted.address == "anna@example.se"


def test_an_imported_comment_without_a_name_is_anonymous_with_an_avatar_of_its_email(
    app, runner, tmp_path
):
    nameless = comment(1).replace("<![CDATA[Läsare 1]]>", "")
    nobody = comment(2).replace("<![CDATA[Läsare 2]]>", "").replace("lasare2@example.se", "")
    comments = nameless + nobody
    path = tmp_path / "wp.xml"
    path.write_text(wxr(item(1, comments)), encoding="utf-8")
    assert runner.invoke(args=["import-wordpress", str(path)]).exit_code == 0
    stored = stored_by_source(app)
    assert stored["1"].author == stored["2"].author == "Anonym"
    assert stored["1"].avatar == avatar_key(app.config["SECRET_KEY"], "lasare1@example.se")
    assert stored["2"].avatar == ""
