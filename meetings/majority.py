"""The majority rules, as pure arithmetic: given a vote's totals and what was locked when it
opened, is the motion carried, and how many votes in favour did it need?

Nothing here reads the database or the clock, so every rule can be checked at its boundaries and
by Hypothesis. The rules, for ``yes``, ``no`` and ``abstain`` votes:

- simple majority of the votes cast: more in favour than against. When the bylaws count
  abstentions as votes cast, an abstention weighs like a vote against (yes > no + abstain);
- absolute majority of those present: more than half of the voters present and represented,
  counted when the vote opened (100 present: 51);
- two thirds of the votes cast: yes × 3 ≥ 2 × cast (abstentions among the cast when they count);
- two thirds of the members: yes × 3 ≥ 2 × the voters on the roll;
- unanimity: nobody against (nor abstaining, when abstentions count) and at least one in favour.

A tie (as many in favour as against) can only happen under the simple majority; there, when the
bylaws give the chair a casting vote, the chair's vote decides. The qualified majorities ask for
a number of votes in favour, not for a side, so a casting vote does not apply to them.
"""
from __future__ import annotations

from dataclasses import dataclass

from meetings.models import Choice, MajorityRule


@dataclass(frozen=True)
class Tally:
    """A vote's totals."""

    yes: int
    no: int
    abstain: int = 0

    @property
    def total(self) -> int:
        """Every vote given, abstentions included."""
        return self.yes + self.no + self.abstain

    def cast(self, abstentions_count: bool) -> int:
        """The votes cast, as the bylaws count them."""
        return self.yes + self.no + (self.abstain if abstentions_count else 0)


@dataclass(frozen=True)
class Outcome:
    is_carried: bool
    #: the fewest votes in favour that would have carried the motion with these other totals
    required: int
    #: in favour and against stood equal under the simple majority
    is_tie: bool = False
    #: the chair's casting vote that settled the tie
    casting_vote: Choice | None = None


def _ceil_two_thirds(number: int) -> int:
    return -(-2 * number // 3)


def required_for(rule: MajorityRule, tally: Tally, *, abstentions_count: bool, present_voters: int,
                 roll_voters: int) -> int:
    """The fewest votes in favour the rule asks for, reckoned from the votes as they were cast
    (312 in favour of 377 cast need 252 for two thirds): carried exactly when ``yes`` reaches it,
    but for a simple-majority tie, which the chair's casting vote may settle."""
    cast = tally.cast(abstentions_count)
    if rule == MajorityRule.SIMPLE:
        return cast // 2 + 1
    if rule == MajorityRule.ABSOLUTE_PRESENT:
        return present_voters // 2 + 1
    if rule == MajorityRule.TWO_THIRDS_CAST:
        return max(_ceil_two_thirds(cast), 1)
    if rule == MajorityRule.TWO_THIRDS_MEMBERS:
        return max(_ceil_two_thirds(roll_voters), 1)
    if rule == MajorityRule.UNANIMITY:
        return max(cast, 1)
    raise ValueError(f"unknown majority rule {rule!r}")


def is_tie(rule: MajorityRule, tally: Tally, *, abstentions_count: bool) -> bool:
    """As many in favour as against (with abstentions, when they count), with someone voting."""
    against = tally.no + (tally.abstain if abstentions_count else 0)
    return rule == MajorityRule.SIMPLE and tally.yes == against and tally.yes > 0


def _carried(rule: MajorityRule, tally: Tally, *, abstentions_count: bool, present_voters: int,
             roll_voters: int) -> bool:
    yes = tally.yes
    if rule == MajorityRule.SIMPLE:
        return yes > tally.no + (tally.abstain if abstentions_count else 0)
    if rule == MajorityRule.ABSOLUTE_PRESENT:
        return 2 * yes > present_voters
    if rule == MajorityRule.TWO_THIRDS_CAST:
        return yes > 0 and 3 * yes >= 2 * tally.cast(abstentions_count)
    if rule == MajorityRule.TWO_THIRDS_MEMBERS:
        return yes > 0 and 3 * yes >= 2 * roll_voters
    if rule == MajorityRule.UNANIMITY:
        return yes > 0 and tally.no == 0 and not (abstentions_count and tally.abstain)
    raise ValueError(f"unknown majority rule {rule!r}")


def decide(rule: MajorityRule, tally: Tally, *, abstentions_count: bool, present_voters: int, roll_voters: int,
           casting_vote: Choice | None = None) -> Outcome:
    """The outcome of a vote under ``rule``; ``casting_vote`` settles a tie (ignored otherwise).

    A tie with no casting vote is not carried: the motion did not win more votes than it lost.
    """
    locked = {"abstentions_count": abstentions_count, "present_voters": present_voters, "roll_voters": roll_voters}
    required = required_for(rule, tally, **locked)
    if is_tie(rule, tally, abstentions_count=abstentions_count):
        settled = casting_vote if casting_vote in (Choice.YES, Choice.NO) else None
        return Outcome(is_carried=settled == Choice.YES, required=required, is_tie=True, casting_vote=settled)
    return Outcome(is_carried=_carried(rule, tally, **locked), required=required)
