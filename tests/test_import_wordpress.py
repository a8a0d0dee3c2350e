"""WordPress import: every comment in its place, nothing from a broken or hostile file."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # the test's own reading of a trusted fixture
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models.threads import Article, Comment, CommentStatus, ImportMapping
from commentsvc.moving import core, store, wordpress

from .conftest import TESTDATA

THEME = TESTDATA / "themeunittestdata.wordpress.xml"
WP = "{https://wordpress.org/export/1.2/}"
needs_theme = pytest.mark.skipif(not THEME.exists(), reason=f"{THEME} is not there")


def source_comments(path=THEME) -> dict[str, dict]:
    """The theme data's comments as the file has them, with their depth in the source tree."""
    found = {}
    for item in ET.parse(path).getroot().iter("item"):
        for c in item.findall(f"{WP}comment"):
            fields = {child.tag.replace(WP, ""): child.text or "" for child in c}
            fields["post_id"] = item.findtext(f"{WP}post_id")
            found[fields["comment_id"]] = fields
    for fields in found.values():
        depth, parent = 1, fields["comment_parent"]
        while parent not in ("0", ""):
            depth, parent = depth + 1, found[parent]["comment_parent"]
        fields["depth"] = depth
    return found


def stored_by_source(app) -> dict[str, Comment]:
    with app.app_context():
        rows = db.session.execute(
            select(ImportMapping.source_id, Comment)
            .join(Comment, Comment.id == ImportMapping.target_id)
            .where(ImportMapping.kind == "comment")
        ).all()
        result = {source_id: comment for source_id, comment in rows}
        for comment in result.values():
            db.session.expunge(comment)
        return result


def count(app, model=Comment) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def wxr(items: str, *, doctype: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{doctype}
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Kommunen</title><link>https://kommun.example.se</link>
<wp:base_site_url>https://kommun.example.se</wp:base_site_url>
{items}
</channel></rss>"""


def item(
    post_id: int,
    comments: str,
    *,
    slug: str = "",
    status: str = "open",
    post_status: str = "publish",
    password: str = "",
) -> str:
    return f"""<item><title>Nyhet {post_id}</title>
<link>https://kommun.example.se/nyheter/{slug or post_id}/</link>
<wp:post_id>{post_id}</wp:post_id><wp:post_name>{slug or f"nyhet-{post_id}"}</wp:post_name>
<wp:post_type>post</wp:post_type><wp:comment_status>{status}</wp:comment_status>
<wp:status>{post_status}</wp:status><wp:post_password>{password}</wp:post_password>
<wp:post_date_gmt>2024-03-01 08:00:00</wp:post_date_gmt>
{comments}</item>"""


def comment(
    cid: int,
    parent: int = 0,
    *,
    approved: str = "1",
    date: str = "2024-03-02 10:00:00",
    text: str = "Bra skrivet.",
    email: str = "",
    url: str = "",
    ip: str = "",
    kind: str = "",
) -> str:
    return f"""<wp:comment><wp:comment_id>{cid}</wp:comment_id>
<wp:comment_author><![CDATA[Läsare {cid}]]></wp:comment_author>
<wp:comment_author_email>{email or f"lasare{cid}@example.se"}</wp:comment_author_email>
<wp:comment_author_url>{url}</wp:comment_author_url>
<wp:comment_author_IP>{ip}</wp:comment_author_IP>
<wp:comment_date_gmt>{date}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{text}]]></wp:comment_content>
<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "export.xml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


@needs_theme
def test_theme_data_every_comment_is_in_its_place(app, runner):
    result = runner.invoke(args=["import-wordpress", str(THEME)])
    assert result.exit_code == 0, result.output
    source = {k: v for k, v in source_comments().items() if v["comment_type"] in ("", "comment")}
    stored = stored_by_source(app)
    assert len(source) == 29 and set(stored) == set(source)
    by_id = {c.id: source_id for source_id, c in stored.items()}
    for source_id, fields in source.items():
        c = stored[source_id]
        parent = fields["comment_parent"]
        assert (by_id.get(c.parent_id) or "0") == parent, source_id
        assert c.depth == min(fields["depth"], 5), source_id
        assert c.author == fields["comment_author"]
        assert c.email == fields["comment_author_email"]
        assert c.created_at == datetime.fromisoformat(fields["comment_date_gmt"]).replace(
            tzinfo=UTC
        )
        expected = CommentStatus.APPROVED if fields["comment_approved"] == "1" else "pending"
        assert c.status == expected
    assert sum(c.status == CommentStatus.PENDING for c in stored.values()) == 3
    # The depth-10 chain: every reply keeps its real parent, shown at the deepest level.
    chain = [
        stored[i] for i in ("904", "905", "906", "907", "910", "911", "912", "913", "914", "915")
    ]
    assert [c.depth for c in chain] == [1, 2, 3, 4, 5, 5, 5, 5, 5, 5]
    assert all(c.root_id == chain[0].id for c in chain[1:])
    assert "Skipped: 4" in result.output or "Hoppade över: 4" in result.output


@needs_theme
@pytest.mark.parametrize("config_overrides", [{"MAX_DEPTH": 10}])
def test_theme_data_depth_is_the_sources_when_deep_threads_are_allowed(app, runner):
    runner.invoke(args=["import-wordpress", str(THEME)])
    stored = stored_by_source(app)
    for source_id, fields in source_comments().items():
        if source_id in stored:
            assert stored[source_id].depth == fields["depth"], source_id
    assert stored["915"].depth == 10


@needs_theme
def test_theme_data_pings_are_kept_on_request_and_a_second_run_adds_nothing(app, runner):
    first = runner.invoke(args=["import-wordpress", "--keep-pings", str(THEME)])
    assert first.exit_code == 0, first.output
    assert count(app) == 33
    second = runner.invoke(args=["import-wordpress", "--keep-pings", str(THEME)])
    assert second.exit_code == 0
    assert count(app) == 33 and count(app, Article) == 7
    ping = stored_by_source(app)["923"]
    assert ping.author == "Ping 4 « What’s a tellyworth?"
    assert ping.email == ""


@needs_theme
def test_theme_data_articles_closed_titles_dates_and_keys(app, runner):
    runner.invoke(args=["import-wordpress", str(THEME)])
    with app.app_context():
        articles = {a.key: a for a in db.session.execute(select(Article)).scalars()}
    assert set(articles) == {
        "theme-block-category",
        "page-with-comments",
        "blog",
        "template-comments",
        "template-pingbacks-an-trackbacks",
        "template-password-protected",
        "edge-case-no-content",
    }
    closed = {k for k, a in articles.items() if a.closed}
    assert closed == {
        "template-pingbacks-an-trackbacks",
        "template-password-protected",
        "edge-case-no-content",
    }
    comments = articles["template-comments"]
    assert comments.title == "Template: Comments"
    assert comments.url == "https://wpthemetestdata.wordpress.com/2012/01/03/template-comments/"
    assert comments.created_at == datetime(2012, 1, 3, 17, 11, 37, tzinfo=UTC)


@needs_theme
@pytest.mark.parametrize(
    ("key", "expected"),
    [("id", "1148"), ("path", "/2012/01/03/template-comments/")],
)
def test_theme_data_article_key_by_id_or_path(app, runner, key, expected):
    result = runner.invoke(args=["import-wordpress", "--key", key, str(THEME)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        keys = set(db.session.execute(select(Article.key)).scalars())
    assert expected in keys


@needs_theme
def test_theme_data_emails_never_reach_a_public_page(app, runner, client):
    runner.invoke(args=["import-wordpress", str(THEME)])
    emails = {f["comment_author_email"] for f in source_comments().values()} - {""}
    with app.app_context():
        keys = list(db.session.execute(select(Article.key)).scalars())
    for key in keys:
        page = client.get("/thread", query_string={"article": key})
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert not [e for e in emails if e in html], key
    page = client.get("/thread", query_string={"article": "template-comments"}).get_data(
        as_text=True
    )
    assert "Comment Depth 10" in page and "nothing useful to say" not in page  # pending


def test_imported_html_is_cleaned_and_unsafe_websites_dropped(app, runner, write):
    text = "<h1>Rubrik</h1><script>alert(1)</script>Se <a href='https://a.example'>här</a>"
    path = write(wxr(item(1, comment(7, text=text, url="javascript:alert(1)", ip="203.0.113.77"))))
    assert runner.invoke(args=["import-wordpress", path]).exit_code == 0
    c = stored_by_source(app)["7"]
    assert c.text == text
    assert "<h1>" not in c.html and "&lt;h1" not in c.html and "<script" not in c.html
    assert "Rubrik" in c.html and 'rel="nofollow ugc noopener"' in c.html
    assert c.website == "" and c.ip == "203.0.113.0"


def test_spam_and_trash_keep_their_state(app, runner, write):
    comments = comment(1) + comment(2, approved="spam") + comment(3, approved="trash")
    result = runner.invoke(args=["import-wordpress", write(wxr(item(1, comments)))])
    stored = stored_by_source(app)
    assert [stored[i].status for i in "123"] == ["approved", "spam", "trash"]
    assert "spam 1" in result.output or "skräp 1" in result.output


def test_missing_parent_is_attached_at_the_top_and_reported(app, runner, write):
    path = write(wxr(item(1, comment(1) + comment(2, parent=99) + comment(3, parent=2))))
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 0
    stored = stored_by_source(app)
    assert stored["2"].parent_id is None and stored["2"].depth == 1
    assert stored["3"].parent_id == stored["2"].id and stored["3"].depth == 2
    assert "comment 2" in result.output.lower() or "kommentar 2" in result.output
    assert "99" in result.output


def test_duplicate_comment_ids_import_the_first_and_report_the_rest(app, runner, write):
    path = write(wxr(item(1, comment(5, text="Första")) + item(2, comment(5, text="Andra"))))
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 0
    assert count(app) == 1 and stored_by_source(app)["5"].text == "Första"
    assert "twice" in result.output or "två gånger" in result.output


def test_replies_before_their_parents_in_the_file_keep_the_shape(app, runner, write):
    path = write(wxr(item(1, comment(3, parent=2) + comment(2, parent=1) + comment(1))))
    runner.invoke(args=["import-wordpress", path])
    stored = stored_by_source(app)
    assert (stored["3"].parent_id, stored["3"].depth) == (stored["2"].id, 3)
    assert stored["3"].root_id == stored["1"].id


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2013-03-14 15:01:21", datetime(2013, 3, 14, 15, 1, 21, tzinfo=UTC)),
        ("2013-03-14T15:01:21Z", datetime(2013, 3, 14, 15, 1, 21, tzinfo=UTC)),
        ("2013-03-14T17:01:21+02:00", datetime(2013, 3, 14, 15, 1, 21, tzinfo=UTC)),
        ("  2013-03-14   15:01:21 ", datetime(2013, 3, 14, 15, 1, 21, tzinfo=UTC)),
        ("2013/03/14 15:01:21", datetime(2013, 3, 14, 15, 1, 21, tzinfo=UTC)),
        ("Thu, 14 Mar 2013 15:01:21 +0000", datetime(2013, 3, 14, 15, 1, 21, tzinfo=UTC)),
        ("2013-03-14", datetime(2013, 3, 14, tzinfo=UTC)),
        ("0000-00-00 00:00:00", None),
        ("2011-x09-30T22:48:43Z", None),
        ("", None),
    ],
)
def test_dates_in_odd_formats(written, expected):
    assert core.parse_date(written) == expected


def test_a_comment_without_a_readable_date_takes_the_articles_and_is_reported(app, runner, write):
    path = write(wxr(item(1, comment(1, date="0000-00-00 00:00:00") + comment(2, date="igår"))))
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 0
    stored = stored_by_source(app)
    assert stored["1"].created_at == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert stored["2"].created_at == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert result.output.count("comment 1:") + result.output.count("kommentar 1:") == 1


BILLION_LAUGHS = """<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>"""
EXTERNAL = """<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>"""
# Only a DOCTYPE that names an outside DTD, no entity: other XML tools would fetch it.
OUTSIDE_DTD = """<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/rss.dtd">"""


@pytest.mark.parametrize(
    ("doctype", "text"),
    [(BILLION_LAUGHS, "&lol3;"), (EXTERNAL, "&secret;"), (OUTSIDE_DTD, "Hej")],
    ids=["billion-laughs", "external-entity", "doctype-only"],
)
def test_entity_tricks_are_refused_and_nothing_is_imported(app, runner, write, doctype, text):
    path = write(wxr(item(1, comment(1) + comment(2, text=text)), doctype=doctype))
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 1
    assert "DOCTYPE" in result.output and "root:" not in result.output
    assert count(app) == 0 and count(app, Article) == 0


@needs_theme
def test_a_truncated_file_is_refused_and_nothing_is_imported(app, runner, write):
    whole = THEME.read_text(encoding="utf-8")
    path = write(whole[: len(whole) * 2 // 3])
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 1
    assert "XML" in result.output and "Traceback" not in result.output
    assert count(app) == 0 and count(app, Article) == 0


@pytest.mark.parametrize(
    "content",
    ["post_id,comment\n1,hej\n", "", '<?xml version="1.0"?><rss><channel/></rss>'],
    ids=["csv", "empty", "xml-but-not-wordpress"],
)
def test_a_file_that_is_not_a_wordpress_export_is_refused(app, runner, write, content):
    result = runner.invoke(args=["import-wordpress", write(content)])
    assert result.exit_code == 1
    assert "WordPress" in result.output
    assert count(app) == 0


def test_an_interrupted_import_leaves_no_half_article_and_can_be_run_again(
    app, runner, write, monkeypatch
):
    path = write(
        wxr(item(1, comment(1) + comment(2, parent=1)) + item(2, comment(3) + comment(4, parent=3)))
    )
    original = store.ArticleStore._comment

    def power_cut(self, article, source, parent):
        if source.source_id == "4":
            raise KeyboardInterrupt  # as if the operator pressed Ctrl-C half way
        return original(self, article, source, parent)

    monkeypatch.setattr(store.ArticleStore, "_comment", power_cut)
    with app.app_context(), pytest.raises(KeyboardInterrupt):
        wordpress.import_file(path, now=datetime.now(UTC))
    with app.app_context():
        keys = set(db.session.execute(select(Article.key)).scalars())
    assert keys == {"nyhet-1"} and set(stored_by_source(app)) == {"1", "2"}

    monkeypatch.setattr(store.ArticleStore, "_comment", original)
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 0
    assert set(stored_by_source(app)) == {"1", "2", "3", "4"} and count(app, Article) == 2


def test_an_article_the_site_already_opened_receives_the_comments(app, runner, write, article):
    path = write(wxr(item(1, comment(1), slug=article)))
    runner.invoke(args=["import-wordpress", path])
    with app.app_context():
        assert count(app, Article) == 1
        assert (
            stored_by_source(app)["1"].article_id
            == db.session.execute(select(Article.id).where(Article.key == article)).scalar_one()
        )


def test_progress_is_reported_on_stderr(app, runner, write):
    path = write(wxr(item(1, "".join(comment(i) for i in range(1, 502)))))
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 0
    assert "501 kommentarer importerade…" in result.stderr
    assert "importerade…" not in result.stdout


@pytest.mark.parametrize("config_overrides", [{"LANGUAGE": "en"}])
def test_refusal_is_in_english_when_configured(app, runner, write):
    result = runner.invoke(args=["import-wordpress", write("nej")])
    assert "is not well-formed XML" in result.output


def test_refusal_is_in_swedish_by_default(app, runner, write):
    result = runner.invoke(args=["import-wordpress", write("nej")])
    assert "inte välformad XML" in result.output


def test_comments_of_posts_readers_never_saw_stay_out(app, runner, write):
    path = write(
        wxr(
            item(1, comment(1), post_status="private")
            + item(2, comment(2), post_status="draft")
            + item(3, comment(3), password="hemligt")
        )
    )
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 0
    assert set(stored_by_source(app)) == {"3"} and count(app, Article) == 1
    assert "private" in result.output and "draft" in result.output
    assert "lösenordsskydd" in result.output  # the protected post's comments are now public


def test_a_database_error_half_way_is_reported_and_a_rerun_continues(
    app, runner, write, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    path = write(wxr(item(1, comment(1)) + item(2, comment(2))))
    original = store.ArticleStore._comment

    def locked(self, article, source, parent):
        if source.source_id == "2":
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return original(self, article, source, parent)

    monkeypatch.setattr(store.ArticleStore, "_comment", locked)
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "database is locked" in result.output and "igen" in result.output
    assert set(stored_by_source(app)) == {"1"}
    monkeypatch.setattr(store.ArticleStore, "_comment", original)
    assert runner.invoke(args=["import-wordpress", path]).exit_code == 0
    assert set(stored_by_source(app)) == {"1", "2"}


def test_a_reader_with_imported_approved_comments_is_not_held_as_a_newcomer(
    app, runner, write, reader
):
    old = comment(1, email="anna@example.se").replace("Läsare 1", "Anna Lindqvist")
    runner.invoke(args=["import-wordpress", write(wxr(item(1, old, slug="nyhet-1")))])
    response = reader.post("nyhet-1", follow=True)
    assert response.status_code == 200
    assert "väntar på granskning" not in response.get_data(as_text=True)


def test_replies_that_answer_each_other_in_a_loop_are_all_kept(app, runner, write):
    path = write(wxr(item(1, comment(1, parent=3) + comment(2, parent=1) + comment(3, parent=2))))
    result = runner.invoke(args=["import-wordpress", path])
    assert result.exit_code == 0
    stored = stored_by_source(app)
    assert set(stored) == {"1", "2", "3"}
    assert sorted(c.depth for c in stored.values()) == [1, 2, 3]
    assert "slinga" in result.output


def item_without_slug(post_id: str, link: str, comments: str) -> str:
    return f"""<item><title>Sida {post_id or "utan id"}</title><link>{link}</link>
<wp:post_id>{post_id}</wp:post_id><wp:post_name></wp:post_name>
<wp:post_type>page</wp:post_type><wp:comment_status>open</wp:comment_status>
<wp:status>publish</wp:status><wp:post_password></wp:post_password>
<wp:post_date_gmt>2024-03-01 08:00:00</wp:post_date_gmt>
{comments}</item>"""


def test_wordpress_items_without_a_slug_fall_back_to_the_id_then_the_path(app, runner, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(
        wxr(
            item(1, comment(1), slug="med-slug")
            + item_without_slug("4", "https://kommun.example.se/?p=4", comment(2))
            + item_without_slug("", "https://kommun.example.se/?page_id=9", comment(3))
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-wordpress", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from commentsvc.models.threads import Article

        keys = set(db.session.execute(db.select(Article.key)).scalars())
    assert keys == {"med-slug", "4", "/?page_id=9"}
    out = result.output
    assert "inlägg 4: det saknar slug (wp:post_name); dess nyckel är inläggets id 4" in out
    assert "dess nyckel är länkens sökväg /?page_id=9" in out
    assert "med-slug" not in out  # the item with a slug is not listed


def test_an_import_of_one_item_speaks_in_the_singular(app, runner, tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(wxr(item(1, comment(1), slug="en-nyhet")), encoding="utf-8")
    result = runner.invoke(args=["import-wordpress", str(path)])
    assert result.exit_code == 0, result.output
    assert "Artiklar: 1 ny, 0 fanns redan." in result.output
    assert "komplett WordPress-export: 1 post, 1 kommentar. Importerar…" in result.stderr
