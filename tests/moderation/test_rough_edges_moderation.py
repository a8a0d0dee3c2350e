"""What moderators and admins see: the dense list view (remembered), the text a reply
answers, counts in singular and plural (also in the shell and the audit log), and the privacy
log's results in Swedish."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from commentsvc.extensions import db
from commentsvc.models import OutboxMail, utcnow


def test_the_list_view_shows_one_row_per_comment_and_is_remembered(mod, held, article):
    first = held("Hur påverkar det pendlingen från Sundsvall? " + "Lång text. " * 40)
    cards = mod.get("/moderation/").get_data(as_text=True)
    assert '<ol class="queue"' in cards and 'aria-current="page">Kort</a>' in cards
    listed = mod.get("/moderation/?view=list").get_data(as_text=True)
    assert '<table class="queue queue-list"' in listed
    row = re.search(rf'<tr class="queue-item" id="row-{first}".*?</tr>', listed, re.DOTALL)
    cells = row.group(0)
    assert "Anna Lindqvist" in cells and "anna@example.se" in cells
    assert "Hur påverkar det pendlingen" in cells and "…" in cells  # an excerpt
    assert "SOI Mitt startar i Svealand" in cells
    assert "första kommentaren från denna författare" in cells
    assert 'data-shortcut="a"' in cells and 'form="bulk"' in cells
    # The next visit, without asking, is the list again; asking for cards switches back.
    assert '<table class="queue queue-list"' in mod.get("/moderation/").get_data(as_text=True)
    assert '<ol class="queue"' in mod.get("/moderation/?view=cards").get_data(as_text=True)
    assert '<ol class="queue"' in mod.get("/moderation/").get_data(as_text=True)


def test_a_reply_shows_the_text_it_answers_in_both_views(mod, held, article, add_comment):
    parent = add_comment(article, "Bron öppnar i maj, enligt kommunen.", author="Bo Ek")
    held("Stämmer det verkligen?", parent=parent, author="Lisa Berg", email="lisa@example.se")
    held("En vanlig kommentar", author="Karin", email="karin@example.se")
    for view in ("cards", "list"):
        page = mod.get(f"/moderation/?view={view}").get_data(as_text=True)
        quoted = re.findall(r'<blockquote class="parent-text">(.*?)</blockquote>', page)
        assert quoted == ["Bron öppnar i maj, enligt kommunen."], view


def test_bulk_on_one_comment_says_so_in_the_singular(mod, held):
    one = held()
    response = mod.post(
        "/moderation/bulk", {"action": "approve", "ids": [str(one)]}, follow_redirects=True
    )
    assert "1 kommentar uppdaterad." in response.get_data(as_text=True)


def test_the_privacy_logs_results_are_in_swedish(app, admin, article, add_comment):
    add_comment(article, "Annas text", email="anna@example.se")
    add_comment(article, "Gretas text", email="greta.anna@example.se")  # a near miss: kept
    admin.post("/moderation/privacy/erase", {"email": "anna@example.se", "confirm": "yes"})
    admin.post("/moderation/privacy/lookup", {"email": "greta.anna@example.se"})
    page = admin.get("/moderation/privacy").get_data(as_text=True)
    table = re.search(r'<table class="privacy-audit">.*?</table>', page, re.DOTALL).group(0)
    assert '<th scope="col">Resultat</th>' in table
    assert "1 kommentar anonymiserad, 0 borttagna, 0 andra poster" in table
    assert "comments anonymized" not in table and " rows" not in table
    assert " UTC" not in table  # times in the configured zone, as on every other page


def test_a_purge_of_one_sent_mail_says_so_in_the_singular_in_the_shell_and_the_log(
    app, runner, admin, held, make_moderator
):
    make_moderator("mia", email="mia@example.se", notify=True)
    comment = held()
    with app.app_context():
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.comment_id == comment)
            .values(sent_at=utcnow() - timedelta(days=400))
        )
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Raderade 1 skickat mejl." in result.output
    page = admin.get("/moderation/privacy").get_data(as_text=True)
    table = re.search(r'<table class="privacy-audit">.*?</table>', page, re.DOTALL).group(0)
    assert "0 IP-adresser tömda, 0 kommentarer borttagna, 1 skickat mejl raderat" in table
    assert "sent mails" not in table


def test_the_audit_log_counts_one_event_in_the_singular(admin):
    admin.post(
        "/moderation/settings",
        {
            "MODERATION": "first-time",
            "MAX_LINKS": "4",
            "MODERATION_KEYS": "",
            "DISALLOWED_KEYS": "",
            "MIN_SUBMIT_SECONDS": "0",
            "CLOSE_AFTER_DAYS": "0",
        },
    )
    page = admin.get("/moderation/log?kind=settings").get_data(as_text=True)
    assert "<p>1 händelse</p>" in page
