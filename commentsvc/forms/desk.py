"""The moderators' forms: sign-in, actions, accounts, settings, privacy requests, the log's filter.
Every POST carries a CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from commentsvc.forms.comment import CommentForm, MaxChars, check_email, strip_text

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


# --- an admin's data-subject requests in the moderation UI ----------------------------------
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
