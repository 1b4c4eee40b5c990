"""Transfers and appeals in a real browser: an AP manager asks for a planned transfer, the referral
unit books it from the matches, the receiving AP records the arrival that ends the first stay;
an emergency transfer tonight; an appeal of a booking accepted. Two APs of the run's own (men's,
near Manchester), each with its manager. Run by web_view_tests.py, with axe on every page.
"""
import datetime
import random
import re

from playwright.sync_api import expect

import referral_and_region_tests as referrals


def manager_of(run, premises, label):
    """An AP manager for `premises`, added by the administrator."""
    username = f"mgr.{label.lower()}.{run.surname.lower()}"
    status, body = run.api("POST", "/staff", {"username": username, "displayName": f"{label} {run.surname}", "role": "ap_manager",
                                              "premisesId": premises["id"], "password": "demo-password"}, token=run.token("admin"))
    assert status == 201, body
    return username


def premises_with_beds(run, label, beds):
    """A men's AP of the run's own near Manchester, its beds in use from a month ago."""
    premises = referrals.new_premises(run, label, beds=0, gender="men")
    admin = run.token("admin")
    status, room = run.api("POST", f"/premises/{premises['id']}/rooms", {"name": "Room 2"}, token=admin)
    assert status == 201, room
    since = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    for number in range(1, beds + 1):
        status, bed = run.api("POST", f"/rooms/{room['id']}/beds", {"label": f"B{number}", "inUseFrom": since}, token=admin)
        assert status == 201, bed
    return premises


def resident_at(run, premises, name, arrived_days_ago=1, nights=30):
    """Someone who arrived at `premises` `arrived_days_ago` days ago, booked and arrived through the API."""
    admin = run.token("admin")
    arrival = datetime.date.today() - datetime.timedelta(days=arrived_days_ago)
    status, placement = run.api("POST", f"/premises/{premises['id']}/placements", {
        "crn": f"V{random.randint(100000, 999999)}", "personName": f"{name} {run.surname}", "expectedArrival": arrival.isoformat(),
        "expectedDeparture": (arrival + datetime.timedelta(days=nights)).isoformat()}, token=admin)
    assert status == 201, placement
    arrived_at = datetime.datetime.combine(arrival, datetime.time(12, 0), tzinfo=datetime.timezone.utc).isoformat()
    status, body = run.api("POST", f"/placements/{placement['id']}/arrival", {"arrivedAt": arrived_at}, token=admin)
    assert status == 200, body
    return placement


def test_a_planned_transfer_an_emergency_transfer_and_an_appeal_in_the_browser(run):
    source = premises_with_beds(run, "Ash", 3)
    target = premises_with_beds(run, "Birch", 2)
    source_manager = manager_of(run, source, "Ash")
    target_manager = manager_of(run, target, "Birch")
    tom = resident_at(run, source, "Tom")
    una = resident_at(run, source, "Una")

    # The AP manager asks for a transfer from today (Tom's second night).
    manager_context = run.context()
    page = manager_context.new_page()
    run.sign_in(page, source_manager)
    run.visit(page, f"/premises/{source['code']}/placements/{tom['id']}")
    page.get_by_role("link", name="Ask for a transfer").click()
    run.check(page)
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".error-summary")).to_contain_text("the day they move")
    run.check(page)
    page.get_by_label("Why should they move?").select_option("CLOSER_TO_HOME")
    run.fill_date(page, "transferDate", datetime.date.today())
    page.get_by_label("Notes").fill("Nearer his family")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".notification-banner")).to_contain_text("Transfer asked for")
    run.check(page)

    # The referral unit finds it in its queue, sees the matches and books the receiving AP.
    unit_context = run.context()
    unit = unit_context.new_page()
    run.sign_in(unit, "referrals")
    unit.get_by_role("navigation", name="Service").get_by_role("link", name="Transfers", exact=True).click()
    run.check(unit)
    waiting = unit.get_by_role("table", name="Transfers asked for, soonest first")
    waiting.get_by_role("link", name=re.compile(f"Tom {run.surname}")).click()
    run.check(unit)
    expect(unit.locator(".summary-list")).to_contain_text("Waiting for a decision")
    unit.get_by_role("link", name="Book a receiving AP").click()
    run.check(unit)
    # The resident's own AP is not offered.
    expect(unit.get_by_role("radio", name=re.compile(source["code"]))).to_have_count(0)
    unit.get_by_role("radio", name=re.compile(target["code"])).check()
    unit.get_by_role("button", name="Book the transfer").click()
    expect(unit.locator(".summary-list")).to_contain_text("Booked")
    expect(unit.locator(".summary-list")).to_contain_text(target["name"])
    run.check(unit)
    status, transfers = run.api("GET", "/transfers?status=booked", token=run.token("referrals"))
    transfer = next(t for t in transfers if t["placementId"] == tom["id"])

    # The receiving AP records the arrival: the stay at Ash ends today, "planned transfer".
    target_context = run.context()
    receiving = target_context.new_page()
    run.sign_in(receiving, target_manager)
    run.visit(receiving, f"/premises/{target['code']}/placements/{transfer['toPlacementId']}")
    receiving.get_by_role("link", name="Record the arrival").click()
    run.check(receiving)
    receiving.get_by_role("button", name="Record the arrival").click()
    expect(receiving.locator(".notification-banner")).to_contain_text("Arrival recorded")
    status, first = run.api("GET", f"/placements/{tom['id']}", token=run.token("admin"))
    assert status == 200 and first["status"] == "departed" and first["departureReason"] == "PT", first

    # An emergency transfer tonight: Una moves to Birch, its manager agreeing.
    run.visit(page, f"/premises/{source['code']}/placements/{una['id']}")
    page.get_by_role("link", name="Emergency transfer").click()
    run.check(page)
    page.get_by_role("radio", name=re.compile(target["name"])).check()
    page.get_by_label("The receiving AP manager who agreed").fill("nobody.here")
    page.get_by_label("Why must they move tonight?").select_option("RISK_TO_RESIDENT")
    page.get_by_role("button", name="Move them tonight").click()
    expect(page.locator(".error-summary")).to_contain_text("Who agreed must be the username of an AP manager")
    run.check(page)
    page.get_by_role("radio", name=re.compile(target["name"])).check()
    page.get_by_label("The receiving AP manager who agreed").fill(target_manager)
    page.get_by_role("button", name="Move them tonight").click()
    expect(page.locator(".notification-banner")).to_contain_text("Moved to the other AP")
    run.check(page)
    status, moved = run.api("GET", f"/placements/{una['id']}", token=run.token("admin"))
    assert moved["status"] == "departed" and moved["departureReason"] == "ET", moved

    # An appeal: Ash's manager appeals a booking; the unit accepts it and the booking is cancelled.
    arrival = datetime.date.today() + datetime.timedelta(days=5)
    status, booked = run.api("POST", f"/premises/{source['id']}/placements", {
        "crn": f"V{random.randint(100000, 999999)}", "personName": f"Vic {run.surname}", "expectedArrival": arrival.isoformat(),
        "expectedDeparture": (arrival + datetime.timedelta(days=20)).isoformat()}, token=run.token("admin"))
    assert status == 201, booked
    run.visit(page, f"/premises/{source['code']}/placements/{booked['id']}")
    page.get_by_role("link", name="Appeal this booking").click()
    run.check(page)
    page.get_by_label("Why should the booking not stand?").select_option("NEED_NOT_MET")
    page.get_by_label("Notes").fill("No room free on the ground floor then")
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.locator(".notification-banner")).to_contain_text("Appeal sent")
    run.visit(unit, "/transfers")
    unit.get_by_role("table", name="Appeals of bookings, soonest arrival first").get_by_role("link", name=re.compile(f"Vic {run.surname}")).click()
    run.check(unit)
    unit.get_by_role("link", name="Decide the appeal").click()
    run.check(unit)
    unit.get_by_role("radio", name="Accept the appeal").check()
    unit.get_by_role("button", name="Record the decision").click()
    expect(unit.locator(".summary-list")).to_contain_text("Accepted")
    run.check(unit)
    status, cancelled = run.api("GET", f"/placements/{booked['id']}", token=run.token("admin"))
    assert cancelled["status"] == "cancelled" and cancelled["cancellationReason"] == "AP_APPEAL", cancelled
    for context in [manager_context, unit_context, target_context]:
        context.close()
