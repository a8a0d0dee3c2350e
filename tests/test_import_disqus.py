"""Disqus import: threads and replies in their place, broken elements reported, never fatal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.threads import Article, CommentStatus

from .conftest import TESTDATA
from .test_import_wordpress import count, stored_by_source

OWN = Path(__file__).parent / "data" / "disqus-replies.xml"
REMARK42 = TESTDATA / "remark42-disqus.xml"
needs_remark42 = pytest.mark.skipif(not REMARK42.exists(), reason=f"{REMARK42} is not there")


def articles(app) -> dict[str, Article]:
    with app.app_context():
        found = {a.key: a for a in db.session.execute(select(Article)).scalars()}
        for a in found.values():
            db.session.expunge(a)
        return found


def statuses(app) -> dict[str, str]:
    return {k: c.status.value for k, c in stored_by_source(app).items()}


@needs_remark42
def test_remark42_sample_imports_the_well_formed_posts_and_reports_the_broken_one(
    app, runner, client
):
    result = runner.invoke(args=["import-disqus", str(REMARK42)])
    assert result.exit_code == 0, result.output
    assert statuses(app) == {
        "299619020": "approved",
        "299744309": "approved",
        "299986072": "approved",
        "id:12345678890": "approved",
        "299986073": "spam",
    }
    found = articles(app)
    assert set(found) == {"/2011/03/229_8880.html", "/p/2011/03/05/podcast-229/"}
    assert found["/p/2011/03/05/podcast-229/"].closed
    assert "line 135" in result.output or "rad 135" in result.output
    assert "'`'" in result.output  # the stray character before <?xml is named
    no_email = stored_by_source(app)["299619020"]
    assert no_email.email == "" and no_email.avatar and no_email.ip == "178.178.178.0"
    again = runner.invoke(args=["import-disqus", str(REMARK42)])
    assert again.exit_code == 0 and count(app) == 5
    page = client.get("/thread", query_string={"article": "/p/2011/03/05/podcast-229/"})
    html = page.get_data(as_text=True)
    assert "mikhail" in html and "mihail.noname@gmail.com" not in html
    assert "some ugly spam" not in html


@pytest.mark.skipif(
    not (TESTDATA / "remark42-disqus-deleted-thread.xml").exists(), reason="no remark42 data"
)
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "remark42-disqus-deleted-thread.xml",
            {"299986072": "approved", "id:12345678890": "approved"},
        ),
        (
            "remark42-disqus-deleted-post.xml",
            {
                "299619020": "trash",
                "299744309": "approved",
                "299986072": "approved",
                "id:12345678890": "approved",
                "299986073": "spam",
            },
        ),
    ],
)
def test_remark42_deleted_thread_and_deleted_post(app, runner, name, expected):
    result = runner.invoke(args=["import-disqus", str(TESTDATA / name)])
    assert result.exit_code == 0, result.output
    assert statuses(app) == expected
    if "thread" in name:
        assert len(articles(app)) == 1
        assert result.output.count("Disqus") >= 3  # each post of the deleted thread reported


def test_own_sample_keeps_every_reply_in_its_place(app, runner):
    result = runner.invoke(args=["import-disqus", str(OWN)])
    assert result.exit_code == 0, result.output
    c = stored_by_source(app)
    assert set(c) == {"1", "2", "3", "4", "5", "6", "7", "8", "10"}
    assert (c["2"].parent_id, c["3"].parent_id, c["4"].parent_id) == (
        c["1"].id,
        c["2"].id,
        c["3"].id,
    )
    assert [c[i].depth for i in "1234"] == [1, 2, 3, 4]
    assert {c[i].root_id for i in "234"} == {c["1"].id}
    # Deleted in Disqus, but Fia answered it: an empty anonymous placeholder holds her reply.
    assert (c["5"].status, c["5"].text, c["5"].author, c["5"].email, c["5"].avatar) == (
        CommentStatus.APPROVED,
        "",
        "Anonym",
        "",
        "",
    )
    assert c["6"].parent_id == c["5"].id
    assert c["7"].status == CommentStatus.SPAM
    assert c["8"].parent_id is None and "99" in result.output
    assert c["8"].created_at == datetime(2020, 5, 1, 6, tzinfo=UTC)  # the thread's date
    assert c["2"].author == "Bengt" and c["2"].email == "" and c["4"].ip == "2001:db8:1234::"
    assert c["1"].html == "<p>Äntligen sommar!</p>"
    found = articles(app)
    assert set(found) == {"/nyheter/badet-oppnar/", "/nyheter/val/?utskrift=1"}
    bath = found["/nyheter/badet-oppnar/"]
    assert bath.title == "Badet öppnar & simskolan börjar" and not bath.closed
    assert found["/nyheter/val/?utskrift=1"].closed
    assert "9" in result.output  # the post of the deleted thread is reported


def test_key_by_disqus_identifier_falls_back_to_the_path(app, runner):
    result = runner.invoke(args=["import-disqus", "--key", "identifier", str(OWN)])
    assert result.exit_code == 0
    assert set(articles(app)) == {"nyhet-42", "/nyheter/val/?utskrift=1"}


def test_a_truncated_export_imports_whole_posts_and_a_rerun_completes_it(app, runner, tmp_path):
    text = OWN.read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("Men jag svarade ändå")], encoding="utf-8")
    result = runner.invoke(args=["import-disqus", str(cut)])
    assert result.exit_code == 0, result.output
    assert set(stored_by_source(app)) == {"1", "2", "3", "4", "5"}
    assert "trunk" in result.output or "truncated" in result.output
    assert runner.invoke(args=["import-disqus", str(OWN)]).exit_code == 0
    assert count(app) == 9


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("thread,post\n1,2\n", "Disqus"),
        ("", "Disqus"),
        ('<?xml version="1.0"?><rss><channel/></rss>', "<rss>"),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><disqus>&b;</disqus>',
            "DTD",
        ),
        (
            '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<thread dsq:id="1"><link>https://a.example/x</link></thread>'
            '<post dsq:id="1"><message>&e;</message><thread dsq:id="1"/></post></disqus>',
            "DTD",
        ),
    ],
    ids=["csv", "empty", "other-xml", "billion-laughs", "external-entity"],
)
def test_files_that_are_not_safe_disqus_exports_are_refused(
    app, runner, tmp_path, content, message
):
    path = tmp_path / "x.xml"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["import-disqus", str(path)])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert count(app) == 0 and count(app, Article) == 0


def test_a_deleted_but_answered_post_shows_as_removed_with_its_reply(app, runner, client):
    runner.invoke(args=["import-disqus", str(OWN)])
    page = client.get("/thread", query_string={"article": "/nyheter/badet-oppnar/"})
    html = page.get_data(as_text=True)
    assert "Kommentaren har tagits bort" in html and "Men jag svarade ändå." in html
    assert "Det här tog jag bort själv." not in html and "Erik" not in html


def test_a_post_with_an_undefined_entity_is_reported_and_the_rest_imported(app, runner, tmp_path):
    text = OWN.read_text(encoding="utf-8").replace(
        "<![CDATA[<p>Billiga solglasögon!</p>]]>", "Billiga&nbsp;solglasögon!"
    )
    path = tmp_path / "entity.xml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import-disqus", str(path)])
    assert result.exit_code == 0, result.output
    assert set(stored_by_source(app)) == {"1", "2", "3", "4", "5", "6", "8", "10"}
    assert "post på rad" in result.output and "inte välformad" in result.output


def test_markup_that_never_closes_at_the_end_loses_nothing_before_it(app, runner, tmp_path):
    text = OWN.read_text(encoding="utf-8").replace("</disqus>", "<!-- avbruten")
    path = tmp_path / "open-comment.xml"
    path.write_text(text, encoding="utf-8")
    assert runner.invoke(args=["import-disqus", str(path)]).exit_code == 0
    assert count(app) == 9
