"""Account models: the person who logs in, their server-side sessions and log-in throttles."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.db import Base, utcnow


class User(Base):
    """Someone who can log in. A user may hold roles in several co-ops."""

    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: log-in name, stored lower-cased and unique
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    #: the name shown in pages and in the audit trail
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: argon2id hash; empty until the user sets a password from an invitation
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: interface language chosen by the user ("es" or "en"); None follows the co-op
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    #: a disabled account cannot log in
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    #: platform operators create co-ops; they see no co-op's data by that role alone
    is_platform_admin: so.Mapped[bool] = so.mapped_column(default=False)
    #: when the account was created
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: when the password last changed (reset tokens issued before it are void)
    password_changed_dt: so.Mapped[dt.datetime | None] = so.mapped_column()

    roles: so.Mapped[list["CoopRole"]] = so.relationship(  # noqa: F821 - defined in coop.tenancy
        back_populates="user", cascade="all, delete-orphan")

    #: the token of the server-side session this object was loaded for (not a column)
    auth_token = None

    # Flask-Login protocol. get_id returns the session token, not the user id, so that revoking
    # the session row is enough to make a copied cookie useless.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.auth_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(Base):
    """A logged-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: SHA-256 (hex) of the token in the user's cookie
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                               index=True)
    #: when the user logged in (the absolute timeout counts from here)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: last request seen, updated at most once a minute (the idle timeout counts from here)
    last_seen_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: set at log-out, password change or expiry; a revoked session never comes back
    revoked_dt: so.Mapped[dt.datetime | None] = so.mapped_column()

    user: so.Mapped[User] = so.relationship()


class LoginThrottle(Base):
    """Failed log-in attempts counted per account name and client, or per client, shared by all workers."""

    __tablename__ = "login_throttle"
    __table_args__ = (sa.UniqueConstraint("kind", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: "pair" (keyed by the e-mail typed, known or not, with the address) or "client" (the address alone)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: HMAC of the e-mail and address, or of the address, so the table holds no personal data in clear
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: failures since the last success or since the lock expired
    failures: so.Mapped[int] = so.mapped_column(default=0)
    #: no attempt is checked before this time
    blocked_until_dt: so.Mapped[dt.datetime | None] = so.mapped_column()
    #: last failure, used to forget old counters
    last_failure_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
