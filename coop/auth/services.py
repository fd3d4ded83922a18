"""Account rules: passwords, server-side sessions, log-in throttling, reset and change.

Passwords are hashed with argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane).
A session is a random token in the cookie and its SHA-256 in ``user_session``; revoking the row
ends the session everywhere, which is what log-out and a password change do for every session
of the user. Failed log-ins are counted in the database per account name and address, and per
address, so the slow-down and the lock hold across every worker process (see ``authenticate``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import render_template
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from coop import audit, outbox
from coop.auth.models import LoginThrottle, User, UserSession
from coop.db import utcnow
from coop.errors import DomainError

PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A hash of a random password, verified when the e-mail is unknown so that the answer takes
# as long as for a known account.
_DUMMY_HASH = PASSWORD_HASHER.hash(secrets.token_urlsafe(16))
SESSION_TOUCH_SECONDS = 60


class LoginRefused(DomainError):
    """Wrong e-mail or password, or an account or client that must wait."""


@dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_config(cls, config) -> SessionPolicy:
        return cls(idle=dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
                   absolute=dt.timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]))


@dataclass(frozen=True)
class ThrottlePolicy:
    slow_after: int
    lock_after: int
    client_lock_after: int
    lock_for: dt.timedelta

    @classmethod
    def from_config(cls, config) -> ThrottlePolicy:
        return cls(slow_after=config["LOGIN_SLOW_AFTER"], lock_after=config["LOGIN_LOCK_AFTER"],
                   client_lock_after=config["LOGIN_CLIENT_LOCK_AFTER"],
                   lock_for=dt.timedelta(minutes=config["LOGIN_LOCK_MINUTES"]))


# --- passwords -----------------------------------------------------------------------------

def hash_password(password: str) -> str:
    return PASSWORD_HASHER.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Verify a password in constant-ish time whether or not the user exists."""
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        PASSWORD_HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return user is not None and bool(user.password_hash)


def validate_new_password(password: str, *, min_length: int, field: str = "password") -> None:
    if len(password) < min_length:
        raise DomainError(_l("Use at least %(n)d characters.", n=min_length), field=field)
    if password.strip() == "" or len(set(password)) < 4:
        raise DomainError(_l("This password is too easy to guess."), field=field)


def set_password(session: so.Session, user: User, password: str, *, min_length: int) -> None:
    """Store a new password and end every session of the user."""
    validate_new_password(password, min_length=min_length)
    user.password_hash = hash_password(password)
    user.password_changed_dt = utcnow()
    revoke_all_sessions(session, user)
    session.flush()


# --- users ---------------------------------------------------------------------------------

def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(session: so.Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(session: so.Session, *, email: str, name: str, password: str | None = None,
                locale: str | None = None, is_platform_admin: bool = False,
                min_length: int = 10) -> User:
    """A new account; without a password it waits for the invitation to be accepted."""
    email = normalise_email(email)
    if user_by_email(session, email) is not None:
        raise DomainError(_l("An account with this e-mail already exists."), field="email")
    user = User(email=email, name=name.strip() or email, locale=locale,
                is_platform_admin=is_platform_admin)
    if password:
        validate_new_password(password, min_length=min_length)
        user.password_hash = hash_password(password)
        user.password_changed_dt = utcnow()
    session.add(user)
    session.flush()
    return user


def update_account(session: so.Session, user: User, *, name: str, locale: str | None) -> None:
    """The user renames themself and chooses the language of their pages (None: their co-op's)."""
    user.name = name.strip()
    user.locale = locale or None
    session.flush()


def choose_language(session: so.Session, user: User, locale: str) -> None:
    """The language the user picked on any page; it follows them to every device."""
    user.locale = locale
    session.flush()


# --- sessions ------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: so.Session, user: User) -> str:
    """Open a new server-side session and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_token_hash(token), user_id=user.id))
    session.flush()
    return token


def session_user(session: so.Session, token: str, policy: SessionPolicy,
                 now: dt.datetime | None = None) -> tuple[User, UserSession] | None:
    """The user of a live session token, or None if it is unknown, revoked or timed out."""
    now = now or utcnow()
    row = session.scalar(sa.select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is None or row.revoked_dt is not None:
        return None
    if now - row.last_seen_dt > policy.idle or now - row.created_dt > policy.absolute:
        return None
    user = row.user
    if not user.is_active:
        return None
    return user, row


def needs_touch(row: UserSession, now: dt.datetime | None = None) -> bool:
    return ((now or utcnow()) - row.last_seen_dt).total_seconds() >= SESSION_TOUCH_SECONDS


def touch_session(session: so.Session, session_id: int, now: dt.datetime | None = None) -> None:
    """Record activity on a session (keeps the idle timeout from expiring it)."""
    session.execute(sa.update(UserSession).where(UserSession.id == session_id,
                                                 UserSession.revoked_dt.is_(None))
                    .values(last_seen_dt=now or utcnow()))


def revoke_all_sessions(session: so.Session, user: User) -> int:
    """End every session of the user, on every device. Returns how many were live."""
    result = session.execute(sa.update(UserSession).where(UserSession.user_id == user.id,
                                                          UserSession.revoked_dt.is_(None))
                             .values(revoked_dt=utcnow()))
    return result.rowcount


def purge_sessions(session: so.Session, policy: SessionPolicy, now: dt.datetime | None = None) -> int:
    """Delete sessions that can no longer be used (revoked or past the absolute timeout)."""
    now = now or utcnow()
    result = session.execute(sa.delete(UserSession).where(sa.or_(
        UserSession.revoked_dt.is_not(None),
        UserSession.created_dt < now - policy.absolute,
        UserSession.last_seen_dt < now - policy.idle)))
    return result.rowcount


# --- throttling ----------------------------------------------------------------------------

def throttle_key(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def _throttle(session: so.Session, kind: str, key: str) -> LoginThrottle:
    """The counter row for (kind, key), created if missing even when two workers race."""
    row = session.scalar(sa.select(LoginThrottle).where(LoginThrottle.kind == kind,
                                                        LoginThrottle.key == key))
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginThrottle(kind=kind, key=key, failures=0)
            session.add(row)
    except sa.exc.IntegrityError:
        row = session.scalar(sa.select(LoginThrottle).where(LoginThrottle.kind == kind,
                                                            LoginThrottle.key == key))
    return row


def _wait_until(row: LoginThrottle | None, now: dt.datetime) -> dt.datetime | None:
    if row is not None and row.blocked_until_dt is not None and row.blocked_until_dt > now:
        return row.blocked_until_dt
    return None


def _register_failure(session: so.Session, kind: str, key: str, lock_after: int,
                      policy: ThrottlePolicy, now: dt.datetime) -> None:
    row = _throttle(session, kind, key)
    if row.last_failure_dt is not None and now - row.last_failure_dt > policy.lock_for * 4:
        row.failures = 0  # an old streak of mistakes is forgotten
    # increment in SQL so concurrent failures in several workers all count
    session.execute(sa.update(LoginThrottle).where(LoginThrottle.id == row.id)
                    .values(failures=LoginThrottle.failures + 1, last_failure_dt=now))
    session.refresh(row)
    if row.failures >= lock_after:
        row.blocked_until_dt = now + policy.lock_for
    elif kind == "pair" and row.failures >= policy.slow_after:
        # each failure past the threshold doubles the wait: 2 s, 4 s, 8 s, ...
        delay = min(2 ** (row.failures - policy.slow_after + 1), int(policy.lock_for.total_seconds()))
        row.blocked_until_dt = now + dt.timedelta(seconds=delay)
    session.flush()


def authenticate(session: so.Session, *, email: str, password: str, client: str, secret: str,
                 policy: ThrottlePolicy, now: dt.datetime | None = None) -> User:
    """Check a log-in. Unknown e-mail and wrong password get the same refusal.

    Failures slow down and then lock one account *from one address* (the "pair"), and lock an
    address that guesses at many accounts (the "client"); never the account for everyone, so a
    stranger's paced failures cannot keep its owner out from their own phone (OWASP's advice
    against account lock-out). Raises ``LoginRefused``; the caller must still commit, so that
    the failure is counted.
    """
    now = now or utcnow()
    pair_key = throttle_key(secret, "pair:" + normalise_email(email) + "|" + client)
    client_key = throttle_key(secret, "client:" + client)
    rows = session.scalars(sa.select(LoginThrottle).where(sa.or_(
        sa.and_(LoginThrottle.kind == "pair", LoginThrottle.key == pair_key),
        sa.and_(LoginThrottle.kind == "client", LoginThrottle.key == client_key)))).all()
    waits = [w for w in (_wait_until(r, now) for r in rows) if w is not None]
    if waits:
        raise LoginRefused(_l("Too many failed attempts. Please wait a few minutes and try again."))
    user = user_by_email(session, email)
    if not check_password(user, password) or not user.is_active:
        _register_failure(session, "pair", pair_key, policy.lock_after, policy, now)
        _register_failure(session, "client", client_key, policy.client_lock_after, policy, now)
        raise LoginRefused(_l("Wrong e-mail or password."))
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.kind == "pair", LoginThrottle.key == pair_key))
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, action="auth.login", actor=user, obj=user)
    return user


def purge_throttles(session: so.Session, policy: ThrottlePolicy, now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    result = session.execute(sa.delete(LoginThrottle).where(
        LoginThrottle.last_failure_dt < now - policy.lock_for * 4,
        sa.or_(LoginThrottle.blocked_until_dt.is_(None), LoginThrottle.blocked_until_dt < now)))
    return result.rowcount


# --- password reset ------------------------------------------------------------------------

def _reset_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="ayllu.password-reset")


def _password_fingerprint(user: User) -> str:
    # the token is bound to the current hash, so it stops working once the password changes
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def make_reset_token(user: User, secret: str) -> str:
    return _reset_serializer(secret).dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset_token(session: so.Session, token: str, secret: str, max_age: dt.timedelta) -> User:
    """The user a valid, unused, unexpired reset token was issued to."""
    invalid = DomainError(_l("This link is invalid or has already been used. Ask for a new one."))
    try:
        data = _reset_serializer(secret).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise DomainError(_l("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise invalid from None
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("p") != _password_fingerprint(user):
        raise invalid
    return user


def change_password(session: so.Session, user: User, *, current: str, new: str, min_length: int) -> None:
    """The user changes their own password; every session of theirs ends."""
    if not check_password(user, current):
        raise DomainError(_l("Your current password is not correct."), field="current_password")
    if current == new:
        raise DomainError(_l("Choose a password different from the current one."), field="new_password")
    try:
        set_password(session, user, new, min_length=min_length)
    except DomainError as error:
        raise DomainError(error.message, field="new_password") from None
    audit.record(session, action="auth.password_change", actor=user, obj=user)


def reset_password(session: so.Session, user: User, new: str, *, min_length: int) -> None:
    set_password(session, user, new, min_length=min_length)
    audit.record(session, action="auth.password_reset", actor=user, obj=user)


def request_password_reset(session: so.Session, email: str, *, secret: str,
                           link_for: Callable[[str], str], hours: int,
                           now: dt.datetime | None = None) -> bool:
    """Queue a reset link for an active account. Says nothing about whether the account exists.

    At most one link per account every ten minutes, so the form cannot flood someone's inbox.
    """
    user = user_by_email(session, email)
    if user is None or not user.is_active:
        return False
    now = now or utcnow()
    bucket = int(now.timestamp() // 600)
    body = render_template("mail/password_reset.txt", user=user, link=link_for(make_reset_token(user, secret)),
                           hours=hours)
    queued = outbox.enqueue(session, to=user.email, subject=str(_l("Reset your Ayllu password")),
                            body=body, dedupe_key=f"password-reset:{user.id}:{bucket}")
    return queued is not None


def send_invitation(session: so.Session, user: User, *, coop_name: str, coop_id: int, secret: str,
                    link_for: Callable[[str], str], hours: int) -> None:
    """Invite a new user to choose a password (the same token as a reset)."""
    body = render_template("mail/invitation.txt", user=user, coop_name=coop_name,
                           link=link_for(make_reset_token(user, secret)), hours=hours)
    outbox.enqueue(session, to=user.email, coop_id=coop_id,
                   subject=str(_l("You are invited to %(coop)s on Ayllu", coop=coop_name)), body=body)
