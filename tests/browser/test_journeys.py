"""The everyday jobs, done in Chromium as each person would: through links, forms and buttons.

Each journey logs in through the real form (or stays anonymous), follows the links a person
would follow, and fails on a console error, a failed request or a request to another host
anywhere along the way. Elements are found by their addresses and field names, not by their
wording, so that a better word on a page does not break a journey.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import time

from pypdf import PdfReader

from tests.browser.conftest import COOP, DESKTOP, PHONE, Visitor, screenshot

#: a valid Ecuadorian cédula (province 17, Pichincha) that the demo does not hold
NEW_CEDULA = "1712345675"


def submit(visitor: Visitor, form_selector: str) -> None:
    """Press the form's main button and wait for the page it leads to."""
    form = visitor.page.locator(form_selector)
    button = form.locator("button[type=submit].primary")
    if not button.count():
        button = form.locator("button[type=submit]")
    with visitor.page.expect_navigation():
        button.first.click()


def flashes(visitor: Visitor, kind: str = "success") -> str:
    return " ".join(visitor.page.locator(f".flash-{kind}").all_inner_texts())


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def open_pdf(visitor: Visitor, link) -> bytes:
    """Click a link to a PDF, as a person would (Chromium shows it), and return the document the server sent."""
    href = link.get_attribute("href")
    with visitor.page.expect_response(lambda response: response.url == visitor.url(href)) as answer:
        link.click()
    response = answer.value
    assert response.status == 200, f"{href} answered {response.status}"
    assert response.headers["content-type"] == "application/pdf", response.headers
    data = visitor.page.request.get(href).body()
    assert data.startswith(b"%PDF"), data[:40]
    return data


def assert_nothing_went_wrong(visitor: Visitor) -> None:
    problems = visitor.watch.take()
    assert not problems, "\n".join(problems)


def test_member_reads_their_statement_and_downloads_a_receipt(fresh, screenshots):
    socia = fresh("socia", PHONE)
    page = socia.page
    page.goto(f"{COOP}/me")
    with page.expect_navigation():
        page.locator("main a[href$='/books/me/statement']").first.click()
    assert page.url.endswith("/books/me/statement")
    screenshot(socia, screenshots, "journey statement")
    # the balance, the last column of the last row, can be read without scrolling sideways
    balance = page.locator("main table tbody tr").last.locator("td").last
    box = balance.bounding_box()
    assert balance.inner_text().strip().startswith(("$", "-$")), balance.inner_text()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, \
        f"the closing balance lies at x={box and round(box['x'])}..{box and round(box['x'] + box['width'])} px " \
        f"on a {PHONE} px screen"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE

    page.goto(f"{COOP}/me")
    data = open_pdf(socia, page.locator("main a[href$='/receipt.pdf']").first)
    assert "Ana" in pdf_text(data)  # the receipt names the member who paid: Ana Toapanta
    assert_nothing_went_wrong(socia)


def test_secretary_finds_a_member_edits_them_and_approves_an_application(fresh, screenshots):
    secretary = fresh("secretaria", DESKTOP)
    page = secretary.page
    page.goto(f"{COOP}/members/")
    page.fill("main form.filters input[name=q]", "toapanta")
    submit(secretary, "main form.filters")
    assert "q=toapanta" in page.url
    with page.expect_navigation():
        page.locator("main table a[href$='/members/76']").click()
    assert page.url.endswith("/members/76")

    with page.expect_navigation():
        page.locator("main a[href$='/members/76/edit']").click()
    page.fill("input[name=phone]", "0998765432")
    submit(secretary, "main form[method=post]")
    assert page.url.endswith("/members/76"), page.url
    assert flashes(secretary), page.inner_text("main")[:500]
    assert "0998765432" in page.inner_text("main")
    screenshot(secretary, screenshots, "journey member edited")

    page.goto(f"{COOP}/members/applications?status=pending")
    with page.expect_navigation():
        page.locator("main table a[href*='/members/applications/']").first.click()
    approve = "main form[action$='/approve']"
    if not page.input_value(f"{approve} input[name$=decision_date]"):
        page.fill(f"{approve} input[name$=decision_date]", dt.date.today().isoformat())
    page.fill(f"{approve} input[name$=resolution_ref]", "Asamblea general, resolución 7")
    submit(secretary, approve)
    assert re.search(r"/members/applications/\d+$", page.url), page.url
    assert re.search(r"\d", flashes(secretary)), page.inner_text("main")[:500]  # "… is member no. N"
    screenshot(secretary, screenshots, "journey application approved")
    assert_nothing_went_wrong(secretary)


def test_treasurer_records_a_payment_typed_with_a_decimal_point_and_opens_its_receipt(fresh, screenshots):
    treasurer = fresh("tesoreria", DESKTOP)
    page = treasurer.page
    page.goto(f"{COOP}/books/payments/new")
    page.fill("main input[name=member]", "76")
    page.fill("main input[name=amount]", "48.90")
    submit(treasurer, "main form[method=post]")
    assert re.search(r"/books/payments/\d+$", page.url), \
        f"the payment was not recorded: {page.inner_text('main')[:600]}"
    assert "48,90" in page.inner_text("main")  # read back in the co-op's Spanish: $48,90
    screenshot(treasurer, screenshots, "journey payment recorded")

    data = open_pdf(treasurer, page.locator("main a[href$='/receipt.pdf']"))
    assert "48,90" in pdf_text(data)
    assert_nothing_went_wrong(treasurer)


def test_applicant_applies_on_the_public_form(fresh, screenshots):
    applicant = fresh("anonymous", PHONE)
    page = applicant.page
    page.goto(f"{COOP}/apply")
    opened = time.monotonic()
    page.fill("input[name=given_names]", "Rosa Elena")
    page.fill("input[name=family_names]", "Cumbal Tasiguano")
    page.fill("input[name=document_number]", NEW_CEDULA)
    page.fill("input[name=phone]", "0987654321")
    page.fill("input[name=email]", "rosa.cumbal@correo.example")
    page.fill("textarea[name=address]", "Barrio Quebrada Verde, calle S/N")
    time.sleep(max(0.0, 3.5 - (time.monotonic() - opened)))  # a person takes a few seconds; robots don't
    submit(applicant, "main form[method=post]")
    assert page.url.endswith("/apply/sent"), page.inner_text("main")[:600]
    screenshot(applicant, screenshots, "journey applied")
    assert_nothing_went_wrong(applicant)


def test_language_switches_between_spanish_and_english(fresh, screenshots):
    visitor = fresh("anonymous", PHONE)
    page = visitor.page
    page.goto("/login")
    assert page.get_attribute("html", "lang") == "es"
    spanish_heading = page.inner_text("main h1")

    with page.expect_navigation():
        page.locator("footer form.lang button[value=en]").click()
    assert page.url.endswith("/login")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("main h1") != spanish_heading
    page.goto(f"{COOP}/apply")
    assert page.get_attribute("html", "lang") == "en"  # the choice holds on the next page
    screenshot(visitor, screenshots, "journey english")

    with page.expect_navigation():
        page.locator("footer form.lang button[value=es]").click()
    assert page.url.endswith("/apply")
    assert page.get_attribute("html", "lang") == "es"
    assert_nothing_went_wrong(visitor)


def test_member_signs_up_for_a_minga_session_and_cancels_on_a_phone(fresh, screenshots):
    socia = fresh("socia", PHONE)
    page = socia.page
    page.goto(f"{COOP}/minga/")
    # the first coming session she has no place in: two taps, the Minga link and this button
    form = page.locator("main article.session form[action$='/sign-up']").first
    session_path = form.get_attribute("action").removesuffix("/sign-up")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert flashes(socia), page.inner_text("main")[:500]
    page.goto(session_path)
    assert page.locator("main .my-place").count() == 1, page.inner_text("main")[:500]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    screenshot(socia, screenshots, "journey minga signed up")

    page.goto(f"{COOP}/minga/me")
    assert page.locator(f"main a[href$='{session_path}']").count() >= 1  # among her sign-ups

    page.goto(session_path)
    with page.expect_navigation():
        page.locator("main form[action$='/cancel'] button[type=submit]").click()
    assert flashes(socia), page.inner_text("main")[:500]
    page.goto(session_path)
    assert page.locator("main .my-place").count() == 0
    assert page.locator("main form[action$='/sign-up']").count() == 1  # she may sign up again
    screenshot(socia, screenshots, "journey minga cancelled")
    assert_nothing_went_wrong(socia)


def test_coordinator_records_a_minga_sessions_attendance_on_a_phone(fresh, screenshots):
    coordinator = fresh("minga", PHONE)
    page = coordinator.page
    page.goto(f"{COOP}/minga/manage/")
    # the quebrada's last session, the most recent one, waits for its attendance
    with page.expect_navigation():
        page.locator("main section:last-of-type table th a[href*='/minga/manage/sessions/']").first.click()
    with page.expect_navigation():
        page.locator("main a[href$='/attendance']").first.click()
    assert page.url.endswith("/attendance"), page.url
    rows = page.locator("main fieldset.attendance-row")
    assert rows.count() >= 3, page.inner_text("main")[:500]
    # everyone is marked present for the whole session; one did not come, one worked part of it
    absent, partial = rows.nth(0), rows.nth(1)
    absent.locator("input[type=radio][value=absent]").check()
    partial.locator("input[name$='-hours']").fill("4,5")
    absent_name, partial_name = absent.locator("legend").inner_text(), partial.locator("legend").inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    submit(coordinator, "main form[action$='/attendance']")
    assert flashes(coordinator), page.inner_text("main")[:800]
    recorded = {row.locator("legend").inner_text(): row.inner_text()
                for row in page.locator("main fieldset.attendance-row").all()}
    assert "4,5 h" in recorded[partial_name], recorded[partial_name]
    assert "4,5 h" not in recorded[absent_name] and "Ausente" in recorded[absent_name], recorded[absent_name]
    screenshot(coordinator, screenshots, "journey minga attendance")
    assert_nothing_went_wrong(coordinator)


def meeting_path(visitor: Visitor, title: str) -> str:
    """The address of the demo's meeting called ``title`` (demo data, not the interface's wording)."""
    page = visitor.page
    page.goto(f"{COOP}/meetings/")
    href = page.locator("main table th a[href*='/meetings/']", has_text=title).first.get_attribute("href")
    assert href, page.inner_text("main")[:500]
    return href


def task_pdf(visitor: Visitor, task_url: str, seconds: int = 90) -> bytes:
    """The file of the background task whose page is ``task_url``, once it is ready."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = visitor.page.request.get(task_url)
        if response.headers.get("content-type") == "application/pdf":
            return response.body()
        time.sleep(1)
    raise AssertionError(f"{task_url} gave no PDF within {seconds} s")


def test_member_votes_in_a_secret_ballot_from_a_phone(fresh, screenshots):
    socia = fresh("socia", PHONE)
    page = socia.page
    page.goto(meeting_path(socia, "Asamblea del bloque B"))
    # the block's assembly sits now and its secret ballot is open: the meeting page offers it
    with page.expect_navigation():
        page.locator("main a[href$='/ballot']").first.click()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    screenshot(socia, screenshots, "journey meetings ballot")
    with page.expect_navigation():
        page.locator("main form.ballot button[value=yes]").first.click()
    assert flashes(socia), page.inner_text("main")[:500]
    assert page.locator("main form.ballot").count() == 0, "the ballot is offered a second time"
    screenshot(socia, screenshots, "journey meetings voted")
    assert_nothing_went_wrong(socia)


def test_secretary_checks_people_in_runs_a_vote_and_prints_the_minutes_on_a_phone(fresh, screenshots):
    secretaria = fresh("secretaria", PHONE)
    page = secretaria.page
    meeting = meeting_path(secretaria, "Asamblea del bloque B")
    # at the door: a name typed, the first person found who has not come yet comes in
    page.goto(f"{meeting}/checkin")
    page.locator("main input[name=q]").fill("a")
    with page.expect_navigation():
        page.locator("main form.checkin-search button[type=submit]").click()
    arriving = page.locator("main ul.checkin-results li:not(.present)").first
    who = arriving.locator(".who").inner_text()
    with page.expect_navigation():
        arriving.locator("button[value=in]").click()
    assert flashes(secretaria), page.inner_text("main")[:500]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    screenshot(secretaria, screenshots, "journey meetings check-in")
    page.locator("main input[name=q]").fill(who.split("\n")[0])
    with page.expect_navigation():
        page.locator("main form.checkin-search button[type=submit]").click()
    assert page.locator("main ul.checkin-results li.present").count() >= 1, page.inner_text("main")[:500]

    # the motion in debate is put to a show of hands, counted and closed
    page.goto(meeting)
    motions = [link.get_attribute("href") for link in page.locator("main a[href*='/motions/']").all()]
    for href in motions:
        page.goto(href)
        if page.locator("main a[href$='/vote']").count():
            break
    with page.expect_navigation():
        page.locator("main a[href$='/vote']").first.click()
    page.locator("main select[name=mode]").select_option("hands")
    submit(secretaria, "main form[action$='/vote']")
    page.locator("main input[name=yes]").fill("20")
    page.locator("main input[name=no]").fill("6")
    page.locator("main input[name=abstain]").fill("2")
    submit(secretaria, "main form[action$='/totals']")
    submit(secretaria, "main form[action$='/close']")
    assert flashes(secretaria), page.inner_text("main")[:500]
    assert "20" in page.inner_text("main") and "6" in page.inner_text("main")
    screenshot(secretaria, screenshots, "journey meetings vote closed")

    # the draft minutes, printed in the background, name the meeting and the vote
    page.goto(f"{meeting}/minutes")
    submit(secretaria, "main form[action$='/minutes.pdf']")
    text = pdf_text(task_pdf(secretaria, page.url))
    assert "bloque B" in text and "Votar a favor de la casa comunal" in text, text[:800]
    assert_nothing_went_wrong(secretaria)


def refused(visitor: Visitor) -> None:
    """A refusal the journey provoked on purpose: the page answered it (4xx) and nothing else went wrong."""
    problems = visitor.watch.take()
    assert problems and all(re.match(r"HTTP 4(00|09|22): ", problem) or re.match(
        r"console error: Failed to load resource: the server responded with a status of 4(00|09|22) ", problem)
        for problem in problems), problems


def this_years_budget(visitor: Visitor) -> str:
    """The address of the demo's participatory budget open for support (the list is newest first)."""
    page = visitor.page
    page.goto(f"{COOP}/observatory/budgets")
    href = page.locator("main table tbody tr:first-child th a[href*='/observatory/budgets/']").first.get_attribute("href")
    assert href, page.inner_text("main")[:500]
    return href


def test_member_asks_about_an_expense_and_assesses_an_answer_on_a_phone(fresh, screenshots):
    socia = fresh("socia", PHONE)
    page = socia.page
    # from the budget open to members, down a line to one of its bills
    page.goto(f"{COOP}/observatory/budget")
    with page.expect_navigation():
        page.locator("main table th a[href*='/lines/']").first.click()
    with page.expect_navigation():
        page.locator("main table a[href*='/budget/expenses/']").first.click()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    screenshot(socia, screenshots, "journey observatory expense")
    with page.expect_navigation():
        page.locator("main a[href*='/observatory/questions/ask'][href*='subject=expense']").first.click()
    page.locator("main input[name=title]").fill("¿Por qué se pagó esta factura dos veces?")
    page.locator("main textarea[name=body]").fill("Veo un gasto parecido el mes anterior; ¿es el mismo trabajo?")
    submit(socia, "main form[action*='/questions/ask']")
    assert flashes(socia), page.inner_text("main")[:500]
    assert "¿Por qué se pagó esta factura dos veces?" in page.inner_text("main")
    assert re.search(r"C-\d{4}-\d+", page.inner_text("main")), page.inner_text("main")[:500]
    screenshot(socia, screenshots, "journey observatory question asked")

    # her question on the water bill has been answered: she says whether the answer satisfied her
    page.goto(f"{COOP}/observatory/questions?status=answered")
    links = [link.get_attribute("href") for link in page.locator("main table th a[href*='/observatory/questions/']").all()]
    for href in links:
        page.goto(href)
        if page.locator("main form[action$='/assess']").count():
            break
    form = "main form[action$='/assess']"
    assert page.locator(form).count(), "no answered question of hers to assess"
    page.locator(f"{form} input[name=satisfactory][value=no]").check()
    page.locator(f"{form} textarea[name=comment]").fill("Falta la factura del plomero.")
    submit(socia, form)
    assert flashes(socia), page.inner_text("main")[:500]
    assert page.locator(form).count() == 0, "the assessment is offered a second time"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    screenshot(socia, screenshots, "journey observatory assessed")
    assert_nothing_went_wrong(socia)


def test_member_supports_proposals_within_the_amount_on_a_phone(fresh, screenshots):
    socia = fresh("socia", PHONE)
    page = socia.page
    page.goto(this_years_budget(socia))
    with page.expect_navigation():
        page.locator("main a[href$='/ballot']").first.click()
    boxes = page.locator("main input[name=proposals]")
    assert boxes.count() >= 3, page.inner_text("main")[:500]
    # everything at once costs more than the amount: refused beside the field, nothing saved
    for index in range(boxes.count()):
        boxes.nth(index).check()
    submit(socia, "main form[action$='/ballot']")
    assert page.locator("main .has-error").count() == 1, page.inner_text("main")[:500]
    refused(socia)
    # two proposals fit: the ballot goes in, and is not offered again
    for index in range(boxes.count()):
        boxes.nth(index).set_checked(index < 2)
    submit(socia, "main form[action$='/ballot']")
    assert flashes(socia), page.inner_text("main")[:500]
    assert page.locator("main input[name=proposals]").count() == 0, "the ballot is offered a second time"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    screenshot(socia, screenshots, "journey observatory ballot sent")
    assert_nothing_went_wrong(socia)


def test_secretary_enters_a_members_paper_ballot_on_a_phone(fresh, screenshots):
    secretaria = fresh("secretaria", PHONE)
    page = secretaria.page
    page.goto(this_years_budget(secretaria))
    with page.expect_navigation():
        page.locator("main a[href$='/paper-ballots']").first.click()
    paper = page.url
    form = "main form[action$='/paper-ballots']"
    # the first member number whose owner has not taken part yet (a few already have, by phone or paper)
    for number in range(2, 40):
        page.goto(paper)
        page.locator(f"{form} input[name=member]").fill(str(number))
        page.locator(f"{form} input[name=proposals]").first.check()
        submit(secretaria, form)
        if flashes(secretaria):
            break
        assert page.locator("main .has-error").count() >= 1, page.inner_text("main")[:500]
        refused(secretaria)
    assert flashes(secretaria), page.inner_text("main")[:500]
    # the same member again: refused, naming the ballot already in
    page.goto(paper)
    page.locator(f"{form} input[name=member]").fill(str(number))
    page.locator(f"{form} input[name=proposals]").first.check()
    submit(secretaria, form)
    assert not flashes(secretaria) and page.locator("main .has-error").count() >= 1, page.inner_text("main")[:500]
    refused(secretaria)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE
    screenshot(secretaria, screenshots, "journey observatory paper ballot")
    assert_nothing_went_wrong(secretaria)
