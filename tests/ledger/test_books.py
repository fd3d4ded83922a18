"""The treasurer's books: the chart, balanced entries, reversals, closed months, append-only rows."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from coop.errors import DomainError, DomainErrors, NotFoundError
from ledger import reports, services
from ledger.chain import GENESIS_HASH
from ledger.models import AccountType, JournalEntry, Posting
from ledger.origins import Origin, register_origin
from ledger.services import NewEntry, PostingLine
from tests.ledger.conftest import DAY, account


def count(db, model) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def fields_of(error: DomainError) -> set[str | None]:
    return {e.field for e in getattr(error, "errors", [error])}


# --- chart ------------------------------------------------------------------------------------

def test_housing_chart_is_installed_in_spanish_with_a_member_receivable(db, books):
    receivable = account(db, books, "1.1.03")
    assert receivable.is_receivable and receivable.type is AccountType.ASSET
    assert receivable.parent.code == "1.1" and receivable.parent.parent.code == "1"
    assert account(db, books, "4.3").name == "Multas de Minga"
    assert account(db, books, "3.3").name == "Patrimonio de apertura"
    with pytest.raises(DomainError):
        services.install_chart(db, None, books)


def test_account_codes_need_their_parent_and_are_unique(db, books):
    with pytest.raises(DomainError) as caught:
        services.add_account(db, None, books, code="9.1", name="Sin padre", type=AccountType.ASSET)
    assert fields_of(caught.value) == {"code"}
    with pytest.raises(DomainError):
        services.add_account(db, None, books, code="1.1.01", name="Caja otra vez", type=AccountType.ASSET)
    with pytest.raises(DomainError) as caught:
        services.add_account(db, None, books, code="1.1.09", name="Mal tipo", type=AccountType.INCOME)
    assert fields_of(caught.value) == {"type"}
    with pytest.raises(DomainError):
        services.add_account(db, None, books, code="1..2", name="", type=AccountType.ASSET)
    added = services.add_account(db, None, books, code="1.1.02.01", name="Banco Pichincha",
                                 type=AccountType.ASSET)
    assert added.parent.code == "1.1.02"


def test_renaming_keeps_the_code_and_is_audited(db, books):
    caja = services.rename_account(db, None, books, account(db, books, "1.1.01"), "Caja chica")
    db.commit()
    assert (caja.code, caja.name) == ("1.1.01", "Caja chica")
    assert db.scalar(sa.select(AuditEvent.changes).where(AuditEvent.action == "ledger.account",
                                                         AuditEvent.object_id == caja.id)
                     .order_by(AuditEvent.id.desc()).limit(1)) == {"name": ["Caja", "Caja chica"]}


def test_a_closed_account_takes_no_new_postings(db, books, post):
    post(books, ("1.1.01", 500), ("4.4", -500))
    db.rollback()
    services.close_account(db, None, books, account(db, books, "4.4"))
    db.commit()
    with pytest.raises(DomainError) as caught:
        post(books, ("1.1.01", 500), ("4.4", -500))
    assert "postings-1-account" in fields_of(caught.value)
    assert count(db, JournalEntry) == 1
    with pytest.raises(DomainError):  # a parent with open children stays open
        services.close_account(db, None, books, account(db, books, "1.1"))


def test_another_coops_account_is_refused(db, books, make_coop, post):
    other = db.merge(make_coop("otra"))
    services.install_chart(db, None, other)
    db.commit()
    foreign = account(db, other, "1.1.01")
    with pytest.raises(DomainError) as caught:
        services.post_entry(db, None, books, entry_date=DAY, description="x",
                            postings=[PostingLine(foreign, 100), PostingLine(account(db, books, "4.4"), -100)])
    assert "postings-0-account" in fields_of(caught.value)
    with pytest.raises(NotFoundError):
        services.rename_account(db, None, books, foreign, "Robada")


# --- entries -----------------------------------------------------------------------------------

def test_a_balanced_entry_is_numbered_chained_and_audited(db, books, post, make_member):
    ana = make_member(books)
    first = post(books, ("1.1.03", 4000, ana), ("4.1", -4000))
    second = post(books, ("1.1.02", 4000), ("1.1.03", -4000, ana), description="Pago de Ana")
    assert (first.number, second.number) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash and len(second.hash) == 64
    assert [p.member_id for p in first.postings] == [ana.id, None]
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "ledger.post")) == 2
    assert reports.verify_ledger(db, books) == []


@pytest.mark.parametrize(("lines", "field"), [
    ([("1.1.01", 100)], "postings"),
    ([("1.1.01", 100), ("4.4", -90)], "postings"),
    ([("1.1.01", 0), ("4.4", 0)], "postings-0-amount"),
    ([("1.1.03", 100), ("4.1", -100)], "postings-0-member"),
])
def test_a_wrong_entry_is_refused_and_saves_nothing(db, books, post, lines, field):
    with pytest.raises(DomainError) as caught:
        post(books, *lines)
    assert field in fields_of(caught.value)
    db.rollback()
    assert count(db, JournalEntry) == 0 and count(db, Posting) == 0


def test_a_member_on_an_account_that_is_not_a_members_is_refused(db, books, post, make_member):
    ana = make_member(books)
    with pytest.raises(DomainError) as caught:
        post(books, ("1.1.01", 100, ana), ("4.1", -100))
    assert fields_of(caught.value) == {"postings-0-member"}


def test_every_mistake_is_reported_at_once(db, books):
    with pytest.raises(DomainErrors) as caught:
        services.post_entry(db, None, books, entry_date=DAY, description=" ",
                            postings=[PostingLine(account(db, books, "1.1.03"), 0)])
    assert fields_of(caught.value) >= {"description", "postings", "postings-0-amount", "postings-0-member"}


def test_entry_numbers_have_no_gaps_even_after_a_refusal(db, books, post):
    post(books, ("1.1.01", 100), ("4.4", -100))
    with pytest.raises(DomainError):
        post(books, ("1.1.01", 100), ("4.4", -1))
    post(books, ("1.1.01", 100), ("4.4", -100))
    db.rollback()
    assert list(db.scalars(sa.select(JournalEntry.number).order_by(JournalEntry.number))) == [1, 2]


# --- reversals -----------------------------------------------------------------------------------

def test_a_reversal_cancels_the_entry_and_keeps_it(db, books, post):
    entry = post(books, ("1.1.01", 2500), ("4.2", -2500))
    db.rollback()
    entry = db.get(JournalEntry, entry.id)
    reversal = services.reverse_entry(db, None, books, entry, entry_date=DAY, reason="Monto equivocado")
    db.commit()
    assert reversal.reverses_id == entry.id and reversal.reason == "Monto equivocado"
    assert sorted(p.amount_minor for p in reversal.postings) == [-2500, 2500]
    assert all(row.balance == 0 for row in reports.trial_balance(db, books))
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "ledger.reverse")) == 1
    assert reports.verify_ledger(db, books) == []


def test_an_entry_is_reversed_once_and_a_reversal_never(db, books, post):
    entry = post(books, ("1.1.01", 2500), ("4.2", -2500))
    db.rollback()
    entry = db.get(JournalEntry, entry.id)
    with pytest.raises(DomainError) as caught:
        services.reverse_entry(db, None, books, entry, entry_date=DAY, reason="  ")
    assert caught.value.field == "reason"
    reversal = services.reverse_entry(db, None, books, entry, entry_date=DAY, reason="Error")
    with pytest.raises(DomainError):
        services.reverse_entry(db, None, books, entry, entry_date=DAY, reason="Otra vez")
    with pytest.raises(DomainError):
        services.reverse_entry(db, None, books, reversal, entry_date=DAY, reason="Deshacer")
    db.commit()
    assert count(db, JournalEntry) == 2


def test_the_database_refuses_a_second_reversal_of_the_same_entry(db, books, post):
    entry = post(books, ("1.1.01", 100), ("4.4", -100))
    services.reverse_entry(db, None, books, db.get(JournalEntry, entry.id), entry_date=DAY, reason="Error")
    db.commit()
    duplicate = post(books, ("1.1.01", 100), ("4.4", -100))
    with pytest.raises(sa.exc.IntegrityError):
        db.execute(sa.insert(JournalEntry).values(
            coop_id=books.id, number=99, entry_date=DAY, description="x", reference="", source="reversal",
            reverses_id=entry.id, reason="x", prev_hash=duplicate.hash, hash="0" * 64, created_dt=dt.datetime.now()))


# --- what an entry belongs to: origins the journal does not know -------------------------------

def _raffle(db, books, origin: Origin) -> JournalEntry:
    entry = services.post_entry(db, None, books, entry_date=DAY, description="Rifa pro fondo de vivienda",
                                postings=[PostingLine(account(db, books, "1.1.01"), 3000),
                                          PostingLine(account(db, books, "4.4"), -3000)], origin=origin)
    db.commit()
    return entry


def test_the_journal_runs_the_reversal_hook_of_a_package_it_does_not_know(db, books):
    # a package the journal never heard of (this test) registers what its entries belong to
    cancelled = []
    register_origin("test.raffle", label="Rifa", on_reversed=lambda session, coop, entry, reversal:
                    cancelled.append((coop.id, entry.origin_id, reversal.reverses_id)))
    entry = _raffle(db, books, Origin("test.raffle", 41))
    assert (entry.origin_kind, entry.origin_id) == ("test.raffle", 41)
    reversal = services.reverse_entry(db, None, books, entry, entry_date=DAY, reason="Rifa suspendida")
    db.commit()
    assert cancelled == [(books.id, 41, entry.id)]
    assert (reversal.origin_kind, reversal.origin_id) == ("", None)  # a hand reversal belongs to nobody
    assert reports.verify_ledger(db, books) == []


def test_an_origin_that_forbids_reversal_by_hand_is_reversed_only_by_its_package(db, books):
    cancelled = []
    register_origin("test.locked_raffle", label="Rifa sorteada", manual_reversal="Cancel the raffle instead.",
                    on_reversed=lambda session, coop, entry, reversal: cancelled.append(entry.id))
    entry = _raffle(db, books, Origin("test.locked_raffle", 7))
    with pytest.raises(DomainError) as caught:
        services.reverse_entry(db, None, books, entry, entry_date=DAY, reason="A mano")
    assert (caught.value.field, caught.value.text) == ("entry", "Cancel the raffle instead.")
    db.rollback()
    assert count(db, JournalEntry) == 1 and cancelled == []
    reversal = services.post_reversal(db, None, books, db.get(JournalEntry, entry.id), entry_date=DAY,
                                      reason="Rifa cancelada", origin=Origin("test.locked_raffle", 7))
    assert (reversal.reverses_id, reversal.origin_kind, reversal.origin_id) == (entry.id, "test.locked_raffle", 7)
    assert cancelled == [entry.id]


def test_an_origin_nobody_registered_is_a_programming_error_and_writes_nothing(db, books):
    with pytest.raises(LookupError):
        _raffle(db, books, Origin("nobody.registered", 1))
    db.rollback()
    assert count(db, JournalEntry) == 0


def test_one_entry_is_checked_and_audited_alike_through_either_door(db, books):
    lines = [PostingLine(account(db, books, "1.1.01"), 500), PostingLine(account(db, books, "4.4"), -500)]
    with pytest.raises(DomainError) as alone:
        services.post_entry(db, None, books, entry_date=DAY, description=" ", postings=lines, reference="x" * 101)
    with pytest.raises(DomainError) as in_batch:
        services.post_entries(db, None, books, [NewEntry(DAY, " ", lines, reference="x" * 101)])
    assert fields_of(alone.value) == fields_of(in_batch.value) == {"description", "reference"}
    services.post_entries(db, None, books, [NewEntry(DAY, "Venta de rifas", lines)])
    services.post_entry(db, None, books, entry_date=DAY, description="Venta de rifas", postings=lines)
    db.commit()
    assert list(db.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("ledger.post%"))
                           .order_by(AuditEvent.id))) == ["ledger.post", "ledger.post"]


# --- closed months and immutability ------------------------------------------------------------

def test_nothing_posts_into_a_closed_month(db, books, post):
    services.close_month(db, None, books, dt.date(2026, 3, 31))
    db.commit()
    with pytest.raises(DomainError) as caught:
        post(books, ("1.1.01", 100), ("4.4", -100), entry_date=dt.date(2026, 3, 1))
    assert fields_of(caught.value) == {"entry_date"}
    assert post(books, ("1.1.01", 100), ("4.4", -100), entry_date=dt.date(2026, 4, 1)).number == 1
    with pytest.raises(DomainError):
        services.close_month(db, None, books, dt.date(2026, 3, 1))
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "ledger.close_month")) == 1


@pytest.mark.parametrize("statement", [
    "UPDATE posting SET amount_minor = amount_minor * 10",
    "DELETE FROM posting",
    "UPDATE journal_entry SET description = 'otra cosa'",
    "DELETE FROM journal_entry",
])
def test_posted_rows_cannot_be_changed_in_the_database(db, books, post, statement):
    post(books, ("1.1.01", 100), ("4.4", -100))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.execute(sa.text(statement))
    db.rollback()
    assert reports.verify_ledger(db, books) == []


# --- reports -----------------------------------------------------------------------------------

def test_trial_balance_as_of_a_date(db, books, post):
    post(books, ("1.1.01", 1000), ("4.1", -1000), entry_date=dt.date(2026, 1, 10))
    post(books, ("5.3", 300), ("1.1.01", -300), entry_date=dt.date(2026, 2, 10))
    rows = {r.code: r for r in reports.trial_balance(db, books)}
    assert (rows["1.1.01"].debit, rows["1.1.01"].credit, rows["1.1.01"].balance) == (1000, 300, 700)
    assert rows["4.1"].balance == -1000 and rows["5.3"].balance == 300
    january = {r.code: r.balance for r in reports.trial_balance(db, books, as_of=dt.date(2026, 1, 31))}
    assert january == {"1.1.01": 1000, "4.1": -1000}


def test_trial_balance_is_one_query(db, books, post):
    for _ in range(3):
        post(books, ("1.1.01", 100), ("4.4", -100))
    assert books.id  # the co-op loaded before counting
    statements = []
    sa.event.listen(db.get_bind(), "before_cursor_execute", lambda *a: statements.append(a[2]))
    reports.trial_balance(db, books, as_of=DAY)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
