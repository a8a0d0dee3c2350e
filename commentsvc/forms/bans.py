"""The desk's ban form: what, on which site, how long, why. The service (moderation.bans)
checks each value and says what is wrong, so the CLI and the form refuse alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from commentsvc.forms.comment import MaxChars, strip_line

NOTE_MAX = 2000  # the moderator's note, which a ban by address's statement quotes


def strip_text(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class BanForm(FlaskForm):
    target = StringField(
        _l("Email address or network"),
        filters=[strip_line],
        description=_l("An exact address (anna@example.se) or a network (192.0.2.0/24)."),
    )
    # Choices: the sites the moderator works on (the view fills them); checked by the view.
    site = SelectField(_l("Site"), choices=[], validate_choice=False)
    days = StringField(
        _l("Days (empty: until lifted)"),
        filters=[strip_line],
    )
    reason = SelectField(_l("Reason"), choices=[], validate_choice=False)
    note = TextAreaField(
        _l("Ground in your own words (sent to the person in the statement of reasons)"),
        filters=[strip_text],
        validators=[
            MaxChars(
                NOTE_MAX,
                _l("The note can be at most %(limit)s characters; it has %(length)s."),
            )
        ],
    )
    comment = HiddenField()
