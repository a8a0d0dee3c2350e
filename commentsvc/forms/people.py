"""The person page's forms: finding a person by their exact address, and the moderators'
standing decision about them on a site."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired

from commentsvc.forms.comment import MaxChars, strip_line
from commentsvc.forms.desk import choices

# The address column's limit (Comment.address, PersonTrust.address).
ADDRESS_MAX = 254
TOO_LONG = MaxChars(
    ADDRESS_MAX, _l("The email address can be at most %(limit)s characters; it has %(length)s.")
)


# What a moderator may decide about a person on a site; "none": as for anyone.
TRUST_CHOICES = (
    ("none", _l("As anyone's: the site's policy decides")),
    ("trusted", _l("Trusted: published without the first-time hold (links and words still hold)")),
    ("held", _l("Always held: every comment waits for a moderator")),
)


class PersonSearchForm(FlaskForm):
    """The desk's search for a person: an exact email address (GET, no token)."""

    address = StringField(
        _l("Email address of the person"),
        filters=[strip_line],
        validators=[DataRequired(_l("Enter the person's email address.")), TOO_LONG],
    )
    site = HiddenField()


class TrustForm(FlaskForm):
    """Trusted, always held, or as anyone: on one site."""

    address = HiddenField(
        filters=[strip_line],
        validators=[DataRequired(_l("Enter the person's email address.")), TOO_LONG],
    )
    site = HiddenField()
    trust = RadioField(
        _l("This person's comments"),
        choices=choices(*TRUST_CHOICES),
        validators=[InputRequired(_l("Choose how this person's comments are treated."))],
    )
