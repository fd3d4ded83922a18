"""Settings for Ayllu, one class per environment.

Every value can be overridden from the environment (the README lists them all). Production
refuses to start without ``SECRET_KEY`` and ``DATABASE_URL``: there is no fallback secret
anywhere, so a forgotten variable stops the deployment instead of weakening it.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("COOP_INSTANCE_DIR", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """A setting needed to start is missing or wrong."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc


def _instance_secret_key() -> str:
    """A random key kept under instance/ so development sessions survive restarts.

    Generated on first use, never shipped: each checkout has its own.
    """
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Values shared by every environment; subclasses set what differs."""

    ENV_NAME = "base"
    TESTING = False
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    DATABASE_POOL_SIZE = 5
    DATABASE_MAX_OVERFLOW = 10
    SQLITE_BUSY_TIMEOUT_MS = 10_000

    # Sessions: the cookie only carries a random token; the session itself lives in the database.
    SESSION_COOKIE_NAME = "ayllu_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_MINUTES = 120
    SESSION_ABSOLUTE_HOURS = 12
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; the session has its own limits

    # Log-in throttling, per account *and* address: after LOGIN_SLOW_AFTER failures each further attempt
    # waits longer; after LOGIN_LOCK_AFTER that account is locked from that address (an address guessing
    # at LOGIN_CLIENT_LOCK_AFTER failures, whatever the accounts, is locked) for LOGIN_LOCK_MINUTES.
    LOGIN_SLOW_AFTER = 3
    LOGIN_LOCK_AFTER = 10
    LOGIN_CLIENT_LOCK_AFTER = 30
    LOGIN_LOCK_MINUTES = 15
    PASSWORD_RESET_HOURS = 2
    PASSWORD_MIN_LENGTH = 10

    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = "America/Guayaquil"
    LANGUAGES = ("es", "en")

    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_FROM = "Ayllu <no-reply@localhost>"
    OUTBOX_MAX_ATTEMPTS = 8
    OUTBOX_BATCH = 50

    SCHEDULER_IN_PROCESS = False
    SCHEDULER_LOCK_MINUTES = 30
    #: seconds between the scheduler's looks for the runs an operator asked for ("Run now")
    SCHEDULER_POLL_SECONDS = 5
    #: run background tasks (big documents, imports) in a thread of the web process that queued
    #: them; off, the scheduler process's task worker runs them (production: keeps web workers free)
    TASKS_RUN_IN_THREAD = False
    #: seconds between the scheduler's looks for queued tasks
    TASKS_POLL_SECONDS = 2

    #: reverse proxies in front of the app whose X-Forwarded-* headers are trusted (nginx: 1)
    TRUSTED_PROXIES = 0
    PREFERRED_URL_SCHEME = "http"
    SERVER_NAME: str | None = None
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    #: the largest receipt or invoice (PDF, JPEG or PNG) kept with an expense, in bytes
    LEDGER_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    MEETINGS_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

    @classmethod
    def from_environment(cls) -> dict:
        """Read every overridable setting from the environment into a dict for app.config."""
        values = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
        strings = ("SECRET_KEY", "DATABASE_URL", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD",
                   "MAIL_FROM", "BABEL_DEFAULT_TIMEZONE", "SERVER_NAME", "PREFERRED_URL_SCHEME")
        ints = ("DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW", "SQLITE_BUSY_TIMEOUT_MS",
                "SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS", "LOGIN_SLOW_AFTER",
                "LOGIN_LOCK_AFTER", "LOGIN_CLIENT_LOCK_AFTER", "LOGIN_LOCK_MINUTES",
                "PASSWORD_RESET_HOURS", "PASSWORD_MIN_LENGTH", "MAIL_PORT",
                "OUTBOX_MAX_ATTEMPTS", "OUTBOX_BATCH", "SCHEDULER_LOCK_MINUTES",
                "MAX_CONTENT_LENGTH", "TRUSTED_PROXIES", "LEDGER_ATTACHMENT_MAX_BYTES",
                "MEETINGS_DOCUMENT_MAX_BYTES", "TASKS_POLL_SECONDS",
                "SCHEDULER_POLL_SECONDS")
        bools = ("MAIL_USE_TLS", "MAIL_USE_SSL", "SCHEDULER_IN_PROCESS", "SESSION_COOKIE_SECURE",
                 "TASKS_RUN_IN_THREAD")
        for key in strings:
            if os.environ.get(key):
                values[key] = os.environ[key]
        for key in ints:
            values[key] = _env_int(key, values[key])
        for key in bools:
            values[key] = _env_bool(key, values[key])
        return values

    @classmethod
    def load(cls) -> dict:
        values = cls.from_environment()
        cls.validate(values)
        return values

    #: settings this environment refuses to start without
    REQUIRED: tuple[str, ...] = ()

    @classmethod
    def validate(cls, values: dict) -> None:
        missing = [key for key in cls.REQUIRED if not values.get(key)]
        if missing:
            raise ConfigError(f"{cls.ENV_NAME.title()} needs these environment variables: "
                              + ", ".join(missing))
        if values.get("SECRET_KEY") is not None and len(values["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")


class DevelopmentConfig(Config):
    """`make run`: SQLite under instance/, mail kept in the outbox, scheduler in-process."""

    ENV_NAME = "development"
    SCHEDULER_IN_PROCESS = True
    TASKS_RUN_IN_THREAD = True

    @classmethod
    def from_environment(cls) -> dict:
        values = super().from_environment()
        if not values.get("DATABASE_URL"):
            INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
            values["DATABASE_URL"] = f"sqlite:///{INSTANCE_DIR / 'ayllu.sqlite'}"
        if not values.get("SECRET_KEY"):
            values["SECRET_KEY"] = _instance_secret_key()
        return values


class TestingConfig(Config):
    """The test suite: CSRF off (one test turns it back on), cheap nothing else."""

    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    SCHEDULER_IN_PROCESS = False
    TASKS_RUN_IN_THREAD = False  # tests run tasks themselves, deterministically

    @classmethod
    def from_environment(cls) -> dict:
        values = super().from_environment()
        values["SECRET_KEY"] = values.get("SECRET_KEY") or secrets.token_urlsafe(32)
        values["MAIL_SERVER"] = None
        return values


class ProductionConfig(Config):
    """gunicorn behind a TLS proxy, PostgreSQL, the scheduler as its own process."""

    ENV_NAME = "production"
    REQUIRED = ("SECRET_KEY", "DATABASE_URL")
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> dict:
    """The settings for ``name`` (default: the COOP_ENV variable, else development)."""
    name = name or os.environ.get("COOP_ENV", "development")
    try:
        config_class = CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"Unknown COOP_ENV {name!r}; use one of {', '.join(CONFIGS)}") from exc
    return config_class.load()
