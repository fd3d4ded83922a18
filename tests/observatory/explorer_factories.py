"""Factories for the budget explorer's tests: an approved budget, money spent and received, expenses
in each state, and the co-op's choice to publish its budget. Rows are made directly or through the
ledger's own posting service, not through the explorer."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from coop.db import utcnow
from coop.tenancy import Role
from ledger import services as ledger_services
from ledger.models import Budget, BudgetLine, Expense, ExpenseStatus, JournalEntry
from meetings.observatory.models import ObservatorySettings
from tests.observatory.conftest import account

#: a small PDF receipt (its first bytes are what the ledger's check proves)
RECEIPT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def approve_budget(db, coop, year: int, plan: dict[str, dict[int, int]], *, resolution="Asamblea general, resolución 7",
                   approved=True) -> Budget:
    """A budget of ``year`` planning {account code: {calendar month: amount}}, approved unless told."""
    db.rollback()
    coop = db.merge(coop)
    budget = Budget(coop_id=coop.id, year=year, resolution_ref=resolution if approved else "",
                    approved_dt=utcnow() if approved else None)
    db.add(budget)
    db.flush()
    for code, months in plan.items():
        for month, amount in months.items():
            db.add(BudgetLine(budget_id=budget.id, account_id=account(db, coop, code).id, month=month,
                              amount_minor=amount))
    db.commit()
    return budget


def post(db, coop, day: dt.date, lines: list[tuple[str, int]], *, member=None, description="Asiento") -> JournalEntry:
    """A balanced entry through the ledger's own service; ``member`` goes on the receivable's line."""
    db.rollback()
    coop = db.merge(coop)
    postings = [ledger_services.PostingLine(account(db, coop, code), amount,
                                            db.merge(member) if member is not None and code == "1.1.03" else None)
                for code, amount in lines]
    entry = ledger_services.post_entry(db, None, coop, entry_date=day, description=description, postings=postings)
    db.commit()
    return entry


def spend(db, coop, code: str, day: dt.date, amount: int) -> JournalEntry:
    """Money paid out of the bank against an expense (or asset) account."""
    return post(db, coop, day, [(code, amount), ("1.1.02", -amount)], description="Pago a proveedor")


def make_expense(db, coop, code: str, day: dt.date, amount: int, *, status=ExpenseStatus.PAID,
                 supplier="Ferretería El Arenal", description="Cemento para el muro del bloque B",
                 decided_by=None, receipt=RECEIPT, invoice_ref="001-002-000123") -> Expense:
    """An expense in ``status``; a paid one is posted (debit its account, credit the bank)."""
    entry = spend(db, coop, code, day, amount) if status is ExpenseStatus.PAID else None
    db.rollback()
    coop = db.merge(coop)
    expense = Expense(coop_id=coop.id, expense_date=day, supplier=supplier, description=description,
                      invoice_ref=invoice_ref, account_id=account(db, coop, code).id, amount_minor=amount,
                      status=status, attachment_name="factura.pdf" if receipt else "",
                      attachment_type="application/pdf" if receipt else "", attachment=receipt,
                      decided_by_id=db.merge(decided_by).id if decided_by is not None else None,
                      decided_dt=dt.datetime(2027, 2, 10, 15) if status is not ExpenseStatus.PENDING else None,
                      paid_entry_id=entry.id if entry is not None else None)
    db.add(expense)
    db.commit()
    return expense


def publish_budget(db, coop, is_public=True) -> None:
    db.rollback()
    coop = db.merge(coop)
    settings = db.scalar(sa.select(ObservatorySettings).where(ObservatorySettings.coop_id == coop.id))
    if settings is None:
        settings = ObservatorySettings(coop_id=coop.id)
        db.add(settings)
    settings.is_budget_public = is_public
    db.commit()


def budget_story(db, coop, make_member, make_user) -> dict:
    """The co-op's 2027 in figures: an approved budget (maintenance 100.00 a month, administration
    50.00 in January, dues 1,000.00 a month), 2026's approved budget, 2028's draft; two paid and one
    approved maintenance expenses, a pending and a rejected one; Rosa's dues charged and paid."""
    treasurer = make_user("tesoreria@observatorio.example", coop=coop, roles=[Role.TREASURER], name="Marta Tesorera")
    approve_budget(db, coop, 2026, {"5.3": {m: 9_000 for m in range(1, 13)}})
    budget = approve_budget(db, coop, 2027, {"5.3": {m: 10_000 for m in range(1, 13)}, "5.4": {1: 5_000},
                                             "4.1": {m: 100_000 for m in range(1, 13)}})
    approve_budget(db, coop, 2028, {"5.3": {1: 1}}, approved=False)
    january = make_expense(db, coop, "5.3", dt.date(2027, 1, 20), 3_000, decided_by=treasurer,
                           supplier="Vidriería San Roque", description="Vidrios de la casa comunal")
    february = make_expense(db, coop, "5.3", dt.date(2027, 2, 12), 4_500, decided_by=treasurer)
    approved = make_expense(db, coop, "5.3", dt.date(2027, 2, 25), 2_000, status=ExpenseStatus.APPROVED,
                            decided_by=treasurer, supplier="Pinturas Cóndor", description="Pintura de la guardería")
    pending = make_expense(db, coop, "5.3", dt.date(2027, 2, 26), 99_900, status=ExpenseStatus.PENDING,
                           supplier="Constructora Secreta", description="Propuesta aún sin aprobar")
    rejected = make_expense(db, coop, "5.3", dt.date(2027, 2, 27), 88_800, status=ExpenseStatus.REJECTED,
                            supplier="Proveedor Rechazado", description="Gasto rechazado")
    rosa = make_member(coop, given_names="Rosa Elvira", family_names="Chiluisa Pilataxi")
    post(db, coop, dt.date(2027, 2, 1), [("1.1.03", 2_500), ("4.1", -2_500)], member=rosa,
         description="Aporte ordinario 2027-02 Rosa Elvira Chiluisa Pilataxi")
    post(db, coop, dt.date(2027, 2, 5), [("1.1.02", 2_500), ("1.1.03", -2_500)], member=rosa,
         description="Pago de Rosa Elvira Chiluisa Pilataxi")
    spend(db, coop, "5.2", dt.date(2027, 2, 6), 7_700)  # materials: moved, but no line of the budget
    return {"budget": budget, "treasurer": treasurer, "january": january, "february": february,
            "approved": approved, "pending": pending, "rejected": rejected, "rosa": rosa}
