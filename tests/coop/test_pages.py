"""The one way to write a page: the guard loads the co-op's object or answers 404, the view runs,
and the request's unit of work is committed once, or rolled back on a refusal or an error page."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import flash, g, redirect, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired

from coop import audit
from coop.access import VIEW_COOP
from coop.audit import AuditEvent
from coop.db import get_session
from coop.errors import DomainError
from coop.pages import Load, coop_blueprint, coop_view, show_refusal
from coop.tenancy import CoopRole
from tests.conftest import log_in

pages = coop_blueprint("pagetest", __name__, url_prefix="/pagetest")


class NoteForm(FlaskForm):
    note = StringField("Note", validators=[InputRequired()])


def _write(note: str) -> None:
    audit.record(get_session(), coop=g.coop, action="test.note", summary=note)
    if note == "refuse":
        raise DomainError("Not this note.", field="note")


@pages.route("/notes", methods=["GET", "POST"])
@coop_view(VIEW_COOP)
def notes():
    form = NoteForm()
    if form.validate_on_submit():
        with show_refusal(form):
            _write(form.note.data)
            return redirect("/done")
    if request.args.get("note"):
        _write(request.args["note"])  # not committed: a reading request, or an error page
    return f"form {form.note.errors}", int(request.args.get("status", 200))


@pages.route("/flash", methods=["POST"])
@coop_view(VIEW_COOP)
def flashed():
    with show_refusal() as refusal:
        _write(request.form["note"])
        flash("Saved.", "success")
    return redirect("/c/quebrada/pagetest/notes?refused=" + str(bool(refusal)))


@pages.route("/grants/<int:grant_id>")
@coop_view(VIEW_COOP, grant=CoopRole)
def grant_page(grant: CoopRole):
    return grant.role.value


@pages.route("/by-role/<role>")
@coop_view(VIEW_COOP, grant=Load(CoopRole, "role"))
def grant_by_role(grant: CoopRole):
    return str(grant.user_id)


@pytest.fixture
def member(app, client, make_coop, make_user):
    app.register_blueprint(pages)
    coop = make_coop("quebrada")
    user = make_user(coop=coop, roles=["member"], locale="en")
    log_in(client, user.email)
    return coop


def notes_saved(app) -> list[str]:
    with app.extensions["coop.db"].unit_of_work(write=False) as session:
        return list(session.scalars(sa.select(AuditEvent.summary).where(AuditEvent.action == "test.note")))


def test_a_write_that_succeeds_is_committed_once_after_the_view(app, client, member):
    response = client.post("/c/quebrada/pagetest/notes", data={"note": "minga"})
    assert response.status_code == 302
    assert notes_saved(app) == ["minga"]


def test_a_refused_write_saves_nothing_and_shows_the_refusal_beside_its_field(app, client, member):
    response = client.post("/c/quebrada/pagetest/notes", data={"note": "refuse"})
    assert response.status_code == 200 and "Not this note." in response.get_data(as_text=True)
    assert notes_saved(app) == []


def test_a_refusal_without_a_form_is_flashed(app, client, member):
    response = client.post("/c/quebrada/pagetest/flash", data={"note": "refuse"})
    assert response.headers["Location"].endswith("refused=True")
    assert notes_saved(app) == []
    assert client.post("/c/quebrada/pagetest/flash", data={"note": "ok"}).headers["Location"].endswith("refused=False")
    assert notes_saved(app) == ["ok"]


def test_a_write_answered_with_an_error_page_is_rolled_back(app, client, member):
    response = client.post("/c/quebrada/pagetest/notes?status=422&note=half", data={})
    assert response.status_code == 422
    assert notes_saved(app) == []
    assert client.post("/c/quebrada/pagetest/notes?note=whole", data={}).status_code == 200
    assert notes_saved(app) == ["whole"]


def test_a_reading_request_is_never_committed(app, client, member):
    assert client.get("/c/quebrada/pagetest/notes?note=sneaky").status_code == 200
    assert notes_saved(app) == []


def test_an_object_of_another_coop_answers_not_found_like_a_missing_one(app, client, db, member, make_coop,
                                                                        make_user):
    neighbours = make_coop("vecina", name="Cooperativa Vecina")
    make_user("vecina@example.org", coop=neighbours, roles=["treasurer"])
    ours = db.scalar(sa.select(CoopRole).where(CoopRole.coop_id == member.id))
    theirs = db.scalar(sa.select(CoopRole).where(CoopRole.coop_id == neighbours.id))
    assert client.get(f"/c/quebrada/pagetest/grants/{ours.id}").get_data(as_text=True) == "member"
    assert client.get(f"/c/quebrada/pagetest/grants/{theirs.id}").status_code == 404
    assert client.get("/c/quebrada/pagetest/grants/999999").status_code == 404
    assert client.get("/c/quebrada/pagetest/by-role/member").status_code == 200
    assert client.get("/c/quebrada/pagetest/by-role/treasurer").status_code == 404  # only the other co-op's


def test_a_huge_page_number_is_a_page_not_an_error(client, member):
    assert client.get("/c/quebrada/audit?page=99999999999999999999999").status_code in (200, 403)
