"""An election on paper: the ballots the secretary prints for a round (identical, several to a sheet),
the count record (acta de escrutinio) of the decided election with its signature lines, and the
register of offices as the offices page filters it."""
from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from pypdf import PdfReader

from coop import tasks
from coop.errors import DomainError
from meetings import election_result, elections, offices, printing_elections
from meetings.models import Call, MeetingStatus, PositionBody, VotingMode
from tests.meetings.conftest import NOW, refusal
from tests.meetings.test_elections import LATER, _election, _paper, _secret

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def sitting(db, assembly_coop, make_meeting, make_roll, make_members):
    """An assembly in session: twelve voters on the roll, nine present; Ana chairs, Luis is secretary."""
    members = make_members(assembly_coop, 12)
    meeting = make_meeting(assembly_coop, status=MeetingStatus.IN_SESSION, call=Call.FIRST,
                           title="Asamblea general ordinaria 2027", chair_member_id=members[10].id,
                           secretary_member_id=members[11].id)
    roll = make_roll(meeting, members[:9], present=True) + make_roll(meeting, members[9:])
    return meeting, members, roll


def flat(text: str) -> str:
    """Text without its spaces: pypdf splits some words ("T oapanta") and narrow cells wrap."""
    return "".join(text.split())


def read(pdf: bytes) -> tuple[str, list[str]]:
    """The whole text and each page's text, without spaces."""
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    return "".join(pages), pages


def says(text: str, *phrases: str) -> bool:
    return all(flat(phrase) in text for phrase in phrases)


def in_order(text: str, *phrases: str) -> bool:
    at = [text.index(flat(phrase)) for phrase in phrases]
    return at == sorted(at)


def _ballots(db, coop, election, count: int) -> bytes:
    task = printing_elections.request_ballots(db, coop, None, election, count, locale="en")
    return printing_elections.render_ballots(db, coop, task.params, lambda done, total: None)


def _count_record(db, coop, election) -> str:
    task = printing_elections.request_count_record(db, coop, None, election, locale="en")
    return read(printing_elections.render_count_record(db, coop, task.params, lambda done, total: None))[0]


def _paper_round(db, coop, meeting, board, candidates, **fields):
    election = _election(db, coop, meeting, board, candidates, **fields)
    elections.open_election(db, None, coop, election, mode=VotingMode.HANDS, now=NOW)
    db.commit()
    return election


def test_paper_ballots_name_the_office_and_list_the_candidates_as_the_page_does(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = _paper_round(db, assembly_coop, meeting, board, members[:3])
    round_ = printing_elections.ballots_round(db, election)
    assert printing_elections.default_ballots(round_) == 9  # the voters present or represented
    text, pages = read(_ballots(db, assembly_coop, election, 9))
    assert len(pages) == 2  # six ballots of three candidates to a sheet
    first = pages[0]
    assert first.count(flat("Consejo de administración")) == 6 and first.count(flat(assembly_coop.name)) == 6
    assert says(text, "Asamblea general ordinaria 2027 · March 13, 2027", "Ballot · 2 seats · 1 alternate",
                "Mark up to 2 people with an X.")
    page_order = [c.member.full_name for c in sorted(
        election.candidates, key=lambda c: (c.member.family_names, c.member.given_names))]
    assert in_order(first.split(flat("Mark up to 2 people with an X."))[1], *page_order)
    assert "Page" not in text  # nothing tells one sheet from another


@pytest.mark.parametrize(("candidates", "count", "pages"), [(3, 1, 1), (3, 6, 1), (3, 7, 2), (6, 9, 3), (10, 5, 3)])
def test_n_ballots_take_the_sheets_they_need(db, assembly_coop, board, sitting, candidates, count, pages):
    meeting, members, _ = sitting
    election = _paper_round(db, assembly_coop, meeting, board, members[:candidates])
    text, printed = read(_ballots(db, assembly_coop, election, count))
    assert len(printed) == pages
    assert text.count(flat("Mark up to 2 people with an X.")) == count


def test_ballots_are_printed_only_for_an_open_round_on_paper_and_within_the_roll(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    draft = _election(db, assembly_coop, meeting, board, members[:3])
    assert "while a round on paper is open" in refusal(_ballots, db, assembly_coop, draft, 5)[None]
    election, _ids = _secret(db, assembly_coop, meeting, board, members[3:6])
    assert "while a round on paper is open" in refusal(_ballots, db, assembly_coop, election, 5)[None]
    elections.open_election(db, None, assembly_coop, draft, mode=VotingMode.HANDS, now=NOW)
    most = printing_elections.most_ballots(printing_elections.ballots_round(db, draft))
    assert most == 12 + 10  # the voters on the roll and ten spares
    for count in (0, most + 1, None):
        assert "Print between 1 and 22 ballots" in refusal(_ballots, db, assembly_coop, draft, count)["count"]


def test_a_runoffs_ballot_lists_only_the_tied(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = _election(db, assembly_coop, meeting, board, members[:4], alternates=0)
    _paper(db, assembly_coop, election, {members[0]: 7, members[1]: 4, members[2]: 4, members[3]: 1})
    assert printing_elections.ballots_round(db, election) is None  # counted: a tie to settle
    election_result.settle_tie(db, None, assembly_coop, election, mode=VotingMode.HANDS, now=LATER)
    text, _pages = read(_ballots(db, assembly_coop, election, 1))
    assert says(text, "Ballot · Runoff, round 2", "Mark up to 1 person with an X.")
    assert says(text, members[1].full_name, members[2].full_name)
    assert not says(text, members[0].full_name) and not says(text, members[3].full_name)


def test_a_closed_round_prints_no_ballots_even_when_asked_before(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = _paper_round(db, assembly_coop, meeting, board, members[:3])
    task = printing_elections.request_ballots(db, assembly_coop, None, election, 3, locale="en")
    by_member = {c.member_id: c.id for c in election.candidates}
    elections.enter_totals(db, None, assembly_coop, election, {by_member[m.id]: 3 - n for n, m in enumerate(members[:3])})
    election_result.close_election(db, None, assembly_coop, election, now=LATER)
    with pytest.raises(tasks.TaskFailed, match="no longer open"):
        printing_elections.render_ballots(db, assembly_coop, task.params, lambda done, total: None)


def test_the_count_record_says_the_count_the_places_and_has_signature_lines(db, assembly_coop, board, sitting):
    meeting, members, _ = sitting
    election = _election(db, assembly_coop, meeting, board, members[:4])
    assert "once the election is decided" in refusal(_count_record, db, assembly_coop, election)[None]
    _paper(db, assembly_coop, election, {members[0]: 7, members[1]: 5, members[2]: 3, members[3]: 1})
    text = _count_record(db, assembly_coop, election)
    assert says(text, "Count record: Consejo de administración", "Asamblea general ordinaria 2027 · March 13, 2027",
                "2 seats · 1 alternate", "Term: March 13, 2027 to March 12, 2029",
                "9 voters present or represented (12 voters on the roll)",
                "Ballots cast: Blank ballots: Void ballots:")  # a paper round's: filled in by hand
    rows = [f"{m.number} {m.full_name} {votes}" for m, votes in zip(members[:4], (7, 5, 3, 1), strict=True)]
    assert says(text, *rows) and in_order(text, *rows)  # most votes first
    assert says(text, f"{members[0].full_name} 7 Elected", f"{members[2].full_name} 3 Alternate 1",
                f"Elected to the seats: {members[0].full_name}, {members[1].full_name}.",
                f"Alternates, in order: {members[2].full_name}.", "Recorded as resolution 2027-001",
                f"{members[10].full_name} President {members[11].full_name} Secretary")


def test_the_count_record_carries_a_secret_rounds_ballots_and_the_lot_drawn(db, assembly_coop, board, sitting):
    from meetings import election_ballots
    from meetings.models import TieRule
    from meetings.rules import rules_of

    meeting, members, roll = sitting
    rules_of(db, assembly_coop).election_tie_rule = TieRule.LOT
    election, ids = _secret(db, assembly_coop, meeting, board, members[:3], seats=1, alternates=0, max_choices=1)
    for voter, chosen in ((roll[0], [ids[members[0].id]]), (roll[1], [ids[members[1].id]]), (roll[2], [])):
        election_ballots.cast_ballot(db, assembly_coop, election, voter.member, voter_id=voter.id,
                                     candidate_ids=chosen, now=NOW)
    election_result.close_election(db, None, assembly_coop, election, now=LATER)
    election_result.settle_tie(db, None, assembly_coop, election, now=LATER, rng=random.Random(2))
    db.commit()
    text = _count_record(db, assembly_coop, election)
    assert says(text, "Round 1 · Secret ballot on the phone", "Ballots cast: 3; blank: 1; void: none",
                "The tie", election.tie_note)  # the lot drawn, as recorded in the co-op's language
    assert says(text, f"Elected to the seats: {election_result.placed(election)[0].member.full_name}.")


def test_the_register_of_offices_prints_what_the_page_filters(db, assembly_coop, board, make_members):
    ana, luis, rosa = make_members(assembly_coop, 3)
    council = offices.add_position(db, None, assembly_coop, offices.PositionData(
        name="Consejo de vigilancia", body=PositionBody.OVERSIGHT, seats=1))
    for position, member, start, end in ((board, ana, dt.date(2020, 1, 1), dt.date(2021, 12, 31)),
                                         (board, luis, dt.date(2022, 1, 1), dt.date(2023, 12, 31)),
                                         (council, rosa, dt.date(2022, 1, 1), dt.date(2023, 12, 31))):
        offices.record_term(db, None, assembly_coop, position=position, member=db.merge(member), starts_on=start,
                            ends_on=end, note="Acta de la asamblea de 2019")
    offices.end_term(db, None, assembly_coop, offices.register(db, assembly_coop).terms[-1], left_on=dt.date(2021, 6, 1),
                     reason="Renuncia")
    db.commit()

    def printed(**filters) -> str:
        task = printing_elections.request_offices_register(db, assembly_coop, None, locale="en", **filters)
        return read(printing_elections.render_offices_register(db, assembly_coop, task.params,
                                                               lambda done, total: None))[0]
    everything = printed(position_id=None, on_day=None)
    assert says(everything, "Register of offices", "All offices · 3 terms", "Jun 1, 2021: Renuncia")
    assert in_order(everything, "Consejo de administración", luis.full_name, ana.full_name,  # office by office,
                    "Consejo de vigilancia", rosa.full_name)                                   # latest first
    one_office = printed(position_id=board.id, on_day=None)
    assert says(one_office, "Office: Consejo de administración") and not says(one_office, rosa.full_name)
    on_day = printed(position_id=None, on_day=dt.date(2023, 1, 1))
    assert says(on_day, "In office on January 1, 2023 · 2 terms") and not says(on_day, ana.full_name)


def test_another_coops_election_is_refused_and_its_task_fails(db, assembly_coop, board, sitting, make_coop):
    meeting, members, _ = sitting
    election = _paper_round(db, assembly_coop, meeting, board, members[:2])
    other = make_coop("otra")
    with pytest.raises(DomainError):
        printing_elections.request_ballots(db, other, None, election, 2, locale="en")
    with pytest.raises(tasks.TaskFailed):
        printing_elections.render_ballots(db, other, {"election_id": election.id, "count": 2}, lambda d, t: None)
