"""The count of an election, as pure functions: who takes the seats, who the alternates, and where
a tie must be settled.

Candidates are ranked by their standing, best first: in the first round their votes; after a
runoff, those who stood in it come before the rest (they were tied above them) and among
themselves by their runoff votes. The places are filled in that order, the ``seats`` first and the
``alternates`` after them. Candidates of equal standing share a place in the ranking; that only
matters where the group straddles a boundary (the last seat, or the last alternate's place): then
the count stops and says which candidates are tied and for how many places, and the bylaws settle
it by a runoff among them or by lot. A tie inside the seats (or inside the alternates) decides
nothing and is left alone. Nobody is placed with no votes at all.

Places already settled (by an earlier round or a draw) are passed in as ``placed`` and kept.
Nothing here touches the database, so the rules are tested with properties (Hypothesis).
"""
from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

#: a candidate's standing: compared as a tuple, larger is better
Standing = tuple[int, ...]


@dataclass(frozen=True)
class Tie:
    """Candidates of equal standing competing for fewer places than they are."""

    candidates: tuple[Hashable, ...]
    #: how many of them get a place (and which kind first)
    places: int
    #: True when the last seat is at stake; False when only alternates' places are
    for_seat: bool


@dataclass(frozen=True)
class Placement:
    """The places filled, in order (the first ``seats`` are seats), and the tie that stopped the count."""

    places: tuple[Hashable, ...]
    seats: int
    tie: Tie | None = None

    @property
    def elected(self) -> tuple[Hashable, ...]:
        return self.places[:self.seats]

    @property
    def alternates(self) -> tuple[Hashable, ...]:
        return self.places[self.seats:]

    @property
    def is_complete(self) -> bool:
        return self.tie is None


def groups_of(standings: Mapping[Hashable, Standing]) -> list[list[Hashable]]:
    """Candidates grouped by equal standing, best group first (each group in the given order)."""
    groups: dict[Standing, list[Hashable]] = {}
    for candidate, standing in standings.items():
        groups.setdefault(tuple(standing), []).append(candidate)
    return [groups[standing] for standing in sorted(groups, reverse=True)]


def place(standings: Mapping[Hashable, Standing], seats: int, alternates: int,
          placed: Sequence[Hashable] = ()) -> Placement:
    """Fill the places after ``placed`` from ``standings`` (the candidates still unplaced).

    Stops at the first group of equal standing that straddles the last seat or the last place.
    """
    if seats < 1 or alternates < 0:
        raise ValueError("an election fills at least one seat")
    total = seats + alternates
    places = list(placed)[:total]
    for group in groups_of(standings):
        free = total - len(places)
        if free <= 0:
            break
        boundary = seats if len(places) < seats else total
        room = boundary - len(places)
        if len(group) > room:
            return Placement(tuple(places), seats, Tie(tuple(group), room, for_seat=boundary == seats))
        places.extend(group)
    return Placement(tuple(places), seats)


def first_round(votes: Mapping[Hashable, int], seats: int, alternates: int) -> Placement:
    """The count of a round where every candidate stood: ranked by votes, none placed on no votes."""
    return place({c: (v,) for c, v in votes.items() if v > 0}, seats, alternates)


def after_runoff(placed: Sequence[Hashable], runoff_votes: Mapping[Hashable, int],
                 others: Mapping[Hashable, int], seats: int, alternates: int) -> Placement:
    """The count after a runoff among the tied: they come before the other unplaced candidates."""
    standings: dict[Hashable, Standing] = {c: (1, v) for c, v in runoff_votes.items()}
    standings.update({c: (0, v) for c, v in others.items() if v > 0 and c not in runoff_votes})
    return place(standings, seats, alternates, placed)


def draw_lots(tie: Tie, rng: random.Random) -> list[Hashable]:
    """The tied candidates in the order the lot drew them (the first ``tie.places`` win)."""
    order = list(tie.candidates)
    rng.shuffle(order)
    return order


def ballot_problem(chosen: Sequence[Hashable], allowed: Sequence[Hashable], max_choices: int) -> str | None:
    """Why a ballot cannot be counted ("over", "twice", "unknown"), or None when it can (blank too)."""
    if len(chosen) > max_choices:
        return "over"
    if len(set(chosen)) != len(chosen):
        return "twice"
    if not set(chosen) <= set(allowed):
        return "unknown"
    return None


def totals_problem(votes: Mapping[Hashable, int], voters: int, max_choices: int) -> str | None:
    """Why paper totals cannot be true ("negative", "over_voters", "over_ballots"), or None.

    Each ballot names a candidate at most once and names at most ``max_choices`` candidates, so no
    candidate has more votes than voters, nor all together more than voters times the choices.
    """
    if any(v < 0 for v in votes.values()):
        return "negative"
    if any(v > voters for v in votes.values()):
        return "over_voters"
    if sum(votes.values()) > voters * max_choices:
        return "over_ballots"
    return None
