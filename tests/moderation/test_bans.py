"""Bans: a moderator bans an exact address or a network on one site, for some days or until
lifted, with a reason from the decisions' list. A banned person's new comment is refused with
a neutral message on every path (plain form, iframe, API: the script embed's), or held with
the reason "banned" when the site's BAN_ACTION says "hold". Near misses stay untouched:
hanna@ beside a banned anna@, 192.0.3.x beside a banned 192.0.2.0/24, site B beside site A.
A ban by address is a decision with a statement of reasons, mailed through the outbox."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from commentsvc.errors import CommentRefused
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.mail import OutboxMail
from commentsvc.models.moderation import AuditAction, ModerationEvent
from commentsvc.models.people import Ban
from commentsvc.models.reports import StatementOfReasons
from commentsvc.models.threads import Comment
from tests.conftest import Reader
from tests.test_api import new_comment
from tests.test_embed import post_from_frame

HOST = {"Origin": "https://www.example.se"}
NEUTRAL = ("Kommentaren kunde inte tas emot.", "Your comment could not be accepted.")


def ban(app, target, *, site="default", days=None, reason="harassment", note="", when=None, **kw):
    from commentsvc.moderation import bans

    with app.app_context():
        made = bans.add_ban(
            site,
            target,
            days=days,
            reason=reason,
            note=note,
            by="moa",
            now=when or utcnow(),
            **kw,
        )
        db.session.commit()
        return made.id


def from_network(client, ip: str):
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def post_form(app, key, email, ip="198.51.100.7", text="Hej från formuläret"):
    reader = Reader(from_network(app.test_client(), ip))
    return reader.post(key, comment=text, email=email)


def post_api(app, key, email, ip="198.51.100.7", text="Hej från API:t"):
    client = from_network(app.test_client(), ip)
    return client.post(
        "/api/v1/comments", json=new_comment(key, comment=text, email=email), headers=HOST
    )


def post_iframe(app, key, email, ip="198.51.100.7", text="Hej från iframen"):
    client = from_network(app.test_client(use_cookies=False), ip)
    return post_from_frame(client, key, comment=text, email=email)


POSTERS = {"form": post_form, "api": post_api, "iframe": post_iframe}


def stored(app, text):
    with app.app_context():
        comment = db.session.execute(
            select(Comment).where(Comment.text == text)
        ).scalar_one_or_none()
        return None if comment is None else (comment.status.value, comment.held_for)


def refused_neutrally(answer) -> bool:
    body = answer.get_data(as_text=True)
    return (
        400 <= answer.status_code < 500
        and any(m in body for m in NEUTRAL)
        and "bann" not in body.lower()
        and "avstäng" not in body.lower()
    )


# --- the effect on a new comment, on each path -------------------------------------------


@pytest.mark.parametrize("path", POSTERS)
def test_a_banned_address_is_refused_neutrally_and_its_neighbour_is_not(app, article, path):
    ban(app, "Anna@Example.se")
    post = POSTERS[path]
    refused = post(app, article, "anna@example.se", text=f"Avvisad via {path}")
    assert refused_neutrally(refused), (refused.status_code, refused.get_data(as_text=True))
    assert stored(app, f"Avvisad via {path}") is None
    neighbour = post(app, article, "hanna@example.se", text=f"Neighbour via {path}")
    assert neighbour.status_code in (201, 303)
    assert stored(app, f"Neighbour via {path}") is not None


def test_the_api_refusal_is_json_with_a_neutral_message(app, article):
    ban(app, "anna@example.se")
    answer = post_api(app, article, "ANNA@example.se")
    assert answer.status_code == 403
    body = answer.get_json()
    assert body["message"] in NEUTRAL
    assert "ban" not in str(body).lower()


@pytest.mark.parametrize("path", POSTERS)
def test_a_banned_network_is_refused_and_the_next_network_is_not(app, article, path):
    ban(app, "192.0.2.0/24")
    post = POSTERS[path]
    assert refused_neutrally(post(app, article, "ulla@example.se", ip="192.0.2.201", text="A"))
    assert stored(app, "A") is None
    answer = post(app, article, "ulla@example.se", ip="192.0.3.201", text="B")
    assert answer.status_code in (201, 303)
    assert stored(app, "B") is not None


def test_a_ban_by_the_network_the_queue_shows_matches_its_comments(app, article):
    """The queue shows a comment's stored network (192.0.2.0); banning it as shown, bare,
    bans its /24, and an IPv6 network by its /48."""
    ban(app, "192.0.2.0")
    ban(app, "2001:DB8:1::")  # as a person may type it
    assert refused_neutrally(post_api(app, article, "a@example.se", ip="192.0.2.9", text="v4"))
    assert refused_neutrally(
        post_api(app, article, "b@example.se", ip="2001:db8:1:ff::5", text="v6")
    )
    near = post_api(app, article, "c@example.se", ip="2001:db8:2::5", text="v6 near")
    assert near.status_code == 201


def test_a_wider_network_ban_holds_the_stored_networks_inside_it(app, article):
    ban(app, "10.20.0.0/16")
    assert refused_neutrally(post_api(app, article, "a@example.se", ip="10.20.99.1"))
    assert post_api(app, article, "a@example.se", ip="10.21.0.1").status_code == 201


def test_a_ban_on_site_a_leaves_site_b_alone(app, article):
    from commentsvc import threads
    from commentsvc.sites import add_site

    with app.app_context():
        add_site("b", name="Beta", origins=["https://b.example.se"], by="t", now=utcnow())
        threads.create_article("nyhet-1", title="B:s nyhet", site="b")
        db.session.commit()
    ban(app, "anna@example.se", site="b")
    on_default = post_api(app, article, "anna@example.se", text="På default")
    assert on_default.status_code == 201
    client = app.test_client()
    on_b = client.post(
        "/api/v1/comments",
        json=new_comment("nyhet-1", comment="På B", email="anna@example.se"),
        headers={"Origin": "https://b.example.se"},
    )
    assert refused_neutrally(on_b)


def test_an_expired_ban_no_longer_applies_and_a_running_one_does(app, article):
    from commentsvc import threads
    from commentsvc.models.threads import Article

    long_ago = utcnow() - timedelta(days=10)
    ban(app, "anna@example.se", days=7, when=long_ago)  # ended three days ago
    ban(app, "berit@example.se", days=30, when=long_ago)  # 20 days left
    with app.app_context():
        article_row = db.session.execute(select(Article)).scalar_one()
        now = utcnow()
        kept = threads.post_comment(
            article_row, threads.Draft("Efter straffet", "Anna", "anna@example.se"), ip="", now=now
        )
        assert kept.id
        with pytest.raises(CommentRefused):
            threads.post_comment(
                article_row,
                threads.Draft("Under straffet", "Berit", "berit@example.se"),
                ip="",
                now=now,
            )
        # The same ban seen from a moment past its end: it no longer applies.
        later = threads.post_comment(
            article_row,
            threads.Draft("Efter hennes straff", "Berit", "berit@example.se"),
            ip="",
            now=now + timedelta(days=21),
        )
        assert later.id
        db.session.rollback()


def test_a_lifted_ban_no_longer_applies(app, article):
    from commentsvc.moderation import bans

    ban_id = ban(app, "anna@example.se")
    assert refused_neutrally(post_api(app, article, "anna@example.se", text="Före"))
    with app.app_context():
        bans.lift_ban(ban_id, by="moa", now=utcnow())
        db.session.commit()
    assert post_api(app, article, "anna@example.se", text="Efter").status_code == 201


@pytest.mark.parametrize("path", POSTERS)
def test_with_ban_action_hold_the_comment_waits_with_the_reason_banned(app, article, path):
    from commentsvc import settings

    with app.app_context():
        settings.save_settings({"BAN_ACTION": "hold", "MODERATION": "none"}, by="ada", now=utcnow())
        db.session.commit()
    ban(app, "anna@example.se")
    answer = POSTERS[path](app, article, "anna@example.se", text=f"Hållen via {path}")
    assert answer.status_code in (201, 303)
    assert stored(app, f"Hållen via {path}") == ("pending", "banned")
    free = POSTERS[path](app, article, "hanna@example.se", text=f"Fri via {path}")
    assert free.status_code in (201, 303)
    assert stored(app, f"Fri via {path}") == ("approved", "")


def test_the_queue_says_why_a_banned_persons_comment_waits(app, article, mod):
    from commentsvc import settings

    with app.app_context():
        settings.save_settings({"BAN_ACTION": "hold"}, by="ada", now=utcnow())
        db.session.commit()
    ban(app, "anna@example.se")
    post_form(app, article, "anna@example.se", text="Hållen kommentar")
    queue = mod.get("/moderation/").get_data(as_text=True)
    assert "Hållen kommentar" in queue
    assert "avstängd" in queue  # the reason, in the desk's language


# --- the service's refusals --------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "days", "reason", "field", "words"),
    [
        ("", None, "spam", "target", "Ange en e-postadress eller ett nät"),
        ("anna@", None, "spam", "target", "är inte en e-postadress"),
        ("inte-en-adress", None, "spam", "target", "varken en e-postadress eller ett nät"),
        ("192.0.2.77", None, "spam", "target", "192.0.2.0/24"),
        ("192.0.2.0/28", None, "spam", "target", "snävare"),
        ("2001:db8:1::/64", None, "spam", "target", "2001:db8:1::/48"),
        ("0.0.0.0/0", None, "spam", "target", "för brett"),
        ("10.0.0.0/7", None, "spam", "target", "högst en /8"),
        ("2001::/15", None, "spam", "target", "högst en /16"),
        ("anna@example.se", "0", "spam", "days", "från 1 till 36500"),
        ("anna@example.se", "sju", "spam", "days", "från 1 till 36500"),
        ("anna@example.se", "-3", "spam", "days", "från 1 till 36500"),
        ("anna@example.se", None, "dumheter", "reason", "Välj ett skäl"),
    ],
)
def test_a_ban_that_cannot_be_made_says_why(app, target, days, reason, field, words):
    from commentsvc.moderation import bans

    with app.app_context():
        with pytest.raises(bans.BanInvalid) as refused:
            bans.add_ban(
                "default", target, days=days, reason=reason, note="", by="moa", now=utcnow()
            )
        assert refused.value.field == field
        assert words in str(refused.value.message)  # in the installation's Swedish
        db.session.rollback()
        assert db.session.execute(select(Ban)).first() is None


def test_a_second_ban_on_the_same_target_is_refused_until_the_first_is_lifted(app):
    from commentsvc.moderation import bans

    first = ban(app, "anna@example.se", days=3)
    with (
        app.app_context(),
        pytest.raises(bans.BanInvalid, match=f"avstängning {first}|ban {first}"),
    ):
        bans.add_ban("default", "ANNA@example.se", days=None, reason="spam", by="m", now=utcnow())
    with app.app_context():
        db.session.rollback()
        bans.lift_ban(first, by="moa", now=utcnow())
        db.session.commit()
    assert ban(app, "anna@example.se") != first
    assert ban(app, "hanna@example.se")  # the neighbour is another target


def test_a_ban_is_audited_on_its_site_without_the_address(app):
    from commentsvc.moderation import bans

    ban_id = ban(app, "anna@example.se", days=7, reason="spam")
    net_id = ban(app, "192.0.2.0/24")
    with app.app_context():
        bans.lift_ban(net_id, by="ada", now=utcnow())
        db.session.commit()
        events = db.session.execute(select(ModerationEvent).order_by(ModerationEvent.id)).scalars()
        rows = [(e.action, e.actor, e.site_id, e.details) for e in events]
    assert rows == [
        (
            AuditAction.BAN,
            "moa",
            "default",
            {"ban": ban_id, "kind": "address", "days": 7, "reason": "spam"},
        ),
        (
            AuditAction.BAN,
            "moa",
            "default",
            {
                "ban": net_id,
                "kind": "network",
                "target": "192.0.2.0/24",
                "days": None,
                "reason": "harassment",
            },
        ),
        (
            AuditAction.UNBAN,
            "ada",
            "default",
            {"ban": net_id, "kind": "network", "target": "192.0.2.0/24"},
        ),
    ]
    assert "anna@" not in str(rows)


def test_lifting_a_ban_twice_is_refused(app):
    from commentsvc.moderation import bans

    ban_id = ban(app, "anna@example.se")
    with app.app_context():
        bans.lift_ban(ban_id, by="moa", now=utcnow())
        db.session.commit()
        with pytest.raises(bans.BanInvalid):
            bans.lift_ban(ban_id, by="moa", now=utcnow())
        with pytest.raises(bans.BanNotFound):
            bans.lift_ban(ban_id + 100, by="moa", now=utcnow())
        db.session.rollback()


def test_the_list_finds_by_exact_address_and_by_network(app):
    from commentsvc.moderation import bans

    anna = ban(app, "anna@example.se")
    hanna = ban(app, "hanna@example.se")
    net = ban(app, "192.0.2.0/24")
    lifted = ban(app, "198.51.100.0/24")
    with app.app_context():
        bans.lift_ban(lifted, by="moa", now=utcnow())
        db.session.commit()
        ids = lambda **kw: [b.id for b in bans.list_bans(now=utcnow(), **kw)]  # noqa: E731
        assert ids() == [net, hanna, anna]
        assert ids(everything=True) == [lifted, net, hanna, anna]
        assert ids(search="Anna@example.se") == [anna]
        assert ids(search="192.0.2.0") == [net]
        assert ids(search="192.0.0.0/16") == [net]
        assert ids(search="192.0.3.0/24") == []
        assert ids(search="198.51.100.0/24") == []
        assert ids(search="198.51.100.0/24", everything=True) == [lifted]
        assert ids(sites=["annan"]) == []


# --- the statement of reasons --------------------------------------------------------------


def test_a_ban_by_address_mails_a_statement_of_reasons_in_the_sites_language(
    app, article, add_comment
):
    comment_id = add_comment(article, "Ett elakt inlägg", email="Anna@Example.se")
    ban_id = ban(
        app,
        "anna@example.se",
        days=30,
        reason="harassment",
        note="Upprepade personangrepp mot andra läsare.",
        comment_id=comment_id,
    )
    with app.app_context():
        statement = db.session.execute(select(StatementOfReasons)).scalar_one()
        mail = db.session.execute(select(OutboxMail)).scalar_one()
        assert (statement.ban_id, statement.comment_id, statement.reason) == (
            ban_id,
            comment_id,
            "harassment",
        )
        assert statement.address == "anna@example.se"
        assert mail.recipient == "Anna@Example.se"  # as the person typed it
        assert mail.comment_id is None  # a later decision on the comment must not take it back
        assert mail.body == statement.body
    body = mail.body
    assert "Motivering av beslut (ärende avstängning" in body
    assert "Trakasserier eller hot" in body  # the reason, in Swedish
    assert "Upprepade personangrepp mot andra läsare." in body
    assert "> Ett elakt inlägg" in body
    assert re.search(r"\d\d:\d\d CES?T\b", body)  # the ban ends in the site's time, named
    assert "Så invänder du" in body
    assert "kommentera" in mail.subject


def test_a_ban_until_lifted_says_so_in_english_on_an_english_site(app):
    from commentsvc.sites import add_site, update_site

    with app.app_context():
        add_site("en", name="The Herald", origins=["https://en.example"], by="t", now=utcnow())
        update_site("en", settings={"LANGUAGE": "en"}, by="t", now=utcnow())
        db.session.commit()
    ban(app, "anna@example.se", site="en", reason="spam")
    with app.app_context():
        mail = db.session.execute(select(OutboxMail)).scalar_one()
    assert "until the decision is lifted" in mail.body
    assert "Spam or advertising" in mail.body
    assert "The Herald" in mail.subject


def test_a_ban_by_network_sends_nothing(app):
    ban(app, "192.0.2.0/24")
    with app.app_context():
        assert db.session.execute(select(OutboxMail)).first() is None
        assert db.session.execute(select(StatementOfReasons)).first() is None


def test_a_ban_from_another_sites_comment_is_refused(app, article, add_comment):
    from commentsvc.moderation import bans
    from commentsvc.sites import add_site

    comment_id = add_comment(article, "Hej", email="anna@example.se")
    with app.app_context():
        add_site("b", name="Beta", origins=["https://b.example.se"], by="t", now=utcnow())
        db.session.commit()
        with pytest.raises(bans.BanInvalid) as refused:
            bans.add_ban(
                "b",
                "anna@example.se",
                days=None,
                reason="spam",
                comment_id=comment_id,
                by="m",
                now=utcnow(),
            )
        assert refused.value.field == "comment"
        db.session.rollback()


# --- personal data -----------------------------------------------------------------------


def test_a_persons_bans_are_in_their_export_per_site_and_not_their_neighbours(
    app, runner, add_comment, article
):
    from commentsvc.sites import add_site

    with app.app_context():
        add_site("b", name="Beta", origins=["https://b.example.se"], by="t", now=utcnow())
        db.session.commit()
    comment_id = add_comment(article, "Ett elakt inlägg", email="anna@example.se")
    ban(app, "anna@example.se", days=7, note="Personangrepp", comment_id=comment_id)
    ban(app, "anna@example.se", site="b", reason="spam")
    ban(app, "hanna@example.se")
    ban(app, "192.0.2.0/24")  # a network is nobody's address
    result = runner.invoke(args=["privacy-export", "Anna@Example.se"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [(b["site"], b["address"], b["reason"]) for b in document["bans"]] == [
        ("default", "anna@example.se", "harassment"),
        ("b", "anna@example.se", "spam"),
    ]
    assert document["bans"][0]["note"] == "Personangrepp"
    assert document["bans"][0]["comment_id"] == comment_id
    statements = document["statements_of_reasons"]
    assert [s["ban_id"] for s in statements] == [1, 2]
    assert "hanna@" not in result.output and "192.0.2.0/24" not in result.output
    site_b = json.loads(
        runner.invoke(args=["privacy-export", "anna@example.se", "--site", "b"]).output
    )
    assert [b["site"] for b in site_b["bans"]] == ["b"]


def test_the_desk_privacy_page_counts_the_bans(app, admin):
    ban(app, "anna@example.se")
    page = admin.post("/moderation/privacy/lookup", {"email": "anna@example.se"})
    assert "Avstängningar: 1" in page.get_data(as_text=True)


def test_erasure_removes_the_bans_on_the_address_and_leaves_the_neighbours(app, runner, article):
    ban(app, "anna@example.se", note="Personangrepp")
    ban(app, "hanna@example.se")
    net = ban(app, "192.0.2.0/24")
    result = runner.invoke(args=["privacy-erase", "anna@example.se"], input="y\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        left = [(b.address, b.network) for b in db.session.execute(select(Ban)).scalars()]
        statement = db.session.execute(
            select(StatementOfReasons).where(StatementOfReasons.ban_id == 1)
        ).scalar_one()
        events = [e.details for e in db.session.execute(select(ModerationEvent)).scalars()]
    assert left == [("hanna@example.se", ""), ("", "192.0.2.0/24")]
    assert (statement.address, statement.recipient, statement.body) == ("", "", "")
    assert "anna@example.se" not in str(events)
    assert {"ban": net, "kind": "network", "target": "192.0.2.0/24", "days": None,
            "reason": "harassment"} in events  # fmt: skip
    again = runner.invoke(args=["privacy-export", "anna@example.se"])
    assert json.loads(again.stdout)["bans"] == []
    assert post_api(app, article, "anna@example.se", ip="198.51.100.1").status_code == 201


@pytest.mark.parametrize(
    ("typed", "stored_as"),
    [
        ("192.0.2.0", "192.0.2.0/24"),  # as the queue shows it
        ("192.0.2.77/24", "192.0.2.0/24"),  # the /24 it names
        ("10.20.0.0/16", "10.20.0.0/16"),
        ("2001:DB8:1::", "2001:db8:1::/48"),
        ("2001:db8::/32", "2001:db8::/32"),
    ],
)
def test_a_network_is_stored_as_the_cidr_it_names(app, typed, stored_as):
    ban_id = ban(app, typed)
    with app.app_context():
        assert db.session.get(Ban, ban_id).network == stored_as
