"""The reply form ("Lämna ett svar"). The same form checks the HTML post and the JSON body."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from commentsvc import reports as report_rules
from commentsvc.errors import DomainError
from commentsvc.models import ReportReason
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
    """Surrounding white space does not count, so a blank field is an empty one.

    NUL characters are dropped: they mean nothing in text and PostgreSQL cannot store them.
    """
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class MaxChars:
    """At most ``limit`` characters, and the message says how many were typed."""

    def __init__(self, limit: int, message):
        self.limit = limit
        self.message = message

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
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter your name.")),
            MaxChars(
                AUTHOR_MAX, _l("The name can be at most %(limit)s characters; it has %(length)s.")
            ),
        ],
    )
    email = StringField(
        _l("Email"),
        filters=[strip_text],
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
        filters=[strip_text],
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
    parent = HiddenField(filters=[strip_text], validators=[check_parent])
    # Anti-spam signals (see antispam.py); judged by the moderation policy, never a form error.
    ts = HiddenField()
    hp = StringField(_l("Leave this field empty"))
    article = HiddenField(
        # Not strip_text: a key with a NUL in it is refused, not quietly changed.
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
        return Signals(stamp_age(self.ts.data, now), self.hp.data or "")

    def add_domain_error(self, error: DomainError) -> None:
        """Show a rule the service refused beside its field, or above the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


# --- issue 3: the moderation pages' forms (every POST carries a CSRF token) ---

try:  # WTForms 3.3 deprecates (value, label) tuples for SelectChoice
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choices(*pairs):
    """Select options as the installed WTForms prefers them."""
    return [SelectChoice(v, label) if SelectChoice else (v, label) for v, label in pairs]


class LoginForm(FlaskForm):
    username = StringField(
        _l("User name"),
        filters=[strip_text],
        validators=[DataRequired(_l("Enter your user name."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class ActionForm(FlaskForm):
    """One button on one comment: the CSRF token is all it needs."""


class BulkForm(FlaskForm):
    action = SelectField(
        _l("Action for the selected comments"),
        choices=choices(
            ("", _l("Choose an action")),
            ("approve", _l("Approve")),
            ("spam", _l("Mark as spam")),
            ("trash", _l("Move to trash")),
            ("restore", _l("Restore")),
        ),
        validate_choice=False,
    )


class ModeratorEditForm(FlaskForm):
    """A moderator's edit of a comment, or their reply as staff."""

    text = CommentForm.comment  # the same rules and messages as a reader's comment


class ModeratorForm(FlaskForm):
    username = StringField(
        _l("User name or email"),
        filters=[strip_text],
        validators=[DataRequired(_l("Enter a user name.")), MaxChars(200, _l("Too long."))],
    )
    display_name = StringField(
        _l("Name shown on replies"),
        filters=[strip_text],
        validators=[MaxChars(245, _l("Too long."))],
    )
    email = StringField(
        _l("Email for notifications"), filters=[strip_text], validators=[check_email]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password."))])
    role = SelectField(
        _l("Role"), choices=choices(("moderator", _l("Moderator")), ("admin", _l("Administrator")))
    )
    notify = BooleanField(_l("Email when a comment waits for review"))


class SettingsForm(FlaskForm):
    MODERATION = SelectField(
        _l("Which comments wait for review"),
        choices=choices(
            ("first-time", _l("Comments from authors without an earlier approved comment")),
            ("all", _l("Every comment")),
            ("none", _l("None (only those held by links or words)")),
        ),
    )
    MAX_LINKS = IntegerField(
        _l("Hold a comment with more links than"),
        validators=[InputRequired(_l("Enter a number.")), NumberRange(min=0, max=1000)],
    )
    MODERATION_KEYS = TextAreaField(
        _l("Hold comments containing these words (one per line)"), validators=[Optional()]
    )
    DISALLOWED_KEYS = TextAreaField(
        _l("Mark as spam comments containing these words (one per line)"),
        validators=[Optional()],
    )
    MIN_SUBMIT_SECONDS = IntegerField(
        _l("Mark as spam forms sent faster than this many seconds (0: off)"),
        validators=[InputRequired(_l("Enter a number.")), NumberRange(min=0, max=3600)],
    )
    CLOSE_AFTER_DAYS = IntegerField(
        _l("Close threads this many days after they start (0: never)"),
        validators=[InputRequired(_l("Enter a number.")), NumberRange(min=0, max=100000)],
    )


# --- issue 4: the same form reads the JSON API's body -----------------------------------------
# A JSON body is turned into form data, so the API and the HTML form share every validator and
# message. Only the form's fields are read (unknown ones are ignored, as Isso does); a value of
# the wrong JSON type is a field error, never a 500 or a silent conversion.
TEXT_FIELDS = ("comment", "author", "email", "url", "article", "ts", "hp", "subscribe")


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


# --- issue 5: an admin's data-subject requests in the moderation UI --------------------------
class PrivacyForm(FlaskForm):
    """The email a data-subject request is about; ``delete`` also removes the texts."""

    email = StringField(
        _l("The person's email address"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the email address the request is about.")),
            MaxChars(
                254, _l("The email address can be at most %(limit)s characters; it has %(length)s.")
            ),
            lambda form, field: None if field.errors else check_email(form, field),
        ],
    )
    delete = BooleanField(_l("Remove the texts of the comments too"))


class PasswordForm(FlaskForm):
    """A moderator's own new password, proven by the current one (the rules are the service's:
    ``accounts.check_new_password``, the same for every way a password is set)."""

    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Enter a new password."))]
    )
    confirm = PasswordField(
        _l("New password again"), validators=[DataRequired(_l("Enter the new password again."))]
    )

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two new passwords are not the same."))


class AuditFilterForm(FlaskForm):
    """The log page's filters (a GET form: no CSRF token, nothing changes)."""

    kind = SelectField(_l("Kind"), validate_choice=False)
    actor = SelectField(_l("Moderator"), validate_choice=False)
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("To (date, inclusive)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        from commentsvc.audit import KINDS, actors

        super().__init__(*args, **kwargs)
        self.kind.choices = [("", str(_l("All kinds")))] + [
            (key, str(label)) for key, (label, _actions) in KINDS.items()
        ]
        self.actor.choices = [("", str(_l("Everyone")))] + [(name, name) for name in actors()]

    def since_moment(self) -> datetime | None:
        return datetime.combine(self.since.data, time(), UTC) if self.since.data else None

    def until_moment(self) -> datetime | None:
        if not self.until.data:
            return None
        return datetime.combine(self.until.data, time(), UTC) + timedelta(days=1)


# --- reader reports (notice and action) -----------------------------------------------------
REPORT_EXPLANATION_MAX = 2000
REPORT_EMAIL_MAX = 254  # the longest address SMTP allows
GOOD_FAITH_TEXT = _l("I confirm in good faith that the information is correct and complete")


def check_report_reason(form, field):
    if field.data not in {reason.value for reason in ReportReason}:
        raise ValidationError(_l("Choose one of the reasons in the list."))


class ReportForm(FlaskForm):
    """A reader's report of a comment; a notice of illegal content asks for more (DSA art. 16)."""

    reason = SelectField(
        _l("Why do you report this comment?"),
        choices=[],  # filled from REASON_LABELS in __init__, so the labels follow the language
        validate_choice=False,
        validators=[check_report_reason],
    )
    explanation = TextAreaField(
        _l("Explanation"),
        filters=[strip_text],
        validators=[
            MaxChars(
                REPORT_EXPLANATION_MAX,
                _l("The explanation can be at most %(limit)s characters; it has %(length)s."),
            )
        ],
    )
    name = StringField(
        _l("Your name"),
        filters=[strip_text],
        validators=[
            MaxChars(
                AUTHOR_MAX, _l("The name can be at most %(limit)s characters; it has %(length)s.")
            )
        ],
    )
    email = StringField(
        _l("Your email address"),
        filters=[strip_text],
        validators=[
            MaxChars(
                REPORT_EMAIL_MAX,
                _l("The email address can be at most %(limit)s characters; it has %(length)s."),
            ),
            check_email,
        ],
    )
    good_faith = BooleanField(GOOD_FAITH_TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = choices(
            *((r.value, label) for r, label in report_rules.REASON_LABELS.items())
        )

    def validate(self, extra_validators=None) -> bool:
        """A notice of illegal content needs an explanation, a name, an address and the
        good-faith statement; a reader's flag for another reason needs only the reason."""
        valid = super().validate(extra_validators)
        if self.reason.data == "illegal":
            for field, message in (
                (
                    self.explanation,
                    _l("Explain why the comment is illegal: what in it breaks which law."),
                ),
                (self.name, _l("Enter your name: a notice of illegal content needs it.")),
                (self.email, _l("Enter your email address: we send the decision to it.")),
                (
                    self.good_faith,
                    _l("Tick the box to confirm that the notice is given in good faith."),
                ),
            ):
                if not field.data and not field.errors:
                    field.errors = [*field.errors, message]
                    valid = False
        return valid

    def new_report(self) -> report_rules.NewReport:
        return report_rules.NewReport(
            reason=ReportReason(self.reason.data),
            explanation=self.explanation.data or "",
            name=self.name.data or "",
            email=self.email.data or "",
            good_faith=bool(self.good_faith.data),
        )


REPORTER_MAX = 200  # the API's browser id for reports (a random value the client keeps)


def report_formdata_from_json(body: dict):
    """(form data, field errors) for a report sent to the API; ``good_faith`` is true or false."""
    data, errors = formdata_from_json(body, ("reason", "explanation", "name", "email", "reporter"))
    length = len(data.get("reporter") or "")
    if length > REPORTER_MAX:
        message = _l("The reporter id can be at most %(limit)s characters; it has %(length)s.")
        errors["reporter"] = [message % {"limit": REPORTER_MAX, "length": length}]
    value = body.get("good_faith")
    if value is not None:
        if not isinstance(value, bool):
            errors["good_faith"] = [_l("Send true or false.")]
        elif value:
            data["good_faith"] = "y"
    return data, errors


class RemovalForm(FlaskForm):
    """A moderator removes a reported comment: a reason from the readers' list and a ground."""

    # Checked by the service (reports.check_ground), which says what is missing.
    reason = SelectField(_l("Reason"), choices=[], validate_choice=False)
    ground = TextAreaField(
        _l("Ground (the law or the site's rule, and how the comment breaks it)"),
        filters=[strip_text],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = choices(
            *((r.value, label) for r, label in report_rules.REASON_LABELS.items())
        )
