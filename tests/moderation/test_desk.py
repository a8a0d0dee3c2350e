"""The desk for all day: unapprove, editors' picks, the queue's search and filters (with their
near misses), the comment in place, and the JSON answer the desk's script gets."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from commentsvc.extensions import db


def events(app, comment_id):
    from commentsvc.moderation.desk import events_for

    with app.app_context():
        return [(e.action, e.before, e.after) for e in events_for([comment_id])[comment_id]]


def picked(app, comment_id) -> bool:
    from commentsvc.models.threads import Comment

    with app.app_context():
        return db.session.get(Comment, comment_id).picked


@pytest.fixture
def post(app, article):
    """A comment by ``email`` from ``ip`` at ``when`` through the posting service (held: a
    first comment), on ``key``; returns its id."""
    from commentsvc import threads
    from commentsvc.models.base import utcnow

    def add(text, *, email="anna@example.se", ip="192.0.2.1", when=None, key=None):
        with app.app_context():
            found = threads.find_article(key or article)
            draft = threads.Draft(comment=text, author="Läsare", email=email)
            comment = threads.post_comment(found, draft, ip=ip, now=when or utcnow())
            db.session.commit()
            return comment.id

    return add


def rows(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="queue-item" id="row-(\d+)"', page)]


def listed(mod, **query) -> list[int]:
    answer = mod.get("/moderation/", query_string={"view": "list", "status": "all", **query})
    assert answer.status_code == 200, answer.get_data(as_text=True)[-2000:]
    return rows(answer.get_data(as_text=True))


# --- unapprove ---------------------------------------------------------------------------


def test_unapprove_takes_a_published_comment_back_to_the_queue_and_undo_publishes_it(
    app, mod, add_comment, article, status_of, client
):
    comment = add_comment(article, "Publicerad men fel")
    assert "Publicerad men fel" in client.get(f"/thread?article={article}").get_data(as_text=True)
    answer = mod.act(comment, "unapprove", next="/moderation/")
    assert answer.status_code == 303
    assert status_of(comment) == "pending"
    assert "Publicerad men fel" not in client.get(f"/thread?article={article}").get_data(
        as_text=True
    )
    queue = mod.get("/moderation/").get_data(as_text=True)
    assert f"Kommentar {comment} är tillbaka i kön." in queue
    assert f'id="row-{comment}"' in queue
    mod.act(comment, "undo")
    assert status_of(comment) == "approved"
    assert [e[0] for e in events(app, comment)][-2:] == ["unapprove", "undo"]
    assert ("unapprove", "approved", "pending") in events(app, comment)
    log = mod.get(f"/moderation/comments/{comment}").get_data(as_text=True)
    assert "tog tillbaka till kön" in log


def test_unapprove_is_refused_while_the_sites_reply_answers_the_comment(
    app, mod, add_comment, article, status_of
):
    comment = add_comment(article, "Var öppnar bron?")
    mod.post(f"/moderation/comments/{comment}/reply", {"text": "Tack! Den öppnar i maj."})
    answer = mod.act(comment, "unapprove", next="/moderation/?status=approved")
    assert answer.status_code == 303
    assert status_of(comment) == "approved"
    page = mod.get("/moderation/?status=approved").get_data(as_text=True)
    assert "har ett svar från redaktionen" in page and "Inget ändrades" in page
    assert [e[0] for e in events(app, comment)] == ["approve"]


def test_unapprove_of_a_held_comment_is_refused_and_changes_nothing(app, mod, held, status_of):
    comment = held()
    mod.act(comment, "unapprove")
    assert status_of(comment) == "pending"
    assert events(app, comment) == []


# --- editors' picks ----------------------------------------------------------------------


def test_a_pick_marks_a_published_comment_and_undo_takes_the_mark_back(
    app, mod, add_comment, article, status_of
):
    comment = add_comment(article, "En klok kommentar")
    neighbour = add_comment(article, "En annan kommentar", email="hanna@example.se")
    mod.act(comment, "pick")
    assert picked(app, comment) and not picked(app, neighbour)
    assert events(app, comment)[-1] == ("pick", "approved", "approved")
    page = mod.get("/moderation/?status=approved&view=list").get_data(as_text=True)
    assert f"Kommentar {comment} är redaktionens val." in page
    row = page[page.index(f'id="row-{comment}"') :]
    assert "Inte redaktionens val" in row[: row.index("</tr>")]
    mod.act(comment, "undo")
    assert not picked(app, comment)
    assert status_of(comment) == "approved"
    mod.act(comment, "pick")
    mod.act(comment, "unpick")
    assert not picked(app, comment)
    assert [e[0] for e in events(app, comment)][-2:] == ["pick", "unpick"]


def test_only_a_published_comment_can_be_picked(app, mod, held):
    comment = held()
    mod.act(comment, "pick")
    assert not picked(app, comment)
    page = mod.get("/moderation/").get_data(as_text=True)
    assert "Bara en publicerad kommentar kan vara redaktionens val." in page
    assert events(app, comment) == []


# --- search and filters ------------------------------------------------------------------


def test_a_person_is_found_by_the_exact_address_never_a_neighbours(mod, post):
    anna = post("Annas kommentar", email="Anna@Example.se")
    hanna = post("Hannas kommentar", email="hanna@example.se")
    annas_other = post("Annas andra", email="anna@example.se")
    assert sorted(listed(mod, person="anna@example.se")) == sorted([anna, annas_other])
    assert hanna not in listed(mod, person="anna@example.se")
    assert listed(mod, person=" ANNA@example.se ") == listed(mod, person="anna@example.se")
    assert listed(mod, person="hanna@example.se") == [hanna]
    assert listed(mod, person="nobody@example.se") == []


def test_a_network_is_matched_exactly_as_the_queue_shows_it(mod, post):
    mine = post("Från mitt nät", ip="192.0.2.77")  # stored as 192.0.2.0
    neighbour = post("Från grannätet", ip="192.0.3.5", email="greta@example.se")
    page = mod.get("/moderation/?view=list").get_data(as_text=True)
    assert "192.0.2.0" in page and "192.0.3.0" in page
    assert listed(mod, network="192.0.2.0") == [mine]
    assert listed(mod, network="192.0.3.0") == [neighbour]


def test_an_article_is_found_by_part_of_its_title_in_any_case(app, mod, post):
    from commentsvc import threads

    with app.app_context():
        threads.create_article("bro", title="Ny bro över älven")
        threads.create_article("skatt", title="Skattehöjning i Sundsvall")
        db.session.commit()
    on_bridge = post("Om bron", key="bro")
    on_tax = post("Om skatten", key="skatt", email="erik@example.se")
    assert listed(mod, article="BRO ÖVER") == [on_bridge]
    assert listed(mod, article="sundsvall") == [on_tax]
    assert listed(mod, article="skatt") == [on_tax]  # the key, too
    assert listed(mod, article="100%") == []  # a % is a character, not a wildcard


def test_dates_are_days_in_the_sites_time_zone(mod, post):
    # 23:30 UTC on 6 December is 00:30 on 7 December in Stockholm.
    late = post("Sent på natten", when=datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    day_before = post(
        "Dagen före", email="bo@example.se", when=datetime(2026, 12, 6, 12, tzinfo=UTC)
    )
    assert listed(mod, since="2026-12-07") == [late]
    assert listed(mod, until="2026-12-06") == [day_before]
    assert listed(mod, since="2026-12-06", until="2026-12-06") == [day_before]
    page = mod.get("/moderation/?view=list").get_data(as_text=True)
    assert "Europe/Stockholm" in page  # the zone the dates are in is named
    assert ">2026-12-07 00:30 CET</time>" in page  # and the list shows the time in it


def test_sort_puts_the_oldest_or_the_newest_first(mod, post):
    first = post("Först", when=datetime(2026, 12, 1, 8, tzinfo=UTC))
    second = post("Sedan", email="bo@example.se", when=datetime(2026, 12, 2, 8, tzinfo=UTC))
    assert listed(mod, status="pending") == [first, second]  # the work order
    assert listed(mod, status="pending", sort="newest") == [second, first]
    assert listed(mod, sort="oldest") == [first, second]
    assert listed(mod) == [second, first]  # "all": newest first unless asked


def test_filters_are_kept_by_tabs_pages_and_decisions(mod, post):
    comment = post("Annas kommentar")
    page = mod.get(
        "/moderation/", query_string={"person": "anna@example.se", "network": "192.0.2.0"}
    ).get_data(as_text=True)
    tab = re.search(r'href="(/moderation/\?status=all[^"]*)"', page).group(1)
    assert "person=anna@example.se" in tab and "network=192.0.2.0" in tab
    full_path = "/moderation/?person=anna%40example.se"
    answer = mod.act(comment, "approve", next=full_path)
    assert answer.headers["Location"].startswith(full_path)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "bogus"}, "Det finns ingen sådan flik"),
        ({"since": "2026-13-45"}, "Skriv ett datum som 2026-12-07."),
        ({"until": "igår"}, "Skriv ett datum som 2026-12-07."),
        ({"since": "2026-12-07", "until": "2026-12-01"}, "Slutdatumet kommer före startdatumet."),
        ({"person": "anna"}, "Skriv hela e-postadressen"),
        ({"person": "anna@example.se\n"}, None),  # trimmed: a valid address
        ({"network": "192.0.2.5"}, "Skriv nätverket som kön visar det"),
        ({"network": "not-an-ip"}, "Skriv nätverket som kön visar det"),
        ({"sort": "random"}, "Sortera med äldsta eller nyaste först."),
        ({"article": "x" * 201}, "Sök med högst 200 tecken; det här har 201."),
        ({"page": "٣"}, None),
    ],
)
def test_an_invalid_filter_says_what_is_wrong_and_lists_nothing(mod, post, query, message):
    post("Annas kommentar")
    answer = mod.get("/moderation/", query_string=query)
    page = answer.get_data(as_text=True)
    if message is None:
        assert answer.status_code == 200
        assert len(rows(page)) + page.count('class="queue-item"') >= 1
        return
    assert answer.status_code == 422
    assert message in page
    assert "Filtret kunde inte användas" in page
    assert 'class="queue-item"' not in page


# --- the comment in place, and the person --------------------------------------------------


def test_each_row_links_to_the_comment_in_place_and_to_its_person(app, mod, add_comment, article):
    comment = add_comment(article, "Publicerad")
    page = mod.get("/moderation/?status=approved&view=list").get_data(as_text=True)
    assert f'href="/thread?article={article}#comment-{comment}"' in page
    assert f'href="https://www.example.se/nyheter/soi-mitt#comment-{comment}"' in page
    assert f'href="/moderation/comments/{comment}/person"' in page
    assert 'data-shortcut="p"' in page


def test_a_comment_on_a_later_page_is_linked_on_that_page(app, mod, add_comment, article):
    app.config["COMMENTS_PER_PAGE"] = 2
    ids = [add_comment(article, f"Kommentar {i}", email=f"p{i}@example.se") for i in range(3)]
    page = mod.get("/moderation/?status=approved&view=list").get_data(as_text=True)
    assert f"page=2#comment-{ids[2]}" in page or f"page=2&amp;#comment-{ids[2]}" in page


# --- the JSON answer ------------------------------------------------------------------------


def test_an_action_asked_for_json_answers_with_the_row_message_and_undo(app, mod, held, status_of):
    comment = held()
    answer = mod.post(
        f"/moderation/comments/{comment}/approve",
        {"next": "/moderation/?view=list", "view": "list"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["status"] == "approved" and data["before"] == "pending"
    assert data["message"] == f"Kommentar {comment} är godkänd."
    assert data["undo"] == f"/moderation/comments/{comment}/undo"
    assert f'id="row-{comment}"' in data["row"] and "Avpublicera" in data["row"]
    assert status_of(comment) == "approved"
    # No message is left over for the next page load: the script showed it.
    assert f"Kommentar {comment} är godkänd." not in mod.get("/moderation/").get_data(as_text=True)
    undone = mod.post(
        data["undo"], {"next": "/moderation/"}, headers={"Accept": "application/json"}
    ).get_json()
    assert undone["status"] == "pending" and undone["undo"] is None
    assert status_of(comment) == "pending"


def test_a_refused_action_asked_for_json_answers_409_with_the_reason(app, mod, held):
    comment = held()
    answer = mod.post(
        f"/moderation/comments/{comment}/pick", headers={"Accept": "application/json"}
    )
    assert answer.status_code == 409
    assert answer.get_json() == {
        "error": "refused",
        "message": "Bara en publicerad kommentar kan vara redaktionens val. Godkänn den först.",
    }


def test_json_is_not_a_way_around_the_csrf_token(app, mod, held, status_of):
    comment = held()
    answer = mod.client.post(
        f"/moderation/comments/{comment}/approve", headers={"Accept": "application/json"}
    )
    assert answer.status_code == 400
    assert status_of(comment) == "pending"


def test_a_site_in_another_zone_is_filtered_and_shown_in_its_own_days(app, make_moderator):
    from tests.moderation.conftest import ModeratorClient
    from tests.moderation.two_sites import give_role, make_sites
    from tests.moderation.two_sites import post as post_on

    make_sites(app, b_settings={"TIMEZONE": "America/New_York"})
    make_moderator("kim")
    give_role(app, "kim", "b")
    kim = ModeratorClient(app.test_client())
    assert kim.login("kim").status_code == 303
    # 03:00 UTC on 7 December is 22:00 on 6 December in New York.
    late = post_on(app, "b", "Sent i New York", when=datetime(2026, 12, 7, 3, tzinfo=UTC))
    assert listed(kim, since="2026-12-07") == []
    assert listed(kim, until="2026-12-06") == [late]
    page = kim.get("/moderation/?view=list").get_data(as_text=True)
    assert "America/New_York" in page and ">2026-12-06 22:00 EST</time>" in page
