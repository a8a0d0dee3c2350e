"""The moderators' forms: sign-in, actions, accounts, settings, privacy requests, the log's filter.
Every POST carries a CSRF token."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Optional,
    StopValidation,
    ValidationError,
)

from commentsvc.dates import day_start
from commentsvc.forms.comment import CommentForm, MaxChars, check_email, strip_line, trimmed
from commentsvc.privacy.addresses import anonymize_ip
from commentsvc.privacy.identity import normalize_address
from commentsvc.setting_specs import EDITABLE_SETTINGS
from commentsvc.setting_types import (
    Flag,
    OneOf,
    SettingInvalid,
    SettingSpec,
    Text,
    TextList,
    WholeNumber,
)

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
        filters=[strip_line],
        validators=[DataRequired(_l("Enter your user name."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class CodeForm(FlaskForm):
    """A code of the second factor: six digits from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        filters=[strip_line],
        validators=[DataRequired(_l("Enter the code."))],
    )


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
        filters=[strip_line],
        validators=[DataRequired(_l("Enter a user name.")), MaxChars(200, _l("Too long."))],
    )
    display_name = StringField(
        _l("Name shown on replies"),
        filters=[strip_line],
        validators=[MaxChars(245, _l("Too long."))],
    )
    email = StringField(_l("Email for notifications"), filters=[trimmed], validators=[check_email])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password."))])
    role = SelectField(
        _l("Role"), choices=choices(("moderator", _l("Moderator")), ("admin", _l("Administrator")))
    )
    notify = BooleanField(_l("Email when a comment waits for review"))
    # The sites the account works on (the view offers those the admin manages); none: every
    # site, which only the installation's admin may give.
    sites = SelectMultipleField(_l("Sites"), choices=[], validate_choice=False)


class WordsField(TextAreaField):
    """A word list, one per line: the field's data is the list, shown one word a line."""

    def _value(self) -> str:
        return "\n".join(self.data or [])

    def process_formdata(self, valuelist):
        self.data = valuelist[0].splitlines() if valuelist else []


class FollowsDeclaration:
    """Checks a settings field with its setting's own check (``setting_specs.py``): the bounds
    and message the configuration file and the stored overrides get too. A number field also
    carries them as ``min`` and ``max``."""

    def __init__(self, spec: SettingSpec):
        self.spec = spec
        self.field_flags = (
            {"min": spec.minimum, "max": spec.maximum} if isinstance(spec, WholeNumber) else {}
        )

    def __call__(self, form, field):
        if field.process_errors:  # not a number at all: WTForms has said so
            raise StopValidation()
        try:
            self.spec.check(field.data)
        except SettingInvalid as error:
            raise StopValidation(str(error.message)) from None


def setting_field(spec: SettingSpec):
    """The form field of one setting, as its declaration says (the settings page, a site's)."""
    follows = FollowsDeclaration(spec)
    if isinstance(spec, WholeNumber):
        return IntegerField(spec.label, validators=[InputRequired(_l("Enter a number.")), follows])
    if isinstance(spec, OneOf):
        return SelectField(
            spec.label, choices=choices(*spec.choices), validate_choice=False, validators=[follows]
        )
    if isinstance(spec, TextList):
        return WordsField(spec.label, description=spec.hint or "", validators=[follows])
    if isinstance(spec, Flag):
        return BooleanField(spec.label, validators=[follows])
    if isinstance(spec, Text):
        return StringField(spec.label, filters=[trimmed], validators=[follows])
    raise TypeError(f"the settings page has no field for {type(spec).__name__} ({spec.key})")


# One field per setting admins may change, in the declaration's order.
SettingsForm = type(
    "SettingsForm",
    (FlaskForm,),
    {spec.key: setting_field(spec) for spec in EDITABLE_SETTINGS},
)


# --- an admin's data-subject requests in the moderation UI ----------------------------------
class PrivacyForm(FlaskForm):
    """The email a data-subject request is about; ``delete`` also removes the texts."""

    email = StringField(
        _l("The person's email address"),
        filters=[trimmed],
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

    def __init__(self, *args, sites=None, **kwargs):
        from commentsvc.audit import KINDS, actors

        super().__init__(*args, **kwargs)
        self.kind.choices = [("", str(_l("All kinds")))] + [
            (key, str(label)) for key, (label, _actions) in KINDS.items()
        ]
        self.actor.choices = [("", str(_l("Everyone")))] + [(name, name) for name in actors(sites)]

    # The days are the admin's: where each begins in ``zone`` (dates.day_start), not in UTC.
    def since_moment(self, zone: str) -> datetime | None:
        return day_start(self.since.data, zone) if self.since.data else None

    def until_moment(self, zone: str) -> datetime | None:
        if not self.until.data:
            return None
        return day_start(self.until.data + timedelta(days=1), zone)


class DayField(DateField):
    """A date typed as 2026-12-07; anything else is refused with an example, not a 500."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Enter a date like 2026-12-07."))) from error


SEARCH_TOO_LONG = _l("Search with at most %(limit)s characters; this has %(length)s.")
QUEUE_TABS = ("pending", "approved", "spam", "trash", "all")
QUEUE_SORTS = ("oldest", "newest")


class QueueFilterForm(FlaskForm):
    """The queue's search and filters (a GET form: no CSRF token, nothing changes). Each value
    stays in the address, so it is kept across pages, tabs and decisions."""

    status = SelectField(
        _l("Status"),
        default="pending",
        choices=choices(*((tab, tab) for tab in QUEUE_TABS)),
        validate_choice=False,
    )
    article = StringField(
        _l("Article (key or part of the title)"),
        filters=[trimmed],
        validators=[MaxChars(200, SEARCH_TOO_LONG)],
    )
    q = StringField(
        _l("Search text, name or email"),
        filters=[trimmed],
        validators=[MaxChars(200, SEARCH_TOO_LONG)],
    )
    person = StringField(_l("Person (exact email address)"), filters=[trimmed])
    network = StringField(_l("Network (as shown)"), filters=[trimmed])
    since = DayField(_l("From (date)"), validators=[Optional()])
    until = DayField(_l("To (date, inclusive)"), validators=[Optional()])
    sort = SelectField(
        _l("Order"),
        default="",
        choices=choices(("", ""), ("oldest", "oldest"), ("newest", "newest")),
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sort.choices = choices(
            ("", str(_l("As the tab orders"))),
            ("oldest", str(_l("Oldest first"))),
            ("newest", str(_l("Newest first"))),
        )

    def validate_status(self, field):
        if field.data not in QUEUE_TABS:
            raise ValidationError(
                _l("There is no such tab; choose one of: %(tabs)s.", tabs=", ".join(QUEUE_TABS))
            )

    def validate_sort(self, field):
        if field.data and field.data not in QUEUE_SORTS:
            raise ValidationError(_l("Sort by oldest or newest first."))

    def validate_person(self, field):
        if not field.data:
            return
        try:
            validate_email(field.data, check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(
                _l("Enter the whole email address, like namn@exempel.se.")
            ) from error
        field.data = normalize_address(field.data)

    def validate_network(self, field):
        if not field.data:
            return
        shown = anonymize_ip(field.data)
        if not shown or shown != str(ipaddress.ip_address(field.data)):
            raise ValidationError(_l("Enter the network as the queue shows it, like 192.0.2.0."))
        field.data = shown

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date comes before the start date."))
