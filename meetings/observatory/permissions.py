"""What the observatory's pages require, and who holds it (registered with ``coop.access``).

Every member reads the register of questions, asks, follows and says "me too", reads the budget
explorer, proposes, supports proposals by phone and reads results, work packages and the
accountability report; a proposal's proposer changes it. The oversight council (auditor) accepts or rejects questions; the office a
question is assigned to answers it (checked per question in ``questions.may_answer``). The board's
officers (administrator, secretary) run participatory budgets (review, paper ballots, block
results, the decision) and work packages; the treasurer links expenses to work packages.
"""
from __future__ import annotations

from coop.access import ALL_ROLES, OFFICERS, define
from coop.tenancy import Role

#: the register of questions, asking, following; the budget explorer; participatory budgets'
#: proposals, one's own ballot and the results; work packages and the accountability report
VIEW_OBSERVATORY = define("view_observatory", ALL_ROLES)
#: accepting or rejecting questions (the oversight council), and seeing every asker's name
DECIDE_QUESTIONS = define("decide_questions", frozenset({Role.AUDITOR, Role.ADMIN}))
#: the answering side: offices see the questions waiting for them (each answer is checked against
#: the question's office); the council and officers read hidden askers' names
ANSWER_QUESTIONS = define("answer_questions",
                          frozenset({Role.ADMIN, Role.SECRETARY, Role.TREASURER, Role.AUDITOR, Role.COORDINATOR}))
#: participatory budgets: processes, review, paper ballots, block results, the assembly's decision
MANAGE_PARTICIPATION = define("manage_participation", OFFICERS)
#: changing a proposal: its proposer and the participation officers (until support opens, which
#: ``proposals.edit_proposal`` decides); to anyone else its form does not exist
EDIT_PROPOSAL = define("edit_proposal", ALL_ROLES, rule=lambda viewer, proposal: viewer.may(MANAGE_PARTICIPATION)
                       or (proposal.proposer is not None and viewer.is_user(proposal.proposer.user_id)))
#: work packages: linking sessions and expenses, progress reports and photos
MANAGE_WORK = define("manage_work", frozenset({Role.ADMIN, Role.SECRETARY, Role.TREASURER}))
#: the observatory's settings: days to answer, publishing the budget, the tie rule
MANAGE_OBSERVATORY = define("manage_observatory", frozenset({Role.ADMIN}))
