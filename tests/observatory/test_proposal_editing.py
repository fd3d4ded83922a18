"""Changing a proposal before support opens: Rosa corrects her proposal's title, cost and place
while proposals are taken (a double click, or eight presses at once, record one change), a
proposal the board reviewed goes back to it when Rosa changes it, the secretary corrects one
without undoing the review, Luis may not touch Rosa's, and once support opens nobody changes
anything."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coop.audit import AuditEvent
from meetings.observatory import proposals as proposal_services
from meetings.observatory.models import Proposal, ProposalStatus
from meetings.observatory.phases import Phase
from minga.models import Commission
from tests.conftest import field_error, flashes, once_key_of, text_of
from tests.ledger.conftest import post_at_once
from tests.observatory.conftest import refusal
from tests.observatory.participation_factories import base, dates_in, people, today  # noqa: F401  (a fixture)


def edits(db) -> list[AuditEvent]:
    db.rollback()
    return db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "observatory.edit_proposal")).all()


def changed(db, proposal) -> Proposal:
    db.rollback()
    return db.get(Proposal, proposal.id)


def data(**changes) -> proposal_services.ProposalData:
    values = dict(title="Juegos infantiles en el parque del bloque B", description="Columpios y un tobogán.",
                  block="B", place="Parque del bloque B", estimated_cost_minor=280_000, commission_id=None)
    values.update(changes)
    return proposal_services.ProposalData(**values)


def edit(db, coop, proposal, user, member, *, is_officer=False, on=None, **changes):
    """Change the proposal through the service, as of ``on`` (the co-op's today unless told)."""
    db.rollback()
    member = db.merge(member) if member is not None else None
    return proposal_services.edit_proposal(db, db.merge(user), db.merge(coop), db.get(Proposal, proposal.id), member,
                                           data(**changes), is_officer=is_officer, today=on or today(coop))


# --- the rules ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("phase", [Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW])
def test_rosa_changes_her_proposal_until_support_opens_and_it_is_audited(ctx, db, obs_coop, people, make_process,
                                                                        make_proposal, phase):
    process = make_process(obs_coop, **dates_in(phase, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], status=ProposalStatus.SUBMITTED)
    db.rollback()
    parks = Commission(coop_id=obs_coop.id, name="Parque y áreas verdes")
    db.add(parks)
    db.commit()
    changes = edit(db, obs_coop, proposal, people["rosa_user"], people["rosa"], commission_id=parks.id)
    db.commit()
    saved = changed(db, proposal)
    assert (saved.title, saved.estimated_cost_minor, saved.place, saved.commission_id) == (
        "Juegos infantiles en el parque del bloque B", 280_000, "Parque del bloque B", parks.id)
    assert saved.status is ProposalStatus.SUBMITTED and saved.number == 1
    [event] = edits(db)
    assert event.changes["estimated_cost_minor"] == [250_000, 280_000]
    assert event.changes["commission"] == [None, "Parque y áreas verdes"]
    assert event.changes == changes and event.actor_id == people["rosa_user"].id
    # sending the same again changes nothing and records nothing
    assert edit(db, obs_coop, proposal, people["rosa_user"], people["rosa"], commission_id=parks.id) == {}
    db.commit()
    assert len(edits(db)) == 1


@pytest.mark.parametrize("phase", [Phase.SUPPORT, Phase.BLOCKS, Phase.ASSEMBLY])
def test_once_support_opens_the_proposal_stays_as_members_support_it(ctx, db, obs_coop, people, make_process,
                                                                      make_proposal, phase):
    process = make_process(obs_coop, **dates_in(phase, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"])
    for user, member, is_officer in ((people["rosa_user"], people["rosa"], False), (people["secretary"], None, True)):
        message = refusal(edit, db, obs_coop, proposal, user, member, is_officer=is_officer)[None]
        assert message == (f"Support opened on {process.support_opens_on.isoformat()}: members are supporting the "
                           "proposal as it stood, so it can no longer change. Nothing was changed.")
    assert changed(db, proposal).title == "Juegos infantiles en el parque" and edits(db) == []


def test_only_its_proposer_or_an_officer_changes_it_and_never_once_withdrawn(ctx, db, obs_coop, people, make_process,
                                                                             make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], status=ProposalStatus.SUBMITTED)
    assert refusal(edit, db, obs_coop, proposal, people["luis_user"], people["luis"]) == {
        None: "Only the member who made a proposal, or the officers of the participatory budget, can change it."}
    assert refusal(edit, db, obs_coop, proposal, people["luis_user"], people["luis"], estimated_cost_minor=0) == {
        None: "Only the member who made a proposal, or the officers of the participatory budget, can change it."}
    assert refusal(edit, db, obs_coop, proposal, people["rosa_user"], people["rosa"], title=" ",
                   estimated_cost_minor=0) == {"title": "Give your proposal a title.",
                                               "estimated_cost_minor": "The cost must be more than zero."}
    assert edits(db) == []
    db.rollback()
    db.get(Proposal, proposal.id).status = ProposalStatus.WITHDRAWN
    db.commit()
    assert refusal(edit, db, obs_coop, proposal, people["rosa_user"], people["rosa"]) == {
        None: "This proposal was withdrawn: it can no longer change."}


def test_a_reviewed_proposal_changed_by_its_proposer_goes_back_to_the_board(ctx, db, obs_coop, people, make_process,
                                                                            make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.REVIEW, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], review_reason="El piso de caucho sube el costo.")
    db.get(Proposal, proposal.id).cost_minor = 300_000  # the board revised the estimate of 2,500.00
    db.commit()
    edit(db, obs_coop, proposal, people["secretary"], None, is_officer=True, place="Parque central")
    db.commit()
    saved = changed(db, proposal)  # the board's own correction keeps its review
    assert (saved.place, saved.status, saved.cost_minor) == ("Parque central", ProposalStatus.FEASIBLE, 300_000)
    changes = edit(db, obs_coop, proposal, people["rosa_user"], people["rosa"], estimated_cost_minor=500_000)
    db.commit()
    saved = changed(db, proposal)
    assert (saved.status, saved.cost_minor, saved.review_reason, saved.estimated_cost_minor) == (
        ProposalStatus.SUBMITTED, None, "", 500_000)
    assert changes["status"] == ["feasible", "submitted"] and changes["cost_minor"] == [300_000, None]
    assert len(edits(db)) == 2


# --- the pages ------------------------------------------------------------------------------------------

def test_rosa_changes_her_proposal_from_its_page_once_even_with_a_double_click(app, client, db, obs_coop, people,
                                                                               login, make_process, make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], status=ProposalStatus.SUBMITTED)
    url = f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}"
    login(client, people["rosa_user"])
    assert "Change the proposal" in text_of(client.get(url))
    page = client.get(f"{url}/edit")
    html = page.get_data(as_text=True)
    assert "Change P-1" in text_of(page) and 'value="Juegos infantiles en el parque"' in html
    assert 'value="2500.00"' in html  # the estimate, as one types it back
    form = {"once_key": once_key_of(page), "title": "Juegos y bancas en el parque", "description": "Columpios y bancas.",
            "block": "B", "place": "Parque del bloque B", "estimated_cost_minor": "3100", "commission_id": "0"}
    first = client.post(f"{url}/edit", data=form)
    again = client.post(f"{url}/edit", data=form)
    assert first.status_code == again.status_code == 302 and first.headers["Location"] == again.headers["Location"]
    shown = text_of(client.get(first.headers["Location"]))
    assert "P-1 · Juegos y bancas en el parque" in shown and "$3,100.00" in shown and "Parque del bloque B" in shown
    assert len(edits(db)) == 1

    luis = app.test_client()
    login(luis, people["luis_user"])
    assert "Change the proposal" not in text_of(luis.get(url))
    assert luis.get(f"{url}/edit").status_code == 404  # for him, the form does not exist


def test_once_support_opens_the_page_says_so_and_changes_nothing(client, db, obs_coop, people, login, make_process,
                                                                 make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.SUPPORT, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"])
    url = f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}"
    login(client, people["rosa_user"])
    assert "Change the proposal" not in text_of(client.get(url))
    page = client.get(f"{url}/edit")
    assert "so it can no longer change" in text_of(page) and 'name="title"' not in page.get_data(as_text=True)
    response = client.post(f"{url}/edit", data={"once_key": "k" * 24, "title": "Otra cosa", "description": "x",
                                                "estimated_cost_minor": "100", "commission_id": "0"})
    assert response.status_code == 422 and "Nothing was changed." in text_of(response)
    assert changed(db, proposal).title == "Juegos infantiles en el parque" and edits(db) == []


def test_the_secretary_corrects_a_reviewed_proposal_and_rosas_change_sends_it_back(app, client, db, obs_coop, people,
                                                                                  login, make_process, make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.REVIEW, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"])
    url = f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}/edit"
    login(client, people["secretary"])
    page = client.get(url)
    assert "goes back to the board" not in text_of(page)
    form = {"once_key": once_key_of(page), "title": "Juegos infantiles en el parque", "block": "B", "place": "",
            "description": "Columpios y un tobogán para los niños del bloque.", "estimated_cost_minor": "0",
            "commission_id": "0"}
    refused = client.post(url, data=form)
    assert refused.status_code == 422 and field_error(refused, "estimated_cost_minor") == "The cost must be more than zero."
    form["estimated_cost_minor"] = "2500"
    form["place"] = "Parque central"
    assert flashes(client.post(url, data=form, follow_redirects=True)) == ["P-1 is changed."]
    assert changed(db, proposal).status is ProposalStatus.FEASIBLE

    rosa = app.test_client()
    login(rosa, people["rosa_user"])
    page = rosa.get(url)
    assert "The board found it “Feasible”. If you change it, it goes back to the board" in text_of(page)
    form.update(once_key=once_key_of(page), estimated_cost_minor="2800")
    assert flashes(rosa.post(url, data=form, follow_redirects=True)) == [
        "P-1 is changed; it goes back to the board for review."]
    assert changed(db, proposal).status is ProposalStatus.SUBMITTED


def test_the_change_pressed_eight_times_at_once_is_recorded_once(app, client, db, obs_coop, people, login,
                                                                  make_process, make_proposal):
    process = make_process(obs_coop, **dates_in(Phase.PROPOSALS, today(obs_coop)))
    proposal = make_proposal(process, people["rosa"], status=ProposalStatus.SUBMITTED)
    login(client, people["rosa_user"])
    url = f"{base(obs_coop)}/{process.id}/proposals/{proposal.id}/edit"
    form = {"once_key": once_key_of(client.get(url)), "title": "Juegos y bancas", "description": "Columpios.",
            "block": "B", "place": "", "estimated_cost_minor": "3100", "commission_id": "0"}
    responses = post_at_once(app, client, url, [form] * 8)
    assert [r.status_code for r in responses] == [302] * 8
    assert changed(db, proposal).estimated_cost_minor == 310_000 and len(edits(db)) == 1
