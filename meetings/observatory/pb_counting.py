"""Counting a participatory budget's support ballots: pure, no database.

The count is the same under both rules: proposals are funded greedily by supports, most first;
one that no longer fits in what is left is skipped (with the reason) and the count goes on with
the next, so a big proposal never blocks smaller ones behind it. A proposal nobody supported is
not funded. Equal supports are ordered as the bylaws say: the cheaper first (equal cost: the
lower number first), or by lot, a ``secrets.SystemRandom`` draw made once (when the result is put
to the assembly) and kept as the order drawn, so that the same draw gives the same count.

The rule changes only what a ballot may hold (``ballot_limit``): under the knapsack rule the
proposals a ballot chooses together cost at most the amount; under approval, any number.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from meetings.observatory.models import BudgetTieRule, SupportRule


@dataclass(frozen=True)
class Candidate:
    """A feasible proposal as the count sees it."""

    id: int
    number: int
    title: str
    cost_minor: int
    supports: int


@dataclass(frozen=True)
class Line:
    """A proposal's place in the count: funded (with the running total) or not (with why)."""

    candidate: Candidate
    is_funded: bool
    #: what was left of the amount when its turn came
    left_minor: int
    #: funded: the total funded up to and including it
    running_minor: int = 0
    #: not funded: "no_support" or "did_not_fit"
    reason: str = ""


@dataclass(frozen=True)
class Count:
    amount_minor: int
    rule: SupportRule
    tie_rule: BudgetTieRule
    funded: list[Line]
    not_funded: list[Line]
    leftover_minor: int
    #: groups of tied proposals (by number) in the order they were put, when a tie was broken
    ties: list[tuple[int, ...]] = field(default_factory=list)
    #: under LOT: False while a tie awaits its draw (the order shown is by number, provisional)
    is_draw_pending: bool = False

    @property
    def funded_minor(self) -> int:
        return self.amount_minor - self.leftover_minor


def ballot_limit(rule: SupportRule, amount_minor: int) -> int | None:
    """What a ballot's chosen proposals may cost together: the amount (knapsack), or no limit."""
    return amount_minor if rule == SupportRule.KNAPSACK else None


def draw_lot(numbers: Sequence[int]) -> list[int]:
    """A fair random order of the proposals' numbers (the operating system's randomness)."""
    order = list(numbers)
    secrets.SystemRandom().shuffle(order)
    return order


def _ordered(candidates: Sequence[Candidate], tie_rule: BudgetTieRule,
             drawn: Sequence[int] | None) -> tuple[list[Candidate], list[tuple[int, ...]], bool]:
    """The candidates in counting order, the tied groups as put, and whether a draw is pending."""
    position = {number: i for i, number in enumerate(drawn or ())}
    pending = False
    ordered: list[Candidate] = []
    ties: list[tuple[int, ...]] = []
    by_supports = sorted(candidates, key=lambda c: -c.supports)
    for supports, group in groupby(by_supports, key=lambda c: c.supports):
        group = list(group)
        if tie_rule == BudgetTieRule.LOT:
            if len(group) > 1 and any(c.number not in position for c in group):
                pending = True
            group.sort(key=lambda c: (position.get(c.number, len(position)), c.number))
        else:
            group.sort(key=lambda c: (c.cost_minor, c.number))
        if len(group) > 1 and supports > 0:
            ties.append(tuple(c.number for c in group))
        ordered.extend(group)
    return ordered, ties, pending


def count(amount_minor: int, candidates: Sequence[Candidate], *, rule: SupportRule,
          tie_rule: BudgetTieRule, drawn: Sequence[int] | None = None) -> Count:
    """Fund ``candidates`` greedily by supports within ``amount_minor``.

    ``drawn``: under LOT, the proposals' numbers in the order drawn (``draw_lot``); without it a
    tie is shown in number order and ``is_draw_pending`` says the draw is still to come.
    """
    ordered, ties, pending = _ordered(candidates, tie_rule, drawn)
    left, running = amount_minor, 0
    funded: list[Line] = []
    not_funded: list[Line] = []
    for candidate in ordered:
        if candidate.supports <= 0:
            not_funded.append(Line(candidate, False, left, reason="no_support"))
        elif candidate.cost_minor > left:
            not_funded.append(Line(candidate, False, left, reason="did_not_fit"))
        else:
            running += candidate.cost_minor
            funded.append(Line(candidate, True, left, running_minor=running))
            left -= candidate.cost_minor
    return Count(amount_minor, rule, tie_rule, funded, not_funded, left, ties, pending)
