"""Resolutions: each carried motion (and each election's result) becomes a resolution numbered
per year without gaps ("2027-014"), linked to its meeting, motion and vote.

The number comes from the co-op's counter for the year (``coop.numbering``), taken in the same
unit of work that records the outcome, so a rolled-back vote leaves no hole; the unique key
(co-op, year, number) is the last line of defence.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy.orm as so

from coop import numbering
from coop.tenancy import Coop
from meetings.models import Meeting, Resolution


def series_of(year: int) -> str:
    return f"resolution-{year}"


def adopt_resolution(session: so.Session, coop: Coop, meeting: Meeting, *, title: str, text: str,
                     decided_on: dt.date, outcome_text: str = "", motion_id: int | None = None,
                     round_id: int | None = None, election_id: int | None = None) -> Resolution:
    """Number and record a decision of ``meeting`` (flushed, not committed)."""
    year = decided_on.year
    resolution = Resolution(
        coop_id=coop.id, year=year, number=numbering.next_number(session, coop.id, series_of(year)),
        meeting_id=meeting.id, motion_id=motion_id, round_id=round_id, election_id=election_id,
        title=title[:200], text=text, outcome_text=outcome_text, decided_on=decided_on,
        search_text=" ".join((title, text)).lower())
    session.add(resolution)
    session.flush()
    return resolution
