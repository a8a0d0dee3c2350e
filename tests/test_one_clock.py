"""One clock: every page, mail, log line and report shows a moment in its site's time zone and
names the zone (``2026-07-01 14:00 CEST``), or in UTC saying so where a machine reads it
(``<time datetime="2026-07-01T12:00:00Z">``, JSON, CSV, logs).

Two sites: the installation's own ("default", Europe/Stockholm, as the installation) and
"ny" (America/New_York, English). Winter and summer moments, and the minutes either side of
each change of the clocks, which differs by weeks between the two zones."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

# The desk's fixtures, for this module too.
from tests.moderation.conftest import ModeratorClient
from tests.moderation.conftest import admin as admin
from tests.moderation.conftest import make_moderator as make_moderator

KEY = "nyhet-1"  # both sites have a thread with this key
WINTER = datetime(2026, 12, 7, 13, 2, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)

# (moment in UTC, Stockholm shows, New York shows)
SHOWN = [
    (WINTER, "2026-12-07 14:02 CET", "2026-12-07 08:02 EST"),
    (SUMMER, "2026-07-01 14:00 CEST", "2026-07-01 08:00 EDT"),
]
# The minute before and the minute after each zone's clocks change: near misses of an hour.
DST = [
    # New York springs forward on 8 March at 02:00 EST (07:00 UTC)...
    (datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York", "2026-03-08 01:59 EST"),
    (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York", "2026-03-08 03:00 EDT"),
    # ...while Stockholm is still on winter time for three weeks.
    (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "Europe/Stockholm", "2026-03-08 08:00 CET"),
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "Europe/Stockholm", "2026-03-29 01:59 CET"),
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/Stockholm", "2026-03-29 03:00 CEST"),
    # Back in autumn: the same hour on the wall clock twice, told apart by the zone.
    (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "Europe/Stockholm", "2026-10-25 02:59 CEST"),
    (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "Europe/Stockholm", "2026-10-25 02:00 CET"),
    (datetime(2026, 11, 1, 5, 59, tzinfo=UTC), "America/New_York", "2026-11-01 01:59 EDT"),
    (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), "America/New_York", "2026-11-01 01:00 EST"),
    (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), "Europe/London", "2026-11-01 06:00 GMT"),
    (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Europe/London", "2026-07-01 13:00 BST"),
    # A zone without an abbreviation says its offset from UTC.
    (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Asia/Dubai", "2026-07-01 16:00 UTC+04"),
]


@pytest.fixture
def sites(app):
    from commentsvc import threads
    from commentsvc.extensions import db
    from commentsvc.sites import add_site

    with app.app_context():
        add_site(
            "ny",
            name="Nordic News NY",
            origins=["https://nordic.example.com"],
            settings={"TIMEZONE": "America/New_York", "LANGUAGE": "en"},
            by="test",
            now=WINTER,
        )
        threads.create_article(KEY, title="Kommunfullmäktige", site="default")
        threads.create_article(KEY, title="Jazz in the park", site="ny")
        db.session.commit()


def post(app, site, when, *, email, approve=False, text="En fråga om mötet."):
    """A comment on the site's thread at ``when``, through the service; its id."""
    from commentsvc import moderation, threads
    from commentsvc.extensions import db
    from commentsvc.models.threads import CommentStatus

    with app.app_context():
        draft = threads.Draft(comment=text, author="Eva Berg", email=email)
        article = threads.find_article(KEY, site=site)
        comment = threads.post_comment(article, draft, ip="192.0.2.0", now=when)
        if approve and comment.status != CommentStatus.APPROVED:
            moderation.approve(comment.id, by="test", now=when)
        db.session.commit()
        return comment.id


def times(page: str) -> list[tuple[str, str]]:
    """Each ``<time>`` of a page: (its datetime attribute, the text a person reads)."""
    return re.findall(r'<time datetime="([^"]+)">([^<]*)</time>', page)


# --- the one helper --------------------------------------------------------------------------


@pytest.mark.parametrize(("moment", "zone", "shown"), DST)
def test_the_hour_either_side_of_a_change_of_the_clocks_names_its_zone(app, moment, zone, shown):
    from commentsvc.dates import site_time

    with app.test_request_context():
        assert site_time(moment, zone) == shown


@pytest.mark.parametrize(
    ("day", "zone", "start"),
    [
        ("2026-12-07", "Europe/Stockholm", "2026-12-06T23:00:00+00:00"),
        ("2026-07-01", "Europe/Stockholm", "2026-06-30T22:00:00+00:00"),
        ("2026-07-01", "America/New_York", "2026-07-01T04:00:00+00:00"),
        ("2026-03-29", "Europe/Stockholm", "2026-03-28T23:00:00+00:00"),  # a 23-hour day
        ("2026-03-30", "Europe/Stockholm", "2026-03-29T22:00:00+00:00"),
    ],
)
def test_a_day_someone_types_begins_at_midnight_on_the_sites_clocks(day, zone, start):
    from datetime import date

    from commentsvc.dates import day_start

    assert day_start(date.fromisoformat(day), zone).isoformat() == start


# --- the surfaces ----------------------------------------------------------------------------


@pytest.mark.parametrize(("moment", "stockholm", "new_york"), SHOWN)
def test_the_queue_shows_each_comment_in_its_sites_zone_and_names_it(
    app, sites, admin, moment, stockholm, new_york
):
    post(app, "default", moment, email="anna@example.se")
    post(app, "ny", moment, email="hanna@example.se")
    page = admin.get("/moderation/").get_data(as_text=True)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sorted(times(page)) == sorted([(stamp, stockholm), (stamp, new_york)])
    # The comment's own page says the same.
    with app.app_context():
        from commentsvc.extensions import db
        from commentsvc.models.threads import Comment

        ny_id = db.session.execute(
            select(Comment.id).where(Comment.email == "hanna@example.se")
        ).scalar_one()
    page = admin.get(f"/moderation/comments/{ny_id}").get_data(as_text=True)
    assert (stamp, new_york) in times(page)
    assert (stamp, stockholm) not in times(page)


@pytest.mark.parametrize(("moment", "stockholm", "new_york"), SHOWN)
def test_the_audit_log_names_the_zone_of_each_records_site(
    app, sites, admin, moment, stockholm, new_york
):
    from commentsvc import moderation
    from commentsvc.extensions import db

    a = post(app, "default", moment, email="anna@example.se")
    b = post(app, "ny", moment, email="hanna@example.se")
    with app.app_context():
        moderation.approve(a, by="ada", now=moment)
        moderation.approve(b, by="ada", now=moment)
        db.session.commit()
    page = admin.get("/moderation/log").get_data(as_text=True)
    shown = [text for _stamp, text in times(page)]
    assert stockholm in shown and new_york in shown
    assert not any(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", text) for text in shown)


def test_the_audit_logs_days_are_the_installations_not_utcs(app, sites, admin):
    from commentsvc import moderation
    from commentsvc.extensions import db

    # 23:30 UTC on 14 January is already the 15th in Stockholm; 22:59 UTC is not.
    late = post(app, "default", WINTER, email="anna@example.se")
    early = post(app, "default", WINTER, email="hanna@example.se")
    with app.app_context():
        moderation.approve(late, by="ada", now=datetime(2026, 1, 14, 23, 30, tzinfo=UTC))
        moderation.approve(early, by="ada", now=datetime(2026, 1, 14, 22, 59, tzinfo=UTC))
        db.session.commit()
    page = admin.get("/moderation/log?since=2026-01-15&until=2026-01-15").get_data(as_text=True)
    assert [text for _s, text in times(page)] == ["2026-01-15 00:30 CET"]
    page = admin.get("/moderation/log?since=2026-01-14&until=2026-01-14").get_data(as_text=True)
    assert [text for _s, text in times(page)] == ["2026-01-14 23:59 CET"]
    assert "Datumen är dygn i Europe/Stockholm" in page


def test_the_audit_log_of_a_sites_admin_counts_that_sites_days(app, sites, make_moderator):
    from commentsvc import moderation
    from commentsvc.extensions import db
    from commentsvc.models.moderation import Moderator, ModeratorRole
    from commentsvc.models.sites import SiteRole

    make_moderator("nina")
    with app.app_context():
        nina = db.session.query(Moderator).filter_by(username="nina").one()
        db.session.add(SiteRole(moderator_id=nina.id, site_id="ny", role=ModeratorRole.ADMIN))
        db.session.commit()
    # 03:30 UTC on 15 January is still the 14th (22:30) in New York.
    comment = post(app, "ny", WINTER, email="hanna@example.se")
    with app.app_context():
        moderation.approve(comment, by="nina", now=datetime(2026, 1, 15, 3, 30, tzinfo=UTC))
        db.session.commit()
    client = ModeratorClient(app.test_client())
    assert client.login("nina").status_code == 303
    page = client.get("/moderation/log?since=2026-01-14&until=2026-01-14").get_data(as_text=True)
    assert [text for _s, text in times(page)] == ["2026-01-14 22:30 EST"]
    assert "Datumen är dygn i America/New_York" in page
    page = client.get("/moderation/log?since=2026-01-15&until=2026-01-15").get_data(as_text=True)
    assert times(page) == []


@pytest.mark.parametrize(
    ("moment", "shown"),
    [(WINTER, "2026-12-07 14:02 CET"), (SUMMER, "2026-07-01 14:00 CEST")],
)
def test_the_privacy_page_shows_its_requests_in_the_installations_zone(app, admin, moment, shown):
    from commentsvc.audit import record_event
    from commentsvc.extensions import db
    from commentsvc.models.moderation import AuditAction

    with app.app_context():
        record_event(AuditAction.PRIVACY_EXPORT, {"rows": 2}, by="ada", now=moment)
        db.session.commit()
    page = admin.get("/moderation/privacy").get_data(as_text=True)
    table = re.search(r'<table class="privacy-audit">.*?</table>', page, re.DOTALL).group(0)
    assert (moment.strftime("%Y-%m-%dT%H:%M:%SZ"), shown) in times(table)


def test_the_privacy_document_dates_a_late_evening_mail_on_the_sites_day(
    app, sites, admin, make_moderator
):
    # Sent to the moderators at 00:30 on 7 December in Stockholm (23:30 UTC the day before).
    make_moderator("mia", email="mia@example.se", notify=True)
    post(app, "default", datetime(2026, 12, 6, 23, 30, tzinfo=UTC), email="anna@example.se")
    page = admin.post("/moderation/privacy/lookup", {"email": "anna@example.se"})
    text = page.get_data(as_text=True)
    assert "för granskning den 7 dec. 2026" in text
    assert "Tiderna i den är i UTC" in text  # the document itself keeps UTC, and says so
    assert "6 dec. 2026" not in text


@pytest.mark.parametrize(("moment", "stockholm", "new_york"), SHOWN)
def test_mails_in_the_outbox_name_their_sites_zone(app, sites, moment, stockholm, new_york):
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail
    from commentsvc.models.reports import ReportReason

    for site, email in (("default", "anna@example.se"), ("ny", "hanna@example.se")):
        comment_id = post(app, site, moment, email=email, approve=True, text="Ett hot.")
        with app.app_context():
            reports.file_report(
                comment_id,
                reports.NewReport(reason=ReportReason.ILLEGAL, email=f"notifier.{email}"),
                reporter=reports.reporter_key(f"browser-{site}"),
                network="network",
                lang="",
                now=moment,
            )
            reports.remove(comment_id, reason="illegal", ground="Olaga hot.", by="ada", now=moment)
            db.session.commit()
    with app.app_context():
        bodies = {
            (mail.kind, mail.recipient): mail.body
            for mail in db.session.execute(select(OutboxMail)).scalars()
        }
    # The receipt of a report and the statement of reasons to the author, in each site's zone.
    assert f"Mottagen: {stockholm}" in bodies["report_received", "notifier.anna@example.se"]
    assert f"Received: {new_york}" in bodies["report_received", "notifier.hanna@example.se"]
    assert f"skriven {stockholm}" in bodies["statement", "anna@example.se"]
    assert f"written {new_york}" in bodies["statement", "hanna@example.se"]
    assert not any(" UTC" in body for body in bodies.values())


@pytest.mark.parametrize(("moment", "stockholm", "new_york"), SHOWN)
def test_the_reports_tab_shows_reports_and_statements_in_their_sites_zone(
    app, sites, admin, moment, stockholm, new_york
):
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.reports import ReportReason

    ids = {}
    for site, email in (("default", "anna@example.se"), ("ny", "hanna@example.se")):
        ids[site] = post(app, site, moment, email=email, approve=True, text="Ett hot.")
        with app.app_context():
            reports.file_report(
                ids[site],
                reports.NewReport(reason=ReportReason.ILLEGAL),
                reporter=reports.reporter_key(f"browser-{site}"),
                network="network",
                lang="",
                now=moment,
            )
            db.session.commit()
    page = admin.get("/moderation/reports").get_data(as_text=True)
    shown = [text for _stamp, text in times(page)]
    assert sorted(shown) == sorted([stockholm, new_york])
    with app.app_context():
        reports.remove(ids["ny"], reason="illegal", ground="Olaga hot.", by="ada", now=moment)
        db.session.commit()
    page = admin.get("/moderation/reports").get_data(as_text=True)
    assert f"Kommentar {ids['ny']}, {new_york}, av ada" in page


def test_mail_failures_in_the_shell_name_the_mails_site_zone(app, sites, runner):
    from commentsvc.extensions import db
    from commentsvc.models.mail import OutboxMail

    with app.app_context():
        for site, recipient in (("ny", "hanna@example.se"), ("default", "anna@example.se")):
            mail = OutboxMail.due_now(recipient, "Hej", "Brödtext\n", now=SUMMER)
            mail.site_id, mail.failed_at, mail.last_error = site, SUMMER, "550 no such user"
            db.session.add(mail)
        db.session.commit()
    result = runner.invoke(args=["mail-failures"])
    assert result.exit_code == 0, result.output
    assert "\t2026-07-01 08:00 EDT\t'hanna@example.se'" in result.output
    assert "\t2026-07-01 14:00 CEST\t'anna@example.se'" in result.output
    assert "UTC" not in result.output


def _report(app, site, email, when):
    from commentsvc import reports
    from commentsvc.extensions import db
    from commentsvc.models.reports import ReportReason

    comment_id = post(app, site, when, email=email, approve=True)
    with app.app_context():
        reports.file_report(
            comment_id,
            reports.NewReport(reason=ReportReason.ILLEGAL),
            reporter=reports.reporter_key(f"browser-{email}"),
            network="network",
            lang="",
            now=when,
        )
        db.session.commit()


def test_the_transparency_reports_days_are_the_sites_days(app, sites, runner):
    # 03:30 UTC on 1 July: 05:30 in Stockholm, still 30 June (23:30) in New York.
    night = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    _report(app, "default", "anna@example.se", night)
    _report(app, "ny", "hanna@example.se", night)
    july_first = ["--since", "2026-07-01", "--until", "2026-07-01", "--format", "json"]

    def notices(*args):
        result = runner.invoke(args=["transparency-report", *july_first, *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    ny = notices("--site", "ny")
    assert ny["notices"] == 0
    assert (ny["since"], ny["until"]) == ("2026-07-01T04:00:00+00:00", "2026-07-02T04:00:00+00:00")
    assert notices("--site", "default")["notices"] == 1
    as_csv = runner.invoke(
        args=["transparency-report", "--site", "ny", *july_first[:4], "--format", "csv"]
    )
    assert "2026-07-01T04:00:00+00:00,2026-07-02T04:00:00+00:00,ny,notices,0" in as_csv.output
    june_30 = ["--since", "2026-06-30", "--until", "2026-06-30"]
    june_30 = runner.invoke(args=["transparency-report", "--site", "ny", *june_30])
    # The shell speaks the installation's language (Swedish), the period the site's zone.
    assert "Från 2026-06-30 00:00 EDT till 2026-07-01 00:00 EDT" in june_30.output
    assert "| **Totalt** | **1** |" in june_30.output


def test_the_transparency_page_names_the_zone_of_its_period(app, sites, admin):
    _report(app, "default", "anna@example.se", SUMMER)
    page = admin.get("/moderation/transparency?since=2026-07-01&until=2026-07-01")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Från 2026-07-01 00:00 CEST till 2026-07-02 00:00 CEST" in text
    assert "(UTC)" not in text


@pytest.mark.parametrize(("moment", "stockholm", "new_york"), SHOWN)
def test_the_public_thread_shows_its_sites_time_and_utc_for_machines(
    app, sites, client, moment, stockholm, new_york
):
    post(app, "default", moment, email="anna@example.se", approve=True)
    post(app, "ny", moment, email="hanna@example.se", approve=True)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    for path in ("/thread", "/embed"):  # the page and the iframe
        for site, shown in (("default", stockholm), ("ny", new_york)):
            page = client.get(path, query_string={"article": KEY, "site": site})
            [(datetime_attribute, text)] = times(page.get_data(as_text=True))
            assert datetime_attribute == stamp
            # The reader's wording keeps no zone, but the hour is the site's.
            assert text.endswith(shown[11:16]), (path, site, text)


def test_the_apis_times_are_utc_and_say_so(app, sites, client):
    post(app, "ny", SUMMER, email="hanna@example.se", approve=True)
    answer = client.get("/api/v1/comments", query_string={"article": KEY, "site": "ny"}).get_json()
    [comment] = answer["comments"]
    assert comment["created"] == "2026-07-01T12:00:00+00:00"
    assert comment["created_text"] == "1 July 2026 at 08:00"  # the ny site's clock


def test_log_lines_are_stamped_in_utc_saying_so(app):
    from flask.logging import default_handler

    record = logging.LogRecord("commentsvc", logging.INFO, __file__, 1, "audit", None, None)
    record.created = WINTER.timestamp()
    record.msecs = 0
    line = default_handler.formatter.format(record)
    assert line.startswith("[2026-12-07T13:02:00.000Z] INFO in ")


def test_gunicorns_log_lines_are_stamped_in_utc(monkeypatch):
    import time

    from gunicorn.config import Config

    from commentsvc.logs import gunicorn_logger

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        logger = gunicorn_logger()(Config())
        assert logger.now().endswith(" +0000]")
        record = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, "hej", None, None)
        record.created = WINTER.timestamp()
        [handler] = logger.error_log.handlers
        assert handler.formatter.format(record).startswith("[2026-12-07 13:02:00 +0000]")
    finally:
        monkeypatch.undo()  # the TZ the process had (or none), then its clock again
        time.tzset()


# --- one place: a template that shows a time goes through dates.py ---------------------------

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _templates(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (TEMPLATES / folder).rglob("*.*"))


def test_every_time_element_carries_utc_for_machines():
    wrong = [
        f"{template.relative_to(TEMPLATES)}: {attribute}"
        for template in _templates("moderation", "reports", "public", "embed", "mail")
        for attribute in re.findall(r'<time datetime="([^"]*)"', template.read_text("utf-8"))
        if not attribute.endswith("|utc_iso }}")
    ]
    assert wrong == []


def test_the_desk_and_the_mails_show_times_through_the_one_clock():
    # Babel's datetimeformat shows the request's zone without naming it, strftime UTC
    # unnamed: the desk shows each thing in its site's zone, named (|local_time(site_id)).
    wrong = [
        str(template.relative_to(TEMPLATES))
        for template in _templates("moderation", "reports", "mail")
        if re.search(r"datetimeformat|strftime", template.read_text("utf-8"))
    ]
    assert wrong == []
