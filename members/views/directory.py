"""The register's pages: the directory, a member's page and its edits, households and lots."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import submissions
from coop.access import can, current_viewer
from coop.calendar import today_in
from coop.db import get_session
from coop.pages import Load, coop_view, page_number, query_choice, query_form, query_text, show_refusal
from members import reports, services
from members.forms import (DirectoryFilterForm, HouseholdForm, HouseholdSearchForm, LotAssignForm, LotForm, MemberForm,
                           MoveToHouseholdForm, NewMemberForm, ShareSubscriptionForm, StatusChangeForm)
from members.models import ALLOWED_TRANSITIONS, Household, Lot, Member, MemberStatus
from members.panels import panels_for
from members.permissions import MANAGE_MEMBERS, VIEW_DIRECTORY, VIEW_PERSONAL_DATA, VIEW_REGISTER
from members.views import bp

#: a member page's subject: the member the URL names by their number
BY_NUMBER = Load(Member, "number")


def today():
    return today_in(g.coop)


# --- directory -----------------------------------------------------------------------------

@bp.route("/members/")
@coop_view(VIEW_DIRECTORY)
def directory():
    form = query_form(DirectoryFilterForm)
    officer = can(VIEW_REGISTER)
    db = get_session()
    form.block.choices = [("", _("All"))] + [(b, b) for b in reports.blocks(db, g.coop)]
    form.validate()
    status = form.status.data if form.status.data in set(MemberStatus) else None
    sort = form.sort.data if form.sort.data in set(reports.DirectorySort) else "name"
    query = reports.DirectoryQuery(
        text=form.q.data or "", status=MemberStatus(status) if status and officer else None,
        household_id=form.household_id.data or None, block=form.block.data or "",
        sort=reports.DirectorySort(sort), descending=query_choice("desc", ("1",)) == "1",
        search_documents=can(VIEW_PERSONAL_DATA), current_only=not officer)
    page = page_number()
    rows, total = reports.directory(db, g.coop, query, page=page)
    return render_template("members/directory.html", form=form, rows=rows, total=total, page=page,
                           per_page=reports.PAGE_SIZE, officer=officer,
                           counts=reports.counts_by_status(db, g.coop) if officer else {},
                           status_labels=services.STATUS_LABELS)


@bp.route("/members/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS)
def new_member():
    form = NewMemberForm()
    if request.method == "GET":
        form.join_date.data = today()
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(get_session(), g.coop, form.once_key.data)
            member = services.create_member(get_session(), current_user, g.coop, form.member_data(),
                                            today=today(), status=MemberStatus(form.status.data),
                                            resolution_ref=form.resolution_ref.data or "",
                                            resolution_id=form.resolution_id.data)
            sent.finish(url_for("members.member", number=member.number))
            flash(_("%(name)s is member no. %(number)d.", name=member.full_name, number=member.number), "success")
            return redirect(url_for("members.member", number=member.number))
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    return render_template("members/member_form.html", form=form, member=None)


# --- one member ----------------------------------------------------------------------------

@bp.route("/members/<int:number>")
@coop_view(VIEW_REGISTER, member=BY_NUMBER)
def member(member: Member):
    return _render_member(member, MoveToHouseholdForm(formdata=None))


def _render_member(member: Member, move_form: MoveToHouseholdForm):
    db = get_session()
    return render_template(
        "members/member.html", member=member, history=reports.status_history(db, member),
        lots=reports.lots_of_household(db, member.household_id),
        subscriptions=[(s, services.instalment_schedule(s)) for s in reports.subscriptions_of(db, member)],
        panels=panels_for(db, g.coop, member, current_viewer()),
        personal=can(VIEW_PERSONAL_DATA), status_labels=services.STATUS_LABELS,
        document_labels=services.DOCUMENT_LABELS, lot_status_labels=services.LOT_STATUS_LABELS,
        next_statuses=sorted(ALLOWED_TRANSITIONS[member.status], key=list(MemberStatus).index),
        move_form=move_form, status_form=StatusChangeForm(formdata=None),
        **_household_search(member.household_id))


def _household_search(current_id: int | None) -> dict:
    """The page's search for a household to choose (``?household_q=``) and what it found."""
    search = HouseholdSearchForm(request.values)  # a refused choice (a POST) shows its search again
    text = (search.household_q.data or "").strip()[:100] if can(MANAGE_MEMBERS) else ""
    matches, found = reports.find_households(get_session(), g.coop, text, excluding=current_id) if text else ([], 0)
    return {"search": search, "household_q": text, "matches": matches, "matches_total": found}


@bp.route("/members/<int:number>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS, member=BY_NUMBER)
def edit_member(member: Member):
    form = MemberForm(obj=member)
    if form.validate_on_submit():
        with show_refusal(form):
            changes = services.update_member(get_session(), current_user, g.coop, member, form.member_data(),
                                             today=today())
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("members.member", number=member.number))
    return render_template("members/member_form.html", form=form, member=member)


@bp.route("/members/<int:number>/status", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS, member=BY_NUMBER)
def change_status(member: Member):
    form = StatusChangeForm()
    allowed = sorted(ALLOWED_TRANSITIONS[member.status], key=list(MemberStatus).index)
    form.status.choices = [(s.value, services.STATUS_LABELS[s]) for s in allowed]
    if request.method == "GET":
        form.effective_date.data = today()
    if form.validate_on_submit():
        with show_refusal(form):
            services.change_status(get_session(), current_user, g.coop, member, form.new_status(),
                                   effective_date=form.effective_date.data, reason=form.reason.data,
                                   resolution_ref=form.resolution_ref.data, today=today(),
                                   resolution_id=form.resolution_id.data)
            flash(_("The status of %(name)s is now: %(status)s.", name=member.full_name,
                    status=services.status_label(member.status)), "success")
            return redirect(url_for("members.member", number=member.number))
    return render_template("members/status_form.html", form=form, member=member, allowed=allowed)


@bp.route("/members/<int:number>/household", methods=["POST"])
@coop_view(MANAGE_MEMBERS, member=BY_NUMBER)
def move_to_household(member: Member):
    form = MoveToHouseholdForm()
    if form.validate_on_submit():
        with show_refusal(form):
            db = get_session()
            household = services.household_chosen(db, g.coop, form.household_id.data)
            services.set_household(db, current_user, g.coop, member, household)
            flash(_("%(name)s is now in the household %(household)s.", name=member.full_name,
                    household=household.name) if household is not None
                  else _("%(name)s is no longer in any household.", name=member.full_name), "success")
            return redirect(url_for("members.member", number=member.number, _anchor="household"))
    return _render_member(member, form), 422


@bp.route("/members/<int:number>/shares", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS, member=BY_NUMBER)
def subscribe_shares(member: Member):
    form = ShareSubscriptionForm()
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(get_session(), g.coop, form.once_key.data)
            services.subscribe_shares(get_session(), current_user, g.coop, member, amount_minor=form.amount.data,
                                      instalments=form.instalments.data, first_due_date=form.first_due_date.data,
                                      resolution_ref=form.resolution_ref.data or "",
                                      resolution_id=form.resolution_id.data)
            sent.finish(url_for("members.member", number=member.number))
            flash(_("The share capital subscription is recorded."), "success")
            return redirect(url_for("members.member", number=member.number))
        if (answer := submissions.answer_if_sent(refusal)) is not None:
            return answer
    return render_template("members/shares_form.html", form=form, member=member)


# --- households ----------------------------------------------------------------------------

@bp.route("/members/households")
@coop_view(VIEW_REGISTER)
def households():
    page = page_number()
    text = query_text("q")
    rows, total = reports.household_summaries(get_session(), g.coop, text=text, page=page)
    return render_template("members/households.html", rows=rows, total=total, page=page,
                           per_page=reports.PAGE_SIZE, q=text)


@bp.route("/members/households/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS)
def new_household():
    form = HouseholdForm()
    if form.validate_on_submit():
        with show_refusal(form):
            household = services.create_household(get_session(), current_user, g.coop, name=form.name.data,
                                                  dependants=form.dependants.data)
            flash(_("The household %(name)s is registered.", name=household.name), "success")
            return redirect(url_for("members.household", household_id=household.id))
    return render_template("members/household_form.html", form=form, household=None)


@bp.route("/members/households/<int:household_id>")
@coop_view(VIEW_REGISTER, household=Household)
def household(household: Household):
    return render_template("members/household.html", household=household,
                           lots=reports.lots_of_household(get_session(), household.id),
                           status_labels=services.STATUS_LABELS, lot_status_labels=services.LOT_STATUS_LABELS)


@bp.route("/members/households/<int:household_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS, household=Household)
def edit_household(household: Household):
    form = HouseholdForm(obj=household)
    if form.validate_on_submit():
        with show_refusal(form):
            services.update_household(get_session(), current_user, g.coop, household, name=form.name.data,
                                      dependants=form.dependants.data)
            flash(_("Saved."), "success")
            return redirect(url_for("members.household", household_id=household.id))
    return render_template("members/household_form.html", form=form, household=household)


# --- lots ----------------------------------------------------------------------------------

@bp.route("/members/lots")
@coop_view(VIEW_REGISTER)
def lots():
    db = get_session()
    blocks = reports.blocks(db, g.coop)
    block = query_text("block", 40).strip().upper()
    block = block if block in blocks else ""
    page = page_number()
    rows, total = reports.lots(db, g.coop, block=block, page=page)
    return render_template("members/lots.html", lots=rows, total=total, page=page, per_page=reports.PAGE_SIZE,
                           blocks=blocks, block=block, lot_status_labels=services.LOT_STATUS_LABELS)


@bp.route("/members/lots/new", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS)
def new_lot():
    form = LotForm()
    if form.validate_on_submit():
        with show_refusal(form):
            lot = services.create_lot(get_session(), current_user, g.coop, block=form.block.data,
                                      number=form.number.data, phase=form.phase.data or "",
                                      status=form.lot_status())
            flash(_("Lot %(label)s is registered.", label=lot.label), "success")
            return redirect(url_for("members.lot", lot_id=lot.id))
    return render_template("members/lot_form.html", form=form, lot=None)


def _render_lot(lot: Lot, form: LotAssignForm):
    return render_template("members/lot.html", lot=lot, history=reports.lot_history(get_session(), lot),
                           form=form, lot_status_labels=services.LOT_STATUS_LABELS,
                           **_household_search(lot.household_id))


@bp.route("/members/lots/<int:lot_id>")
@coop_view(VIEW_REGISTER, lot=Lot)
def lot(lot: Lot):
    form = LotAssignForm(formdata=None)
    form.from_date.data = today()
    return _render_lot(lot, form)


@bp.route("/members/lots/<int:lot_id>/assign", methods=["POST"])
@coop_view(MANAGE_MEMBERS, lot=Lot)
def assign_lot(lot: Lot):
    form = LotAssignForm()
    if form.validate_on_submit():
        with show_refusal(form):
            db = get_session()
            household = services.household_chosen(db, g.coop, form.household_id.data)
            services.assign_lot(db, current_user, g.coop, lot, household, from_date=form.from_date.data,
                                reason=form.reason.data or "", resolution_ref=form.resolution_ref.data or "",
                                today=today(), resolution_id=form.resolution_id.data)
            flash(_("Saved."), "success")
            return redirect(url_for("members.lot", lot_id=lot.id))
    return _render_lot(lot, form)


@bp.route("/members/lots/<int:lot_id>/edit", methods=["GET", "POST"])
@coop_view(MANAGE_MEMBERS, lot=Lot)
def edit_lot(lot: Lot):
    form = LotForm(obj=lot)
    del form.block, form.number  # a lot's place does not change; only its phase and status
    if form.validate_on_submit():
        services.update_lot(get_session(), current_user, g.coop, lot, phase=form.phase.data or "",
                            status=form.lot_status())
        flash(_("Saved."), "success")
        return redirect(url_for("members.lot", lot_id=lot.id))
    return render_template("members/lot_form.html", form=form, lot=lot)
