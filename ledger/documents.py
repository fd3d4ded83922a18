"""The books' printed reports that take a while: one way to register, ask for and render them.

A report whose PDF can take more than about a second (a general ledger of a busy account, the
arrears of every member, a statement of 25 years) is never rendered inside a web request: four
such requests would hold every worker of the site. Its page shows a small form ("Print PDF")
that posts the page's filters; the view turns them into the document's parameters, queues a
document task (``coop.tasks``) and sends the reader to the task's page, which refreshes itself
and then offers the file. Each report registers its renderer once, next to the view that knows
how its figures are gathered::

    @documents.report_document("arrears", label=_l("Arrears"), permission=VIEW_BOOKS)
    def render_arrears(session, coop, params, progress) -> bytes: ...

and its print view answers with ``documents.print_report("arrears", params, filename=...)``.
The parameters are the filters as the page read them (dates resolved, never "today"), so the
document shows what the page showed when it was asked for. Who may see the task (and download
its file) is the report's permission, with a rule about the task's parameters where the page
has a rule about its object (a member's own statement). A person may have only a few documents
waiting at once (``tasks.MAX_WAITING_PER_PERSON``): beyond that the page says so.

Single-record documents that render in well under a second (a receipt, a certificate) and the
short financial statements (trial balance, income statement, balance sheet) stay in the request.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coop import tasks
from coop.db import get_session
from coop.pages import show_refusal
from coop.web import reader_locale
from coop.tasks import Renderer, Task

#: report name -> task kind ("general_ledger" -> "ledger.general_ledger")
DOCUMENTS: dict[str, str] = {}


def kind_of(name: str) -> str:
    return f"ledger.{name}"


def report_document(name: str, *, label: str, permission: str,
                    rule: Callable[[Any, Task], bool] | None = None) -> Callable[[Renderer], Renderer]:
    """Decorator: the PDF of report ``name``, rendered in the background by ``render(session, coop, params,
    progress)``; seen by holders of ``permission`` for whom ``rule(viewer, task)`` holds, if given."""
    kind = kind_of(name)

    def decorator(render: Renderer) -> Renderer:
        DOCUMENTS[name] = kind
        return tasks.document_kind(kind, label=label, permission=permission, rule=rule)(render)
    return decorator


def request_report(name: str, params: dict, *, filename: str) -> Task:
    """Queue report ``name`` for the current reader (flushed, not committed); DomainError beyond the limit."""
    return tasks.submit(get_session(), g.coop, current_user, DOCUMENTS[name],
                        {"locale": reader_locale(), **params}, filename=filename)


def print_report(name: str, params: dict, *, filename: str, back: str, before: Callable[[], None] | None = None):
    """The answer of a print view: queue the report and go to its task's page.

    ``before`` runs first, inside the same refusal (a check such as "too many lines", the audit
    record). A refusal is flashed and the reader goes ``back`` to the report's page.
    """
    with show_refusal():
        if before is not None:
            before()
        task = request_report(name, params, filename=filename)
        flash(_("The document is being prepared. This page shows how far it got and then offers the file."),
              "success")
        return redirect(url_for("coop.task", task_id=task.id))
    return redirect(back)
