"""The members' observatory: questions on the books (consultas) with their deadlines, the budget
open to members (and, when the co-op chooses, to anyone), participatory budgeting (presupuesto
participativo) with paper and phone ballots, and the trace from an assembly's decision to the work
and the money (rendición de cuentas).

It stands on every other package, so it lives inside ``meetings``, the highest of them (DESIGN:
pages that compose several domains live in the highest package they need): a question can be
sent to an assembly's agenda and a participatory budget ends in an assembly's resolution.
Nothing outside ``meetings.observatory`` imports it; ledger and Minga pages reach it only through
template partials and links.
"""
