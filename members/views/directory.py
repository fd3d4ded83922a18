"""The register's pages: the directory, a member's page and its edits, households and lots."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from coop.access import Permission, can, coop_view, current_roles
from coop.db import get_or_404, get_session
from coop.errors import DomainError, apply_to_form
from coop.money import MoneyError, parse_money
from coop.tenancy import today_in
from coop.views import page_number
from members import reports, services
from members.forms import (DirectoryFilterForm, HouseholdForm, LotAssignForm, LotForm, MemberForm,
                           MoveToHouseholdForm, NewMemberForm, ShareSubscriptionForm, StatusChangeForm)
from members.models import ALLOWED_TRANSITIONS, Household, Lot, MemberStatus
from members.panels import panels_for
from members.views import bp


def today():
    return today_in(g.coop)


def member_or_404(number: int):
    member = reports.member_by_number(get_session(), g.coop, number)
    if member is None:
        abort(404)
    return member


# --- directory -----------------------------------------------------------------------------

@bp.route("/members/")
@coop_view(Permission.VIEW_DIRECTORY)
def directory():
    form = DirectoryFilterForm(request.args)
    officer = can(Permission.VIEW_REGISTER)
    db = get_session()
    form.block.choices = [("", _("All"))] + [(b, b) for b in reports.blocks(db, g.coop)]
    form.validate()
    status = form.status.data if form.status.data in set(MemberStatus) else None
    sort = form.sort.data if form.sort.data in set(reports.DirectorySort) else "name"
    query = reports.DirectoryQuery(
        text=form.q.data or "", status=MemberStatus(status) if status and officer else None,
        household_id=form.household_id.data or None, block=form.block.data or "",
        sort=reports.DirectorySort(sort), descending=request.args.get("desc") == "1",
        search_documents=can(Permission.VIEW_PERSONAL_DATA), current_only=not officer)
    page = page_number()
    rows, total = reports.directory(db, g.coop, query, page=page)
    return render_template("members/directory.html", form=form, rows=rows, total=total, page=page,
                           per_page=reports.PAGE_SIZE, officer=officer,
                           counts=reports.counts_by_status(db, g.coop) if officer else {},
                           status_labels=services.STATUS_LABELS)


@bp.route("/members/new", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def new_member():
    form = NewMemberForm()
    if request.method == "GET":
        form.join_date.data = today()
    if form.validate_on_submit():
        db = get_session()
        try:
            member = services.create_member(db, current_user, g.coop, form.member_data(), today=today(),
                                            status=MemberStatus(form.status.data),
                                            resolution_ref=form.resolution_ref.data or "")
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("%(name)s is member no. %(number)d.", name=member.full_name, number=member.number), "success")
            return redirect(url_for("members.member", number=member.number))
    return render_template("members/member_form.html", form=form, member=None)


# --- one member ----------------------------------------------------------------------------

@bp.route("/members/<int:number>")
@coop_view(Permission.VIEW_REGISTER)
def member(number: int):
    db = get_session()
    person = member_or_404(number)
    return render_template(
        "members/member.html", member=person, history=reports.status_history(db, person),
        lots=reports.lots_of_household(db, person.household_id),
        subscriptions=[(s, services.instalment_schedule(s)) for s in reports.subscriptions_of(db, person)],
        panels=panels_for(db, g.coop, person, current_roles()),
        personal=can(Permission.VIEW_PERSONAL_DATA), status_labels=services.STATUS_LABELS,
        document_labels=services.DOCUMENT_LABELS, lot_status_labels=services.LOT_STATUS_LABELS,
        next_statuses=sorted(ALLOWED_TRANSITIONS[person.status], key=list(MemberStatus).index),
        move_form=_move_form(person), status_form=StatusChangeForm(formdata=None))


def _move_form(person) -> MoveToHouseholdForm:
    return MoveToHouseholdForm(formdata=None, household=person.household.name if person.household else "")


@bp.route("/members/<int:number>/edit", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def edit_member(number: int):
    person = member_or_404(number)
    form = MemberForm(obj=person)
    if form.validate_on_submit():
        db = get_session()
        try:
            changes = services.update_member(db, current_user, g.coop, person, form.member_data(), today=today())
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("members.member", number=number))
    return render_template("members/member_form.html", form=form, member=person)


@bp.route("/members/<int:number>/status", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def change_status(number: int):
    person = member_or_404(number)
    form = StatusChangeForm()
    allowed = sorted(ALLOWED_TRANSITIONS[person.status], key=list(MemberStatus).index)
    form.status.choices = [(s.value, services.STATUS_LABELS[s]) for s in allowed]
    if request.method == "GET":
        form.effective_date.data = today()
    if form.validate_on_submit():
        db = get_session()
        try:
            services.change_status(db, current_user, g.coop, person, form.new_status(),
                                   effective_date=form.effective_date.data, reason=form.reason.data,
                                   resolution_ref=form.resolution_ref.data, today=today())
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("The status of %(name)s is now: %(status)s.", name=person.full_name,
                    status=services.status_label(person.status)), "success")
            return redirect(url_for("members.member", number=number))
    return render_template("members/status_form.html", form=form, member=person, allowed=allowed)


@bp.route("/members/<int:number>/household", methods=["POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def move_to_household(number: int):
    db = get_session()
    person = member_or_404(number)
    form = MoveToHouseholdForm()
    try:
        household = services.household_named(db, g.coop, form.household.data or "")
        services.set_household(db, current_user, g.coop, person, household)
    except DomainError as error:
        db.rollback()
        flash(error.text, "error")
    else:
        db.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("members.member", number=number))


@bp.route("/members/<int:number>/shares", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def subscribe_shares(number: int):
    person = member_or_404(number)
    form = ShareSubscriptionForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            amount = parse_money(form.amount.data, g.coop.currency, str(get_locale()))
            services.subscribe_shares(db, current_user, g.coop, person, amount_minor=amount.minor,
                                      instalments=form.instalments.data, first_due_date=form.first_due_date.data,
                                      resolution_ref=form.resolution_ref.data or "")
        except MoneyError as error:
            form.amount.errors = list(form.amount.errors) + [error.text]
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("The share capital subscription is recorded."), "success")
            return redirect(url_for("members.member", number=number))
    return render_template("members/shares_form.html", form=form, member=person)


# --- households ----------------------------------------------------------------------------

@bp.route("/members/households")
@coop_view(Permission.VIEW_REGISTER)
def households():
    page = page_number()
    text = request.args.get("q", "").strip()[:100]
    rows, total = reports.household_summaries(get_session(), g.coop, text=text, page=page)
    return render_template("members/households.html", rows=rows, total=total, page=page,
                           per_page=reports.PAGE_SIZE, q=text)


@bp.route("/members/households/new", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def new_household():
    form = HouseholdForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            household = services.create_household(db, current_user, g.coop, name=form.name.data,
                                                  dependants=form.dependants.data)
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("The household %(name)s is registered.", name=household.name), "success")
            return redirect(url_for("members.household", household_id=household.id))
    return render_template("members/household_form.html", form=form, household=None)


@bp.route("/members/households/<int:household_id>")
@coop_view(Permission.VIEW_REGISTER)
def household(household_id: int):
    db = get_session()
    family = get_or_404(db, Household, household_id, coop_id=g.coop.id)
    return render_template("members/household.html", household=family,
                           lots=reports.lots_of_household(db, family.id), status_labels=services.STATUS_LABELS,
                           lot_status_labels=services.LOT_STATUS_LABELS)


@bp.route("/members/households/<int:household_id>/edit", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def edit_household(household_id: int):
    db = get_session()
    family = get_or_404(db, Household, household_id, coop_id=g.coop.id)
    form = HouseholdForm(obj=family)
    if form.validate_on_submit():
        try:
            services.update_household(db, current_user, g.coop, family, name=form.name.data,
                                      dependants=form.dependants.data)
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("members.household", household_id=family.id))
    return render_template("members/household_form.html", form=form, household=family)


# --- lots ----------------------------------------------------------------------------------

@bp.route("/members/lots")
@coop_view(Permission.VIEW_REGISTER)
def lots():
    db = get_session()
    block = request.args.get("block", "")
    return render_template("members/lots.html", lots=reports.lots(db, g.coop, block=block),
                           blocks=reports.blocks(db, g.coop), block=block,
                           lot_status_labels=services.LOT_STATUS_LABELS)


@bp.route("/members/lots/new", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def new_lot():
    form = LotForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            lot = services.create_lot(db, current_user, g.coop, block=form.block.data, number=form.number.data,
                                      phase=form.phase.data or "", status=form.lot_status())
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("Lot %(label)s is registered.", label=lot.label), "success")
            return redirect(url_for("members.lot", lot_id=lot.id))
    return render_template("members/lot_form.html", form=form, lot=None)


def _assign_form(plot: Lot) -> LotAssignForm:
    return LotAssignForm(household=plot.household.name if plot.household else "")


def _render_lot(plot: Lot, form: LotAssignForm):
    return render_template("members/lot.html", lot=plot, history=reports.lot_history(get_session(), plot),
                           form=form, lot_status_labels=services.LOT_STATUS_LABELS)


@bp.route("/members/lots/<int:lot_id>")
@coop_view(Permission.VIEW_REGISTER)
def lot(lot_id: int):
    plot = get_or_404(get_session(), Lot, lot_id, coop_id=g.coop.id)
    form = _assign_form(plot)
    form.from_date.data = today()
    return _render_lot(plot, form)


@bp.route("/members/lots/<int:lot_id>/assign", methods=["POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def assign_lot(lot_id: int):
    db = get_session()
    plot = get_or_404(db, Lot, lot_id, coop_id=g.coop.id)
    form = _assign_form(plot)
    if form.validate_on_submit():
        try:
            household = services.household_named(db, g.coop, form.household.data or "")
            services.assign_lot(db, current_user, g.coop, plot, household, from_date=form.from_date.data,
                                reason=form.reason.data or "", resolution_ref=form.resolution_ref.data or "",
                                today=today())
        except DomainError as error:
            db.rollback()
            apply_to_form(form, error)
        else:
            db.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("members.lot", lot_id=plot.id))
    return _render_lot(plot, form)


@bp.route("/members/lots/<int:lot_id>/edit", methods=["GET", "POST"])
@coop_view(Permission.MANAGE_MEMBERS)
def edit_lot(lot_id: int):
    db = get_session()
    plot = get_or_404(db, Lot, lot_id, coop_id=g.coop.id)
    form = LotForm(obj=plot)
    del form.block, form.number  # a lot's place does not change; only its phase and status
    if form.validate_on_submit():
        services.update_lot(db, current_user, g.coop, plot, phase=form.phase.data or "", status=form.lot_status())
        db.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("members.lot", lot_id=plot.id))
    return render_template("members/lot_form.html", form=form, lot=plot)
