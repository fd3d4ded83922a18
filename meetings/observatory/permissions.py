"""What the observatory's pages require, and who holds it (registered with ``coop.access``).

Every member reads the register of questions, asks, follows and says "me too", reads the budget
explorer, proposes, supports proposals by phone and reads results, work packages and the
accountability report. The oversight council (auditor) accepts or rejects questions; the office a
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
#: work packages: linking sessions and expenses, progress reports and photos
MANAGE_WORK = define("manage_work", frozenset({Role.ADMIN, Role.SECRETARY, Role.TREASURER}))
#: the observatory's settings: days to answer, publishing the budget, the tie rule
MANAGE_OBSERVATORY = define("manage_observatory", frozenset({Role.ADMIN}))
