"""The demo article that ``make run`` shows a newcomer, with a few comments under it."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from commentsvc import moderation, threads
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.threads import Comment, CommentStatus
from commentsvc.weburls import public_base

DEMO_KEY = "soi-mitt-startar-i-svealand"
# Where the demo is served without PUBLIC_URL (tests, `flask --debug run`): Flask's own default.
DEVELOPMENT_ADDRESS = "http://127.0.0.1:5000"
DEMO_COMMENTS = [
    # (author, email, text, index of the comment answered)
    (
        "Anna Lindqvist",
        "anna@example.se",
        "Äntligen! Vi har saknat en mötesplats för upphandlare i Mellansverige.",
        None,
    ),
    (
        "Erik Johansson",
        "erik@example.se",
        "Blir det träffar i Västerås också, eller bara i Uppsala?",
        None,
    ),
    (
        "Maria Berg",
        "maria@example.se",
        "Styrelsen planerar att turas om mellan orterna, så Västerås kommer med.",
        1,
    ),
    ("Erik Johansson", "erik@example.se", "Tack, då anmäler jag mig!", 2),
]


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo article with a short thread (once; running it again changes nothing)."""
    # The demo article is the service's own front page (DEMO = true): at PUBLIC_URL, which
    # `make run` sets for its HOST and PORT.
    article = threads.create_article(
        DEMO_KEY,
        title="SOI Mitt startar i Svealand",
        url=(public_base() or DEVELOPMENT_ADDRESS) + "/",
    )
    has_comments = db.session.execute(
        select(func.count()).where(Comment.article_id == article.id)
    ).scalar_one()
    if has_comments:
        db.session.commit()  # its title and address as this version of the demo has them
        click.echo("The demo article is already there.")
        return
    start = utcnow() - timedelta(hours=len(DEMO_COMMENTS))
    stored: list[Comment] = []
    for i, (author, email, text, answers) in enumerate(DEMO_COMMENTS):
        draft = threads.Draft(
            comment=text,
            author=author,
            email=email,
            parent_id=stored[answers].id if answers is not None else None,
        )
        when = start + timedelta(hours=i)
        comment = threads.post_comment(article, draft, ip="127.0.0.0", now=when)
        if comment.status != CommentStatus.APPROVED:
            moderation.approve(comment.id, by="demo", now=when)
        stored.append(comment)
    db.session.commit()
    click.echo(f"The demo article {DEMO_KEY!r} has {len(stored)} comments.")
