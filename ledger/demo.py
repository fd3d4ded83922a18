"""Two years of the demo co-op's books, kept as its treasurer would have kept them.

Everything goes through the ledger's own services, so the demo's books obey every rule the real
ones do (balanced, numbered, chained, receipts without gaps): an opening entry, a monthly dues
plan per member and a yearly maintenance plan per household charged month by month, payments
from most members (some early, some late, a few falling behind, one voided receipt), share
capital instalments, expenses recorded by the treasurer and approved by the admin (one rejected,
some still pending), money set aside in the construction fund, a budget for each year (this
year's approved), and the months before the last two closed: closed once every demo loader has
run (``demo_finisher``), so that other packages' demos post their bills in the months they fall in.
"""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
import sqlalchemy.orm as so

from coop.auth import services as auth
from coop.demo import DEMO_PEOPLE, demo_finisher, demo_loader
from coop.calendar import months_between, today_in
from coop.tenancy import Coop, Role
from ledger import budgets, dues, expenses, payments, services
from ledger.models import Debtors, EntrySource, Frequency, PaymentMethod
from ledger.services import PostingLine
from members.models import Member, MemberStatus, ShareSubscription

SEED = 25
MONTHS = 24
#: a scanned receipt is a PDF; the demo's is the smallest valid one
RECEIPT_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")
#: (supplier, description, account code, typical amount in cents)
EXPENSES = [
    ("Ferretería El Constructor", "Cemento y varilla para la etapa 2", "1.2.02", 180_000),
    ("Distribuidora Andina", "Bloques y arena", "5.2", 64_000),
    ("EMAAP-Q", "Agua potable de áreas comunales", "5.3", 4_500),
    ("Papelería Sur", "Copias de convocatorias y actas", "5.4", 2_800),
    ("Banco del Pichincha", "Comisiones bancarias", "5.5", 1_200),
    ("Maestro Wilson Caiza", "Mano de obra: cerramiento del bloque C", "5.1", 95_000),
]


def _people(session: so.Session) -> dict[Role, object]:
    return {role: auth.user_by_email(session, email) for role, _name, email in DEMO_PEOPLE}


def _opening(session, treasurer, coop, day: dt.date) -> None:
    code = {a.code: a for a in services.install_chart(session, treasurer, coop)}
    lines = [PostingLine(code["1.1.01"], 85_000), PostingLine(code["1.1.02"], 4_250_000),
             PostingLine(code["1.2.01"], 12_000_000), PostingLine(code["1.2.02"], 31_500_000),
             PostingLine(code["3.2"], -9_800_000), PostingLine(code["3.3"], -38_035_000)]
    services.post_entry(session, treasurer, coop, entry_date=day, description="Saldos de apertura",
                        postings=lines, source=EntrySource.OPENING, reference="Balance al cierre anterior")


def _plans(session, treasurer, coop, start: dt.date) -> list:
    income = services.account_by_code
    ordinary = dues.create_plan(session, treasurer, coop, dues.PlanData(
        name="Cuota ordinaria", amount_minor=2_500, frequency=Frequency.MONTHLY, debtors=Debtors.MEMBERS,
        income_account_id=income(session, coop, "4.1").id, start_date=start, run_day=5, due_days=10,
        resolution_ref="Asamblea general 2/2024"))
    maintenance = dues.create_plan(session, treasurer, coop, dues.PlanData(
        name="Cuota anual de mantenimiento", amount_minor=6_000, frequency=Frequency.YEARLY,
        debtors=Debtors.HOUSEHOLDS, income_account_id=income(session, coop, "4.2").id,
        start_date=dt.date(start.year + 1, 1, 1), run_day=5, due_days=60,
        resolution_ref="Asamblea general 5/2024"))
    return [ordinary, maintenance]


class _Payer:
    """How a member pays: on time, late in lumps, or falling behind at some month."""

    def __init__(self, rng: random.Random, months: int):
        kind = rng.random()
        #: pays every this many months (late payers in lumps)
        self.every = 1 if kind < 0.40 else 3 if kind < 0.80 else 5
        self.stops_at = rng.randint(months - 9, months - 2) if kind >= 0.92 else months + 1
        self.cash = rng.random() < 0.4


def _pay_month(session, treasurer, coop, rng, month_index: int, month: dt.date, today: dt.date,
               owed: dict[int, int], payers: dict[int, _Payer], members: dict[int, Member],
               accounts: dict[str, object]) -> None:
    for member_id in sorted(owed):
        payer = payers[member_id]
        if owed[member_id] <= 0 or month_index >= payer.stops_at:
            continue
        if month_index % payer.every != payer.every - 1:
            continue
        day = min(month + dt.timedelta(days=rng.randint(3, 26)), today)
        method = PaymentMethod.CASH if payer.cash else PaymentMethod.DEPOSIT
        payments.record_payment(
            session, treasurer, coop, member=members[member_id], payment_date=day, amount_minor=owed[member_id],
            method=method, account=accounts["1.1.01" if payer.cash else "1.1.02"],
            bank_reference="" if payer.cash else f"DEP-{month:%y%m}-{member_id:05d}")
        owed[member_id] = 0


def _expenses(session, people, coop, rng, month: dt.date, today: dt.date, accounts, last: bool) -> None:
    treasurer, admin = people[Role.TREASURER], people[Role.ADMIN]
    for index, (supplier, description, code, typical) in enumerate(rng.sample(EXPENSES, 3)):
        amount = typical + rng.randint(-typical // 5, typical // 5)
        day = min(month + dt.timedelta(days=rng.randint(1, 25)), today)
        expense = expenses.record_expense(
            session, treasurer, coop, expense_date=day, supplier=supplier, description=description,
            invoice_ref=f"001-002-{rng.randint(1000, 99999):09d}", account=accounts[code], amount_minor=amount,
            attachment=("factura.pdf", RECEIPT_PDF))
        if last and (rng.random() < 0.5 or index == 0):
            continue  # waiting for the admin's approval (at least one, so the demo shows the queue)
        if rng.random() < 0.04:
            expenses.reject_expense(session, admin, coop, expense,
                                    reason="La factura no corresponde a la cooperativa; pedir una nueva.")
            continue
        expenses.approve_expense(session, admin, coop, expense)
        expenses.pay_expense(session, treasurer, coop, expense, paid_date=min(day + dt.timedelta(days=3), today),
                             from_account=accounts["1.1.02"])


def _share_capital(session, treasurer, coop, rng, first: dt.date, today: dt.date, accounts) -> None:
    subscriptions = session.scalars(sa.select(ShareSubscription).where(ShareSubscription.coop_id == coop.id)
                                    .order_by(ShareSubscription.id))
    for subscription in subscriptions:
        # most paid it in full long ago; some are still paying it, in one or two lumps so far
        instalment = subscription.amount_minor // max(subscription.instalments, 1)
        lumps = [subscription.amount_minor] if rng.random() < 0.7 else \
            [instalment * rng.randint(1, max(subscription.instalments // 2, 1))] * rng.randint(1, 2)
        for index, amount in enumerate(lumps):
            day = min(max(subscription.first_due_date, first) + dt.timedelta(days=90 * index), today)
            payments.record_share_payment(session, treasurer, coop, subscription=subscription, payment_date=day,
                                          amount_minor=amount, method=PaymentMethod.CASH,
                                          account=accounts["1.1.01"])


def _budget(session, people, coop, year: int, accounts, approve: bool) -> None:
    treasurer = people[Role.TREASURER]
    budget = budgets.create_budget(session, treasurer, coop, year)
    plan = {"4.1": 640_000, "4.2": 0, "5.1": 90_000, "5.2": 60_000, "5.3": 5_000, "5.4": 3_000, "5.5": 1_200}
    for code, monthly in plan.items():
        if monthly:
            budgets.set_account_months(session, treasurer, coop, budget, accounts[code],
                                       {month: monthly for month in range(1, 13)})
    budgets.set_account_months(session, treasurer, coop, budget, accounts["4.2"], {1: 720_000})
    if approve:
        budgets.approve_budget(session, people[Role.ADMIN], coop, budget, f"Asamblea general 1/{year}")


def _months(today: dt.date) -> list[dt.date]:
    """The first days of the demo's months of books, the oldest first, up to this one."""
    this_month = today.replace(day=1)
    return months_between(dt.date(this_month.year - MONTHS // 12, this_month.month, 1), this_month)


@demo_loader
def load_books(session: so.Session, coop: Coop) -> None:
    """Two years of the demo co-op's books (after the register, whose members they charge)."""
    rng = random.Random(SEED)
    today = today_in(coop)
    people = _people(session)
    treasurer = people[Role.TREASURER]
    months = _months(today)
    first = months[0]
    _opening(session, treasurer, coop, first)
    accounts = {code: services.account_by_code(session, coop, code)
                for code, *_rest in services.HOUSING_CHART}
    plans = _plans(session, treasurer, coop, first)
    members = {m.id: m for m in session.scalars(sa.select(Member).where(Member.coop_id == coop.id))}
    payers = {member_id: _Payer(rng, len(months)) for member_id in members}
    owed: dict[int, int] = {}
    for index, month in enumerate(months):
        for plan in plans:
            for start in dues.periods_due(plan, month):
                if start != month or dues.run_of(session, plan, start) is not None:
                    continue
                run = dues.run_dues(session, treasurer, coop, plan, start)
                for charge in dues.charges_of_run(session, run, per_page=10_000):
                    owed[charge.member_id] = owed.get(charge.member_id, 0) + charge.amount_minor
        _pay_month(session, treasurer, coop, rng, index, month, today, owed, payers, members, accounts)
        _expenses(session, people, coop, rng, month, today, accounts, last=index == len(months) - 1)
        services.post_entry(session, treasurer, coop, entry_date=min(month + dt.timedelta(days=27), today),
                            description="Asignación mensual al fondo de construcción",
                            postings=[PostingLine(accounts["3.4"], 150_000), PostingLine(accounts["3.2"], -150_000)],
                            reference="Resolución de asamblea 3/2024")
    _share_capital(session, treasurer, coop, rng, first, today, accounts)
    # one receipt written by mistake and voided, as happens
    mistaken = payments.record_payment(
        session, treasurer, coop, member=next(m for m in members.values() if m.status is MemberStatus.ACTIVE),
        payment_date=today, amount_minor=2_500, method=PaymentMethod.CASH, account=accounts["1.1.01"])
    payments.void_payment(session, treasurer, coop, mistaken, reason="Recibo emitido dos veces por error",
                          on_date=today)
    _budget(session, people, coop, today.year - 1, accounts, approve=True)
    _budget(session, people, coop, today.year, accounts, approve=True)


@demo_finisher
def close_old_months(session: so.Session, coop: Coop) -> None:
    """The treasurer closed every month of the books but the last two (after every package's demo
    posted what it dates in them)."""
    treasurer = _people(session)[Role.TREASURER]
    for month in _months(today_in(coop))[:-2]:
        services.close_month(session, treasurer, coop, month)
