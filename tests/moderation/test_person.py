"""The person page and trust: a commenter's history keyed on their exact address, and the
moderators' standing decision about them on a site (trusted, always held), which every way of
posting (the form, the API, the iframe) follows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.moderation import ModerationEvent
from commentsvc.models.people import Ban, PersonTrust
from commentsvc.models.threads import Comment
from tests.moderation.conftest import ModeratorClient
from tests.moderation.two_sites import give_role, make_sites
from tests.moderation.two_sites import post as post_on_site
from tests.test_policy_everywhere import EDITORS, post_api, post_form, post_iframe

ANNA = "anna@example.se"
HANNA = "hanna@example.se"  # the near miss: her address ends with Anna's


@pytest.fixture
def config_overrides() -> dict:
    # WordPress's default: a first comment waits; two links hold one.
    return {
        "MODERATION": "first-time",
        "MAX_LINKS": 2,
        "MODERATION_KEYS": [],
        "DISALLOWED_KEYS": [],
        "MIN_SUBMIT_SECONDS": 0,
    }


def text_of(answer) -> str:
    return answer.get_data(as_text=True)


def status_of_text(app, text: str) -> str:
    with app.app_context():
        return db.session.execute(select(Comment.status).where(Comment.text == text)).scalar_one()


def held_for(app, text: str) -> list[str]:
    with app.app_context():
        held = db.session.execute(select(Comment.held_for).where(Comment.text == text)).scalar_one()
        return held.splitlines()


@pytest.fixture
def history(app, article, add_comment, mod, report):
    """Anna: two approved comments, one held, one spam, one in the trash, one reported;
    Hanna (the near miss): one approved comment, one held."""
    ids = {
        # First: a first-time author's comment waits.
        "held": add_comment(article, "Annas väntande", email=ANNA, approve=False),
        "approved": add_comment(article, "Annas första, godkänd", email=ANNA),
        "reported": add_comment(article, "Annas andra, anmäld", email=ANNA),
        "spam": add_comment(article, "Annas skräp", email=ANNA, approve=False),
        "trash": add_comment(article, "Annas borttagna", email=ANNA),
        "hanna_held": add_comment(
            article, "Hannas väntande", email=HANNA, author="Hanna Berg", approve=False
        ),
        "hanna": add_comment(article, "Hannas godkända", email=HANNA, author="Hanna Berg"),
    }
    assert mod.act(ids["spam"], "spam").status_code == 303
    assert mod.act(ids["trash"], "trash").status_code == 303
    report(ids["reported"], "harassment", browser="läsare-1")
    return ids


# --- the history -------------------------------------------------------------------------


def test_the_person_page_lists_every_comment_with_its_state_article_date_and_link(mod, history):
    page = text_of(mod.get(f"/moderation/people?address={ANNA}"))
    for key, text in [
        ("approved", "Annas första, godkänd"),
        ("held", "Annas väntande"),
        ("spam", "Annas skräp"),
        ("trash", "Annas borttagna"),
    ]:
        assert text in page
        assert f'href="/moderation/comments/{history[key]}"' in page
    rows = dict(
        re.findall(r'<tr id="comment-(\d+)">.*?<td class="status">([^<]+)</td>', page, re.S)
    )
    assert rows == {
        str(history["approved"]): "Godkända",
        str(history["reported"]): "Godkända",
        str(history["held"]): "Väntande",
        str(history["spam"]): "Skräp",
        str(history["trash"]): "Papperskorg",
    }
    assert "SOI Mitt startar i Svealand" in page  # the article
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', page)


@pytest.mark.parametrize("typed", [ANNA, "Anna@Example.SE", f"  {ANNA} "])
def test_an_exact_address_never_shows_the_neighbours_comments(mod, history, typed):
    page = text_of(mod.get("/moderation/people", query_string={"address": typed}))
    assert "Annas första, godkänd" in page
    assert "Hannas" not in page and HANNA not in page


def test_the_neighbours_page_shows_hers_only(mod, history):
    page = text_of(mod.get(f"/moderation/people?address={HANNA}"))
    assert "Hannas godkända" in page and "Hannas väntande" in page
    assert "Annas" not in page


def test_a_part_of_an_address_finds_nobody(mod, history):
    page = text_of(mod.get("/moderation/people?address=anna@"))
    assert "Annas" not in page and "Hannas" not in page
    assert "Inga kommentarer från den här adressen" in page


def test_from_a_comment_the_page_is_its_authors(mod, history):
    page = text_of(mod.get(f"/moderation/comments/{history['hanna']}/person"))
    assert "Hannas godkända" in page and "Annas" not in page
    comment_page = text_of(mod.get(f"/moderation/comments/{history['held']}"))
    assert f'href="/moderation/comments/{history["held"]}/person"' in comment_page


def test_a_comment_without_an_email_has_no_person_page(mod, article, add_comment):
    anonymous = add_comment(article, "Utan adress", email="")
    answer = mod.get(f"/moderation/comments/{anonymous}/person")
    assert answer.status_code == 404
    assert "skickades utan e-postadress" in text_of(answer)
    assert "ingen personsida" in text_of(mod.get(f"/moderation/comments/{anonymous}"))


def test_an_unknown_comment_has_no_person(mod):
    assert mod.get("/moderation/comments/999999/person").status_code == 404


def test_the_rates_count_decided_comments_only(mod, history):
    """Anna: 2 approved, 1 spam, 1 trash decided; 1 waiting leaves the rates alone."""
    page = text_of(mod.get(f"/moderation/people?address={ANNA}"))
    approval = re.search(r'class="approval-rate">([^<]+)<', page).group(1)
    rejection = re.search(r'class="rejection-rate">([^<]+)<', page).group(1)
    assert approval.replace("\xa0", " ").strip() == "50 %"
    assert rejection.replace("\xa0", " ").strip() == "50 %"
    assert re.search(r"<dt>Kommentarer</dt><dd>5</dd>", page)
    assert "godkända av 4 avgjorda" in page


def test_with_nothing_decided_the_rates_say_so(mod, article, add_comment):
    add_comment(article, "Bara väntande", email="ny@example.se", approve=False)
    page = text_of(mod.get("/moderation/people?address=ny@example.se"))
    assert re.search(r'class="approval-rate">–', page)


def test_reports_against_their_comments_and_decisions_are_shown(mod, history):
    page = text_of(mod.get(f"/moderation/people?address={ANNA}"))
    reports = page.split('class="person-reports"')[1].split("</ul>")[0]
    assert f"Kommentar {history['reported']}" in reports
    assert "Trakasserier" in reports and "öppen" in reports
    decisions = page.split('class="person-decisions"')[1].split("</ol>")[0]
    assert "moa: markerade som skräp" in decisions
    assert "moa: flyttade till papperskorgen" in decisions
    assert f"Kommentar {history['spam']}" in decisions
    hanna = text_of(mod.get(f"/moderation/people?address={HANNA}"))
    assert "Ingen har anmält" in hanna


def test_bans_of_the_address_are_shown_active_and_lifted(app, mod, history):
    now = utcnow()
    with app.app_context():
        # Written as rows: the bans' own service is another part of the desk.
        db.session.add_all(
            [
                Ban(
                    address=ANNA,
                    reason="harassment",
                    note="Hot mot skribenten",
                    created_by="ada",
                    created_at=now,
                    expires_at=now + timedelta(days=7),
                ),
                Ban(
                    address=ANNA,
                    reason="spam",
                    created_by="ada",
                    created_at=now - timedelta(days=30),
                    lifted_by="moa",
                    lifted_at=now - timedelta(days=20),
                ),
                Ban(
                    address=HANNA,
                    reason="illegal",
                    note="Hannas spärr",
                    created_by="ada",
                    created_at=now,
                ),
                Ban(network="192.0.2.0/24", reason="spam", created_by="ada", created_at=now),
            ]
        )
        db.session.commit()
    page = text_of(mod.get(f"/moderation/people?address={ANNA}"))
    bans = page.split('class="person-bans"')[1].split("</table>")[0]
    assert "Hot mot skribenten" in bans and "Trakasserier" in bans
    assert bans.count('class="ban ban-active"') == 1
    assert bans.count('class="ban ban-lifted"') == 1
    assert "Hannas spärr" not in page
    assert (
        text_of(mod.get("/moderation/people?address=ny@example.se")).count("har aldrig spärrats")
        == 1
    )


def test_without_an_address_the_page_is_the_search_form(mod):
    answer = mod.get("/moderation/people")
    assert answer.status_code == 200
    assert 'name="address"' in text_of(answer)


@pytest.mark.parametrize(
    ("address", "message"),
    [("", "Ange personens e-postadress"), ("a" * 250 + "@example.se", "högst 254 tecken")],
)
def test_a_bad_search_says_why(mod, address, message):
    answer = mod.get("/moderation/people", query_string={"address": address})
    assert answer.status_code == 422
    assert message in text_of(answer)


def test_every_page_of_the_desk_has_the_person_search(mod):
    assert 'id="nav-person"' in text_of(mod.get("/moderation/"))


# --- trust ----------------------------------------------------------------------------


def decide(client: ModeratorClient, trust: str, address: str = ANNA, **extra):
    return client.post(
        "/moderation/people/trust", {"address": address, "trust": trust, "site": "", **extra}
    )


POSTING = {"form": post_form, "api": post_api, "iframe": post_iframe}


@pytest.mark.parametrize("path", POSTING)
def test_a_trusted_persons_first_comment_is_published_their_neighbours_waits(
    app, article, mod, path
):
    answer = decide(mod, "trusted")
    assert answer.status_code == 303
    POSTING[path](app, article, f"Annas första via {path}", ANNA)
    POSTING[path](app, article, f"Hannas första via {path}", HANNA)
    assert status_of_text(app, f"Annas första via {path}") == "approved"
    assert status_of_text(app, f"Hannas första via {path}") == "pending"
    assert held_for(app, f"Hannas första via {path}") == ["first-time"]


def test_trust_skips_the_first_time_hold_only_links_still_hold(app, article, mod):
    decide(mod, "trusted")
    text = "Se https://a.example.se/x https://b.example.se/y och https://c.example.se/z"
    post_form(app, article, text, ANNA)
    assert status_of_text(app, text) == "pending"
    assert held_for(app, text) == ["links:3"]


@pytest.mark.parametrize("path", POSTING)
def test_an_always_held_persons_comments_wait_though_they_were_approved_before(
    app, article, add_comment, mod, path
):
    add_comment(article, "Annas gamla godkända", email=ANNA)
    add_comment(article, "Hannas gamla godkända", email=HANNA, author="Anna Lindqvist")
    assert decide(mod, "held").status_code == 303
    POSTING[path](app, article, f"Annas nya via {path}", ANNA)
    POSTING[path](app, article, f"Hannas nya via {path}", HANNA)
    assert status_of_text(app, f"Annas nya via {path}") == "pending"
    assert held_for(app, f"Annas nya via {path}") == ["person-held"]
    assert status_of_text(app, f"Hannas nya via {path}") == "approved"


@pytest.mark.parametrize("path", EDITORS)
def test_an_always_held_persons_edit_goes_back_to_the_queue(app, article, mod, path):
    """Their comment was published while they were trusted; once they are always held, an
    edit is judged as a new comment: it waits."""
    decide(mod, "trusted")
    edit = EDITORS[path](app, article, ANNA)
    assert status_of_text(app, f"Oskyldig text av {ANNA}") == "approved"
    decide(mod, "held")
    edit(f"Ändrad av Anna via {path}")
    assert status_of_text(app, f"Ändrad av Anna via {path}") == "pending"
    assert held_for(app, f"Ändrad av Anna via {path}") == ["person-held"]


def test_the_queue_says_why_in_a_sentence(app, article, mod):
    decide(mod, "held")
    post_form(app, article, "Väntar för att personen hålls", ANNA)
    queue = text_of(mod.get("/moderation/"))
    assert "en moderator håller alla kommentarer från den här personen" in queue
    assert "person-held" not in queue


def test_back_to_normal_the_policy_decides_again(app, article, mod):
    decide(mod, "held")
    answer = decide(mod, "none")
    assert answer.status_code == 303
    with app.app_context():
        assert db.session.execute(select(PersonTrust)).first() is None
    post_form(app, article, "Första efter beslutet", ANNA)
    assert held_for(app, "Första efter beslutet") == ["first-time"]


def test_each_decision_is_audited_with_the_site_and_shown_on_the_page(app, mod):
    decide(mod, "trusted")
    decide(mod, "held")
    decide(mod, "held")  # the same again: nothing changes, nothing recorded
    with app.app_context():
        events = db.session.execute(
            select(ModerationEvent).where(ModerationEvent.action == "trust")
        ).scalars()
        assert [(e.actor, e.site_id, e.details) for e in events] == [
            ("moa", "default", {"address": ANNA, "trust": "trusted"}),
            ("moa", "default", {"address": ANNA, "trust": "held"}),
        ]
        row = db.session.execute(select(PersonTrust)).scalar_one()
        assert (row.site_id, row.address, row.trust.value, row.decided_by) == (
            "default",
            ANNA,
            "held",
            "moa",
        )
    page = text_of(mod.get(f"/moderation/people?address={ANNA}"))
    assert "Nu: hålls alltid." in page
    decisions = page.split('class="person-decisions"')[1].split("</ol>")[0]
    assert "anna@example.se: hålls alltid" in decisions
    assert "anna@example.se: betrodd" in decisions


def test_the_form_shows_the_decision_and_says_what_changed(mod):
    answer = decide(mod, "trusted")
    assert answer.headers["Location"].endswith("#trust-default")
    page = text_of(mod.get(answer.headers["Location"]))
    assert "anna@example.se är betrodd" in page
    assert re.search(r'value="trusted" id="trust-default-trusted" checked', page)
    again = text_of(mod.client.get(decide(mod, "trusted").headers["Location"]))
    assert "Inget ändrades" in again


def test_the_decision_keys_on_the_normalized_address(app, article, mod):
    decide(mod, "trusted", address="  Anna@EXAMPLE.se ")
    post_form(app, article, "Med versaler i formuläret", "ANNA@example.se")
    assert status_of_text(app, "Med versaler i formuläret") == "approved"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"address": "", "trust": "held"}, "Ange personens e-postadress"),
        ({"address": ANNA, "trust": "forever"}, "Not a valid choice"),
        ({"address": ANNA}, "Välj hur"),
        ({"address": "x" * 300, "trust": "held"}, "högst 254 tecken"),
    ],
)
def test_a_bad_decision_is_refused_with_a_message_and_changes_nothing(app, mod, fields, message):
    answer = mod.post("/moderation/people/trust", {"site": "", **fields})
    assert answer.status_code == 422
    assert message in text_of(answer) or "Inte ett giltigt val" in text_of(answer)
    with app.app_context():
        assert db.session.execute(select(PersonTrust)).first() is None
        trust_events = select(ModerationEvent).where(ModerationEvent.action == "trust")
        assert db.session.execute(trust_events).first() is None


def test_trust_without_a_token_is_refused(app, mod):
    answer = mod.client.post("/moderation/people/trust", data={"address": ANNA, "trust": "held"})
    assert answer.status_code in (400, 403)
    with app.app_context():
        assert db.session.execute(select(PersonTrust)).first() is None


# --- sites ------------------------------------------------------------------------------


@pytest.fixture
def two_sites(app, make_moderator):
    """Sites a and b; Anna wrote on both; moa.a moderates a only, mia both."""
    make_sites(app)
    ids = {
        "a": post_on_site(app, "a", "Annas ord på a", email=ANNA, approve=True),
        "b": post_on_site(app, "b", "Annas ord på b", email=ANNA, approve=True),
    }
    clients = {}
    for name, sites in {"moa.a": ["a"], "mia": ["a", "b"]}.items():
        make_moderator(name)
        for site in sites:
            give_role(app, name, site)
        clients[name] = ModeratorClient(app.test_client())
        assert clients[name].login(name).status_code == 303
    return {"ids": ids, "clients": clients}


def test_trusted_on_one_site_is_not_trusted_on_the_other(app, two_sites):
    mia = two_sites["clients"]["mia"]
    assert decide(mia, "trusted", address="ny@example.se", site="a").status_code == 303
    # b first: WordPress's first-time rule counts an approved comment on any site.
    first_b = post_on_site(app, "b", "Ny på b", email="ny@example.se")
    first_a = post_on_site(app, "a", "Ny på a", email="ny@example.se")
    with app.app_context():
        assert db.session.get(Comment, first_a).status.value == "approved"
        assert db.session.get(Comment, first_b).status.value == "pending"


def test_a_sites_moderator_sees_that_sites_part_of_the_person_only(app, two_sites):
    moa = two_sites["clients"]["moa.a"]
    page = text_of(moa.get(f"/moderation/people?address={ANNA}"))
    assert "Annas ord på a" in page and "Annas ord på b" not in page
    assert text_of(moa.get(f"/moderation/people?address={ANNA}&site=b")).count("ord på b") == 0
    assert moa.get(f"/moderation/comments/{two_sites['ids']['b']}/person").status_code == 404
    mia = text_of(two_sites["clients"]["mia"].get(f"/moderation/people?address={ANNA}"))
    assert "Annas ord på a" in mia and "Annas ord på b" in mia
    only_b = text_of(two_sites["clients"]["mia"].get(f"/moderation/people?address={ANNA}&site=b"))
    assert "Annas ord på a" not in only_b and "Annas ord på b" in only_b


def test_a_sites_moderator_cannot_decide_on_another_site(app, two_sites):
    moa = two_sites["clients"]["moa.a"]
    assert decide(moa, "held", site="b").status_code == 404
    assert decide(moa, "held", site="nosuchsite").status_code == 404
    with app.app_context():
        assert db.session.execute(select(PersonTrust)).first() is None
    # Their own site needs no choosing: it is their only one.
    assert decide(moa, "held").status_code == 303
    with app.app_context():
        assert db.session.execute(select(PersonTrust.site_id)).scalars().all() == ["a"]


def test_a_moderator_of_several_sites_chooses_one(app, two_sites):
    answer = decide(two_sites["clients"]["mia"], "held")
    assert answer.status_code == 422
    assert "Välj den webbplats" in text_of(answer)
    with app.app_context():
        assert db.session.execute(select(PersonTrust)).first() is None


def test_the_page_offers_a_decision_on_each_site_where_the_person_wrote(app, two_sites):
    page = text_of(two_sites["clients"]["mia"].get(f"/moderation/people?address={ANNA}"))
    assert 'id="trust-a"' in page and 'id="trust-b"' in page
    moa = text_of(two_sites["clients"]["moa.a"].get(f"/moderation/people?address={ANNA}"))
    assert 'id="trust-a"' in moa and 'id="trust-b"' not in moa


# --- personal data ------------------------------------------------------------------------


def test_the_export_holds_the_trust_decisions_and_the_erasure_removes_them(app, runner, mod):
    import json

    decide(mod, "held")
    decide(mod, "trusted", address=HANNA)
    document = json.loads(runner.invoke(args=["privacy-export", ANNA]).output)
    assert document["trust"] == [
        {
            "site": "default",
            "trust": "held",
            "decided_by": "moa",
            "decided_at": document["trust"][0]["decided_at"],
        }
    ]
    result = runner.invoke(args=["privacy-erase", ANNA])
    assert result.exit_code == 0, result.output
    with app.app_context():
        left = db.session.execute(select(PersonTrust.address)).scalars().all()
        assert left == [HANNA]
        details = [
            e.details
            for e in db.session.execute(
                select(ModerationEvent).where(ModerationEvent.action == "trust")
            ).scalars()
        ]
    assert {"address": "", "trust": "held"} in details
    assert {"address": HANNA, "trust": "trusted"} in details
    assert ANNA not in [d["address"] for d in details]
    again = runner.invoke(args=["privacy-export", ANNA]).output
    assert json.loads(again[: again.rindex("}") + 1])["trust"] == []


def test_a_sites_export_holds_that_sites_trust_decisions_only(app, runner, two_sites):
    import json

    mia = two_sites["clients"]["mia"]
    decide(mia, "trusted", site="a")
    decide(mia, "held", site="b")
    whole = json.loads(runner.invoke(args=["privacy-export", ANNA]).output)
    assert [(row["site"], row["trust"]) for row in whole["trust"]] == [
        ("a", "trusted"),
        ("b", "held"),
    ]
    only_a = json.loads(runner.invoke(args=["privacy-export", ANNA, "--site", "a"]).output)
    assert [(row["site"], row["trust"]) for row in only_a["trust"]] == [("a", "trusted")]


def test_the_privacy_page_counts_the_trust_decisions(app, admin, mod):
    decide(mod, "held")
    decide(mod, "trusted", address=HANNA)
    shown = text_of(admin.post("/moderation/privacy/lookup", {"email": ANNA}))
    assert "Moderatorernas beslut om personen (betrodd, hålls alltid): 1" in shown


def test_the_page_and_its_messages_speak_english_too(mod, history):
    page = text_of(mod.get(f"/moderation/people?address={ANNA}&lang=en"))
    assert "Approval rate" in page and "Rejection rate" in page and "Andel" not in page
    refused = mod.post("/moderation/people/trust", {"address": "", "trust": "held", "lang": "en"})
    assert refused.status_code == 422
    assert "Enter the person's email address." in text_of(refused)
