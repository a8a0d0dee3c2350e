"""The sites page's forms: a new site, a site's name, origins and own settings, its removal.

The id, name and origins are checked by the sites registry (one rule for the page and
``commentsvc site``); a site's settings by their declarations (``setting_specs.py``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField

from commentsvc.forms.comment import strip_line
from commentsvc.forms.desk import setting_field
from commentsvc.setting_specs import SITE_PAGE_SETTINGS


class LinesField(TextAreaField):
    """One item a line: the field's data is the list of non-empty lines."""

    def _value(self) -> str:
        return "\n".join(self.data or [])

    def process_formdata(self, valuelist):
        lines = valuelist[0].splitlines() if valuelist else []
        self.data = [line.strip() for line in lines if line.strip()]


def _origins_field():
    return LinesField(_l("Origins of the site's pages (one per line, like https://www.example.se)"))


class NewSiteForm(FlaskForm):
    site_id = StringField(
        _l("Id (lower-case letters a–z, digits and hyphens, like nt-kultur)"),
        filters=[strip_line],
    )
    name = StringField(_l("Name"), filters=[strip_line])
    origins = _origins_field()


# A site's name and origins, and every per-site setting that is not the admins' policy (that
# is on the settings page, for each site), in the declaration's order.
SiteForm = type(
    "SiteForm",
    (FlaskForm,),
    {
        "name": StringField(_l("Name"), filters=[strip_line]),
        "origins": _origins_field(),
        **{spec.key: setting_field(spec) for spec in SITE_PAGE_SETTINGS},
    },
)


class RemoveSiteForm(FlaskForm):
    with_threads = BooleanField(_l("Remove its threads and their comments too"))


def field_of(form: FlaskForm, field: str | None):
    """The form's field a registry refusal names (``id``, ``origin``, a setting's key)."""
    name = {"id": "site_id", "origin": "origins"}.get(field or "", field or "")
    return form._fields.get(name)
