"""Where a participatory budget stands: read from its dates and its decision, pure.

Proposals are taken from ``proposals_opens_on`` to ``proposals_closes_on``; the board reviews
until ``review_closes_on``; members support from ``support_opens_on`` to ``support_closes_on``;
block assemblies meet until ``blocks_close_on``; then the general assembly decides, and once its
resolution is recorded the process is decided. Both ends of each phase are included.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Protocol

from flask_babel import lazy_gettext as _l


class Phase(enum.StrEnum):
    UPCOMING = "upcoming"
    PROPOSALS = "proposals"
    REVIEW = "review"
    SUPPORT = "support"
    BLOCKS = "blocks"
    ASSEMBLY = "assembly"    # waiting for the general assembly's decision
    DECIDED = "decided"


PHASE_LABELS = {
    Phase.UPCOMING: _l("Not started"),
    Phase.PROPOSALS: _l("Proposals"),
    Phase.REVIEW: _l("Review by the board"),
    Phase.SUPPORT: _l("Support"),
    Phase.BLOCKS: _l("Block assemblies"),
    Phase.ASSEMBLY: _l("General assembly's decision"),
    Phase.DECIDED: _l("Decided"),
}


class HasPhases(Protocol):
    proposals_opens_on: dt.date
    proposals_closes_on: dt.date
    review_closes_on: dt.date
    support_opens_on: dt.date
    support_closes_on: dt.date
    blocks_close_on: dt.date
    resolution_id: int | None


def phase_of(process: HasPhases, today: dt.date) -> Phase:
    """The phase on ``today`` (the co-op's day: ``coop.calendar.today_in``)."""
    if process.resolution_id is not None:
        return Phase.DECIDED
    if today < process.proposals_opens_on:
        return Phase.UPCOMING
    if today <= process.proposals_closes_on:
        return Phase.PROPOSALS
    if today < process.support_opens_on:
        return Phase.REVIEW
    if today <= process.support_closes_on:
        return Phase.SUPPORT
    if today <= process.blocks_close_on:
        return Phase.BLOCKS
    return Phase.ASSEMBLY
