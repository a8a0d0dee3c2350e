"""Small things readers and site owners notice: one message per mistake, counts in their
singular or plural, one time format, a kept text when an edit comes too late, the "(redigerad)"
mark, the feed link, fresh counts, and WordPress items without a slug."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime, timedelta

import pytest

from commentsvc.extensions import db
from commentsvc.models import Comment
from tests.conftest import CSRF_INPUT
from tests.test_embed import SERVICE, own_tokens, post_from_frame
from tests.test_import_wordpress import comment as wp_comment
from tests.test_import_wordpress import wxr
from tests.test_own_comments_page import posted_id

LONG_URL = "https://www.example.se/" + "a" * 200
LONG_URL_MESSAGE = "Webbadressen får vara högst 200 tecken; den har 223."


def text_of(page: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def test_a_too_long_website_is_told_once_beside_the_field_and_once_in_the_summary(reader, article):
    r = reader.post(article, url=LONG_URL)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    error = re.search(r'<span class="error" id="url-error">(.*?)</span>', page).group(1)
    assert error == LONG_URL_MESSAGE
    summary = re.search(r'id="error-summary".*?</ul>', page, re.DOTALL).group(0)
    assert summary.count(LONG_URL_MESSAGE) == 1
    assert page.count(LONG_URL_MESSAGE) == 2  # beside the field, and in the summary
    # A near miss: a short address without a scheme is still fine and made https://.
    ok = reader.post(article, url="www.example.se/" + "a" * 150)
    assert ok.status_code == 303


def test_a_too_long_website_is_one_message_in_the_api(client, article):
    r = client.post(
        "/api/v1/comments",
        json={
            "article": article,
            "comment": "Hej",
            "author": "Anna",
            "email": "anna@example.se",
            "url": LONG_URL,
        },
        headers={"Origin": "https://www.example.se"},
    )
    assert r.status_code == 422
    assert r.get_json()["errors"]["url"] == [LONG_URL_MESSAGE]


def test_a_too_long_website_is_one_message_in_the_iframe(app, article):
    r = post_from_frame(app.test_client(use_cookies=False), article, url=LONG_URL)
    assert r.status_code == 422
    assert r.get_data(as_text=True).count(LONG_URL_MESSAGE) == 2


def age(app, comment_id: int, minutes: int) -> None:
    """Make the comment older, as if the reader came back later."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.created_at = comment.created_at - timedelta(minutes=minutes)
        db.session.commit()


def test_an_edit_after_the_window_shows_why_where_the_form_was_with_the_text_kept(
    app, reader, article
):
    comment_id = posted_id(reader.post(article, comment="Först skrivet"))
    page = reader.open(article, edit=comment_id).get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    age(app, comment_id, 20)
    r = reader.client.post(
        f"/comments/{comment_id}/edit",
        data={"comment": "Min långa omskrivning", "csrf_token": token},
    )
    assert r.status_code == 403
    page = r.get_data(as_text=True)
    assert '<h2 id="comments-title">' in page  # the thread, not a bare error page
    form = re.search(r'<form class="edit-form".*?</form>', page, re.DOTALL).group(0)
    assert "En kommentar kan bara ändras i 15 minuter efter att den skrevs." in form
    assert "readonly" in form and "Min långa omskrivning</textarea>" in form
    assert "Spara" not in form  # it cannot be saved any more
    with app.app_context():
        assert db.session.get(Comment, comment_id).text == "Först skrivet"


def test_an_edit_after_the_window_in_the_iframe_keeps_the_text(app, article):
    client = app.test_client(use_cookies=False)
    r = post_from_frame(client, article, comment="Först skrivet")
    token = own_tokens(r.headers["Location"])[0]
    comment_id = int(r.headers["Location"].rsplit("-", 1)[1])
    age(app, comment_id, 20)
    r = client.post(
        f"/embed/comments/{comment_id}/edit?own={token}",
        data={"comment": "Min långa omskrivning"},
        headers={"Origin": SERVICE},
    )
    assert r.status_code == 403
    page = r.get_data(as_text=True)
    form = re.search(r'<form class="edit-form".*?</form>', page, re.DOTALL).group(0)
    assert "En kommentar kan bara ändras i 15 minuter efter att den skrevs." in form
    assert "Min långa omskrivning</textarea>" in form


def test_an_edited_comment_is_marked_on_the_page_and_in_the_iframe(app, reader, article):
    comment_id = posted_id(reader.post(article, comment="Först skrivet"))
    other_id = posted_id(reader.post(article, comment="Aldrig ändrad"))
    token = CSRF_INPUT.search(reader.open(article).get_data(as_text=True)).group(1)
    reader.client.post(
        f"/comments/{comment_id}/edit", data={"comment": "Sedan ändrat", "csrf_token": token}
    )
    with app.app_context():
        from commentsvc import moderation
        from commentsvc.models import utcnow

        for cid in (comment_id, other_id):
            moderation.approve(cid, by="test", now=utcnow())
        db.session.commit()  # services flush; the caller commits the action
    for page in (
        reader.open(article).get_data(as_text=True),
        app.test_client().get(f"/embed?article={article}").get_data(as_text=True),
    ):
        edited = re.search(rf'<li id="comment-{comment_id}".*?</footer>', page, re.DOTALL)
        assert "(redigerad)" in edited.group(0)
        untouched = re.search(rf'<li id="comment-{other_id}".*?</footer>', page, re.DOTALL)
        assert "(redigerad)" not in untouched.group(0)


@pytest.mark.parametrize(
    ("config_overrides", "lang", "expected"),
    [
        ({"EDIT_WINDOW_MINUTES": 1}, "sv", "En kommentar kan bara ändras i 1 minut efter"),
        ({"EDIT_WINDOW_MINUTES": 1}, "en", "A comment can only be changed for 1 minute after"),
        ({"EDIT_WINDOW_MINUTES": 2}, "sv", "En kommentar kan bara ändras i 2 minuter efter"),
    ],
)
def test_the_edit_window_message_uses_the_singular_for_one_minute(
    app, client, article, config_overrides, lang, expected
):
    created = client.post(
        "/api/v1/comments",
        json={"article": article, "comment": "Hej", "author": "Anna", "email": "a@example.se"},
    ).get_json()
    age(app, created["comment"]["id"], 5)
    r = client.patch(
        f"/api/v1/comments/{created['comment']['id']}?lang={lang}",
        json={"comment": "Ändrat"},
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert r.status_code == 403
    assert expected in r.get_json()["message"]


@pytest.mark.parametrize(
    ("code", "lang", "expected"),
    [
        ("too-fast:1", "sv", "skickad 1 sekund efter att formuläret visades"),
        ("too-fast:3", "sv", "skickad 3 sekunder efter att formuläret visades"),
        ("too-fast:1", "en", "sent 1 second after the form was shown"),
        ("links:1", "sv", "1 länk"),
        ("links:3", "sv", "3 länkar"),
        ("links:1", "en", "1 link"),
    ],
)
def test_reasons_with_a_count_use_singular_and_plural(app, code, lang, expected):
    from commentsvc.threads.policy import describe_reason

    with app.test_request_context(f"/?lang={lang}"):
        app.config.update(LANGUAGE=lang, BABEL_DEFAULT_LOCALE=lang)
        assert describe_reason(code) == expected


@pytest.mark.parametrize(
    ("seconds", "lang", "expected"),
    [
        (1, "sv", "Vänta 1 sekund och försök igen."),
        (2, "sv", "Vänta 2 sekunder och försök igen."),
        (1, "en", "Wait 1 second and try again."),
    ],
)
def test_a_login_wait_of_one_second_is_singular(app, seconds, lang, expected):
    from commentsvc.errors import DomainError
    from commentsvc.models import LoginThrottle, utcnow
    from commentsvc.moderation import accounts

    app.config.update(LANGUAGE=lang, BABEL_DEFAULT_LOCALE=lang)
    with app.test_request_context("/"):
        accounts.create_moderator("moa", "rätt häst batteri häftklammer", role="moderator")
        now = utcnow()
        locked = LoginThrottle(
            key="pair:moa|192.0.2.0", locked_until=now + timedelta(seconds=seconds)
        )
        db.session.add(locked)
        db.session.commit()
        with pytest.raises(DomainError) as refused:
            accounts.authenticate("moa", "fel", address="192.0.2.0", now=now)
        assert expected in str(refused.value.message)


def test_the_api_gives_the_time_as_the_page_shows_it(app, client, reader, article, add_comment):
    when = datetime(2026, 11, 30, 12, 46, tzinfo=UTC)  # 13:46 in Stockholm
    comment_id = add_comment(article, "Klockan", when=when)
    sv = client.get(f"/api/v1/comments?article={article}").get_json()["comments"][0]
    en = client.get(f"/api/v1/comments?article={article}&lang=en").get_json()["comments"][0]
    assert sv["created_text"] == "30 november 2026 kl. 13:46"
    assert en["created_text"] == "30 November 2026 at 13:46"
    page = reader.open(article).get_data(as_text=True)
    shown = re.search(rf'href="#comment-{comment_id}"><time[^>]*>([^<]*)</time>', page).group(1)
    assert shown == sv["created_text"]


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


def test_counts_asked_fresh_are_never_cached(client, article, add_comment):
    add_comment(article)
    shared = client.get(f"/api/v1/counts?article={article}")
    assert "public" in shared.headers["Cache-Control"]
    fresh = client.get(f"/api/v1/counts?article={article}&fresh=1764500000000")
    assert fresh.headers["Cache-Control"] == "no-store"
    assert fresh.get_json() == {"counts": {article: 1}}


def item_without_slug(post_id: str, link: str, comments: str) -> str:
    return f"""<item><title>Sida {post_id or "utan id"}</title><link>{link}</link>
<wp:post_id>{post_id}</wp:post_id><wp:post_name></wp:post_name>
<wp:post_type>page</wp:post_type><wp:comment_status>open</wp:comment_status>
<wp:status>publish</wp:status><wp:post_password></wp:post_password>
<wp:post_date_gmt>2024-03-01 08:00:00</wp:post_date_gmt>
{comments}</item>"""


def test_wordpress_items_without_a_slug_fall_back_to_the_id_then_the_path(app, runner, tmp_path):
    from tests.test_import_wordpress import item

    path = tmp_path / "export.xml"
    path.write_text(
        wxr(
            item(1, wp_comment(1), slug="med-slug")
            + item_without_slug("4", "https://kommun.example.se/?p=4", wp_comment(2))
            + item_without_slug("", "https://kommun.example.se/?page_id=9", wp_comment(3))
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-wordpress", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from commentsvc.models import Article

        keys = set(db.session.execute(db.select(Article.key)).scalars())
    assert keys == {"med-slug", "4", "/?page_id=9"}
    out = result.output
    assert "inlägg 4: det saknar slug (wp:post_name); dess nyckel är inläggets id 4" in out
    assert "dess nyckel är länkens sökväg /?page_id=9" in out
    assert "med-slug" not in out  # the item with a slug is not listed


def test_an_import_of_one_item_speaks_in_the_singular(app, runner, tmp_path):
    from tests.test_import_wordpress import item

    path = tmp_path / "export.xml"
    path.write_text(wxr(item(1, wp_comment(1), slug="en-nyhet")), encoding="utf-8")
    result = runner.invoke(args=["import-wordpress", str(path)])
    assert result.exit_code == 0, result.output
    assert "Artiklar: 1 ny, 0 fanns redan." in result.output
    assert "komplett WordPress-export: 1 post, 1 kommentar. Importerar…" in result.stderr
