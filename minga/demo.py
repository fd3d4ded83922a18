"""The demo co-op's Minga: four commissions with a year of sessions, sign-ups, attendance and a fine run.

Quebrada Verde reclaims its ravine and builds its second phase every Saturday, keeps its school and
its park every other weekend, and its commission secretaries meet once a month at the office (office
work, counted toward the obligation). A year of sessions ends a few weeks ahead: the past ones
worked, with their attendance (most present all morning, some for part of it, some absent or
excused, a few walk-ins, one correction), one called off for the rain, the last one of the
quebrada waiting for its coordinator's attendance, and the coming ones open (the next quebrada one
full, with a waitlist). Segundo Pilataxi coordinates the quebrada only.

Everything is drawn from ``random.Random(SEED)`` and counted from today, so each fresh demo is the
same co-op. The sessions, sign-ups and attendance are written in bulk (the suite builds the demo
once per run, and every second counts), keeping the counters the services keep: a session's
``confirmed_count`` is its confirmed sign-ups, ``arrivals`` its last arrival number, and arrival
numbers run without gaps. The obligation rules, two exemptions and one period's close (through
``minga.closing``, so the fines and the work credited as capital are in the books) follow.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop import tenancy
from coop.auth import services as auth
from coop.calendar import add_months, local_to_utc, month_start, today_in
from coop.db import utcnow
from coop.demo import DEMO_PEOPLE, OPERATOR_EMAIL, demo_loader
from coop.tenancy import Coop, Role, Scope
from ledger import services as ledger_services
from members.models import Member, MemberStatus
from minga import closing
from minga.models import (Attendance, AttendanceChange, AttendanceStatus, Commission, CommissionMember, Exemption,
                          MingaRules, ObligationPeriod, ObligationUnit, SessionSeries, SessionStatus, SessionTask,
                          SignUp, SignUpStatus, SurplusRule, WorkSession)
from minga.permissions import COMMISSION_SCOPE

SEED = 11
#: the programme runs this many days back, and this many ahead
DAYS_BACK, DAYS_AHEAD = 365, 27
SATURDAY, SUNDAY, TUESDAY = 5, 6, 1
EXCUSES = ["Cita médica en el centro de salud de Chillogallo.", "Calamidad doméstica: hijo enfermo.",
           "Turno de trabajo cambiado a última hora; avisó el viernes.", "Viaje a Latacunga por un familiar."]
STOOD_IN = "Trabajó en su lugar otra persona de su hogar."


@dataclass(frozen=True)
class CommissionPlan:
    name: str
    purpose: str
    place: str
    titles: tuple[str, ...]
    #: (task, people it needs), a session takes two or three of them
    tasks: tuple[tuple[str, int], ...]
    capacity: int
    #: days between sessions (0: once a month, on the first ``weekday`` of the month, not a series)
    every_days: int
    weekday: int
    starts: dt.time
    ends: dt.time
    #: sign-ups per place in a past session, on average
    demand: float = 0.9
    is_capital_work: bool = False
    is_office_work: bool = False


COMMISSIONS = [
    CommissionPlan(
        "Recuperación de la quebrada",
        "Devolver la quebrada al barrio: sacar la basura y los escombros, sembrar especies nativas, abrir "
        "senderos y hacer de ella un parque que cuide el agua.",
        "Entrada de la quebrada, calle Los Andes",
        ("Limpieza del cauce", "Siembra de especies nativas", "Sendero de la quebrada", "Muro de gaviones",
         "Retiro de escombros"),
        (("Recolección de basura", 10), ("Siembra de plantas nativas", 8), ("Apertura de senderos", 8),
         ("Refrigerio", 3)),
        capacity=30, every_days=7, weekday=SATURDAY, starts=dt.time(7), ends=dt.time(13), demand=1.05),
    CommissionPlan(
        "Mantenimiento de la escuela",
        "Cuidar la escuela comunitaria: aulas, baños, techos y patio listos para cada año lectivo.",
        "Escuela comunitaria Quebrada Verde",
        ("Pintura de aulas", "Arreglo de baños", "Limpieza de canaletas", "Mantenimiento del patio"),
        (("Pintura", 6), ("Plomería", 3), ("Limpieza general", 6)),
        capacity=15, every_days=14, weekday=SATURDAY, starts=dt.time(8), ends=dt.time(12), demand=0.85),
    CommissionPlan(
        "Construcción de viviendas",
        "Levantar las casas de la etapa 2 con las manos de las familias que vivirán en ellas: cada hora "
        "cuenta como aporte al capital social.",
        "Bloque D, etapa 2",
        ("Fundición de losa, bloque D", "Levantamiento de paredes, bloque E", "Enlucido, bloque D",
         "Instalaciones eléctricas, bloque E"),
        (("Mezcla de hormigón", 12), ("Acarreo de bloques", 12), ("Armado de varilla", 8), ("Refrigerio", 4)),
        capacity=40, every_days=7, weekday=SATURDAY, starts=dt.time(7), ends=dt.time(13), demand=0.95,
        is_capital_work=True),
    CommissionPlan(
        "Parque y áreas verdes",
        "El parque central y las áreas verdes de los bloques: césped, árboles, juegos infantiles.",
        "Parque central, junto a la casa comunal",
        ("Siembra de césped", "Poda de árboles", "Juegos infantiles", "Riego y deshierbe"),
        (("Jardinería", 8), ("Poda", 5), ("Carpintería", 5)),
        capacity=20, every_days=14, weekday=SUNDAY, starts=dt.time(8), ends=dt.time(12), demand=0.8),
    CommissionPlan(
        "Secretaría de comisiones",
        "Las horas de oficina de las comisiones: hojas de asistencia, programación y avisos.",
        "Oficina de la cooperativa, casa comunal",
        ("Digitación de hojas de asistencia",),
        (("Digitación", 3),),
        capacity=4, every_days=0, weekday=TUESDAY, starts=dt.time(17), ends=dt.time(19), demand=0.9,
        is_office_work=True),
]
QUEBRADA, SCHOOL, CONSTRUCTION, PARK, OFFICE = range(5)


@dataclass
class People:
    """Who the demo's Minga is about: its officers, and the active members with their households."""

    by_role: dict[Role, object]
    operator: object
    #: active members: id -> (household id, join date)
    members: dict[int, tuple[int | None, dt.date]]
    #: the account linked to a member, for the few who have one
    users: dict[int, int]
    #: how keen each member is on the Minga (a weight when drawing sign-ups)
    keenness: dict[int, float] = field(default_factory=dict)
    coordinator_member: int = 0
    socia_member: int = 0


@dataclass
class Planned:
    """One session as planned, its sign-ups in arrival order (member, status, task index, by office)."""

    commission: int
    row: dict
    tasks: list[dict]
    sign_ups: list[tuple[int, SignUpStatus, int | None, bool]] = field(default_factory=list)


def _people(session: so.Session, coop: Coop, rng: random.Random) -> People:
    by_role = {role: auth.user_by_email(session, email) for role, _name, email in DEMO_PEOPLE}
    rows = session.execute(sa.select(Member.id, Member.household_id, Member.join_date, Member.user_id).where(
        Member.coop_id == coop.id, Member.status == MemberStatus.ACTIVE).order_by(Member.id)).all()
    people = People(by_role, auth.user_by_email(session, OPERATOR_EMAIL),
                    {row.id: (row.household_id, row.join_date) for row in rows},
                    {row.id: row.user_id for row in rows if row.user_id is not None})
    by_user = {user: member for member, user in people.users.items()}
    # some never come, most come now and then, some every week
    people.keenness = {member: rng.choice([0.15, 0.4, 1, 1, 1, 1.5, 2.5]) for member in people.members}
    people.coordinator_member = by_user[by_role[Role.COORDINATOR].id]
    people.socia_member = by_user[by_role[Role.MEMBER].id]
    people.keenness[people.coordinator_member] = people.keenness[people.socia_member] = 3
    return people


def _commissions(session: so.Session, coop: Coop, people: People, rng: random.Random,
                 today: dt.date) -> list[Commission]:
    commissions = [Commission(coop_id=coop.id, name=plan.name, purpose=plan.purpose,
                              is_capital_work=plan.is_capital_work, is_office_work=plan.is_office_work,
                              created_dt=local_to_utc(coop, dt.datetime.combine(today - dt.timedelta(days=900),
                                                                                dt.time(10))))
                   for plan in COMMISSIONS]
    session.add_all(commissions)
    session.flush()
    others = sorted(set(people.members) - {people.coordinator_member})
    for index, commission in enumerate(commissions):
        standing = rng.sample(others, 3 if index == OFFICE else 6)
        if index == QUEBRADA:
            standing.insert(0, people.coordinator_member)
        session.add_all(CommissionMember(coop_id=coop.id, commission_id=commission.id, member_id=member,
                                         since=max(people.members[member][1],
                                                   today - dt.timedelta(days=rng.randint(60, 1400))))
                        for member in standing)
    coordinator = people.by_role[Role.COORDINATOR]
    tenancy.grant_role(session, people.by_role[Role.ADMIN], coop, coordinator, Role.COORDINATOR,
                       Scope(COMMISSION_SCOPE, commissions[QUEBRADA].id))
    # the kernel's demo made them coordinator of the whole co-op, before commissions existed
    tenancy.revoke_role(session, people.operator, coop, coordinator, Role.COORDINATOR)
    session.flush()
    return commissions


# --- the programme ---------------------------------------------------------------------------

def _dates(plan: CommissionPlan, today: dt.date) -> list[dt.date]:
    """The days a commission met over the year, and will meet in the coming weeks."""
    first, last = today - dt.timedelta(days=DAYS_BACK), today + dt.timedelta(days=DAYS_AHEAD)
    day = first + dt.timedelta(days=(plan.weekday - first.weekday()) % 7)
    if plan.every_days:
        return [day + dt.timedelta(days=plan.every_days * n)
                for n in range((last - day).days // plan.every_days + 1)]
    months = [add_months(month_start(first), n) for n in range(14)]
    days = [month + dt.timedelta(days=(plan.weekday - month.weekday()) % 7) for month in months]
    return [day for day in days if first <= day <= last]


def _series(session: so.Session, coop: Coop, commission: Commission, plan: CommissionPlan, dates: list[dt.date],
            author_id: int) -> list[int | None]:
    """The series (one a quarter, as coordinators make them) each date came from; None for one-offs."""
    if not plan.every_days:
        return [None] * len(dates)
    size = 91 // plan.every_days
    chunks = [dates[n:n + size] for n in range(0, len(dates), size)]
    rows = [{"coop_id": coop.id, "commission_id": commission.id, "every_days": plan.every_days, "count": len(chunk),
             "rule_text": f"cada {plan.every_days} días desde el {chunk[0]:%d/%m/%Y}, {len(chunk)} veces, "
                          f"{plan.starts:%H:%M}–{plan.ends:%H:%M}",
             "created_by_id": author_id,
             "created_dt": local_to_utc(coop, dt.datetime.combine(chunk[0] - dt.timedelta(days=12), dt.time(19)))}
            for chunk in chunks]
    ids = _insert(session, SessionSeries, rows)
    return [ids[n // size] for n in range(len(dates))]


def _plan_sessions(session: so.Session, coop: Coop, people: People, commissions: list[Commission],
                   rng: random.Random, today: dt.date, now: dt.datetime) -> list[Planned]:
    planned: list[Planned] = []
    for index, (plan, commission) in enumerate(zip(COMMISSIONS, commissions, strict=True)):
        author = people.by_role[Role.COORDINATOR if index == QUEBRADA else Role.SECRETARY].id
        dates = _dates(plan, today)
        series = _series(session, coop, commission, plan, dates, author)
        for day, series_id in zip(dates, series, strict=True):
            starts = local_to_utc(coop, dt.datetime.combine(day, plan.starts))
            capacity = plan.capacity if index == OFFICE else min(max(plan.capacity + rng.choice([-5, 0, 0, 5]), 15), 40)
            first_task = rng.randrange(len(plan.tasks))
            tasks = [{"name": name, "people_needed": min(needed, capacity), "position": position}
                     for position, (name, needed) in enumerate(
                         (plan.tasks + plan.tasks)[first_task:first_task + min(3, len(plan.tasks))])]
            row = {"coop_id": coop.id, "commission_id": commission.id, "series_id": series_id,
                   "title": rng.choice(plan.titles), "description": plan.purpose.split(":")[0] + ".",
                   "place": plan.place, "starts_dt": starts,
                   "ends_dt": local_to_utc(coop, dt.datetime.combine(day, plan.ends)), "capacity": capacity,
                   "status": SessionStatus.DONE if starts < now else SessionStatus.OPEN, "cancel_reason": "",
                   "confirmed_count": 0, "arrivals": 0,
                   "reminded_dt": starts - dt.timedelta(hours=24) if starts < now else None,
                   "created_by_id": author, "created_dt": starts - dt.timedelta(days=14)}
            planned.append(Planned(index, row, tasks))
    return planned


def _special_sessions(planned: list[Planned]) -> None:
    """The quebrada's year has its moments: one Saturday rained off, the last one's attendance not yet
    taken, the next one full, and the one after it still a draft."""
    quebrada = [p for p in planned if p.commission == QUEBRADA]
    past = [p for p in quebrada if p.row["status"] is SessionStatus.DONE]
    coming = [p for p in quebrada if p.row["status"] is SessionStatus.OPEN]
    rained = past[-9]
    rained.row.update(status=SessionStatus.CANCELLED,
                      cancel_reason="Suspendida por las lluvias: la Secretaría de Riesgos alertó de crecida en "
                                    "la quebrada. Nos vemos el próximo sábado.")
    past[-1].row["status"] = SessionStatus.CLOSED
    coming[0].row["full"] = True
    coming[-1].row.update(status=SessionStatus.DRAFT, reminded_dt=None)


def _draw(people: People, candidates: list[int], count: int, rng: random.Random) -> list[int]:
    """``count`` members drawn without replacement, the keener more often (in their order of arrival)."""
    keyed = sorted(candidates, key=lambda member: rng.random() ** (1 / people.keenness[member]), reverse=True)
    chosen = keyed[:count]
    rng.shuffle(chosen)
    return chosen


def _plan_sign_ups(people: People, planned: list[Planned], rng: random.Random, now: dt.datetime) -> None:
    """Who signed up for each session, in arrival order: confirmed while places last, then the waitlist."""
    plans_by_start = sorted(planned, key=lambda p: p.row["starts_dt"])
    for item in plans_by_start:
        row, status = item.row, item.row["status"]
        full = row.pop("full", False)
        if status is SessionStatus.DRAFT:
            continue
        day = row["starts_dt"].date()
        candidates = [m for m, (_household, joined) in people.members.items() if joined <= day]
        capacity = row["capacity"]
        if full:
            wanted = capacity + 4
        elif row["starts_dt"] > now:
            weeks_ahead = max((row["starts_dt"] - now).days // 7, 0)
            wanted = round(capacity * rng.uniform(0.45, 0.8) / (1 + weeks_ahead * 0.35))
        else:
            wanted = round(capacity * COMMISSIONS[item.commission].demand * rng.uniform(0.75, 1.2))
        members = _draw(people, candidates, min(wanted, len(candidates)), rng)
        if item.commission == QUEBRADA and row["starts_dt"] > now and people.socia_member not in members:
            members.insert(1, people.socia_member)  # Ana comes to the quebrada's next sessions
        confirmed = 0
        for member in members:
            if rng.random() < 0.04 and not full and member != people.socia_member:
                sign_up_status = SignUpStatus.CANCELLED
            elif confirmed < capacity:
                sign_up_status, confirmed = SignUpStatus.CONFIRMED, confirmed + 1
            else:
                sign_up_status = SignUpStatus.WAITLISTED
            task = rng.randrange(len(item.tasks)) if rng.random() < 0.7 else None
            item.sign_ups.append((member, sign_up_status, task, rng.random() < 0.15))
        if status is SessionStatus.CANCELLED:  # as cancelling does: every place and waitlist place with it
            item.sign_ups = [(member, SignUpStatus.CANCELLED, *rest) for member, _status, *rest in item.sign_ups]
            confirmed = 0
        row["confirmed_count"], row["arrivals"] = confirmed, len(item.sign_ups)


# --- writing it down -------------------------------------------------------------------------

def _insert(session: so.Session, model: type, rows: list[dict]) -> list[int]:
    """Rows inserted in bulk, their new ids in the same order.

    A Core insert of the table: the ORM's bulk insert splits the rows into a statement per pattern
    of None values and splices their ids together again, which took seconds for the sign-ups.
    """
    table = model.__table__
    return session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()

def _insert_sessions(session: so.Session, coop: Coop, planned: list[Planned]) -> None:
    """The sessions and their tasks, in bulk; each planned row and task learns its id."""
    ids = _insert(session, WorkSession, [item.row for item in planned])
    tasks = []
    for item, session_id in zip(planned, ids, strict=True):
        item.row["id"] = session_id
        for task in item.tasks:
            task.update(coop_id=coop.id, session_id=session_id)
            tasks.append(task)
    task_ids = _insert(session, SessionTask, tasks)
    for task, task_id in zip(tasks, task_ids, strict=True):
        task["id"] = task_id


def _sign_up_rows(coop: Coop, people: People, item: Planned, now: dt.datetime) -> list[dict]:
    """Sign-ups spread over the days before the session (none later than now), in arrival order."""
    row = item.row
    closes = min(row["starts_dt"] - dt.timedelta(days=1), now - dt.timedelta(hours=1))
    opens = min(row["starts_dt"] - dt.timedelta(days=20), closes - dt.timedelta(days=1))
    step = (closes - opens) / (len(item.sign_ups) + 1)
    office = people.by_role[Role.COORDINATOR if item.commission == QUEBRADA else Role.SECRETARY].id
    rows = []
    for arrival, (member, status, task, by_office) in enumerate(item.sign_ups, start=1):
        created = opens + step * arrival
        cancelled = row["starts_dt"] - dt.timedelta(hours=14) if row["status"] is SessionStatus.CANCELLED \
            else created + step / 2
        rows.append({"coop_id": coop.id, "session_id": row["id"], "member_id": member,
                     "task_id": item.tasks[task]["id"] if task is not None else None, "status": status,
                     "arrival": arrival, "is_by_office": by_office,
                     "signed_up_by_id": office if by_office else people.users.get(member),
                     "created_dt": created,
                     "changed_dt": cancelled if status is SignUpStatus.CANCELLED else created})
    return rows


def _insert_sign_ups(session: so.Session, coop: Coop, people: People, planned: list[Planned],
                     now: dt.datetime) -> dict[tuple[int, int], int]:
    """Every sign-up in bulk; the ids by (session, member), for the attendance that answers them."""
    rows = [sign_up for item in planned for sign_up in _sign_up_rows(coop, people, item, now)]
    ids = _insert(session, SignUp, rows)
    return {(row["session_id"], row["member_id"]): sign_up_id for row, sign_up_id in zip(rows, ids, strict=True)}


def _attendance_rows(coop: Coop, people: People, item: Planned, sign_up_ids: dict[tuple[int, int], int],
                     households: dict[int, list[int]], rng: random.Random) -> list[dict]:
    """What the coordinator wrote after the session: most worked all morning, a few did not come."""
    row = item.row
    length = int((row["ends_dt"] - row["starts_dt"]).total_seconds() // 60)
    recorder = people.by_role[Role.COORDINATOR if item.commission == QUEBRADA else Role.SECRETARY].id
    signed = {member for member, *_rest in item.sign_ups}
    came: set[int] = set()
    rows = []

    def add(member: int, sign_up_id: int | None, status: AttendanceStatus, minutes: int = 0, reason: str = ""):
        came.add(member)
        rows.append({"coop_id": coop.id, "session_id": row["id"], "member_id": member,
                     "household_id": people.members[member][0], "sign_up_id": sign_up_id, "status": status,
                     "minutes": minutes, "reason": reason, "recorded_by_id": recorder,
                     "recorded_dt": row["ends_dt"] + dt.timedelta(hours=rng.randint(3, 30))})

    for member, status, _task, _office in item.sign_ups:
        if status is not SignUpStatus.CONFIRMED:
            continue
        roll, sign_up_id = rng.random(), sign_up_ids[(row["id"], member)]
        if roll < 0.76:
            household = people.members[member][0]
            stand_ins = [m for m in households.get(household, []) if m not in signed and m not in came]
            if stand_ins and rng.random() < 0.04:  # another of the household works in their place
                add(member, sign_up_id, AttendanceStatus.EXCUSED, reason=STOOD_IN)
                add(rng.choice(stand_ins), None, AttendanceStatus.PRESENT, length)
            else:
                add(member, sign_up_id, AttendanceStatus.PRESENT, length)
        elif roll < 0.86:
            add(member, sign_up_id, AttendanceStatus.PRESENT, rng.randrange(90, length, 30))
        elif roll < 0.94:
            add(member, sign_up_id, AttendanceStatus.ABSENT)
        else:
            add(member, sign_up_id, AttendanceStatus.EXCUSED, reason=rng.choice(EXCUSES))
    day = row["starts_dt"].date()
    walk_ins = [m for m, (_h, joined) in people.members.items() if joined <= day and m not in signed and m not in came]
    for member in rng.sample(walk_ins, min(rng.choice([0, 0, 1, 1, 2]), len(walk_ins))):
        add(member, None, AttendanceStatus.PRESENT, length)
    return rows


def _insert_attendance(session: so.Session, coop: Coop, people: People, planned: list[Planned],
                       sign_up_ids: dict[tuple[int, int], int], rng: random.Random) -> None:
    households: dict[int, list[int]] = {}
    for member, (household, _joined) in people.members.items():
        households.setdefault(household, []).append(member)
    worked = [item for item in planned if item.row["status"] is SessionStatus.DONE]
    rows = [row for item in worked for row in _attendance_rows(coop, people, item, sign_up_ids, households, rng)]
    # one correction: a member marked absent at the quebrada had come late and signed at the end
    target = [item for item in worked if item.commission == QUEBRADA][-4]
    in_target = [row for row in rows if row["session_id"] == target.row["id"]]
    corrected = next((row for row in in_target if row["status"] is AttendanceStatus.ABSENT), in_target[0])
    previous = (corrected["status"], corrected["minutes"], corrected["recorded_dt"])
    length = int((target.row["ends_dt"] - target.row["starts_dt"]).total_seconds() // 60)
    corrected.update(status=AttendanceStatus.PRESENT, minutes=length - 40, reason="",
                     recorded_dt=previous[2] + dt.timedelta(days=2))
    session.execute(sa.insert(Attendance.__table__), rows)
    attendance_id = session.scalar(sa.select(Attendance.id).where(
        Attendance.session_id == corrected["session_id"], Attendance.member_id == corrected["member_id"]))
    session.add(AttendanceChange(
        coop_id=coop.id, attendance_id=attendance_id, previous_status=previous[0], previous_minutes=previous[1],
        status=corrected["status"], minutes=corrected["minutes"], changed_by_id=corrected["recorded_by_id"],
        changed_dt=corrected["recorded_dt"],
        reason="Llegó a las 07:40 y firmó la hoja al final, después de pasar lista."))


# --- the rules ---------------------------------------------------------------------------------

def _rules(session: so.Session, coop: Coop, people: People, today: dt.date) -> None:
    """Eight hours a month per household, $5 per missing hour, construction hours as capital at $3."""
    account = ledger_services.account_by_code
    session.add(MingaRules(
        coop_id=coop.id, owed_minutes=8 * 60, unit=ObligationUnit.HOUSEHOLD, period=ObligationPeriod.MONTH,
        starts_on=add_months(month_start(today), -12), surplus=SurplusRule.LOST, office_work_counts=True,
        grace_days=10, is_closed_automatically=False, fine_per_hour_minor=500,
        fine_account_id=account(session, coop, "4.3").id, capital_rate_minor=300,
        capital_account_id=account(session, coop, "1.2.02").id, reminder_hours=24))
    secretary = people.by_role[Role.SECRETARY].id
    eldest = session.scalar(sa.select(Member).where(
        Member.coop_id == coop.id, Member.status == MemberStatus.ACTIVE, Member.birth_date.is_not(None),
        Member.household_id.is_not(None)).order_by(Member.birth_date, Member.id).limit(1))
    households = sorted({household for household, _joined in people.members.values()
                         if household is not None and household != eldest.household_id})
    ill = households[len(households) // 3]
    last_month = add_months(month_start(today), -1)
    session.add_all([
        Exemption(coop_id=coop.id, household_id=eldest.household_id, percent=100,
                  from_date=add_months(month_start(today), -12), to_date=None, created_by_id=secretary,
                  reason=f"{eldest.given_names} {eldest.family_names}, persona socia de "
                         f"{(today - eldest.birth_date).days // 365} años: exoneración por edad (resolución del "
                         "consejo de administración)."),
        Exemption(coop_id=coop.id, household_id=ill, percent=50, from_date=add_months(last_month, -1).replace(day=10),
                  to_date=last_month.replace(day=20), created_by_id=secretary,
                  reason="Certificado médico: recuperación de una cirugía; trabaja media jornada."),
    ])
    session.flush()


@demo_loader
def load_minga(session: so.Session, coop: Coop) -> None:
    """A year of the demo co-op's Minga (after the books: its close charges fines to members)."""
    rng = random.Random(SEED)
    today, now = today_in(coop), utcnow()
    people = _people(session, coop, rng)
    commissions = _commissions(session, coop, people, rng, today)
    planned = _plan_sessions(session, coop, people, commissions, rng, today, now)
    _special_sessions(planned)
    _plan_sign_ups(people, planned, rng, now)
    _insert_sessions(session, coop, planned)
    sign_up_ids = _insert_sign_ups(session, coop, people, planned, now)
    _insert_attendance(session, coop, people, planned, sign_up_ids, rng)
    _rules(session, coop, people, today)
    # the treasurer closed the month before last: its fines and construction hours are in the books
    closing.close_period(session, people.by_role[Role.TREASURER], coop, add_months(month_start(today), -2),
                         today=today)
