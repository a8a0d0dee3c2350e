"""Moving in with several sites: every import takes ``--site``, and the comments join that
site's threads only; the same file imported into two sites is two copies, into one site twice
is one; export-wordpress writes one site's threads."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from commentsvc import sites
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article, Comment, ImportMapping

from .test_import_isso import isso_database
from .test_import_wordpress import THEME, comment, item, needs_theme, wxr

A, B = "https://a.example.se", "https://b.example.se"


@pytest.fixture
def two_sites(app):
    """Sites a and b, each with its origin and its own time zone."""
    with app.app_context():
        sites.add_site("a", name="Avisan", origins=[A], by="test", now=utcnow())
        sites.add_site(
            "b",
            name="Bladet",
            origins=[B],
            settings={"TIMEZONE": "America/New_York"},
            by="test",
            now=utcnow(),
        )
        db.session.commit()
    return "a", "b"


def threads_by_site(app) -> dict[tuple[str, str], list[tuple[str, str | None]]]:
    """Each (site, key): its comments as (text, the text of the comment it answers)."""
    with app.app_context():
        rows = db.session.execute(
            select(Article.site_id, Article.key, Comment.id, Comment.text, Comment.parent_id)
            .join(Comment, Comment.article_id == Article.id)
            .order_by(Comment.id)
        ).all()
    texts = {row.id: row.text for row in rows}
    found: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    for row in rows:
        found.setdefault((row.site_id, row.key), []).append((row.text, texts.get(row.parent_id)))
    return found


def counted(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def export_file(tmp_path):
    """A WordPress export of two posts, one with a reply to a reply."""
    posts = item(
        1,
        comment(11, text="Första")
        + comment(12, 11, text="Svar på första")
        + comment(13, 12, text="Svar på svaret"),
        slug="nyhet-1",
    ) + item(2, comment(21, text="Om nyhet två"), slug="nyhet-2")
    path = tmp_path / "export.xml"
    path.write_text(wxr(posts), encoding="utf-8")
    return str(path)


def test_the_same_export_into_two_sites_is_two_threads_with_the_same_key(
    app, runner, two_sites, export_file
):
    for site in ("a", "b"):
        result = runner.invoke(args=["import-wordpress", "--site", site, export_file])
        assert result.exit_code == 0, result.output
    found = threads_by_site(app)
    one = [
        ("Första", None),
        ("Svar på första", "Första"),
        ("Svar på svaret", "Svar på första"),
    ]
    assert found == {
        ("a", "nyhet-1"): one,
        ("a", "nyhet-2"): [("Om nyhet två", None)],
        ("b", "nyhet-1"): one,
        ("b", "nyhet-2"): [("Om nyhet två", None)],
    }
    # Each reply answers a comment of its own site's thread, never the other's.
    with app.app_context():
        parent = aliased(Comment)
        mixed = db.session.execute(
            select(func.count())
            .select_from(Comment)
            .join(parent, parent.id == Comment.parent_id)
            .where(parent.article_id != Comment.article_id)
        ).scalar_one()
        assert mixed == 0
        on_default = db.session.execute(
            select(func.count()).select_from(Article).where(Article.site_id == "default")
        ).scalar_one()
    assert on_default == 0


def test_importing_again_into_the_same_site_adds_nothing_and_a_third_site_is_a_third_copy(
    app, runner, two_sites, export_file
):
    assert runner.invoke(args=["import-wordpress", "--site", "a", export_file]).exit_code == 0
    before = (counted(app, Article), counted(app, Comment), counted(app, ImportMapping))
    again = runner.invoke(args=["import-wordpress", "--site", "a", export_file])
    assert again.exit_code == 0, again.output
    assert (counted(app, Article), counted(app, Comment), counted(app, ImportMapping)) == before
    assert before[:2] == (2, 4)
    # Without --site: the default site, a copy of its own, and it too only once.
    for _ in range(2):
        assert runner.invoke(args=["import-wordpress", export_file]).exit_code == 0
    assert (counted(app, Article), counted(app, Comment)) == (4, 8)
    assert {site for site, _key in threads_by_site(app)} == {"a", "default"}


def test_a_thread_the_site_opened_already_gets_its_comments_and_the_other_site_s_does_not(
    app, runner, two_sites, export_file
):
    """The host site of b opened nyhet-1 before the import: the comments join it; a's
    nyhet-1 (same key) is left alone."""
    with app.app_context():
        from commentsvc import threads

        opened = threads.create_article("nyhet-1", title="Öppnad", site="b").id
        db.session.commit()
    assert runner.invoke(args=["import-wordpress", "--site", "b", export_file]).exit_code == 0
    with app.app_context():
        joined = db.session.execute(
            select(func.count()).select_from(Comment).where(Comment.article_id == opened)
        ).scalar_one()
        on_a = db.session.execute(
            select(func.count()).select_from(Article).where(Article.site_id == "a")
        ).scalar_one()
    assert (joined, on_a) == (3, 0)


@needs_theme
def test_the_theme_export_into_two_sites_stores_every_comment_once_per_site(app, runner, two_sites):
    for site in ("a", "b", "a"):
        result = runner.invoke(args=["import-wordpress", "--site", site, str(THEME)])
        assert result.exit_code == 0, result.output
    found = threads_by_site(app)
    per_site = {
        site: sorted((key, len(c)) for (s, key), c in found.items() if s == site)
        for site in ("a", "b")
    }
    assert per_site["a"] == per_site["b"]
    assert sum(n for _key, n in per_site["a"]) == 29
    assert counted(app, Comment) == 58


@pytest.mark.parametrize(
    "command",
    [
        ["import-wordpress"],
        ["import-disqus"],
        ["import-isso"],
        ["import-remark42"],
        ["import-commento"],
    ],
)
def test_an_unknown_site_is_refused_before_anything_is_read_or_written(
    app, runner, two_sites, export_file, command
):
    result = runner.invoke(args=[*command, "--site", "c", export_file])
    assert result.exit_code == 2
    assert "--site" in result.output and "c" in result.output
    assert (counted(app, Article), counted(app, Comment), counted(app, ImportMapping)) == (0, 0, 0)


def test_a_page_on_another_site_s_origin_gets_no_thread_on_this_one(
    app, runner, two_sites, tmp_path
):
    """Pages are taken by the chosen site's origins: b's pages are not a's, and a path is on
    a's only origin."""
    path = isso_database(
        tmp_path / "i.db",
        {1: "/a/", 2: f"{A}/nyheter/2/", 3: f"{B}/nyheter/3/"},
        [{"tid": 1, "id": 1}, {"tid": 2, "id": 2}, {"tid": 3, "id": 3}],
    )
    result = runner.invoke(args=["import-isso", "--site", "a", path])
    assert result.exit_code == 0, result.output
    assert set(threads_by_site(app)) == {("a", "/a/"), ("a", "/nyheter/2/")}
    assert "b.example.se" in result.output  # the skipped page, with its reason
    with app.app_context():
        urls = set(db.session.execute(select(Article.url)).scalars())
    assert urls == {f"{A}/a/", f"{A}/nyheter/2/"}

    refused = runner.invoke(args=["import-isso", "--site", "a", "--base-url", B, path])
    assert refused.exit_code == 1 and B in refused.output
    assert runner.invoke(args=["import-isso", "--site", "b", path]).exit_code == 0
    assert ("b", "/nyheter/3/") in threads_by_site(app)
    assert ("b", "/nyheter/2/") not in threads_by_site(app)


def test_export_wordpress_writes_one_site_s_threads_in_its_name_and_time_zone(
    app, runner, two_sites, export_file, tmp_path
):
    assert runner.invoke(args=["import-wordpress", "--site", "b", export_file]).exit_code == 0
    with app.app_context():
        from commentsvc import threads

        article = threads.create_article("nyhet-1", title="Bara på a", site="a")
        draft = threads.Draft(comment="Bara på a", author="Vera", email="vera@example.se")
        threads.post_comment(article, draft, ip="192.0.2.0", now=utcnow())
        db.session.commit()
    out = tmp_path / "b.xml"
    result = runner.invoke(args=["export-wordpress", "--site", "b", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<title><![CDATA[Bladet]]></title>" in text
    assert "Bara på a" not in text and text.count("<wp:comment>") == 4
    # 2024-03-02 10:00 UTC is 05:00 in New York.
    assert "<wp:comment_date><![CDATA[2024-03-02 05:00:00]]></wp:comment_date>" in text
    unknown = runner.invoke(args=["export-wordpress", "--site", "c", "-o", str(tmp_path / "c")])
    assert unknown.exit_code == 2 and not (tmp_path / "c").exists()
