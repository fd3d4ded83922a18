"""What the record's tests build directly: a held assembly with its record (roll, quorum at the
opening, agenda, motions with versions and closed votes, an amendment, an election) and
resolutions, made as rows, not through the motions', votes' or elections' services (written at
the same time by others), so these tests read only what those services would have left."""
from __future__ import annotations

import datetime as dt

from coop import calendar
from meetings.models import (
    AgendaItem, Call, Candidate, Election, ElectionStatus, MajorityRule, Meeting, MeetingKind, MeetingStatus, Motion,
    MotionStatus, MotionVersion, Position, PositionBody, QuorumEvent, RollEntry, RoundStatus, VoteRound,
    VotingMode)
from meetings.resolutions import adopt_resolution
from tests.meetings.conftest import ASSEMBLY_DAY


def local(coop, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return calendar.local_to_utc(coop, dt.datetime.combine(day, dt.time(hour, minute)))


def resolve(db, coop, meeting, title: str, text: str = "", *, on: dt.date = ASSEMBLY_DAY, **links):
    """A resolution of ``meeting`` adopted now (committed)."""
    db.rollback()
    resolution = adopt_resolution(db, db.merge(coop), db.merge(meeting), title=title, text=text or title,
                                  decided_on=on, **links)
    db.commit()
    return resolution


def _motion(db, meeting, item, title: str, text: str, *, proposer=None, amends=None,
            status=MotionStatus.CARRIED) -> Motion:
    motion = Motion(coop_id=meeting.coop_id, meeting_id=meeting.id, item_id=item.id, title=title, status=status,
                    proposer_id=proposer.id if proposer else None, amends_id=amends.id if amends else None,
                    majority=MajorityRule.SIMPLE)
    db.add(motion)
    db.flush()
    db.add(MotionVersion(coop_id=meeting.coop_id, motion_id=motion.id, number=1, text=text))
    db.flush()
    return motion


def _closed_round(db, meeting, motion, *, yes: int, no: int, abstain: int, outcome: str, carried=True) -> VoteRound:
    vote_round = VoteRound(coop_id=meeting.coop_id, meeting_id=meeting.id, motion_id=motion.id, mode=VotingMode.HANDS,
                           status=RoundStatus.CLOSED, majority=MajorityRule.SIMPLE, abstentions_count=False,
                           version_id=motion.versions[-1].id, roll_voters=20, present_voters=yes + no + abstain,
                           yes_count=yes, no_count=no, abstain_count=abstain, is_carried=carried,
                           required=(yes + no) // 2 + 1, outcome_text=outcome,
                           opened_dt=meeting.opened_dt, closed_dt=meeting.opened_dt + dt.timedelta(minutes=30))
    db.add(vote_round)
    db.flush()
    return vote_round


def held_assembly(db, coop, members, *, items: int = 3, title: str = "Asamblea general ordinaria 2027",
                  day: dt.date = ASSEMBLY_DAY) -> Meeting:
    """A closed ordinary assembly on ``day``: ``members`` on the roll (all but two present), quorum
    reached at the opening on the first call, ``items`` agenda items each with a carried motion and
    its resolution, an amendment on the first, and an election of the board on the last."""
    db.rollback()
    coop = db.merge(coop)
    members = [db.merge(m) for m in members]
    meeting = Meeting(coop_id=coop.id, kind=MeetingKind.ORDINARY, title=title, place="Casa comunal",
                      first_call_dt=local(coop, day, 9), second_call_dt=local(coop, day, 10),
                      status=MeetingStatus.CLOSED, call=Call.FIRST, opened_dt=local(coop, day, 9, 5),
                      closed_dt=local(coop, day, 13, 40), notice_issued_dt=local(coop, day - dt.timedelta(days=5), 8),
                      late_notice_reason="La fecha de la asamblea se fijó tarde por la minga de la escuela.",
                      chair_member_id=members[0].id, secretary_member_id=members[1].id, has_quorum=True)
    db.add(meeting)
    db.flush()
    for n, member in enumerate(members):
        db.add(RollEntry(coop_id=coop.id, meeting_id=meeting.id, member_id=member.id, number=member.number,
                         name=member.full_name, is_present=n < len(members) - 2))
    db.add(QuorumEvent(coop_id=coop.id, meeting_id=meeting.id, is_reached=True, call=Call.FIRST,
                       present=len(members) - 2, represented=1, required=len(members) // 2 + 1,
                       at_dt=local(coop, day, 9, 4)))
    agenda = [AgendaItem(coop_id=coop.id, meeting_id=meeting.id, position=n + 1, title=f"Punto {n + 1}",
                         minutes_notes="") for n in range(items)]
    db.add_all(agenda)
    db.flush()
    motions = []
    for n, item in enumerate(agenda):
        motion = _motion(db, meeting, item, f"Moción del punto {n + 1}", f"Se resuelve el punto {n + 1}.",
                         proposer=members[n % len(members)])
        outcome = f"Aprobada: {15 - n} a favor, {n} en contra, 1 abstenciones; se requerían {8}."
        vote_round = _closed_round(db, meeting, motion, yes=15 - n, no=n, abstain=1, outcome=outcome)
        adopt_resolution(db, coop, meeting, title=f"Resolución del punto {n + 1}", text=motion.text,
                         decided_on=day, outcome_text=outcome, motion_id=motion.id, round_id=vote_round.id)
        motions.append(motion)
    amendment = _motion(db, meeting, agenda[0], "Enmienda al punto 1", "Añadir: con informe trimestral.",
                        amends=motions[0])
    _closed_round(db, meeting, amendment, yes=12, no=3, abstain=0, outcome="Aprobada: 12 a favor, 3 en contra.")
    _election(db, coop, meeting, agenda[-1], members)
    db.commit()
    return meeting


def _election(db, coop, meeting, item, members) -> Election:
    position = Position(coop_id=coop.id, name="Consejo de administración", body=PositionBody.BOARD, seats=2)
    db.add(position)
    db.flush()
    election = Election(coop_id=coop.id, meeting_id=meeting.id, item_id=item.id, position_id=position.id, seats=2,
                        max_choices=2, status=ElectionStatus.DECIDED, term_starts_on=ASSEMBLY_DAY,
                        term_ends_on=ASSEMBLY_DAY + dt.timedelta(days=730))
    db.add(election)
    db.flush()
    for rank, (member, votes) in enumerate(zip(members[:3], (14, 11, 6), strict=False), start=1):
        db.add(Candidate(coop_id=coop.id, election_id=election.id, member_id=member.id, votes=votes,
                         elected_rank=rank if rank <= 2 else None))
    db.flush()
    return election


def later_meeting(db, coop, *, day: dt.date = ASSEMBLY_DAY + dt.timedelta(days=60),
                  status=MeetingStatus.CLOSED, title: str = "Consejo de administración, sesión 12") -> Meeting:
    db.rollback()
    coop = db.merge(coop)
    meeting = Meeting(coop_id=coop.id, kind=MeetingKind.BOARD, title=title, place="Oficina",
                      first_call_dt=local(coop, day, 19), status=status, opened_dt=local(coop, day, 19, 10))
    db.add(meeting)
    db.commit()
    return meeting
