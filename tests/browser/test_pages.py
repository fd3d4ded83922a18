"""Each role's main pages read well on a 360 px phone and a 1280 px desktop (``page_problems``).

A page fails on sideways scrolling (of the page, or of a box that a keyboard cannot reach or
that has no name), a stacked table cell without its label (on the phone), a console error, a
failed request or one to another host, or an axe-core violation of serious or critical impact. Each failure names the page, the width and what is wrong, with selectors and
measurements; the screenshot of every page is in ``browser-screenshots/``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.browser.conftest import COOP, DESKTOP, PHONE, page_problems, record_problems, screenshot


@dataclass(frozen=True)
class Follow:
    """A page reached by the first link matching ``link`` on the page at ``start`` (then, from the page
    reached, by the first link matching each of ``then`` in turn)."""

    start: str
    link: str
    name: str
    then: tuple[str, ...] = ()


#: Minga's pages are reached from their lists: a session, a commission, a close (ids differ by database)
MINGA_SESSION = Follow(f"{COOP}/minga/", "article.session h2 a[href*='/minga/sessions/']", "minga session")
MANAGED_SESSION = Follow(f"{COOP}/minga/manage/", "table th a[href*='/minga/manage/sessions/']",
                         "minga managed session")
#: the quebrada's last session, whose attendance its coordinator has still to record
ATTENDANCE = Follow(f"{COOP}/minga/manage/", "section:last-of-type table th a[href*='/minga/manage/sessions/']",
                    "minga attendance", then=("a[href$='/attendance']",))
#: the meetings' pages: the coming ordinary assembly (convened), last year's (closed, approved minutes)
COMING_ASSEMBLY = Follow(f"{COOP}/meetings/", "section:first-of-type table th a:has-text('Asamblea general')",
                         "coming assembly")
PAST_ASSEMBLY = Follow(f"{COOP}/meetings/", "section:last-of-type table th a:has-text('Asamblea general')", "past assembly")
BLOCK_ASSEMBLY = Follow(f"{COOP}/meetings/", "table th a[href*='/meetings/']:has-text('bloque B')", "block assembly")
MINUTES = Follow(PAST_ASSEMBLY.start, PAST_ASSEMBLY.link, "approved minutes", then=("a[href$='/minutes']",))
RESOLUTION = Follow(f"{COOP}/meetings/resolutions", "table a[href*='/meetings/resolutions/']", "resolution")
#: the observatory's pages, reached from its lists: this year's participatory budget (newest first,
#: in its support phase), last year's (decided), a question, a work package, a budget line, an expense
OBS = f"{COOP}/observatory"
THIS_BUDGET = Follow(f"{OBS}/budgets", "table tbody tr:first-child th a[href*='/observatory/budgets/']",
                     "participatory budget")
PAST_BUDGET = Follow(f"{OBS}/budgets", "table tbody tr:last-child th a[href*='/observatory/budgets/']",
                     "past participatory budget")
QUESTION = Follow(f"{OBS}/questions", "table th a[href*='/observatory/questions/']", "question")
WORK_PACKAGE = Follow(f"{OBS}/work", "table th a[href*='/observatory/work/']", "work package")
BUDGET_LINE = Follow(f"{OBS}/budget", "table th a[href*='/lines/']", "budget line")
OBS_EXPENSE = Follow(BUDGET_LINE.start, BUDGET_LINE.link, "observatory expense",
                     then=("table a[href*='/budget/expenses/']",))


def budget_page(name: str, suffix: str, start: Follow = THIS_BUDGET) -> Follow:
    """A page of one of the demo's participatory budgets, reached from its page by its address's ending."""
    return Follow(start.start, start.link, name, then=start.then + (f"a[href$='{suffix}']",))


#: pages meant to refresh themselves without JavaScript: the hall screen is projected for the room,
#: never read on one person's own device, and the issue asks that it follow the meeting unattended
SELF_REFRESHING = {"meeting hall screen"}


def meeting_page(name: str, suffix: str, start: Follow = BLOCK_ASSEMBLY) -> Follow:
    """A page of one of the demo's meetings, reached from its page by its address's ending."""
    return Follow(start.start, start.link, name, then=start.then + (f"a[href$='{suffix}']",))


PAGES: dict[str, list] = {
    "anonymous": ["/", "/login", f"{COOP}/apply"],
    "socia": [f"{COOP}/", f"{COOP}/me", f"{COOP}/books/me/statement", f"{COOP}/books/", f"{COOP}/me/contact",
              "/account", f"{COOP}/minga/", MINGA_SESSION, f"{COOP}/minga/me", f"{COOP}/minga/calendar",
              f"{COOP}/meetings/", COMING_ASSEMBLY, BLOCK_ASSEMBLY, MINUTES, f"{COOP}/meetings/resolutions",
              RESOLUTION, f"{COOP}/meetings/offices",
              f"{OBS}/", f"{OBS}/questions", QUESTION, f"{OBS}/questions/ask", f"{OBS}/budget", BUDGET_LINE,
              OBS_EXPENSE, f"{OBS}/budgets", THIS_BUDGET, budget_page("support ballot", "/ballot"),
              Follow(THIS_BUDGET.start, THIS_BUDGET.link, "proposal", then=("table a[href*='/proposals/']",)),
              PAST_BUDGET, budget_page("past results", "/results", PAST_BUDGET), f"{OBS}/work", WORK_PACKAGE,
              f"{OBS}/accountability"],
    "secretaria": [
        f"{COOP}/", f"{COOP}/members/", f"{COOP}/members/?q=toapanta", f"{COOP}/members/76",
        f"{COOP}/members/76/edit", f"{COOP}/members/applications",
        Follow(f"{COOP}/members/applications?status=pending", "table a[href*='/members/applications/']",
               "application"),
        f"{COOP}/members/households",
        Follow(f"{COOP}/members/households", "table a[href*='/members/households/']", "household"),
        f"{COOP}/members/lots", f"{COOP}/members/lots?page=2",
        Follow(f"{COOP}/members/lots", "table a[href*='/members/lots/']", "lot"),
        f"{COOP}/members/76?household_q=a#household", f"{COOP}/members/new", f"{COOP}/members/import",
        f"{COOP}/minga/commissions/",
        Follow(f"{COOP}/minga/commissions/", "table th a[href*='/minga/commissions/']", "minga commission"),
        f"{COOP}/minga/compliance", f"{COOP}/minga/hours",
        Follow(MINGA_SESSION.start, MINGA_SESSION.link, "minga office sign-ups", then=("a[href$='/sign-ups/new']",)),
        f"{COOP}/meetings/", f"{COOP}/meetings/new", f"{COOP}/meetings/rules", f"{COOP}/meetings/positions",
        COMING_ASSEMBLY, meeting_page("meeting agenda", "/agenda", COMING_ASSEMBLY),
        meeting_page("meeting notice", "/notice", COMING_ASSEMBLY), meeting_page("meeting roll", "/roll", COMING_ASSEMBLY),
        BLOCK_ASSEMBLY, meeting_page("meeting check-in", "/checkin"), meeting_page("meeting proxies", "/proxies"),
        meeting_page("meeting quorum", "/quorum"), meeting_page("meeting hall screen", "/hall"),
        PAST_ASSEMBLY, meeting_page("past minutes", "/minutes", PAST_ASSEMBLY),
        Follow(PAST_ASSEMBLY.start, PAST_ASSEMBLY.link, "past motion", then=("a[href*='/motions/']",)),
        Follow(PAST_ASSEMBLY.start, PAST_ASSEMBLY.link, "past election", then=("a[href*='/elections/']",)),
        f"{OBS}/", f"{OBS}/budgets/new", THIS_BUDGET, budget_page("paper ballot", "/paper-ballots"),
        budget_page("block results", "/blocks"), budget_page("live results", "/results"),
        budget_page("budget printing", "/print"), budget_page("budget change", "/edit"),
        budget_page("past decision", "/decision", PAST_BUDGET), f"{OBS}/work/new", WORK_PACKAGE,
        Follow(WORK_PACKAGE.start, WORK_PACKAGE.link, "work links", then=("a[href$='/links']",)),
        Follow(WORK_PACKAGE.start, WORK_PACKAGE.link, "work progress report", then=("a[href$='/updates']",)),
        Follow(f"{OBS}/questions?status=overdue", QUESTION.link, "question to the assembly",
               then=("a[href$='/to-assembly']",)),
    ],
    "tesoreria": [
        f"{COOP}/", f"{COOP}/books/", f"{COOP}/books/payments/", f"{COOP}/books/payments/new",
        f"{COOP}/books/payments/new?find=a",
        Follow(f"{COOP}/books/payments/", "table a[href*='/books/payments/']", "payment"),
        f"{COOP}/books/expenses/",
        Follow(f"{COOP}/books/expenses/", "table a[href*='/books/expenses/']", "expense"),
        f"{COOP}/books/expenses/new", f"{COOP}/books/arrears", f"{COOP}/books/trial-balance",
        f"{COOP}/books/journal", f"{COOP}/books/dues/", f"{COOP}/books/accounts",
        Follow(f"{COOP}/books/dues/", "table a[href*='/books/dues/']", "dues plan"),
        Follow(f"{COOP}/members/76", "a[href*='/books/members/'][href$='/statement']", "member statement"),
        f"{COOP}/minga/closes/",
        Follow(f"{COOP}/minga/closes/", "table th a[href*='/minga/closes/']", "minga close"),
        f"{OBS}/", Follow(f"{OBS}/", "section:has(h3) a[href*='/observatory/questions/']", "question answer",
                          then=("a[href$='/answer']",)),
    ],
    "vigilancia": [
        f"{COOP}/", f"{COOP}/audit", f"{COOP}/books/balance-sheet", f"{COOP}/books/income-statement",
        f"{COOP}/books/budget-vs-actual", f"{COOP}/books/construction-fund", f"{COOP}/books/periods",
        f"{COOP}/meetings/resolutions", RESOLUTION,
        f"{OBS}/", Follow(f"{OBS}/questions?status=submitted", QUESTION.link, "question decision",
                          then=("a[href$='/decide']",)),
    ],
    "minga": [f"{COOP}/", f"{COOP}/me", f"{COOP}/minga/manage/", MANAGED_SESSION, ATTENDANCE],
    "admin": [f"{COOP}/", f"{COOP}/admin/people", f"{COOP}/admin/settings", f"{COOP}/admin/jobs", f"{OBS}/settings",
              f"{COOP}/admin/outbox",
              Follow(f"{COOP}/admin/people", "a[href*='/admin/people/revoke']", "remove a role")],
    "operador": ["/platform/coops", "/platform/jobs", "/platform/outbox"],
}


def name_of(page) -> str:
    if isinstance(page, Follow):
        return page.name
    return page.removeprefix(COOP).strip("/").replace("/", " ").replace("?", " ") or "home"


CASES = [pytest.param(role, width, page, id=f"{role}-{width}-{name_of(page).replace(' ', '-')}")
         for role, pages in PAGES.items() for width in (PHONE, DESKTOP) for page in pages]


@pytest.mark.parametrize(("role", "width", "page"), CASES)
def test_page_reads_well_at_this_width(visitors, screenshots, role, width, page):
    visitor = visitors.get(role, width)
    path = page
    if isinstance(page, Follow):
        response = visitor.page.goto(page.start)
        assert response.ok, f"{page.start} answered {response.status}"
        href = visitor.page.locator(f"main {page.link}").first.get_attribute("href")
        assert href, f"no link {page.link} on {page.start}"
        for link in page.then:
            response = visitor.page.goto(href)
            assert response.ok, f"{href} answered {response.status}"
            found = visitor.page.locator(f"main {link}").first.get_attribute("href")
            assert found, f"no link {link} on {href}"
            href = found
        path = href
        visitor.watch.take()  # only the checked page counts
    response = visitor.page.goto(path)
    assert response.status == 200, f"{path} answered {response.status} to {role}"
    visitor.page.wait_for_load_state("load")
    problems = page_problems(visitor)
    if name_of(page) in SELF_REFRESHING:
        problems = [p for p in problems if not p.startswith("axe critical meta-refresh")]
    screenshot(visitor, screenshots, name_of(page))
    title = f"{role} at {width} px on {path}"
    if problems:
        record_problems(screenshots, title, problems)
    assert not problems, f"{title}:\n  " + "\n  ".join(problems)
