"""Ana reads her statement in her own words: "movimiento", not the treasurer's "asiento", and as
"socia" once the secretary has recorded it; the treasurer still sees the accounting term."""
from __future__ import annotations

import datetime as dt

from members.models import FormOfAddress, Member
from tests.conftest import text_of
from tests.ledger.print_helpers import print_document
from tests.ledger.statement_factories import add_charge
from tests.ledger.test_statements_pages import pdf_text

D = dt.date


def test_ana_reads_transactions_and_the_treasurer_reads_entries(app, db, client, books, make_member, make_user,
                                                                login):
    ana_id = make_member(books, given_names="Ana Lucía", family_names="Toapanta",
                         form_of_address=FormOfAddress.FEMININE).id
    ana_login = make_user("ana@example.org", coop=books, roles=["member"], locale="es")
    treasurer = make_user("tesoreria@example.org", coop=books, roles=["treasurer"], locale="es")
    db.rollback()
    ana = db.get(Member, ana_id)
    ana.user_id = ana_login.id
    add_charge(db, books, ana, 4_000, due=D(2026, 1, 10), description="Cuota de enero")
    db.commit()
    period = "start=2026-01-01&end=2026-12-31"

    login(client, ana_login)
    own = text_of(client.get(f"/c/{books.slug}/books/me/statement?{period}"))
    assert "Movimiento N.º" in own and "Asiento" not in own
    assert f"Socia N.º {ana.number}" in own
    assert "la socia debe" in own
    # the printed copy she takes home says the same (pdf_text drops the spaces)
    printed = pdf_text(print_document(app, client, f"/c/{books.slug}/books/me/statement/print?{period}"))
    assert "Movimiento" in printed and "Asiento" not in printed
    assert f"SociaN.º{ana.number}" in printed

    desk = app.test_client()
    login(desk, treasurer)
    theirs = text_of(desk.get(f"/c/{books.slug}/books/members/{ana_id}/statement?{period}"))
    assert "Asiento" in theirs and "Movimiento N.º" not in theirs
