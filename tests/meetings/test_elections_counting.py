"""The count of an election: seats, then alternates, in order of votes; ties where they matter."""
from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from meetings import counting
from meetings.counting import Tie, after_runoff, ballot_problem, first_round, place, totals_problem


def test_the_most_voted_take_the_seats_and_the_next_the_alternates():
    result = first_round({"ana": 40, "luis": 35, "rosa": 20, "juan": 5}, seats=2, alternates=1)
    assert result.elected == ("ana", "luis")
    assert result.alternates == ("rosa",)
    assert result.is_complete


def test_nobody_takes_a_place_without_votes():
    result = first_round({"ana": 3, "luis": 0}, seats=2, alternates=1)
    assert result.places == ("ana",) and result.is_complete


def test_a_tie_for_the_last_seat_stops_the_count():
    result = first_round({"ana": 40, "luis": 30, "rosa": 30, "juan": 10}, seats=2, alternates=0)
    assert result.places == ("ana",)
    assert result.tie == Tie(("luis", "rosa"), 1, for_seat=True)


def test_a_tie_inside_the_seats_decides_nothing():
    result = first_round({"ana": 30, "luis": 30, "rosa": 10}, seats=2, alternates=0)
    assert set(result.elected) == {"ana", "luis"} and result.is_complete


def test_a_tie_across_seat_and_alternate_decides_who_sits():
    result = first_round({"ana": 30, "luis": 30}, seats=1, alternates=1)
    assert result.tie == Tie(("ana", "luis"), 1, for_seat=True)


def test_a_tie_for_the_last_alternate_place_stops_the_count_there():
    result = first_round({"ana": 50, "luis": 20, "rosa": 20}, seats=1, alternates=1)
    assert result.places == ("ana",)
    assert result.tie == Tie(("luis", "rosa"), 1, for_seat=False)


def test_a_tie_below_the_last_place_is_left_alone():
    result = first_round({"ana": 50, "luis": 40, "rosa": 10, "juan": 10}, seats=1, alternates=1)
    assert result.places == ("ana", "luis") and result.is_complete


def test_after_a_runoff_the_tied_come_before_those_with_fewer_first_round_votes():
    # seat 1 went to ana; luis, rosa and juan tied at 30 for one seat, pedro had 25
    result = after_runoff(["ana"], {"luis": 4, "rosa": 9, "juan": 1}, {"pedro": 25}, seats=2, alternates=2)
    assert result.places == ("ana", "rosa", "luis", "juan") and result.is_complete


def test_a_runoff_that_ties_again_is_a_tie_among_the_same_candidates():
    result = after_runoff(["ana"], {"luis": 5, "rosa": 5}, {"pedro": 25}, seats=2, alternates=0)
    assert result.tie == Tie(("luis", "rosa"), 1, for_seat=True)


def test_the_lot_orders_only_the_tied():
    tie = Tie(("luis", "rosa", "juan"), 1, for_seat=True)
    drawn = counting.draw_lots(tie, random.Random(7))
    assert sorted(drawn) == ["juan", "luis", "rosa"]


def test_a_ballot_may_choose_up_to_n_distinct_candidates_or_none():
    assert ballot_problem([1, 2], [1, 2, 3], 2) is None
    assert ballot_problem([], [1, 2, 3], 2) is None
    assert ballot_problem([1, 2, 3], [1, 2, 3], 2) == "over"
    assert ballot_problem([1, 1], [1, 2, 3], 2) == "twice"
    assert ballot_problem([9], [1, 2, 3], 2) == "unknown"


def test_paper_totals_cannot_exceed_what_the_voters_could_mark():
    assert totals_problem({1: 10, 2: 10}, voters=10, max_choices=2) is None
    assert totals_problem({1: 11, 2: 0}, voters=10, max_choices=2) == "over_voters"
    assert totals_problem({1: 10, 2: 10, 3: 1}, voters=10, max_choices=2) == "over_ballots"
    assert totals_problem({1: -1}, voters=10, max_choices=2) == "negative"


votes_st = st.dictionaries(st.integers(1, 40), st.integers(0, 12), max_size=12)


@given(votes_st, st.integers(1, 5), st.integers(0, 4))
def test_places_never_exceed_the_seats_and_alternates_and_follow_the_votes(votes, seats, alternates):
    result = first_round(votes, seats, alternates)
    assert len(result.places) <= seats + alternates
    assert len(set(result.places)) == len(result.places)
    assert all(votes[c] > 0 for c in result.places)
    unplaced = [c for c in votes if c not in result.places]
    for c in result.places:
        assert all(votes[c] >= votes[o] for o in unplaced)
    # everyone strictly better than a placed candidate is placed too
    for c in result.places:
        assert all(o in result.places for o in votes if votes[o] > votes[c])


@given(votes_st, st.integers(1, 5), st.integers(0, 4))
def test_a_tie_is_reported_exactly_when_equal_votes_straddle_a_boundary(votes, seats, alternates):
    result = first_round(votes, seats, alternates)
    total = seats + alternates
    if result.tie is None:
        placed = len(result.places)
        voted = sorted((v for v in votes.values() if v > 0), reverse=True)
        assert placed == min(total, len(voted))
        for boundary in {seats, total}:
            if 0 < boundary < len(voted):
                assert voted[boundary - 1] != voted[boundary]
    else:
        tied = result.tie.candidates
        assert len({votes[c] for c in tied}) == 1
        assert 0 < result.tie.places < len(tied)
        boundary = seats if result.tie.for_seat else total
        assert len(result.places) + result.tie.places == boundary
        assert all(votes[c] > votes[tied[0]] for c in result.places)


@given(votes_st, st.integers(1, 5), st.integers(0, 4), st.randoms(use_true_random=False))
def test_drawing_lots_until_done_always_fills_the_places(votes, seats, alternates, rng):
    standings = {c: (v,) for c, v in votes.items() if v > 0}
    result = place(standings, seats, alternates)
    while result.tie is not None:
        order = counting.draw_lots(result.tie, rng)
        placed = list(result.places) + order
        rest = {c: s for c, s in standings.items() if c not in placed}
        result = place(rest, seats, alternates, placed)
    assert len(result.places) == min(seats + alternates, len(standings))
    assert len(set(result.places)) == len(result.places)
