"""The web view in a real browser (Debian's Chromium through Playwright), against a real
`ap serve` on a real PostgreSQL with the demo data (Deploy/browser-test.sh starts both).

Every page a test visits is checked with axe-core (WCAG 2.0/2.1/2.2 A and AA rules): any
violation fails the run. Run: python web_view_tests.py --base http://127.0.0.1:PORT
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import struct
import time
import json
import random
import re
import sys
import traceback
import urllib.error
import urllib.request

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright, expect

PASSWORD = "demo-password"
# The demo accounts' second factor (DemoData.secondFactorSecret): Deploy/demo.sh prints it.
DEMO_SECRET = "DEMOAPDEMOAPDEMOAPDEMOAPDEMOAP22"


def totp(secret_base32, step):
    """RFC 6238's code of a 30-second step: HMAC-SHA1, dynamic truncation, six digits."""
    secret = base64.b32decode(secret_base32.replace(" ", "").upper() + "=" * (-len(secret_base32.replace(" ", "")) % 8))
    mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
AXE_OPTIONS = {"resultTypes": ["violations"], "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


class Run:
    """What the tests share: the service's address, the browser, and the pages axe has checked."""

    def __init__(self, base, browser):
        self.base = base
        self.browser = browser
        self.axe = Axe()
        self.checked = {}
        # Each code works once: the last step used per account, and the sessions already open
        # (a test that needs a signed-in page is given one, as a person keeps theirs all shift).
        self.last_step = {}
        self.tokens = {}
        self.cookies = {}
        # The secrets of accounts a test made, set up at their first sign-in (the demo's share DEMO_SECRET).
        self.secrets = {}
        # Names unique to this run, so a run against a database used before finds its own people.
        self.surname = "".join(random.choices("BCDFGHJKLMNPRSTVWZ", k=1)) + "".join(random.choices("aeiou", k=1)) + "".join(random.choices("nrstlm", k=1)) + "son"

    def context(self, **options):
        return self.browser.new_context(base_url=self.base, **options)

    def check(self, page):
        """Runs axe on the page as it is now; any violation fails the test."""
        results = self.axe.run(page, options=AXE_OPTIONS)
        key = page.url.replace(self.base, "").split("?")[0]
        self.checked[key] = results.violations_count
        if results.violations_count:
            raise AssertionError(f"axe found {results.violations_count} violations on {page.url}:\n{results.generate_report()}")

    def visit(self, page, path):
        response = page.goto(path)
        self.check(page)
        return response

    # The API, to set up what a test needs (the same service, over HTTP).
    def api(self, method, path, body=None, token=None, headers=None):
        request = urllib.request.Request(self.base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def api_text(self, path, token):
        """A GET answered as text (a report's CSV)."""
        request = urllib.request.Request(self.base + path, headers={"Accept": "text/csv", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request) as response:
            return response.read().decode("utf-8")

    def code(self, username, secret=None):
        """The next code the service will take for an account: the earliest step of the three it
        accepts (now, one either side) after the last one used, waiting for the clock if needed."""
        secret = secret or self.secrets.get(username, DEMO_SECRET)
        while True:
            now = int(time.time() // 30)
            # The step before now's only while its code has ten seconds of life left.
            earliest = now - 1 if 30 - time.time() % 30 > 10 else now
            step = max(earliest, self.last_step.get(username, now - 2) + 1)
            if step <= now + 1:
                self.last_step[username] = step
                return totp(secret, step)
            time.sleep((step - 1) * 30 - time.time() + 0.5)

    def token(self, username):
        """A bearer token for a demo account, signed in once with its code and kept."""
        if username in self.tokens:
            status, _ = self.api("GET", "/me", token=self.tokens[username])
            if status == 200:
                return self.tokens[username]
        body = {"username": username, "password": PASSWORD}
        status, answer = self.api("POST", "/auth/sign-in", body)
        rules = [e["rule"] for e in answer.get("errors") or [] if e["field"] == "code"] if status == 401 else []
        if rules == ["enrol"]:
            status, enrolment = self.api("POST", "/auth/second-factor", body)
            assert status == 200, enrolment
            self.secrets[username] = enrolment["secret"]
        if rules:
            status, answer = self.api("POST", "/auth/sign-in", {**body, "code": self.code(username)})
        assert status == 200, answer
        self.tokens[username] = answer["token"]
        return answer["token"]

    def premises_id(self, token, code="DEMO-ELM"):
        status, body = self.api("GET", "/premises?limit=200", token=token)
        assert status == 200, body
        return next(p["id"] for p in body["items"] if p["code"] == code)

    def book_without_bed(self, name, arrival_in_days=3, nights=4):
        """A new placement at Elm House with no bed yet, booked by its manager through the API."""
        token = self.token("manager")
        premises = self.premises_id(token)
        today = datetime.date.today()
        for offset in range(0, 365, 5):
            arrival = today + datetime.timedelta(days=arrival_in_days + offset)
            body = {"crn": f"W{random.randint(100000, 999999)}", "personName": f"{name} {self.surname}",
                    "expectedArrival": arrival.isoformat(), "expectedDeparture": (arrival + datetime.timedelta(days=nights)).isoformat()}
            status, placement = self.api("POST", f"/premises/{premises}/placements", body, token=token)
            if status == 201:
                return placement
        raise AssertionError(f"could not book a placement at Elm House: {status} {placement}")

    def fill_date(self, page, field, date):
        """Types a date into a GOV.UK date input (`{field}-day`, `-month`, `-year`)."""
        page.locator(f"#{field}-day").fill(str(date.day))
        page.locator(f"#{field}-month").fill(str(date.month))
        page.locator(f"#{field}-year").fill(str(date.year))

    def form_fields(self, form):
        """Every named input of a form as it stands (hidden ones too), for sending it by hand."""
        return form.locator("input[name]").evaluate_all(
            "inputs => Object.fromEntries(inputs.filter(i => i.type !== 'radio' || i.checked).map(i => [i.name, i.value]))")

    def sign_in(self, page, username):
        """Signs a page's browser in as a demo account: with the session this run already has
        for it, while that lasts, else through the sign-in page and the code page."""
        if username in self.cookies:
            page.context.add_cookies([self.cookies[username]])
            page.goto("/")
            if "/sign-in" not in page.url:
                self.check(page)
                return
            page.context.clear_cookies()
        self.visit(page, "/sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        self.enter_code(page, username)
        self.cookies[username] = next(c for c in page.context.cookies() if c["name"] == "ap_session")

    def enter_code(self, page, username, secret=None):
        """On the code page (an account with a second factor), the app's code; on the set-up page
        (an account a test made), the secret shown is kept and its first code confirms it, and
        the recovery codes are passed. Axe checks each page."""
        if "/sign-in/enrol" in page.url:
            self.check(page)
            self.secrets[username] = page.locator("#secret").inner_text().replace(" ", "")
            page.get_by_label("Code").fill(self.code(username))
            page.get_by_role("button", name="Confirm and sign in").click()
            page.wait_for_load_state()
            page.get_by_role("button", name="I have kept my recovery codes: continue").click()
            page.wait_for_load_state()
        elif "/sign-in/code" in page.url:
            self.check(page)
            page.get_by_label("Code").fill(self.code(username, secret))
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()


def test_sign_in_and_out(run):
    context = run.context()
    page = context.new_page()
    response = page.goto("/premises/DEMO-ELM")
    assert "/sign-in" in page.url, "a page asked for before signing in goes to the sign-in page"
    run.check(page)
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert "/sign-in/code" in page.url and not any(c["name"] == "ap_session" for c in context.cookies()), "no session before the code"
    run.enter_code(page, "manager")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    assert page.url.endswith("/premises/DEMO-ELM"), "back to the page first asked for"
    run.check(page)
    cookie = next(c for c in context.cookies() if c["name"] == "ap_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    headers = page.goto("/premises/DEMO-ELM").headers
    assert "default-src 'self'" in headers["content-security-policy"] and "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"]
    page.get_by_role("button", name="Sign out").click()
    assert "/sign-in" in page.url
    page.goto("/premises/DEMO-ELM")
    assert "/sign-in" in page.url, "after signing out the session no longer opens pages"
    context.close()


def test_wrong_password_moves_focus_to_the_error_summary(run):
    context = run.context()
    page = context.new_page()
    run.visit(page, "/sign-in")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), "focus is on the error summary"
    run.check(page)
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "username", "the summary's link moves focus to its field"
    context.close()


def test_manager_allocates_a_bed_and_records_the_arrival(run):
    placement = run.book_without_bed("Robin")
    name = placement["personName"]
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    run.check(page)
    arrival = datetime.date.fromisoformat(placement["expectedArrival"])
    if arrival <= datetime.date.today() + datetime.timedelta(days=14):
        expect(page.locator("#no-bed + ul")).to_contain_text(name)
    run.visit(page, "/premises/DEMO-ELM/beds?weeks=4")
    expect(page.locator("caption")).to_contain_text("Beds by night")
    run.visit(page, f"/premises/DEMO-ELM/placements?tab=upcoming")
    row = page.locator("tr", has_text=name)
    expect(row.locator(".tag")).to_have_text("No bed yet")
    row.get_by_role("link", name=name).click()
    run.check(page)
    page.get_by_role("link", name="Allocate a bed").click()
    run.check(page)
    page.get_by_role("radio").first.check()
    bed = page.locator("label[for='bedId']").inner_text()
    page.get_by_role("button", name="Allocate this bed").click()
    expect(page.locator(".notification-banner")).to_contain_text("Bed allocated")
    run.check(page)
    assert bed.split(",")[0].replace("Bed ", "") in page.locator(".summary-list").inner_text()
    run.visit(page, f"/premises/DEMO-ELM/beds?from={arrival.isoformat()}&weeks=2")
    cell = page.locator(f"td[title^='{name}']").first
    expect(cell).to_contain_text("R" + run.surname[0])
    page.goto(f"/premises/DEMO-ELM/placements/{placement['id']}")
    page.get_by_role("link", name="Record the arrival").click()
    run.check(page)
    if arrival > datetime.date.today() + datetime.timedelta(days=7):
        page.get_by_label("Why they arrived early").fill("Released early by the court; the AP agreed by phone.")
    page.get_by_role("button", name="Record the arrival").click()
    if page.get_by_label("Why the premises may be overbooked").count():
        # Elm House may be full on the nights before the expected arrival (the demo and earlier tests book it).
        page.get_by_label("Why the premises may be overbooked").fill("Released early; the manager agreed to overbook.")
        page.get_by_role("button", name="Record the arrival").click()
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()
    expect(page.locator(".notification-banner")).to_contain_text("Arrival recorded")
    page.get_by_role("link", name="Record", exact=True).click()
    run.check(page)
    expect(page.locator("table")).to_contain_text("Arrived")
    for tab in ["Profile", "Key work", "Tests", "Move-on", "Curfew"]:
        # The placement's tabs ("Key work" is also in the service's navigation).
        page.get_by_role("navigation", name="Placement").get_by_role("link", name=tab, exact=True).click()
        run.check(page)
    context.close()


def test_another_premises_is_refused_and_a_residential_worker_is_offered_no_manager_actions(run):
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "other.manager")
    response = page.goto("/premises/DEMO-ELM")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    run.check(page)
    context.close()

    placement = run.book_without_bed("Sam")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "night")
    run.visit(page, f"/premises/DEMO-ELM/placements/{placement['id']}")
    assert page.get_by_role("link", name="Allocate a bed").count() == 0
    assert page.get_by_role("link", name="Cancel the placement").count() == 0
    expect(page.get_by_role("link", name="Record the arrival")).to_be_visible()
    response = page.goto(f"/premises/DEMO-ELM/placements/{placement['id']}/allocate")
    assert response.status == 403
    run.check(page)
    response = page.goto("/premises/NO-SUCH-AP")
    assert response.status == 404
    run.check(page)
    context.close()


def test_a_form_sent_twice_records_once(run):
    placement = run.book_without_bed("Drew")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    run.visit(page, f"/premises/DEMO-ELM/placements/{placement['id']}/allocate")
    form = page.locator("form[action$='/allocate']")
    fields = run.form_fields(form)
    fields["bedId"] = page.get_by_role("radio").first.get_attribute("value")
    path = f"/premises/DEMO-ELM/placements/{placement['id']}/allocate"
    first = context.request.post(path, form=fields, max_redirects=0, headers={"Origin": run.base})
    second = context.request.post(path, form=fields, max_redirects=0, headers={"Origin": run.base})
    assert first.status == 303 and second.status == 303, (first.status, second.status)
    assert first.headers["location"] == second.headers["location"]
    status, audit = run.api("GET", f"/audit?entity=placement&entityId={placement['id'].upper()}", token=run.token("admin"))
    assert status == 200, audit
    allocations = [entry for entry in audit["items"] if entry["action"] == "placement.allocate_bed"]
    assert len(allocations) == 1, f"one allocation recorded, not {len(allocations)}"
    context.close()


def test_a_form_without_its_csrf_token_or_from_another_site_is_refused(run):
    placement = run.book_without_bed("Casey")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    run.visit(page, f"/premises/DEMO-ELM/placements/{placement['id']}/allocate")
    page.get_by_role("radio").first.check()
    page.evaluate("document.querySelector(\"form[action$='/allocate'] input[name='csrf']\").remove()")
    page.get_by_role("button", name="Allocate this bed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    run.check(page)
    path = f"/premises/DEMO-ELM/placements/{placement['id']}/allocate"
    page.goto(path)
    fields = run.form_fields(page.locator("form[action$='/allocate']"))
    fields["bedId"] = page.get_by_role("radio").first.get_attribute("value")
    forged = context.request.post(path, form=fields, max_redirects=0, headers={"Origin": "http://evil.example"})
    assert forged.status == 403, forged.status
    cross = context.request.post(path, form=fields, max_redirects=0, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status == 403, cross.status
    status, audit = run.api("GET", f"/audit?entity=placement&entityId={placement['id'].upper()}", token=run.token("admin"))
    assert not [entry for entry in audit["items"] if entry["action"] == "placement.allocate_bed"], "nothing was recorded"
    context.close()


def test_a_form_with_a_mistake_moves_focus_to_the_field(run):
    placement = run.book_without_bed("Jamie")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    run.visit(page, f"/premises/DEMO-ELM/placements/{placement['id']}/allocate")
    page.get_by_role("button", name="Allocate this bed").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose a bed")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    run.check(page)
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "bedId"
    assert page.evaluate("document.activeElement.getAttribute('type')") == "radio"
    context.close()


def test_allocating_a_bed_with_the_keyboard_only(run):
    placement = run.book_without_bed("Kai")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")

    def tab_to(description, check, limit=300):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(check):
                return
        raise AssertionError(f"Tab never reached {description}")

    page.goto("/premises/DEMO-ELM/placements?tab=upcoming")
    tab_to("the placement's link", f"document.activeElement.textContent.trim() === '{placement['personName']}'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to("Allocate a bed", "document.activeElement.textContent.trim() === 'Allocate a bed'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    run.check(page)
    tab_to("the first bed", "document.activeElement.id === 'bedId'")
    page.keyboard.press("Space")
    tab_to("the button", "document.activeElement.textContent.trim() === 'Allocate this bed'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".notification-banner")).to_contain_text("Bed allocated")
    assert placement["id"] in page.url
    context.close()


def test_every_page_of_a_resident_worker_and_the_board_prints(run):
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "night")
    for path in ["/premises/DEMO-ELM", "/premises/DEMO-ELM/beds?weeks=12", "/premises/DEMO-ELM/placements?tab=current",
                 "/premises/DEMO-ELM/placements?tab=departed", "/premises/DEMO-ELM/placements?tab=upcoming&sort=person&order=descending"]:
        response = run.visit(page, path)
        assert response.status == 200, (path, response.status)
    run.visit(page, "/premises/DEMO-ELM/placements?tab=current")
    header = page.locator("th[aria-sort='ascending']")
    expect(header).to_have_count(1)
    page.goto("/premises/DEMO-ELM/beds?weeks=4")
    page.emulate_media(media="print")
    assert not page.locator(".service-navigation").is_visible(), "no navigation on paper"
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 1000
    context.close()

    context = run.context()
    page = context.new_page()
    run.sign_in(page, "admin")
    run.check(page)
    expect(page.get_by_role("link", name="Elm House (demo)")).to_be_visible()
    context.close()


def test_a_bed_taken_out_of_service_ended_and_cancelled(run):
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    run.visit(page, "/premises/DEMO-ELM/beds")
    page.get_by_role("link", name="Beds out of service").click()
    run.check(page)
    page.get_by_role("link", name="Take a bed out of service").click()
    run.check(page)
    first = datetime.date.today() + datetime.timedelta(days=400 + random.randint(0, 300))
    reference = f"WO-{run.surname}-{random.randint(1000, 9999)}"
    page.get_by_label("Bed", exact=True).select_option(index=1)
    run.fill_date(page, "start", first)
    run.fill_date(page, "end", first)
    page.get_by_label("Why", exact=True).select_option(index=1)
    page.get_by_label("Repair or work order reference (optional)").fill(reference)
    page.get_by_role("button", name="Take the bed out of service").click()
    expect(page.locator(".error-summary")).to_contain_text("must be after the first night out of service")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    run.check(page)
    run.fill_date(page, "end", first + datetime.timedelta(days=5))
    page.get_by_role("button", name="Take the bed out of service").click()
    expect(page.locator(".notification-banner")).to_contain_text("Bed taken out of service")
    run.check(page)
    row = page.locator("tr", has_text=reference)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="End early").click()
    run.check(page)
    run.fill_date(page, "end", first + datetime.timedelta(days=2))
    page.get_by_role("button", name="End the period early").click()
    expect(page.locator(".notification-banner")).to_contain_text("Out-of-service period ended")
    last = first + datetime.timedelta(days=1)
    expect(page.locator("tr", has_text=reference)).to_contain_text(f"to {last.strftime('%A')} {last.day} {last.strftime('%B')} {last.year}")

    page.get_by_role("link", name="Take a bed out of service").click()
    second = f"{reference}-again"
    page.get_by_label("Bed", exact=True).select_option(index=1)
    run.fill_date(page, "start", first + datetime.timedelta(days=10))
    run.fill_date(page, "end", first + datetime.timedelta(days=12))
    page.get_by_label("Why", exact=True).select_option(index=1)
    page.get_by_label("Repair or work order reference (optional)").fill(second)
    page.get_by_role("button", name="Take the bed out of service").click()
    expect(page.locator(".notification-banner")).to_contain_text("Bed taken out of service")
    page.locator("tr", has_text=second).get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel the out-of-service period")
    expect(page.locator(".warning-text")).to_contain_text("cannot be undone")
    run.check(page)
    page.get_by_role("button", name="Cancel the period").click()
    expect(page.locator(".notification-banner")).to_contain_text("Out-of-service period cancelled")
    expect(page.locator("tr", has_text=second)).to_have_count(0)
    context.close()

    context = run.context()
    page = context.new_page()
    run.sign_in(page, "night")
    run.visit(page, "/premises/DEMO-ELM/out-of-service")
    assert page.get_by_role("link", name="Take a bed out of service").count() == 0, "a residential worker is not offered it"
    assert page.get_by_role("link", name="Cancel").count() == 0
    assert page.goto("/premises/DEMO-ELM/out-of-service/new").status == 403
    context.close()


def test_a_handover_acknowledged_once(run):
    night = run.token("night")
    premises = run.premises_id(night)
    notes = f"Quiet night; {run.surname} asked about his benefits appointment."
    status, handover = run.api("POST", f"/premises/{premises}/handovers", {"shift": "night", "notes": notes, "tasks": ["Chase the GP letter"]}, token=night)
    assert status == 201, handover
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    link = page.locator(f"#handovers + ul a[href$='/handovers/{handover['id'].lower()}']")
    expect(link).to_have_count(1)
    link.click()
    run.check(page)
    expect(page.locator(".notes")).to_have_text(notes)
    expect(page.get_by_text("Chase the GP letter")).to_be_visible()
    form = page.locator("form[action$='/handovers/" + handover["id"].lower() + "']")
    fields = {name: form.locator(f"input[name='{name}']").input_value() for name in ["csrf", "formToken"]}
    page.get_by_role("button", name="I have read this handover").click()
    expect(page.locator(".notification-banner")).to_contain_text("Handover acknowledged")
    run.check(page)
    assert page.get_by_role("button", name="I have read this handover").count() == 0, "not offered twice"
    again = context.request.post(f"/premises/DEMO-ELM/handovers/{handover['id'].lower()}", form=fields, max_redirects=0, headers={"Origin": run.base})
    assert again.status == 303, again.status
    status, latest = run.api("GET", f"/premises/{premises}/handovers/latest", token=night)
    assert status == 200, latest
    mine = latest if latest["id"] == handover["id"] else None
    assert mine is not None and len(mine["acknowledgements"]) == 1, latest
    assert page.goto(f"/premises/DEMO-ELM/handovers/{handover['id'].lower()}").status == 200, "an acknowledged handover can still be read"
    other = run.api("POST", f"/premises/{run.premises_id(run.token('other.manager'), 'DEMO-OAK')}/handovers",
                    {"shift": "day", "notes": "Oak House only"}, token=run.token("other.manager"))
    assert other[0] == 201, other
    assert page.goto(f"/premises/DEMO-ELM/handovers/{other[1]['id'].lower()}").status == 404, "another premises' handover is not found at this one"
    context.close()


def test_changing_the_dates_shows_the_capacity_check_first(run):
    placement = run.book_without_bed("Alex")
    departure = datetime.date.fromisoformat(placement["expectedDeparture"])
    arrival = datetime.date.fromisoformat(placement["expectedArrival"])
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    page.goto(f"/premises/DEMO-ELM/placements/{placement['id']}")
    page.get_by_role("link", name="Change the dates").click()
    run.check(page)
    run.fill_date(page, "expectedDeparture", arrival)
    page.get_by_role("button", name="Check the dates").click()
    expect(page.locator(".error-summary")).to_contain_text("after the arrival")
    run.check(page)
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "expectedDeparture-day"
    new_departure = departure + datetime.timedelta(days=2)
    run.fill_date(page, "expectedDeparture", new_departure)
    page.get_by_role("button", name="Check the dates").click()
    if page.get_by_label("Why the premises may be overbooked").count():
        page.get_by_label("Why the premises may be overbooked").fill("The manager agreed: one more night before the move.")
        page.get_by_role("button", name="Check the dates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the new dates")
    expect(page.locator(".summary-list")).to_contain_text(re.compile("has room on every night|may be overbooked"))
    run.check(page)
    status, unchanged = run.api("GET", f"/placements/{placement['id']}", token=run.token("manager"))
    assert status == 200 and unchanged["expectedDeparture"] == departure.isoformat(), "nothing changes before the confirmation"
    page.get_by_role("button", name="Confirm the new dates").click()
    expect(page.locator(".notification-banner")).to_contain_text("Dates changed")
    run.check(page)
    status, changed = run.api("GET", f"/placements/{placement['id']}", token=run.token("manager"))
    assert status == 200 and changed["expectedDeparture"] == new_departure.isoformat(), changed
    context.close()


def test_key_worker_cancellation_and_a_planned_move_on(run):
    placement = run.book_without_bed("Morgan")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    page.goto(f"/premises/DEMO-ELM/placements/{placement['id']}")
    page.get_by_role("link", name="Assign a key worker").click()
    run.check(page)
    page.get_by_label("Key worker", exact=True).select_option(index=1)
    page.get_by_role("button", name="Assign the key worker").click()
    expect(page.locator(".notification-banner")).to_contain_text("Key worker assigned")
    page.get_by_role("link", name="Record a non-arrival").click()
    run.check(page)
    page.goto(f"/premises/DEMO-ELM/placements/{placement['id']}")
    page.get_by_role("link", name="Cancel the placement").click()
    run.check(page)
    page.get_by_label("Why is it cancelled?").select_option(index=1)
    page.get_by_role("button", name="Cancel the placement").click()
    expect(page.locator(".notification-banner")).to_contain_text("Placement cancelled")
    run.check(page)

    resident = run.book_without_bed("Rowan")
    manager = run.token("manager")
    arrival = datetime.date.fromisoformat(resident["expectedArrival"])
    body = {"arrivedAt": (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if arrival > datetime.date.today() + datetime.timedelta(days=7):
        body["earlyArrivalReason"] = "Released early; the AP agreed."
    status, arrived = run.api("POST", f"/placements/{resident['id']}/arrival", body, token=manager)
    assert status == 200, arrived
    page.goto(f"/premises/DEMO-ELM/placements/{resident['id']}")
    page.get_by_role("link", name="Record the departure").click()
    run.check(page)
    page.get_by_label("Reason for leaving").select_option("O")
    page.get_by_role("button", name="Record the departure").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose where they moved on to")
    run.check(page)
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "moveOnCategory"
    categories = page.locator("#moveOnCategory option").evaluate_all("options => options.map(o => o.value)")
    page.get_by_label("Where they moved on to").select_option(next(value for value in categories if value and value != "P"))
    page.get_by_role("button", name="Record the departure").click()
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()
    expect(page.locator(".notification-banner")).to_contain_text("Departure recorded")
    status, departed = run.api("GET", f"/placements/{resident['id']}", token=manager)
    assert status == 200 and departed["status"] == "departed" and departed["departureReason"] == "O", departed
    context.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("-k", default="")
    arguments = parser.parse_args()
    import referral_and_region_tests
    import govuk_tests
    import practitioner_tests
    import transfer_tests
    import day_work_tests
    import data_protection_tests
    import sign_in_tests
    everything = (list(globals().items()) + list(vars(referral_and_region_tests).items()) + list(vars(govuk_tests).items())
                  + list(vars(practitioner_tests).items()) + list(vars(transfer_tests).items())
                  + list(vars(day_work_tests).items()) + list(vars(data_protection_tests).items())
                  + list(vars(sign_in_tests).items()))
    tests = [(name, test) for name, test in everything if name.startswith("test_") and arguments.k in name]
    failed = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=arguments.chromium, args=CHROMIUM_ARGS)
        run = Run(arguments.base, browser)
        for name, test in tests:
            try:
                test(run)
                print(f"✔ {name}")
            except Exception:
                failed += 1
                print(f"✘ {name}")
                traceback.print_exc()
        browser.close()
    print(f"axe checked {len(run.checked)} pages: " + ", ".join(f"{page} ({count})" for page, count in sorted(run.checked.items())))
    print(f"browser tests: {len(tests) - failed} passed, {failed} failed")
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
