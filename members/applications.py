"""Applications to join the co-op: the public form, the secretary's queue and the decision.

Anyone may apply on the co-op's public page (/c/<slug>/apply) without an account; the secretary
may also type in an application handed in on paper. The public form keeps robots out without
any outside service: a honeypot field that people never see, a signed timestamp that refuses a
form sent within seconds of being opened (or a day later), and a limit per client address
counted in the database (the ``login_throttle`` table, kind "apply", keyed by an HMAC of the
address, so no address is stored in clear).

A decision is taken once. ``approve_application`` and ``reject_application`` move the row with
a conditional ``UPDATE ... WHERE status = 'pending'``: of two secretaries clicking at once,
exactly one changes a row and goes on; the other is refused. Approval then enters the member
with the next gapless number in the same transaction and, when the applicant gave an e-mail,
invites them to the portal through the outbox. Like every service here, nothing commits.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, fields

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from coop import audit, decisions, invitations, tenancy
from coop.auth import services as auth
from coop.auth.models import LoginThrottle, User
from coop.db import utcnow
from coop.errors import DomainError
from coop.paging import count_of, one_page
from coop.tenancy import Coop, Invitation, Role
from members import services
from members.models import Application, ApplicationStatus, DocumentType, Member, MemberStatus

PAGE_SIZE = 50
THROTTLE_KIND = "apply"
_STAMP_SALT = "ayllu.apply-form"
_EPOCH = dt.datetime(1970, 1, 1)

audit.describe("application.submit", _l("Application to join received"))
audit.describe("application.approve", _l("Application to join approved"))
audit.describe("application.reject", _l("Application to join rejected"))

STATUS_LABELS = {
    ApplicationStatus.PENDING: _l("pending"),
    ApplicationStatus.APPROVED: _l("approved"),
    ApplicationStatus.REJECTED: _l("rejected"),
}


class Source(enum.StrEnum):
    """How the application reached the co-op."""

    PUBLIC = "public"
    SECRETARY = "secretary"


SOURCE_LABELS = {
    Source.PUBLIC: _l("Public web page"),
    Source.SECRETARY: _l("Paper form, typed in by the secretary"),
}

audit.describe_field("status", _l("Status"), values=STATUS_LABELS, on="membership_application")
audit.describe_field("source", _l("Received through"), values=SOURCE_LABELS, on="membership_application")


class SubmissionRefused(DomainError):
    """The public form looked automated, or was sent too soon or too late after it was opened."""


class TooManyApplications(DomainError):
    """The client address sent more applications than the limit allows."""


class AlreadyDecided(DomainError):
    """The application was approved or rejected already (perhaps a moment ago, by someone else)."""


@dataclass(frozen=True)
class SpamPolicy:
    """How the public form tells people from robots."""

    #: a person needs at least this long to fill in the form
    min_seconds: int = 3
    #: a form opened longer ago than this is stale
    max_age: dt.timedelta = dt.timedelta(days=1)
    #: applications accepted from one client address per window
    per_address: int = 5
    window: dt.timedelta = dt.timedelta(hours=1)


@dataclass(frozen=True)
class PublicSubmission:
    """What the public form carries besides the application: the robot traps and the sender."""

    #: the hidden field, which a person leaves empty
    honeypot: str
    #: the signed time at which the form was handed out
    stamp: str
    #: the client's address (counted, never stored in clear)
    client: str


@dataclass
class ApplicationData:
    """What an applicant writes about themselves."""

    given_names: str
    family_names: str
    document_type: DocumentType
    document_number: str
    birth_date: dt.date | None = None
    phone: str = ""
    email: str | None = None
    address: str = ""
    message: str = ""

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Approval:
    """The outcome of an approval: the new member and the portal account linked to it, if any."""

    member: Member
    user: User | None
    #: whether an e-mail went to the member: a new account's link, or an invitation for an existing one
    invited: bool


def status_label(status: ApplicationStatus) -> str:
    return str(STATUS_LABELS[status])


# --- the public form's guards ----------------------------------------------------------------

def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_STAMP_SALT)


def issue_stamp(secret: str, coop: Coop, now: dt.datetime | None = None) -> str:
    """The signed moment the form is handed out, bound to the co-op, for a hidden field."""
    seconds = int(((now or utcnow()) - _EPOCH).total_seconds())
    return _serializer(secret).dumps([coop.id, seconds])


def check_not_automated(submission: PublicSubmission, *, secret: str, coop: Coop, now: dt.datetime,
                        policy: SpamPolicy) -> None:
    """Refuse a filled-in honeypot, a forged stamp, and a form sent too fast or too late."""
    refused = SubmissionRefused(_l("We could not accept this form. Wait a few seconds and send it again."))
    if (submission.honeypot or "").strip():
        raise refused
    try:
        coop_id, seconds = _serializer(secret).loads(submission.stamp or "")
    except (BadSignature, TypeError, ValueError):
        raise refused from None
    if coop_id != coop.id:
        raise refused
    age = now - (_EPOCH + dt.timedelta(seconds=seconds))
    if age > policy.max_age:
        raise SubmissionRefused(_l("This form was opened too long ago. Check what you wrote and send it again."))
    if age < dt.timedelta(seconds=policy.min_seconds):
        raise refused


def count_submission(session: so.Session, *, client: str, secret: str, now: dt.datetime,
                     policy: SpamPolicy) -> None:
    """Count one application from a client address, refusing it past the limit of the window.

    For this kind the throttle row's ``last_failure_dt`` is the start of the counting window and
    ``blocked_until_dt`` its end (which also keeps the log-in purge away from a live window).
    The count is part of the caller's transaction: a refused or invalid application rolls back
    and costs the person nothing; only applications actually received are counted.
    """
    key = auth.throttle_key(secret, "apply:" + client)
    of_client = sa.and_(LoginThrottle.kind == THROTTLE_KIND, LoginThrottle.key == key)
    if session.scalar(sa.select(LoginThrottle.id).where(of_client)) is None:
        try:
            with session.begin_nested():  # the unique (kind, key) settles a race with another worker
                session.add(LoginThrottle(kind=THROTTLE_KIND, key=key, failures=0, last_failure_dt=now,
                                          blocked_until_dt=now + policy.window))
        except sa.exc.IntegrityError:
            pass
    # a window that is over starts afresh; both statements lock the row, so concurrent
    # submissions from one address are counted one after the other
    session.execute(sa.update(LoginThrottle).where(of_client, LoginThrottle.blocked_until_dt <= now)
                    .values(failures=0, last_failure_dt=now, blocked_until_dt=now + policy.window)
                    .execution_options(synchronize_session=False))
    counted = session.execute(sa.update(LoginThrottle)
                              .where(of_client, LoginThrottle.failures < policy.per_address)
                              .values(failures=LoginThrottle.failures + 1)
                              .returning(LoginThrottle.failures)
                              .execution_options(synchronize_session=False)).scalar_one_or_none()
    if counted is None:
        raise TooManyApplications(_l("Too many applications were sent from your connection. "
                                     "Please try again in an hour, or hand in your application at the office."))


# --- submitting ------------------------------------------------------------------------------

def _one_submission_at_a_time(session: so.Session, coop: Coop) -> None:
    # No unique index can say "one pending application per document", so submissions to a co-op
    # queue on its row (a double click must not file two). FOR NO KEY UPDATE leaves inserts that
    # only reference the co-op free; SQLite's write lock already serialises and ignores the clause.
    session.execute(sa.select(Coop.id).where(Coop.id == coop.id).with_for_update(key_share=True))


def check_application_data(session: so.Session, coop: Coop, data: ApplicationData, *,
                           today: dt.date) -> ApplicationData:
    """Validate an application like a member's record; refuse one already pending or a member."""
    data.document_number = services.check_document(data.document_type, data.document_number)
    pending = session.scalar(sa.select(Application.id).where(
        Application.coop_id == coop.id, Application.document_number == data.document_number,
        Application.status == ApplicationStatus.PENDING))
    if pending is not None:
        raise DomainError(_l("An application with this document number is already waiting for a decision."),
                          field="document_number")
    member = session.scalar(sa.select(Member.id).where(Member.coop_id == coop.id,
                                                       Member.document_number == data.document_number))
    if member is not None:
        # said without the member's number or name: the public form must not reveal the register
        raise DomainError(_l("A person with this document number is already in the co-op's register. "
                             "Ask the secretary."), field="document_number")
    checked = services.check_member_data(session, coop, _member_data(data, join_date=today), today=today)
    data.given_names, data.family_names = checked.given_names, checked.family_names
    data.email, data.phone, data.address = checked.email, checked.phone, checked.address
    data.message = (data.message or "").strip()
    return data


def _member_data(data: ApplicationData, *, join_date: dt.date, language: str = "es") -> services.MemberData:
    return services.MemberData(
        given_names=data.given_names, family_names=data.family_names, document_type=data.document_type,
        document_number=data.document_number, join_date=join_date, birth_date=data.birth_date,
        phone=data.phone, email=data.email, address=data.address, preferred_language=language)


def submit_application(session: so.Session, actor: User | None, coop: Coop, data: ApplicationData, *,
                       source: Source, today: dt.date) -> Application:
    """File an application in the co-op's queue (from the public page or typed in from paper)."""
    _one_submission_at_a_time(session, coop)
    data = check_application_data(session, coop, data, today=today)
    application = Application(coop_id=coop.id, source=source.value, status=ApplicationStatus.PENDING,
                              **data.as_dict())
    session.add(application)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="application.submit", obj=application,
                 summary=application.full_name, details={"source": source.value})
    return application


def submit_public_application(session: so.Session, coop: Coop, data: ApplicationData,
                              submission: PublicSubmission, *, secret: str, today: dt.date,
                              now: dt.datetime | None = None,
                              policy: SpamPolicy = SpamPolicy()) -> Application:
    """An application from the co-op's public page: robots and floods are refused first."""
    now = now or utcnow()
    check_not_automated(submission, secret=secret, coop=coop, now=now, policy=policy)
    count_submission(session, client=submission.client, secret=secret, now=now, policy=policy)
    return submit_application(session, None, coop, data, source=Source.PUBLIC, today=today)


# --- deciding --------------------------------------------------------------------------------

def _check_decision(decision_date: dt.date | None, today: dt.date) -> None:
    services.check_past_date(decision_date, "decision_date", today, required=True)


def _decide(session: so.Session, actor: User | None, coop: Coop, application: Application,
            status: ApplicationStatus, *, decision_date: dt.date, reason: str, resolution_ref: str,
            resolution_id: int | None = None) -> None:
    """Move a pending application to its decision, or refuse if it is no longer pending.

    The status test is in the UPDATE itself: on PostgreSQL a second, concurrent UPDATE waits for
    the first transaction's row lock and then finds the row no longer pending; on SQLite write
    transactions already run one at a time.
    """
    result = session.execute(
        sa.update(Application)
        .where(Application.id == application.id, Application.coop_id == coop.id,
               Application.status == ApplicationStatus.PENDING)
        .values(status=status, decision_date=decision_date, decision_reason=reason.strip(),
                resolution_ref=resolution_ref.strip(), resolution_id=resolution_id,
                decided_by_id=actor.id if actor else None,
                decided_dt=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise AlreadyDecided(_l("This application has already been decided."))
    session.refresh(application)


def _link_account(session: so.Session, actor: User | None, coop: Coop, member: Member,
                  invitation: Invitation | None, invite_link: Callable[[str], str] | None
                  ) -> tuple[User | None, bool]:
    """Give the new member a portal account, never without their consent.

    An address without an account gets a new account and a link to choose its password (the
    applicant gave it for that). An address that already has an account is sent an invitation to
    the co-op instead: the member is linked to it only when its owner accepts (``link_accepted``),
    so nobody can attach someone else's account by filing an application in their name, and the
    secretary reads the same answer either way.
    """
    if not member.email:
        return None, False
    existing = auth.user_by_email(session, member.email)
    if existing is not None and session.scalar(sa.select(Member.id).where(
            Member.coop_id == coop.id, Member.user_id == existing.id)) is not None:
        return None, False  # a family's shared e-mail already opens another member's portal
    if existing is not None and existing.password_hash:
        if invite_link is None:
            return None, False
        invitations.invite(session, actor, coop, email=member.email, role=Role.MEMBER, name=member.full_name,
                           link_for=invite_link)
        return None, True
    user = tenancy.add_person(session, actor, coop, email=member.email, name=member.full_name,
                              role=Role.MEMBER, invitation=invitation)
    member.user_id = user.id
    session.flush()
    return user, invitation is not None


@invitations.on_accept
def link_accepted(session: so.Session, user: User, invitation: invitations.CoopInvitation) -> None:
    """A person who accepts a member's invitation opens the pages of the member with their e-mail."""
    if invitation.role is not Role.MEMBER or session.scalar(sa.select(Member.id).where(
            Member.coop_id == invitation.coop_id, Member.user_id == user.id)) is not None:
        return
    member = session.scalar(sa.select(Member).where(
        Member.coop_id == invitation.coop_id, sa.func.lower(Member.email) == invitation.email,
        Member.user_id.is_(None)).order_by(Member.number).limit(1))
    if member is not None:
        member.user_id = user.id


def approve_application(session: so.Session, actor: User | None, coop: Coop, application: Application, *,
                        decision_date: dt.date, today: dt.date, resolution_ref: str = "", reason: str = "",
                        invitation: Invitation | None = None,
                        invite_link: Callable[[str], str] | None = None,
                        resolution_id: decisions.Cited = None) -> Approval:
    """Admit the applicant: an active member from the decision date, with the next member number."""
    _check_decision(decision_date, today)
    resolution_id = decisions.checked(session, coop, resolution_id)
    if application.status is not ApplicationStatus.PENDING:
        raise AlreadyDecided(_l("This application has already been decided."))
    data = _member_data(ApplicationData(**{f.name: getattr(application, f.name) for f in fields(ApplicationData)}),
                        join_date=decision_date, language=coop.locale)
    services.check_member_data(session, coop, data, today=today)  # refuse before anything is written
    _decide(session, actor, coop, application, ApplicationStatus.APPROVED, decision_date=decision_date,
            reason=reason or "", resolution_ref=resolution_ref or "", resolution_id=resolution_id)
    member = services.create_member(session, actor, coop, data, today=today, status=MemberStatus.ACTIVE,
                                    status_date=decision_date, reason=(reason or "").strip(),
                                    resolution_ref=(resolution_ref or "").strip(), resolution_id=resolution_id)
    application.member_id = member.id
    user, invited = _link_account(session, actor, coop, member, invitation, invite_link)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="application.approve", obj=application,
                 summary=f"{application.full_name} → {member.number}",
                 changes={"status": [ApplicationStatus.PENDING.value, ApplicationStatus.APPROVED.value]})
    return Approval(member=member, user=user, invited=invited)


def reject_application(session: so.Session, actor: User | None, coop: Coop, application: Application, *,
                       decision_date: dt.date, reason: str, today: dt.date,
                       resolution_ref: str = "", resolution_id: decisions.Cited = None) -> Application:
    """Turn the application down; the reason is required, for the applicant and for the record."""
    if not (reason or "").strip():
        raise DomainError(_l("Say why the application is rejected."), field="reason")
    _check_decision(decision_date, today)
    _decide(session, actor, coop, application, ApplicationStatus.REJECTED, decision_date=decision_date,
            reason=reason, resolution_ref=resolution_ref or "",
            resolution_id=decisions.checked(session, coop, resolution_id))
    audit.record(session, coop=coop, actor=actor, action="application.reject", obj=application,
                 summary=application.full_name,
                 changes={"status": [ApplicationStatus.PENDING.value, ApplicationStatus.REJECTED.value]})
    return application


# --- queries ---------------------------------------------------------------------------------

def queue(session: so.Session, coop: Coop, *, status: ApplicationStatus | None = None, page: int = 1,
          per_page: int = PAGE_SIZE) -> tuple[list[Application], int]:
    """One page of applications: pending first (the longest waiting on top), then the latest decided."""
    select = sa.select(Application).where(Application.coop_id == coop.id)
    if status is not None:
        select = select.where(Application.status == status)
    total = count_of(session, select)
    is_pending = Application.status == ApplicationStatus.PENDING
    order = [sa.case((is_pending, 0), else_=1),
             sa.case((is_pending, Application.submitted_dt)).asc(),
             Application.decided_dt.desc(), Application.id.desc()]
    rows = session.scalars(one_page(select.order_by(*order), page, per_page))
    return list(rows), total


def counts_by_status(session: so.Session, coop: Coop) -> dict[ApplicationStatus, int]:
    return dict(session.execute(sa.select(Application.status, sa.func.count())
                                .where(Application.coop_id == coop.id).group_by(Application.status)).all())


def application_of(session: so.Session, coop: Coop, application_id: int) -> Application | None:
    """An application of this co-op (None for another co-op's: its page answers 404)."""
    return session.scalar(sa.select(Application).where(Application.id == application_id,
                                                       Application.coop_id == coop.id))


def member_number(session: so.Session, application: Application) -> int | None:
    """The member number the approved application became, for a link to the member's page."""
    if application.member_id is None:
        return None
    return session.scalar(sa.select(Member.number).where(Member.id == application.member_id))
