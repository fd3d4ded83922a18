"""One way to write a page: guard it, load its object, run it, commit once.

Every view declares how it is guarded, with one of four decorators: ``coop_view(permission,
**loads)`` for a co-op's pages, ``account_view`` for a user's own account, ``platform_view`` for
the platform operator, ``public_view`` for anyone. Each runs the view inside the request's one
unit of work: a request that may write (any method but GET, HEAD and OPTIONS) is committed once,
after the view, when it answered below 400 and nothing was refused; otherwise it is rolled back.
Views never commit or roll back themselves.

``coop_view`` also loads the objects the URL names, always within the request's co-op (another
co-op's object answers 404, as a missing one does), and asks ``coop.access`` about the permission
for the page and then for its first object (its scope, and rules such as "their own statement").

A service refuses by raising ``DomainError``. A view shows the refusal beside the form's fields
with ``show_refusal``::

    if form.validate_on_submit():
        with show_refusal(form):
            account = services.add_account(...)
            flash(_("Account %(label)s is open.", label=account.label), "success")
            return redirect(url_for("ledger.accounts"))
    return render_template("ledger/account_form.html", form=form)

On a refusal the block is left, the unit of work rolled back, the message put beside its field
(or flashed, without a form), and the view carries on to render the form again. The database's
refusal of a unique constraint named in ``coop.duplicates`` (two people creating the same thing
at once) is shown the same way, with the constraint's message.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, g, request, url_for
from flask_login import current_user

from coop import access, duplicates, tenancy
from coop.access import Decision
from coop.db import SAFE_METHODS, get_session
from coop.errors import DomainError, apply_to_form
from coop.extensions import login_manager


# --- loading a page's object ----------------------------------------------------------------------

@dataclass(frozen=True)
class Load:
    """How a page finds the object its URL names, within the request's co-op.

    ``Load(Member, "number")`` reads the URL value ``number`` and finds the co-op's member with
    that number; ``Load(Account)`` given as ``account=`` reads ``account_id``. ``Load.by(func,
    "entry_id")`` asks ``func(session, coop, value)``, for a lookup that loads more at once.
    """

    target: Any
    column: str = "id"
    arg: str | None = None
    finder: Callable[[Any, Any, Any], Any] | None = None

    @classmethod
    def by(cls, finder: Callable[[Any, Any, Any], Any], arg: str) -> Load:
        return cls(None, arg=arg, finder=finder)

    def url_arg(self, name: str) -> str:
        return self.arg or (f"{name}_id" if self.column == "id" else self.column)

    def fetch(self, session, coop, value):
        if self.finder is not None:
            return self.finder(session, coop, value)
        model = self.target
        return session.scalar(sa.select(model).where(model.coop_id == coop.id,
                                                     getattr(model, self.column) == value))


def _as_load(spec: Any) -> Load:
    return spec if isinstance(spec, Load) else Load(spec)


def load_or_404(model: Any, value: Any, column: str = "id"):
    """An object of the request's co-op named by a query or form value; 404 when there is none."""
    if value is None or value == "":
        abort(404)
    found = Load(model, column).fetch(get_session(), g.coop, value)
    if found is None:
        abort(404)
    return found


# --- the unit of work -------------------------------------------------------------------------------

class show_refusal:  # noqa: N801  (used as a statement: "with show_refusal(form):")
    """Catch a service's refusal: roll back, show it beside its field, and go on after the block.

    Without a form the message is flashed. ``apply(form, error)`` replaces the default way of
    showing it; afterwards ``error`` holds the refusal, or None.
    """

    def __init__(self, form=None, *, apply: Callable[[Any, DomainError], None] | None = None):
        self.form = form
        self.apply = apply
        self.error: DomainError | None = None

    def __enter__(self) -> show_refusal:
        return self

    def __exit__(self, _type, error, _traceback) -> bool:
        if isinstance(error, sa.exc.IntegrityError):  # a unique rule that a request at once won
            error = duplicates.refusal_for(error)
        if not isinstance(error, DomainError):
            return False
        get_session().rollback()
        g.refused = True
        self.error = error
        if self.apply is not None:
            self.apply(self.form, error)
        elif self.form is not None:
            apply_to_form(self.form, error)
        else:
            flash(error.text, "error")
        return True

    def __bool__(self) -> bool:
        """True when the block was refused."""
        return self.error is not None


def _in_unit_of_work(view: Callable) -> Callable:
    """Run a view and end the request's unit of work: commit a write that succeeded, else roll back."""
    @functools.wraps(view)
    def run(*args, **kwargs):
        response = current_app.make_response(view(*args, **kwargs))
        session = g.get("db_session")
        if session is not None:
            if (request.method not in SAFE_METHODS and response.status_code < 400
                    and not g.get("refused")):
                session.commit()
            else:
                session.rollback()
        return response
    return run


# --- the guards ---------------------------------------------------------------------------------

def _refuse_anonymous():
    return login_manager.unauthorized()


def _answer(decision: Decision) -> None:
    if decision is Decision.HIDE:
        abort(404)
    if decision is Decision.FORBID:
        abort(403)


def coop_view(permission: str, **loads: Any) -> Callable:
    """Guard a co-op page and load its objects.

    Log-in required; a person with no role in the co-op gets 404 (its pages do not exist for
    them), one without the permission 403. Each keyword names an object the URL points to
    (``account=Account``, ``member=Load(Member, "number")``); a missing one answers 404. The
    first is the page's subject: the permission's scope and rule are decided on it.
    """
    access.rule_of(permission)  # fail at import time on a permission nobody defined
    specs = {name: _as_load(spec) for name, spec in loads.items()}

    def decorator(view: Callable) -> Callable:
        run = _in_unit_of_work(view)

        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return _refuse_anonymous()
            viewer = access.current_viewer()
            _answer(viewer.decide(permission))
            subject = None
            for name, spec in specs.items():
                found = spec.fetch(get_session(), g.coop, kwargs.pop(spec.url_arg(name)))
                if found is None:
                    abort(404)
                kwargs[name] = found
                subject = found if subject is None else subject
            if subject is not None:
                _answer(viewer.decide(permission, subject))
            return run(*args, **kwargs)

        guarded.access_permission = permission
        guarded.access_loads = specs
        return guarded
    return decorator


def platform_view(view: Callable) -> Callable:
    """Guard a platform operator's page (creating co-ops, reading the whole outbox)."""
    run = _in_unit_of_work(view)

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        if not current_user.is_platform_admin:
            abort(403)
        return run(*args, **kwargs)

    guarded.access_platform = True
    return guarded


def account_view(view: Callable) -> Callable:
    """Guard a page about the logged-in user's own account."""
    run = _in_unit_of_work(view)

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        return run(*args, **kwargs)

    guarded.access_account = True
    return guarded


def public_view(view: Callable) -> Callable:
    """Mark a page anyone may open (log-in, password reset, error pages, the application form)."""
    run = _in_unit_of_work(view)
    run.access_public = True
    return run


# --- co-op blueprints -------------------------------------------------------------------------------

def coop_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint whose routes live under /c/<coop_slug>/ and see the co-op as ``g.coop``."""
    blueprint = Blueprint(name, import_name, url_prefix="/c/<coop_slug>" + url_prefix)

    @blueprint.url_value_preprocessor
    def _load_coop(_endpoint, values):
        slug = values.pop("coop_slug", None) if values else None
        coop = tenancy.coop_by_slug(get_session(), slug) if slug else None
        if coop is None:
            abort(404)
        g.coop = coop

    @blueprint.url_defaults
    def _add_coop(_endpoint, values):
        if "coop_slug" not in values and g.get("coop") is not None:
            values["coop_slug"] = g.coop.slug

    return blueprint


def refreshing(body, waiting: bool, seconds: int = 3):
    """A page that reloads itself every few seconds while something it shows is being done.

    The ``Refresh`` header does what ``<meta http-equiv="refresh">`` does (templates carry the
    tag too); either works without JavaScript, on every browser.
    """
    response = current_app.make_response(body)
    if waiting:
        response.headers["Refresh"] = str(seconds)
    return response


def file_response(content: bytes, filename: str, mimetype: str, *, download: bool = True) -> Response:
    """A file for the browser: downloaded (or shown inline), never cached on a shared phone."""
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment" if download else "inline", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- reading the query string -----------------------------------------------------------------------
#
# Pages read their query arguments only through these readers, so a crafted address (a NUL byte,
# a number larger than the database holds, a date in year 1) is ignored here instead of failing in
# the database. ``coop.web`` refuses a NUL byte in any argument first, as a second line.

#: the largest id, number or count a query may name (PostgreSQL's ``integer``)
QUERY_INT_MAX = 2**31 - 1
#: the most pages a list offers; a larger ``?page=`` shows the last possible one (an empty page)
MAX_PAGE = 1_000_000
#: the dates a query may name: anything else is unreadable
QUERY_DATE_MIN, QUERY_DATE_MAX = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str, max_length: int) -> str:
    """A query value without control characters, cut to ``max_length`` and stripped."""
    return _CONTROL.sub("", value)[:max_length].strip()


def query_text(name: str, max_length: int = 100, default: str = "") -> str:
    """The text of ``?name=``, without control characters, at most ``max_length`` long."""
    value = request.args.get(name)
    return default if value is None else clean_text(value, max_length)


def query_choice(name: str, choices, default: str = "") -> str:
    """``?name=`` when it is one of ``choices``, else ``default``."""
    value = request.args.get(name)
    return value if value is not None and value in choices else default


def query_int(name: str, *, min: int = 1, max: int = QUERY_INT_MAX) -> int | None:
    """The whole number in ``?name=``, or None when there is none, it is unreadable or out of range."""
    return _bounded_int(request.args.get(name), min, max)


def _bounded_int(text: str | None, low: int, high: int) -> int | None:
    text = (text or "").strip()
    if not text or len(text) > 20 or not (text.isascii() and text.lstrip("+-").isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def query_date(name: str) -> dt.date | None:
    """The date in ``?name=`` (year-month-day), or None when there is none or it cannot be a date."""
    text = (request.args.get(name) or "").strip()
    if len(text) != 10:
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return value if QUERY_DATE_MIN <= value <= QUERY_DATE_MAX else None


def query_given(name: str) -> bool:
    """Whether something was written in ``?name=`` (to tell "unreadable" from "not asked")."""
    return bool((request.args.get(name) or "").strip())


def page_number() -> int:
    """The ``?page=`` of a paged list: 1 for anything that is not a page number, at most MAX_PAGE."""
    text = (request.args.get("page") or "").strip()
    if text.isdigit() and len(text) > 7:
        return MAX_PAGE
    return _bounded_int(text, 1, MAX_PAGE) or 1


def query_args(*leaving_out: str) -> dict[str, list[str]]:
    """The page's query string as ``url_for`` takes it, without the names ``leaving_out``.

    A name given twice keeps both values. Names starting with "_" are never carried over: to
    ``url_for`` they are its own options (``_external``, ``_scheme``...), not the reader's filters.
    """
    return {name: values for name, values in request.args.lists()
            if name not in leaving_out and not name.startswith("_")}


def this_url(**changes: Any) -> str:
    """This page's address with its query string changed, the reader's filters kept: the pager's
    ``this_url(page=3)``, a download's ``this_url(page=None, format="csv")`` (None leaves a name out)."""
    args = {**query_args(*changes), **(request.view_args or {})}
    args.update({name: value for name, value in changes.items() if value is not None})
    return url_for(request.endpoint, **args)


def query_form(form_class, **kwargs):
    """A GET filter form read from the query string, its values made safe for the database.

    Control characters are dropped from every value; a whole number the database cannot hold
    (or below its field's ``NumberRange``) and a date outside ``QUERY_DATE_MIN``..``QUERY_DATE_MAX``
    are treated as not given, with the field's error, so the page lists as if unfiltered.
    """
    from werkzeug.datastructures import MultiDict
    from wtforms import DateField, IntegerField
    from wtforms.validators import NumberRange

    names = [field.name for field in form_class(formdata=None, meta={"csrf": False})]
    args = MultiDict([(name, clean_text(value, 1000)) for name in names for value in request.args.getlist(name)])
    form = form_class(formdata=args, **kwargs)
    for field in form:
        if isinstance(field, IntegerField) and field.data is not None:
            ranges = [v for v in field.validators if isinstance(v, NumberRange)]
            low = max([v.min for v in ranges if v.min is not None], default=-QUERY_INT_MAX)
            high = min([v.max for v in ranges if v.max is not None], default=QUERY_INT_MAX)
            if not low <= field.data <= min(high, QUERY_INT_MAX):
                field.data = None
        elif isinstance(field, DateField) and field.data is not None:
            if not QUERY_DATE_MIN <= field.data <= QUERY_DATE_MAX:
                field.data = None
    return form
