"""The web view to the standard of a GOV.UK service, in a real browser: a crawler that signs in
as every role and visits every page it is offered at 1280 and at 320 pixels wide, following
every link and sending every form empty and with a date that cannot be; the bed board and the
occupancy board printed to PDF and read back with pdftotext; a blank arrival refused and an
early arrival that overbooks asked why; Back after every kind of post; a form sent after the
sign-in ended kept; the time-out warning. Run by web_view_tests.py, with axe on every page.
"""
import datetime
import random
import re
import subprocess
import tempfile
import urllib.parse

from playwright.sync_api import expect

import referral_and_region_tests as referrals

ROLES = ["admin", "manager", "night", "keyworker", "referrals", "regional", "pp"]
WIDTHS = [1280, 320]
# Words a page may show that look like codes: the premises' own codes and the service's name.
ALLOWED_WORDS = {"DEMO-ELM", "DEMO-OAK", "CRN", "NOMS", "PNC", "MAPPA", "AP", "APs", "CSV", "PDF", "CRU", "OK", "PIPE", "ESAP", "GP", "FM"}
CAMEL = re.compile(r"\b[a-z]+(?:[A-Z][a-z0-9]*)+\b")
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
REGION_RULE = {"resultTypes": ["violations"], "runOnly": {"type": "rule", "values": ["region"]}}


def reference_codes(run):
    """Codes of the national vocabularies that are not words of their own names (NW, CLOSURE, hasEnSuite…)."""
    token = run.token("admin")
    codes = set()
    for vocabulary in ["regions", "ap-types", "premises-characteristics", "room-characteristics", "departure-reasons",
                       "move-on-categories", "non-arrival-reasons", "cancellation-reasons", "out-of-service-reasons", "release-types"]:
        status, entries = run.api("GET", f"/reference/{vocabulary}", token=token)
        assert status == 200, entries
        names = " ".join(entry["name"] for entry in entries)
        for entry in entries:
            code = entry["code"]
            if len(code) >= 2 and not re.search(rf"\b{re.escape(code)}\b", names) and code not in ALLOWED_WORDS:
                codes.add(code)
    return codes


def shape(url):
    """A page's address with identifiers and dates taken out, so the crawl visits each kind of page a bounded number of times."""
    parts = urllib.parse.urlsplit(url)
    path = UUID.sub("{id}", parts.path)
    query = sorted(key for key, _ in urllib.parse.parse_qsl(parts.query) if key not in ("from", "page", "arrival", "to", "done"))
    return path + ("?" + "&".join(query) if query else "")


def visible_text_problems(page, codes):
    text = page.evaluate("document.body.innerText")
    found = []
    for word in set(CAMEL.findall(text)) | set(SNAKE.findall(text)):
        found.append(f"field or code name '{word}'")
    for date in set(ISO_DATE.findall(text)):
        found.append(f"a date not in words '{date}'")
    for identifier in set(UUID.findall(text)):
        found.append(f"a raw identifier '{identifier}'")
    words = set(re.findall(r"\b[A-Za-z_]{2,}\b", text))
    for code in codes & words:
        found.append(f"the code '{code}'")
    return found


def layout_problems(page):
    """Reflow (WCAG 1.4.10): the page as a whole never scrolls sideways; duplicate ids; a hidden button shown."""
    found = []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1] + 1:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.board-scroll, .table-scroll, .visually-hidden, .skip-link, .skip-board'))
            .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
        found.append(f"scrolls sideways: {width[0]} > {width[1]} ({wide})")
    duplicates = page.evaluate("""() => { const seen = {}; [...document.querySelectorAll('[id]')].forEach(e => seen[e.id] = (seen[e.id] || 0) + 1);
        return Object.keys(seen).filter(k => seen[k] > 1); }""")
    if duplicates:
        found.append(f"duplicate ids {duplicates}")
    if page.locator("h1 .tag").count():
        found.append("a status tag inside the h1")
    return found


def check_page(run, page, codes, where):
    """Everything the crawler asks of a page, at the width it is shown."""
    problems = visible_text_problems(page, codes) + layout_problems(page)
    run.check(page)
    region = run.axe.run(page, options=REGION_RULE)
    if region.violations_count:
        problems.append("axe region rule:\n" + region.generate_report())
    assert not problems, f"{where}: " + "; ".join(problems)


def empty_form(page, form):
    """Clears every field a person fills in; answers whether the form has one a person must fill in (a date, a choice)."""
    return form.evaluate("""form => {
        let required = false;
        for (const e of form.elements) {
            if (e.type === 'hidden' || e.type === 'submit' || e.type === 'button') continue;
            if (e.type === 'radio' || e.type === 'checkbox') { e.checked = false; required = true; continue; }
            if (e.tagName === 'SELECT') { e.selectedIndex = 0; required = true; continue; }
            if ((e.name || '').match(/-(day|month|year)$/) || e.name.endsWith('-time')) required = true;
            e.value = '';
        }
        return required;
    }""")


def submit_and_check(run, page, form, codes, where):
    """Sends the form; it must be refused (400 after the redirect) with an error summary in words, and Back must work."""
    before = page.url
    with page.expect_navigation():
        form.locator("button[type='submit']").first.click()
    assert page.url != before or "draft=" in page.url, f"{where}: a refused form goes to its page again by a redirect"
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.title().startswith("Error:"), f"{where}: the title says there is an error"
    check_page(run, page, codes, where + " (refused)")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.go_forward()
    expect(page.locator(".error-summary")).to_be_visible()


def crawl(run, username, codes, limit=44):
    context = run.context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    run.sign_in(page, username)
    start = page.url
    queue, seen, visited = [start], {}, []
    forms_sent = set()
    while queue and len(visited) < limit:
        url = queue.pop(0)
        key = shape(url)
        if seen.get(key, 0) >= 1:
            continue
        seen[key] = seen.get(key, 0) + 1
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(url)
            assert response.status < 400, f"{username}: {url} answered {response.status}"
            check_page(run, page, codes, f"{username} at {width}px on {url}")
        visited.append(url)
        page.set_viewport_size({"width": 1280, "height": 900})
        for href in page.eval_on_selector_all("main a[href], nav a[href]", "links => links.map(a => a.href)"):
            parts = urllib.parse.urlsplit(href)
            if parts.netloc != urllib.parse.urlsplit(run.base).netloc or parts.path.startswith(("/assets", "/errors")):
                continue
            if "format=csv" in href or href.split("#")[0] == url:
                continue
            if shape(href) not in seen:
                queue.append(href.split("#")[0])
        # Every form that asks for something, sent empty and then with a date that cannot be.
        for index in range(page.locator("main form[method='post']").count()):
            form = page.locator("main form[method='post']").nth(index)
            action = shape(form.get_attribute("action") or url)
            if action in forms_sent or form.get_attribute("data-empty-is-an-answer") is not None or not empty_form(page, form):
                continue
            forms_sent.add(action)
            submit_and_check(run, page, form, codes, f"{username}: {action} sent empty")
            date_fields = page.locator("main form[method='post'] input[name$='-day']")
            if date_fields.count():
                page.goto(url)
                form = page.locator("main form[method='post']").nth(index)
                for field in form.locator("input[name$='-day']").all():
                    base = field.get_attribute("name")[:-4]
                    form.locator(f"input[name='{base}-day']").fill("30")
                    form.locator(f"input[name='{base}-month']").fill("2")
                    form.locator(f"input[name='{base}-year']").fill("2026")
                submit_and_check(run, page, form, codes, f"{username}: {action} with 30 February")
                expect(page.locator(".error-summary")).to_contain_text("must be a real date")
            page.goto(url)
        # GET filters with a date that cannot be: the 400 page naming the field, never a 500.
        for form in page.locator("main form.filter").all():
            if form.locator("input[name$='-day']").count():
                query = {name: value for name, value in run.form_fields(form).items()}
                for field in form.locator("input[name$='-day']").all():
                    base = field.get_attribute("name")[:-4]
                    query.update({f"{base}-day": "31", f"{base}-month": "4", f"{base}-year": "2026"})
                action = form.get_attribute("action") or urllib.parse.urlsplit(url).path
                response = page.goto(action + "?" + urllib.parse.urlencode(query))
                assert response.status == 400, f"{username}: {action} with 31 April answered {response.status}"
                expect(page.locator("main")).to_contain_text("must be a real date")
                check_page(run, page, codes, f"{username}: {action} filtered by 31 April")
                page.goto(url)
                break
    context.close()
    return visited


def test_every_role_is_offered_only_pages_it_may_see_and_each_reads_and_reflows(run):
    codes = reference_codes(run)
    run.book_without_bed("Crawl")
    totals = {}
    for username in ROLES:
        totals[username] = len(crawl(run, username, codes))
    assert all(count >= 3 for count in totals.values()), totals
    print(f"  crawled (pages per role): {totals}")


def pdf_text(page):
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        return subprocess.run(["pdftotext", "-layout", file.name, "-"], check=True, capture_output=True, text=True).stdout


def test_the_twelve_week_boards_print_every_night_with_names_and_no_navigation(run):
    placement = run.book_without_bed("Printed", arrival_in_days=70, nights=10)
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    page.goto(f"/premises/DEMO-ELM/placements/{placement['id']}/allocate")
    allocated = page.get_by_role("radio").count() > 0 and datetime.date.fromisoformat(placement["expectedArrival"]) < datetime.date.today() + datetime.timedelta(days=84)
    if allocated:
        page.get_by_role("radio").first.check()
        page.get_by_role("button", name="Allocate this bed").click()
        expect(page.locator(".notification-banner")).to_contain_text("Bed allocated")
    run.visit(page, "/premises/DEMO-ELM/beds?weeks=12")
    last = datetime.date.today() + datetime.timedelta(days=83)
    page.emulate_media(media="print")
    text = pdf_text(page)
    column = f"{last.day} {last.strftime('%b')}"
    assert column in text, f"the board's last night, {column}, is on paper"
    first_page, *rest = text.split("\f")
    assert rest, "twelve weeks take more than one page"
    for word in ["Sign out", "Previous period", "Print the board", "Skip", "Beta", "nights and move-on"]:
        assert word not in text, f"'{word}' is not printed"
    assert "Who the initials are" in text and re.search(r"\b[A-Z]{1,3}: [A-Z][a-z]+", text), "the key to the initials is printed with the names"
    if allocated:
        assert placement["personName"] in text, "the person allocated is named on paper"
    context.close()

    context = run.context()
    page = context.new_page()
    run.sign_in(page, "admin")
    run.visit(page, "/occupancy?weeks=12")
    page.emulate_media(media="print")
    text = pdf_text(page)
    assert column in text, f"the occupancy board's last night, {column}, is on paper"
    assert "Elm House (demo)" in text
    for word in ["Sign out", "Previous period", "Print the board", "Show"]:
        assert word not in text, f"'{word}' is not printed"
    context.close()


def test_a_blank_arrival_is_refused_naming_both_fields_and_an_overbooking_arrival_asks_why(run):
    placement = run.book_without_bed("Blank", arrival_in_days=2, nights=3)
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    run.visit(page, f"/premises/DEMO-ELM/placements/{placement['id']}/arrival")
    today = datetime.date.today()
    assert page.locator("#arrivedAt-day").input_value() == str(today.day), "the date that stands for now is shown in the form"
    assert re.fullmatch(r"\d\d:\d\d", page.locator("#arrivedAt-time").input_value())
    for part in ["day", "month", "year"]:
        page.locator(f"#arrivedAt-{part}").fill("")
    page.locator("#arrivedAt-time").fill("")
    page.get_by_role("button", name="Record the arrival").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Enter the date of arrival")
    expect(summary).to_contain_text("Enter the time of arrival")
    run.check(page)
    status, unchanged = run.api("GET", f"/placements/{placement['id']}", token=run.token("manager"))
    assert status == 200 and unchanged["status"] == "upcoming" and not unchanged.get("arrivedAt"), "nothing was recorded"
    page.locator("#arrivedAt-month").fill("13")
    page.locator("#arrivedAt-day").fill("1")
    page.locator("#arrivedAt-year").fill(str(today.year))
    page.locator("#arrivedAt-time").fill("25:00")
    page.get_by_role("button", name="Record the arrival").click()
    expect(summary).to_contain_text("The date of arrival must be a real date")
    expect(summary).to_contain_text("Enter the time of arrival as hours and minutes on the 24-hour clock")
    context.close()

    # A premises of one bed, taken tonight; a second person due in two days arrives today.
    premises = referrals.new_premises(run, "Full", beds=1, gender="men")
    admin = run.token("admin")
    for name, offset, nights in [("Tonight", 0, 2), ("Early", 2, 5)]:
        arrival = today + datetime.timedelta(days=offset)
        status, booked = run.api("POST", f"/premises/{premises['id']}/placements",
                                 {"crn": f"F{random.randint(100000, 999999)}", "personName": f"{name} {run.surname}", "expectedArrival": arrival.isoformat(),
                                  "expectedDeparture": (arrival + datetime.timedelta(days=nights)).isoformat()}, token=admin)
        assert status == 201, booked
    early = booked
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "admin")
    run.visit(page, f"/premises/{premises['code']}/placements/{early['id']}/arrival")
    page.get_by_role("button", name="Record the arrival").click()
    expect(page.locator(".error-summary")).to_contain_text("overbooks it")
    run.check(page)
    reason = page.get_by_label("Why the premises may be overbooked")
    expect(reason).to_be_visible()
    status, still = run.api("GET", f"/placements/{early['id']}", token=admin)
    assert still["status"] == "upcoming", "not recorded without the reason"
    reason.fill("Released early by the court; the second bed is being delivered today.")
    page.get_by_role("button", name="Record the arrival").click()
    expect(page.locator(".notification-banner")).to_contain_text("Arrival recorded")
    status, arrived = run.api("GET", f"/placements/{early['id']}", token=admin)
    assert arrived["status"] == "arrived", arrived
    context.close()


def test_back_after_every_kind_of_post_gives_the_page_again(run):
    placement = run.book_without_bed("Backward")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    base = f"/premises/DEMO-ELM/placements/{placement['id']}"

    def back_and_forward(expected_heading):
        page.go_back()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.go_forward()
        expect(page.get_by_role("heading", level=1)).to_contain_text(expected_heading)
        assert "chrome-error" not in page.url

    # Failure: the allocation sent without a bed.
    page.goto(base + "/allocate")
    page.get_by_role("button", name="Allocate this bed").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose a bed")
    back_and_forward("Allocate a bed")
    # Confirmation: the new dates checked.
    page.goto(base + "/dates")
    departure = datetime.date.fromisoformat(placement["expectedDeparture"]) + datetime.timedelta(days=1)
    run.fill_date(page, "expectedDeparture", departure)
    page.get_by_role("button", name="Check the dates").click()
    if page.get_by_label("Why the premises may be overbooked").count():
        page.get_by_label("Why the premises may be overbooked").fill("Agreed with the manager.")
        page.get_by_role("button", name="Check the dates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the new dates")
    back_and_forward("Check the new dates")
    page.get_by_role("link", name=re.compile("^Change")).first.click()
    assert page.locator("#expectedDeparture-day").input_value() == str(departure.day), "Change goes back to the answers given"
    # Success: a key worker assigned.
    page.goto(base + "/key-worker")
    page.get_by_label("Key worker", exact=True).select_option(index=1)
    page.get_by_role("button", name="Assign the key worker").click()
    expect(page.locator(".notification-banner")).to_contain_text("Key worker assigned")
    back_and_forward(placement["personName"])
    context.close()


def test_a_form_sent_after_the_sign_in_ended_is_kept_and_the_time_out_warning_offers_more_time(run):
    placement = run.book_without_bed("Kept")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    run.visit(page, f"/premises/DEMO-ELM/placements/{placement['id']}/non-arrival")
    page.get_by_label("Why did they not arrive?").select_option(index=1)
    page.get_by_label("Notes (optional)").fill("Kept across the sign-in: rang the prison, no transport.")
    # The session ends elsewhere (as at the end of a shift) while the form is open.
    token = next(c["value"] for c in context.cookies() if c["name"] == "ap_session")
    status, _ = run.api("POST", "/auth/sign-out", {}, token=token)
    assert status in (200, 204), status
    page.get_by_role("button", name="Record the non-arrival").click()
    assert "/sign-in" in page.url
    expect(page.locator(".notification-banner")).to_contain_text("your answers will be on the form")
    run.check(page)
    status, unchanged = run.api("GET", f"/placements/{placement['id']}", token=run.token("manager"))
    assert unchanged["status"] == "upcoming", "nothing recorded while signed out"
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    run.enter_code(page, "manager")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a non-arrival")
    expect(page.get_by_label("Notes (optional)")).to_have_value("Kept across the sign-in: rang the prison, no transport.")
    expect(page.locator(".notification-banner")).to_contain_text("Your sign-in had ended")
    run.check(page)
    page.get_by_role("button", name="Record the non-arrival").click()
    expect(page.locator(".notification-banner")).to_contain_text("Non-arrival recorded")
    context.close()

    # The time-out warning: the page's clock moved to five minutes before the sign-in ends.
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "night")
    ends = page.evaluate("Date.parse(document.body.dataset.sessionEnds)")
    page.add_init_script(f"(() => {{ const shift = {ends} - 4 * 60 * 1000 - Date.now(); const now = Date.now; Date.now = () => now() + shift; }})()")
    page.goto("/premises/DEMO-ELM")
    dialog = page.locator("#timeout-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("You will be signed out soon")
    run.check(page)
    with page.expect_response("**/session/extend") as answer:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204 and answer.value.headers.get("x-session-ends"), answer.value.status
    expect(dialog).to_be_hidden()
    context.close()


def test_a_browser_gets_html_for_an_unknown_address_and_406_for_the_api(run):
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    response = page.goto("/no-such-page")
    assert response.status == 404 and "text/html" in response.headers["content-type"], response.headers
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    run.check(page)
    response = page.goto("/premises/DEMO-ELM/placements/00000000-0000-0000-0000-000000000000")
    assert response.status == 404
    assert "00000000" not in page.locator("main").inner_text(), "no raw id on the page"
    api = context.request.get("/reference/regions", headers={"Accept": "text/html"})
    assert api.status == 406 and "text/html" in api.headers["content-type"], (api.status, api.headers)
    page.route("**/assets/app.js", lambda route: route.abort())
    page.goto("/premises/DEMO-ELM/beds")
    assert not page.get_by_role("button", name="Print the board").is_visible(), "a hidden button stays hidden without the script"
    context.close()


def test_getting_past_a_board_takes_a_few_tab_presses(run):
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    page.goto("/premises/DEMO-ELM/beds?weeks=12")
    for presses in range(1, 60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('skip-board')"):
            break
    else:
        raise AssertionError("the skip link before the board was never reached")
    expect(page.locator(".skip-board")).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "after-board", "the skip link moves focus past the board"
    context.close()


def test_the_footer_links_each_role_to_its_own_guide_which_opens(run):
    context = run.context()
    page = context.new_page()
    for username, guide in [("night", "The night shift with ap"), ("referrals", "The referral manager"),
                            ("manager", "The AP manager in the browser")]:
        run.sign_in(page, username)
        link = page.locator("footer").get_by_role("link", name=f"Your guide: {guide}")
        expect(link).to_be_visible()
        run.check(page)
        if username == "night":
            link.click()
            # The DocC site (Deploy/docs.sh) renders the article with its own script.
            expect(page.get_by_role("heading", level=1)).to_have_text(guide, timeout=15000)
            expect(page.get_by_role("heading", name="What the messages mean")).to_be_visible()
            assert "/docs/documentation/approvedpremises/nightshift" in page.url, page.url
        page.context.clear_cookies()
    response = context.request.get("/docs", max_redirects=0)
    assert response.status == 302 and response.headers["location"] == "/docs/documentation/approvedpremises/", response.headers
    context.close()
