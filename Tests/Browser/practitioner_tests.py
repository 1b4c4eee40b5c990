"""The probation practitioner's way in, in a real browser: applying across two sessions (a draft
saved, signed out, resumed on another browser, submitted), a question from the referral unit
answered from their list, the booking, the arrival and the departure summary printed; a
keyboard-only apply; every mistake named on the page it belongs to; and nothing of anyone
else's (another practitioner's referral or draft, any AP page) there for them: 404 every time.
Run by web_view_tests.py, with axe on every page and no sideways scroll at 320 pixels.
"""
import datetime

from playwright.sync_api import expect

import govuk_tests
import referral_and_region_tests as referrals


def today():
    return datetime.date.today()


def practitioner(run, label):
    """A probation practitioner of this run, added by the administrator through the API."""
    username = f"pp.{label}.{run.surname.lower()}"
    status, body = run.api("POST", "/staff", {
        "username": username, "displayName": f"{label.capitalize()} {run.surname}", "role": "probation_practitioner",
        "password": "demo-password", "email": f"{username}@probation.example", "regionCode": "NW", "team": "Manchester South OMU",
    }, token=run.token("admin"))
    assert status == 201, body
    return username


def looked_at(run, page):
    """axe on the page, and at 320 pixels wide: no sideways scroll, no duplicate ids."""
    run.check(page)
    page.set_viewport_size({"width": 320, "height": 800})
    problems = govuk_tests.layout_problems(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not problems, f"{page.url} at 320px: {problems}"


def save(run, page):
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    looked_at(run, page)


def open_section(run, page, title):
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    looked_at(run, page)


def status_of(page, title):
    return page.locator(".task-list__item", has=page.get_by_role("link", name=title, exact=True)).locator(".task-list__status")


def fill_remaining_sections(run, page, person):
    arrival = today() + datetime.timedelta(days=50)
    open_section(run, page, "Sentence and release")
    page.get_by_label("Standard determinate licence").check()
    run.fill_date(page, "expectedRelease", arrival)
    run.fill_date(page, "expectedArrival", arrival)
    save(run, page)
    open_section(run, page, "Risk")
    page.get_by_label("High", exact=True).check()
    page.get_by_label("Risks to staff (optional)").fill("Verbal threats when he has been drinking")
    save(run, page)
    open_section(run, page, "Offences that decide the premises")
    page.get_by_label("Arson").check()
    save(run, page)
    open_section(run, page, "Needs")
    page.get_by_label("Physical health (optional)").fill("Diabetes: insulin twice a day")
    save(run, page)
    open_section(run, page, "Location")
    page.get_by_label("Home postcode district").fill("M14")
    page.get_by_label("Areas they would do well in (optional)").fill("South Manchester")
    save(run, page)
    open_section(run, page, "Licence conditions and curfew")
    page.get_by_label("Licence conditions (optional)").fill("Reside as directed; no contact with the victim")
    save(run, page)
    open_section(run, page, "First move-on plan")
    page.get_by_label("The first move-on plan").fill(f"{person} is on the housing register; his sister may help")
    save(run, page)


def test_a_practitioner_applies_over_two_sessions_and_follows_the_referral_to_its_departure_summary(run):
    username = practitioner(run, "apply")
    person = f"Casey {run.surname}"
    # First session: two sections, one with mistakes first, then signed out.
    context = run.context()
    page = context.new_page()
    run.sign_in(page, username)
    assert page.url.endswith("/referrals"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Your referrals")
    expect(page.get_by_role("navigation", name="Service").get_by_role("link")).to_have_text(["Your referrals"])
    looked_at(run, page)
    page.get_by_role("button", name="Start a new referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A new referral")
    looked_at(run, page)
    expect(status_of(page, "The person")).to_have_text("Not yet started")
    open_section(run, page, "The person")
    page.get_by_label("CRN").fill("X12")
    run.fill_date(page, "dateOfBirth", today() - datetime.timedelta(days=365 * 10))
    save(run, page)
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Enter the full name")
    expect(summary).to_contain_text("Choose the gender")
    expect(summary).to_contain_text("CRN must be a letter and six digits")
    expect(summary).to_contain_text("18 to 100 years old")
    assert page.title().startswith("Error:")
    page.get_by_label("CRN").fill("X654321")
    page.get_by_label("Full name").fill(person)
    run.fill_date(page, "dateOfBirth", datetime.date(1988, 6, 1))
    page.get_by_label("Man", exact=True).check()
    save(run, page)
    expect(page.locator(".notification-banner")).to_contain_text("The person: saved")
    expect(status_of(page, "The person")).to_have_text("Completed")
    expect(page.get_by_role("heading", level=1)).to_have_text(person)
    page.get_by_role("button", name="Sign out").click()
    context.close()

    # Another browser, another day: the draft is there, and the rest is done.
    context = run.context()
    page = context.new_page()
    run.sign_in(page, username)
    drafts = page.get_by_role("table", name="Referrals being written, the most recently saved first")
    expect(drafts).to_contain_text(person)
    expect(drafts).to_contain_text("1 of 8 sections")
    drafts.get_by_role("link", name=person).click()
    expect(status_of(page, "The person")).to_have_text("Completed")
    expect(page.get_by_text("Cannot start yet")).to_be_visible()
    fill_remaining_sections(run, page, person)
    expect(page.get_by_text("You have completed 8 of 8 sections.")).to_be_visible()
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting the referral")
    looked_at(run, page)
    expect(page.locator(".summary-list__row", has_text="Physical health")).to_contain_text("Diabetes")
    # A Change link goes to its question; saving comes back to the sections.
    page.get_by_role("link", name="Change Areas they would do well in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Location")
    page.get_by_label("Areas they would do well in (optional)").fill("South Manchester or Stockport")
    save(run, page)
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.locator(".summary-list__row", has_text="Areas they would do well in")).to_contain_text("Stockport")
    page.get_by_role("button", name="Submit the referral").click()
    expect(page.locator(".error-summary")).to_contain_text("Confirm that the information is true")
    looked_at(run, page)
    page.get_by_label("I confirm that the information in this referral is true").check()
    page.get_by_role("button", name="Submit the referral").click()
    expect(page.locator(".notification-banner")).to_contain_text("Your referral is submitted")
    expect(page.locator("main .tag").first).to_have_text("Submitted")
    looked_at(run, page)
    referral_id = page.url.split("/referrals/")[1].split("?")[0]

    # The referral unit asks a question; the practitioner answers it from their list.
    unit = run.token("referrals")
    status, body = run.api("POST", f"/referrals/{referral_id}/decisions",
                           {"decision": "request_information", "note": "Who supports him in Stockport?"}, token=unit)
    assert status == 200, body
    page.goto("/referrals")
    expect(page.locator(".inset-text")).to_contain_text("waiting for your answer on one referral")
    row = page.get_by_role("table", name="Your referrals, those waiting for you first").get_by_role("row").nth(1)
    expect(row).to_contain_text(person)
    expect(row).to_contain_text("Information requested")
    expect(row).to_contain_text("Answer the referral unit's question")
    looked_at(run, page)
    row.get_by_role("link", name=person).click()
    expect(page.locator(".inset-text")).to_contain_text("Who supports him in Stockport?")
    page.get_by_role("link", name="Answer the question").click()
    looked_at(run, page)
    page.get_by_label("The answer").fill("His sister, who visits weekly")
    page.get_by_role("button", name="Record the answer").click()
    expect(page.locator(".notification-banner")).to_contain_text("The answer is recorded")
    expect(page.locator(".story")).to_contain_text("His sister, who visits weekly")

    # Accepted and booked at an AP of the run's own: the practitioner sees where, how to ring it, and when.
    status, body = run.api("POST", f"/referrals/{referral_id}/decisions", {"decision": "accept"}, token=unit)
    assert status == 200, body
    premises = referrals.new_premises(run, "Pp", beds=2, gender="men")
    admin = run.token("admin")
    request = {"address": "4 Probation Road, Manchester", "telephone": "0161 496 0123"}
    status, body = run.api("PATCH", f"/premises/{premises['id']}", request, token=admin, headers={"If-Match": '"1"'})
    assert status == 200, body
    # Arson needs an arson-suitable room.
    status, room2 = run.api("POST", f"/premises/{premises['id']}/rooms", {"name": "Room A", "characteristics": ["isArsonSuitable"]}, token=admin)
    assert status == 201, room2
    status, bed = run.api("POST", f"/rooms/{room2['id']}/beds", {"label": "A1", "inUseFrom": today().isoformat()}, token=admin)
    assert status == 201, bed
    status, booked = run.api("POST", f"/referrals/{referral_id}/booking", {
        "premisesId": premises["id"], "bedId": bed["id"], "arrival": today().isoformat(),
        "departure": (today() + datetime.timedelta(days=30)).isoformat()}, token=unit)
    assert status == 201, booked
    page.reload()
    expect(page.locator("main .tag").first).to_have_text("Booked")
    story = page.locator(".story")
    expect(story).to_contain_text(f"Booked at {premises['name']}")
    expect(story).to_contain_text("4 Probation Road, Manchester")
    expect(story).to_contain_text("Telephone: 0161 496 0123")
    looked_at(run, page)

    placement = booked["placement"]["id"]
    status, body = run.api("POST", f"/placements/{placement}/arrival", {"arrivedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}, token=admin)
    assert status == 200, body
    page.reload()
    expect(page.locator("main .tag").first).to_have_text("Arrived")
    expect(story).to_contain_text(f"Arrived at {premises['name']}")
    status, body = run.api("POST", f"/placements/{placement}/departure", {
        "departedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "reason": "O",
        "moveOnCategory": "MC07", "notes": "To his sister's"}, token=admin)
    assert status == 200, body
    page.reload()
    expect(page.locator("main .tag").first).to_have_text("Departed")
    expect(story).to_contain_text("Moved on to: Living with family / partner / other")
    page.get_by_role("link", name="Read the departure summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Departure summary")
    looked_at(run, page)
    expect(page.locator(".summary-list__row", has_text="Premises")).to_contain_text(premises["name"])
    printed = govuk_tests.pdf_text(page)
    assert person in printed and "Departure summary" in printed, printed[:500]
    assert "Your referrals" not in printed, "the navigation is not printed"
    context.close()


def test_a_practitioner_applies_with_the_keyboard_only(run):
    username = practitioner(run, "keys")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, username)

    def tab_to(description, check, limit=200):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(check):
                return
        raise AssertionError(f"Tab never reached {description}")

    def press_and_wait(key):
        with page.expect_navigation():
            page.keyboard.press(key)

    def fill_by_keyboard(values, ticks=()):
        """Tabs through the page's form: types each value into its field, ticks each named choice, then sends it."""
        for _ in range(120):
            page.keyboard.press("Tab")
            focused = page.evaluate("[document.activeElement.name || '', document.activeElement.type || '', document.activeElement.value || '', document.activeElement.textContent.trim()]")
            name, kind, value, text = focused
            if kind == "submit" and text == "Save and continue":
                press_and_wait("Enter")
                return
            if name in values and kind in ("text", "textarea"):
                page.keyboard.type(values[name])
            elif kind == "radio":
                wanted = [tick.split("=", 1)[1] for tick in ticks if tick.startswith(name + "=")]
                if wanted:
                    # Arrows move through a group of radios, choosing as they go.
                    for _ in range(12):
                        if page.evaluate("document.activeElement.value") == wanted[0]:
                            break
                        page.keyboard.press("ArrowDown")
                    page.keyboard.press("Space")
            elif kind == "checkbox" and f"{name}={value}" in ticks:
                page.keyboard.press("Space")
        raise AssertionError("Tab never reached Save and continue")

    tab_to("Start a new referral", "document.activeElement.textContent.trim() === 'Start a new referral'")
    press_and_wait("Enter")
    arrival = today() + datetime.timedelta(days=60)
    sections = [
        ("The person", {"crn": "K123456", "personName": f"Kit {run.surname}", "dateOfBirth-day": "2", "dateOfBirth-month": "3",
                        "dateOfBirth-year": "1980"}, ["gender=man"]),
        ("Sentence and release", {"expectedArrival-day": str(arrival.day), "expectedArrival-month": str(arrival.month),
                                  "expectedArrival-year": str(arrival.year)}, ["releaseType=licence"]),
        ("Risk", {}, ["roshOverall=medium"]),
        ("Offences that decide the premises", {}, ["offenceFlags=hateCrime"]),
        ("Needs", {}, []),
        ("Location", {"homeDistrict": "LS6"}, []),
        ("Licence conditions and curfew", {}, []),
        ("First move-on plan", {"moveOnPlan": "Back to his flat in Leeds"}, []),
    ]
    for title, values, ticks in sections:
        tab_to(title, f"document.activeElement.textContent.trim() === {title!r}")
        press_and_wait("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        fill_by_keyboard(values, ticks)
        expect(page.locator(".notification-banner")).to_contain_text(f"{title}: saved")
    tab_to("Check your answers", "document.activeElement.textContent.trim() === 'Check your answers and submit'")
    press_and_wait("Enter")
    tab_to("the declaration", "document.activeElement.id === 'declaration'")
    page.keyboard.press("Space")
    tab_to("Submit the referral", "document.activeElement.textContent.trim() === 'Submit the referral'")
    press_and_wait("Enter")
    expect(page.locator(".notification-banner")).to_contain_text("Your referral is submitted")
    looked_at(run, page)
    context.close()


def test_a_practitioner_finds_nothing_of_anyone_elses_404_every_time(run):
    first = practitioner(run, "one")
    second = practitioner(run, "two")
    # The first writes a draft and submits a referral (through the API, as another front end would).
    token = run.token(first)
    status, draft = run.api("POST", "/referral-drafts", None, token=token)
    assert status == 201, draft
    status, other = run.api("POST", "/referral-drafts", None, token=token)
    answers = {
        "person": {"crn": "Y123456", "personName": f"Yan {run.surname}", "dateOfBirth": "1979-01-05", "gender": "man"},
        "sentence": {"releaseType": "licence", "expectedArrival": (today() + datetime.timedelta(days=70)).isoformat()},
        "risk": {"roshOverall": "low"}, "offences": {}, "needs": {}, "location": {"homeDistrict": "M14"}, "licence": {},
        "move-on": {"moveOnPlan": "His own tenancy"},
    }
    for section, body in answers.items():
        status, saved = run.api("PUT", f"/referral-drafts/{other['id']}/sections/{section}", body, token=token)
        assert status == 200, saved
    status, referral = run.api("POST", f"/referral-drafts/{other['id']}/submission", {"declaration": True}, token=token)
    assert status == 201, referral
    placement = run.book_without_bed("Probe")

    context = run.context()
    page = context.new_page()
    run.sign_in(page, second)
    expect(page.get_by_text(f"Yan {run.surname}")).to_have_count(0)
    for path in [f"/referrals/{referral['id']}", f"/referrals/{referral['id']}/departure-summary",
                 f"/referrals/{referral['id']}/decide?decision=withdraw", f"/referrals/drafts/{draft['id']}",
                 f"/referrals/drafts/{draft['id']}/sections/person", f"/referrals/drafts/{draft['id']}/check",
                 f"/referrals/{referral['id']}/matches", "/premises", "/premises/DEMO-ELM", "/premises/DEMO-ELM/beds",
                 f"/premises/DEMO-ELM/placements/{placement['id']}", "/premises/DEMO-ELM/placements", "/premises/DEMO-ELM/handover",
                 "/occupancy", "/reports/occupancy", "/notifications"]:
        response = page.goto(path)
        assert response.status == 404, f"{path}: {response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        assert f"Yan {run.surname}" not in page.content() and "Elm House" not in page.content(), path
    looked_at(run, page)
    # By the API as well: the other's referral, draft and the AP's records.
    token2 = run.token(second)
    for path in [f"/referrals/{referral['id']}", f"/referrals/{referral['id']}/progress", f"/referral-drafts/{draft['id']}",
                 f"/placements/{placement['id']}", "/premises", "/reports/occupancy?from=2026-01-01&to=2026-02-01"]:
        status, body = run.api("GET", path, token=token2)
        assert status == 404, f"API {path}: {status} {body}"
    # A form without its CSRF token is refused and records nothing.
    page.context.clear_cookies()
    run.sign_in(page, first)
    page.goto(f"/referrals/drafts/{draft['id']}/sections/person")
    page.get_by_label("Full name").fill("Forged Name")
    page.evaluate("document.querySelector(\"main form input[name='csrf']\").remove()")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    status, body = run.api("GET", f"/referral-drafts/{draft['id']}", token=token)
    assert body["draft"]["answers"].get("personName") is None, body
    context.close()
