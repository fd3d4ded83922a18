"""A participatory budget's phase follows its dates, both ends included, until it is decided."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from meetings.observatory.phases import Phase, phase_of

PROCESS = SimpleNamespace(
    proposals_opens_on=dt.date(2027, 1, 4), proposals_closes_on=dt.date(2027, 1, 31),
    review_closes_on=dt.date(2027, 2, 28), support_opens_on=dt.date(2027, 3, 1),
    support_closes_on=dt.date(2027, 3, 15), blocks_close_on=dt.date(2027, 3, 31), resolution_id=None)


@pytest.mark.parametrize("day, phase", [
    (dt.date(2027, 1, 3), Phase.UPCOMING), (dt.date(2027, 1, 4), Phase.PROPOSALS),
    (dt.date(2027, 1, 31), Phase.PROPOSALS), (dt.date(2027, 2, 1), Phase.REVIEW),
    (dt.date(2027, 2, 28), Phase.REVIEW), (dt.date(2027, 3, 1), Phase.SUPPORT),
    (dt.date(2027, 3, 15), Phase.SUPPORT), (dt.date(2027, 3, 16), Phase.BLOCKS),
    (dt.date(2027, 3, 31), Phase.BLOCKS), (dt.date(2027, 4, 1), Phase.ASSEMBLY),
])
def test_the_phase_follows_the_dates_with_both_ends_included(day, phase):
    assert phase_of(PROCESS, day) == phase


def test_a_decided_process_stays_decided_whatever_the_day():
    decided = SimpleNamespace(**{**vars(PROCESS), "resolution_id": 7})
    assert phase_of(decided, dt.date(2027, 1, 10)) == Phase.DECIDED
