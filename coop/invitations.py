"""Invitations: a person joins a co-op by accepting one, never by being attached.

An administrator (or the platform operator, for a new co-op's first administrator) invites an
e-mail address to a role. The invitation goes through the outbox with a secret link; only the
link's SHA-256 is stored. Whoever opens the link logs in as that address, or creates the
account if there is none, and accepts or declines: the role is granted only on acceptance. The
administrator's page answers the same whether or not the address has an account, so it tells
nobody who uses Ayllu; pending invitations are listed there and can be withdrawn.
"""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from collections.abc import Callable

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template
from flask_babel import lazy_gettext as _l

from coop import audit, outbox, tenancy
from coop.auth import services as auth
from coop.auth.models import User
from coop.db import Base, utcnow, value_enum
from coop.errors import DomainError
from coop.tenancy import Coop, Role, Scope

#: how long an invitation link works
INVITATION_DAYS = 14

audit.describe("invitation.send", _l("Invitation sent"))
audit.describe("invitation.accept", _l("Invitation accepted"))
audit.describe("invitation.decline", _l("Invitation declined"))
audit.describe("invitation.withdraw", _l("Invitation withdrawn"))


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class CoopInvitation(Base):
    """An offer of a role in a co-op to an e-mail address, waiting for that person's answer."""

    __tablename__ = "invitation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    #: the address invited, lower-cased; only an account with this address can accept
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    #: the name the administrator gave, offered when the person creates their account
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    role: so.Mapped[Role] = so.mapped_column(value_enum(Role))
    #: the scope the role is offered for ("minga.commission"); '' for the whole co-op
    scope_kind: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    scope_id: so.Mapped[int] = so.mapped_column(default=0)
    #: SHA-256 (hex) of the secret in the link
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    #: the link stops working after this time
    expires_dt: so.Mapped[dt.datetime] = so.mapped_column()
    #: who invited (None once that account is gone, or for the platform operator's command line)
    invited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    status: so.Mapped[InvitationStatus] = so.mapped_column(value_enum(InvitationStatus),
                                                           default=InvitationStatus.PENDING)
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    #: when it was accepted, declined or withdrawn
    decided_dt: so.Mapped[dt.datetime | None] = so.mapped_column()

    coop: so.Mapped[Coop] = so.relationship()
    invited_by: so.Mapped[User | None] = so.relationship()

    @property
    def scope(self) -> Scope | None:
        return Scope(self.scope_kind, self.scope_id) if self.scope_kind else None


#: what other packages do when an invitation is accepted (members links the member record)
_accepted_hooks: list[Callable[[so.Session, User, CoopInvitation], None]] = []


def on_accept(hook: Callable[[so.Session, User, CoopInvitation], None]) -> Callable:
    """Register ``hook(session, user, invitation)``, run in the same unit of work as an acceptance."""
    _accepted_hooks.append(hook)
    return hook


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: so.Session, actor: User | None, coop: Coop, *, email: str, role: Role, name: str = "",
           scope: Scope | None = None, link_for: Callable[[str], str], now: dt.datetime | None = None
           ) -> CoopInvitation:
    """Invite an address to a role. A pending invitation to the same role is replaced (a new link).

    Nothing here depends on whether the address has an account, so the caller can answer the
    same either way.
    """
    email = auth.normalise_email(email)
    now = now or utcnow()
    for old in session.scalars(sa.select(CoopInvitation).where(
            CoopInvitation.coop_id == coop.id, CoopInvitation.email == email, CoopInvitation.role == role,
            CoopInvitation.scope_kind == (scope.kind if scope else ""),
            CoopInvitation.scope_id == (scope.id if scope else 0),
            CoopInvitation.status == InvitationStatus.PENDING)):
        old.status, old.decided_dt = InvitationStatus.WITHDRAWN, now
    token = secrets.token_urlsafe(32)
    invitation = CoopInvitation(coop_id=coop.id, email=email, name=name.strip(), role=role,
                                scope_kind=scope.kind if scope else "", scope_id=scope.id if scope else 0,
                                token_hash=_hash(token), expires_dt=now + dt.timedelta(days=INVITATION_DAYS),
                                invited_by_id=actor.id if actor is not None else None)
    session.add(invitation)
    session.flush()
    body = render_template("mail/coop_invitation.txt", coop_name=coop.name, role=role.label,
                           inviter=actor.name if actor is not None else coop.name, link=link_for(token),
                           days=INVITATION_DAYS)
    outbox.enqueue(session, to=email, coop_id=coop.id, body=body,
                   subject=str(_l("You are invited to %(coop)s on Ayllu", coop=coop.name)))
    audit.record(session, coop=coop, actor=actor, action="invitation.send", obj=invitation,
                 summary=email, changes={"role": [None, tenancy._role_text(role, scope)]})
    return invitation


def by_token(session: so.Session, token: str, now: dt.datetime | None = None) -> CoopInvitation:
    """The pending, unexpired invitation a link names; a DomainError for any other link."""
    invitation = session.scalar(sa.select(CoopInvitation).where(CoopInvitation.token_hash == _hash(token or "")))
    if invitation is None or invitation.status is not InvitationStatus.PENDING:
        raise DomainError(_l("This invitation is no longer valid: it was answered or withdrawn."))
    if invitation.expires_dt < (now or utcnow()):
        raise DomainError(_l("This invitation has expired. Ask the co-op to invite you again."))
    return invitation


def pending(session: so.Session, coop: Coop) -> list[CoopInvitation]:
    """The co-op's invitations still waiting for an answer, newest first."""
    return list(session.scalars(sa.select(CoopInvitation).where(
        CoopInvitation.coop_id == coop.id, CoopInvitation.status == InvitationStatus.PENDING,
        CoopInvitation.expires_dt >= utcnow()).order_by(CoopInvitation.id.desc())))


def accept(session: so.Session, user: User, invitation: CoopInvitation) -> None:
    """The invited person accepts: the role is theirs from now on."""
    if auth.normalise_email(user.email) != invitation.email:
        raise DomainError(_l("This invitation is for another e-mail address."))
    tenancy.grant_role(session, user, invitation.coop, user, invitation.role, invitation.scope)
    invitation.status, invitation.decided_dt = InvitationStatus.ACCEPTED, utcnow()
    for hook in _accepted_hooks:
        hook(session, user, invitation)
    session.flush()
    audit.record(session, coop=invitation.coop, actor=user, action="invitation.accept", obj=invitation,
                 summary=invitation.email)


def join_with_new_account(session: so.Session, invitation: CoopInvitation, *, name: str, password: str,
                          min_length: int) -> User:
    """Someone without an account creates it from the link and accepts in the same step."""
    user = auth.user_by_email(session, invitation.email)
    if user is not None and user.password_hash:
        raise DomainError(_l("An account with this e-mail already exists: log in to accept."))
    if user is None:
        user = auth.create_user(session, email=invitation.email, name=name, password=password,
                                min_length=min_length)
    else:  # invited earlier without ever choosing a password
        auth.set_password(session, user, password, min_length=min_length)
        user.name = name.strip() or user.name
    accept(session, user, invitation)
    return user


def decline(session: so.Session, invitation: CoopInvitation) -> None:
    """The person says no (whoever holds the link may: it reached that mailbox)."""
    invitation.status, invitation.decided_dt = InvitationStatus.DECLINED, utcnow()
    session.flush()
    audit.record(session, coop=invitation.coop, actor=None, action="invitation.decline", obj=invitation,
                 summary=invitation.email)


def withdraw(session: so.Session, actor: User, coop: Coop, invitation_id: int) -> CoopInvitation | None:
    """An administrator takes back a pending invitation of their co-op (None: no such invitation)."""
    invitation = session.scalar(sa.select(CoopInvitation).where(
        CoopInvitation.coop_id == coop.id, CoopInvitation.id == invitation_id,
        CoopInvitation.status == InvitationStatus.PENDING))
    if invitation is None:
        return None
    invitation.status, invitation.decided_dt = InvitationStatus.WITHDRAWN, utcnow()
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="invitation.withdraw", obj=invitation,
                 summary=invitation.email)
    return invitation
