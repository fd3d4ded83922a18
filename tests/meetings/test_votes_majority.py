"""The majority rules at their boundaries, and for any totals Hypothesis can think of: a motion is
carried exactly when its votes in favour reach what the rule requires, and one vote fewer never
carries it."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings.majority import Tally, decide, is_tie, required_for
from meetings.models import Choice, MajorityRule

LOCK = {"abstentions_count": False, "present_voters": 100, "roll_voters": 150}


def carried(rule, yes, no, abstain=0, **lock) -> bool:
    return decide(rule, Tally(yes, no, abstain), **{**LOCK, **lock}).is_carried


# --- simple majority -------------------------------------------------------------------------------

def test_simple_majority_needs_one_more_in_favour_than_against():
    assert carried(MajorityRule.SIMPLE, 51, 50)
    assert not carried(MajorityRule.SIMPLE, 50, 50)
    assert not carried(MajorityRule.SIMPLE, 49, 50)


def test_abstentions_that_do_not_count_leave_a_simple_majority_alone():
    assert carried(MajorityRule.SIMPLE, 10, 9, 80)


def test_abstentions_that_count_weigh_like_votes_against():
    assert not carried(MajorityRule.SIMPLE, 10, 9, 80, abstentions_count=True)
    assert carried(MajorityRule.SIMPLE, 90, 9, 80, abstentions_count=True)
    assert not carried(MajorityRule.SIMPLE, 89, 9, 80, abstentions_count=True)  # 89 = 9 + 80: a tie


def test_a_tie_is_lost_unless_the_chair_casts_in_favour():
    tally = Tally(40, 40, 5)
    assert is_tie(MajorityRule.SIMPLE, tally, abstentions_count=False)
    assert not decide(MajorityRule.SIMPLE, tally, **LOCK).is_carried
    yes = decide(MajorityRule.SIMPLE, tally, **LOCK, casting_vote=Choice.YES)
    assert (yes.is_carried, yes.is_tie, yes.casting_vote) == (True, True, Choice.YES)
    assert not decide(MajorityRule.SIMPLE, tally, **LOCK, casting_vote=Choice.NO).is_carried


def test_a_casting_vote_is_ignored_when_there_is_no_tie():
    outcome = decide(MajorityRule.SIMPLE, Tally(30, 40), **LOCK, casting_vote=Choice.YES)
    assert (outcome.is_carried, outcome.casting_vote) == (False, None)


def test_nobody_voting_carries_nothing_and_is_no_tie():
    assert not is_tie(MajorityRule.SIMPLE, Tally(0, 0, 3), abstentions_count=False)
    for rule in MajorityRule:
        assert not carried(rule, 0, 0, 3, present_voters=0, roll_voters=0), rule


# --- absolute majority of those present -------------------------------------------------------------

@pytest.mark.parametrize(("present", "needed"), [(100, 51), (101, 51), (1, 1), (2, 2), (377, 189)])
def test_absolute_majority_is_more_than_half_of_those_present(present, needed):
    assert required_for(MajorityRule.ABSOLUTE_PRESENT, Tally(0, 0), abstentions_count=False,
                        present_voters=present, roll_voters=500) == needed
    assert carried(MajorityRule.ABSOLUTE_PRESENT, needed, 0, present_voters=present)
    assert not carried(MajorityRule.ABSOLUTE_PRESENT, needed - 1, 0, present_voters=present)


def test_those_present_who_do_not_vote_count_against_an_absolute_majority():
    assert not carried(MajorityRule.ABSOLUTE_PRESENT, 50, 10, present_voters=100)


# --- two thirds -----------------------------------------------------------------------------------

def test_the_issues_example_two_thirds_of_the_votes_cast():
    tally = Tally(312, 45, 20)
    outcome = decide(MajorityRule.TWO_THIRDS_CAST, tally, abstentions_count=True, present_voters=400, roll_voters=500)
    assert (outcome.is_carried, outcome.required) == (True, 252)


@pytest.mark.parametrize(("yes", "no", "is_carried"), [(20, 10, True), (19, 10, False), (2, 1, True), (1, 1, False)])
def test_two_thirds_of_the_votes_cast_at_the_boundary(yes, no, is_carried):
    assert carried(MajorityRule.TWO_THIRDS_CAST, yes, no) is is_carried


def test_two_thirds_of_the_members_counts_the_roll_not_the_hall():
    assert carried(MajorityRule.TWO_THIRDS_MEMBERS, 100, 0, roll_voters=150)
    assert not carried(MajorityRule.TWO_THIRDS_MEMBERS, 99, 0, roll_voters=150)
    assert carried(MajorityRule.TWO_THIRDS_MEMBERS, 67, 0, roll_voters=100)  # 66.67 rounded up
    assert not carried(MajorityRule.TWO_THIRDS_MEMBERS, 66, 0, roll_voters=100)


# --- unanimity --------------------------------------------------------------------------------------

def test_unanimity_falls_to_one_vote_against():
    assert carried(MajorityRule.UNANIMITY, 80, 0, 5)
    assert not carried(MajorityRule.UNANIMITY, 80, 1)


def test_unanimity_falls_to_an_abstention_when_abstentions_count():
    assert not carried(MajorityRule.UNANIMITY, 80, 0, 1, abstentions_count=True)
    assert required_for(MajorityRule.UNANIMITY, Tally(80, 0, 1), abstentions_count=True, present_voters=81,
                        roll_voters=100) == 81


# --- every rule, any totals -----------------------------------------------------------------------

totals = st.integers(min_value=0, max_value=2000)


@given(rule=st.sampled_from(list(MajorityRule)), yes=totals, no=totals, abstain=totals,
       abstentions_count=st.booleans(), extra_present=totals, extra_roll=totals)
def test_carried_exactly_when_the_votes_in_favour_reach_the_requirement(rule, yes, no, abstain, abstentions_count,
                                                                        extra_present, extra_roll):
    tally = Tally(yes, no, abstain)
    present = tally.total + extra_present
    lock = {"abstentions_count": abstentions_count, "present_voters": present, "roll_voters": present + extra_roll}
    outcome = decide(rule, tally, **lock)
    if outcome.is_tie:
        assert not outcome.is_carried and rule == MajorityRule.SIMPLE and yes == outcome.required - 1
    else:
        assert outcome.is_carried == (yes >= outcome.required)
    assert outcome.required >= 1


@given(rule=st.sampled_from(list(MajorityRule)), yes=totals, no=totals, abstain=totals,
       abstentions_count=st.booleans())
def test_more_votes_in_favour_never_lose_what_fewer_won(rule, yes, no, abstain, abstentions_count):
    lock = {"abstentions_count": abstentions_count, "present_voters": 3 * 2001, "roll_voters": 3 * 2001}
    if decide(rule, Tally(yes, no, abstain), **lock).is_carried:
        assert decide(rule, Tally(yes + 1, no, abstain), **lock).is_carried


@given(rule=st.sampled_from(list(MajorityRule)), yes=totals, no=totals, abstain=totals)
def test_counting_abstentions_never_helps_a_motion(rule, yes, no, abstain):
    lock = {"present_voters": 6003, "roll_voters": 6003}
    if decide(rule, Tally(yes, no, abstain), abstentions_count=True, **lock).is_carried:
        assert decide(rule, Tally(yes, no, abstain), abstentions_count=False, **lock).is_carried


@given(yes=totals, no=totals)
def test_a_simple_majority_is_a_tie_only_when_the_sides_stand_equal(yes, no):
    assert is_tie(MajorityRule.SIMPLE, Tally(yes, no), abstentions_count=False) == (yes == no and yes > 0)
