"""The demo co-op, "Cooperativa de Vivienda Quebrada Verde": fictional people, one user per role.

``flask --app wsgi coop demo`` loads it into an empty database; domain packages extend it by
registering a loader with ``@demo_loader`` (members, ledger, Minga, meetings add their data).
A loader that must run once every other one has (the books close their old months only after
every package posted what it dates in them) registers with ``@demo_finisher``.
Every demo account shares one password, printed by the command, because this is a demonstration
and nothing else: the co-op is marked as a demo on every page.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop import tenancy
from coop.auth import services as auth
from coop.tenancy import Coop, Role

DEMO_SLUG = "quebrada-verde"
DEMO_NAME = "Cooperativa de Vivienda Quebrada Verde"
DEMO_PASSWORD = "minga-quebrada-verde"
OPERATOR_EMAIL = "operador@ayllu.example"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str


DEMO_PEOPLE = [
    (Role.ADMIN, "Rosa Quishpe", "admin@quebrada-verde.example"),
    (Role.SECRETARY, "María Guamán", "secretaria@quebrada-verde.example"),
    (Role.TREASURER, "Luis Chiluisa", "tesoreria@quebrada-verde.example"),
    (Role.AUDITOR, "Carmen Tipán", "vigilancia@quebrada-verde.example"),
    (Role.COORDINATOR, "Segundo Pilataxi", "minga@quebrada-verde.example"),
    (Role.MEMBER, "Ana Toapanta", "socia@quebrada-verde.example"),
]

#: how the command line names each role: as the README does ("oversight council", not the internal "auditor")
ROLE_NAMES = {Role.ADMIN: "administrator", Role.SECRETARY: "secretary", Role.TREASURER: "treasurer",
              Role.AUDITOR: "oversight council", Role.COORDINATOR: "commission coordinator", Role.MEMBER: "member"}

DEMO_LOADERS: list[Callable[[so.Session, Coop], None]] = []
DEMO_FINISHERS: list[Callable[[so.Session, Coop], None]] = []


def demo_loader(func: Callable[[so.Session, Coop], None]) -> Callable[[so.Session, Coop], None]:
    """Register a function that adds a domain's demo data to the demo co-op."""
    DEMO_LOADERS.append(func)
    return func


def demo_finisher(func: Callable[[so.Session, Coop], None]) -> Callable[[so.Session, Coop], None]:
    """Register a function run after every loader (in the order registered)."""
    DEMO_FINISHERS.append(func)
    return func


def is_empty(session: so.Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(Coop)) == 0


def demo_logins() -> list[DemoLogin]:
    logins = [DemoLogin("platform operator", "Operador de Ayllu", OPERATOR_EMAIL)]
    logins += [DemoLogin(ROLE_NAMES[role], name, email) for role, name, email in DEMO_PEOPLE]
    return logins


def load_demo(session: so.Session) -> Coop:
    """Create the demo co-op with one user per role, then run every registered loader."""
    operator = auth.create_user(session, email=OPERATOR_EMAIL, name="Operador de Ayllu",
                                password=DEMO_PASSWORD, is_platform_admin=True)
    coop = tenancy.create_coop(session, operator, name=DEMO_NAME, slug=DEMO_SLUG, currency="USD",
                               locale="es", timezone="America/Guayaquil", is_demo=True)
    coop.city = "Quito"
    for role, name, email in DEMO_PEOPLE:
        user = auth.create_user(session, email=email, name=name, password=DEMO_PASSWORD)
        tenancy.grant_role(session, operator, coop, user, role)
        if role is not Role.MEMBER:
            tenancy.grant_role(session, operator, coop, user, Role.MEMBER)
    for loader in DEMO_LOADERS + DEMO_FINISHERS:
        loader(session, coop)
    return coop
