"""Emails stay with the moderators: never in a public page, attribute, redirect or avatar."""

import hashlib
import re

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.threads import Comment
from commentsvc.privacy.addresses import anonymize_ip, avatar_key
from commentsvc.privacy.avatars import identicon_svg

SECRET_EMAIL = "hemlig.person+test@myndighet.example.se"


def test_the_email_appears_nowhere_a_reader_or_stranger_can_see(make_reader, article, app):
    app.config["MODERATION"] = "none"
    author = make_reader()
    response = author.post(article, email=SECRET_EMAIL, author="Hemlig Person")
    assert SECRET_EMAIL not in response.headers["Location"]
    comment_url = response.headers["Location"]
    stranger = make_reader()
    seen = [
        stranger.client.get(comment_url),
        stranger.open(article),
        stranger.open(article, replytocom=1),
        stranger.client.get("/"),
        stranger.client.get("/thread?article=finns-inte"),
    ]
    avatar = re.search(r'src="(/avatar/[0-9a-f]+\.svg)"', seen[0].get_data(as_text=True)).group(1)
    seen.append(stranger.client.get(avatar))
    local, domain = SECRET_EMAIL.split("@")
    for response in seen:
        body = response.get_data(as_text=True) + str(response.headers)
        assert SECRET_EMAIL not in body
        assert local not in body and domain not in body
        # Not as a plain (Gravatar-style) hash either.
        assert hashlib.md5(SECRET_EMAIL.encode()).hexdigest() not in body
        assert hashlib.sha256(SECRET_EMAIL.encode()).hexdigest() not in body


def test_the_email_is_kept_for_the_moderators(reader, article, app):
    reader.post(article, email="Anna.Lindqvist@Example.SE")
    with app.app_context():
        assert db.session.execute(select(Comment.email)).scalar_one() == "Anna.Lindqvist@example.se"


def test_the_same_person_gets_the_same_avatar_and_others_another(make_reader, article, app):
    app.config["MODERATION"] = "none"
    anna, erik = make_reader(), make_reader()
    anna.post(article, email="anna@example.se", comment="ett")
    anna.post(article, email="ANNA@example.se ", comment="två")
    erik.post(article, email="erik@example.se", author="Erik", comment="tre")
    page = anna.open(article).get_data(as_text=True)
    avatars = re.findall(r'src="/avatar/([0-9a-f]{32})\.svg"', page)
    assert len(avatars) == 3
    assert avatars[0] == avatars[1] != avatars[2]


def test_the_avatar_depends_on_the_secret_key():
    assert avatar_key("a", "anna@example.se") != avatar_key("b", "anna@example.se")
    assert avatar_key("a", "anna@example.se") == avatar_key("a", " Anna@Example.se")


def test_avatars_are_svg_drawn_here_and_cached(client):
    key = "0123456789abcdef0123456789abcdef"
    response = client.get(f"/avatar/{key}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True) == identicon_svg(key)
    assert "immutable" in response.headers["Cache-Control"]
    assert "http" not in identicon_svg(key).replace("http://www.w3.org/2000/svg", "")


@pytest.mark.parametrize("key", ["nothex", "0" * 31, "g" * 32, "../../etc/passwd"])
def test_avatar_urls_that_are_not_keys_are_404(client, key):
    assert client.get(f"/avatar/{key}.svg").status_code == 404


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("192.0.2.123", "192.0.2.0"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::"),
        ("::ffff:198.51.100.7", "198.51.100.0"),
        ("not an address", ""),
        (None, ""),
    ],
)
def test_ip_addresses_are_anonymized_before_storing(address, stored):
    assert anonymize_ip(address) == stored


def test_a_posted_comment_stores_only_the_anonymized_address(client, reader, article, app):
    reader.client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    reader.post(article)
    with app.app_context():
        assert db.session.execute(select(Comment.ip)).scalar_one() == "203.0.113.0"


def test_the_authors_name_links_to_their_website(reader, article, app, add_comment):
    add_comment(article, "Hej", author="Anna", website="https://anna.example.se")
    page = reader.open(article).get_data(as_text=True)
    assert '<a href="https://anna.example.se" rel="nofollow ugc noopener external">Anna</a>' in page
