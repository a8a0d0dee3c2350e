"""The sites page: an installation admin lists, adds, edits and removes sites through the real
forms (CSRF tokens and all), sets each site's own settings, and sees every refusal beside its
field with what they typed kept; a plain moderator gets 403 everywhere on it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.sites import Site
from commentsvc.models.threads import Article
from tests.conftest import ALLOWED_ORIGIN

B_ORIGIN = "https://kultur.example.se"


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "none"}


@pytest.fixture
def site_b(app):
    """The site b, added through the service as ``site add`` does; a thread on each site with
    the same key."""
    from commentsvc import threads
    from commentsvc.models.base import utcnow
    from commentsvc.sites import registry

    with app.app_context():
        registry.add_site("b", name="Kultur i Norr", origins=[B_ORIGIN], by="test", now=utcnow())
        db.session.commit()
        threads.create_article("nyhet-1", title="På b", site="b")
        threads.create_article("nyhet-2", title="Också på b", site="b")
        threads.create_article("nyhet-1", title="På default")
        db.session.commit()
    return "b"


def stored(app) -> dict[str, tuple]:
    with app.app_context():
        return {
            s.id: (s.name, [o.origin for o in s.origins], dict(s.settings or {}))
            for s in db.session.execute(select(Site)).scalars()
        }


def text_of(response) -> str:
    """The page's text, tags left out and white space as one space."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_desk_links_the_sites_page_and_it_lists_sites_with_their_thread_counts(admin, site_b):
    desk = admin.get("/moderation/").get_data(as_text=True)
    assert 'href="/moderation/sites">Webbplatser</a>' in desk
    page = admin.get("/moderation/sites")
    assert page.status_code == 200
    shown = text_of(page)
    assert f"b Kultur i Norr {B_ORIGIN} 2" in shown
    assert f"default {ALLOWED_ORIGIN} 1" in shown
    html = page.get_data(as_text=True)
    assert 'href="/moderation/sites/b/remove"' in html
    assert 'href="/moderation/sites/default/remove"' not in html  # the default site stays


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/moderation/sites"),
        ("post", "/moderation/sites"),
        ("get", "/moderation/sites/b"),
        ("post", "/moderation/sites/b"),
        ("get", "/moderation/sites/b/remove"),
        ("post", "/moderation/sites/b/remove"),
        ("get", "/moderation/settings?site=b"),
        ("post", "/moderation/settings?site=b"),
    ],
)
def test_a_plain_moderator_gets_403_and_changes_nothing(app, mod, site_b, method, path):
    before = stored(app)
    if method == "get":
        response = mod.get(path)
    else:
        response = mod.post(path, {"site_id": "c", "name": "C", "with_threads": "y"})
    assert response.status_code == 403
    assert stored(app) == before


def test_an_admin_adds_a_site_through_the_form(app, admin, site_b):
    response = admin.post(
        "/moderation/sites",
        {"site_id": "nt-sport", "name": "NT Sport", "origins": "https://sport.example.se\r\n\r\n"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/sites/nt-sport"
    assert "Webbplatsen nt-sport är tillagd." in admin.get("/moderation/sites/nt-sport").get_data(
        as_text=True
    )
    assert stored(app)["nt-sport"] == ("NT Sport", ["https://sport.example.se"], {})
    with app.app_context():
        event = db.session.execute(
            select(ModerationEvent).where(ModerationEvent.site_id == "nt-sport")
        ).scalar_one()
        assert (event.action, event.actor) == ("site-added", "ada")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"site_id": "NT Sport"}, "site_id", "En webbplats id är 1–32 gemena bokstäver"),
        ({"site_id": "b"}, "site_id", "Det finns redan en webbplats b."),
        ({"name": ""}, "name", "Ge webbplatsen ett namn på 1–200 tecken."),
        ({"origins": B_ORIGIN}, "origins", f"{B_ORIGIN} hör redan till webbplatsen b"),
        ({"origins": ALLOWED_ORIGIN}, "origins", "hör redan till webbplatsen default"),
        ({"origins": "https://a.se/path"}, "origins", "https://a.se/path är inget ursprung"),
    ],
)
def test_a_refused_new_site_shows_the_error_beside_its_field_and_keeps_what_was_typed(
    app, admin, site_b, fields, field, message
):
    before = stored(app)
    typed = {"site_id": "nt-sport", "name": "NT Sport", "origins": "https://sport.example.se"}
    response = admin.post("/moderation/sites", {**typed, **fields})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    beside = re.search(rf'<span class="error" id="{field}-error">([^<]*)</span>', page)
    assert beside and message in beside.group(1)
    assert 'class="error-summary" role="alert"' in page
    assert f'<a href="#{field}">' in page
    assert f'aria-describedby="{field}-error"' in page
    kept = {**typed, **fields}
    if field != "site_id":
        assert f'value="{kept["site_id"]}"' in page
    if field != "origins":
        assert kept["origins"] in page
    assert stored(app) == before


def test_a_post_without_the_csrf_token_is_refused(app, admin, site_b):
    before = stored(app)
    response = admin.client.post("/moderation/sites", data={"site_id": "c", "name": "C"})
    assert response.status_code == 400
    assert stored(app) == before


def test_the_edit_page_shows_the_sites_values_and_whose_they_are(admin, site_b):
    admin_page = admin.get("/moderation/sites/b")
    assert admin_page.status_code == 200
    page = admin_page.get_data(as_text=True)
    assert 'id="name" name="name" type="text" value="Kultur i Norr"' in page
    assert form_values(page)["origins"] == B_ORIGIN
    # Every per-site setting beyond the policy: language, time zone, sender, addresses...
    for key in (
        "LANGUAGE",
        "TIMEZONE",
        "MAIL_FROM",
        "DSA_CONTACT",
        "PRIVACY_URL",
        "ACCESSIBILITY_URL",
        "PRIVACY_NOTICE",
    ):
        assert f'name="{key}"' in page
    assert 'for="ACCESSIBILITY_URL">Adress till tillgänglighetsredogörelsen</label>' in page
    assert "Installationens värde." in page


def test_an_admin_edits_a_site_and_its_readers_see_it(app, admin, site_b, client):
    page = admin.get("/moderation/sites/b").get_data(as_text=True)
    form = form_values(page)
    form.update(
        {
            "name": "Kultur i Norrtälje",
            "origins": f"{B_ORIGIN}\nhttps://b.example.se",
            "LANGUAGE": "en",
            "ACCESSIBILITY_URL": "https://kultur.example.se/tillganglighet",
        }
    )
    response = admin.post("/moderation/sites/b", form)
    assert response.status_code == 303, text_of(response)
    assert stored(app)["b"] == (
        "Kultur i Norrtälje",
        ["https://b.example.se", B_ORIGIN],
        {"LANGUAGE": "en", "ACCESSIBILITY_URL": "https://kultur.example.se/tillganglighet"},
    )
    again = admin.get("/moderation/sites/b").get_data(as_text=True)
    assert "Webbplatsens eget värde; installationens är: sv" in again
    on_b = client.get("/thread", query_string={"article": "nyhet-1", "site": "b"})
    on_default = client.get("/thread", query_string={"article": "nyhet-1"})
    assert "Leave a reply" in on_b.get_data(as_text=True)
    assert "Lämna ett svar" in on_default.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("TIMEZONE", "Europe/Norrtalje", "Ange en tidszon med dess IANA-namn"),
        ("MAX_DEPTH", "0", "Ange ett heltal från 1 till 100."),
        ("origins", ALLOWED_ORIGIN, "hör redan till webbplatsen default"),
    ],
)
def test_a_refused_edit_changes_nothing_not_even_the_name(
    app, admin, site_b, field, value, message
):
    before = stored(app)
    form = form_values(admin.get("/moderation/sites/b").get_data(as_text=True))
    response = admin.post("/moderation/sites/b", {**form, "name": "Nytt namn", field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    beside = re.search(rf'<span class="error" id="{field}-error">([^<]*)</span>', page)
    assert beside and message in beside.group(1)
    assert 'value="Nytt namn"' in page  # typed, kept
    assert stored(app) == before


def test_removing_a_site_with_threads_asks_and_warns_and_then_takes_them(app, admin, site_b):
    confirm = admin.get("/moderation/sites/b/remove")
    assert confirm.status_code == 200
    assert "har 2 trådar" in text_of(confirm)
    refused = admin.post("/moderation/sites/b/remove", {})
    assert refused.status_code == 422
    assert 'id="with_threads-error">Webbplatsen b har 2 trådar.' in refused.get_data(as_text=True)
    assert "b" in stored(app)
    removed = admin.post("/moderation/sites/b/remove", {"with_threads": "y"})
    assert removed.status_code == 303
    assert "b" not in stored(app)
    with app.app_context():
        # The default site's thread with the same key stays.
        assert db.session.execute(select(Article.site_id, Article.key)).all() == [
            ("default", "nyhet-1")
        ]
    assert "Webbplatsen b är borttagen, med 2 trådar." in admin.get("/moderation/sites").get_data(
        as_text=True
    )


def test_the_default_site_cannot_be_removed_from_the_page(app, admin):
    page = admin.get("/moderation/sites/default/remove")
    assert "Standardwebbplatsen kan inte tas bort" in page.get_data(as_text=True)
    assert "<button" not in page.get_data(as_text=True).split("<main")[1].split("</main>")[0]
    assert admin.post("/moderation/sites/default/remove", {"with_threads": "y"}).status_code == 422
    assert "default" in stored(app)


def test_an_unknown_site_is_404(admin):
    assert admin.get("/moderation/sites/nope").status_code == 404
    assert admin.get("/moderation/settings?site=nope").status_code == 404


def test_the_settings_page_sets_one_sites_policy_and_its_readers_get_it(app, admin, site_b, client):
    page = admin.get("/moderation/settings?site=b").get_data(as_text=True)
    assert '<option value="b" selected>Kultur i Norr (b)</option>' in page
    assert "Inställningar för webbplatsen Kultur i Norr (b)" in page
    form = form_values(page)
    assert form["MODERATION"] == "none"  # the installation's, shown as b's effective value
    response = admin.post("/moderation/settings?site=b", {**form, "MODERATION": "all"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation/settings?site=b"
    assert stored(app)["b"][2] == {"MODERATION": "all"}
    assert stored(app)["default"][2] == {}
    body = {"comment": "Samma kommentar", "author": "Anna", "email": "anna@example.se"}
    on_b = client.post(
        "/api/v1/comments", json={**body, "article": "nyhet-1"}, headers={"Origin": B_ORIGIN}
    )
    on_default = client.post(
        "/api/v1/comments", json={**body, "article": "nyhet-1"}, headers={"Origin": ALLOWED_ORIGIN}
    )
    assert on_b.get_json()["pending"] is True
    assert on_default.get_json()["pending"] is False


def form_values(page: str) -> dict[str, str]:
    """What the browser would send back of a form as shown (inputs, selected options, text)."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                values[name.group(1)] = "y"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options
        )
        if chosen:
            values[name] = chosen.group(1) or chosen.group(2)
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = text.lstrip("\r\n")
    return values


def test_every_setting_on_a_sites_page_is_declared_with_a_label():
    """The page's fields come from the declarations (setting_specs.py): a per-site key declared
    without a label would show its bare name."""
    from commentsvc.setting_specs import PER_SITE_KEYS, SETTINGS, SITE_PAGE_SETTINGS

    assert {spec.key for spec in SITE_PAGE_SETTINGS} == PER_SITE_KEYS - {
        spec.key for spec in SETTINGS if spec.editable
    }
    assert [spec.key for spec in SITE_PAGE_SETTINGS if not spec.label] == []
