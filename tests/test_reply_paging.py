"""What one page of a thread carries is bounded: replies beyond a bound per comment and per
page are reached through "more replies" links (the page and the iframe, without JavaScript)
and a cursor in the JSON API; following them reaches every reply once."""

from __future__ import annotations

import re

import pytest

from tests.bulk import bulk_replies
from tests.conftest import ALLOWED_ORIGIN

# A shown comment (not a removed placeholder): its id.
SHOWN = re.compile(r'<li id="comment-(\d+)" class="comment depth-\d+(?: pending)?">')
MORE = re.compile(r'<p class="more-replies"><a href="([^"]+)"')
PAGE_BYTES = 400_000  # 5,000 replies made one page of 4.1 MB


@pytest.fixture
def crowded(app, article, add_comment):
    """5,000 replies under one comment (with hidden near misses among them), and a second
    comment with three replies of its own that the crowd must not push off the page."""
    first = add_comment(article, "Första kommentaren")
    second = add_comment(article, "Andra kommentaren", author="Bo", email="bo@example.se")
    few = {
        add_comment(article, f"Svar till Bo {n}", parent=second, email="c@example.se")
        for n in range(3)
    }
    many = bulk_replies(app, article, first, 5000, hidden_every=25)
    return {"first": first, "second": second, "visible": {first, second} | few | many}


def read_pages(client, path: str, article: str, first: int) -> tuple[list[int], list[int]]:
    """Every shown comment id on the thread's page and on each "more replies" page after it,
    following the links as a reader without JavaScript would; and each page's size."""
    url = f"{path}?article={article}"
    seen, sizes = [], []
    while url:
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.get_data(as_text=True)
        sizes.append(len(r.data))
        ids = [int(i) for i in SHOWN.findall(html)]
        # At most the page's comments, each with its share, and REPLIES_PER_PAGE in all.
        assert len(ids) <= 2 + 300, len(ids)
        # A page of further replies repeats the comment they answer, as its heading.
        seen += ids if not seen else [i for i in ids if i != first]
        links = MORE.findall(html)
        assert len(links) <= 1, links  # only the crowded comment has more
        url = links[0].replace("&amp;", "&").split("#")[0] if links else None
        assert len(sizes) < 100, "the links go round in circles"
    return seen, sizes


@pytest.mark.parametrize("path", ["/thread", "/embed"])
def test_every_reply_is_reached_once_through_bounded_pages(client, article, crowded, path):
    seen, sizes = read_pages(client, path, article, crowded["first"])
    assert max(sizes) < PAGE_BYTES, sizes
    assert len(seen) == len(set(seen)), "a reply was shown twice"
    assert set(seen) == crowded["visible"]
    assert len(sizes) > 2  # the crowd did not fit on one page


def test_the_first_page_shows_the_other_comment_and_its_replies(client, article, crowded):
    html = client.get("/thread", query_string={"article": article}).get_data(as_text=True)
    ids = [int(i) for i in SHOWN.findall(html)]
    assert crowded["second"] in ids
    assert len(ids) <= 2 + 50 + 3  # two comments, 50 replies to the first, the second's three
    assert "Visa 4950 svar till" in html


def test_the_api_pages_replies_with_a_cursor(client, article, crowded):
    params = {"article": article}
    seen, sizes = [], []
    headers = {"Origin": ALLOWED_ORIGIN}
    while params:
        r = client.get("/api/v1/comments", query_string=params, headers=headers)
        assert r.status_code == 200
        sizes.append(len(r.data))
        body = r.get_json()

        def walk(comments):
            for c in comments:
                if not c.get("removed"):
                    yield c["id"]
                yield from walk(c["replies"])

        ids = list(walk(body["comments"]))
        seen += ids if not seen else [i for i in ids if i != crowded["first"]]
        cursors = [c["replies_cursor"] for c in body["comments"] if c["replies_cursor"]]
        assert len(cursors) <= 1
        params = {"article": article, "replies": cursors[0]} if cursors else None
    assert max(sizes) < PAGE_BYTES, sizes
    assert len(seen) == len(set(seen))
    assert set(seen) == crowded["visible"]


@pytest.mark.parametrize(
    "cursor",
    ["0", "-1", "1.2", "1..3", "99999999999", "1.999999999999999999.1", "1.0.99999999999", "x"],
)
def test_a_broken_cursor_reads_the_thread(client, article, add_comment, cursor):
    add_comment(article, "Hej")
    for path in ("/thread", "/embed", "/api/v1/comments"):
        r = client.get(path, query_string={"article": article, "replies": cursor})
        assert r.status_code == 200, (path, cursor)
        assert "Hej" in r.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"REPLIES_PER_COMMENT": 3, "REPLIES_PER_PAGE": 5}])
def test_a_new_reply_is_counted_and_reachable_on_the_next_anonymous_read(
    client, article, add_comment, config_overrides
):
    """The kept answers (readcache.py) and kept comment lists move with the thread."""
    first = add_comment(article, "Första")
    for n in range(4):
        add_comment(article, f"Svar {n}", parent=first)
    for path in ("/embed", "/api/v1/comments"):
        for _ in range(2):  # the second read is answered from memory
            before = client.get(path, query_string={"article": article})
        assert "Visa 1 svar till" in before.get_data(as_text=True) or (
            path.startswith("/api") and before.get_json()["comments"][0]["more_replies"] == 1
        )
    late = add_comment(article, "Sent svar", parent=first)
    thread = client.get("/api/v1/comments", query_string={"article": article}).get_json()
    assert thread["comments"][0]["more_replies"] == 2
    cursor = thread["comments"][0]["replies_cursor"]
    more = client.get("/embed", query_string={"article": article, "replies": cursor})
    assert f'id="comment-{late}"' in more.get_data(as_text=True)
    page = client.get("/embed", query_string={"article": article}).get_data(as_text=True)
    assert "Visa 2 svar till" in page


def test_a_mail_link_to_a_reply_behind_more_replies_opens_a_page_that_shows_it(
    app, client, add_comment
):
    """A notification links to its reply on our own thread page when the article has no
    address of its own: a reply beyond the replies the thread's page shows gets the page of
    further replies that begins with it; an early one (the near miss) the thread's page."""
    from urllib.parse import urlsplit

    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment
    from commentsvc.notify.notifications import comment_link

    with app.app_context():
        threads.create_article("utan-adress", title="En nyhet utan adress")
        db.session.commit()
    root = add_comment("utan-adress", "Roten")
    replies = sorted(bulk_replies(app, "utan-adress", root, 120))
    links = {}
    for reply in (replies[1], replies[70], replies[-1]):
        with app.test_request_context():
            links[reply] = comment_link(db.session.get(Comment, reply))
        link = urlsplit(links[reply])
        assert link.fragment == f"comment-{reply}"
        page = client.get(f"{link.path}?{link.query}").get_data(as_text=True)
        assert reply in {int(i) for i in SHOWN.findall(page)}, links[reply]
    assert "replies=" not in links[replies[1]]
    assert "replies=" in links[replies[70]] and "replies=" in links[replies[-1]]
