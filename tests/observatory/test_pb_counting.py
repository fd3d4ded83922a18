"""Counting the support ballots, pure: funded greedily by supports, a proposal that no longer fits
is skipped and the count goes on, ties as the bylaws say; and properties for any proposals."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.observatory.models import BudgetTieRule, SupportRule
from meetings.observatory.pb_counting import Candidate, ballot_limit, count, draw_lot

CHEAPER, LOT = BudgetTieRule.CHEAPER_FIRST, BudgetTieRule.LOT
KNAPSACK, APPROVAL = SupportRule.KNAPSACK, SupportRule.APPROVAL


def proposals(*rows):
    """(number, cost in whole dollars, supports) → candidates."""
    return [Candidate(id=100 + n, number=n, title=f"P-{n}", cost_minor=cost * 100, supports=s) for n, cost, s in rows]


def funded_numbers(result):
    return [line.candidate.number for line in result.funded]


def test_an_exact_fit_funds_everything_and_leaves_nothing():
    result = count(1_000_000, proposals((1, 6_000, 30), (2, 4_000, 20)), rule=KNAPSACK, tie_rule=CHEAPER)
    assert funded_numbers(result) == [1, 2]
    assert [line.running_minor for line in result.funded] == [600_000, 1_000_000]
    assert result.leftover_minor == 0 and result.not_funded == []


def test_what_does_not_fit_is_left_over():
    result = count(1_000_000, proposals((1, 6_000, 30), (2, 3_650, 20), (3, 5_000, 10)),
                   rule=KNAPSACK, tie_rule=CHEAPER)
    assert funded_numbers(result) == [1, 2]
    assert result.leftover_minor == 35_000
    (skipped,) = result.not_funded
    assert (skipped.candidate.number, skipped.reason, skipped.left_minor) == (3, "did_not_fit", 35_000)


def test_a_big_proposal_that_no_longer_fits_is_skipped_and_smaller_ones_after_it_are_funded():
    result = count(1_000_000, proposals((1, 7_000, 50), (2, 5_000, 40), (3, 2_000, 30), (4, 1_000, 20)),
                   rule=APPROVAL, tie_rule=CHEAPER)
    assert funded_numbers(result) == [1, 3, 4]
    assert [(line.candidate.number, line.left_minor) for line in result.not_funded] == [(2, 300_000)]
    assert result.leftover_minor == 0


def test_a_tie_goes_to_the_cheaper_one_first_under_cheaper_first():
    result = count(1_000_000, proposals((1, 6_000, 20), (2, 5_000, 20)), rule=KNAPSACK, tie_rule=CHEAPER)
    assert funded_numbers(result) == [2]
    assert result.ties == [(2, 1)]


def test_a_tie_at_equal_cost_goes_to_the_lower_number():
    result = count(1_000_000, proposals((2, 6_000, 20), (1, 6_000, 20)), rule=KNAPSACK, tie_rule=CHEAPER)
    assert funded_numbers(result) == [1]


def test_a_tie_by_lot_follows_the_order_drawn_either_way():
    rows = proposals((1, 6_000, 20), (2, 5_000, 20))
    assert funded_numbers(count(1_000_000, rows, rule=KNAPSACK, tie_rule=LOT, drawn=[1, 2])) == [1]
    second = count(1_000_000, rows, rule=KNAPSACK, tie_rule=LOT, drawn=[2, 1])
    assert funded_numbers(second) == [2] and second.ties == [(2, 1)] and not second.is_draw_pending


def test_a_tie_by_lot_before_the_draw_is_shown_in_number_order_and_pending():
    result = count(1_000_000, proposals((2, 6_000, 20), (1, 5_000, 20)), rule=KNAPSACK, tie_rule=LOT)
    assert result.is_draw_pending and funded_numbers(result) == [1]


def test_the_draw_is_a_permutation_of_the_numbers():
    assert sorted(draw_lot([5, 3, 9, 1])) == [1, 3, 5, 9]


def test_without_ballots_nothing_is_funded_and_everything_is_left():
    result = count(1_000_000, proposals((1, 1_000, 0), (2, 2_000, 0)), rule=KNAPSACK, tie_rule=CHEAPER)
    assert result.funded == [] and result.leftover_minor == 1_000_000
    assert {line.reason for line in result.not_funded} == {"no_support"}
    assert result.ties == []


def test_when_all_fit_all_are_funded_most_supported_first():
    result = count(1_000_000, proposals((1, 1_000, 5), (2, 2_000, 9), (3, 3_000, 7)), rule=APPROVAL, tie_rule=CHEAPER)
    assert funded_numbers(result) == [2, 3, 1] and result.leftover_minor == 400_000


def test_the_rule_changes_the_ballots_limit_not_the_count():
    rows = proposals((1, 7_000, 50), (2, 5_000, 40), (3, 2_000, 30))
    assert funded_numbers(count(1_000_000, rows, rule=KNAPSACK, tie_rule=CHEAPER)) == \
        funded_numbers(count(1_000_000, rows, rule=APPROVAL, tie_rule=CHEAPER))
    assert ballot_limit(KNAPSACK, 1_000_000) == 1_000_000
    assert ballot_limit(APPROVAL, 1_000_000) is None


candidates = st.lists(st.tuples(st.integers(1, 500_000), st.integers(0, 60)), max_size=25).map(
    lambda rows: [Candidate(id=n, number=n, title=f"P-{n}", cost_minor=c, supports=s)
                  for n, (c, s) in enumerate(rows, start=1)])


@settings(max_examples=300)
@given(amount=st.integers(1, 2_000_000), rows=candidates, tie_rule=st.sampled_from(list(BudgetTieRule)),
       data=st.data())
def test_any_count_stays_within_the_amount_and_skips_only_what_did_not_fit(amount, rows, tie_rule, data):
    drawn = data.draw(st.permutations([c.number for c in rows]))
    result = count(amount, rows, rule=KNAPSACK, tie_rule=tie_rule, drawn=drawn)
    total = sum(line.candidate.cost_minor for line in result.funded)
    assert total <= amount and result.leftover_minor == amount - total
    assert len(result.funded) + len(result.not_funded) == len(rows)
    least_funded = min((line.candidate.supports for line in result.funded), default=None)
    for line in result.not_funded:
        if least_funded is not None and line.candidate.supports > least_funded:
            assert line.reason == "did_not_fit" and line.candidate.cost_minor > line.left_minor
    supports = [line.candidate.supports for line in result.funded]
    assert supports == sorted(supports, reverse=True)
