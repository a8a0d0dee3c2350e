"""Threaded replies: nesting, the deepest level, order, pages, and a fixed number of queries."""

import re

import pytest

from commentsvc.extensions import db
from commentsvc.models.threads import Comment
from tests.bulk import big_threads


def nesting(page: str) -> dict[int, int]:
    """Comment id -> how many reply lists it is shown inside, as the reader sees the page."""
    depth, result = 0, {}
    for token in re.finditer(r'<ol class="children">|</ol>|<li id="comment-(\d+)"', page):
        if token.group(0) == '<ol class="children">':
            depth += 1
        elif token.group(0) == "</ol>":
            depth = max(depth - 1, 0)
        else:
            result[int(token.group(1))] = depth
    return result


def test_replies_are_shown_nested_under_the_comment_they_answer(reader, article, add_comment):
    first = add_comment(article, "Första")
    reply = add_comment(article, "Svar", parent=first, author="Erik", email="erik@example.se")
    reply2 = add_comment(article, "Svar på svar", parent=reply)
    second = add_comment(article, "Andra")
    page = reader.open(article).get_data(as_text=True)
    assert nesting(page) == {first: 0, reply: 1, reply2: 2, second: 0}
    assert page.index("Första") < page.index("Svar på svar") < page.index("Andra")


def test_a_reply_below_the_deepest_level_is_kept_at_that_level(reader, article, add_comment, app):
    app.config["MAX_DEPTH"] = 3
    ids = [add_comment(article, "Nivå 1")]
    for level in range(2, 6):
        ids.append(add_comment(article, f"Nivå {level}", parent=ids[-1]))
    page = reader.open(article).get_data(as_text=True)
    assert [nesting(page)[i] for i in ids] == [0, 1, 2, 2, 2]
    with app.app_context():
        stored = [db.session.get(Comment, i) for i in ids]
        assert [c.depth for c in stored] == [1, 2, 3, 3, 3]
        # The real parent is kept, so the conversation can be followed and exported.
        assert [c.parent_id for c in stored] == [None, *ids[:-1]]


def test_a_reply_through_the_form_lands_under_its_parent(reader, article, add_comment, app):
    app.config["MODERATION"] = "none"
    first = add_comment(article, "Första")
    response = reader.post(article, parent=str(first), comment="Mitt svar", follow=True)
    page = response.get_data(as_text=True)
    reply_id = max(nesting(page))
    assert nesting(page)[reply_id] == 1
    assert "Mitt svar" in page


def test_without_javascript_reply_opens_the_form_for_that_comment(reader, article, add_comment):
    first = add_comment(article, "Första", author="Anna Lindqvist")
    page = reader.open(article).get_data(as_text=True)
    link = re.search(rf'href="([^"]*replytocom={first}[^"]*)"', page).group(1)
    reply_page = reader.client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Svara till Anna Lindqvist" in reply_page
    assert f'name="parent" value="{first}"' in reply_page
    assert "Avbryt svar" in reply_page


def test_reply_links_are_not_offered_for_a_comment_someone_may_not_answer(
    reader, article, add_comment
):
    pending = add_comment(article, "Väntar", approve=False, email="ny@example.se", author="Ny")
    reader_page = reader.open(article, replytocom=pending).get_data(as_text=True)
    assert "Lämna ett svar" in reader_page
    assert f'name="parent" value="{pending}"' not in reader_page


def test_newest_first_orders_top_level_comments_but_replies_stay_oldest_first(
    reader, article, add_comment, app
):
    app.config["NEWEST_FIRST"] = True
    old = add_comment(article, "Gammal")
    reply_a = add_comment(article, "Svar A", parent=old)
    reply_b = add_comment(article, "Svar B", parent=old)
    new = add_comment(article, "Ny")
    page = reader.open(article).get_data(as_text=True)
    order = [int(i) for i in re.findall(r'<li id="comment-(\d+)"', page)]
    assert order == [new, old, reply_a, reply_b]


def test_long_threads_are_paged_by_top_level_comment(reader, article, add_comment, app):
    app.config["COMMENTS_PER_PAGE"] = 3
    tops = [add_comment(article, f"Topp {i}") for i in range(7)]
    reply = add_comment(article, "Svar på sista", parent=tops[-1])
    first = reader.open(article).get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<li id="comment-(\d+)"', first)] == tops[:3]
    assert 'aria-current="page"' in first
    last = reader.open(article, page=3).get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<li id="comment-(\d+)"', last)] == [tops[6], reply]
    # The count in the heading is the whole thread's, on every page.
    assert "8 kommentarer till" in last


def test_after_posting_the_reader_lands_on_the_page_with_their_comment(
    reader, article, add_comment, app
):
    app.config["COMMENTS_PER_PAGE"] = 2
    app.config["MODERATION"] = "none"
    for i in range(4):
        add_comment(article, f"Topp {i}")
    location = reader.post(article, comment="Den femte").headers["Location"]
    assert "page=3" in location
    page = reader.client.get(location).get_data(as_text=True)
    assert "Den femte" in page


@pytest.mark.parametrize("per_page", [50, 10_000])
def test_a_thread_page_takes_the_same_number_of_queries_at_10_and_1000_comments(
    app, reader, count_queries, per_page
):
    app.config["COMMENTS_PER_PAGE"] = per_page
    # Every reply on one page too (what a page carries is bounded: tests/test_reply_paging.py).
    app.config["REPLIES_PER_PAGE"] = per_page * 2
    queries = {}
    # Chains of three: a comment, a reply, a reply to that.
    for size, key in big_threads(app, sizes=(10, 1000), replies_per_top=2):
        with count_queries() as counter:
            response = reader.open(key)
        assert response.status_code == 200
        shown = len(re.findall(r'<li id="comment-', response.get_data(as_text=True)))
        assert shown == min(size, per_page * 3)
        queries[size] = counter.count
    assert queries[10] == queries[1000] <= 6
