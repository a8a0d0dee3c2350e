"""A person's data on several sites: the address is one person, so the export and the erasure
cover every site and say which site each row is of; a site's admin sees their sites' part
and asks the installation's admin to erase."""

from __future__ import annotations

import json

import pytest

from tests.moderation.conftest import ModeratorClient
from tests.moderation.two_sites import give_role, make_sites, post, report

EVA = "eva@example.se"
NEAR_MISS = "greta.eva@example.se"  # another person: never in Eva's data


@pytest.fixture
def config_overrides():
    return {"REPORTS_TO_HOLD": 0}


@pytest.fixture
def eva(app):
    """Eva wrote on both sites' "nyhet-1" and reported a comment on b; Greta Eva wrote on a."""
    make_sites(app)
    ids = {
        "a": post(app, "a", "Evas ord på a.", email=EVA, approve=True),
        "b": post(app, "b", "Eva's words on b.", email=EVA, approve=True),
        "near": post(app, "a", "Gretas ord.", email=NEAR_MISS, approve=True),
    }
    report(app, post(app, "b", "Olle on b.", email="olle@example.se", approve=True), email=EVA)
    return ids


def export(runner, *args):
    result = runner.invoke(args=["privacy-export", EVA, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_export_covers_every_site_and_names_each_rows_site(runner, eva):
    document = export(runner)
    assert [(c["id"], c["site"]) for c in document["comments"]] == [
        (eva["a"], "a"),
        (eva["b"], "b"),
    ]
    assert [r["site"] for r in document["reports"]] == ["b"]
    assert "sites" not in document and "moderator_accounts" in document
    assert NEAR_MISS not in json.dumps(document) and "Gretas ord" not in json.dumps(document)


def test_a_sites_export_holds_that_sites_part_only(runner, eva):
    a = export(runner, "--site", "a")
    assert a["sites"] == ["a"]
    assert [c["text"] for c in a["comments"]] == ["Evas ord på a."]
    assert a["reports"] == []  # her report is of b's comment
    assert "moderator_accounts" not in a and "links" not in a
    assert a["installation_only"] == ["failed_logins", "links", "moderator_accounts"]
    b = export(runner, "--site", "b")
    assert [c["text"] for c in b["comments"]] == ["Eva's words on b."]
    assert [r["site"] for r in b["reports"]] == ["b"]
    unknown = runner.invoke(args=["privacy-export", EVA, "--site", "c"])
    assert unknown.exit_code != 0 and "Det finns ingen webbplats c" in unknown.output


def test_the_erasure_reaches_every_site_and_leaves_the_near_miss(app, runner, eva):
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    result = runner.invoke(args=["privacy-erase", EVA])
    assert result.exit_code == 0, result.output
    with app.app_context():
        emails = {i: db.session.get(Comment, i).email for i in eva.values()}
    assert emails == {eva["a"]: "", eva["b"]: "", eva["near"]: NEAR_MISS}


@pytest.fixture
def sara(app, make_moderator, eva):
    """Admin of site a only."""
    make_moderator("sara")
    give_role(app, "sara", "a", "admin")
    client = ModeratorClient(app.test_client())
    assert client.login("sara").status_code == 303
    return client


def test_a_sites_admin_sees_their_sites_part_and_is_told_whom_to_ask_to_erase(
    app, admin, sara, eva
):
    from commentsvc.extensions import db
    from commentsvc.models.threads import Comment

    page = sara.post("/moderation/privacy/lookup", {"email": EVA}).get_data(as_text=True)
    assert "Kommentarer: 1" in page
    assert "Evas ord på a." in page and "Eva&#39;s words on b." not in page
    assert "Fråga: ada." in page  # the installation's admin
    assert "/moderation/privacy/erase" not in page
    download = sara.post("/moderation/privacy/export", {"email": EVA})
    assert [c["site"] for c in json.loads(download.get_data(as_text=True))["comments"]] == ["a"]
    refused = sara.post("/moderation/privacy/erase", {"email": EVA, "confirm": "yes"})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get(Comment, eva["a"]).email == EVA  # nothing was erased

    whole = admin.post("/moderation/privacy/lookup", {"email": EVA}).get_data(as_text=True)
    assert "Kommentarer: 2" in whole
    assert "Webbplats: a: 1" in whole and "Webbplats: b: 1" in whole
    assert "/moderation/privacy/erase" in whole


def test_a_sites_moderator_has_no_privacy_page(app, make_moderator, eva):
    make_moderator("mats")
    give_role(app, "mats", "a", "moderator")
    mats = ModeratorClient(app.test_client())
    mats.login("mats")
    assert mats.get("/moderation/privacy").status_code == 403
    assert mats.post("/moderation/privacy/lookup", {"email": EVA}).status_code == 403
