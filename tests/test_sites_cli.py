"""`commentsvc site add|list|show|set|remove`: the sites of an installation managed from a
shell. Every refusal is exit code 2 with a message that names what to fix, and leaves nothing
half done; a site's settings change what its readers get, and nothing of the other site's."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.sites import Site
from commentsvc.models.threads import Article, Comment
from tests.conftest import ALLOWED_ORIGIN

B_ORIGIN = "https://kultur.example.se"


@pytest.fixture
def config_overrides() -> dict:
    # The installation publishes at once: a held comment is the site's own policy at work.
    return {"MODERATION": "none"}


@pytest.fixture
def site(runner):
    """Run ``commentsvc site …``; returns click's result."""

    def run(*words: str, input: str | None = None):
        return runner.invoke(args=["site", *words], input=input)

    return run


@pytest.fixture
def site_b(site):
    result = site("add", "b", "--name", "Kultur i Norr", "--origin", B_ORIGIN)
    assert result.exit_code == 0, result.output
    return "b"


@pytest.fixture
def thread(runner):
    """Register a thread with ``create-article`` (on ``site``, else the default site)."""

    def create(key: str, *site: str) -> None:
        args = ["create-article", key, "--title", key, *(["--site", *site] if site else [])]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output

    return create


def stored_sites(app) -> dict[str, tuple]:
    with app.app_context():
        return {
            s.id: (s.name, [o.origin for o in s.origins], dict(s.settings or {}))
            for s in db.session.execute(select(Site)).scalars()
        }


def test_add_stores_the_site_its_origins_and_own_settings_and_audits_it_by_cli(app, site):
    result = site(
        "add",
        "b",
        "--name",
        "Kultur i Norr",
        "--origin",
        B_ORIGIN,
        "--origin",
        "https://b.example.se/",
        "MAX_LINKS=5",
        "LANGUAGE=en",
        'MODERATION_KEYS=["kasino", "lån"]',
    )
    assert result.exit_code == 0, result.output
    assert "Webbplatsen b (Kultur i Norr) är tillagd." in result.output
    assert stored_sites(app)["b"] == (
        "Kultur i Norr",
        ["https://b.example.se", B_ORIGIN],
        {"MAX_LINKS": 5, "LANGUAGE": "en", "MODERATION_KEYS": ["kasino", "lån"]},
    )
    with app.app_context():
        event = db.session.execute(select(ModerationEvent)).scalar_one()
        assert (event.action, event.actor, event.site_id) == ("site-added", "cli", "b")


def test_list_shows_every_site_with_its_origins_and_thread_counts(site, site_b, runner):
    assert (
        runner.invoke(args=["create-article", "nyhet-1", "--title", "A", "--site", "b"]).exit_code
        == 0
    )
    assert (
        runner.invoke(args=["create-article", "nyhet-2", "--title", "B", "--site", "b"]).exit_code
        == 0
    )
    assert runner.invoke(args=["create-article", "nyhet-1", "--title", "C"]).exit_code == 0
    result = site("list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1:] == [f"b\tKultur i Norr\t{B_ORIGIN}\t2", f"default\t\t{ALLOWED_ORIGIN}\t1"]
    as_json = json.loads(site("list", "--json").output)
    assert as_json == [
        {"id": "b", "name": "Kultur i Norr", "origins": [B_ORIGIN], "threads": 2},
        {"id": "default", "name": "", "origins": [ALLOWED_ORIGIN], "threads": 1},
    ]


BAD_ADDS = [
    (["B!", "--name", "C"], "ID", "En webbplats id är 1–32 gemena bokstäver"),
    (["b", "--name", "C"], "ID", "Det finns redan en webbplats b."),
    (["default", "--name", "C"], "ID", "Det finns redan en webbplats default."),
    (["c", "--name", "  "], "--name", "Ge webbplatsen ett namn på 1–200 tecken."),
    (["c", "--name", "C", "--origin", B_ORIGIN], "--origin", "hör redan till webbplatsen b"),
    # The installation's ALLOWED_ORIGINS are the default site's: taken too.
    (
        ["c", "--name", "C", "--origin", ALLOWED_ORIGIN],
        "--origin",
        f"{ALLOWED_ORIGIN} hör redan till webbplatsen default",
    ),
    (["c", "--name", "C", "--origin", "https://a.se/path"], "--origin", "är inget ursprung"),
    (["c", "--name", "C", "--origin", "a.se"], "--origin", "är inget ursprung"),
    (["c", "--name", "C", "SMTP_HOST=mail.se"], "SMTP_HOST", "SMTP_HOST är ingen inställning"),
    (["c", "--name", "C", "FOO=1"], "FOO", "En webbplats kan ställa in: ACCESSIBILITY_URL"),
    (["c", "--name", "C", "MAX_LINKS=många"], "MAX_LINKS", "Ange ett heltal från 0 till 100000."),
    (["c", "--name", "C", "MODERATION=some"], "MODERATION", "Välj ett av: first-time, all, none."),
    (["c", "--name", "C", "TIMEZONE=Europe/Norrtalje"], "TIMEZONE", "Europe/Stockholm"),
    (["c", "--name", "C", "MAX_LINKS"], "KEY=VALUE", "MAX_LINKS är inte NYCKEL=VÄRDE."),
]


@pytest.mark.parametrize(("words", "hint", "message"), BAD_ADDS)
def test_add_refuses_bad_input_with_exit_code_2_and_stores_nothing(
    app, site, site_b, words, hint, message
):
    before = stored_sites(app)
    result = site("add", *words)
    assert result.exit_code == 2, result.output
    assert hint in result.output
    assert message in " ".join(result.output.split())
    assert stored_sites(app) == before


def test_show_tells_the_sites_own_values_from_the_installations(site, site_b):
    assert site("set", "b", "MODERATION=all", "LANGUAGE=en").exit_code == 0
    output = site("show", "b").output
    assert "Namn: Kultur i Norr" in output
    assert f"Ursprung: {B_ORIGIN}" in output
    assert 'MODERATION = "all"\t(webbplatsens egen)' in output
    assert 'LANGUAGE = "en"\t(webbplatsens egen)' in output
    assert "MAX_LINKS = 2\t(installationens)" in output
    assert "SMTP_HOST" not in output
    # The default site, beside it, has the installation's policy.
    assert 'MODERATION = "none"\t(installationens)' in site("show", "default").output
    shown = json.loads(site("show", "b", "--json").output)
    assert shown["settings"]["MODERATION"] == {"value": "all", "own": True}
    assert shown["settings"]["MAX_LINKS"] == {"value": 2, "own": False}


def test_show_of_an_unknown_site_is_refused(site):
    result = site("show", "nope")
    assert result.exit_code == 2
    assert "Det finns ingen webbplats nope." in result.output


def test_set_changes_name_origins_and_settings_and_key_equals_nothing_goes_back(app, site, site_b):
    result = site(
        "set", "b", "--name", "Kultur", "--add-origin", "https://b.example.se", "MAX_LINKS=7"
    )
    assert result.exit_code == 0, result.output
    assert stored_sites(app)["b"] == (
        "Kultur",
        ["https://b.example.se", B_ORIGIN],
        {"MAX_LINKS": 7},
    )
    assert site("set", "b", "--remove-origin", B_ORIGIN + "/", "MAX_LINKS=").exit_code == 0
    assert stored_sites(app)["b"] == ("Kultur", ["https://b.example.se"], {})
    assert site("set", "b", "--origin", "https://c.example.se").exit_code == 0
    assert stored_sites(app)["b"][1] == ["https://c.example.se"]
    # A value equal to the installation's is not kept as the site's own.
    assert site("set", "b", "MODERATION=none").exit_code == 0
    assert stored_sites(app)["b"][2] == {}


BAD_SETS = [
    (["nope", "--name", "X"], "ID", "Det finns ingen webbplats nope."),
    (["b", "--name", "X", "--add-origin", ALLOWED_ORIGIN], "--origin", "hör redan till"),
    (
        ["b", "--name", "X", "--remove-origin", "https://x.se"],
        "--remove-origin",
        "är inte ett ursprung",
    ),
    (["b", "--name", "X", "--origin", "https://a.se/path"], "--origin", "är inget ursprung"),
    (["b", "--name", "X", "MAX_LINKS=-1"], "MAX_LINKS", "Ange ett heltal från 0 till 100000."),
    (["b", "--name", "X", "NEWEST_FIRST=ja"], "NEWEST_FIRST", "Ange true eller false."),
    (["b", "--name", "X", "DATABASE_URL="], "DATABASE_URL", "ingen inställning"),
]


@pytest.mark.parametrize(("words", "hint", "message"), BAD_SETS)
def test_set_refuses_bad_input_and_changes_nothing_not_even_the_name(
    app, site, site_b, words, hint, message
):
    before = stored_sites(app)
    result = site("set", *words)
    assert result.exit_code == 2, result.output
    assert hint in result.output
    assert message in " ".join(result.output.split())
    assert stored_sites(app) == before


def test_remove_refuses_the_default_site(app, site):
    result = site("remove", "default", "--yes")
    assert result.exit_code == 2
    assert "Standardwebbplatsen kan inte tas bort" in result.output
    assert "default" in stored_sites(app)


def test_remove_refuses_a_site_with_threads_unless_told_and_then_takes_them(
    app, site, site_b, runner, add_comment
):
    assert (
        runner.invoke(args=["create-article", "nyhet-1", "--title", "B", "--site", "b"]).exit_code
        == 0
    )
    assert runner.invoke(args=["create-article", "nyhet-1", "--title", "A"]).exit_code == 0
    add_comment("nyhet-1", "Standardsajtens kommentar")
    refused = site("remove", "b", "--yes")
    assert refused.exit_code == 2
    assert "--with-threads" in refused.output
    assert "Webbplatsen b har 1 trådar" in refused.output
    declined = site("remove", "b", "--with-threads", input="n\n")
    assert declined.exit_code == 1
    assert "Ta bort webbplatsen b och dess 1 trådar?" in declined.output
    assert "b" in stored_sites(app)
    removed = site("remove", "b", "--with-threads", "--yes")
    assert removed.exit_code == 0, removed.output
    assert "b" not in stored_sites(app)
    with app.app_context():
        # The default site's thread with the same key, and its comment, stay.
        assert db.session.execute(select(Article.site_id, Article.key)).all() == [
            ("default", "nyhet-1")
        ]
        assert db.session.execute(select(Comment.text)).scalars().all() == [
            "Standardsajtens kommentar"
        ]
        event = db.session.execute(
            select(ModerationEvent).where(ModerationEvent.action == "site-removed")
        ).scalar_one()
        assert (event.actor, event.details) == ("cli", {"site": "b", "threads": 1})


def test_remove_of_a_site_without_threads_asks_first(app, site, site_b):
    result = site("remove", "b", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Ta bort webbplatsen b?" in result.output
    assert "b" not in stored_sites(app)


def api_post(client, key: str, origin: str):
    body = {
        "article": key,
        "comment": "Ett bra initiativ!",
        "author": "Anna Lindqvist",
        "email": "anna@example.se",
        "ts": "",
        "hp": "",
    }
    return client.post("/api/v1/comments", json=body, headers={"Origin": origin})


def test_a_sites_moderation_holds_its_comments_only(site, site_b, runner, client):
    for args in (["--site", "b"], []):
        assert (
            runner.invoke(args=["create-article", "nyhet-1", "--title", "T", *args]).exit_code == 0
        )
    assert site("set", "b", "MODERATION=all").exit_code == 0
    on_b = api_post(client, "nyhet-1", B_ORIGIN)
    on_default = api_post(client, "nyhet-1", ALLOWED_ORIGIN)
    assert (on_b.status_code, on_b.get_json()["pending"]) == (201, True)
    assert (on_default.status_code, on_default.get_json()["pending"]) == (201, False)


def test_a_sites_language_is_the_language_of_its_thread_page(site, site_b, runner, client):
    for args in (["--site", "b"], []):
        assert (
            runner.invoke(args=["create-article", "nyhet-1", "--title", "T", *args]).exit_code == 0
        )
    assert site("set", "b", "LANGUAGE=en").exit_code == 0
    on_b = client.get("/thread", query_string={"article": "nyhet-1", "site": "b"})
    on_default = client.get("/thread", query_string={"article": "nyhet-1"})
    assert "Leave a reply" in on_b.get_data(as_text=True)
    assert "Lämna ett svar" in on_default.get_data(as_text=True)
    assert "Leave a reply" not in on_default.get_data(as_text=True)


def notice_paragraph(page: str) -> str:
    start = page.index('<p class="privacy-notice">')
    return page[start : page.index("</p>", start)]


def test_a_sites_accessibility_statement_is_linked_beside_the_privacy_notice_of_its_forms_only(
    site, site_b, thread, client
):
    thread("nyhet-1", "b")
    thread("nyhet-1")
    statement = "https://kultur.example.se/tillganglighet"
    assert site("set", "b", f"ACCESSIBILITY_URL={statement}").exit_code == 0
    link = f'<a href="{statement}">Tillgänglighetsredogörelse</a>'
    on_b = {"article": "nyhet-1", "site": "b"}
    for path in ("/thread", "/embed"):  # the plain page and the iframe
        assert link in notice_paragraph(client.get(path, query_string=on_b).get_data(as_text=True))
        default = client.get(path, query_string={"article": "nyhet-1"}).get_data(as_text=True)
        assert "Tillgänglighetsredogörelse" not in notice_paragraph(default)
    english = client.get("/thread", query_string={**on_b, "lang": "en"}).get_data(as_text=True)
    assert f'<a href="{statement}">Accessibility statement</a>' in notice_paragraph(english)
    # The script embed builds the link from the API's answer.
    api = client.get(
        "/api/v1/comments",
        query_string={"article": "nyhet-1", "texts": "1"},
        headers={"Origin": B_ORIGIN},
    ).get_json()
    assert api["privacy"]["accessibility_url"] == statement
    assert api["texts"]["accessibility"] == "Tillgänglighetsredogörelse"
    assert (
        client.get("/api/v1/comments", query_string={"article": "nyhet-1"}).get_json()["privacy"][
            "accessibility_url"
        ]
        is None
    )


def test_a_statement_address_that_is_no_web_address_is_shown_as_no_link(
    site, site_b, thread, client
):
    thread("nyhet-1", "b")
    assert site("set", "b", "ACCESSIBILITY_URL=javascript:alert(1)").exit_code == 0
    page = client.get("/thread", query_string={"article": "nyhet-1", "site": "b"})
    assert "Tillgänglighetsredogörelse" not in notice_paragraph(page.get_data(as_text=True))
