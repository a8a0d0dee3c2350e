"""The Big List of Naughty Strings in every field and query parameter of every public and
moderation route: never a 5xx, and every refusal in the documented shape (the API's JSON
envelope ``{"error", "message"}``, an HTML page elsewhere).

A CI run sends a fixed-seed sample of the strings to every field (8,500 requests); the
``long`` run sends all of them to every field."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest

from tests.attack.conftest import SEED, naughty_strings
from tests.conftest import ALLOWED_ORIGIN, CSRF_INPUT

PER_FIELD_IN_CI = 100


@dataclass
class Target:
    """One route and the fields it reads; ``base`` holds valid values for the other fields."""

    method: str
    path: str
    fields: list[str]
    send: str = "query"  # query, form or json
    as_admin: bool = False
    base: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


COMMENT_FORM = {
    "article": "nyhet-1",
    "comment": "Ett bra initiativ!",
    "author": "Anna Lindqvist",
    "email": "anna@example.se",
    "url": "",
    "parent": "",
}
FORM_FIELDS = ["article", "comment", "author", "email", "url", "parent", "remember", "hp"]
FORM_FIELDS += ["ts", "lang"]
SETTINGS_FIELDS = ["MODERATION", "MAX_LINKS", "MODERATION_KEYS", "DISALLOWED_KEYS"]
SETTINGS_FIELDS += ["MIN_SUBMIT_SECONDS", "CLOSE_AFTER_DAYS"]

TARGETS = [
    Target("GET", "/", ["page", "lang"]),
    Target(
        "GET",
        "/thread",
        ["article", "title", "url", "replytocom", "page", "edit", "lang", "own"],
        base={"article": "nyhet-1"},
    ),
    Target(
        "GET", "/embed", ["article", "title", "url", "own", "lang"], base={"article": "nyhet-1"}
    ),
    Target("GET", "/api/v1/comments", ["article", "title", "url", "texts"], base={"article": "x"}),
    Target("GET", "/api/v1/counts", ["article"]),
    Target("GET", "/feed.atom", ["article"]),
    Target("GET", "/avatar/{value}.svg", ["key"]),
    Target("GET", "/moderation/login", ["next"]),
    Target("POST", "/comments", FORM_FIELDS, send="form", base=COMMENT_FORM),
    Target("POST", "/embed/comments", FORM_FIELDS, send="form", base=COMMENT_FORM),
    Target(
        "POST",
        "/api/v1/comments",
        ["article", "comment", "author", "email", "url", "parent"],
        send="json",
        base=COMMENT_FORM,
    ),
    Target("PATCH", "/api/v1/comments/{comment}", ["comment", "X-Edit-Token"], send="json"),
    Target("POST", "/comments/{own}/edit", ["comment"], send="form"),
    Target(
        "POST",
        "/comments/{comment}/report",
        ["reason", "explanation", "name", "email", "good_faith", "lang"],
        send="form",
        base={"reason": "illegal", "explanation": "Hot", "name": "Greta", "good_faith": "y"},
    ),
    Target("POST", "/embed/comments/{comment}/edit", ["comment", "lang"], send="form"),
    Target(
        "POST",
        "/moderation/login",
        ["username", "password", "next"],
        send="form",
        base={"username": "ada", "password": "fel"},
    ),
    Target("GET", "/moderation/", ["status", "article", "q", "page"], as_admin=True),
    Target(
        "POST",
        "/moderation/comments/{comment}/trash",
        ["next", "next_focus"],
        send="form",
        as_admin=True,
    ),
    Target("POST", "/moderation/comments/{comment}/edit", ["text"], send="form", as_admin=True),
    Target("POST", "/moderation/comments/{comment}/reply", ["text"], send="form", as_admin=True),
    Target(
        "POST",
        "/moderation/comments/{comment}/reports/remove",
        ["reason", "ground"],
        send="form",
        as_admin=True,
        base={"reason": "spam", "ground": "Reklam"},
    ),
    Target("GET", "/moderation/transparency", ["since"], as_admin=True),
    Target(
        "POST",
        "/moderation/bulk",
        ["action", "ids", "next"],
        send="form",
        as_admin=True,
        base={"action": "spam", "ids": "1"},
    ),
    Target(
        "POST",
        "/moderation/moderators",
        ["username", "display_name", "email", "role"],
        send="form",
        as_admin=True,
        base={"username": "nya", "password": "rätt häst batteri häftklammer", "role": "moderator"},
    ),
    Target(
        "POST",
        "/moderation/settings",
        SETTINGS_FIELDS,
        send="form",
        as_admin=True,
        base={"MODERATION": "first-time", "MAX_LINKS": "2", "MIN_SUBMIT_SECONDS": "0"},
    ),
    Target("POST", "/moderation/privacy/lookup", ["email"], send="form", as_admin=True),
    Target("POST", "/moderation/privacy/export", ["email"], send="form", as_admin=True),
    Target(
        "POST",
        "/moderation/privacy/erase",
        ["email", "delete", "confirm"],
        send="form",
        as_admin=True,
        base={"email": "ingen@example.se"},
    ),
    Target("POST", "/moderation/me/notify", ["notify", "next"], send="form", as_admin=True),
]


def sent_strings(full: bool, target: Target, name: str) -> list[str]:
    strings = naughty_strings()
    if full:
        return strings
    return random.Random(f"{SEED}:{target.name}:{name}").sample(strings, PER_FIELD_IN_CI)


def check_shape(answer, path: str) -> str | None:
    """Why the answer breaks the contract, or None."""
    if answer.status_code >= 500:
        return f"{answer.status_code}"
    if answer.status_code < 400:
        return None
    if path.startswith("/api/"):
        body = answer.get_json(silent=True)
        if not isinstance(body, dict) or not {"error", "message"} <= body.keys():
            return f"{answer.status_code} without the JSON error envelope"
        if "errors" in body and not all(isinstance(v, list) for v in body["errors"].values()):
            return f"{answer.status_code} with field errors that are not lists"
        return None
    if answer.mimetype != "text/html" or "<html" not in answer.get_data(as_text=True):
        return f"{answer.status_code} as {answer.mimetype}, not an HTML page"
    return None


@pytest.fixture
def config_overrides() -> dict:
    # Every accepted comment waits for review, so the thread page re-rendered after each
    # refusal stays short and a run spends its time on the inputs, not on templates.
    return {"MODERATION": "all"}


@pytest.fixture
def attacker(app, article, add_comment, admin):
    """Clients with their CSRF tokens, and a comment (with its edit token) to aim at."""
    reader = app.test_client()
    token = CSRF_INPUT.search(reader.get("/thread?article=nyhet-1").get_data(as_text=True))[1]
    admin_token = admin.token("/moderation/")
    posted = reader.post(
        "/api/v1/comments",
        json={**COMMENT_FORM, "comment": "Att redigera"},
        headers={"Origin": ALLOWED_ORIGIN},
    ).get_json()
    # The HTML edit form reads the edit token from the session the post above filled.
    own = reader.post(
        "/comments", data={**COMMENT_FORM, "comment": "Min egen", "csrf_token": token}
    ).headers["Location"]
    return {
        "reader": (reader, token),
        "admin": (admin.client, admin_token),
        "comment": posted["comment"]["id"],
        "edit_token": posted["edit_token"],
        "held": add_comment(article, "Väntar", approve=False),
        "own": int(own.rsplit("comment-", 1)[1]),
    }


def send(attacker, target: Target, name: str, value: str):
    client, token = attacker["admin" if target.as_admin else "reader"]
    comment = attacker["held"] if target.as_admin else attacker["comment"]
    path = target.path.format(comment=comment, own=attacker["own"], value=quote(value, safe=""))
    values = {k: v for k, v in target.base.items()}
    headers = {"Origin": ALLOWED_ORIGIN}
    if name == "X-Edit-Token":
        headers[name] = value
    elif "{value}" not in target.path:
        values[name] = value
    if target.path.startswith("/api/v1/comments/"):
        headers.setdefault("X-Edit-Token", attacker["edit_token"])
        values.setdefault("comment", "Ändrad text")
    if target.send == "query":
        return client.open(path, method=target.method, query_string=values)
    if target.send == "json":
        return client.open(path, method=target.method, json=values, headers=headers)
    # As the browser sends a form from the service's own page (the iframe's forms need that).
    return client.open(
        path,
        method=target.method,
        data={**values, "csrf_token": token},
        headers={"Origin": "http://localhost"},
    )


def attack(attacker, target: Target, full: bool) -> tuple[int, list[str]]:
    sent, broken, statuses = 0, [], set()
    for name in target.fields:
        for value in sent_strings(full, target, name):
            answer = send(attacker, target, name, value)
            sent += 1
            statuses.add(answer.status_code)
            problem = check_shape(answer, target.path)
            if problem:
                broken.append(f"{target.name} {name}={value!r}: {problem}")
    # The fields were read: not every request stopped at the door (login, origin, CSRF).
    if statuses <= {400, 401, 403}:
        broken.append(f"{target.name}: every request refused before its fields ({statuses})")
    return sent, broken


CASES = [pytest.param(t, id=t.name) for t in TARGETS]


def test_the_ci_sample_is_at_least_5000_requests():
    assert sum(len(t.fields) for t in TARGETS) * PER_FIELD_IN_CI >= 5000


@pytest.mark.attack
@pytest.mark.parametrize("target", CASES)
def test_naughty_strings_never_answer_5xx(attacker, target):
    sent, broken = attack(attacker, target, full=False)
    assert sent == len(target.fields) * PER_FIELD_IN_CI
    assert not broken, "\n".join(broken[:40])


@pytest.mark.long
@pytest.mark.parametrize("target", CASES)
def test_every_naughty_string_never_answers_5xx(attacker, target):
    _sent, broken = attack(attacker, target, full=True)
    assert not broken, "\n".join(broken[:40])
