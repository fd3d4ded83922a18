"""The participatory budget's pages as people use them: the secretary sets up the year's process,
Rosa proposes stands for block C from her phone, the board reviews, and the office prints the
booklet and the blank paper ballot for members without a phone."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from meetings.observatory.models import ParticipatoryBudget, Proposal, ProposalStatus
from meetings.observatory.phases import Phase
from members.models import Lot
from minga.models import Commission
from tests.conftest import field_error, flashes, once_key_of, text_of
from tests.minga.attendance_factories import pdf_text
from tests.observatory.conftest import account
from tests.observatory.participation_factories import (DATE_NAMES, base, dates_in, people,  # noqa: F401  (a fixture)
                                                       today)


def process_form(db, coop, **changes) -> dict:
    form = {"year": "2031", "title": "Presupuesto participativo 2031", "description": "Obras del barrio",
            "amount_minor": "15000.00", "account_id": str(account(db, coop, "1.2.03").id), "budget_id": "0",
            "rule": "knapsack"}
    form.update({name: day.isoformat() for name, day in dates_in(Phase.UPCOMING, today(coop)).items()})
    form.update(changes)
    return form


# --- processes -------------------------------------------------------------------------------------

def test_the_secretary_sets_up_the_years_process_once_even_with_a_double_click(client, db, obs_coop, people, login):
    login(client, people["secretary"])
    page = client.get(f"{base(obs_coop)}/new")
    assert page.status_code == 200 and "1.2.03" in text_of(page)
    form = process_form(db, obs_coop, once_key=once_key_of(page))
    first = client.post(f"{base(obs_coop)}/new", data=form)
    assert first.status_code == 302
    again = client.post(f"{base(obs_coop)}/new", data=form)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(ParticipatoryBudget.id))) == 1
    shown = text_of(client.get(first.headers["Location"]))
    assert "Presupuesto participativo 2031" in shown and "$15,000.00" in shown and "Not started" in shown
    listing = text_of(client.get(base(obs_coop)))
    assert "2031" in listing and "$15,000.00" in listing


def test_a_taken_year_and_dates_out_of_order_are_told_beside_their_fields(client, db, obs_coop, people, login,
                                                                         make_process):
    make_process(obs_coop, year=2031)
    login(client, people["secretary"])
    page = client.get(f"{base(obs_coop)}/new")
    form = process_form(db, obs_coop, once_key=once_key_of(page), amount_minor="1.234",
                        support_closes_on=(today(obs_coop) - dt.timedelta(days=400)).isoformat())
    response = client.post(f"{base(obs_coop)}/new", data=form)
    assert response.status_code == 422
    assert field_error(response, "amount_minor")  # more decimals than dollars have
    form["amount_minor"] = "15000"
    response = client.post(f"{base(obs_coop)}/new", data=form)
    assert field_error(response, "year") == "There is already a participatory budget for 2031."
    assert field_error(response, "support_closes_on").startswith("It cannot be before “Support opens on”")
    assert field_error(response, "blocks_close_on") == ""
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(ParticipatoryBudget.id))) == 1


def test_members_cannot_set_up_or_change_a_process(client, obs_coop, people, login, make_process):
    process = make_process(obs_coop)
    login(client, people["rosa_user"])
    assert client.get(f"{base(obs_coop)}/new").status_code == 403
    assert client.get(f"{base(obs_coop)}/{process.id}/edit").status_code == 403
    assert client.get(f"{base(obs_coop)}/{process.id}/print").status_code == 403


def test_during_support_the_amount_rule_and_dates_show_as_text_and_the_title_is_saved(client, db, obs_coop, people,
                                                                                       login, make_process):
    process = make_process(obs_coop, **dates_in(Phase.SUPPORT, today(obs_coop)))
    login(client, people["secretary"])
    url = f"{base(obs_coop)}/{process.id}/edit"
    page = client.get(url)
    html, shown = page.get_data(as_text=True), text_of(page)
    assert "the amount, the rule and the dates stay as they were" in shown
    # what members support against reads as text, not as a field one could type in
    for name in ("year", "amount_minor", "rule", *DATE_NAMES):
        assert f'name="{name}"' not in html, name
    assert "Amount members decide on $10,000.00" in shown
    assert f"Support opens on {process.support_opens_on:%B} {process.support_opens_on.day}" in shown
    assert 'name="title"' in html and 'name="account_id"' in html
    form = {"title": "PP con nuevo nombre", "description": "", "account_id": str(process.account_id),
            "budget_id": "0", "amount_minor": "20000"}  # a hand-made amount is not taken
    assert client.post(url, data=form).status_code == 302
    db.rollback()
    saved = db.get(ParticipatoryBudget, process.id)
    assert saved.title == "PP con nuevo nombre" and saved.amount_minor == 1_000_000


def test_another_coops_process_is_not_found(client, obs_coop, people, login, make_process, make_coop, db):
    from tests.minga.conftest import coop_with_books
    other = coop_with_books(db, make_coop, "vecina")
    theirs = make_process(other)
    login(client, people["secretary"])
    for suffix in ("", "/edit", "/print", "/proposals/new"):
        assert client.get(f"{base(obs_coop)}/{theirs.id}{suffix}").status_code == 404


# --- the process page ------------------------------------------------------------------------------

def test_the_process_page_shows_its_timeline_proposals_and_the_phases_links(app, client, obs_coop, people, login,
                                                                           make_process, make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.SUPPORT, today(obs_coop)))
    make_proposal(process, people["rosa"], title="Cancha sin luz", status=ProposalStatus.NOT_FEASIBLE,
                  review_reason="La empresa eléctrica no lo permite.")
    make_proposal(process, people["rosa"], title="Juegos infantiles", cost_minor=250_000, supports=12)
    make_proposal(process, people["luis"], title="Propuesta retirada", status=ProposalStatus.WITHDRAWN)

    login(client, people["luis_user"])
    shown = text_of(client.get(f"{base(obs_coop)}/{process.id}"))
    assert shown.index("Juegos infantiles") < shown.index("Cancha sin luz")
    assert "$2,500.00" in shown and "La empresa eléctrica no lo permite." in shown
    assert "· now Block assemblies: until" in shown and "Support proposals" in shown and "Results" in shown
    assert "Propuesta retirada" not in shown and "Enter a paper ballot" not in shown and "Supports" not in shown

    officer = app.test_client()
    login(officer, people["secretary"])
    shown = text_of(officer.get(f"{base(obs_coop)}/{process.id}"))
    assert "Propuesta retirada" in shown and "Enter a paper ballot" in shown and "Block results" in shown
    assert "Supports" in shown and "12" in shown and "Decision" not in shown


def test_the_proposals_phase_offers_to_propose_and_nothing_of_support(client, obs_coop, people, login, make_process):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, today(obs_coop)))
    login(client, people["rosa_user"])
    shown = text_of(client.get(f"{base(obs_coop)}/{process.id}"))
    assert "Make a proposal" in shown and "Support proposals" not in shown and "Results" not in shown


# --- proposing ----------------------------------------------------------------------------------------

def test_rosa_proposes_once_with_a_double_click_and_sees_her_proposal(client, db, obs_coop, people, login,
                                                                       make_process):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, today(obs_coop)))
    db.rollback()
    db.add_all([Lot(coop_id=obs_coop.id, block="C", number="4"), Lot(coop_id=obs_coop.id, block="D", number="1"),
                Commission(coop_id=obs_coop.id, name="Espacios verdes")])
    db.commit()
    commission = db.scalar(sa.select(Commission).where(Commission.name == "Espacios verdes"))
    login(client, people["rosa_user"])
    url = f"{base(obs_coop)}/{process.id}/proposals/new"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert '<option value="C">' in html and '<option value="D">' in html and "Espacios verdes" in html
    form = {"once_key": once_key_of(page), "title": "Graderíos en la cancha", "block": "C",
            "description": "Graderíos de hormigón para que las familias miren los partidos.",
            "place": "Cancha del bloque C", "estimated_cost_minor": "3200", "commission_id": str(commission.id)}
    first = client.post(url, data=form)
    again = client.post(url, data=form)
    assert first.status_code == again.status_code == 302 and first.headers["Location"] == again.headers["Location"]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Proposal.id))) == 1
    shown = text_of(client.get(first.headers["Location"]))
    for expected in ("P-1 · Graderíos en la cancha", "Quishpe", "Cancha del bloque C", "$3,200.00", "Espacios verdes",
                     "Waiting for the board's review", "Withdraw my proposal"):
        assert expected in shown, expected
    assert "Supports" not in shown


@pytest.mark.parametrize("cost, message", [("0", "The cost must be more than zero."),
                                           ("-50", "The amount cannot be negative."),
                                           ("12.345", None)])
def test_a_bad_cost_is_told_beside_it_and_nothing_is_saved(client, db, obs_coop, people, login, make_process,
                                                           cost, message):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, today(obs_coop)))
    login(client, people["rosa_user"])
    url = f"{base(obs_coop)}/{process.id}/proposals/new"
    response = client.post(url, data={"once_key": once_key_of(client.get(url)), "title": "Luminarias",
                                      "description": "Luz en el pasaje", "estimated_cost_minor": cost})
    assert response.status_code == 422
    error = field_error(response, "estimated_cost_minor")
    assert error == message if message else error
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_a_proposal_after_the_proposals_phase_is_refused_clearly(client, db, obs_coop, people, login, make_process):
    process = make_process(obs_coop, **dates_in(Phase.REVIEW, today(obs_coop)))
    login(client, people["rosa_user"])
    url = f"{base(obs_coop)}/{process.id}/proposals/new"
    page = client.get(url)
    assert "this process is now in its phase “Review by the board”" in text_of(page) and "Send the proposal" not in text_of(page)
    response = client.post(url, data={"once_key": once_key_of(page) if "once_key" in page.get_data(as_text=True)
                                      else "k" * 24, "title": "Tarde", "description": "Llego tarde",
                                      "estimated_cost_minor": "100"})
    assert response.status_code == 422 and "Nothing was saved." in text_of(response)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_rosa_withdraws_her_proposal_and_luis_cannot(app, client, db, obs_coop, people, login, make_process, make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.REVIEW, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], status=ProposalStatus.SUBMITTED)
    url = f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}/withdraw"
    login(client, people["luis_user"])
    assert "Only the member who made a proposal can withdraw it." in flashes(client.post(url, follow_redirects=True))
    rosa = app.test_client()
    login(rosa, people["rosa_user"])
    assert "P-1 is withdrawn." in flashes(rosa.post(url, follow_redirects=True))
    db.rollback()
    assert db.get(Proposal, proposal.id).status is ProposalStatus.WITHDRAWN


# --- the board's review -----------------------------------------------------------------------------------

def test_the_board_reviews_and_a_missing_reason_is_told_beside_it(client, db, obs_coop, people, login, make_process,
                                                                   make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.REVIEW, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], status=ProposalStatus.SUBMITTED, cost_minor=300_000)
    login(client, people["secretary"])
    assert "Review" in text_of(client.get(f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}"))
    url = f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}/review"
    response = client.post(url, data={"verdict": "not_feasible", "reason": ""})
    assert response.status_code == 422 and field_error(response, "reason").startswith("Say why it is not feasible")
    response = client.post(url, data={"verdict": "feasible", "cost_minor": "3500", "reason": "Precio del hormigón"})
    assert response.status_code == 302
    db.rollback()
    reviewed = db.get(Proposal, proposal.id)
    assert reviewed.status is ProposalStatus.FEASIBLE and reviewed.cost_minor == 350_000


def test_reviewing_once_support_has_opened_is_refused(app, client, db, obs_coop, people, login, make_process, make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.SUPPORT, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], status=ProposalStatus.SUBMITTED)
    login(client, people["secretary"])
    url = f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}/review"
    assert "The board reviews proposals until support opens." in text_of(client.get(url))
    response = client.post(url, data={"verdict": "feasible"})
    assert response.status_code == 422 and "Nothing was changed." in text_of(response)
    rosa = app.test_client()
    login(rosa, people["rosa_user"])
    assert rosa.get(url).status_code == 403


def test_supports_show_to_everyone_once_support_has_closed(client, obs_coop, people, login, make_process,
                                                           make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.BLOCKS, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], supports=41)
    login(client, people["luis_user"])
    shown = text_of(client.get(f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}"))
    assert "Supports 41" in shown


def test_a_proposal_of_another_process_is_not_found_through_this_one(client, obs_coop, people, login, make_process,
                                                                     make_proposal):
    this = make_process(obs_coop)
    other = make_process(obs_coop, year=2026)
    proposal = make_proposal(other, people["rosa"])
    login(client, people["secretary"])
    assert client.get(f"{base(obs_coop)}/{this.id}/proposals/{proposal.id}").status_code == 404


# --- printing ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, instruction", [("knapsack", "Mark proposals whose costs add up to at most $10,000.00."),
                                               ("approval", "Mark every proposal you support.")])
def test_the_office_prints_the_booklet_and_the_blank_paper_ballot(app, client, db, obs_coop, people, login,
                                                                  make_process, make_proposal, rule, instruction):
    from meetings.observatory.models import SupportRule
    process = make_process(obs_coop, rule=SupportRule(rule), **dates_in(Phase.SUPPORT, today(obs_coop)))
    db.rollback()
    db.add(Commission(coop_id=obs_coop.id, name="Espacios verdes"))
    db.commit()
    commission = db.scalar(sa.select(Commission).where(Commission.name == "Espacios verdes"))
    make_proposal(process, people["rosa"], title="Juegos infantiles", cost_minor=250_000, place="Parque central",
                  commission_id=commission.id)
    make_proposal(process, people["luis"], title="Graderíos", cost_minor=320_000, block="C")
    make_proposal(process, people["luis"], title="Imposible", status=ProposalStatus.NOT_FEASIBLE)
    login(client, people["secretary"])
    url = f"{base(obs_coop)}/{process.id}/print"
    assert "2 feasible proposals so far." in text_of(client.get(url))

    booklet = pdf_text(print_document_of(app, client, url, "observatory.booklet"))
    for expected in ("Proposal booklet", "P-1 · Juegos infantiles", "Parque central", "$2,500.00", "Espacios verdes",
                     "P-2 · Graderíos", "Block C", "$3,200.00", "$10,000.00", "1.2.03"):
        assert expected in booklet, expected
    assert "Imposible" not in booklet

    ballot = pdf_text(print_document_of(app, client, url, "observatory.paper_ballot"))
    for expected in ("Paper ballot", instruction, "P-1", "Juegos infantiles", "P-2", "Graderíos", "Member no.",
                     "Name", "Signature"):
        assert expected in ballot, expected
    assert "Imposible" not in ballot
    assert "cuadernillo-presupuesto-participativo" in text_of(client.get(url))


def print_document_of(app, client, url: str, document: str) -> bytes:
    """Press "Print PDF" with one document chosen; the PDF once the background worker ran."""
    from coop import tasks
    response = client.post(url, data={"document": document})
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    tasks.run_waiting(app)
    done = client.get(response.headers["Location"])
    assert done.mimetype == "application/pdf", text_of(done)
    return done.data
