"""What the meetings' pages require, and who holds it (registered with ``coop.access``).

Every member reads the coming meetings, their agenda and documents, approved minutes and the
register of resolutions, and votes from the phone when they are on the roll. The secretary (and
the administrator) prepares meetings, issues the notice, checks people in, records proxies, runs
the votes, writes the minutes and the elections. The oversight council, the treasurer and the
board's officers read the whole record: rolls, draft minutes, who voted (never how, in secret).
"""
from __future__ import annotations

from coop.access import ALL_ROLES, OFFICERS, define
from coop.tenancy import Role

#: the coming and past meetings, agenda and documents, approved minutes, resolutions, one's own vote
VIEW_MEETINGS = define("view_meetings", ALL_ROLES)
#: meetings, agenda, notice, roll, check-in, proxies, motions, votes, minutes, elections
MANAGE_MEETINGS = define("manage_meetings", OFFICERS)
#: the bylaws settings on meetings (quorum, notice, eligibility, proxies)
MANAGE_MEETING_RULES = define("manage_meeting_rules", OFFICERS)
#: the whole record: rolls, presence, proxies, draft minutes, who voted
VIEW_MEETING_RECORD = define("view_meeting_record",
                             frozenset({Role.ADMIN, Role.SECRETARY, Role.TREASURER, Role.AUDITOR}))
