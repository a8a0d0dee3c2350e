"""``commentsvc ban``, ``unban`` and ``bans`` as an operator types them: a ban made, listed and
lifted, per site, with clear refusals (exit code 2, nothing stored) for a bad address,
network, reason or number of days."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models.mail import OutboxMail
from commentsvc.models.moderation import AuditAction, ModerationEvent
from commentsvc.models.people import Ban
from tests.moderation.test_bans import post_api, refused_neutrally


def stored_bans(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(Ban).order_by(Ban.id)).scalars()
        return [(b.site_id, b.address, b.network, b.reason, b.lifted_at is not None) for b in rows]


@pytest.fixture
def site_b(app):
    from commentsvc.models.base import utcnow
    from commentsvc.sites import add_site

    with app.app_context():
        add_site("b", name="Beta", origins=["https://b.example.se"], by="t", now=utcnow())
        db.session.commit()
    return "b"


def test_ban_by_address_refuses_the_person_and_queues_the_statement(app, runner, article):
    result = runner.invoke(
        args=["ban", "Anna@Example.se", "--days", "30", "--reason", "harassment",
              "--note", "Hot mot andra läsare."]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Avstängning 1: anna@example.se får inte kommentera på webbplatsen default" in (
        result.output
    )
    assert re.search(r"\d\d:\d\d CES?T\b", result.output)  # in the site's time, named
    assert "utkorgen" in result.output
    assert stored_bans(app) == [("default", "anna@example.se", "", "harassment", False)]
    assert refused_neutrally(post_api(app, article, "anna@example.se"))
    assert post_api(app, article, "hanna@example.se").status_code == 201
    with app.app_context():
        mail = db.session.execute(select(OutboxMail)).scalar_one()
        event = db.session.execute(select(ModerationEvent)).scalar_one()
    assert "Hot mot andra läsare." in mail.body
    assert (event.action, event.actor) == (AuditAction.BAN, "cli")


def test_ban_by_network_until_lifted_with_the_default_reason(app, runner, article):
    result = runner.invoke(args=["ban", "192.0.2.0/24"])
    assert result.exit_code == 0, result.output
    assert "tills avstängningen hävs" in result.output
    assert stored_bans(app) == [("default", "", "192.0.2.0/24", "other", False)]
    assert refused_neutrally(post_api(app, article, "x@example.se", ip="192.0.2.44"))
    assert post_api(app, article, "x@example.se", ip="192.0.3.44").status_code == 201


@pytest.mark.parametrize(
    ("args", "hint", "words"),
    [
        (["anna@"], "ADDRESS-OR-NETWORK", "är inte en e-postadress"),
        (["inte-en-adress"], "ADDRESS-OR-NETWORK", "varken en e-postadress eller ett nät"),
        (["192.0.2.0/25"], "ADDRESS-OR-NETWORK", "Stäng av 192.0.2.0/24 i stället"),
        (["192.0.2.17"], "ADDRESS-OR-NETWORK", "Stäng av 192.0.2.0/24 i stället"),
        (["anna@example.se", "--days", "0"], "--days", "från 1 till 36500"),
        (["anna@example.se", "--days", "36501"], "--days", "från 1 till 36500"),
        (["anna@example.se", "--days", "en vecka"], "--days", "från 1 till 36500"),
        (["anna@example.se", "--reason", "elak"], "--reason", "Välj ett skäl"),
        (["anna@example.se", "--site", "finns-inte"], "--site", "finns-inte"),
    ],
)
def test_ban_refuses_bad_input_clearly_and_stores_nothing(app, runner, args, hint, words):
    result = runner.invoke(args=["ban", *args])
    assert result.exit_code == 2, result.output
    assert hint in result.output
    assert words in result.output
    assert "Traceback" not in result.output
    assert stored_bans(app) == []


def test_a_second_ban_on_the_same_target_is_refused(app, runner):
    assert runner.invoke(args=["ban", "anna@example.se"]).exit_code == 0
    again = runner.invoke(args=["ban", "ANNA@example.se", "--days", "3"])
    assert again.exit_code == 2
    assert "redan avstängd" in again.output
    assert len(stored_bans(app)) == 1


def test_bans_are_per_site(app, runner, site_b):
    assert runner.invoke(args=["ban", "anna@example.se", "--site", "b"]).exit_code == 0
    assert stored_bans(app) == [("b", "anna@example.se", "", "other", False)]
    on_default = runner.invoke(args=["unban", "anna@example.se"])
    assert on_default.exit_code == 1
    assert "Ingen avstängning gäller anna@example.se på webbplatsen default" in on_default.output
    lifted = runner.invoke(args=["unban", "anna@example.se", "--site", "b"])
    assert lifted.exit_code == 0, lifted.output
    assert "Avstängning 1 av anna@example.se är hävd." in lifted.output
    assert stored_bans(app) == [("b", "anna@example.se", "", "other", True)]


def test_unban_lifts_only_the_exact_target(app, runner, article):
    for target in ("anna@example.se", "hanna@example.se", "192.0.2.0/24", "192.0.3.0/24"):
        assert runner.invoke(args=["ban", target]).exit_code == 0
    assert runner.invoke(args=["unban", "anna@example.se"]).exit_code == 0
    assert runner.invoke(args=["unban", "192.0.2.0"]).exit_code == 0  # as the queue shows it
    assert [lifted for *_rest, lifted in stored_bans(app)] == [True, False, True, False]
    assert post_api(app, article, "anna@example.se", ip="192.0.2.1").status_code == 201
    assert post_api(app, article, "hanna@example.se", ip="192.0.2.1").status_code == 403
    bad = runner.invoke(args=["unban", "nonsens"])
    assert bad.exit_code == 2 and "ADDRESS-OR-NETWORK" in bad.output


def test_bans_lists_those_in_force_and_all_with_all_and_as_json(app, runner, site_b):
    assert runner.invoke(args=["ban", "anna@example.se", "--days", "7"]).exit_code == 0
    assert runner.invoke(args=["ban", "192.0.2.0/24", "--site", "b"]).exit_code == 0
    assert runner.invoke(args=["ban", "berit@example.se"]).exit_code == 0
    assert runner.invoke(args=["unban", "berit@example.se"]).exit_code == 0
    listed = runner.invoke(args=["bans"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        ["2", "b", "192.0.2.0/24"],
        ["1", "default", "anna@example.se"],
    ]
    everything = runner.invoke(args=["bans", "--all", "--site", "default"]).output.splitlines()
    assert [line.split("\t")[2] for line in everything] == ["berit@example.se", "anna@example.se"]
    assert "lifted" in everything[0]
    as_json = json.loads(runner.invoke(args=["bans", "--all", "--json"]).output)
    assert [(b["id"], b["site"], b["state"]) for b in as_json] == [
        (3, "default", "lifted"),
        (2, "b", "active"),
        (1, "default", "active"),
    ]
    assert as_json[2]["expires_at"].endswith("+00:00")  # a machine format: UTC, labelled
    assert runner.invoke(args=["bans", "--site", "finns-inte"]).exit_code == 2
    empty = runner.invoke(args=["bans", "--site", "b", "--all", "--json"])
    assert len(json.loads(empty.output)) == 1


def test_bans_says_so_when_there_are_none(runner):
    result = runner.invoke(args=["bans"])
    assert result.exit_code == 0
    assert "Inga avstängningar." in result.output
