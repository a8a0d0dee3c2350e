"""Every visible text in Swedish (the default) and English."""

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from commentsvc.extensions import db

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "commentsvc" / "translations" / "sv" / "LC_MESSAGES" / "messages.po"


def extracted_messages(tmp_path) -> set:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_every_text_in_the_code_has_a_swedish_translation(tmp_path):
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="sv")
    translated = {
        m.id
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = extracted_messages(tmp_path) - translated
    assert not missing, f"texts without a Swedish translation: {sorted(map(str, missing))}"


def compiled_texts(mo_path: Path) -> dict:
    def key(value):  # plural forms come as lists
        return tuple(value) if isinstance(value, list | tuple) else value

    with mo_path.open("rb") as f:
        return {(m.context, key(m.id)): key(m.string) for m in read_mo(f) if m.id}


def test_the_committed_compiled_catalog_says_what_the_po_file_says(tmp_path):
    """messages.mo is committed and shipped as it is (wheel, ``pip install -e .``): a .po edit
    that was not compiled would serve the old or English text."""
    fresh = tmp_path / "sv" / "LC_MESSAGES"
    fresh.mkdir(parents=True)
    (fresh / "messages.po").write_bytes(CATALOG.read_bytes())
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "-d", str(tmp_path)],
        check=True,
    )
    committed, wanted = (
        compiled_texts(CATALOG.with_suffix(".mo")),
        compiled_texts(fresh / "messages.mo"),
    )
    stale = sorted(
        str(key[1])
        for key in wanted.keys() | committed.keys()
        if committed.get(key) != wanted.get(key)
    )
    assert not stale, (
        "commentsvc/translations/sv/LC_MESSAGES/messages.mo differs from messages.po for "
        f"{stale[:10]}: run `make translations` and commit messages.mo"
    )


def test_the_compiled_catalog_is_in_the_repository_so_a_plain_editable_install_speaks_swedish():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "commentsvc/translations/sv/LC_MESSAGES/messages.mo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert tracked.strip() == "commentsvc/translations/sv/LC_MESSAGES/messages.mo"


def test_swedish_is_the_default(client, article):
    page = client.get(f"/thread?article={article}").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Lämna ett svar" in page and "Publicera kommentar" in page


def test_language_en_makes_the_whole_page_english(client, app, article):
    app.config.update(LANGUAGE="en", BABEL_DEFAULT_LOCALE="en")
    page = client.get(f"/thread?article={article}").get_data(as_text=True)
    assert '<html lang="en">' in page
    for text in (
        "Leave a reply",
        "Your email address will not be published.",
        "Required fields are marked",
        "Comment",
        "Name",
        "Email",
        "Website",
        "Save my name, email and website",
        "Post comment",
    ):
        assert text in page
    for swedish in ("Lämna ett svar", "Publicera", "Obligatoriska", "E-post", "Webbplats"):
        assert swedish not in page


@pytest.mark.parametrize(
    ("allowed", "header", "expected"),
    [
        (True, "en-GB,en;q=0.9", "Leave a reply"),
        (True, "sv-SE", "Lämna ett svar"),
        (True, "de-DE", "Lämna ett svar"),
        (False, "en-GB,en;q=0.9", "Lämna ett svar"),
    ],
)
def test_the_browsers_language_is_used_only_when_allowed(
    client, app, article, allowed, header, expected
):
    app.config["LANGUAGE_FROM_BROWSER"] = allowed
    page = client.get(f"/thread?article={article}", headers={"Accept-Language": header})
    assert expected in page.get_data(as_text=True)


def test_the_reader_can_choose_english_and_keeps_it_through_the_form(reader, article):
    page = reader.open(article, lang="en").get_data(as_text=True)
    assert "Leave a reply" in page
    assert '<input type="hidden" name="lang" value="en">' in page
    response = reader.post(article, comment="", lang="en")
    assert "Write a comment." in response.get_data(as_text=True)
    ok = reader.post(article, lang="en")
    assert "lang=en" in ok.headers["Location"]


def test_error_pages_follow_the_language(client, app):
    assert "Sidan kunde inte hittas." in client.get("/finns-inte").get_data(as_text=True)
    app.config.update(LANGUAGE="en", BABEL_DEFAULT_LOCALE="en")
    assert "The page could not be found." in client.get("/finns-inte").get_data(as_text=True)


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
    from commentsvc.models.base import utcnow
    from commentsvc.models.moderation import LoginThrottle
    from commentsvc.moderation import accounts, logins

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
            logins.authenticate("moa", "fel", address="192.0.2.0", now=now)
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
