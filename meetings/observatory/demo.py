"""The demo co-op's observatory: last year's participatory budget and what became of it, this
year's open for support, and the members' questions on the books (``demo_questions``).

Last year's process (``today.year - 1``) ran its phases in the months before last year's ordinary
assembly, which the meetings demo holds with an item and a carried motion on it: that motion's
resolution decides the process. Eight proposals, two not feasible; some two hundred support
ballots, mostly on paper entered by the secretary (few members have an account), the rest by
phone; blocks A and B's assemblies' results; the result counted as the bylaws say (most supported
first, the cheaper first on a tie, one that no longer fits is passed over) by the results'
service and explained in the co-op's language as the decision freezes it. Its three funded
proposals became work packages: the children's playground finished, the ravine's gabion wall
under way, the school's toilets just started, each with Minga sessions of its commission and
expenses recorded, approved and paid through the ledger's services in the months the works
ran (the ledger demo closes its old months only once every loader has run). This year's process is in its support phase: twelve proposals, two not feasible, some
ballots cast, and the demo member (Ana Toapanta, block B) has not voted yet.

Counters hold as the services keep them: a proposal's ``supports`` is its ballot choices, a
process's ``ballots_count`` its ballots, a ballot's ``total_cost_minor`` the cost of its choices.
Drawn from ``random.Random(SEED)`` and counted from today, so each fresh demo is the same co-op.
"""
from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import force_locale

from coop import tenancy
from coop.auth import services as auth
from coop.calendar import local_to_utc, today_in, utc_to_local
from coop.db import utcnow
from coop.demo import DEMO_PASSWORD, DEMO_PEOPLE, demo_loader
from coop.tenancy import Coop, Role
from ledger import expenses
from ledger import services as ledger_services
from ledger.demo import RECEIPT_PDF
from meetings.demo import PARTICIPATORY_MOTION
from meetings.models import Meeting, MeetingKind, MeetingStatus, Motion, Resolution
from meetings.observatory import demo_questions
from meetings.observatory.pb_results import count_process, explain
from meetings.observatory.models import (BallotChannel, BallotChoice, BlockResult, BudgetTieRule, ObservatorySettings,
                                         ParticipatoryBudget, Proposal, ProposalStatus, SupportBallot, SupportRule,
                                         WorkExpenseLink, WorkPackage, WorkSessionLink, WorkStatus, WorkUpdate)
from members.models import Lot, Member, MemberStatus
from minga.models import Attendance, AttendanceStatus, Commission, SessionStatus, WorkSession

SEED = 13
#: the fund the participatory budgets come from, and the work packages spend against
FUND = "1.2.03"
#: members who have an account of their own (besides the demo log-ins): they vote and ask by phone
MEMBER_ACCOUNTS = 24
QUEBRADA, SCHOOL, BUILDING, PARK = ("Recuperación de la quebrada", "Mantenimiento de la escuela",
                                    "Construcción de viviendas", "Parque y áreas verdes")


@dataclass(frozen=True)
class ProposalPlan:
    key: str
    title: str
    description: str
    block: str
    place: str
    estimate: int
    commission: str | None
    #: the board's revised cost (None: the estimate stands) and its reason, or why it is not feasible
    cost: int | None = None
    reason: str = ""
    feasible: bool = True
    #: how many ballots choose it (a target; the knapsack limit may leave a few out)
    supports: int = 0


LAST_YEAR = [
    ProposalPlan("juegos", "Juegos infantiles en el parque central",
                 "Columpios, resbaladera y sube y baja para los niños del barrio, con piso de caucho.", "",
                 "Parque central, junto a la casa comunal", 420_000, PARK, cost=450_000,
                 reason="El piso de caucho bajo los juegos sube el costo, y es lo que pide la norma de seguridad.",
                 supports=125),
    ProposalPlan("muro", "Muro de gaviones en la quebrada, tramo del bloque A",
                 "Sesenta metros de gaviones para que la orilla no se lleve el sendero en el invierno.", "A",
                 "Quebrada, detrás del bloque A", 500_000, QUEBRADA, supports=112),
    ProposalPlan("banos", "Arreglo de los baños de la escuela comunitaria",
                 "Cambiar los sanitarios y la tubería, y poner cerámica en los baños de la escuela.", "",
                 "Escuela comunitaria Quebrada Verde", 200_000, SCHOOL, cost=240_000,
                 reason="La tubería de desagüe también está rota: se suma al costo.", supports=74),
    ProposalPlan("cancha", "Cancha de uso múltiple del bloque B",
                 "Una cancha de hormigón con arcos y tableros de básquet para los jóvenes del bloque B.", "B",
                 "Terreno comunal del bloque B", 900_000, BUILDING, supports=78),
    ProposalPlan("alumbrado", "Alumbrado del pasaje 3", "Seis postes con luminarias LED en el pasaje 3, que de "
                 "noche está oscuro.", "B", "Pasaje 3", 180_000, None, supports=55),
    ProposalPlan("senaletica", "Señalética y nombres de los pasajes",
                 "Letreros con los nombres de los pasajes y un mapa del barrio a la entrada.", "", "", 70_000, None,
                 supports=38),
    ProposalPlan("piscina", "Piscina comunitaria", "Una piscina temperada para los niños y los mayores.", "",
                 "Terreno junto a la cancha central", 3_800_000, BUILDING, feasible=False,
                 reason="Cuesta más que todo el monto del presupuesto participativo, y su mantenimiento (agua, "
                        "cloro, salvavidas) no cabe en las cuotas."),
    ProposalPlan("cerramiento", "Cerramiento del bloque C", "Terminar el cerramiento del bloque C.", "C", "",
                 600_000, BUILDING, feasible=False,
                 reason="El cerramiento ya está en el presupuesto de construcción de la etapa 2 y lo paga el fondo "
                        "de vivienda: no se financia dos veces."),
]

THIS_YEAR = [
    ProposalPlan("juegos-d", "Juegos infantiles para el bloque D",
                 "Un columpio y una resbaladera en el área verde del bloque D, que no tiene juegos.", "D",
                 "Área verde del bloque D", 320_000, PARK, supports=24),
    ProposalPlan("alumbrado", "Alumbrado del pasaje 3",
                 "Seis postes con luminarias LED en el pasaje 3: el año pasado no alcanzó el monto y sigue oscuro.",
                 "B", "Pasaje 3", 210_000, None, supports=31),
    ProposalPlan("muro-c", "Muro de contención en la quebrada, tramo del bloque C",
                 "Continuar el muro de gaviones por el tramo del bloque C, donde la orilla se está cayendo.", "C",
                 "Quebrada, detrás del bloque C", 520_000, QUEBRADA, cost=580_000,
                 reason="El estudio de suelos pide diez metros más de muro.", supports=27),
    ProposalPlan("huerto", "Huerto comunitario junto a la casa comunal",
                 "Camas de cultivo, compostera y riego por goteo; lo cuidan las familias que se inscriban.", "",
                 "Junto a la casa comunal", 140_000, PARK, supports=19),
    ProposalPlan("cancha", "Cancha de uso múltiple del bloque B",
                 "La cancha que no alcanzó el año pasado, ahora con bloque y malla en lugar de hormigón.", "B",
                 "Terreno comunal del bloque B", 750_000, BUILDING, cost=600_000,
                 reason="Con adoquín en lugar de hormigón y la mano de obra de la Minga de construcción cuesta "
                        "menos.", supports=22),
    ProposalPlan("senaletica", "Señalética y nombres de los pasajes",
                 "Letreros con los nombres de los pasajes y un mapa del barrio a la entrada.", "", "", 90_000, None,
                 supports=14),
    ProposalPlan("parada", "Techo para la parada de bus de la calle Los Andes",
                 "Un techo y una banca en la parada, donde esperan los niños que van al colegio.", "A",
                 "Calle Los Andes", 260_000, None, feasible=False,
                 reason="La parada está en la vía pública y le corresponde al Municipio; el consejo enviará el "
                        "pedido a la administración zonal Quitumbe."),
    ProposalPlan("camaras", "Cámaras de seguridad en las entradas",
                 "Cuatro cámaras en las entradas del barrio, con grabación en la casa comunal.", "", "Entradas",
                 450_000, None, feasible=False,
                 reason="Las cámaras graban a vecinos y visitantes: antes hace falta un reglamento de protección "
                        "de datos aprobado por la asamblea."),
    ProposalPlan("gradas", "Gradas entre los pasajes 2 y 3",
                 "Rehacer las gradas de tierra entre los pasajes 2 y 3, con pasamanos.", "B", "Pasajes 2 y 3",
                 340_000, BUILDING, supports=26),
    ProposalPlan("pintura", "Pintura de la escuela comunitaria",
                 "Pintar las aulas y el cerramiento de la escuela antes del año lectivo.", "", "Escuela comunitaria",
                 190_000, SCHOOL, supports=17),
    ProposalPlan("reciclaje", "Contenedores de basura y punto de reciclaje",
                 "Contenedores cerrados y un punto de reciclaje a la entrada de la quebrada.", "C",
                 "Entrada de la quebrada", 65_000, QUEBRADA, cost=80_000,
                 reason="Los contenedores cerrados que pide el Municipio cuestan más.", supports=21),
    ProposalPlan("bancas", "Bancas y sombra en el parque central",
                 "Cuatro bancas y dos pérgolas con enredaderas para los mayores.", "A", "Parque central", 160_000,
                 PARK, supports=18),
]


@dataclass(frozen=True)
class PackagePlan:
    status: WorkStatus
    progress: int
    #: when the work began and ended (today, if it goes on), as shares of the time from the
    #: assembly's decision to today
    span: tuple[float, float]
    #: (supplier, description, amount in cents, how far into the work it was paid: a share of it)
    bills: tuple[tuple[str, str, int, float], ...]
    #: (text, progress) of each update; the last one's photo, if any
    updates: tuple[tuple[str, int], ...]
    photo: bool
    sessions: int
    title_hint: str


PACKAGES = {
    "juegos": PackagePlan(
        WorkStatus.FINISHED, 100, (0.08, 0.5),
        (("Metálicas Chillogallo", "Juegos infantiles: columpio doble, resbaladera y sube y baja, instalados", 365_000,
          0.3),
         ("Ferretería El Constructor", "Cemento, arena y pintura anticorrosiva para los juegos infantiles", 61_240,
          0.8)),
        (("La comisión del parque niveló el terreno y fundió las bases de los juegos.", 30),
         ("Llegaron e instalaron los juegos; falta el piso de caucho.", 70),
         ("Terminado: juegos instalados, piso de caucho y pintura. Los niños ya los usan.", 100)),
        photo=True, sessions=3, title_hint="Juegos infantiles"),
    "muro": PackagePlan(
        WorkStatus.UNDER_WAY, 60, (0.2, 1.0),
        (("Gaviones del Ecuador", "Malla para gaviones: 40 cajas de 2 x 1 x 1 m", 198_000, 0.1),
         ("Transportes Tituaña", "Piedra bola para los gaviones: seis volquetas", 93_000, 0.55)),
        (("Se limpió la orilla y se trazó el muro con la Minga de la quebrada.", 20),
         ("Treinta y cinco metros de gaviones llenos; faltan veinticinco.", 60)),
        photo=True, sessions=4, title_hint="Muro de gaviones"),
    "banos": PackagePlan(
        WorkStatus.UNDER_WAY, 10, (0.9, 1.0),
        (("Ferretería El Constructor", "Anticipo: sanitarios, tubería y cerámica para los baños de la escuela",
          82_000, 0.4),),
        (("Se compraron los materiales; la Minga de la escuela retiró los sanitarios viejos.", 10),),
        photo=False, sessions=1, title_hint="Arreglo de baños"),
}


def tiny_png(rgb: tuple[int, int, int] = (74, 128, 62), width: int = 8, height: int = 6) -> bytes:
    """A small PNG of one colour, written by hand (the demo's photo and scanned receipt)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _row in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class Cast:
    """Who the observatory's demo is about."""

    by_role: dict[Role, object]
    #: active members: id -> block of their home ("" when they have none)
    blocks: dict[int, str]
    #: member id -> user id, for the members who have an account
    users: dict[int, int]
    socia: int
    commissions: dict[str, Commission]


def at(coop: Coop, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local_to_utc(coop, dt.datetime.combine(day, dt.time(hour, minute)))


def _cast(session: so.Session, coop: Coop, rng: random.Random) -> Cast:
    by_role = {role: auth.user_by_email(session, email) for role, _name, email in DEMO_PEOPLE}
    rows = session.execute(sa.select(Member.id, Member.user_id, Lot.block).outerjoin(
        Lot, sa.and_(Lot.household_id == Member.household_id, Member.household_id.is_not(None))).where(
        Member.coop_id == coop.id, Member.status == MemberStatus.ACTIVE).order_by(Member.id, Lot.id)).all()
    blocks: dict[int, str] = {}
    users: dict[int, int] = {}
    for member_id, user_id, block in rows:
        blocks.setdefault(member_id, block or "")
        if user_id is not None:
            users[member_id] = user_id
    socia = next(m for m, u in users.items() if u == by_role[Role.MEMBER].id)
    commissions = {c.name: c for c in session.scalars(sa.select(Commission).where(Commission.coop_id == coop.id))}
    cast = Cast(by_role, blocks, users, socia, commissions)
    _member_accounts(session, coop, cast, rng)
    return cast


def _member_accounts(session: so.Session, coop: Coop, cast: Cast, rng: random.Random) -> None:
    """A few members use Ayllu from their phone: each has an account of their own (not printed),
    with the demo's one password, hashed once (argon2 takes its time by design, and the suite
    builds the demo once per run)."""
    without = sorted(m for m in cast.blocks if m not in cast.users)
    chosen = rng.sample(without, MEMBER_ACCOUNTS)
    admin = cast.by_role[Role.ADMIN]
    password_hash = auth.hash_password(DEMO_PASSWORD)
    for member in session.scalars(sa.select(Member).where(Member.id.in_(chosen)).order_by(Member.number)):
        user = auth.create_user(session, email=f"socio{member.number}@quebrada-verde.example",
                                name=member.full_name)
        user.password_hash, user.password_changed_dt = password_hash, utcnow()
        tenancy.grant_role(session, admin, coop, user, Role.MEMBER)
        member.user_id = user.id
        cast.users[member.id] = user.id
    session.flush()


# --- participatory budgets -------------------------------------------------------------------

def _process(session, coop: Coop, cast: Cast, *, year: int, title: str, description: str, amount: int,
             fund, dates: list[dt.date]) -> ParticipatoryBudget:
    process = ParticipatoryBudget(
        coop_id=coop.id, year=year, title=title, description=description, amount_minor=amount, account_id=fund.id,
        rule=SupportRule.KNAPSACK, proposals_opens_on=dates[0], proposals_closes_on=dates[1],
        review_closes_on=dates[2], support_opens_on=dates[3], support_closes_on=dates[4], blocks_close_on=dates[5],
        created_by_id=cast.by_role[Role.SECRETARY].id, created_dt=at(coop, dates[0] - dt.timedelta(days=10), 10))
    session.add(process)
    session.flush()
    return process


def _proposals(session, coop: Coop, cast: Cast, process: ParticipatoryBudget, plans: list[ProposalPlan],
               rng: random.Random, proposers: dict[str, int]) -> dict[str, Proposal]:
    span = (process.proposals_closes_on - process.proposals_opens_on).days
    review = (process.review_closes_on - process.proposals_closes_on).days
    made = {}
    for number, plan in enumerate(plans, start=1):
        proposer = proposers.get(plan.key) or rng.choice(
            [m for m, block in cast.blocks.items() if not plan.block or block == plan.block])
        commission = cast.commissions[plan.commission].id if plan.commission else None
        proposal = Proposal(
            coop_id=coop.id, process_id=process.id, number=number, proposer_id=proposer, title=plan.title,
            description=plan.description, block=plan.block, place=plan.place, estimated_cost_minor=plan.estimate,
            commission_id=commission,
            status=ProposalStatus.FEASIBLE if plan.feasible else ProposalStatus.NOT_FEASIBLE,
            cost_minor=plan.cost, review_reason=plan.reason, reviewed_by_id=cast.by_role[Role.ADMIN].id,
            reviewed_dt=at(coop, process.proposals_closes_on + dt.timedelta(days=rng.randint(1, max(review, 1))), 19),
            created_dt=at(coop, process.proposals_opens_on + dt.timedelta(days=number * span // len(plans)), 20))
        made[plan.key] = proposal
    session.add_all(made.values())
    session.flush()
    return made


def _ballots(session, coop: Coop, cast: Cast, process: ParticipatoryBudget, plans: list[ProposalPlan],
             proposals: dict[str, Proposal], voters: list[int], rng: random.Random,
             opens: dt.datetime, closes: dt.datetime) -> None:
    """Each voter's choices within the amount: the dearest proposals first, each given to as many
    voters as its target among those who still have room for it."""
    left = {voter: process.amount_minor for voter in voters}
    chosen: dict[int, list[Proposal]] = {voter: [] for voter in voters}
    for plan in sorted((p for p in plans if p.feasible), key=lambda p: -proposals[p.key].final_cost_minor):
        proposal = proposals[plan.key]
        room = [v for v in voters if left[v] >= proposal.final_cost_minor]
        for voter in rng.sample(room, min(plan.supports, len(room))):
            left[voter] -= proposal.final_cost_minor
            chosen[voter].append(proposal)
    secretary = cast.by_role[Role.SECRETARY].id
    step = (closes - opens) / (len(voters) + 1)
    ballots = []
    for index, voter in enumerate(voters, start=1):
        if not chosen[voter]:
            continue
        phone = voter in cast.users
        ballot = SupportBallot(
            coop_id=coop.id, process_id=process.id, member_id=voter,
            channel=BallotChannel.PHONE if phone else BallotChannel.PAPER,
            entered_by_id=None if phone else secretary,
            total_cost_minor=sum(p.final_cost_minor for p in chosen[voter]), created_dt=opens + step * index,
            choices=[BallotChoice(coop_id=coop.id, proposal_id=p.id)
                     for p in sorted(chosen[voter], key=lambda p: p.id)])
        ballots.append(ballot)
        for proposal in chosen[voter]:
            proposal.supports += 1
    session.add_all(ballots)
    process.ballots_count = len(ballots)
    session.flush()


def funded_of(session, coop: Coop, process: ParticipatoryBudget) -> list[Proposal]:
    """The funded proposals in their order, counted as the results' page counts them."""
    return [session.get(Proposal, line.candidate.id) for line in count_process(session, coop, process).funded]


def _phases_last_year(assembly_day: dt.date) -> list[dt.date]:
    blocks_close = assembly_day - dt.timedelta(days=14)
    support_closes = blocks_close - dt.timedelta(days=21)
    support_opens = support_closes - dt.timedelta(days=20)
    review_closes = support_opens - dt.timedelta(days=1)
    proposals_close = review_closes - dt.timedelta(days=21)
    return [proposals_close - dt.timedelta(days=35), proposals_close, review_closes, support_opens,
            support_closes, blocks_close]


def _block_results(session, coop: Coop, cast: Cast, process: ParticipatoryBudget, rng: random.Random) -> None:
    """Blocks A and B held their assemblies and the secretary entered each one's paper tally."""
    for block, present in (("A", 31), ("B", 38)):
        when = at(coop, process.support_closes_on + dt.timedelta(days=7 if block == "A" else 9), 20)
        for proposal in process.proposals:
            if proposal.status is not ProposalStatus.FEASIBLE:
                continue
            share = proposal.supports / max(process.ballots_count, 1)
            bonus = 0.25 if proposal.block == block else 0
            supports = min(present, max(0, round(present * (share + bonus + rng.uniform(-0.1, 0.1)))))
            session.add(BlockResult(coop_id=coop.id, process_id=process.id, block=block, proposal_id=proposal.id,
                                    present=present, supports=supports, entered_by_id=cast.by_role[Role.SECRETARY].id,
                                    created_dt=when))
    session.flush()


def _decision(session, coop: Coop, year: int) -> tuple[Motion, Resolution]:
    motion = session.scalar(sa.select(Motion).where(Motion.coop_id == coop.id,
                                                    Motion.title == f"{PARTICIPATORY_MOTION} {year}"))
    resolution = session.scalar(sa.select(Resolution).where(Resolution.motion_id == motion.id))
    return motion, resolution


def _last_year(session, coop: Coop, cast: Cast, fund, rng: random.Random) -> ParticipatoryBudget:
    year = today_in(coop).year - 1
    motion, resolution = _decision(session, coop, year)
    dates = _phases_last_year(resolution.decided_on)
    process = _process(session, coop, cast, year=year, title=f"Presupuesto participativo {year}",
                       description="Doce mil dólares del fondo de obras comunitarias para lo que los socios elijan.",
                       amount=1_200_000, fund=fund, dates=dates)
    proposals = _proposals(session, coop, cast, process, LAST_YEAR, rng, {})
    voters = sorted(rng.sample(sorted(cast.blocks), min(212, len(cast.blocks))))
    _ballots(session, coop, cast, process, LAST_YEAR, proposals, voters, rng,
             at(coop, dates[3], 8), at(coop, dates[4], 18))
    session.refresh(process)
    _block_results(session, coop, cast, process, rng)
    process.meeting_id, process.motion_id, process.resolution_id = motion.meeting_id, motion.id, resolution.id
    with force_locale(coop.locale):  # frozen as the decision freezes it, in the co-op's language
        process.result_text = explain(coop, count_process(session, coop, process))
    session.flush()
    return process


def _this_year(session, coop: Coop, cast: Cast, fund, rng: random.Random, coming_assembly_day: dt.date | None,
               meeting_id: int | None) -> ParticipatoryBudget:
    today = today_in(coop)
    decide = coming_assembly_day or today + dt.timedelta(days=16)
    support_opens = today - dt.timedelta(days=4)
    support_closes = min(today + dt.timedelta(days=10), decide - dt.timedelta(days=3))
    dates = [support_opens - dt.timedelta(days=50), support_opens - dt.timedelta(days=20),
             support_opens - dt.timedelta(days=1), support_opens, support_closes, decide - dt.timedelta(days=1)]
    process = _process(session, coop, cast, year=today.year, title=f"Presupuesto participativo {today.year}",
                       description="Quince mil dólares del fondo de obras comunitarias: elija los proyectos que "
                                   "quiere, hasta completar el monto.", amount=1_500_000, fund=fund, dates=dates)
    process.meeting_id = meeting_id
    proposals = _proposals(session, coop, cast, process, THIS_YEAR, rng, {"alumbrado": cast.socia})
    pool = sorted(m for m in cast.blocks if m != cast.socia)
    voters = sorted(rng.sample(pool, 64))
    moment = at(coop, support_opens, 8)
    _ballots(session, coop, cast, process, THIS_YEAR, proposals, voters, rng, moment,
             min(utcnow() - dt.timedelta(hours=1), moment + dt.timedelta(days=4)))
    session.flush()
    return process


# --- what became of last year's -------------------------------------------------------------

def _sessions(session, coop: Coop, commission: Commission, start: dt.date, end: dt.date, count: int,
              hint: str) -> list[int]:
    """Worked sessions of the commission between the days (those titled like the work first)."""
    has_hours = sa.exists().where(Attendance.session_id == WorkSession.id,
                                  Attendance.status == AttendanceStatus.PRESENT)
    rows = session.execute(sa.select(WorkSession.id, WorkSession.title).where(
        WorkSession.commission_id == commission.id, WorkSession.status == SessionStatus.DONE, has_hours,
        WorkSession.starts_dt >= at(coop, start, 0), WorkSession.starts_dt < at(coop, end, 23, 59))
        .order_by(WorkSession.starts_dt.desc())).all()
    ranked = sorted(rows, key=lambda r: r.title != hint)  # stable: the latest first within each
    return sorted(r.id for r in ranked[:count])


def _timeline(decided_on: dt.date, today: dt.date, plan: PackagePlan) -> tuple[dt.date, dt.date, list[dt.date]]:
    """The days the work began and ended (today if it goes on), and the day each bill was paid."""
    def share(of: float, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=round((end - start).days * of))
    start = share(plan.span[0], decided_on, today)
    end = share(plan.span[1], decided_on, today - dt.timedelta(days=1)) if plan.status is WorkStatus.FINISHED \
        else today
    return start, end, [share(bill[3], start, end) for bill in plan.bills]


def _packages(session, coop: Coop, cast: Cast, process: ParticipatoryBudget, fund) -> list[WorkPackage]:
    today = today_in(coop)
    decided_on = session.get(Resolution, process.resolution_id).decided_on
    funded = funded_of(session, coop, process)
    by_key = {plan.key: plan for plan in LAST_YEAR}
    keys = {p.id: next(k for k, v in by_key.items() if v.title == p.title) for p in funded}
    treasurer, admin, bank = cast.by_role[Role.TREASURER], cast.by_role[Role.ADMIN], \
        ledger_services.account_by_code(session, coop, "1.1.02")
    decided = at(coop, decided_on + dt.timedelta(days=3), 10)
    made = []
    for index, proposal in enumerate(funded):
        plan = PACKAGES[keys[proposal.id]]
        start, end, paid_days = _timeline(decided_on, today, plan)
        finished = end if plan.status is WorkStatus.FINISHED else None
        package = WorkPackage(
            coop_id=coop.id, title=proposal.title, description=proposal.description, proposal_id=proposal.id,
            resolution_id=process.resolution_id, account_id=fund.id, voted_minor=proposal.final_cost_minor,
            commission_id=proposal.commission_id, status=plan.status, progress_pct=plan.progress,
            finished_on=finished, created_dt=decided + dt.timedelta(minutes=index))
        session.add(package)
        session.flush()
        worked = _sessions(session, coop, session.get(Commission, proposal.commission_id), start, end,
                           plan.sessions, plan.title_hint)
        for session_id in worked:
            session.add(WorkSessionLink(coop_id=coop.id, package_id=package.id, session_id=session_id))
        first_day = min([paid_days[0]] + [utc_to_local(coop, session.get(WorkSession, w).starts_dt).date()
                                          for w in worked])
        for n, ((supplier, description, amount, _share), paid) in enumerate(zip(plan.bills, paid_days)):
            receipt = ("factura.png", tiny_png((240, 240, 235))) if n % 2 else ("factura.pdf", RECEIPT_PDF)
            expense = expenses.record_expense(
                session, treasurer, coop, expense_date=paid - dt.timedelta(days=2), supplier=supplier,
                description=description, invoice_ref=f"001-001-{4100 + 17 * index + n:09d}", account=fund,
                amount_minor=amount, attachment=receipt)
            expenses.approve_expense(session, admin, coop, expense)
            expenses.pay_expense(session, treasurer, coop, expense, paid_date=paid, from_account=bank)
            session.add(WorkExpenseLink(coop_id=coop.id, package_id=package.id, expense_id=expense.id))
        author = cast.by_role[Role.COORDINATOR if proposal.commission_id == cast.commissions[QUEBRADA].id
                              else Role.SECRETARY].id
        for n, (text, progress) in enumerate(plan.updates, start=1):
            last = n == len(plan.updates)
            day = first_day + (end - first_day) * n // len(plan.updates) if n < len(plan.updates) else \
                (finished or today - dt.timedelta(days=2))
            photo = tiny_png((96, 150, 70) if index == 0 else (120, 110, 95)) if last and plan.photo else None
            session.add(WorkUpdate(coop_id=coop.id, package_id=package.id, text=text, progress_pct=progress,
                                   photo_name="foto.png" if photo else "", photo_type="image/png" if photo else "",
                                   photo=photo, created_by_id=author, created_dt=at(coop, day, 18, n)))
        made.append(package)
    session.flush()
    return made


@demo_loader
def load_observatory(session: so.Session, coop: Coop) -> None:
    """The observatory (after the assemblies: last year's decided the participatory budget)."""
    rng = random.Random(SEED)
    session.add(ObservatorySettings(coop_id=coop.id, answer_days=30, is_budget_public=False,
                                    tie_rule=BudgetTieRule.CHEAPER_FIRST))
    cast = _cast(session, coop, rng)
    fund = ledger_services.account_by_code(session, coop, FUND)
    last = _last_year(session, coop, cast, fund, rng)
    packages = _packages(session, coop, cast, last, fund)
    coming = session.scalar(sa.select(Meeting).where(
        Meeting.coop_id == coop.id, Meeting.kind == MeetingKind.ORDINARY, Meeting.status == MeetingStatus.CONVENED,
        Meeting.first_call_dt >= utcnow()).order_by(Meeting.first_call_dt).limit(1))
    coming_day = utc_to_local(coop, coming.first_call_dt).date() if coming is not None else None
    _this_year(session, coop, cast, fund, rng, coming_day, coming.id if coming is not None else None)
    demo_questions.ask(session, coop, cast, rng, packages, coming)
