"""Leaving for WordPress: ``export-wordpress`` writes a WXR 1.2 file that WordPress's importer
reads and that our own import reads back into the same threads; the file is personal data."""

from __future__ import annotations

import logging
import os
import re
import stat
import tracemalloc
import xml.etree.ElementTree as ET  # the test's own reading of a file it just wrote
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from commentsvc import moderation
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Article, Comment, CommentStatus, ImportMapping
from commentsvc.moving import wxr

from .bulk import bulk_thread
from .conftest import TESTDATA

FIXTURE = Path(__file__).resolve().parent / "data" / "wordpress" / "roundtrip.xml"
THEME = TESTDATA / "themeunittestdata.wordpress.xml"
WP = "{http://wordpress.org/export/1.2/}"
PUBLIC_URL = "https://kommentarer.kommun.example.se"


@pytest.fixture
def config_overrides() -> dict:
    return {"PUBLIC_URL": PUBLIC_URL, "SITE_NAME": "Kommentarer"}


def threads_as_readers_and_moderators_see_them(app) -> dict[str, dict]:
    """Every article with comments, by key: its fields and its comments, each comment with
    its parent named by content (ids differ from one database to the next)."""
    with app.app_context():
        comments = db.session.execute(select(Comment).order_by(Comment.id)).scalars().all()
        by_id = {c.id: c for c in comments}

        def who(c: Comment | None):
            if c is None:
                return None
            return (c.author, c.text, c.created_at.isoformat(), who(by_id.get(c.parent_id)))

        found: dict[str, dict] = {}
        for c in comments:
            a = c.article
            thread = found.setdefault(
                a.key,
                {
                    "title": a.title,
                    "url": a.url,
                    "closed": a.closed,
                    "created_at": a.created_at,
                    "comments": [],
                },
            )
            thread["comments"].append(
                (
                    who(c),
                    c.status,
                    c.email,
                    c.website,
                    c.ip,
                    c.by_staff,
                    c.depth,
                )
            )
        for thread in found.values():
            thread["comments"].sort(key=repr)
        return found


def forget_everything(app) -> None:
    """An empty service again (another site that imports the export)."""
    with app.app_context():
        db.session.execute(delete(ImportMapping))
        db.session.execute(delete(Comment))
        db.session.execute(delete(Article))
        db.session.commit()


def export(runner, tmp_path, name="export.xml"):
    path = tmp_path / name
    result = runner.invoke(args=["export-wordpress", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path, result


def test_the_fixture_goes_round_trip_into_the_same_threads(app, runner, tmp_path):
    first = runner.invoke(args=["import-wordpress", str(FIXTURE)])
    assert first.exit_code == 0, first.output
    before = threads_as_readers_and_moderators_see_them(app)
    assert set(before) == {"nyhet-1", "nyhet-10"}
    statuses = [c[1] for c in before["nyhet-1"]["comments"]]
    assert statuses.count(CommentStatus.PENDING) == 2
    assert statuses.count(CommentStatus.SPAM) == statuses.count(CommentStatus.TRASH) == 1
    staff = [c for c in before["nyhet-1"]["comments"] if c[5]]
    assert [c[0][:2] for c in staff] == [("Kommentarer", "Tack, vi har rättat uppgiften.")]
    assert max(c[6] for c in before["nyhet-1"]["comments"]) >= 3  # deep, to the cap
    assert before["nyhet-10"]["closed"] and not before["nyhet-1"]["closed"]
    removed = [c for c in before["nyhet-1"]["comments"] if c[0][1] == ""]
    assert [c[0][0] for c in removed] == ["Anonym"]  # a placeholder, its reply under it

    path, _ = export(runner, tmp_path)
    forget_everything(app)
    again = runner.invoke(args=["import-wordpress", str(path)])
    assert again.exit_code == 0, again.output
    assert "Hoppade över: 0." in again.output
    # The fixture's staff reply is under the site's name already, as the export writes it.
    assert threads_as_readers_and_moderators_see_them(app) == before
    # The exported file imported once more adds nothing.
    twice = runner.invoke(args=["import-wordpress", str(path)])
    assert "Importerade kommentarer: 0 " in twice.output

    # And once more: the second export reads back the same as well.
    second, _ = export(runner, tmp_path, "second.xml")
    forget_everything(app)
    runner.invoke(args=["import-wordpress", str(second)])
    assert threads_as_readers_and_moderators_see_them(app) == before


@pytest.mark.skipif(not THEME.exists(), reason=f"{THEME} is not there (see its README)")
def test_wordpress_theme_data_goes_round_trip_into_the_same_threads(app, runner, tmp_path):
    first = runner.invoke(args=["import-wordpress", "--keep-pings", str(THEME)])
    assert first.exit_code == 0, first.output
    before = threads_as_readers_and_moderators_see_them(app)
    assert sum(len(t["comments"]) for t in before.values()) == 33
    path, _ = export(runner, tmp_path)
    forget_everything(app)
    again = runner.invoke(args=["import-wordpress", "--keep-pings", str(path)])
    assert again.exit_code == 0, again.output
    assert threads_as_readers_and_moderators_see_them(app) == before


# --- what WordPress's importer reads --------------------------------------------------------
def regex_tag(text: str, tag: str) -> str:
    """WordPress's fallback parser's get_tag (class-wxr-parser-regex.php), in Python: the first
    ``<tag…>…</tag>``, its CDATA sections joined."""
    found = re.search(f"<{tag}.*?>(.*?)</{tag}>", text, re.I | re.S)
    if not found:
        return ""
    value = found.group(1)
    if value.startswith("<![CDATA["):
        if "]]]]><![CDATA[>" in value:
            return "".join(re.findall(r"<!\[CDATA\[(.*?)\]\]>", value, re.S))
        return re.sub(r"^<!\[CDATA\[(.*)\]\]>$", r"\1", value, flags=re.S)
    return value


ITEM_FIELDS = [
    "title",
    "link",
    "pubDate",
    "{http://purl.org/dc/elements/1.1/}creator",
    "guid",
    "description",
    "{http://purl.org/rss/1.0/modules/content/}encoded",
    "{http://wordpress.org/export/1.2/excerpt/}encoded",
    *(
        WP + name
        for name in [
            "post_id",
            "post_date",
            "post_date_gmt",
            "comment_status",
            "ping_status",
            "post_name",
            "status",
            "post_parent",
            "menu_order",
            "post_type",
            "post_password",
            "is_sticky",
        ]
    ),
]
COMMENT_FIELDS = [
    WP + name
    for name in [
        "comment_id",
        "comment_author",
        "comment_author_email",
        "comment_author_url",
        "comment_author_IP",
        "comment_date",
        "comment_date_gmt",
        "comment_content",
        "comment_approved",
        "comment_type",
        "comment_parent",
        "comment_user_id",
    ]
]


def test_the_file_has_what_each_of_wordpress_importers_parsers_reads(app, runner, tmp_path):
    runner.invoke(args=["import-wordpress", str(FIXTURE)])
    path, _ = export(runner, tmp_path)
    raw = path.read_text(encoding="utf-8")
    assert "<!DOCTYPE" not in raw  # both XML parsers refuse a DOCTYPE
    # The XML extension's parser matches on these exact prefixes.
    for prefix, uri in [
        ("wp", "http://wordpress.org/export/1.2/"),
        ("excerpt", "http://wordpress.org/export/1.2/excerpt/"),
        ("content", "http://purl.org/rss/1.0/modules/content/"),
        ("dc", "http://purl.org/dc/elements/1.1/"),
    ]:
        assert f'xmlns:{prefix}="{uri}"' in raw
    # The regex parser reads the version and the site from single lines.
    lines = raw.splitlines()
    assert any(re.search(r"<wp:wxr_version>1\.2</wp:wxr_version>", line) for line in lines)
    assert any(f"<wp:base_site_url><![CDATA[{PUBLIC_URL}]]>" in line for line in lines)

    root = ET.parse(path).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    items = channel.findall("item")
    assert len(items) == 2
    raw_items = re.findall(r"<item>(.*?)</item>", raw, re.S)
    assert len(raw_items) == len(items)
    for item, raw_item in zip(items, raw_items, strict=True):
        assert [child.tag for child in item if child.tag != WP + "comment"] == ITEM_FIELDS
        assert item.findtext(f"{WP}post_type") == "post"
        assert item.findtext(f"{WP}status") == "publish"
        assert item.findtext("link").startswith("https://kommun.example.se/nyheter/nyhet-1")
        assert item.findtext(f"{WP}post_name") == regex_tag(raw_item, "wp:post_name")
        comments = item.findall(f"{WP}comment")
        raw_comments = re.findall(r"<wp:comment>(.+?)</wp:comment>", raw_item, re.S)
        assert len(raw_comments) == len(comments) > 0
        for comment, raw_comment in zip(comments, raw_comments, strict=True):
            fields = [child.tag for child in comment if child.tag != WP + "commentmeta"]
            assert fields == COMMENT_FIELDS
            for tag in COMMENT_FIELDS:
                # What the regex parser reads is what the XML parsers read, ]]> and all.
                name = "wp:" + tag.removeprefix(WP)
                assert regex_tag(raw_comment, name) == (comment.findtext(tag) or ""), name
    # WordPress's importer inserts a post's comments by id and maps a parent only when it was
    # inserted before its reply (wordpress-importer.php, ksort($newcomments)).
    for item in items:
        ids = [int(c.findtext(f"{WP}comment_id")) for c in item.iter(f"{WP}comment")]
        parents = [int(c.findtext(f"{WP}comment_parent")) for c in item.iter(f"{WP}comment")]
        assert ids == sorted(ids)
        assert all(parent == 0 or parent in ids[:n] for n, parent in enumerate(parents))
        assert any(parents)
    contents = [c.findtext(f"{WP}comment_content") for c in root.iter(f"{WP}comment")]
    assert "Koden slutar med ]]> och sedan <b>inte fet</b> &amp; mer." in contents
    approvals = sorted(c.findtext(f"{WP}comment_approved") for c in root.iter(f"{WP}comment"))
    assert set(approvals) == {"0", "1", "spam", "trash"}


def test_a_staff_reply_is_the_sites_and_dates_are_local_and_gmt(
    app, runner, tmp_path, add_comment, article
):
    question = add_comment(article, "När öppnar badhuset?", email="fraga@example.se")
    with app.app_context():
        moderation.reply_as_staff(
            question,
            "Den 1 juni.",
            by="ada",
            author="Ada på redaktionen",
            email="ada.moderator@kommun.example.se",
            now=utcnow(),
        )
        db.session.commit()
    path, _result = export(runner, tmp_path)
    raw = path.read_text(encoding="utf-8")
    assert "ada.moderator@kommun.example.se" not in raw
    assert "Ada på redaktionen" not in raw
    comments = {
        c.findtext(f"{WP}comment_content"): c for c in ET.parse(path).getroot().iter(f"{WP}comment")
    }
    staff, reader = comments["Den 1 juni."], comments["När öppnar badhuset?"]
    assert staff.findtext(f"{WP}comment_author") == "Kommentarer"
    assert staff.findtext(f"{WP}comment_user_id") == "0"
    assert staff.findtext(f"{WP}comment_parent") == str(question)
    meta = [(m.findtext(f"{WP}meta_key"), m.findtext(f"{WP}meta_value")) for m in staff]
    assert ("commentsvc_staff", "1") in meta
    # The reader keeps their own name and address, and no mark.
    assert reader.findtext(f"{WP}comment_author") == "Anna Lindqvist"
    assert reader.findtext(f"{WP}comment_author_email") == "fraga@example.se"
    assert reader.findtext(f"{WP}comment_author_IP") == "192.0.2.0"
    assert reader.find(f"{WP}commentmeta") is None
    gmt = reader.findtext(f"{WP}comment_date_gmt")
    local = reader.findtext(f"{WP}comment_date")
    with app.app_context():
        stored = db.session.get(Comment, question).created_at
    assert gmt == stored.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
    assert local == stored.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M:%S")
    assert local != gmt


# --- personal data ---------------------------------------------------------------------------
def test_the_export_says_it_is_personal_data_and_is_readable_by_its_owner_only(
    app, runner, tmp_path, add_comment, article, caplog
):
    add_comment(article, "Hej", email="hemlig.person@example.se")
    path = tmp_path / "export.xml"
    path.write_text("old")
    os.chmod(path, 0o644)
    caplog.set_level(logging.DEBUG)
    result = runner.invoke(args=["export-wordpress", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert "personuppgifter" in result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "hemlig.person@example.se" in path.read_text(encoding="utf-8")
    assert "hemlig.person@example.se" not in result.stderr
    assert "hemlig.person@example.se" not in caplog.text
    assert "Exporterade 1 artikel och 1 kommentar." in result.stderr


def test_an_export_that_fails_half_way_leaves_the_earlier_file_and_no_part(
    app, runner, tmp_path, add_comment, article, monkeypatch
):
    from commentsvc.moving import wxr

    add_comment(article, "Hej", email="hemlig.person@example.se")
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "export.xml"
    path.write_text("förra exporten")
    written = wxr.write_wxr

    def fails_half_way(out, *args, **kwargs):
        out.write("<?xml version")  # a start, then the database goes away
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(wxr, "write_wxr", fails_half_way)
    result = runner.invoke(args=["export-wordpress", "--output", str(path)])
    assert result.exit_code != 0 and "Input/output error" in result.output
    assert path.read_text() == "förra exporten"
    assert sorted(p.name for p in folder.iterdir()) == ["export.xml"]
    # The near miss: a whole export replaces the earlier file, and leaves no part either.
    monkeypatch.setattr(wxr, "write_wxr", written)
    assert runner.invoke(args=["export-wordpress", "--output", str(path)]).exit_code == 0
    assert "hemlig.person@example.se" in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in folder.iterdir()) == ["export.xml"]


def test_the_export_is_refused_inside_the_public_static_folder(app, runner, add_comment, article):
    add_comment(article, "Hej", email="hemlig.person@example.se")
    static = Path(app.static_folder)
    target = static / "export.xml"
    sneaky = static / "sub" / ".." / "export-2.xml"
    for path in (target, sneaky):
        result = runner.invoke(args=["export-wordpress", "--output", str(path)])
        assert result.exit_code != 0
        assert "publicerar" in result.output
        assert not path.exists()


def test_without_output_the_export_goes_to_standard_output(app, runner, add_comment, article):
    add_comment(article, "Till standard ut")
    result = runner.invoke(args=["export-wordpress"])
    assert result.exit_code == 0
    assert "<wp:wxr_version>1.2</wp:wxr_version>" in result.stdout
    assert "Till standard ut" in result.stdout
    assert "personuppgifter" not in result.stdout


# --- a large database --------------------------------------------------------------------------
def _peak_of_export(app, tmp_path) -> int:
    with app.app_context(), open(tmp_path / "big.xml", "w", encoding="utf-8") as out:
        site = wxr.Site(name="K", url=PUBLIC_URL, zone=ZoneInfo("UTC"))
        tracemalloc.start()
        try:
            written = wxr.write_wxr(out, site, now=utcnow())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak, written


def test_memory_stays_flat_on_a_large_database(app, tmp_path):
    from commentsvc import threads

    with app.app_context():
        threads.create_article("liten", title="Liten")
        threads.create_article("stor", title="Stor")
        db.session.commit()
    bulk_thread(app, "liten", 300)
    small_peak, small = _peak_of_export(app, tmp_path)
    bulk_thread(app, "stor", 30_000)
    large_peak, large = _peak_of_export(app, tmp_path)
    assert (small.comments, large.comments) == (300, 30_300)
    # A hundred times the comments, about the same memory: pages of rows, never the whole.
    assert large_peak < small_peak + 2_000_000, (small_peak, large_peak)
    assert (tmp_path / "big.xml").stat().st_size > 30_000 * 500
