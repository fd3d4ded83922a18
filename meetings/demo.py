"""The demo co-op's assemblies: last year's ordinary assembly, the board meeting that approved its
minutes, the coming ordinary assembly with its notice issued, and block B's assembly sitting now.

Everything goes through the services, each given the moment it happened (``now``), so the demo is
the record a secretary would have left: the notice issued twelve days before, the roll frozen on
that day (members more than three months in arrears may not vote), two thirds of the voters
checked in, a few proxies, the first call without quorum and the meeting opened on the second;
the report received, this year's budget approved by a show of hands, the ordinary dues amended
and approved by a named vote, a motion on the community hall referred to a commission, the
oversight council elected on paper; then the minutes with the secretary's notes, approved by the
board a month later. The budget and the dues plan point to their resolutions. Block B's assembly
began forty minutes before the demo was made: people checked in, a secret ballot open (the member
of the demo log-ins, who lives in block B, has not voted yet) and a motion in debate, so the
check-in, the hall screen and voting from a phone can be tried at once. Drawn from
``random.Random(SEED)`` and counted from today, so each fresh demo is the same co-op.
"""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
import sqlalchemy.orm as so
from babel.dates import format_date

from coop.auth import services as auth
from coop.calendar import local_to_utc, today_in, utc_to_local
from coop.db import utcnow
from coop.demo import DEMO_PEOPLE, demo_loader
from coop.officers import Officer
from coop.tenancy import Coop, Role
from ledger.models import Budget, DuesPlan
from members.models import Member, MemberStatus
from meetings import agenda, elections, election_result, minutes, motions, notice, offices, proxies, sitting, voting
from meetings.bylaws import RulesData, update_rules
from meetings.meetings import MeetingData, create_meeting
from meetings.models import (Call, Choice, MajorityRule, Meeting, MeetingKind, MotionStatus, PositionBody,
                             RollEntry, VotingMode)
from meetings.rules import rules_of

SEED = 12
#: share of the voters who come, and the proxies recorded at the door
TURNOUT, PROXIES = 0.64, 5
BOARD = [("Presidencia del consejo de administración", 1, 0), ("Vocalía del consejo de administración", 4, 2)]
OVERSIGHT = ("Consejo de vigilancia", 3, 1)
#: the co-op's secretary (member no. 6, who keeps the minutes): signs certificates with the president
SECRETARY = ("Secretaría de la cooperativa", 1, 0)
#: last year's assembly decided the participatory budget of the year before (the observatory's demo
#: finds this motion by its title and links the process to it)
PARTICIPATORY_ITEM = "Presupuesto participativo"
PARTICIPATORY_MOTION = "Aprobar el resultado del presupuesto participativo"


def _secretary(session: so.Session):
    email = next(email for role, _name, email in DEMO_PEOPLE if role is Role.SECRETARY)
    return auth.user_by_email(session, email)


def _saturday_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 5) % 7)


def _at(coop: Coop, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local_to_utc(coop, dt.datetime.combine(day, dt.time(hour, minute)))


def _active(session: so.Session, coop: Coop) -> list[Member]:
    return list(session.scalars(sa.select(Member).where(Member.coop_id == coop.id, Member.status == MemberStatus.ACTIVE)
                                .order_by(Member.number)))


def _positions(session, actor, coop: Coop, members: list[Member], since: dt.date):
    """The board, the council and the secretary, and who has held them since before the co-op used Ayllu."""
    made = {}
    bodies = {OVERSIGHT: PositionBody.OVERSIGHT, SECRETARY: PositionBody.OTHER}
    signs = {BOARD[0]: Officer.PRESIDENT, SECRETARY: Officer.SECRETARY}
    for office in BOARD + [OVERSIGHT, SECRETARY]:
        name, seats, alternates = office
        made[name] = offices.add_position(session, actor, coop, offices.PositionData(
            name=name, body=bodies.get(office, PositionBody.BOARD), seats=seats, alternates=alternates,
            term_months=24, signs_as=signs.get(office)))
    board = members[:5]
    offices.record_term(session, actor, coop, position=made[BOARD[0][0]], member=board[0], starts_on=since,
                        ends_on=since + dt.timedelta(days=730), note="Elegida en la asamblea de 2024, antes de Ayllu.")
    offices.record_term(session, actor, coop, position=made[SECRETARY[0]], member=members[5], starts_on=since,
                        ends_on=since + dt.timedelta(days=730), note="Nombrada por el consejo en 2024, antes de Ayllu.")
    for member in board[1:]:
        offices.record_term(session, actor, coop, position=made[BOARD[1][0]], member=member, starts_on=since,
                            ends_on=since + dt.timedelta(days=730), note="Elegido en la asamblea de 2024, antes de Ayllu.")
    return made


def _agenda(session, actor, coop, meeting, titles: list[tuple[str, str]]):
    return [agenda.add_item(session, actor, coop, meeting, title, text) for title, text in titles]


def _assembly(session, actor, coop: Coop, day: dt.date, title: str, items: list[tuple[str, str]],
              kind=MeetingKind.ORDINARY) -> Meeting:
    meeting = create_meeting(session, actor, coop, MeetingData(
        kind=kind.value, title=title, day=day, first_time=dt.time(9), second_time=dt.time(10),
        place="Casa comunal, calle Los Andes y pasaje 3", attendance_note="Socios activos; vota quien no tenga más de "
        "tres meses de aportes en mora."), now=_at(coop, day - dt.timedelta(days=30), 10))
    _agenda(session, actor, coop, meeting, items)
    notice.issue_notice(session, actor, coop, meeting, now=_at(coop, day - dt.timedelta(days=12), 10))
    return meeting


def _check_in(session, actor, coop, meeting: Meeting, rng: random.Random, moment: dt.datetime) -> list[RollEntry]:
    voters = list(session.scalars(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id,
                                                             RollEntry.may_vote.is_(True)).order_by(RollEntry.number)))
    coming = sorted(rng.sample(voters, round(len(voters) * TURNOUT)), key=lambda e: e.number)
    for n, entry in enumerate(coming):
        sitting.check_in(session, actor, coop, meeting, entry.id, now=moment + dt.timedelta(seconds=20 * n))
    absent = [e for e in voters if not e.is_present]
    for grantor, holder in zip(rng.sample(absent, min(PROXIES, len(absent))), coming[::7]):
        proxies.record_proxy(session, actor, coop, meeting, grantor_number=grantor.number, holder_number=holder.number,
                             authorisation="Carta firmada y copia de la cédula, entregadas en la puerta.",
                             now=moment + dt.timedelta(minutes=40))
    return coming


def _hands(session, actor, coop, motion, now, *, against: int, abstain: int):
    vote_round = voting.open_round(session, actor, coop, motion, VotingMode.HANDS, now=now)
    voting.enter_totals(session, actor, coop, vote_round, yes=vote_round.present_voters - against - abstain,
                        no=against, abstain=abstain)
    return voting.close_round(session, actor, coop, vote_round, now=now + dt.timedelta(minutes=4))


def _named(session, actor, coop, motion, present: list[RollEntry], rng, now):
    vote_round = voting.open_round(session, actor, coop, motion, VotingMode.NAMED, now=now)
    for entry in present:
        roll = rng.random()
        choice = Choice.YES if roll < 0.78 else Choice.NO if roll < 0.93 else Choice.ABSTAIN
        voting.record_vote(session, actor, coop, vote_round, entry.number, choice, now=now + dt.timedelta(minutes=1))
    return voting.close_round(session, actor, coop, vote_round, now=now + dt.timedelta(minutes=12))


def _motion(session, actor, coop, item, title, text, present, now, **fields):
    motion = motions.propose_motion(session, actor, coop, item, title=title, text=text,
                                    proposer_number=present[0].number, seconder_number=present[1].number,
                                    now=now, **fields)
    motions.move_motion(session, actor, coop, motion, MotionStatus.IN_DEBATE)
    return motion


def _ordinary_title(day: dt.date) -> str:
    """"Asamblea general ordinaria de enero de 2026": the month tells two of one year apart."""
    return f"Asamblea general ordinaria de {format_date(day, 'MMMM', locale='es')} de {day.year}"


def _last_years_assembly(session, actor, coop: Coop, day: dt.date, rng: random.Random, positions,
                         participatory_year: int) -> Meeting:
    year = day.year
    meeting = _assembly(session, actor, coop, day, _ordinary_title(day), [
        ("Constatación del quórum e instalación", ""),
        ("Informe del consejo de administración", "Informe de gestión del año anterior."),
        (f"Presupuesto {year}", "Presupuesto de ingresos y gastos propuesto por el consejo de administración."),
        ("Cuota ordinaria", "Propuesta de cuota ordinaria mensual por socio."),
        ("Casa comunal", "Propuesta de ampliar la casa comunal con la Minga de construcción."),
        ("Elección del consejo de vigilancia", "Tres vocales y un suplente por dos años."),
        (f"{PARTICIPATORY_ITEM} {participatory_year}", "Resultado de los apoyos de los socios y de las asambleas "
         "de bloque; decisión de la asamblea."),
        ("Varios", "")])
    items = meeting.items
    present = _check_in(session, actor, coop, meeting, rng, _at(coop, day, 8, 30))
    sitting.open_meeting(session, actor, coop, meeting, Call.SECOND, now=_at(coop, day, 10, 5))
    clock = _at(coop, day, 10, 20)
    sitting.set_current_item(session, meeting, items[2].id)
    budget = _motion(session, actor, coop, items[2], f"Aprobar el presupuesto {year}",
                     f"La asamblea aprueba el presupuesto de ingresos y gastos de {year} presentado por el consejo "
                     "de administración.", present, clock)
    _hands(session, actor, coop, budget, clock + dt.timedelta(minutes=30), against=21, abstain=9)
    sitting.set_current_item(session, meeting, items[3].id)
    dues = _motion(session, actor, coop, items[3], "Cuota ordinaria de 25 dólares",
                   "La cuota ordinaria es de 24 dólares mensuales por socio, desde el mes siguiente.", present,
                   clock + dt.timedelta(minutes=50), majority=MajorityRule.TWO_THIRDS_CAST)
    amendment = motions.propose_motion(
        session, actor, coop, items[3], title="Un dólar al fondo de construcción", amends=dues,
        text="La cuota ordinaria es de 25 dólares mensuales por socio, desde el mes siguiente; un dólar va al "
             "fondo de construcción.", proposer_number=present[2].number, now=clock + dt.timedelta(minutes=55))
    motions.move_motion(session, actor, coop, amendment, MotionStatus.IN_DEBATE)
    _hands(session, actor, coop, amendment, clock + dt.timedelta(minutes=65), against=40, abstain=12)
    _named(session, actor, coop, dues, present, rng, clock + dt.timedelta(minutes=75))
    sitting.set_current_item(session, meeting, items[4].id)
    hall = _motion(session, actor, coop, items[4], "Ampliar la casa comunal",
                   "Ampliar la casa comunal con dos aulas, con la Minga de construcción en el segundo semestre.",
                   present, clock + dt.timedelta(minutes=100))
    motions.move_motion(session, actor, coop, hall, MotionStatus.REFERRED,
                        note="Comisión de construcción: presupuesto y planos para la próxima asamblea.")
    sitting.set_current_item(session, meeting, items[5].id)
    _election(session, actor, coop, meeting, items[5], positions[OVERSIGHT[0]], present,
              clock + dt.timedelta(minutes=120))
    sitting.set_current_item(session, meeting, items[6].id)
    participatory = _motion(
        session, actor, coop, items[6], f"{PARTICIPATORY_MOTION} {participatory_year}",
        f"La asamblea aprueba el resultado del presupuesto participativo {participatory_year} presentado por el "
        "consejo de administración: se financian, en el orden del informe, los proyectos más apoyados que caben en "
        "el monto, y cada uno se ejecuta como un paquete de obra con su comisión.", present,
        clock + dt.timedelta(minutes=150))
    _hands(session, actor, coop, participatory, clock + dt.timedelta(minutes=160), against=6, abstain=11)
    sitting.close_meeting(session, actor, coop, meeting, now=_at(coop, day, 13, 10))
    _link_resolutions(session, coop, budget, dues, year)
    return meeting


def _election(session, actor, coop, meeting, item, position, present: list[RollEntry], now: dt.datetime) -> None:
    election = elections.new_election(session, actor, coop, meeting, position=position, item=item)
    standing = present[6:11]  # after the board's five and the meeting's secretary: no one sits on both councils
    for entry in standing:
        elections.add_candidate(session, actor, coop, election, session.get(Member, entry.member_id))
    elections.open_election(session, actor, coop, election, mode=VotingMode.HANDS, now=now)
    voters = len(present)
    shares = [0.61, 0.55, 0.47, 0.33, 0.18]
    votes = {candidate.id: int(voters * share) for candidate, share in zip(election.candidates, shares)}
    elections.enter_totals(session, actor, coop, election, votes)
    election_result.close_election(session, actor, coop, election, now=now + dt.timedelta(minutes=25))


def _link_resolutions(session, coop: Coop, budget_motion, dues_motion, year: int) -> None:
    """The budget and the ordinary dues cite the resolutions that approved them."""
    from meetings.models import Resolution
    by_motion = {r.motion_id: r for r in session.scalars(sa.select(Resolution).where(Resolution.coop_id == coop.id))}
    budget = session.scalar(sa.select(Budget).where(Budget.coop_id == coop.id, Budget.year == year))
    if budget is not None and budget_motion.id in by_motion:
        budget.resolution_id = by_motion[budget_motion.id].id
    plan = session.scalar(sa.select(DuesPlan).where(DuesPlan.coop_id == coop.id, DuesPlan.name == "Cuota ordinaria"))
    if plan is not None and dues_motion.id in by_motion:
        plan.resolution_id = by_motion[dues_motion.id].id
    session.flush()


def _minutes_notes(session, actor, coop, meeting: Meeting, members: list[Member]) -> None:
    notes = {
        meeting.items[0].id: "Se constató el quórum en segunda convocatoria y se instaló la asamblea.",
        meeting.items[1].id: "La presidenta leyó el informe; hubo preguntas sobre el muro de gaviones y el agua.",
        meeting.items[2].id: "El tesorero explicó cada rubro; se pidió detallar los gastos de la escuela.",
        meeting.items[3].id: "Se debatió el monto; varios socios pidieron que un dólar vaya al fondo de construcción.",
        meeting.items[4].id: "Se pidió a la comisión de construcción un presupuesto antes de decidir.",
        meeting.items[5].id: "Votación en papeletas contadas en la mesa por dos escrutadores.",
        meeting.items[6].id: "La secretaria leyó el resultado de los apoyos y de las asambleas de bloque; hubo "
                             "preguntas sobre la cancha del bloque B, que no alcanzó en el monto.",
        meeting.items[7].id: "Se recordó la Minga de la quebrada del próximo sábado.",
    }
    minutes.save_notes(session, actor, coop, meeting, minutes.NotesData(
        opening_notes="Presidió la presidenta del consejo de administración; actuó de secretaria la secretaria de la "
                      "cooperativa.", chair_number=members[0].number, secretary_number=members[5].number,
        item_notes=notes))


def _board_meeting(session, actor, coop: Coop, day: dt.date, assembly: Meeting, members: list[Member]) -> Meeting:
    meeting = create_meeting(session, actor, coop, MeetingData(
        kind=MeetingKind.BOARD.value, title="Sesión ordinaria del consejo de administración", day=day,
        first_time=dt.time(19), place="Oficina de la cooperativa"), now=_at(coop, day - dt.timedelta(days=10), 10))
    _agenda(session, actor, coop, meeting, [("Aprobación del acta de la asamblea general", ""),
                                            ("Plan de la Minga de construcción", "")])
    notice.issue_notice(session, actor, coop, meeting, now=_at(coop, day - dt.timedelta(days=9), 10))
    for entry in session.scalars(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id)):
        sitting.check_in(session, actor, coop, meeting, entry.id, now=_at(coop, day, 18, 50))
    sitting.open_meeting(session, actor, coop, meeting, Call.FIRST, now=_at(coop, day, 19, 2))
    sitting.close_meeting(session, actor, coop, meeting, now=_at(coop, day, 20, 30))
    president, secretary = members[0], members[5]
    minutes.approve_minutes(session, actor, coop, assembly, minutes.Approval(
        president_name=f"{president.given_names} {president.family_names}",
        secretary_name=f"{secretary.given_names} {secretary.family_names}", at_meeting=meeting), today=day)
    return meeting


def _coming_assembly(session, actor, coop: Coop, today: dt.date) -> Meeting:
    day = _saturday_before(today + dt.timedelta(days=16))
    meeting = create_meeting(session, actor, coop, MeetingData(
        kind=MeetingKind.ORDINARY.value, title=_ordinary_title(day), day=day,
        first_time=dt.time(9), second_time=dt.time(10), place="Casa comunal, calle Los Andes y pasaje 3",
        attendance_note="Socios activos; vota quien no tenga más de tres meses de aportes en mora."),
        now=_at(coop, today - dt.timedelta(days=5), 10))
    items = _agenda(session, actor, coop, meeting, [
        ("Constatación del quórum e instalación", ""),
        ("Lectura del acta anterior", ""),
        ("Informe del consejo de administración", "Informe de gestión y avance de la segunda etapa."),
        ("Informe del consejo de vigilancia", ""),
        ("Casa comunal: propuesta de la comisión de construcción", "Presupuesto y planos de las dos aulas."),
        ("Varios", "")])
    agenda.add_document(session, actor, coop, meeting, items[4], "Presupuesto de las dos aulas",
                        "presupuesto-aulas.pdf", _tiny_pdf())
    notice.issue_notice(session, actor, coop, meeting, now=_at(coop, today - dt.timedelta(days=2), 10))
    return meeting


def _tiny_pdf() -> bytes:
    """A one-page PDF written by hand (the demo's attachment; no template needed)."""
    text = "Casa comunal: dos aulas. Materiales 18.400 USD; mano de obra: Minga de construccion, 1.200 horas."
    stream = f"BT /F1 12 Tf 50 780 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _block_assembly_now(session, actor, coop: Coop, rng: random.Random) -> Meeting:
    """Block B's assembly, opened on its first call forty minutes ago, its secret ballot open."""
    local = utc_to_local(coop, utcnow()) - dt.timedelta(minutes=40)
    start = local.replace(minute=local.minute - local.minute % 5, second=0, microsecond=0)
    began = local_to_utc(coop, start)
    meeting = create_meeting(session, actor, coop, MeetingData(
        kind=MeetingKind.BLOCK.value, title="Asamblea del bloque B", day=start.date(), first_time=start.time(),
        block="B", place="Cancha del bloque B", attendance_note="Socios con vivienda o lote en el bloque B."),
        now=began - dt.timedelta(days=11))
    stairs, instructions = _agenda(session, actor, coop, meeting, [
        ("Gradas del bloque B", "Pedir a la asamblea general el arreglo de las gradas entre los pasajes 2 y 3."),
        ("Instrucciones a los representantes", "Qué votarán los representantes del bloque en la asamblea general.")])
    notice.issue_notice(session, actor, coop, meeting, now=began - dt.timedelta(days=10))
    entries = list(session.scalars(sa.select(RollEntry).where(RollEntry.meeting_id == meeting.id,
                                                              RollEntry.may_vote.is_(True)).order_by(RollEntry.number)))
    socia = next(email for role, _name, email in DEMO_PEOPLE if role is Role.MEMBER)
    member_id = session.scalar(sa.select(Member.id).where(Member.coop_id == coop.id,
                                                          Member.user_id == auth.user_by_email(session, socia).id))
    coming = [e for e in entries if e.member_id == member_id or rng.random() < 0.7]
    for n, entry in enumerate(coming):
        sitting.check_in(session, actor, coop, meeting, entry.id, now=began - dt.timedelta(minutes=15) + dt.timedelta(
            seconds=15 * n))
    sitting.open_meeting(session, actor, coop, meeting, Call.FIRST, now=began + dt.timedelta(minutes=3))
    sitting.set_current_item(session, meeting, stairs.id)
    asked = _motion(session, actor, coop, stairs, "Pedir el arreglo de las gradas",
                    "El bloque B pide a la asamblea general incluir el arreglo de las gradas en el presupuesto del "
                    "próximo año, con la Minga de construcción.", coming, began + dt.timedelta(minutes=10))
    voting.open_round(session, actor, coop, asked, VotingMode.SECRET, now=began + dt.timedelta(minutes=25))
    _motion(session, actor, coop, instructions, "Votar a favor de la casa comunal",
            "Los representantes del bloque B votarán a favor de ampliar la casa comunal.", coming[2:],
            began + dt.timedelta(minutes=30))
    return meeting


@demo_loader
def load_meetings(session: so.Session, coop: Coop) -> None:
    """A year of assemblies (after the books and Minga, whose arrears and hours the roll reads)."""
    rng = random.Random(SEED)
    today = today_in(coop)
    actor = _secretary(session)
    rules = rules_of(session, coop)
    update_rules(session, actor, coop, RulesData(
        notice_days=rules.notice_days, first_call_quorum_pct=rules.first_call_quorum_pct,
        second_call_quorum_pct=rules.second_call_quorum_pct, quorum_is_more_than=rules.quorum_is_more_than,
        arrears_months_limit=3, minga_shortfall_excludes=False, proxies_allowed=True, max_proxies_per_holder=1,
        chair_has_casting_vote=True, abstentions_count=False, assembly_form=rules.assembly_form.value,
        election_tie_rule=rules.election_tie_rule.value))
    members = _active(session, coop)
    assembly_day = _saturday_before(today - dt.timedelta(days=300))
    positions = _positions(session, actor, coop, members, assembly_day - dt.timedelta(days=400))
    assembly = _last_years_assembly(session, actor, coop, assembly_day, rng, positions, today.year - 1)
    _minutes_notes(session, actor, coop, assembly, members)
    _board_meeting(session, actor, coop, assembly_day + dt.timedelta(days=31), assembly, members)
    _coming_assembly(session, actor, coop, today)
    _block_assembly_now(session, actor, coop, rng)
