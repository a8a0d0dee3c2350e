"""Proof of work (ALTCHA, self-hosted): when a site asks for it, a comment with a valid,
unspent solution of one of our challenges is published at once, and one without (no
JavaScript, forged, expired, reused, another site's) waits for a moderator as
``no-proof-of-work``; it is never lost or refused. On the form, in the iframe and through the
API alike."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import timedelta

import altcha
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from commentsvc import sites
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment
from commentsvc.threads import proofofwork
from commentsvc.threads.policy import describe_reason
from tests.conftest import ALLOWED_ORIGIN, Reader
from tests.test_api import new_comment
from tests.test_embed import post_from_frame

HOST = {"Origin": ALLOWED_ORIGIN}


@pytest.fixture
def config_overrides() -> dict:
    return {"MODERATION": "none", "MIN_SUBMIT_SECONDS": 0, "PROOF_OF_WORK": True}


def fresh_challenge(client, **query) -> dict:
    answer = client.get("/api/v1/stamp", headers=HOST, query_string=query)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    return answer.get_json()["altcha"]


def solution(challenge: dict, *, number: int | None = None, **changed) -> str:
    """What a browser sends: the number that solves the challenge, as base64 of JSON."""
    if number is None:
        number = next(
            n
            for n in range(challenge["maxNumber"] + 1)
            if hashlib.sha256(f"{challenge['salt']}{n}".encode()).hexdigest()
            == challenge["challenge"]
        )
    fields = {key: challenge[key] for key in ("algorithm", "challenge", "salt", "signature")}
    payload = {**fields, "number": number, **changed}
    return base64.b64encode(json.dumps(payload).encode()).decode()


def api_post(client, article, text: str, proof: str | None):
    body = new_comment(article, comment=text)
    if proof is not None:
        body["altcha"] = proof
    answer = client.post("/api/v1/comments", json=body, headers=HOST)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def stored(app, text: str) -> tuple[str, str]:
    with app.app_context():
        comment = db.session.execute(select(Comment).where(Comment.text == text)).scalar_one()
        return comment.status.value, comment.held_for


def test_a_solved_challenge_publishes_the_comment_at_once(app, client, article):
    body = api_post(client, article, "Löst i webbläsaren", solution(fresh_challenge(client)))
    assert body["pending"] is False
    assert stored(app, "Löst i webbläsaren") == ("approved", "")


def forged_signature(challenge):
    return solution(challenge, signature="0" * 64)


def forged_by_another_key(challenge):
    other = altcha.create_challenge_v1(
        algorithm="SHA-256",
        max_number=1000,
        hmac_key=b"not our key",
        expires=utcnow() + timedelta(hours=1),
        params={"site": "default"},
    )
    return solution(other.to_dict())


def wrong_number(challenge):
    right = json.loads(base64.b64decode(solution(challenge)))["number"]
    return solution(challenge, number=(right + 1) % challenge["maxNumber"])


def tampered_expiry(challenge):
    salt = re.sub(r"expires=\d+", "expires=9999999999", challenge["salt"])
    return solution(challenge, salt=salt)


def b64(value) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


NOT_VALID = {
    "missing": lambda challenge: None,
    "empty": lambda challenge: "",
    "forged signature": forged_signature,
    "signed by another key": forged_by_another_key,
    "wrong number": wrong_number,
    "tampered expiry": tampered_expiry,
    "not base64": lambda challenge: "inte en lösning!",
    "a list": lambda challenge: b64([1, 2, 3]),
    "number as text": lambda challenge: solution(challenge, number="12"),
    "negative number": lambda challenge: solution(challenge, number=-1),
    "another algorithm": lambda challenge: solution(challenge, algorithm="SHA-1"),
    "too long": lambda challenge: "A" * 5000,
}


@pytest.mark.parametrize("made", NOT_VALID.values(), ids=NOT_VALID.keys())
def test_a_comment_without_a_valid_solution_waits_for_a_moderator(app, client, article, made):
    body = api_post(client, article, "Utan giltigt bevis", made(fresh_challenge(client)))
    assert body["pending"] is True
    assert stored(app, "Utan giltigt bevis") == ("pending", "no-proof-of-work")


def test_an_expired_challenge_does_not_count(app, client, article):
    with app.test_request_context():
        old = proofofwork.issue_challenge("default", utcnow() - timedelta(hours=3))
    api_post(client, article, "Gammal utmaning", solution(old))
    assert stored(app, "Gammal utmaning") == ("pending", "no-proof-of-work")


def test_a_solution_counts_once(app, client, article):
    proof = solution(fresh_challenge(client))
    api_post(client, article, "Första gången", proof)
    api_post(client, article, "Andra gången, samma lösning", proof)
    assert stored(app, "Första gången") == ("approved", "")
    assert stored(app, "Andra gången, samma lösning") == ("pending", "no-proof-of-work")


def test_another_sites_challenge_does_not_count_here(app, client, article):
    with app.app_context():
        sites.add_site("kultur", name="Kultur i Norr", origins=[], by="test", now=utcnow())
        db.session.commit()
    with app.test_request_context():
        theirs = proofofwork.issue_challenge("kultur", utcnow())
    api_post(client, article, "Fel webbplats", solution(theirs))
    assert stored(app, "Fel webbplats") == ("pending", "no-proof-of-work")


def test_the_plain_page_points_its_script_at_a_fresh_challenge(app, client, article):
    page = client.get("/thread", query_string={"article": article}).get_data(as_text=True)
    found = re.search(
        r'<input type="hidden" name="altcha" value="" data-challenge-from="([^"]+)"', page
    )
    assert found, "the form has no proof-of-work field"
    assert "/static/altcha." in page
    # The page holds no challenge itself (readers may share it); its address hands out one each.
    first = client.get(found.group(1).replace("&amp;", "&")).get_json()["altcha"]
    second = client.get(found.group(1).replace("&amp;", "&")).get_json()["altcha"]
    assert first["challenge"] != second["challenge"]


def test_the_form_with_a_solution_publishes_and_without_one_holds(app, article):
    reader = Reader(app.test_client())
    challenge = reader.client.get("/api/v1/stamp", query_string={"site": "default"}).get_json()
    reader.post(article, comment="Med bevis från formuläret", altcha=solution(challenge["altcha"]))
    page = reader.post(article, comment="Utan JavaScript", follow=True).get_data(as_text=True)
    assert stored(app, "Med bevis från formuläret") == ("approved", "")
    assert stored(app, "Utan JavaScript") == ("pending", "no-proof-of-work")
    assert "väntar på granskning" in page  # the reader is told, as for any held comment


def test_the_iframe_takes_a_solution_too(app, client, article):
    frame = app.test_client(use_cookies=False)
    challenge = frame.get("/api/v1/stamp", query_string={"site": "default"}).get_json()["altcha"]
    post_from_frame(frame, article, comment="Från iframen med bevis", altcha=solution(challenge))
    post_from_frame(frame, article, comment="Från iframen utan bevis")
    assert stored(app, "Från iframen med bevis") == ("approved", "")
    assert stored(app, "Från iframen utan bevis") == ("pending", "no-proof-of-work")


def test_the_reason_is_said_in_both_languages(app):
    with app.test_request_context():
        with force_locale("en"):
            assert "proof of work" in describe_reason("no-proof-of-work")
        with force_locale("sv"):
            assert "arbetsbevis" in describe_reason("no-proof-of-work")


@pytest.mark.parametrize("config_overrides", [{"MODERATION": "none", "MIN_SUBMIT_SECONDS": 0}])
def test_off_by_default_nothing_is_asked(app, client, article):
    assert "altcha" not in client.get("/api/v1/stamp", headers=HOST).get_json()
    page = client.get("/thread", query_string={"article": article}).get_data(as_text=True)
    assert 'name="altcha"' not in page and "altcha." not in page
    body = api_post(client, article, "Som vanligt", None)
    assert body["pending"] is False
