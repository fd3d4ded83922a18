"""Settings: production refuses to start without its secrets; development makes its own."""
from __future__ import annotations

import pytest

import config
from config import ConfigError, load_config


def test_production_refuses_a_missing_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://ayllu@db/ayllu")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config("production")


def test_production_refuses_a_missing_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_config("production")


def test_production_refuses_a_short_secret(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://ayllu@db/ayllu")
    with pytest.raises(ConfigError, match="32"):
        load_config("production")


def test_production_with_its_settings_has_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://ayllu@db/ayllu")
    settings = load_config("production")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["WTF_CSRF_ENABLED"] is True
    assert settings["SCHEDULER_IN_PROCESS"] is False


def test_development_keeps_a_generated_secret_under_instance(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = load_config("development")
    second = load_config("development")
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'ayllu.sqlite'}"


def test_every_setting_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "45")
    monkeypatch.setenv("MAIL_USE_TLS", "false")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    settings = load_config("testing")
    assert settings["SESSION_IDLE_MINUTES"] == 45
    assert settings["MAIL_USE_TLS"] is False


def test_a_malformed_number_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "forty")
    with pytest.raises(ConfigError, match="SESSION_IDLE_MINUTES"):
        load_config("testing")


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="COOP_ENV"):
        load_config("staging")
