"""Each admin-editable setting has one set of bounds: the configuration file, the settings page
and the stored overrides take the same values and refuse the same ones, with the same message.
A value the configuration file may hold can be shown and saved on the settings page."""

from __future__ import annotations

import json
import re

import pytest
from flask_babel import force_locale

from commentsvc import create_app, settings
from commentsvc.config import ConfigError
from commentsvc.extensions import db
from commentsvc.models.base import utcnow
from commentsvc.models.sites import Site
from commentsvc.setting_specs import EDITABLE_SETTINGS

SAVED = "Inställningarna är sparade och gäller direkt."

# Every editable setting: values at its edges (taken everywhere), values just beyond them
# (refused everywhere), and the message in English and Swedish.
BOUNDS = [
    (
        "MODERATION",
        ["first-time", "all", "none"],
        ["sometimes", "ALL"],
        "Choose one of: first-time, all, none.",
        "Välj ett av: first-time, all, none.",
    ),
    (
        "MAX_LINKS",
        [0, 5000, 100000],
        [-1, 100001],
        "Enter a whole number from 0 to 100000.",
        "Ange ett heltal från 0 till 100000.",
    ),
    (
        "MIN_SUBMIT_SECONDS",
        [0, 3600],
        [-1, 3601],
        "Enter a whole number from 0 to 3600.",
        "Ange ett heltal från 0 till 3600.",
    ),
    (
        "CLOSE_AFTER_DAYS",
        [0, 100000],
        [-1, 100001],
        "Enter a whole number from 0 to 100000.",
        "Ange ett heltal från 0 till 100000.",
    ),
    (
        "BAN_ACTION",
        ["refuse", "hold"],
        ["spam", "HOLD"],
        "Choose one of: refuse, hold.",
        "Välj ett av: refuse, hold.",
    ),
    (
        "MODERATION_KEYS",
        [[], ["bygglov", "köp nu", "viagr*", "anna@example.se", "@example.se", "192.0.2.0/24"]],
        [["bygglov", "vi*gra"]],
        "“vi*gra”: a * may stand only at the start or the end of an entry (viagr*, *bonus).",
        "”vi*gra”: en * kan bara stå först eller sist i en rad (viagr*, *bonus).",
    ),
    ("DISALLOWED_KEYS", [[], ["kasino"]], [], None, None),
    ("SPAM_MEMORY", [True, False], [], None, None),  # a checkbox: nothing else can be sent
    ("PROOF_OF_WORK", [True, False], [], None, None),
]
TAKEN = [(key, value) for key, values, _bad, _en, _sv in BOUNDS for value in values]
REFUSED = [(key, value, en, sv) for key, _ok, values, en, sv in BOUNDS for value in values]

# What the settings page sends when nothing is changed (the defaults).
UNCHANGED = {
    "MODERATION": "first-time",
    "MAX_LINKS": "2",
    "MODERATION_KEYS": "",
    "DISALLOWED_KEYS": "",
    "MIN_SUBMIT_SECONDS": "0",
    "SPAM_MEMORY": "y",
    "PROOF_OF_WORK": "",
    "CLOSE_AFTER_DAYS": "0",
    "BAN_ACTION": "refuse",
}


def as_sent(value) -> str:
    """A value as the settings form carries it."""
    if isinstance(value, bool):
        return "y" if value else ""
    return "\n".join(value) if isinstance(value, list) else str(value)


def stored(app) -> dict:
    """The default site's own values, as JSON."""
    with app.app_context():
        return {
            key: json.dumps(value)
            for key, value in db.session.get(Site, "default").settings.items()
        }


def test_the_table_covers_every_editable_setting():
    assert sorted(key for key, *_rest in BOUNDS) == sorted(settings.EDITABLE)


def test_the_form_offers_exactly_the_editable_settings(admin):
    page = admin.get("/moderation/settings").get_data(as_text=True)
    form = re.search(r'<form method="post" class="mod-form".*?</form>', page, re.DOTALL).group(0)
    names = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', form)
    assert [n for n in names if n != "csrf_token"] == [spec.key for spec in EDITABLE_SETTINGS]
    assert "MAX_DEPTH" not in form  # in the configuration file only
    # The number fields carry their bounds for the browser too.
    assert re.search(r'<input[^>]*max="100000" min="0" name="MAX_LINKS"', form)


# --- the configuration file -------------------------------------------------------------------


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(tmp_path))
    return tmp_path


def start(**config):
    return create_app({"SECRET_KEY": "s", "TESTING": True, **config})


@pytest.mark.parametrize(("key", "value"), TAKEN)
def test_the_configuration_takes_the_edge_values(instance, key, value):
    assert start(**{key: value}).config[key] == value


@pytest.mark.parametrize(("key", "value", "english", "swedish"), REFUSED)
def test_the_configuration_refuses_values_beyond_the_edges(instance, key, value, english, swedish):
    with pytest.raises(ConfigError) as refused:
        start(**{key: value})
    assert str(refused.value) == f"{key}: {english}"


# --- the stored overrides ---------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), TAKEN)
def test_the_overrides_take_the_edge_values(app, key, value):
    with app.test_request_context():
        settings.save_settings({key: value}, by="ada", now=utcnow())
        db.session.commit()
    with app.test_request_context():
        assert settings.effective_config()[key] == value


@pytest.mark.parametrize(("key", "value", "english", "swedish"), REFUSED)
def test_the_overrides_refuse_values_beyond_the_edges(app, key, value, english, swedish):
    with app.test_request_context():
        with pytest.raises(settings.SettingRejected) as refused:
            settings.save_settings({key: value}, by="ada", now=utcnow())
        assert refused.value.field == key
        with force_locale("en"):
            assert str(refused.value.message) == english
        with force_locale("sv"):
            assert str(refused.value.message) == swedish
    assert stored(app) == {}


# --- the settings page ------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), TAKEN)
def test_the_settings_page_takes_the_edge_values(app, admin, key, value):
    answer = admin.post("/moderation/settings", {**UNCHANGED, key: as_sent(value)})
    assert answer.status_code == 303
    assert SAVED in admin.get("/moderation/settings").get_data(as_text=True)
    with app.test_request_context():
        assert settings.effective_config()[key] == value


@pytest.mark.parametrize(("key", "value", "english", "swedish"), REFUSED)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_settings_page_refuses_values_beyond_the_edges(
    app, admin, key, value, english, swedish, lang
):
    answer = admin.post(
        f"/moderation/settings?lang={lang}",
        {**UNCHANGED, "MAX_LINKS": "7", key: as_sent(value)},  # a valid change beside it
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    message = english if lang == "en" else swedish
    assert f'<span class="error" id="{key}-error">{message}</span>' in page
    assert page.count('class="error"') == 1
    assert stored(app) == {}


# --- a value from the configuration file on the settings page --------------------------------


@pytest.fixture
def instance_config() -> str:
    return ""


@pytest.fixture
def config_overrides(instance_config, tmp_path) -> dict:
    """The instance folder's config.py, as a site owner writes it, read before the app starts."""
    if instance_config:
        (tmp_path / "config.py").write_text(instance_config, encoding="utf-8")
    return {}


@pytest.mark.parametrize("instance_config", ["MAX_LINKS = 5000\n"])
def test_many_links_allowed_in_the_instance_config_can_be_shown_and_saved(app, admin):
    assert app.config["MAX_LINKS"] == 5000
    page = admin.get("/moderation/settings").get_data(as_text=True)
    assert re.search(r'name="MAX_LINKS"[^>]*value="5000"', page)
    answer = admin.post(
        "/moderation/settings", {**UNCHANGED, "MAX_LINKS": "5000", "MODERATION": "all"}
    )
    assert answer.status_code == 303
    assert SAVED in admin.get("/moderation/settings").get_data(as_text=True)
    assert stored(app) == {"MODERATION": '"all"'}  # MAX_LINKS is unchanged: not stored
    with app.test_request_context():
        assert settings.effective_config()["MAX_LINKS"] == 5000
        assert settings.effective_config()["MODERATION"] == "all"
