"""Questions on the books: the register, asking (from a subject's page or in general), a question's
page with its history, the council's decision, the office's answer with documents, the asker's
assessment, following and "me too", and sending a question to the next general assembly.

Who does what is checked by the services (``questions`` and ``question_answers``): the page's
permission lets a role reach the form; the question's office decides who answers. A rejected
question is read only by its asker, the council and the officers (404 for anyone else).

For other areas' pages, templates read ``questions_about(kind, **ids)`` (a context processor of
this blueprint's and every template's): see ``templates/observatory/_questions_about.html``.
"""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from coop import access, submissions
from coop.calendar import today_in
from coop.db import get_session, utcnow
from coop.errors import DomainError, NotFoundError
from coop.forms import OnceForm
from coop.pages import Load, coop_view, page_number, query_args, show_refusal
from coop.text import whole_number
from ledger.permissions import VIEW_BOOKS
from meetings.observatory import question_answers as answers
from meetings.observatory import question_register as register
from meetings.observatory import questions as services
from meetings.observatory.models import Question, QuestionStatus, SubjectKind
from meetings.observatory.permissions import ANSWER_QUESTIONS, DECIDE_QUESTIONS, VIEW_OBSERVATORY
from meetings.observatory.views import bp
from meetings.permissions import MANAGE_MEETINGS
from members import reports as member_reports
from minga import commissions as minga_commissions
from minga.models import Commission


# --- forms ----------------------------------------------------------------------------------------------

class AskForm(OnceForm, FlaskForm):
    title = StringField(_l("Your question, in a line"), validators=[Length(max=services.MAX_TITLE)])
    body = TextAreaField(_l("What you want to know, and why"), validators=[Length(max=services.MAX_BODY)])
    hide_name = BooleanField(_l("Hide my name from other members (the oversight council and the officers still see it)"))


class DecideForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("accept", _l("Accept it and give it to an office")),
                                                   ("reject", _l("Reject it"))], default="accept")
    office = SelectField(_l("Office that answers"), validate_choice=False)
    commission = SelectField(_l("Commission (when a commission answers)"), validate_choice=False)
    reason = TextAreaField(_l("Reason for rejecting it (the asker reads it)"),
                           validators=[Optional(), Length(max=services.MAX_REASON)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[Length(max=answers.MAX_ANSWER)])
    files = MultipleFileField(_l("Documents (PDF, JPEG or PNG)"),
                              description=_l("Up to %(num)d files of at most %(mb)d MB each.",
                                             num=answers.MAX_ATTACHMENTS,
                                             mb=answers.MAX_ATTACHMENT_BYTES // (1024 * 1024)))


class AssessForm(FlaskForm):
    satisfactory = RadioField(_l("Did the answer satisfy you?"), validate_choice=False,
                              choices=[("yes", _l("Yes, it is satisfactory")), ("no", _l("No, it is not satisfactory"))])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=answers.MAX_COMMENT)])


class FollowForm(FlaskForm):
    action = StringField()


class SendForm(FlaskForm):
    pass


# --- helpers ----------------------------------------------------------------------------------------------

def _member():
    return member_reports.member_of_user(get_session(), g.coop, current_user.id)


def _reader() -> register.Reader:
    viewer = access.current_viewer()
    member = _member()
    return register.Reader(member.id if member is not None else None,
                           viewer.may(DECIDE_QUESTIONS) or viewer.may(ANSWER_QUESTIONS))


def _readable(question: Question, reader: register.Reader) -> None:
    if not register.may_read(reader, question):
        abort(404)


def subject_args(kind: str | None, args) -> dict:
    """A subject's ids from the page's query (``subject``, ``id``, and ``budget`` for a budget line)."""
    try:
        kind = SubjectKind(kind or SubjectKind.GENERAL)
    except ValueError:
        return {}
    names = services.SUBJECT_ARGS[kind]
    if kind is SubjectKind.BUDGET_LINE:
        return {"budget_id": args.get("budget"), "account_id": args.get("id")}
    return {names[0]: args.get("id")} if names else {}


def subject_link(question: Question, budget_year: int | None = None) -> tuple[str, dict] | None:
    """The page of a question's subject, where the reader may open one."""
    kind = question.subject_kind
    if kind is SubjectKind.EXPENSE:
        return "observatory.expense", {"expense_id": question.expense_id}
    if kind is SubjectKind.BUDGET_LINE and budget_year:
        return "observatory.budget_line", {"year": budget_year, "account_id": question.account_id}
    if kind is SubjectKind.RESOLUTION:
        return "meetings.resolution", {"resolution_id": question.resolution_id}
    if kind is SubjectKind.WORK_PACKAGE:
        return "observatory.work_package", {"package_id": question.work_package_id}
    if kind is SubjectKind.DUES_PLAN and access.can(VIEW_BOOKS):
        return "ledger.dues_plan", {"plan_id": question.dues_plan_id}
    if kind is SubjectKind.JOURNAL_ENTRY and access.can(VIEW_BOOKS):
        return "ledger.entry", {"entry_id": question.journal_entry_id}
    return None


def _labels() -> dict:
    return {"status_labels": services.STATUS_LABELS, "office_labels": services.OFFICE_LABELS,
            "subject_labels": services.SUBJECT_LABELS, "event_labels": services.EVENT_LABELS,
            "QuestionStatus": QuestionStatus}


@bp.app_context_processor
def _questions_about_helper():
    """``questions_about(kind, **ids)`` for any template (the observatory's partial uses it)."""
    def questions_about(kind, **ids):
        if not getattr(g, "coop", None) or not current_user.is_authenticated or not access.can(VIEW_OBSERVATORY):
            return []
        reader = _reader()
        return [(question, register.asker_name(reader, question))
                for question in register.about(get_session(), g.coop, reader, kind, ids)]
    return {"questions_about": questions_about}


# --- the register ----------------------------------------------------------------------------------------

@bp.route("/questions", methods=["GET"])
@coop_view(VIEW_OBSERVATORY)
def questions():
    db = get_session()
    reader = _reader()
    words = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    year = whole_number(request.args.get("year") or "")
    page = page_number()
    rows, total = register.search(db, g.coop, reader, words=words, status=status, year=year, page=page)
    return render_template("observatory/questions.html", rows=[(q, register.asker_name(reader, q)) for q in rows],
                           total=total, page=page, per_page=register.PER_PAGE, words=words, status=status,
                           year=year, years=register.years(db, g.coop), today=today_in(g.coop),
                           is_overdue=services.is_overdue, **_labels())


# --- asking -------------------------------------------------------------------------------------------------

@bp.route("/questions/ask", methods=["GET", "POST"])
@coop_view(VIEW_OBSERVATORY)
def ask():
    db = get_session()
    kind = request.args.get("subject") or SubjectKind.GENERAL.value
    ids = subject_args(kind, request.args)
    try:
        subject = services.find_subject(db, g.coop, kind, ids)
    except DomainError:
        abort(404)
    member = _member()
    form = AskForm()
    if form.validate_on_submit():
        with show_refusal(form) as refusal:
            sent = submissions.claim(db, g.coop, form.once_key.data)
            now = utcnow()
            question = services.ask_question(db, current_user, g.coop, member, title=form.title.data,
                                             body=form.body.data, hide_name=form.hide_name.data,
                                             subject_kind=subject.kind, subject_ids=subject.ids, now=now,
                                             today=today_in(g.coop))
            target = url_for("observatory.question", question_id=question.id)
            sent.finish(target)
            flash(_("Your question %(reference)s is registered. The oversight council will read it.",
                    reference=question.reference), "success")
            return redirect(target)
        answer = submissions.answer_if_sent(refusal)
        if answer:
            return answer
    return render_template("observatory/ask.html", form=form, subject=subject, member=member,
                           action=url_for("observatory.ask", **query_args()), **_labels())


# --- a question's page -----------------------------------------------------------------------------------

def _page(question: Question, *, assess_form=None, follow_error: str = ""):
    db = get_session()
    reader = _reader()
    _readable(question, reader)
    member = _member()
    viewer = access.current_viewer()
    today = today_in(g.coop)
    budget_year = None
    subject_text = ""
    try:
        subject = services.subject_of(db, g.coop, question)
        subject_text = subject.text
    except DomainError:
        subject = None
    if question.subject_kind is SubjectKind.BUDGET_LINE and question.budget_id:
        from ledger.models import Budget
        budget_year = db.scalar(sa.select(Budget.year).where(Budget.id == question.budget_id))
    followers, me_too = register.follow_counts(db, question)
    commission = db.get(Commission, question.commission_id) if question.commission_id else None
    is_asker = member is not None and member.id == question.asker_id
    return render_template(
        "observatory/question.html", question=question, asker_name=register.asker_name(reader, question),
        subject=subject, subject_text=subject_text, link=subject_link(question, budget_year),
        followers=followers, me_too=me_too, mine=register.following(db, question, reader.member_id),
        is_asker=is_asker, member=member, commission=commission, is_overdue=services.is_overdue(question, today),
        may_decide=viewer.may(DECIDE_QUESTIONS) and question.status is QuestionStatus.SUBMITTED,
        may_answer=question.status is QuestionStatus.ACCEPTED and services.answers_for(viewer.grants, question),
        may_send=viewer.may(MANAGE_MEETINGS) and services.may_go_to_assembly(question, today),
        assess_form=assess_form or (AssessForm(formdata=None) if is_asker else None),
        follow_form=FollowForm(formdata=None), follow_error=follow_error, **_labels())


@bp.route("/questions/<int:question_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, question=Load(Question, arg="question_id"))
def question(question: Question):
    return _page(question)


@bp.route("/questions/<int:question_id>/decide", methods=["GET", "POST"])
@coop_view(DECIDE_QUESTIONS, question=Load(Question, arg="question_id"))
def decide_question(question: Question):
    db = get_session()
    form = DecideForm()
    form.office.choices = [("", _("Choose…"))] + [(o.value, label) for o, label in services.OFFICE_LABELS.items()]
    form.commission.choices = [("", "—")] + [(str(c.id), c.name) for c in minga_commissions.commissions(db, g.coop)]
    if form.validate_on_submit():
        with show_refusal(form):
            accept = form.decision.data == "accept"
            services.decide_question(db, current_user, g.coop, question, accept=accept, office=form.office.data,
                                     commission_id=whole_number(form.commission.data or ""),
                                     reason=form.reason.data, now=utcnow(), today=today_in(g.coop))
            if accept:
                flash(_("Question %(reference)s is accepted and given to %(office)s; it is due on %(due)s.",
                        reference=question.reference, office=services.OFFICE_LABELS[question.office],
                        due=question.due_on.isoformat()), "success")
            else:
                flash(_("Question %(reference)s is rejected; the asker reads your reason.",
                        reference=question.reference), "success")
            return redirect(url_for("observatory.question", question_id=question.id))
    return render_template("observatory/decide.html", question=question, form=form,
                           asker_name=register.asker_name(_reader(), question), **_labels())


@bp.route("/questions/<int:question_id>/answer", methods=["GET", "POST"])
@coop_view(ANSWER_QUESTIONS, question=Load(Question, arg="question_id"))
def answer_question(question: Question):
    db = get_session()
    _readable(question, _reader())
    form = AnswerForm()
    if form.validate_on_submit():
        with show_refusal(form):
            uploads = [answers.Upload(f.filename or "", f.read()) for f in (form.files.data or [])
                       if f is not None and getattr(f, "filename", "")]
            answers.answer_question(db, current_user, g.coop, question, text=form.answer.data, uploads=uploads,
                                     now=utcnow())
            flash(_("Your answer to question %(reference)s is published; the asker and the followers are told.",
                    reference=question.reference), "success")
            return redirect(url_for("observatory.question", question_id=question.id))
    refused = ""
    if question.status is not QuestionStatus.ACCEPTED:
        refused = _("This question is not waiting for an answer.")
    elif not services.answers_for(access.current_viewer().grants, question):
        refused = _("Only the office this question was given to answers it.")
    return render_template("observatory/answer.html", question=question, form=form, refused=refused,
                           commission=db.get(Commission, question.commission_id) if question.commission_id else None,
                           **_labels())


@bp.route("/questions/<int:question_id>/attachments/<int:attachment_id>", methods=["GET"])
@coop_view(VIEW_OBSERVATORY, question=Load(Question, arg="question_id"))
def question_attachment(question: Question, attachment_id: int):
    _readable(question, _reader())
    try:
        found = answers.attachment_of(get_session(), g.coop, question, attachment_id)
    except NotFoundError:
        abort(404)
    return send_file(io.BytesIO(found.content), mimetype=found.content_type, download_name=found.filename,
                     as_attachment=found.content_type == "application/pdf")


@bp.route("/questions/<int:question_id>/assess", methods=["POST"])
@coop_view(VIEW_OBSERVATORY, question=Load(Question, arg="question_id"))
def assess_question(question: Question):
    db = get_session()
    _readable(question, _reader())
    form = AssessForm()
    if form.validate_on_submit():
        with show_refusal(form):
            answers.assess_question(db, current_user, g.coop, _member(), question,
                                     satisfactory=form.satisfactory.data, comment=form.comment.data, now=utcnow())
            flash(_("Thank you: your assessment of the answer is recorded."), "success")
            return redirect(url_for("observatory.question", question_id=question.id))
    return _page(question, assess_form=form)


@bp.route("/questions/<int:question_id>/follow", methods=["POST"])
@coop_view(VIEW_OBSERVATORY, question=Load(Question, arg="question_id"))
def follow_question(question: Question):
    db = get_session()
    _readable(question, _reader())
    form = FollowForm()
    if form.validate_on_submit():
        action = form.action.data
        with show_refusal(form) as refusal:
            services.follow_question(db, current_user, g.coop, _member(), question, follow=action != "unfollow",
                                     me_too=action == "me_too", now=utcnow())
            flash({"unfollow": _("You no longer follow this question."),
                   "me_too": _("Noted: you have the same question, and you follow it.")}.get(
                       action, _("You follow this question: you will hear of each change.")), "success")
            return redirect(url_for("observatory.question", question_id=question.id))
        if refusal:
            return _page(question, follow_error=refusal.error.text)
    return redirect(url_for("observatory.question", question_id=question.id))


@bp.route("/questions/<int:question_id>/to-assembly", methods=["GET", "POST"])
@coop_view(MANAGE_MEETINGS, question=Load(Question, arg="question_id"))
def send_question_to_assembly(question: Question):
    db = get_session()
    form = SendForm()
    today = today_in(g.coop)
    if form.validate_on_submit():
        with show_refusal(form):
            meeting, _item = answers.send_to_assembly(db, current_user, g.coop, question, now=utcnow(), today=today)
            flash(_("Question %(reference)s is on the order of the day of %(meeting)s.",
                    reference=question.reference, meeting=meeting.title), "success")
            return redirect(url_for("observatory.question", question_id=question.id))
    refused = ""
    if question.agenda_item_id is not None:
        refused = _("This question is on an assembly's agenda already.")
    elif not services.may_go_to_assembly(question, today):
        refused = _("Only a question whose answer did not satisfy the asker, or an overdue one, goes to the assembly.")
    meeting = answers.next_assembly(db, g.coop, utcnow())
    if not refused and meeting is None:
        refused = _("No general assembly is coming: prepare one first, then send the question to it.")
    return render_template("observatory/to_assembly.html", question=question, form=form, meeting=meeting,
                           refused=refused, **_labels())

