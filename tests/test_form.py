"""The "Lämna ett svar" form: what a reader sees, sends, and is told when something is wrong."""

import re

import pytest
from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models.threads import Comment
from tests.test_embed import post_from_frame

from .conftest import TESTDATA


def stored_comments(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Comment.id))).scalar_one()


def test_the_form_has_the_wordpress_fields_labels_and_texts(reader, article):
    page = reader.open(article).get_data(as_text=True)
    assert "Lämna ett svar" in page
    assert "Din e-postadress kommer inte publiceras." in page
    assert "Obligatoriska fält är märkta" in page
    assert "Publicera kommentar" in page
    for name in ("comment", "author", "email", "url", "remember", "parent", "article"):
        assert f'name="{name}"' in page
    for label in ("Kommentar", "Namn", "E-post"):
        assert re.search(rf'{label} <span class="required" aria-hidden="true">\*</span>', page)
    # Required programmatically too, and Webbplats is not.
    assert re.search(r'id="comment"[^>]*required aria-required="true"', page)
    assert re.search(r'id="author"[^>]*required aria-required="true"', page)
    assert re.search(r'id="email"[^>]*required aria-required="true"', page)
    assert not re.search(r'id="url"[^>]*required', page)


def test_a_valid_comment_redirects_to_its_anchor(reader, article, app):
    response = reader.post(article)
    assert response.status_code == 303
    assert re.search(rf"/thread\?article={article}.*#comment-\d+$", response.headers["Location"])
    assert stored_comments(app) == 1


BAD_INPUT = [
    ({"comment": ""}, "comment", "Skriv en kommentar."),
    ({"comment": "   \n\t "}, "comment", "Skriv en kommentar."),
    ({"comment": "x" * 5001}, "comment", "Kommentaren får vara högst 5000 tecken; den har 5001."),
    ({"author": ""}, "author", "Ange ditt namn."),
    ({"author": "   "}, "author", "Ange ditt namn."),
    ({"author": "N" * 246}, "author", "Namnet får vara högst 245 tecken; det har 246."),
    ({"email": ""}, "email", "Ange din e-postadress. Den publiceras inte."),
    ({"email": "not-an-email"}, "email", "Ange en e-postadress som namn@exempel.se."),
    ({"email": "a@b"}, "email", "Ange en e-postadress som namn@exempel.se."),
    ({"email": "Anna <anna@example.se>"}, "email", "Ange en e-postadress som namn@exempel.se."),
    (
        {"email": "a" * 94 + "@exempel.se"},
        "email",
        "E-postadressen får vara högst 100 tecken; den har 105.",
    ),
    (
        {"url": "javascript:alert(1)"},
        "url",
        "Ange en webbadress som börjar med http:// eller https://.",
    ),
    (
        {"url": "ftp://example.se/fil"},
        "url",
        "Ange en webbadress som börjar med http:// eller https://.",
    ),
    ({"url": "https://" + "x" * 200 + ".se"}, "url", "Webbadressen får vara högst 200 tecken"),
    ({"parent": "abc"}, "parent", "Kommentaren du svarar på är ogiltig. Ladda om sidan."),
    ({"parent": "99999999999999999999"}, "parent", "Kommentaren du svarar på är ogiltig."),
    ({"parent": "4242"}, "parent", "Kommentaren du svarar på finns inte i den här tråden."),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_with_a_message_beside_the_field(
    reader, article, app, add_comment, fields, field, message
):
    kept = add_comment(article, "En kommentar som redan finns")
    response = reader.post(article, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    # In the summary at the top, and beside the field, which is marked invalid.
    assert "Din kommentar skickades inte. Rätta följande:" in page
    if field != "parent":
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page)
        assert f'id="{field}-error"' in page
    # Nothing stored is lost, nothing new is stored.
    assert stored_comments(app) == 1
    assert f'id="comment-{kept}"' in page


def test_an_email_of_exactly_100_characters_is_accepted(reader, article):
    assert reader.post(article, email="a" * 89 + "@exempel.se").status_code == 303


def test_typed_values_are_kept_when_the_form_comes_back(reader, article):
    response = reader.post(
        article, comment="Min långa text som inte får försvinna", author="", url="www.soi.se"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ">Min långa text som inte får försvinna</textarea>" in page
    assert 'value="anna@example.se"' in page  # the reader's own email, in their own form
    assert 'value="https://www.soi.se"' in page


def test_errors_are_in_english_when_the_service_speaks_english(reader, article, app):
    app.config["LANGUAGE"] = "en"
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    page = reader.post(article, comment="", email="a@b").get_data(as_text=True)
    assert "Write a comment." in page
    assert "Enter an email address like namn@exempel.se." in page
    assert "Leave a reply" in page
    assert "Skriv en kommentar." not in page


def test_a_reply_to_a_pending_comment_is_refused(reader, article, add_comment, app):
    pending = add_comment(article, "Väntar", approve=False, author="Ny", email="ny@example.se")
    response = reader.post(article, parent=str(pending))
    assert response.status_code == 422
    assert "Kommentaren du svarar på är inte publicerad än" in response.get_data(as_text=True)
    assert stored_comments(app) == 1


def test_a_reply_to_a_comment_of_another_article_is_refused(reader, article, add_comment, app):
    from commentsvc import threads

    with app.app_context():
        threads.create_article("annan", title="En annan nyhet")
        db.session.commit()
    elsewhere = add_comment("annan", "Någon annanstans")
    response = reader.post(article, parent=str(elsewhere))
    assert response.status_code == 422
    assert "finns inte i den här tråden" in response.get_data(as_text=True)
    assert stored_comments(app) == 1


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_missing_or_wrong_csrf_token_keeps_the_text_and_says_why(reader, article, app, token):
    response = reader.post(article, csrf_token=token, comment="Text som inte får gå förlorad")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Formuläret hade gått ut eller skickades inte från den här webbplatsen." in page
    assert "Text som inte får gå förlorad</textarea>" in page
    assert stored_comments(app) == 0


def test_a_token_from_another_browser_is_refused(make_reader, article, app):
    alice, mallory = make_reader(), make_reader()
    response = alice.post(article, csrf_token=mallory.csrf_token(article))
    assert response.status_code == 400
    assert stored_comments(app) == 0


@pytest.mark.parametrize("key", ["finns-inte", "", "x" * 201, "med mellanslag", "ctl\x07"])
def test_posting_to_an_unknown_article_is_a_clear_404(reader, article, app, key):
    response = reader.post(key, csrf_token=reader.csrf_token(article))
    assert response.status_code == 404
    assert "Det finns ingen diskussion för den här artikeln." in response.get_data(as_text=True)
    assert stored_comments(app) == 0


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">klicka</a>',
        '"><svg onload=alert(1)>',
    ],
)
def test_markup_in_a_comment_is_stored_as_typed_and_shown_inert(reader, article, app, typed):
    app.config["MODERATION"] = "none"
    response = reader.post(article, comment=typed, follow=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    content = page.split('class="comment-content">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in content and "<img" not in content and "<svg" not in content
    assert "javascript:" not in content
    with app.app_context():
        assert db.session.execute(select(Comment.text)).scalar_one() == typed


def naughty_strings() -> list[str]:
    path = TESTDATA / "blns.txt"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.skipif(not (TESTDATA / "blns.txt").exists(), reason="../shared/testdata is absent")
def test_every_naughty_string_as_comment_and_as_name_is_handled(reader, article, app):
    """No 500 and nothing unescaped, for each of the Big List of Naughty Strings."""
    app.config["MODERATION"] = "none"
    strings = naughty_strings()
    assert len(strings) > 500
    token = reader.csrf_token(article)
    accepted = 0
    for i, text in enumerate(strings):
        for field in ("comment", "author"):
            data = {
                "article": article,
                "comment": f"Kommentar {i}",
                "author": f"Namn {i}",
                "email": "blns@example.se",
                "csrf_token": token,
                field: text,
            }
            response = reader.client.post("/comments", data=data)
            assert response.status_code in (303, 422), (field, text, response.status_code)
            accepted += response.status_code == 303
    assert accepted > 900  # only blank-looking strings are refused
    page = reader.open(article).get_data(as_text=True)
    assert reader.client.get("/thread", query_string={"article": article}).status_code == 200
    # Script-like strings appear only escaped: no executable tag from a reader gets through.
    written = re.findall(
        r'<div class="comment-content">(.*?)</div>|<b class="author"[^>]*>(.*?)</b>', page, re.S
    )
    assert len(written) >= 50  # the first page of top-level comments
    for content, author in written:
        for tag in ("<script", "<img", "<svg", "<iframe", "<body", "<input", "<object", "<math"):
            assert tag not in (content + author).lower(), (tag, content, author)


LONG_URL = "https://www.example.se/" + "a" * 200


LONG_URL_MESSAGE = "Webbadressen får vara högst 200 tecken; den har 223."


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
