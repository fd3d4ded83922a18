"""Demo data of the member register: about 300 members of Quebrada Verde in some 120 households.

Fictional people with the names one hears in South Quito (Kichwa and mestizo family names),
valid cédulas, homes in blocks A to F of two construction phases, status histories, share capital
and a few applications waiting for the secretary. ``plan_register`` draws everything from
``random.Random(2026)`` with dates counted back from today, so every fresh ``make run`` shows the
same co-op; ``load_register`` then enters it through the register's own services, audit trail
included. Every demo user is also a member, linked to their account, so the portal works for all.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import sqlalchemy.orm as so
from stdnum.ec import ci

from coop.auth import services as auth
from coop.calendar import today_in
from coop.demo import DEMO_PEOPLE, demo_loader
from coop.tenancy import Coop, Role
from coop.text import fold
from members import applications, services
from members.applications import ApplicationData, Source
from members.models import DocumentType, FormOfAddress, LotStatus, MemberStatus
from members.services import MemberData

SEED = 2026
FOUNDED = dt.date(2001, 5, 12)
HOUSEHOLDS = 120
BLOCKS = {"A": ("Etapa 1", 24), "B": ("Etapa 1", 24), "C": ("Etapa 1", 24),
          "D": ("Etapa 2", 22), "E": ("Etapa 2", 22), "F": ("Etapa 2", 22)}
SURNAMES = [
    "Quishpe", "Guamán", "Chiluisa", "Tipán", "Pilataxi", "Toapanta", "Caiza", "Tituaña", "Simbaña",
    "Chicaiza", "Cumbal", "Llumiquinga", "Morocho", "Yánez", "Andrango", "Sangucho", "Collaguazo",
    "Quinatoa", "Farinango", "Lema", "Cabascango", "Tupiza", "Guachamín", "Chasipanta", "Ushiña",
    "Quilumba", "Amaguaña", "Pillajo", "Loachamín", "Anrango", "Cóndor", "Paucar", "Chimbo", "Taco",
    "Lincango", "Pazmiño", "Herrera", "Moreno", "Jácome", "Vaca", "Suárez", "Villacís", "Chávez",
    "Cisneros", "Naranjo", "Zambrano", "Salazar", "Carrera", "Guanoluisa", "Tasiguano",
]
WOMEN = ["María Dolores", "Rosa Elena", "Mercedes", "Carmen", "Jhoana", "Nelly", "María Rosario",
         "Blanca Susana", "Martha Cecilia", "Luz María", "Gladys", "Narcisa", "Silvia Patricia",
         "Mayra Alejandra", "Diana Carolina", "Tránsito", "Zoila", "Gloria", "Fanny", "Verónica",
         "Jessica", "Lourdes", "Inés", "Delia", "María Fernanda", "Rocío", "Piedad", "Janeth"]
MEN = ["Segundo", "José Luis", "Luis Alfonso", "Wilson", "Byron", "Manuel Jesús", "Julio César",
       "Marco Antonio", "Fausto", "Edison", "Galo", "Jorge Enrique", "Ángel", "Rodrigo", "Fernando",
       "Klever", "Darwin", "Washington", "Patricio", "Cristian Javier", "Milton", "Holger", "Héctor",
       "Luis Aníbal", "Juan Carlos", "Germán", "Vinicio"]
BARRIOS = ["Chillogallo", "La Ecuatoriana", "Guamaní", "Turubamba", "Solanda", "La Argelia", "El Beaterio",
           "Lucha de los Pobres", "Quitumbe", "La Mena"]
#: province of birth on the cédula: Pichincha mostly, and the provinces people came from
PROVINCES = [17] * 15 + [5, 5, 6, 10, 10, 18]
#: how many members a household has, and how often
HOUSEHOLD_SIZES = [1] * 12 + [2] * 44 + [3] * 28 + [4] * 12 + [5] * 4


@dataclass
class StatusStep:
    status: MemberStatus
    on: dt.date
    reason: str
    resolution_ref: str = ""


@dataclass
class PersonPlan:
    data: MemberData
    household: int
    steps: list[StatusStep] = field(default_factory=list)
    #: (amount in cents, monthly instalments), or None for no share capital yet
    shares: tuple[int, int] | None = None
    #: the demo account to link, for the demo users
    account_email: str | None = None


@dataclass
class HouseholdPlan:
    name: str
    dependants: int
    founded: dt.date
    lot: tuple[str, str] | None = None


@dataclass
class RegisterPlan:
    lots: list[tuple[str, str, str, LotStatus]]
    households: list[HouseholdPlan]
    people: list[PersonPlan]
    applications: list[tuple[ApplicationData, Source, int]]


class _Draw:
    """Names, documents and dates drawn from one seeded generator, never repeated."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng, self.today = rng, today
        self.documents: set[str] = set()
        self.emails: set[str] = set()

    def cedula(self) -> str:
        while True:
            body = f"{self.rng.choice(PROVINCES):02d}{self.rng.randint(0, 5)}{self.rng.randint(0, 999_999):06d}"
            number = next(body + d for d in "0123456789" if ci.is_valid(body + d))
            if number not in self.documents:
                self.documents.add(number)
                return number

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def phone(self) -> str:
        return f"09{self.rng.randint(6, 9)} {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}"

    def email(self, given: str, family: str) -> str:
        base = f"{fold(given.split()[0])}.{fold(family.split()[0])}"
        address, n = f"{base}@correo.example", 1
        while address in self.emails:
            n += 1
            address = f"{base}{n}@correo.example"
        self.emails.add(address)
        return address

    def given(self, woman: bool) -> str:
        return self.rng.choice(WOMEN if woman else MEN)


def _years_after(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def _form_of_address(given: str) -> FormOfAddress:
    """As the secretary records it when the member says so; the demo's names tell it (no draw, so the
    rest of the demo stays the same)."""
    first = given.split()[0]
    if any(name.split()[0] == first for name in WOMEN):
        return FormOfAddress.FEMININE
    if any(name.split()[0] == first for name in MEN):
        return FormOfAddress.MASCULINE
    return FormOfAddress.FEMININE if first.endswith("a") else FormOfAddress.NEUTRAL  # the demo's officers


def _person(draw: _Draw, household: int, given: str, family: str, born: dt.date, joined: dt.date,
            address: str, *, with_email: bool) -> PersonPlan:
    rng = draw.rng
    data = MemberData(given_names=given, family_names=family, document_type=DocumentType.CEDULA,
                      document_number=draw.cedula(), join_date=joined, birth_date=born, phone=draw.phone(),
                      email=draw.email(given, family) if with_email else None, address=address,
                      form_of_address=_form_of_address(given))
    person = PersonPlan(data=data, household=household, steps=[StatusStep(MemberStatus.ACTIVE, joined, "")])
    latest = draw.today - dt.timedelta(days=30)
    later = draw.date_between(min(_years_after(joined, 1), latest), latest)
    roll = rng.random()
    if roll < 0.045:
        person.steps.append(StatusStep(MemberStatus.SUSPENDED, later, "Mora en aportes de más de seis meses.",
                                       f"Consejo de administración, acta {rng.randint(40, 180)}"))
    elif roll < 0.075:
        back = draw.date_between(later, latest)
        person.steps += [StatusStep(MemberStatus.SUSPENDED, later, "Faltó a tres mingas seguidas sin justificar.",
                                    f"Consejo de administración, acta {rng.randint(40, 180)}"),
                         StatusStep(MemberStatus.ACTIVE, back, "Cumplió las horas de minga pendientes.")]
    elif roll < 0.125:
        person.steps.append(StatusStep(MemberStatus.WITHDRAWN, later,
                                       rng.choice(["Retiro voluntario: se mudó a Santo Domingo.",
                                                   "Retiro voluntario por motivos familiares.",
                                                   "Retiro voluntario: migró a España."]),
                                       f"Asamblea general {later.year}"))
    if person.steps[-1].status is not MemberStatus.WITHDRAWN and rng.random() < 0.88:
        era = 0 if joined.year < 2008 else 1 if joined.year < 2016 else 2
        person.shares = [(40_000, 10), (80_000, 24), (120_000, 36)][era]
    return person


def _household(draw: _Draw, index: int, plan: RegisterPlan, start: dt.date, end: dt.date,
               head: tuple[str, str] | None = None) -> None:
    """One family: a head, perhaps a spouse, and grown children who joined in their turn."""
    rng = draw.rng
    founded = draw.date_between(start, end)
    size = rng.choice(HOUSEHOLD_SIZES)
    woman = rng.random() < 0.55
    if head:
        given, first = head
        woman = any(w.split()[0] == given for w in WOMEN) or given.endswith("a")
    else:
        given, first = draw.given(woman), rng.choice(SURNAMES)
    family = f"{first} {rng.choice(SURNAMES)}"
    spouse_family = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
    name = f"Familia {first} {spouse_family.split()[0]}"
    while any(h.name == name for h in plan.households):
        spouse_family = f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        name = f"Familia {first} {spouse_family.split()[0]}"
    address = f"Calle S{rng.randint(9, 60)} y Pasaje Oe{rng.randint(2, 9)}, {rng.choice(BARRIOS)}"
    born = draw.date_between(dt.date(1950, 1, 1), min(dt.date(1988, 12, 31), _years_after(founded, -20)))
    people = [_person(draw, index, given, family, born, founded, address, with_email=rng.random() < 0.35)]
    if size >= 2:
        spouse_born = draw.date_between(_years_after(born, -4), _years_after(born, 2))
        people.append(_person(draw, index, draw.given(not woman), spouse_family, spouse_born,
                              draw.date_between(founded, founded + dt.timedelta(days=400)), address,
                              with_email=rng.random() < 0.3))
    children, dependants = f"{family.split()[0]} {spouse_family.split()[0]}", rng.randint(0, 3)
    for _ in range(max(size - 2, 0)):
        child_born = draw.date_between(_years_after(born, 20), _years_after(born, 34))
        of_age = max(_years_after(child_born, 18), founded)
        if of_age > draw.today - dt.timedelta(days=60):
            dependants += 1  # too young to be a member yet
            continue
        joined = draw.date_between(of_age, min(_years_after(of_age, 3), draw.today - dt.timedelta(days=60)))
        people.append(_person(draw, index, draw.given(rng.random() < 0.5), children, child_born, joined,
                              address, with_email=rng.random() < 0.5))
    plan.households.append(HouseholdPlan(name=name, dependants=dependants, founded=founded))
    plan.people += people


def _demo_heads() -> dict[int, tuple[str, str, str]]:
    """The demo users lead households founded early on (officers are long-standing members)."""
    heads = {}
    for n, (_role, name, email) in enumerate(DEMO_PEOPLE):
        given, first = name.split()[0], name.split()[-1]
        heads[3 + 7 * n] = (given, first, email)
    return heads


def _assign_lots(draw: _Draw, plan: RegisterPlan) -> None:
    """Older households live in Etapa 1 (A-C, delivered or built); later ones wait in Etapa 2."""
    rng = draw.rng
    lots = [(block, str(n), phase) for block, (phase, count) in BLOCKS.items() for n in range(1, count + 1)]
    stage_one = [lot for lot in lots if lot[2] == "Etapa 1"]
    stage_two = [lot for lot in lots if lot[2] == "Etapa 2"]
    rng.shuffle(stage_one)
    rng.shuffle(stage_two)
    order = sorted(range(len(plan.households)), key=lambda i: plan.households[i].founded)
    free = stage_one[:68] + stage_two[:44]
    for index, lot in zip(order, free):  # the newest households have no lot yet
        plan.households[index].lot = (lot[0], lot[1])
    taken = {h.lot for h in plan.households if h.lot}
    for block, number, phase in lots:
        if phase == "Etapa 1":
            status = LotStatus.DELIVERED if (block, number) in taken and rng.random() < 0.85 else LotStatus.BUILT
        else:
            status = {"D": LotStatus.UNDER_CONSTRUCTION, "F": LotStatus.PLANNED}.get(
                block, LotStatus.UNDER_CONSTRUCTION if int(number) <= 11 else LotStatus.PLANNED)
        plan.lots.append((block, number, phase, status))


def _applications(draw: _Draw, plan: RegisterPlan) -> None:
    """Six waiting, two approved and two rejected: (data, source, days since they applied)."""
    rng = draw.rng
    for n in range(10):
        woman = rng.random() < 0.5
        given, family = draw.given(woman), f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        data = ApplicationData(
            given_names=given, family_names=family, document_type=DocumentType.CEDULA,
            document_number=draw.cedula(), birth_date=draw.date_between(dt.date(1975, 1, 1), dt.date(2004, 12, 31)),
            phone=draw.phone(), email=draw.email(given, family) if n % 3 else None,
            address=f"Arriendo en {rng.choice(BARRIOS)}",
            message=rng.choice(["Somos una familia de cuatro y arrendamos hace diez años.",
                                "Mi hermana es socia y me contó de la cooperativa.",
                                "Quiero aportar en las mingas y tener vivienda propia.", ""]))
        plan.applications.append((data, Source.SECRETARY if n % 4 == 0 else Source.PUBLIC, 5 + 4 * n))


def _last_changes(draw: _Draw, plan: RegisterPlan) -> None:
    """Two members died; the three who joined last are still applicants awaiting the assembly."""
    today = draw.today
    living = [p for p in plan.people if p.account_email is None and len(p.steps) == 1]
    for person in draw.rng.sample(living[:-3], 2):
        person.steps.append(StatusStep(MemberStatus.DECEASED, draw.date_between(
            max(person.steps[-1].on, today - dt.timedelta(days=900)), today - dt.timedelta(days=20)),
            "Fallecimiento, según partida de defunción."))
    for person in sorted(living, key=lambda p: p.data.join_date)[-3:]:
        person.steps = [StatusStep(MemberStatus.APPLICANT, person.data.join_date, "Solicitud presentada.")]
        person.shares = None


def plan_register(today: dt.date, seed: int = SEED) -> RegisterPlan:
    """The whole demo register as plain data, the same for the same day and seed."""
    draw = _Draw(random.Random(seed), today)
    plan = RegisterPlan(lots=[], households=[], people=[], applications=[])
    heads = _demo_heads()
    span = (today - dt.timedelta(days=400) - FOUNDED).days
    for index in range(HOUSEHOLDS):
        start = FOUNDED + dt.timedelta(days=span * index // HOUSEHOLDS)
        end = FOUNDED + dt.timedelta(days=span * (index + 1) // HOUSEHOLDS)
        head = heads.get(index)
        _household(draw, index, plan, start, end, head=head[:2] if head else None)
        if head:
            person = next(p for p in plan.people if p.household == index)
            person.steps, person.account_email = person.steps[:1], head[2]
            person.data.email, person.shares = head[2], person.shares or (40_000, 10)
    _last_changes(draw, plan)
    _assign_lots(draw, plan)
    _applications(draw, plan)
    plan.people.sort(key=lambda p: (p.data.join_date, p.data.family_names))
    return plan


# --- loading ---------------------------------------------------------------------------------

def _enter_people(session: so.Session, actor, coop: Coop, plan: RegisterPlan, households: list, today: dt.date):
    for person in plan.people:
        first = person.steps[0]
        member = services.create_member(session, actor, coop, person.data, today=today, status=first.status,
                                        household=households[person.household],
                                        resolution_ref=f"Asamblea general {first.on.year}")
        for step in person.steps[1:]:
            services.change_status(session, actor, coop, member, step.status, effective_date=step.on,
                                   reason=step.reason, resolution_ref=step.resolution_ref, today=today)
        if person.shares:
            amount, instalments = person.shares
            first_due = (person.data.join_date.replace(day=1) + dt.timedelta(days=32)).replace(day=5)
            services.subscribe_shares(session, actor, coop, member, amount_minor=amount, instalments=instalments,
                                      first_due_date=first_due, resolution_ref=f"Asamblea general {first.on.year}")
        if person.account_email:
            member.user_id = auth.user_by_email(session, person.account_email).id


def _file_applications(session: so.Session, actor, coop: Coop, plan: RegisterPlan, today: dt.date) -> None:
    for n, (data, source, days_ago) in reversed(list(enumerate(plan.applications))):  # oldest first
        application = applications.submit_application(session, actor if source is Source.SECRETARY else None,
                                                       coop, data, source=source, today=today)
        # in office hours in Quito (UTC-5): from 9h00 on
        application.submitted_dt = (dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(14))
                                    + dt.timedelta(minutes=53 * n))
        decided_on = today - dt.timedelta(days=max(days_ago - 30, 1))
        if n in (7, 8):
            applications.approve_application(session, actor, coop, application, decision_date=decided_on,
                                             today=today, resolution_ref=f"Consejo de administración, acta {190 + n}")
        elif n in (6, 9):
            applications.reject_application(
                session, actor, coop, application, decision_date=decided_on, today=today,
                reason=["Ya tiene vivienda propia en Conocoto, según el Registro de la Propiedad.",
                        "No completó los documentos en el plazo de sesenta días."][n == 9],
                resolution_ref=f"Consejo de administración, acta {190 + n}")


@demo_loader
def load_register(session: so.Session, coop: Coop) -> None:
    """Enter the planned register into the demo co-op, as its secretary would have over the years."""
    today = today_in(coop)
    plan = plan_register(today)
    secretary_email = next(email for role, _name, email in DEMO_PEOPLE if role is Role.SECRETARY)
    actor = auth.user_by_email(session, secretary_email)
    households = [services.create_household(session, actor, coop, name=h.name, dependants=h.dependants)
                  for h in plan.households]
    _enter_people(session, actor, coop, plan, households, today)
    lots = {(block, number): services.create_lot(session, actor, coop, block=block, number=number,
                                                 phase=phase, status=status)
            for block, number, phase, status in plan.lots}
    for household, planned in zip(households, plan.households, strict=True):
        if planned.lot:
            assigned = min(planned.founded + dt.timedelta(days=200), today)
            services.assign_lot(session, actor, coop, lots[planned.lot], household, from_date=assigned,
                                reason="Sorteo de lotes", resolution_ref=f"Asamblea general {assigned.year}",
                                today=today)
    _file_applications(session, actor, coop, plan, today)
