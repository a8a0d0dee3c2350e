"""The reader's forms: a comment or reply, and an author's edit; the same forms read the
JSON API's body. Each field's limits are written here once."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, ValidationError

from commentsvc.errors import DomainError
from commentsvc.sanitize import plain_line, plain_text
from commentsvc.threads.antispam import stamp_age
from commentsvc.threads.policy import Signals
from commentsvc.threads.posting import Draft
from commentsvc.weburls import URL_TOO_LONG, BadWebUrl, clean_web_url

COMMENT_MAX = 5000
AUTHOR_MAX = 245
EMAIL_MAX = 100
URL_MAX = 200
ARTICLE_KEY_MAX = 200

# 1–200 printable characters without white space: what a host site may use as a thread's key.
ARTICLE_KEY = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]{1,200}")


def strip_text(value):
    """A multi-line text as ``sanitize.plain_text`` keeps it (new lines, no controls), without
    surrounding white space, so a blank field is an empty one."""
    return plain_text(value).strip() if isinstance(value, str) else value


def trimmed(value):
    """Surrounding white space does not count; nothing inside is changed, so that the field's
    check refuses what does not belong in it (a control character in an address) rather than
    quietly mending it into another address."""
    return value.strip() if isinstance(value, str) else value


def strip_line(value):
    """A one-line value (a name, an address) as ``sanitize.plain_line`` keeps it (no line
    breaks, no controls), without surrounding white space."""
    return plain_line(value).strip() if isinstance(value, str) else value


class MaxChars:
    """At most ``limit`` characters, and the message says how many were typed.

    Like WTForms' ``Length`` it flags the field with its ``maxlength``, so a field rendered
    through WTForms carries the attribute, and ``declared_limits`` reads it from here.
    """

    def __init__(self, limit: int, message):
        self.limit = limit
        self.message = message
        self.field_flags = {"maxlength": limit}

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(self.message % {"limit": self.limit, "length": length})


def check_email(form, field):
    """Syntax only (no DNS look-up); a display name such as ``Ann <ann@example.se>`` is refused."""
    if not field.data:
        return
    try:
        result = validate_email(field.data, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(_l("Enter an email address like namn@exempel.se.")) from error
    field.data = result.normalized


def check_website(form, field):
    """Only http and https addresses; a bare domain gets ``https://`` put in front."""
    if field.errors:
        return  # already too long as typed: one message is enough, not the same one twice
    try:
        field.data = clean_web_url(field.data, limit=URL_MAX)
    except BadWebUrl as error:
        raise ValidationError(error.message) from error


def declared_limits(form_class: type[FlaskForm]) -> dict[str, dict[str, Any]]:
    """Each limited field's limits as its validators declare them: ``max`` (characters) and
    ``required``. The pages, the script embed (through the JSON thread), OpenAPI and the
    moderators' edit read them here, so no surface writes a number of its own.

    Read from the class's declarations, so it needs no request (OpenAPI is built without one).
    """
    declared = sorted(
        (value.creation_counter, name, value)
        for name in dir(form_class)
        if isinstance(value := getattr(form_class, name), UnboundField)
    )
    limits = {}
    for _order, name, unbound in declared:
        flags: dict[str, Any] = {}
        for validator in unbound.kwargs.get("validators") or ():
            flags.update(getattr(validator, "field_flags", {}))
        if "maxlength" in flags:
            limits[name] = {"max": flags["maxlength"], "required": bool(flags.get("required"))}
    return limits


MAX_ID = 2**31 - 1  # the largest id the database stores (a PostgreSQL integer)


def parse_id(value) -> int | None:
    """A stored row's id from text, or None when the text cannot be one."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def check_parent(form, field):
    if field.data and parse_id(field.data) is None:
        raise ValidationError(_l("The comment you reply to is not valid. Reload the page."))


def check_article_key(form, field):
    if field.data and not ARTICLE_KEY.fullmatch(field.data):
        raise ValidationError(
            _l("The article key must be 1–200 characters without spaces or control characters.")
        )


SUBSCRIBE_CHOICES = ("", "replies", "article")
SUBSCRIBE_MESSAGE = _l(
    "Choose how to be notified by email: “replies”, “article” or nothing (an empty value)."
)


class SubscribeField(StringField):
    """``subscribe``: "" (default), "replies" or "article". The page's two checkboxes may send
    both; the wider wish wins, as every comment on the article includes the replies."""

    def process_formdata(self, valuelist):
        values = [v.strip() if isinstance(v, str) else v for v in valuelist]
        self.data = "article" if "article" in values else "replies" if "replies" in values else ""
        self.unknown = [v for v in values if v not in SUBSCRIBE_CHOICES]

    def pre_validate(self, form):
        if getattr(self, "unknown", None):
            raise ValidationError(SUBSCRIBE_MESSAGE)


class CommentForm(FlaskForm):
    """Fields named as WordPress names them, so habits and imports map one to one."""

    comment = TextAreaField(
        _l("Comment"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Write a comment.")),
            MaxChars(
                COMMENT_MAX,
                _l("The comment can be at most %(limit)s characters; it has %(length)s."),
            ),
        ],
    )
    author = StringField(
        _l("Name"),
        filters=[strip_line],
        validators=[
            DataRequired(_l("Enter your name.")),
            MaxChars(
                AUTHOR_MAX, _l("The name can be at most %(limit)s characters; it has %(length)s.")
            ),
        ],
    )
    email = StringField(
        _l("Email"),
        filters=[trimmed],
        validators=[
            DataRequired(_l("Enter your email address. It will not be published.")),
            MaxChars(
                EMAIL_MAX,
                _l("The email address can be at most %(limit)s characters; it has %(length)s."),
            ),
            check_email,
        ],
    )
    url = StringField(
        _l("Website"),
        filters=[trimmed],
        validators=[
            MaxChars(URL_MAX, URL_TOO_LONG),
            check_website,
        ],
    )
    remember = BooleanField(
        _l("Save my name, email and website in this browser for the next time I comment.")
    )
    subscribe = SubscribeField(
        _l("Email notifications"),
        default="",
        description={
            "replies": _l("Notify me by email when someone replies to my comment"),
            "article": _l("… when someone comments on this article"),
        },
    )
    parent = HiddenField(filters=[strip_line], validators=[check_parent])
    # Anti-spam signals (see antispam.py); judged by the moderation policy, never a form error.
    ts = HiddenField()
    hp = StringField(_l("Leave this field empty"))
    altcha = HiddenField()  # the proof of work's solution, when the site asks for one
    article = HiddenField(
        # Not strip_line: a key with a control character in it is refused, not quietly changed.
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("The form does not say which article it belongs to.")),
            check_article_key,
        ],
    )

    @property
    def parent_id(self) -> int | None:
        return parse_id(self.parent.data)

    def draft(self) -> Draft:
        """The checked fields as the comment service takes them."""
        return Draft(
            comment=self.comment.data,
            author=self.author.data,
            email=self.email.data,
            website=self.url.data or "",
            parent_id=self.parent_id,
            subscribe=self.subscribe.data or "",
            language=str(get_locale() or ""),
        )

    def signals(self, now: datetime) -> Signals:
        """What the form says about who sent it: the time-trap's age and the honeypot."""
        return Signals(stamp_age(self.ts.data, now), self.hp.data or "", self.altcha.data or "")

    def add_domain_error(self, error: DomainError) -> None:
        """Show a rule the service refused beside its field, or above the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


# --- the same form reads the JSON API's body ---------------------------------------------------
# A JSON body is turned into form data, so the API and the HTML form share every validator and
# message. Only the form's fields are read (unknown ones are ignored, as Isso does); a value of
# the wrong JSON type is a field error, never a 500 or a silent conversion.
TEXT_FIELDS = ("comment", "author", "email", "url", "article", "ts", "hp", "altcha", "subscribe")


def formdata_from_json(body: dict, fields: tuple[str, ...] = (*TEXT_FIELDS, "parent", "remember")):
    """(form data, field errors) for a JSON object sent to the API."""
    from werkzeug.datastructures import MultiDict

    data, errors = MultiDict(), {}
    for name in fields:
        value = body.get(name)
        if value is None:
            continue
        if name == "remember":
            if not isinstance(value, bool):
                errors[name] = [_l("Send true or false.")]
            elif value:
                data[name] = "y"
        elif name == "parent":
            if isinstance(value, bool) or not isinstance(value, int | str):
                errors[name] = [_l("The comment you reply to is not valid. Reload the page.")]
            else:
                data[name] = str(value)
        elif isinstance(value, str):
            data[name] = value
        else:
            errors[name] = [_l("Send this field as text.")]
    return data, errors


class EditForm(FlaskForm):
    """The author's new text for their comment: the same rules as a new comment's text."""

    comment = CommentForm.comment
