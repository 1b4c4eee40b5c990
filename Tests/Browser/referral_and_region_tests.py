"""The web view, part 2, in a real browser: referral managers take a referral from the queue to a
booked bed, two of them race for the last bed, a regional manager sees only their region, and
every report's charts and tables carry the API's figures. Run by web_view_tests.py (which
collects the tests of this module too), with axe on every page visited.
"""
import csv
import datetime
import io
import random
import re

from playwright.sync_api import expect


def today():
    return datetime.date.today()


def create_referral(run, name, *, gender="man", home="M14", arrival_in_days=40, nights=28, token=None):
    """A new referral from a referrer, as the Central Referral Unit takes it in (the API)."""
    token = token or run.token("referrals")
    arrival = today() + datetime.timedelta(days=arrival_in_days)
    body = {"crn": f"B{random.randint(100000, 999999)}", "personName": f"{name} {run.surname}",
            "dateOfBirth": "1990-05-17", "gender": gender, "referrerName": "Pat Officer",
            "referrerEmail": "pat.officer@probation.example", "referrerRegion": "NW", "releaseType": "licence",
            "expectedArrival": arrival.isoformat(), "lengthOfStayDays": nights, "roshOverall": "medium",
            "homeDistrict": home, "radiusMiles": 100}
    status, referral = run.api("POST", "/referrals", body, token=token)
    assert status == 201, referral
    return referral


def accept(run, referral, token=None):
    status, body = run.api("POST", f"/referrals/{referral['id']}/decisions", {"decision": "accept"}, token=token or run.token("referrals"))
    assert status == 200, body


def new_premises(run, label, beds, gender="women"):
    """A new AP near Manchester for `gender` with `beds` beds, made by the administrator."""
    admin = run.token("admin")
    code = f"{gender[0].upper()}-{run.surname.upper()}-{label.upper()}"
    status, premises = run.api("POST", "/premises", {"code": code, "name": f"{label} House {run.surname}", "regionCode": "NW",
                                                     "apType": "NORMAL", "gender": gender, "postcode": "M14 5AA"}, token=admin)
    assert status == 201, premises
    status, room = run.api("POST", f"/premises/{premises['id']}/rooms", {"name": "Room 1"}, token=admin)
    assert status == 201, room
    for number in range(1, beds + 1):
        status, bed = run.api("POST", f"/rooms/{room['id']}/beds", {"label": str(number), "inUseFrom": today().isoformat()}, token=admin)
        assert status == 201, bed
    return premises


def second_referral_manager(run):
    username = f"crm.{run.surname.lower()}"
    status, body = run.api("POST", "/staff", {"username": username, "displayName": f"Sam {run.surname}", "role": "referral_manager",
                                              "password": "demo-password"}, token=run.token("admin"))
    assert status in (201, 409), body
    return username, f"Sam {run.surname}"


def test_a_referral_manager_books_a_bed_from_a_new_referral(run):
    # Elm House may be full by then (the demo and earlier tests book it): a men's AP of the run's own has room.
    new_premises(run, "Journey", beds=2, gender="men")
    referral = create_referral(run, "Jordan")
    person = referral["details"]["personName"]
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "referrals")
    assert page.url.endswith("/referrals"), f"a referral manager lands on the queue, not {page.url}"
    run.check(page)
    header = page.locator("header")
    expect(header).to_contain_text("Remi Referrals")
    expect(header).to_contain_text("Referral manager, every AP")
    for link in ["Referrals", "Occupancy", "Reports", "Premises"]:
        expect(page.get_by_role("navigation", name="Service").get_by_role("link", name=link, exact=True)).to_be_visible()
    run.visit(page, "/referrals?status=submitted")
    row = page.get_by_role("row").filter(has_text=person)
    expect(row).to_contain_text("New")
    page.get_by_role("link", name=person).click()
    run.check(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(person)
    for heading in ["Person", "Placement wanted", "Risks", "Licence conditions and curfew"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.get_by_role("link", name="Accept the referral").click()
    run.check(page)
    page.get_by_label("Note (optional)").fill("suitable for a standard AP")
    page.get_by_role("button", name="Accept the referral").click()
    expect(page.locator(".notification-banner")).to_contain_text("accepted and ready to match")
    expect(page.get_by_role("table", name="Timeline: decisions, questions and answers")).to_contain_text("suitable for a standard AP")
    run.check(page)
    page.get_by_role("link", name="Find a bed").click()
    run.check(page)
    candidates = page.get_by_role("table", name="Candidates, nearest first")
    expect(candidates).to_be_visible()
    first = candidates.get_by_role("link").first
    first.click()
    run.check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the booking")
    premises_text = page.locator(".summary-list__row", has_text="Premises").locator("dd.summary-list__value").inner_text()
    code = re.search(r"\(([A-Z0-9-]+)\)", premises_text).group(1)
    bed = page.locator(".summary-list__row", has_text="Bed").first.locator("dd.summary-list__value").inner_text()
    page.get_by_role("button", name="Book this bed").click()
    expect(page.locator(".notification-banner")).to_contain_text("Booked from the referral")
    run.check(page)
    assert f"/premises/{code}/placements/" in page.url
    arrival = referral["details"]["expectedArrival"]
    run.visit(page, f"/premises/{code}/beds?from={arrival}&weeks=2")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=bed, exact=True)).first
    expect(row).to_contain_text(person)
    status, body = run.api("GET", f"/referrals/{referral['id']}", token=run.token("referrals"))
    assert body["referral"]["status"] == "booked" and body["referral"]["placementId"]
    context.close()


def test_two_referral_managers_race_for_the_last_bed(run):
    last = new_premises(run, "Last", beds=1)
    new_premises(run, "Spare", beds=3)
    second, second_name = second_referral_manager(run)
    first = create_referral(run, "Alex", gender="woman", arrival_in_days=20)
    other = create_referral(run, "Bobbie", gender="woman", arrival_in_days=20)
    accept(run, first)
    accept(run, other)
    pages = []
    for username, referral in [("referrals", first), (second, other)]:
        context = run.context()
        page = context.new_page()
        run.sign_in(page, username)
        run.visit(page, f"/referrals/{referral['id']}/matches")
        row = page.get_by_role("row").filter(has_text=last["name"])
        row.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check the booking")
        run.check(page)
        pages.append((context, page))
    # Both press "Book this bed" at once.
    buttons = [page.get_by_role("button", name="Book this bed") for _, page in pages]
    for button in buttons:
        button.click(no_wait_after=True)
    for _, page in pages:
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).not_to_have_text("Check the booking")
    booked = [page for _, page in pages if "/placements/" in page.url]
    refused = [page for _, page in pages if "/placements/" not in page.url]
    assert len(booked) == 1 and len(refused) == 1, [page.url for _, page in pages]
    winner = "Remi Referrals" if booked[0] is pages[0][1] else second_name
    loser = refused[0]
    alert = loser.get_by_role("alert")
    expect(alert).to_contain_text(f"Bed 1 was booked by {winner} a moment ago: here are the remaining candidates")
    run.check(loser)
    remaining = loser.get_by_role("table", name="Candidates, nearest first")
    expect(remaining).to_contain_text("Spare House")
    expect(remaining).not_to_contain_text(last["name"])
    for context, _ in pages:
        context.close()


def test_a_regional_manager_sees_only_their_region(run):
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "regional")
    assert page.url.endswith("/occupancy"), f"a regional manager lands on their region's board, not {page.url}"
    run.check(page)
    expect(page.locator("header")).to_contain_text("Regional manager, North West")
    expect(page.locator(".caption-l")).to_have_text("North West")
    board = page.get_by_role("table", name=re.compile("Free beds by premises and night"))
    expect(board.get_by_role("rowheader", name="Elm House (demo)")).to_be_visible()
    expect(board).not_to_contain_text("Oak Lodge")
    expect(board.locator("tfoot")).to_contain_text("Free beds")
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    cell = board.locator(f"a[href='/premises/DEMO-ELM/beds?from={tomorrow}']")
    cell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bed board")
    assert f"from={tomorrow}" in page.url
    run.check(page)
    for path in ["/occupancy?region=YH", "/reports/occupancy?scope=region-YH", "/premises/DEMO-OAK/beds", "/reports/move-on?scope=country"]:
        response = page.goto(path)
        assert response.status == 403, f"{path} answered {response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
        run.check(page)
    context.close()


def table_rows(page, section):
    """A report table's rows as lists of cell texts (the row heading first)."""
    return page.locator(f"table[data-section='{section}'] tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.children).map(cell => cell.textContent.trim()))")


def percent(value):
    return "–" if value is None else f"{value * 100:.1f}%"


def decimal(value, places=1):
    return "–" if value is None else f"{value:.{places}f}"


def test_every_report_shows_the_api_figures_in_charts_and_tables_and_downloads_them(run):
    token = run.token("regional")
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "regional")
    start = (today().replace(day=1) - datetime.timedelta(days=400)).replace(day=1)
    end = today() + datetime.timedelta(days=1)
    query = f"from={start}&to={end}"
    outcomes = ["settled", "unsettled", "homeless", "custody", "other", "unknown"]
    for report, period, sections in [("occupancy", "month", ["occupancy-rate", "bed-nights", "forecast"]),
                                     ("move-on", "quarter", ["move-on", "recalls"]),
                                     ("operations", "week", ["breaches", "work"])]:
        run.visit(page, f"/reports/{report}?scope=region-NW&{query}&period={period}")
        expect(page.get_by_role("heading", level=1)).to_have_text({"occupancy": "Occupancy report", "move-on": "Move-on report",
                                                                   "operations": "Operations report"}[report])
        status, api = run.api("GET", f"/reports/{report}?region=NW&{query}&period={period}", token=token)
        assert status == 200, api
        for chart in page.locator("svg[role='img']").all():
            title = chart.locator("title").text_content()
            desc = chart.locator("desc").text_content()
            assert title and "North West" in title, title
            assert desc and len(desc) > 40, desc
            ids = chart.get_attribute("aria-labelledby").split()
            assert ids == [chart.locator("title").get_attribute("id"), chart.locator("desc").get_attribute("id")]
        assert page.locator("svg[role='img']").count() == {"occupancy": 2, "move-on": 2, "operations": 1}[report]
        for section in sections:
            expect(page.locator(f"table[data-section='{section}'] thead a").first).to_have_attribute("href", re.compile("^/reports/definitions#"))
        rows = api["rows"]
        if report == "occupancy":
            shown = table_rows(page, "occupancy-rate")
            assert len(shown) == len(rows) + 1, (len(shown), len(rows))
            for cells, row in zip(shown, rows + [api["total"]]):
                assert cells[1:] == [str(row["beds"]), str(row["usableBedNights"]), str(row["occupiedBedNights"]), str(row["vacantBedNights"]),
                                     percent(row.get("occupancyRate")), str(row["overbookedNights"]), str(row["fullNights"])], (cells, row)
            forecast = table_rows(page, "forecast")
            assert [cells[1:] for cells in forecast] == [[str(w["usableBedNights"]), str(w["bookedBedNights"]), str(w["freeBedNights"]),
                                                          str(w["fullNights"]), str(w["departures"])] for w in api["forecast"]]
            desc = page.locator("#chart-occupancy-rate desc").text_content()
            for row in rows:
                assert percent(row.get("occupancyRate")) in desc
        elif report == "move-on":
            shown = table_rows(page, "move-on")
            assert len(shown) == len(rows)
            for cells, row in zip(shown, rows):
                assert cells[1:8] == [str(row["departures"])] + [str(row["byOutcome"].get(o, 0)) for o in outcomes], (cells, row)
                assert cells[8] == percent(row.get("settledShare"))
            recalls = table_rows(page, "recalls")

            def transfers(counts):
                total = sum(counts.values())
                return "0" if total == 0 else f"{total} ({counts.get('planned', 0)} planned, {counts.get('emergency', 0)} emergency)"
            assert [cells[1:] for cells in recalls] == [[str(r["recalls"]), str(r["recallsWithin28Days"]), percent(r.get("recallsWithin28DaysShare")),
                                                         str(r["nonArrivals"]), transfers(r["transfersOut"]), transfers(r["transfersIn"])]
                                                        for r in rows]
        else:
            shown = table_rows(page, "breaches")
            assert [cells[1:] for cells in shown] == [[str(r["residentNights"]), str(r["curfewBreaches"]),
                                                       decimal(r.get("breachesPer100ResidentNights"), 2)] for r in rows]
            work = table_rows(page, "work")
            assert [cells[1:4] for cells in work] == [[str(r["testsTaken"]), str(r["testsMissed"]), str(r["keyWorkSessions"])] for r in rows]
        # The link, fetched with the browser's own session (Debian's Chromium cancels downloads
        # under automation, so the file is read from the response rather than the downloads folder).
        link = page.get_by_role("link", name="Download these figures (CSV)")
        response = page.request.get(link.get_attribute("href"), headers={"Accept": "text/html"})
        assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"].startswith("attachment; filename=")
        downloaded = response.text()
        api_csv = run.api_text(f"/reports/{report}?region=NW&{query}&period={period}&format=csv", token=token)
        assert downloaded == api_csv, "the page's CSV is the API's"
        assert list(csv.reader(io.StringIO(downloaded)))[0], "a header row"
    run.visit(page, "/reports/definitions")
    for anchor in ["occupancy-rate", "usable", "occupied", "move-on", "recall", "breaches"]:
        assert page.locator(f"#{anchor}").count() == 1, anchor
    page.emulate_media(media="print")
    expect(page.locator(".service-navigation")).to_be_hidden()
    context.close()


def test_booking_a_matched_bed_with_the_keyboard_only(run):
    referral = create_referral(run, "Robin", arrival_in_days=60)
    accept(run, referral)
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "referrals")

    def tab_to(description, check, limit=400):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(check):
                return
        raise AssertionError(f"Tab never reached {description}")

    page.goto(f"/referrals/{referral['id']}")
    tab_to("Find a bed", "document.activeElement.textContent.trim() === 'Find a bed'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    run.check(page)
    tab_to("a Book bed link", "document.activeElement.textContent.trim().startsWith('Book bed')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    run.check(page)
    tab_to("the button", "document.activeElement.textContent.trim() === 'Book this bed'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".notification-banner")).to_contain_text("Booked from the referral")
    context.close()


def test_an_ap_manager_lands_on_today_and_is_offered_their_reports(run):
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "manager")
    assert page.url.endswith("/premises/DEMO-ELM")
    navigation = page.get_by_role("navigation", name="Service")
    for link in ["Today", "Bed board", "Placements", "Referrals", "Reports"]:
        expect(navigation.get_by_role("link", name=link, exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Occupancy", exact=True)).to_have_count(0)
    navigation.get_by_role("link", name="Reports", exact=True).click()
    run.check(page)
    expect(page.locator(".caption-l")).to_have_text("Elm House (demo)")
    response = page.goto("/occupancy")
    assert response.status == 403
    context.close()


def test_an_administrator_sees_failed_email_and_resends_it_once_the_mailbox_is_set(run):
    """A booking at a new AP with no mailbox: its e-mail to the premises fails at once, saying why; the
    administrator sets the mailbox and resends it from the E-mail page; the placement's Messages tab
    shows what was written about the stay."""
    premises = new_premises(run, "Nomail", beds=1, gender="men")
    admin = run.token("admin")
    arrival = today() + datetime.timedelta(days=30)
    status, placement = run.api("POST", f"/premises/{premises['id']}/placements", {
        "crn": f"M{random.randint(100000, 999999)}", "personName": f"Mo {run.surname}", "expectedArrival": arrival.isoformat(),
        "expectedDeparture": (arrival + datetime.timedelta(days=7)).isoformat()}, token=admin)
    assert status == 201, placement
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "admin")
    page.get_by_role("link", name="E-mail").click()
    run.check(page)
    row = page.locator("#failed-caption").locator("xpath=ancestor::table").locator("tr", has_text=f"Mo {run.surname}")
    expect(row).to_contain_text(f"no mailbox is set for premises {premises['code']}")
    expect(row).to_contain_text("Set the mailbox, then resend")

    status, mailbox = run.api("PUT", "/mailboxes", {"kind": "premises", "premises": premises["code"], "address": "nomail@ap.example"},
                              token=admin)
    assert status == 200, mailbox
    page.reload()
    run.check(page)
    row = page.locator("#failed-caption").locator("xpath=ancestor::table").locator("tr", has_text=f"Mo {run.surname}")
    row.get_by_role("button", name="Resend").click()
    page.wait_for_load_state()
    run.check(page)
    expect(page.locator(".notification-banner, [role='alert'], [role='status']").first).to_contain_text("queued again")
    waiting = page.locator("#waiting-caption").locator("xpath=ancestor::table").locator("tr", has_text=f"Mo {run.surname}")
    expect(waiting).to_contain_text("nomail@ap.example")
    expect(page.locator("#failed-caption").locator("xpath=ancestor::table").locator("tr", has_text=f"Mo {run.surname}")).to_have_count(0)

    run.visit(page, f"/premises/{premises['code']}/placements/{placement['id']}/messages")
    expect(page.locator("main table")).to_contain_text("nomail@ap.example")
    expect(page.locator("main table")).to_contain_text("Place booked")
    context.close()
