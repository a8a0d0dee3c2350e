"""The transparency report per site (``--site``, the page's site) and for the installation,
whose totals come with each site's figures beside them; a site's admin sees their site's."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from tests.moderation.conftest import ModeratorClient
from tests.moderation.two_sites import NOW, decide, give_role, make_sites, post, report
from tests.test_audit_details import database as database  # the fixture, used here


@pytest.fixture
def config_overrides():
    return {"REPORTS_TO_HOLD": 0}


@pytest.fixture
def reported(app):
    """On b: one comment removed after two notices, one still open. On a (the same key): one
    kept after a notice; one comment waits for review, unreported."""
    make_sites(app)
    removed = post(app, "b", "Ett hot.", approve=True)
    report(app, removed, "illegal", browser="1")
    report(app, removed, "harassment", browser="2")
    decide(app, removed, remove=True, when=NOW + timedelta(hours=4))
    report(app, post(app, "b", "Reklam.", approve=True), "spam", browser="3")
    kept = post(app, "a", "Helt okej.", email="olle@example.se", approve=True)
    report(app, kept, "off-topic", browser="4")
    decide(app, kept, remove=False, when=NOW + timedelta(hours=2))
    post(app, "a", "Väntar.", email="ny@example.se")


def report_json(runner, *args):
    result = runner.invoke(args=["transparency-report", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_sites_report_counts_its_own_reports_and_decisions_only(runner, reported):
    b = report_json(runner, "--site", "b")
    assert b["site"] == "b"
    assert b["notices"] == 3
    assert b["notices_by_reason"]["illegal"] == 1 and b["notices_by_reason"]["off-topic"] == 0
    assert b["decisions"] == {"kept": 0, "removed": 1}
    assert b["median_hours_notice_to_decision"] == 4.0
    assert b["open_reports"] == 1
    assert b["comments_by_status"] == {"pending": 0, "approved": 1, "spam": 0, "trash": 1}
    assert "sites" not in b
    a = report_json(runner, "--site", "a")
    assert a["notices"] == 1 and a["notices_by_reason"]["off-topic"] == 1
    assert a["decisions"] == {"kept": 1, "removed": 0}
    assert a["median_hours_notice_to_decision"] == 2.0
    assert a["open_reports"] == 0
    assert a["comments_by_status"] == {"pending": 1, "approved": 1, "spam": 0, "trash": 0}
    default = report_json(runner, "--site", "default")
    assert default["notices"] == 0 and default["decisions"] == {"kept": 0, "removed": 0}


def test_the_installations_report_has_the_totals_and_each_sites_figures_beside(runner, reported):
    whole = report_json(runner)
    assert whole["site"] is None
    assert whole["notices"] == 4
    assert whole["decisions"] == {"kept": 1, "removed": 1}
    assert sorted(whole["sites"]) == ["a", "b", "default"]
    assert whole["sites"]["b"]["notices"] == 3 and whole["sites"]["a"]["notices"] == 1
    assert sum(part["notices"] for part in whole["sites"].values()) == whole["notices"]

    markdown = runner.invoke(args=["transparency-report"]).output
    assert "Alla webbplatser i installationen" in markdown
    assert "## Per webbplats" in markdown
    assert "| b | 3 | 0 | 1 | 0 | 1 | 4.0 timmar | 2 |" in markdown
    assert "| a | 1 | 1 | 0 | 0 | 0 | 2.0 timmar | 2 |" in markdown
    one = runner.invoke(args=["transparency-report", "--site", "a"]).output
    assert "Webbplats: a" in one and "Per webbplats" not in one


def test_the_report_as_csv_has_one_row_per_site_and_figure(runner, reported):
    result = runner.invoke(args=["transparency-report", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    value = {(r["site"], r["figure"]): r["value"] for r in rows}
    assert value[("", "notices")] == "4"  # the installation's total: no site
    assert value[("b", "notices")] == "3"
    assert value[("a", "decisions.kept")] == "1"
    assert value[("b", "decisions.kept")] == "0"
    assert value[("default", "median_hours_notice_to_decision")] == ""  # none decided
    assert value[("a", "comments_by_status.pending")] == "1"


def test_the_period_ends_with_the_day_given_and_bad_input_is_refused(runner, reported):
    day = NOW.date()
    inside = report_json(runner, "--since", str(day), "--until", str(day))
    assert inside["notices"] == 4
    before = report_json(runner, "--until", str(day - timedelta(days=1)))
    assert before["notices"] == 0 and before["sites"]["b"]["notices"] == 0
    for args, hint in (
        (["--since", "2026-03-02", "--until", "2026-03-01"], "startdagen"),
        (["--until", "igår"], "ÅÅÅÅ-MM-DD"),
        (["--site", "c"], "Det finns ingen webbplats c"),
    ):
        result = runner.invoke(args=["transparency-report", *args])
        assert result.exit_code != 0 and hint in result.output, result.output


def test_the_page_shows_the_installation_with_its_sites_and_one_site_on_asking(
    app, admin, reported
):
    page = admin.get("/moderation/transparency").get_data(as_text=True)
    assert "Alla webbplatser i installationen" in page
    assert "Per webbplats" in page
    assert "<td>4</td>" in page  # the total of notices
    one = admin.get("/moderation/transparency?site=a").get_data(as_text=True)
    assert "Webbplats: a" in one and "Per webbplats" not in one
    assert "Kommentarer som fick vara kvar: 1" in one
    assert "Kommentarer som togs bort: 0" in one  # b's removal is not a's
    unknown = admin.get("/moderation/transparency?site=c")
    assert unknown.status_code == 422
    assert 'id="site-error">Det finns ingen webbplats c.' in unknown.get_data(as_text=True)
    bad = admin.get("/moderation/transparency?since=2026-03-02&until=2026-03-01")
    assert bad.status_code == 422 and "startdagen" in bad.get_data(as_text=True)


def test_a_sites_admin_sees_their_sites_figures_and_no_other(app, make_moderator, reported):
    make_moderator("sara")
    give_role(app, "sara", "a", "admin")
    make_moderator("mats")
    give_role(app, "mats", "b", "moderator")  # a moderator of b is no admin of it
    sara = ModeratorClient(app.test_client())
    sara.login("sara")
    page = sara.get("/moderation/transparency")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Webbplats: a" in text
    assert "Alla webbplatser" not in text and "Per webbplats" not in text
    assert '<option value="b"' not in text
    assert sara.get("/moderation/transparency?site=b").status_code == 403
    mats = ModeratorClient(app.test_client())
    mats.login("mats")
    assert mats.get("/moderation/transparency").status_code == 403


def test_the_upgrade_gives_earlier_reports_and_statements_the_default_site(database):
    """Every report and statement from before sites is the default site's, as every thread
    was; the downgrade takes the column away again."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from commentsvc.extensions import db

    app = database()
    with app.app_context():
        upgrade(revision="0019_sites")
        db.session.execute(
            sa.text(
                "INSERT INTO report (comment_id, reason, explanation, name, email, address,"
                " reporter_token, good_faith, lang, created_at, purged, network)"
                " VALUES (7, 'spam', '', '', '', '', '', false, 'sv', :now, false, '')"
            ),
            {"now": NOW},
        )
        db.session.execute(
            sa.text(
                "INSERT INTO statement_of_reasons (comment_id, recipient, address, reason,"
                " ground, body, decided_by, created_at)"
                " VALUES (7, '', '', 'spam', 'Reklam.', '', 'ada', :now)"
            ),
            {"now": NOW},
        )
        db.session.commit()
        upgrade(revision="0020_report_site")
        sites = db.session.execute(
            sa.text("SELECT site_id FROM report UNION ALL SELECT site_id FROM statement_of_reasons")
        ).scalars()
        assert list(sites) == ["default", "default"]
        db.session.commit()  # the read's transaction would hold the downgrade's lock
        downgrade(revision="0019_sites")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("report")}
        assert "site_id" not in columns and "reason" in columns
        db.session.remove()
