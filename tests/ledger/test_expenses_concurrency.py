"""Two treasurers click at the same instant, one "approve" and the other "reject": exactly one of
them decides each expense, and the other is told it was already decided (real threads, each with
its own connection and transaction)."""
from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from coop.audit import AuditEvent
from coop.auth.models import User
from coop.errors import DomainError
from coop.tenancy import Coop
from ledger import expenses, services
from ledger.models import Expense, ExpenseStatus
from tests.conftest import is_postgres
from tests.ledger.conftest import run_at_once

EXPENSES = 6
PDF = b"%PDF-1.4\n%%EOF\n"


def test_approve_and_reject_racing_leave_exactly_one_decision(app, db, books, make_user):
    recorder = make_user("rosa@example.org", coop=books, roles=["treasurer"])
    approver = make_user("luis@example.org", coop=books, roles=["admin"])
    rejecter = make_user("carmen@example.org", coop=books, roles=["treasurer"])
    db.rollback()
    coop = db.get(Coop, books.id)
    ids = [expenses.record_expense(db, db.get(User, recorder.id), coop, expense_date=dt.date(2026, 3, 10),
                                   supplier="Ferretería", description=f"Compra {n}", invoice_ref=f"F-{n}",
                                   account=services.account_by_code(db, coop, "5.2"), amount_minor=1000 + n,
                                   attachment=("f.pdf", PDF)).id for n in range(EXPENSES)]
    db.commit()
    database, coop_id = app.extensions["coop.db"], books.id
    start = threading.Barrier(2 * EXPENSES)
    # on PostgreSQL both transactions first see the expense pending, then decide: the conditional
    # UPDATE alone must settle it (SQLite's write lock lets only one transaction in at a time)
    both_read = {expense_id: threading.Barrier(2) for expense_id in ids} if is_postgres() else {}
    outcomes: list[tuple[int, str, str]] = []

    def decide(expense_id: int, user_id: int, verb: str) -> None:
        try:
            start.wait(timeout=30)
            with database.unit_of_work() as session:
                coop = session.get(Coop, coop_id)
                expense = session.get(Expense, expense_id)
                assert expense.status is ExpenseStatus.PENDING or not both_read
                if both_read:
                    both_read[expense_id].wait(timeout=30)
                actor = session.get(User, user_id)
                if verb == "approve":
                    expenses.approve_expense(session, actor, coop, expense)
                else:
                    expenses.reject_expense(session, actor, coop, expense, reason="Presupuesto agotado")
            outcomes.append((expense_id, verb, "won"))
        except DomainError:
            outcomes.append((expense_id, verb, "refused"))
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            outcomes.append((expense_id, verb, repr(error)))

    run_at_once(decide, [(expense_id, user.id, verb)
                         for expense_id in ids for user, verb in ((approver, "approve"), (rejecter, "reject"))])

    assert len(outcomes) == 2 * EXPENSES
    db.rollback()
    for expense_id in ids:
        mine = sorted(result for eid, _verb, result in outcomes if eid == expense_id)
        assert mine == ["refused", "won"], (expense_id, outcomes)
        [winner] = [verb for eid, verb, result in outcomes if eid == expense_id and result == "won"]
        expense = db.get(Expense, expense_id)
        assert expense.status is (ExpenseStatus.APPROVED if winner == "approve" else ExpenseStatus.REJECTED)
        assert expense.rejection_reason == ("" if winner == "approve" else "Presupuesto agotado")
        decisions = db.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "expense", AuditEvent.object_id == expense_id,
            AuditEvent.action.in_(["ledger.expense.approve", "ledger.expense.reject"]))).all()
        assert decisions == [f"ledger.expense.{winner}"]
