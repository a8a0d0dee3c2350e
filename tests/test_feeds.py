"""Atom feeds of published comments, per article and site-wide; never an email."""

import re
import xml.etree.ElementTree as ET

import pytest

from commentsvc import threads
from commentsvc.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    return feed, feed.findall(f"{ATOM}entry")


def test_an_articles_feed_lists_its_published_comments_newest_first(
    client, app, article, add_comment
):
    first = add_comment(article, "Första <b>fet</b>", website="https://anna.example.se")
    add_comment(article, "Väntar", author="Ny", email="ny@example.se", approve=False)
    second = add_comment(article, "Andra", author="Erik", email="erik@example.se", parent=first)
    feed, items = entries(client.get(f"/feed.atom?article={article}"))
    assert feed.find(f"{ATOM}title").text == "Kommentarer till SOI Mitt startar i Svealand"
    assert [e.find(f"{ATOM}id").text.rsplit("-", 1)[1] for e in items] == [str(second), str(first)]
    newest, oldest = items
    assert newest.find(f"{ATOM}title").text == "Erik om ”SOI Mitt startar i Svealand”"
    assert oldest.find(f"{ATOM}content").text == "<p>Första <b>fet</b></p>"  # HTML, escaped once
    assert oldest.find(f"{ATOM}author/{ATOM}uri").text == "https://anna.example.se"
    link = newest.find(f"{ATOM}link").get("href")
    assert link == f"https://www.example.se/nyheter/soi-mitt#comment-{second}"


def test_the_site_feed_covers_every_article(client, app, article, add_comment):
    with app.app_context():
        threads.create_article("annan", title="En annan nyhet")
        db.session.commit()
    add_comment(article, "Här")
    add_comment("annan", "Där", author="Erik", email="erik@example.se")
    _, items = entries(client.get("/feed.atom"))
    assert sorted(e.find(f"{ATOM}content").text for e in items) == ["<p>Där</p>", "<p>Här</p>"]


def test_no_email_reaches_a_feed(client, article, add_comment):
    add_comment(article, "Hej", email="hemlig.adress@myndighet.example.se")
    for url in (f"/feed.atom?article={article}", "/feed.atom"):
        body = client.get(url).get_data(as_text=True)
        assert "hemlig.adress" not in body and "myndighet.example.se" not in body


@pytest.mark.parametrize("key", ["finns-inte", "x" * 201, "med mellanslag"])
def test_a_feed_for_an_unknown_article_is_404(client, key):
    assert client.get("/feed.atom", query_string={"article": key}).status_code == 404


def test_a_feed_in_english(client, app, article, add_comment):
    app.config.update(LANGUAGE="en", BABEL_DEFAULT_LOCALE="en")
    add_comment(article, "Hi")
    feed, [item] = entries(client.get(f"/feed.atom?article={article}"))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert item.find(f"{ATOM}title").text == "Anna Lindqvist on “SOI Mitt startar i Svealand”"


def test_the_thread_page_announces_and_links_its_feed(reader, article):
    page = reader.open(article).get_data(as_text=True)
    feed = f"/feed.atom?article={article}"
    head = page.split("</head>")[0]
    assert re.search(
        rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" '
        rf'href="{re.escape(feed)}">',
        head,
    )
    body = page.split("</head>")[1]
    assert f'<a href="{feed}" type="application/atom+xml">Följ kommentarerna (Atom-flöde)</a>' in (
        body
    )
