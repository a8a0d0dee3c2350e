"""The forms of readers' reports (notice and action) and of a moderator's removal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from commentsvc import reports as report_rules
from commentsvc.forms.comment import (
    AUTHOR_MAX,
    MaxChars,
    check_email,
    formdata_from_json,
    strip_line,
    strip_text,
    trimmed,
)
from commentsvc.forms.desk import choices
from commentsvc.models.reports import ReportReason

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
        filters=[strip_line],
        validators=[
            MaxChars(
                AUTHOR_MAX, _l("The name can be at most %(limit)s characters; it has %(length)s.")
            )
        ],
    )
    email = StringField(
        _l("Your email address"),
        filters=[trimmed],
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
