"""Configuration comes in layers: defaults, instance/config.py, COMMENTSVC_* (environment wins)."""

import pytest

from commentsvc import create_app
from commentsvc.config import ConfigError


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMENTSVC_INSTANCE_PATH", str(tmp_path))
    for key in ("SECRET_KEY", "MAX_DEPTH", "ALLOWED_ORIGINS", "RATELIMIT_ENABLED", "LANGUAGE"):
        monkeypatch.delenv(f"COMMENTSVC_{key}", raising=False)
    monkeypatch.setenv("COMMENTSVC_PUBLIC_URL", "https://kommentarer.example.se")
    # Required outside development with PUBLIC_URL (tests/test_deploy_config.py).
    monkeypatch.setenv("COMMENTSVC_MAIL_FROM", "kommentarer@example.se")
    monkeypatch.setenv("COMMENTSVC_DSA_CONTACT", "kommentarer@example.se")
    return tmp_path


def test_missing_public_url_is_an_error_at_start_outside_development(instance, monkeypatch):
    monkeypatch.delenv("COMMENTSVC_PUBLIC_URL")
    with pytest.raises(ConfigError, match="PUBLIC_URL is not set"):
        create_app({"SECRET_KEY": "s"})
    # Development and tests may go without: our own links are then relative.
    assert create_app({"SECRET_KEY": "s", "DEBUG": True}).config["PUBLIC_URL"] == ""
    assert create_app({"SECRET_KEY": "s", "TESTING": True}).config["PUBLIC_URL"] == ""


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "kommentarer.example.se", "http://[x"])
def test_a_public_url_that_is_not_a_web_address_is_refused(instance, bad):
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        create_app({"SECRET_KEY": "s", "PUBLIC_URL": bad})


def test_missing_secret_key_is_an_error_at_start(instance):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_instance_config_then_environment_which_wins(instance, monkeypatch):
    (instance / "config.py").write_text("SECRET_KEY = 'from-file'\nMAX_DEPTH = 3\nMAX_LINKS = 7\n")
    monkeypatch.setenv("COMMENTSVC_MAX_DEPTH", "4")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["MAX_LINKS"] == 7
    assert app.config["MAX_DEPTH"] == 4


@pytest.mark.parametrize(
    ("raw", "key", "expected"),
    [
        ("false", "RATELIMIT_ENABLED", False),
        ("5", "MAX_DEPTH", 5),
        ('["https://a.example/"]', "ALLOWED_ORIGINS", ["https://a.example"]),
        (
            "https://a.example, https://b.example",
            "ALLOWED_ORIGINS",
            ["https://a.example", "https://b.example"],
        ),
        ("en", "LANGUAGE", "en"),
    ],
)
def test_environment_values_are_json_where_they_parse(instance, monkeypatch, raw, key, expected):
    monkeypatch.setenv("COMMENTSVC_SECRET_KEY", "s")
    monkeypatch.setenv(f"COMMENTSVC_{key}", raw)
    assert create_app().config[key] == expected


def test_default_database_is_a_sqlite_file_in_the_instance_folder(instance, monkeypatch):
    monkeypatch.setenv("COMMENTSVC_SECRET_KEY", "s")
    uri = create_app().config["SQLALCHEMY_DATABASE_URI"]
    assert uri == f"sqlite:///{instance}/commentsvc.db"


def test_postgresql_urls_use_psycopg_3(instance):
    app = create_app({"SECRET_KEY": "s", "DATABASE_URL": "postgres://u@127.0.0.1/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1/db"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("MODERATION", "sometimes", "Choose one of: first-time, all, none."),
        ("LANGUAGE", "de", "Choose one of: sv, en."),
        ("MAX_DEPTH", 0, "Enter a whole number from 1 to 100."),
        ("MAX_LINKS", -1, "Enter a whole number from 0 to 100000."),
        ("NOTIFY_BATCH_MINUTES", -5, "Enter a whole number from 0 to 525600."),
        ("COMMENTS_PER_PAGE", 0, "Enter a whole number from 1 to 100000."),
        ("PURGE_AFTER_DAYS", 10**7, "Enter a whole number from 0 to 36500."),
        ("SMTP_PORT", "25", "Enter a whole number from 0 to 65535."),
        ("MAX_LINKS", True, "Enter a whole number from 0 to 100000."),
        ("NEWEST_FIRST", "yes", "Enter true or false."),
        ("SITE_NAME", 2024, "Enter text (in an environment variable: a JSON string)."),
        ("MODERATION_KEYS", 5, "Enter a list of words."),
    ],
)
def test_impossible_settings_are_refused_at_start(instance, key, value, message):
    with pytest.raises(ConfigError) as refused:
        create_app({"SECRET_KEY": "s", key: value})
    assert str(refused.value) == f"{key}: {message}"


@pytest.mark.parametrize(("near_miss", "taken"), [(0, 1), (101, 100)])
def test_max_depth_takes_its_edges_and_refuses_beyond(instance, near_miss, taken):
    assert create_app({"SECRET_KEY": "s", "MAX_DEPTH": taken}).config["MAX_DEPTH"] == taken
    with pytest.raises(ConfigError, match="MAX_DEPTH"):
        create_app({"SECRET_KEY": "s", "MAX_DEPTH": near_miss})


def test_a_refused_secret_is_not_repeated_in_the_error(instance, monkeypatch):
    """The start-up error ends up in logs: it names the key, never the value."""
    monkeypatch.setenv("COMMENTSVC_SECRET_KEY", "s")
    monkeypatch.setenv("COMMENTSVC_SMTP_PASSWORD", "918273645")  # JSON: a number, not text
    with pytest.raises(ConfigError) as refused:
        create_app()
    assert "SMTP_PASSWORD" in str(refused.value)
    assert "918273645" not in str(refused.value)
    monkeypatch.setenv("COMMENTSVC_SMTP_PASSWORD", '"918273645"')  # quoted: text
    assert create_app().config["SMTP_PASSWORD"] == "918273645"


def test_word_lists_from_the_environment_are_split_and_trimmed(instance, monkeypatch):
    monkeypatch.setenv("COMMENTSVC_SECRET_KEY", "s")
    monkeypatch.setenv("COMMENTSVC_MODERATION_KEYS", " bygglov , köp nu,, ")
    monkeypatch.setenv("COMMENTSVC_DISALLOWED_KEYS", '["kasino ", ""]')
    config = create_app().config
    assert config["MODERATION_KEYS"] == ["bygglov", "köp nu"]
    assert config["DISALLOWED_KEYS"] == ["kasino"]


def test_every_declared_setting_is_described_in_the_docs():
    """operating.md's configuration table (or moderating.md's policy) names every key."""
    import re
    from pathlib import Path

    from commentsvc.setting_specs import SETTINGS

    docs = Path(__file__).resolve().parents[1] / "docs"
    text = (docs / "operating.md").read_text() + (docs / "moderating.md").read_text()
    named = set(re.findall(r"`([A-Z][A-Z_]+)", text))
    assert [spec.key for spec in SETTINGS if spec.key not in named] == []
