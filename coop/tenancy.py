"""Co-ops (tenants) and the roles users hold in them.

Every row of a co-op's data carries ``coop_id``. Co-op pages live under ``/c/<slug>/``; the slug
is resolved here once per request and every query below it is scoped by the co-op found.
"""
from __future__ import annotations

import datetime as dt
import enum
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_precision, list_currencies
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from coop import audit
from coop.auth import services as auth
from coop.auth.models import User
from coop.db import Base, utcnow, value_enum
from coop.errors import DomainError
from coop.money import Money, format_money

#: the default ceiling of one amount: 1,000,000.00 of a currency with cents
DEFAULT_MAX_AMOUNT_MINOR = 100_000_000
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
LOCALES = ("es", "en")
PAPER_SIZES = ("A4", "Letter")


class Role(enum.StrEnum):
    """What a user may be in one co-op. One user may hold several."""

    ADMIN = "admin"
    SECRETARY = "secretary"
    TREASURER = "treasurer"
    AUDITOR = "auditor"
    COORDINATOR = "coordinator"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.SECRETARY: _l("Secretary"),
    Role.TREASURER: _l("Treasurer"),
    Role.AUDITOR: _l("Oversight council"),
    Role.COORDINATOR: _l("Commission coordinator"),
    Role.MEMBER: _l("Member"),
}


class Basis(enum.StrEnum):
    """Whether votes and obligations count per member or per household."""

    MEMBER = "member"
    HOUSEHOLD = "household"


def role_text(value: str) -> str:
    """A role as recorded in the audit trail ("coordinator@commission:3"), in the reader's words."""
    role, _, scope = str(value).partition("@")
    try:
        label = Role(role).label
    except ValueError:
        return str(value)
    return f"{label} ({scope})" if scope else label


audit.describe_field("role", _l("Role"), values=role_text)
for _field, _label in (
        ("name", _l("Name of the co-op")), ("city", _l("City")), ("currency", _l("Currency")),
        ("locale", _l("Language")), ("country", _l("Country code")), ("timezone", _l("Time zone")),
        ("paper_size", _l("Paper size")), ("quorum_percent", _l("Quorum at first call (%)")),
        ("second_call_minutes", _l("Second call after (minutes)")),
        ("notice_days", _l("Days of notice for a general assembly")),
        ("fiscal_year_start_month", _l("Fiscal year starts in month")),
        ("members_see_directory", _l("Members see a directory of names and lots")),
        ("members_see_finances", _l("Members see the co-op's financial summaries"))):
    audit.describe_field(_field, _label, on="coop")
for _field, _label in (("voting_basis", _l("Votes are cast")),
                       ("obligation_basis", _l("Dues and Minga hours are owed"))):
    audit.describe_field(_field, _label, on="coop",
                         values={Basis.MEMBER: _l("Per member"), Basis.HOUSEHOLD: _l("Per household")})


class Coop(Base):
    """One co-operative: a tenant of Ayllu, with its bylaws settings."""

    __tablename__ = "coop"
    __table_args__ = (
        sa.CheckConstraint("quorum_percent BETWEEN 1 AND 100", name="quorum_range"),
        sa.CheckConstraint("notice_days >= 0", name="notice_days_positive"),
        sa.CheckConstraint("fiscal_year_start_month BETWEEN 1 AND 12", name="fiscal_month_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: the part of every co-op URL after /c/
    slug: so.Mapped[str] = so.mapped_column(sa.String(50), unique=True)
    #: the co-op's name as printed on documents
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: the city where the co-op issues its documents ("Quito, 3 de marzo de 2026")
    city: so.Mapped[str] = so.mapped_column(sa.String(120), default="", server_default="")
    #: ISO 4217 code of the co-op's money (USD in Ecuador)
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="USD")
    #: default language of the co-op's pages and documents
    locale: so.Mapped[str] = so.mapped_column(sa.String(8), default="es")
    #: ISO 3166 country code; with the language it gives the number and money format (es_EC)
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="EC")
    #: IANA time zone in which dates are shown and periods are cut
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="America/Guayaquil")
    #: paper size of printed documents ("A4" or "Letter")
    paper_size: so.Mapped[str] = so.mapped_column(sa.String(10), default="A4")
    #: a demonstration co-op with fictional people, marked as such on every page
    is_demo: so.Mapped[bool] = so.mapped_column(default=False)
    #: bylaws: votes are cast per member or per household
    voting_basis: so.Mapped[Basis] = so.mapped_column(
        value_enum(Basis),
        default=Basis.MEMBER)
    #: bylaws: Minga hours and dues are owed per member or per household
    obligation_basis: so.Mapped[Basis] = so.mapped_column(
        value_enum(Basis),
        default=Basis.HOUSEHOLD)
    #: bylaws: share of voters that must be present at first call of an assembly
    quorum_percent: so.Mapped[int] = so.mapped_column(default=50)
    #: bylaws: minutes after the first call when the assembly meets with those present
    second_call_minutes: so.Mapped[int] = so.mapped_column(default=60)
    #: bylaws: days of notice (convocatoria) before a general assembly
    notice_days: so.Mapped[int] = so.mapped_column(default=8)
    #: first month of the fiscal year (1 = January)
    fiscal_year_start_month: so.Mapped[int] = so.mapped_column(default=1)
    #: whether members see a directory of names and lots
    members_see_directory: so.Mapped[bool] = so.mapped_column(default=False)
    #: whether members see the co-op-wide financial summaries
    members_see_finances: so.Mapped[bool] = so.mapped_column(default=True)
    #: the largest amount (minor units) one payment, expense or entry line may carry: a typo's guard
    max_amount_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=DEFAULT_MAX_AMOUNT_MINOR,
                                                        server_default=sa.text("100000000"))
    #: when the co-op was created in Ayllu
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    roles: so.Mapped[list["CoopRole"]] = so.relationship(back_populates="coop",
                                                        cascade="all, delete-orphan")

    @property
    def currency_digits(self) -> int:
        return get_currency_precision(self.currency)

    def format_locale(self, language: str) -> str:
        """The Babel locale for numbers and dates: the reader's language in the co-op's country."""
        return format_locale(language, self.country)

    def __repr__(self) -> str:
        return f"<Coop {self.slug}>"


@dataclass(frozen=True)
class Scope:
    """One thing a role may be held for: ("minga.commission", 12) is the commission no. 12."""

    kind: str
    id: int


@dataclass(frozen=True)
class Grant:
    """A role held in a co-op, throughout it (``scope`` None) or within one scope."""

    role: Role
    scope: Scope | None = None


class CoopRole(Base):
    """A user holds a role in a co-op, for the whole co-op or within one scope."""

    __tablename__ = "coop_role"
    __table_args__ = (sa.UniqueConstraint("coop_id", "user_id", "role", "scope_kind", "scope_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    coop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("coop.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                               index=True)
    role: so.Mapped[Role] = so.mapped_column(
        value_enum(Role))
    #: the kind of thing the role is held for ("minga.commission"); '' for the whole co-op
    scope_kind: so.Mapped[str] = so.mapped_column(sa.String(40), default="", server_default="")
    #: which one of that kind (0 with no scope: a unique key cannot hold NULLs on both databases)
    scope_id: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: when the role was granted
    created_dt: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    coop: so.Mapped[Coop] = so.relationship(back_populates="roles")
    user: so.Mapped[User] = so.relationship(back_populates="roles")

    @property
    def scope(self) -> Scope | None:
        return Scope(self.scope_kind, self.scope_id) if self.scope_kind else None

    @property
    def grant(self) -> Grant:
        return Grant(self.role, self.scope)


def format_locale(language: str, country: str | None) -> str:
    if country:
        candidate = f"{language}_{country}"
        try:
            Locale.parse(candidate)
            return candidate
        except (UnknownLocaleError, ValueError):
            pass
    return language


# --- queries -------------------------------------------------------------------------------

def coop_by_slug(session: so.Session, slug: str) -> Coop | None:
    return session.scalar(sa.select(Coop).where(Coop.slug == slug))


def grants_of(session: so.Session, user: User | None, coop: Coop) -> frozenset[Grant]:
    """The roles a user holds in the co-op, each with its scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    rows = session.execute(sa.select(CoopRole.role, CoopRole.scope_kind, CoopRole.scope_id).where(
        CoopRole.coop_id == coop.id, CoopRole.user_id == user.id))
    return frozenset(Grant(role, Scope(kind, scope_id) if kind else None) for role, kind, scope_id in rows)


def roles_of(session: so.Session, user: User | None, coop: Coop) -> frozenset[Role]:
    """The roles a user holds in the co-op, whatever their scope."""
    return frozenset(grant.role for grant in grants_of(session, user, coop))


def coops_of(session: so.Session, user: User) -> list[Coop]:
    """The co-ops in which the user holds any role, by name."""
    return list(session.scalars(
        sa.select(Coop).join(CoopRole).where(CoopRole.user_id == user.id).distinct().order_by(Coop.name)))


def person_in_coop(session: so.Session, coop: Coop, user_id: int) -> User | None:
    """A user who holds some role in the co-op; None for anyone else (their page is a 404)."""
    return session.scalar(sa.select(User).join(CoopRole, CoopRole.user_id == User.id)
                          .where(CoopRole.coop_id == coop.id, User.id == user_id).limit(1))


def people_of(session: so.Session, coop: Coop) -> list[tuple[User, list[Grant]]]:
    """Every user with a role in the co-op, with their grants, by name."""
    rows = session.execute(
        sa.select(User, CoopRole).join(CoopRole, CoopRole.user_id == User.id)
        .where(CoopRole.coop_id == coop.id).order_by(User.name, User.id)).all()
    people: dict[int, tuple[User, list[Grant]]] = {}
    for user, grant in rows:
        people.setdefault(user.id, (user, []))[1].append(grant.grant)
    order = list(Role)
    for _user, grants in people.values():  # the roles as the menu lists them: admin first, member last
        grants.sort(key=lambda g: (order.index(g.role), g.scope.kind if g.scope else "", g.scope.id if g.scope else 0))
    return list(people.values())


def all_coops(session: so.Session) -> list[Coop]:
    return list(session.scalars(sa.select(Coop).order_by(Coop.name)))


# --- rules ---------------------------------------------------------------------------------

def check_currency(currency: str) -> None:
    if currency not in list_currencies():
        raise DomainError(_l("Unknown currency code."), field="currency")


def check_country(country: str) -> None:
    if not re.fullmatch(r"[A-Z]{2}", country or ""):
        raise DomainError(_l("Use the two-letter country code, such as EC."), field="country")


def check_timezone(timezone: str) -> None:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError(_l("Unknown time zone."), field="timezone") from None


def _check_settings(*, currency: str, locale: str, timezone: str, paper_size: str,
                    country: str = "EC") -> None:
    check_currency(currency)
    if locale not in LOCALES:
        raise DomainError(_l("Choose Spanish or English."), field="locale")
    check_country(country)
    check_timezone(timezone)
    if paper_size not in PAPER_SIZES:
        raise DomainError(_l("Choose A4 or Letter."), field="paper_size")


def create_coop(session: so.Session, actor: User | None, *, name: str, slug: str,
                currency: str = "USD", locale: str = "es", country: str = "EC",
                timezone: str = "America/Guayaquil", paper_size: str = "A4",
                is_demo: bool = False) -> Coop:
    """Register a new co-op. The slug must be free and URL-safe."""
    slug = slug.strip().lower()
    name = name.strip()
    if not name:
        raise DomainError(_l("The co-op needs a name."), field="name")
    if not SLUG_RE.match(slug):
        raise DomainError(_l("Use lower-case letters, digits and hyphens (up to 50)."), field="slug")
    _check_settings(currency=currency, locale=locale, country=country, timezone=timezone,
                    paper_size=paper_size)
    if coop_by_slug(session, slug) is not None:
        raise DomainError(_l("Another co-op already uses this address."), field="slug")
    coop = Coop(name=name, slug=slug, currency=currency, locale=locale, country=country,
                timezone=timezone, paper_size=paper_size, is_demo=is_demo)
    session.add(coop)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="coop.create", obj=coop, summary=f"{name} (/c/{slug}/)")
    return coop


SETTING_FIELDS = ("name", "city", "currency", "locale", "country", "timezone", "paper_size", "voting_basis",
                  "obligation_basis", "quorum_percent", "second_call_minutes", "notice_days",
                  "fiscal_year_start_month", "members_see_directory", "members_see_finances")
#: the ceiling of one amount (``check_amount``)
SETTING_FIELDS += ("max_amount_minor",)


def update_coop_settings(session: so.Session, actor: User, coop: Coop, **values) -> dict:
    """Change the co-op's settings; returns the changes recorded in the audit trail."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValueError(f"not a co-op setting: {', '.join(sorted(unknown))}")
    merged = {key: values.get(key, getattr(coop, key)) for key in SETTING_FIELDS}
    merged["city"] = str(merged["city"] or "").strip()
    if not str(merged["name"]).strip():
        raise DomainError(_l("The co-op needs a name."), field="name")
    _check_settings(currency=merged["currency"], locale=merged["locale"], country=merged["country"],
                    timezone=merged["timezone"], paper_size=merged["paper_size"])
    if not 1 <= int(merged["quorum_percent"]) <= 100:
        raise DomainError(_l("Quorum is a percentage between 1 and 100."), field="quorum_percent")
    if int(merged["notice_days"]) < 0:
        raise DomainError(_l("Days of notice cannot be negative."), field="notice_days")
    _check_ceiling(merged["max_amount_minor"])
    changes = audit.changes_between(coop, merged)
    for key, value in merged.items():
        setattr(coop, key, value)
    session.flush()
    if changes:
        audit.record(session, coop=coop, actor=actor, action="coop.settings", obj=coop,
                     changes=changes)
    return changes


def _check_ceiling(value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise DomainError(_l("Write the largest amount the co-op accepts in one go."), field="max_amount_minor")


def _reader_locale(coop: Coop) -> str:
    try:
        return str(get_locale() or coop.format_locale(coop.locale))
    except RuntimeError:
        return coop.format_locale(coop.locale)


def check_amount(coop: Coop, amount_minor, field: str = "amount") -> None:
    """Refuse an amount above the co-op's ceiling (``max_amount_minor``), beside ``field``.

    The ceiling catches a slip of the finger ("1.000.000.000,00" for "1.000,00") before it is
    a receipt; a co-op that handles larger sums raises it in its settings.
    """
    if isinstance(amount_minor, int) and abs(amount_minor) > coop.max_amount_minor:
        raise DomainError(ceiling_message(coop), field=field)


def ceiling_message(coop: Coop):
    ceiling = format_money(Money(coop.max_amount_minor, coop.currency), _reader_locale(coop))
    return _l("This is more than the largest amount the co-op accepts in one go (%(ceiling)s). If it is "
              "right, an administrator can raise that limit in the co-op's settings.", ceiling=ceiling)


def _grant_row(session: so.Session, coop: Coop, user: User, role: Role, scope: Scope | None) -> CoopRole | None:
    return session.scalar(sa.select(CoopRole).where(
        CoopRole.coop_id == coop.id, CoopRole.user_id == user.id, CoopRole.role == role,
        CoopRole.scope_kind == (scope.kind if scope else ""), CoopRole.scope_id == (scope.id if scope else 0)))


def _role_text(role: Role, scope: Scope | None) -> str:
    return f"{role.value}@{scope.kind}:{scope.id}" if scope else role.value


def grant_role(session: so.Session, actor: User | None, coop: Coop, user: User, role: Role,
               scope: Scope | None = None) -> CoopRole:
    """Give a user a role in the co-op, or within one scope of it (a no-op if they hold it)."""
    existing = _grant_row(session, coop, user, role, scope)
    if existing is not None:
        return existing
    grant = CoopRole(coop=coop, user=user, role=role, scope_kind=scope.kind if scope else "",
                     scope_id=scope.id if scope else 0)
    session.add(grant)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="role.grant", obj=user,
                 summary=f"{user.name} <{user.email}>", changes={"role": [None, _role_text(role, scope)]})
    return grant


def revoke_role(session: so.Session, actor: User, coop: Coop, user: User, role: Role,
                scope: Scope | None = None) -> None:
    """Take a role away. The last administrator of a co-op cannot be removed."""
    grant = _grant_row(session, coop, user, role, scope)
    if grant is None:
        return
    if role is Role.ADMIN and scope is None:
        admins = session.scalar(sa.select(sa.func.count()).select_from(CoopRole).where(
            CoopRole.coop_id == coop.id, CoopRole.role == Role.ADMIN, CoopRole.scope_kind == ""))
        if admins <= 1:
            raise DomainError(_l("A co-op needs at least one administrator."))
    session.delete(grant)
    session.flush()
    audit.record(session, coop=coop, actor=actor, action="role.revoke", obj=user,
                 summary=f"{user.name} <{user.email}>", changes={"role": [_role_text(role, scope), None]})


@dataclass(frozen=True)
class Invitation:
    """How to reach a new user: their link is signed with ``secret`` and valid ``hours``."""

    secret: str
    link_for: Callable[[str], str]
    hours: int


def add_person(session: so.Session, actor: User | None, coop: Coop, *, email: str, name: str,
               role: Role, invitation: Invitation | None, scope: Scope | None = None) -> User:
    """Give someone a role in the co-op, creating and inviting their account if they have none."""
    user = auth.user_by_email(session, email)
    if user is None:
        if not name.strip():
            raise DomainError(_l("Give the name of this new person."), field="name")
        user = auth.create_user(session, email=email, name=name)
        if invitation is not None:
            auth.send_invitation(session, user, coop_name=coop.name, coop_id=coop.id,
                                 secret=invitation.secret, link_for=invitation.link_for,
                                 hours=invitation.hours)
    grant_role(session, actor, coop, user, role, scope)
    return user
