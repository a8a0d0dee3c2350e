"""The desk's bans as a moderator uses them: from a comment's page to the prefilled form, the
ban made with a duration and a reason, the list with its search and its lifted ones, lifting,
and the refusals that come back on the form with what was typed."""

from __future__ import annotations

import re

from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail
from commentsvc.models.people import Ban
from tests.moderation.test_bans import ban, post_api


def bans_in_db(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(Ban).order_by(Ban.id)).scalars()
        return [(b.address, b.network, b.reason, b.lifted_at is not None) for b in rows]


def test_a_comment_page_leads_to_a_form_prefilled_with_its_address_and_network(
    app, mod, article, held
):
    comment_id = held("Ett otrevligt inlägg", email="Anna@Example.se")
    page = mod.get(f"/moderation/comments/{comment_id}").get_data(as_text=True)
    link = f"/moderation/bans/new?comment={comment_id}"
    assert link in page
    form = mod.get(link).get_data(as_text=True)
    assert 'value="anna@example.se"' in form
    assert 'value="192.0.2.0/24"' in form  # the stored network of the comment, as a CIDR
    assert f'name="comment" value="{comment_id}"' in form
    assert "Trakasserier eller hot" in form  # the reasons of the decisions, in Swedish


def test_a_moderator_bans_from_the_form_and_the_person_is_refused(app, mod, article, held):
    comment_id = held("Ett otrevligt inlägg", email="anna@example.se")
    answer = mod.post(
        "/moderation/bans/new",
        {
            "target": "anna@example.se",
            "days": "14",
            "reason": "harassment",
            "note": "Hot mot en annan läsare.",
            "comment": str(comment_id),
        },
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/moderation/bans")
    listing = mod.get("/moderation/bans").get_data(as_text=True)
    assert "anna@example.se" in listing
    assert "Skickad motivering av beslutet" in listing  # the statement, kept on the list
    assert "Hot mot en annan läsare." in listing
    assert "Trakasserier eller hot" in listing
    assert re.search(r"\d\d:\d\d CES?T\b", listing)  # in the site's time, named
    assert "Avstängning 1: anna@example.se får inte kommentera" in listing  # the flash
    assert bans_in_db(app) == [("anna@example.se", "", "harassment", False)]
    assert post_api(app, article, "anna@example.se").status_code == 403
    assert post_api(app, article, "hanna@example.se").status_code == 201
    with app.app_context():
        mail = db.session.execute(select(OutboxMail)).scalar_one()
    assert mail.recipient == "anna@example.se"
    assert "Hot mot en annan läsare." in mail.body


def test_a_network_chosen_on_the_form_bans_the_network(app, mod, article, held):
    comment_id = held("Från ett nät", email="ulla@example.se")
    answer = mod.post(
        "/moderation/bans/new",
        {"target": "192.0.2.0/24", "reason": "spam", "comment": str(comment_id)},
    )
    assert answer.status_code == 303
    assert bans_in_db(app) == [("", "192.0.2.0/24", "spam", False)]


def test_a_refused_ban_comes_back_on_the_form_with_what_was_typed(app, mod):
    answer = mod.post(
        "/moderation/bans/new",
        {"target": "192.0.2.0/28", "days": "7", "reason": "spam", "note": "Reklam"},
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "snävare än vad tjänsten sparar" in page
    assert 'value="192.0.2.0/28"' in page and "Reklam" in page
    assert 'aria-invalid="true" aria-describedby="ban-target-error"' in page
    for fields, words in (
        ({"target": "anna@example.se", "days": "0", "reason": "spam"}, "från 1 till 36500"),
        ({"target": "anna@example.se", "reason": ""}, "Välj ett skäl"),
        ({"target": "", "reason": "spam"}, "Ange en e-postadress eller ett nät"),
    ):
        refused = mod.post("/moderation/bans/new", fields)
        assert refused.status_code == 422
        assert words in refused.get_data(as_text=True)
    assert bans_in_db(app) == []


def test_the_list_searches_by_exact_address_and_by_network_and_shows_lifted_on_request(app, mod):
    ban(app, "anna@example.se")
    ban(app, "hanna@example.se")
    lifted = ban(app, "192.0.2.0/24")
    mod.post(f"/moderation/bans/{lifted}/lift")

    def rows(query=""):
        page = mod.get(f"/moderation/bans{query}").get_data(as_text=True)
        return re.findall(r"<td>([^<]+@example\.se|[0-9.]+/\d+)", page)

    assert rows() == ["hanna@example.se", "anna@example.se"]
    assert rows("?q=anna@example.se") == ["anna@example.se"]  # not hanna@
    assert rows("?q=192.0.2.0") == []  # lifted: not in force
    assert rows("?q=192.0.2.0&all=1") == ["192.0.2.0/24"]
    assert rows("?all=1") == ["192.0.2.0/24", "hanna@example.se", "anna@example.se"]
    page = mod.get("/moderation/bans?all=1").get_data(as_text=True)
    assert "hävd" in page
    bad = mod.get("/moderation/bans?q=inte+ett+nät")
    assert bad.status_code == 422
    assert "Sök på en exakt e-postadress eller ett nät" in bad.get_data(as_text=True)


def test_lifting_from_the_list_lets_the_person_comment_again(app, mod, article):
    ban_id = ban(app, "anna@example.se")
    assert post_api(app, article, "anna@example.se", text="Före").status_code == 403
    answer = mod.post(f"/moderation/bans/{ban_id}/lift")
    assert answer.status_code == 303
    page = mod.get("/moderation/bans").get_data(as_text=True)
    assert f"Avstängning {ban_id} av anna@example.se är hävd." in page
    assert post_api(app, article, "anna@example.se", text="Efter").status_code == 201
    again = mod.post(f"/moderation/bans/{ban_id}/lift", follow_redirects=True)
    assert "gäller inte längre" in again.get_data(as_text=True)
    assert mod.post("/moderation/bans/999/lift").status_code == 404


def test_the_nav_links_the_bans_and_the_log_names_them(app, mod, admin):
    assert 'href="/moderation/bans"' in mod.get("/moderation/").get_data(as_text=True)
    ban_id = ban(app, "anna@example.se", days=3, reason="spam")
    admin.post(f"/moderation/bans/{ban_id}/lift", follow_redirects=True)  # the flash shown
    log = admin.get("/moderation/log?kind=bans").get_data(as_text=True)
    assert f"avstängning {ban_id} av en adress, 3 dagar, spam" in log
    assert "hävde en avstängning" in log
    assert "anna@example.se" not in log


def test_the_ban_action_is_on_the_settings_page(admin):
    page = admin.get("/moderation/settings").get_data(as_text=True)
    assert 'name="BAN_ACTION"' in page
    assert "En avstängd persons nya kommentar" in page


def test_a_bans_statement_stays_off_the_reports_tab(app, admin, article, add_comment):
    comment_id = add_comment(article, "Ett elakt inlägg", email="anna@example.se")
    ban(app, "anna@example.se", note="Personangrepp", comment_id=comment_id)
    ban(app, "berit@example.se", note="Utan kommentar")
    tab = admin.get("/moderation/reports")
    assert tab.status_code == 200
    assert "Personangrepp" not in tab.get_data(as_text=True)
    assert "Kommentar None" not in tab.get_data(as_text=True)


def test_the_form_is_prefilled_from_an_address_or_a_network_and_works_empty(mod):
    by_address = mod.get("/moderation/bans/new?address=anna@example.se").get_data(as_text=True)
    assert 'name="target" id="ban-target" value="anna@example.se"' in by_address
    by_network = mod.get("/moderation/bans/new?network=192.0.2.0/24").get_data(as_text=True)
    assert 'name="target" id="ban-target" value="192.0.2.0/24"' in by_network
    empty = mod.get("/moderation/bans/new")
    assert empty.status_code == 200
    assert 'name="target" id="ban-target" value=""' in empty.get_data(as_text=True)
    assert mod.get("/moderation/bans/new?comment=999").status_code == 404
    assert mod.get("/moderation/bans/new?comment=x").status_code == 404
    assert mod.get("/moderation/bans/new?site=finns-inte").status_code == 404
