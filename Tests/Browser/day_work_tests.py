"""Day staff's work in a real browser, none of it through `ap`: a key worker records a session
with two agreed actions (keyboard only) and moves one; a manager authorises testing and a
positive result is followed up; a move-on pathway goes from applied to accepted and the
departure summary prints; an incident is recorded (keyboard only) and amended; a breach's
outcome is recorded from the night's record; a bed is retired from a night and leaves the board;
an administrator adds a night worker who then signs in. An AP of the run's own (men's, near
Manchester) with its manager and key worker. Run by web_view_tests.py, with axe on every page.
"""
import datetime
import zoneinfo

from playwright.sync_api import expect

import referral_and_region_tests as referrals
import transfer_tests as transfers

LONDON = zoneinfo.ZoneInfo("Europe/London")


def staff_at(run, premises, role, label):
    """An account of `role` at `premises`, added by the administrator through the API."""
    username = f"{label.lower()}.{run.surname.lower()}"
    status, body = run.api("POST", "/staff", {"username": username, "displayName": f"{label} {run.surname}", "role": role,
                                              "premisesId": premises["id"], "password": "demo-password"}, token=run.token("admin"))
    assert status == 201, body
    return username, body


def ap_with_team(run, label):
    premises = transfers.premises_with_beds(run, label, 3)
    manager, _ = staff_at(run, premises, "ap_manager", f"Mgr{label}")
    keyworker, account = staff_at(run, premises, "key_worker", f"Kw{label}")
    return premises, manager, keyworker, account


def tab_to(page, description, check, limit=400):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(check):
            return
    raise AssertionError(f"Tab never reached {description}")


def type_into(page, element_id, text):
    """Tabs to the element with the id and types (keyboard only)."""
    tab_to(page, element_id, f"document.activeElement.id === '{element_id}'")
    page.keyboard.type(text)


def type_date(page, field, date):
    for part, value in (("day", date.day), ("month", date.month), ("year", date.year)):
        tab_to(page, f"{field}-{part}", f"document.activeElement.id === '{field}-{part}'")
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))


def test_a_key_worker_records_a_session_with_two_actions_by_keyboard_and_moves_one(run):
    premises, _, keyworker, account = ap_with_team(run, "Kw")
    admin = run.token("admin")
    lee = transfers.resident_at(run, premises, "Lee", arrived_days_ago=20)
    may = transfers.resident_at(run, premises, "May", arrived_days_ago=20)
    for placement in (lee, may):
        status, body = run.api("POST", f"/placements/{placement['id']}/key-worker", {"staffId": account["id"]}, token=admin)
        assert status == 200, body

    context = run.context()
    page = context.new_page()
    run.sign_in(page, keyworker)
    page.get_by_role("navigation", name="Service").get_by_role("link", name="Key work", exact=True).click()
    run.check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your key work")
    due = page.get_by_role("table", name="Sessions due or overdue, most overdue first")
    expect(due.get_by_role("row")).to_have_count(3)

    # Keyboard only: from the due list to the form, the fields, and the button.
    page.get_by_role("heading", level=1).focus()
    tab_to(page, "Lee's Record a session", "document.activeElement.tagName === 'A' && document.activeElement.textContent.includes('Record a session') && "
           f"document.activeElement.textContent.includes('Lee {run.surname}')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    run.check(page)
    type_into(page, "topics", "Housing, family")
    type_into(page, "notes", "Talked about the move to his sister's.")
    soon = datetime.date.today() + datetime.timedelta(days=3)
    type_into(page, "action1", "Call the council housing team")
    type_into(page, "owner1", f"Lee {run.surname}")
    type_date(page, "due1", soon)
    type_into(page, "action2", "Book a GP appointment")
    type_into(page, "owner2", "Key worker")
    type_date(page, "due2", soon + datetime.timedelta(days=4))
    tab_to(page, "the button", "document.activeElement.textContent.trim() === 'Record the session'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".notification-banner")).to_contain_text("Key-work session recorded")
    run.check(page)
    assert page.url.split("?")[0].endswith("/key-work")
    expect(page.get_by_role("table", name="Key-work sessions, newest first")).to_contain_text("Talked about the move")
    actions = page.get_by_role("table", name="Agreed actions")
    expect(actions).to_contain_text("Call the council housing team")
    expect(actions).to_contain_text("Book a GP appointment")

    # The due list is one shorter.
    run.visit(page, f"/premises/{premises['code']}/key-work")
    expect(page.get_by_role("table", name="Sessions due or overdue, most overdue first").get_by_role("row")).to_have_count(2)

    # An action moved to a new date: the old one closed as moved, a new one open.
    run.visit(page, f"/premises/{premises['code']}/placements/{lee['id']}/key-work")
    page.get_by_role("link", name="Open: update Book a GP appointment").click()
    run.check(page)
    page.get_by_role("button", name="Save the update").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose what has happened")
    run.check(page)
    page.get_by_label("Moved to a new date").check()
    run.fill_date(page, "dueOn", soon + datetime.timedelta(days=10))
    page.get_by_label("Why (needed when dropped)").fill("The surgery has no slots")
    page.get_by_role("button", name="Save the update").click()
    expect(page.locator(".notification-banner")).to_contain_text("Action moved")
    run.visit(page, f"/premises/{premises['code']}/placements/{lee['id']}/key-work")
    expect(page.get_by_role("table", name="Agreed actions")).to_contain_text("Moved")
    expect(page.get_by_role("table", name="Agreed actions").get_by_role("row")).to_have_count(4)
    context.close()


def test_a_manager_authorises_testing_and_a_positive_result_is_followed_up(run):
    premises, manager, _, _ = ap_with_team(run, "Tst")
    ned = transfers.resident_at(run, premises, "Ned", arrived_days_ago=5)
    context = run.context()
    page = context.new_page()
    run.sign_in(page, manager)
    run.visit(page, f"/premises/{premises['code']}")
    page.get_by_role("navigation", name="Records").get_by_role("link", name="Drug and alcohol testing").click()
    run.check(page)
    page.get_by_role("link", name="Authorise testing").click()
    page.get_by_role("button", name="Authorise testing").click()
    expect(page.locator(".error-summary")).to_be_visible()
    run.check(page)
    page.get_by_label("Random").check()
    page.get_by_label("On suspicion").check()
    run.fill_date(page, "from", datetime.date.today() - datetime.timedelta(days=2))
    page.get_by_label("What it rests on").fill("The AP's testing policy")
    page.get_by_role("button", name="Authorise testing").click()
    expect(page.locator(".notification-banner")).to_contain_text("Testing authorised")
    expect(page.get_by_role("table", name="Testing authorisations")).to_contain_text("On suspicion, Random")

    run.visit(page, f"/premises/{premises['code']}/placements/{ned['id']}/tests")
    page.get_by_role("link", name="Record a test").click()
    run.check(page)
    page.get_by_label("Why it was required").select_option("on_suspicion")
    page.get_by_label("Sample", exact=True).select_option("urine_instant")
    page.get_by_label("Yes, at the time it was required").check()
    page.get_by_role("button", name="Record the test").click()
    expect(page.locator(".notification-banner")).to_contain_text("Test recorded")
    run.check(page)
    page.get_by_role("link", name="Awaiting: record the result").click()
    run.check(page)
    page.get_by_label("Cocaine").select_option("positive")
    page.get_by_role("button", name="Record the result").click()
    expect(page.locator(".notification-banner")).to_contain_text("Result recorded")
    # The follow-up waits on the testing page (linked from today) until it is recorded.
    run.visit(page, f"/premises/{premises['code']}/tests")
    waiting = page.get_by_role("table", name="Results waiting for a follow-up")
    expect(waiting).to_contain_text(f"Ned {run.surname}")
    waiting.get_by_role("link", name=f"Record the follow-up for Ned {run.surname}").click()
    page.get_by_label("Referral to substance services").check()
    page.get_by_label("Notes (optional)").fill("Referred to the community drug team")
    page.get_by_role("button", name="Record the follow-up").click()
    expect(page.locator(".notification-banner")).to_contain_text("Follow-up recorded")
    expect(page.get_by_role("table", name="Drug and alcohol tests, newest first")).to_contain_text("Referral to substance services")
    run.visit(page, f"/premises/{premises['code']}/tests")
    expect(page.get_by_role("main")).to_contain_text("No result is waiting for a follow-up.")
    context.close()


def test_a_pathway_goes_from_applied_to_accepted_and_the_departure_summary_prints(run):
    premises, manager, _, _ = ap_with_team(run, "Mvo")
    oli = transfers.resident_at(run, premises, "Oli", arrived_days_ago=10)
    context = run.context()
    page = context.new_page()
    run.sign_in(page, manager)
    run.visit(page, f"/premises/{premises['code']}/placements/{oli['id']}/move-on")
    page.get_by_role("link", name="Add a move-on pathway").click()
    run.check(page)
    page.get_by_label("Pathway", exact=True).select_option("local_authority_housing")
    page.get_by_label("Detail (optional)").fill("Manchester City Council")
    page.get_by_role("button", name="Add the pathway").click()
    expect(page.locator(".notification-banner")).to_contain_text("Move-on pathway added")
    for status, label in (("applied", "Applied"), ("accepted", "Accepted")):
        page.get_by_role("link", name="Update Local authority housing").click()
        run.check(page)
        page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Save the update").click()
        expect(page.locator(".notification-banner")).to_contain_text("Pathway updated")
        expect(page.get_by_role("table", name="Pathways")).to_contain_text(label)
    expect(page.get_by_role("table", name="Pathways")).to_contain_text("Applied")
    page.get_by_role("link", name="Record the move-on address").click()
    page.get_by_label("Address").fill("Flat 2, 10 Wilmslow Road, Manchester M14 5AA")
    page.get_by_role("button", name="Record the address").click()
    expect(page.get_by_role("main")).to_contain_text("Flat 2, 10 Wilmslow Road")

    run.visit(page, f"/premises/{premises['code']}/placements/{oli['id']}/departure-summary")
    expect(page.get_by_role("button", name="Print the departure summary")).to_be_visible()
    import govuk_tests
    printed = govuk_tests.pdf_text(page)
    assert f"Oli {run.surname}" in printed and "Wilmslow Road" in printed, printed[:800]
    assert "Print the departure summary" not in printed and "Sign out" not in printed
    context.close()


def test_an_incident_recorded_by_keyboard_and_amended_shows_both_versions(run):
    premises, manager, keyworker, _ = ap_with_team(run, "Inc")
    pat = transfers.resident_at(run, premises, "Pat", arrived_days_ago=3)
    context = run.context()
    page = context.new_page()
    run.sign_in(page, keyworker)
    run.visit(page, f"/premises/{premises['code']}/incidents")
    page.get_by_role("heading", level=1).focus()
    tab_to(page, "Record an incident", "document.activeElement.textContent.trim() === 'Record an incident'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    run.check(page)
    tab_to(page, "kind", "document.activeElement.id === 'kind'")
    page.keyboard.type("Damage")
    tab_to(page, "severity", "document.activeElement.name === 'severity'")
    page.keyboard.press("ArrowDown")
    type_into(page, "location", "Lounge")
    type_into(page, "summary", "A chair was broken.")
    tab_to(page, "Pat", f"document.activeElement.name === 'residents' && document.activeElement.value === '{pat['id']}'")
    page.keyboard.press("Space")
    type_into(page, "actionTaken", "The chair was removed.")
    tab_to(page, "the button", "document.activeElement.textContent.trim() === 'Record the incident'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".notification-banner")).to_contain_text("Incident recorded")
    run.check(page)
    expect(page.get_by_role("main")).to_contain_text("A chair was broken.")
    expect(page.get_by_role("main")).to_contain_text(f"Pat {run.surname}")
    number = page.url.split("/incidents/")[1].split("?")[0]

    page.get_by_role("link", name="Amend this incident").click()
    run.check(page)
    page.get_by_label("What happened").fill("A chair and a lamp were broken.")
    page.get_by_role("button", name="Save the amendment").click()
    expect(page.locator(".error-summary")).to_contain_text("why you are amending it")
    page.get_by_label("Why you are amending it").fill("The lamp was found later")
    page.get_by_role("button", name="Save the amendment").click()
    expect(page.locator(".notification-banner")).to_contain_text("Incident amended")
    main = page.get_by_role("main")
    expect(main).to_contain_text("A chair and a lamp were broken.")
    expect(main).to_contain_text("Version 1, as it stood before")
    expect(main).to_contain_text("A chair was broken.")
    expect(main).to_contain_text("The lamp was found later")
    run.check(page)

    # The list filters by kind and resident.
    run.visit(page, f"/premises/{premises['code']}/incidents?kind=damage&resident={pat['id']}")
    expect(page.get_by_role("table")).to_contain_text(f"Incident {number}")
    run.visit(page, f"/premises/{premises['code']}/incidents?kind=self_harm")
    expect(page.get_by_role("main")).to_contain_text("No incident matches.")
    context.close()


def test_a_manager_records_a_breach_outcome_from_the_nights_record(run):
    premises, manager, _, _ = ap_with_team(run, "Brc")
    ray = transfers.resident_at(run, premises, "Ray", arrived_days_ago=5)
    admin = run.token("admin")
    night = datetime.date.today() - datetime.timedelta(days=1)
    out_at = datetime.datetime.combine(night, datetime.time(20, 0), tzinfo=LONDON).isoformat()
    in_at = datetime.datetime.combine(night, datetime.time(23, 50), tzinfo=LONDON).isoformat()
    for kind, at in (("out", out_at), ("in", in_at)):
        status, body = run.api("POST", f"/placements/{ray['id']}/movements", {"kind": kind, "occurredAt": at, "destination": "Town"}, token=admin)
        assert status == 201, body

    context = run.context()
    page = context.new_page()
    run.sign_in(page, manager)
    run.visit(page, f"/premises/{premises['code']}")
    page.get_by_role("navigation", name="Records").get_by_role("link", name="The night's record").click()
    run.check(page)
    log = page.get_by_role("table", name="Signing out and in")
    expect(log).to_contain_text(f"Ray {run.surname}")
    expect(log).to_contain_text("Signed out: Town")
    breaches = page.get_by_role("table", name="Curfew breaches of that night")
    expect(breaches).to_contain_text("50 minutes late")
    breaches.get_by_role("link", name=f"Record the outcome for Ray {run.surname}").click()
    run.check(page)
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose the outcome")
    page.get_by_label("Warning").check()
    page.get_by_label("Notes (optional)").fill("Missed the last bus")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(".notification-banner")).to_contain_text("Outcome recorded")
    expect(page.get_by_role("table", name="Curfew breaches of that night")).to_contain_text("Warning")
    run.check(page)
    context.close()


def test_a_bed_is_retired_from_a_night_and_leaves_the_board_and_an_allocated_one_is_refused(run):
    premises, manager, _, _ = ap_with_team(run, "Bed")
    sal = transfers.resident_at(run, premises, "Sal", arrived_days_ago=2)
    admin = run.token("admin")
    status, rooms = run.api("GET", f"/premises/{premises['id']}/rooms", token=admin)
    beds = {bed["label"]: bed for room in rooms for bed in room["beds"]}
    status, body = run.api("POST", f"/placements/{sal['id']}/allocations", {"bedId": beds["B1"]["id"]}, token=admin)
    assert status in (200, 201), body

    context = run.context()
    page = context.new_page()
    run.sign_in(page, manager)
    run.visit(page, f"/premises/{premises['code']}/rooms")
    page.get_by_role("link", name="Retire bed B1, Room 2").click()
    run.check(page)
    run.fill_date(page, "from", datetime.date.today() + datetime.timedelta(days=3))
    page.get_by_role("button", name="Retire the bed").click()
    expect(page.locator(".error-summary")).to_contain_text(f"Sal {run.surname}")
    run.check(page)

    retire_from = datetime.date.today() + datetime.timedelta(days=2)
    run.visit(page, f"/premises/{premises['code']}/rooms")
    page.get_by_role("link", name="Retire bed B3, Room 2").click()
    run.fill_date(page, "from", retire_from)
    page.get_by_role("button", name="Retire the bed").click()
    expect(page.locator(".notification-banner")).to_contain_text("Bed retired")
    expect(page.get_by_role("table", name="Beds")).to_contain_text("not in use from")
    run.check(page)

    run.visit(page, f"/premises/{premises['code']}/beds")
    row = page.locator("tr", has=page.locator("th", has_text="B3"))
    cells = row.locator("td")
    unused = [index for index in range(cells.count()) if "cell--unused" in (cells.nth(index).get_attribute("class") or "")]
    assert unused and unused[0] == 2, f"B3 leaves the board from its third night: {unused}"
    context.close()


def test_an_administrator_adds_a_night_worker_who_then_signs_in(run):
    premises = referrals.new_premises(run, "Staff", beds=1, gender="men")
    username = f"night.{run.surname.lower()}"
    password = f"Evening-{run.surname}-2026!"
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "admin")
    page.get_by_role("navigation", name="Service").get_by_role("link", name="Staff", exact=True).click()
    run.check(page)
    page.get_by_role("link", name="Add an account").click()
    run.check(page)
    page.get_by_label("Full name").fill(f"Nia {run.surname}")
    page.get_by_label("User name").fill(username)
    page.get_by_label("First password").fill(password)
    page.get_by_role("button", name="Add the account").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose the role")
    # The password is never put back on the page, nor kept with the refused answers.
    assert password not in page.content()
    expect(page.get_by_label("First password")).to_have_value("")
    page.get_by_label("Residential worker").check()
    page.get_by_label("Premises (for AP staff)").select_option(premises["id"])
    page.get_by_label("First password").fill(password)
    page.get_by_role("button", name="Add the account").click()
    expect(page.locator(".notification-banner")).to_contain_text("Account added")
    expect(page.get_by_role("main")).to_contain_text(username)
    assert password not in page.content()
    context.close()

    worker = run.context()
    night_page = worker.new_page()
    run.visit(night_page, "/sign-in")
    night_page.get_by_label("Username").fill(username)
    night_page.get_by_label("Password").fill(password)
    night_page.get_by_role("button", name="Sign in").click()
    expect(night_page.get_by_role("heading", level=1)).to_contain_text("Today")
    expect(night_page.locator("body")).to_contain_text(f"Nia {run.surname}")
    worker.close()


def test_a_night_worker_cannot_retire_a_bed_nor_read_another_aps_incidents(run):
    night = run.token("night")
    oak = run.premises_id(night and run.token("admin"), "DEMO-OAK")
    status, rooms = run.api("GET", f"/premises/{run.premises_id(run.token('admin'))}/rooms", token=run.token("admin"))
    bed = rooms[0]["beds"][0]
    tomorrow = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    status, body = run.api("POST", f"/beds/{bed['id']}/retirement", {"from": tomorrow}, token=night)
    assert status == 403, (status, body)
    status, body = run.api("GET", f"/premises/{oak}/incidents", token=night)
    assert status in (403, 404), (status, body)

    context = run.context()
    page = context.new_page()
    run.sign_in(page, "night")
    response = page.goto(f"/premises/DEMO-ELM/beds/{bed['id']}/retire")
    assert response.status == 403
    run.check(page)
    response = page.goto("/premises/DEMO-OAK/incidents")
    assert response.status in (403, 404)
    response = page.goto("/staff")
    assert response.status == 403
    context.close()


def test_a_referral_manager_enters_a_referral_for_a_practitioner(run):
    import practitioner_tests
    username = practitioner_tests.practitioner(run, "paper")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "referrals")
    run.visit(page, "/referrals")
    page.get_by_role("button", name="Enter a referral for a practitioner").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    run.check(page)
    draft = page.url.split("/referrals/drafts/")[1].split("?")[0].split("/")[0]
    # The person's section in the browser; the rest as another front end would save them.
    practitioner_tests.open_section(run, page, "The person")
    page.get_by_label("CRN").fill("Z654321")
    page.get_by_label("Full name").fill(f"Zac {run.surname}")
    run.fill_date(page, "dateOfBirth", datetime.date(1985, 3, 9))
    page.get_by_label("Man", exact=True).check()
    practitioner_tests.save(run, page)
    token = run.token("referrals")
    answers = {
        "sentence": {"releaseType": "licence", "expectedArrival": (datetime.date.today() + datetime.timedelta(days=60)).isoformat()},
        "risk": {"roshOverall": "low"}, "offences": {}, "needs": {}, "location": {"homeDistrict": "M14"}, "licence": {},
        "move-on": {"moveOnPlan": "His own tenancy"},
    }
    for section, body in answers.items():
        status, saved = run.api("PUT", f"/referral-drafts/{draft}/sections/{section}", body, token=token)
        assert status == 200, saved
    run.visit(page, f"/referrals/drafts/{draft}/check")
    page.get_by_label("I confirm").check()
    page.get_by_role("button", name="Submit the referral").click()
    expect(page.locator(".error-summary")).to_contain_text("user name or e-mail address of the probation practitioner")
    run.check(page)
    # A name is never guessed: only an account's user name or e-mail address finds them.
    page.get_by_label("The probation practitioner it is for").fill(f"Paper {run.surname}")
    page.get_by_label("I confirm").check()
    page.get_by_role("button", name="Submit the referral").click()
    expect(page.locator(".error-summary")).to_contain_text("No active probation practitioner")
    page.get_by_label("The probation practitioner it is for").fill(f"{username}@probation.example")
    page.get_by_label("I confirm").check()
    page.get_by_role("button", name="Submit the referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Zac {run.surname}")
    run.check(page)
    context.close()
    # It is the practitioner's own, as if they had sent it.
    status, mine = run.api("GET", "/referrals?limit=200", token=run.token(username))
    assert status == 200, mine
    assert f"Zac {run.surname}" in str(mine["items"]), mine


def test_bad_input_on_every_new_form_is_named_and_records_nothing(run):
    premises, manager, keyworker, account = ap_with_team(run, "Bad")
    vic = transfers.resident_at(run, premises, "Vic", arrived_days_ago=4)
    admin = run.token("admin")
    pid, code = premises["id"], premises["code"]
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    status, session = run.api("POST", f"/placements/{vic['id']}/key-work-sessions", {
        "heldAt": datetime.datetime.now(datetime.timezone.utc).isoformat(), "durationMinutes": 30, "kind": "induction",
        "notes": "First", "actions": [{"action": "Register with a GP", "owner": "resident", "dueOn": tomorrow.isoformat()}]}, token=admin)
    assert status == 201, session
    action = session["actions"][0]["id"]

    def counts():
        rooms = run.api("GET", f"/premises/{pid}/rooms", token=admin)[1]
        return {
            "sessions": len(run.api("GET", f"/placements/{vic['id']}/key-work-sessions", token=admin)[1]),
            "incidents": len(run.api("GET", f"/premises/{pid}/incidents", token=admin)[1]),
            "tests": len(run.api("GET", f"/placements/{vic['id']}/tests", token=admin)[1]),
            "authorisations": len(run.api("GET", f"/premises/{pid}/testing-authorisations", token=admin)[1]),
            "rooms": len(rooms), "beds": sum(len(room["beds"]) for room in rooms),
            "retired": sum(1 for room in rooms for bed in room["beds"] if bed.get("inUseUntil")),
            "staff": len(run.api("GET", f"/premises/{pid}/staff?limit=200", token=admin)[1]["items"]),
            "pathways": len(run.api("GET", f"/placements/{vic['id']}/move-on", token=admin)[1]["pathways"]),
            "open actions": sum(1 for s in run.api("GET", f"/placements/{vic['id']}/key-work-sessions", token=admin)[1]
                                for a in s["actions"] if not a.get("outcome")),
        }

    before = counts()
    context = run.context()
    page = context.new_page()
    run.sign_in(page, manager)

    def refused(path, fill, button, *named):
        run.visit(page, path)
        fill()
        page.get_by_role("button", name=button).click()
        summary = page.locator(".error-summary")
        for words in named:
            expect(summary).to_contain_text(words)
        assert page.title().startswith("Error:"), path
        run.check(page)

    base = f"/premises/{code}"
    placement = f"{base}/placements/{vic['id']}"

    def session_form():
        page.get_by_label("How long it lasted, in minutes").fill("an hour")
        page.get_by_label("Agreed action 1 (optional)").fill("Call the council")
    refused(f"{placement}/key-work-session", session_form, "Record the session", "how long it lasted", "who does action 1")

    def future_session():
        run.fill_date(page, "heldAt", tomorrow)
        page.get_by_label("Notes", exact=True).fill("Held tomorrow?")
    refused(f"{placement}/key-work-session", future_session, "Record the session", "must not be in the future")

    def moved_without_date():
        page.get_by_label("Moved to a new date").check()
    refused(f"{base}/key-work/actions/{action}", moved_without_date, "Save the update", "Enter the new due date")

    def dropped_without_reason():
        page.get_by_label("Dropped: it is no longer to be done").check()
    refused(f"{base}/key-work/actions/{action}", dropped_without_reason, "Save the update", "why")

    def authorise_backwards():
        page.get_by_label("Random").check()
        run.fill_date(page, "from", datetime.date.today())
        run.fill_date(page, "until", yesterday)
        page.get_by_label("What it rests on").fill("Policy")
    refused(f"{base}/tests/authorise", authorise_backwards, "Authorise testing", "must be on or after the first day")

    def test_without_authorisation():
        page.get_by_label("Why it was required").select_option("random")
        page.get_by_label("Sample", exact=True).select_option("breath")
        page.get_by_label("Yes, at the time it was required").check()
    refused(f"{placement}/test", test_without_authorisation, "Record the test", "authoris")

    def missed_without_reason():
        page.get_by_label("Why it was required").select_option("random")
        page.get_by_label("Sample", exact=True).select_option("breath")
        page.get_by_label("No, it was missed").check()
    refused(f"{placement}/test", missed_without_reason, "Record the test", "missed")

    refused(f"{placement}/pathway", lambda: None, "Add the pathway", "Choose the pathway")
    def thirtieth_of_february():
        page.get_by_label("Address").fill("1 High Street")
        for part, value in (("day", "30"), ("month", "2"), ("year", "2026")):
            page.locator(f"#confirmedOn-{part}").fill(value)
    refused(f"{placement}/address", thirtieth_of_february, "Record the address", "must be a real date")

    def incident_in_the_future():
        page.get_by_label("Kind of incident").select_option("damage")
        page.get_by_label("Low").check()
        run.fill_date(page, "occurredAt", tomorrow)
        page.get_by_label("Where it happened").fill("Lounge")
        page.get_by_label("What happened").fill("Nothing yet")
        page.get_by_label("Action taken").fill("None")
    refused(f"{base}/incidents/new", incident_in_the_future, "Record the incident", "must not be in the future")
    refused(f"{base}/incidents/new", lambda: None, "Record the incident", "Choose the kind of incident", "Choose the severity", "Enter where it happened")

    refused(f"{base}/rooms/new", lambda: page.get_by_label("Floor (optional)").fill("2"), "Add the room", "name")
    refused(f"{base}/rooms/new", lambda: page.get_by_label("Name", exact=True).fill("Room 2"), "Add the room", "already has a room")
    refused(f"{base}/rooms/import", lambda: page.get_by_label("The file's contents").fill("room,bed\nA,1"), "Load them",
            "room,floor,characteristics,bed,in use from")
    room = next(room for room in run.api("GET", f"/premises/{pid}/rooms", token=admin)[1] if room["beds"])
    refused(f"{base}/rooms/{room['id']}/beds/new", lambda: page.get_by_label("Label").fill("B1"), "Add the bed", "already has a bed")
    bed = room["beds"][0]
    refused(f"{base}/beds/{bed['id']}/retire", lambda: run.fill_date(page, "from", yesterday), "Retire the bed", "today")
    context.close()

    admin_context = run.context()
    page = admin_context.new_page()
    run.sign_in(page, "admin")

    def short_password():
        page.get_by_label("Full name").fill("Short Password")
        page.get_by_label("User name").fill(f"short.{run.surname.lower()}")
        page.get_by_label("Residential worker").check()
        page.get_by_label("Premises (for AP staff)").select_option(pid)
        page.get_by_label("First password").fill("short")
    refused("/staff/new", short_password, "Add the account", "at least 12 characters")
    refused(f"/staff/{account['id']}/password", lambda: page.get_by_label("New password").fill("tiny"), "Set the password",
            "at least 12 characters")
    admin_context.close()

    assert counts() == before, (before, counts())
