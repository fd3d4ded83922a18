"""The observatory's tables hold their own limits, whatever the services do."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from meetings.observatory.models import BallotChannel, SupportBallot


def test_a_member_has_one_support_ballot_per_process_whatever_the_channel(db, obs_coop, make_member, make_process):
    ana = make_member(obs_coop)
    process = make_process(obs_coop)
    db.add(SupportBallot(coop_id=obs_coop.id, process_id=process.id, member_id=ana.id,
                         channel=BallotChannel.PHONE, total_cost_minor=0))
    db.commit()
    db.add(SupportBallot(coop_id=obs_coop.id, process_id=process.id, member_id=ana.id,
                         channel=BallotChannel.PAPER, total_cost_minor=0))
    with pytest.raises(sa.exc.IntegrityError):
        db.commit()
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(SupportBallot)) == 1
