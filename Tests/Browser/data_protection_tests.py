"""A person's data in a real browser: the subject access officer finds a demo resident's records
by CRN (a mistake first, named and focused), and an administrator reads who looked. Run by
web_view_tests.py, with axe on every page.
"""
import re

from playwright.sync_api import expect


def test_subject_access_officer_finds_a_persons_records_and_the_administrator_sees_who_looked(run):
    context = run.context()
    page = context.new_page()
    run.sign_in(page, "sar")
    # The officer lands on the subject access page.
    expect(page).to_have_url(run.base + "/subject-access")
    expect(page.get_by_role("heading", name="Subject access", level=1)).to_be_visible()
    run.check(page)

    page.goto("/subject-access")
    page.get_by_label("Case reference number (CRN)").fill("d1")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a case reference number")
    run.check(page)

    page.get_by_label("Case reference number (CRN)").fill("D100004")
    page.get_by_role("button", name="Find their records").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="D100004: Dan Evans", level=2)).to_be_visible()
    expect(page.locator("#curfewLog")).to_contain_text("The curfew log")
    # At least his breach of the demo's night (the breach job may open another for a curfew
    # that has passed since the demo loaded, after midnight).
    expect(page.locator("#curfewBreaches")).to_contain_text(re.compile(r"\([1-9][0-9]*\)"))
    run.check(page)
    # Pages with nobody's data are refused too: the officer's account reads the export only.
    response = page.goto("/premises")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("through Subject access only")
    context.close()

    context = run.context()
    page = context.new_page()
    run.sign_in(page, "admin")
    run.visit(page, "/access-log?crn=D100004")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text("Sasha Subject-Access (sar)")
    expect(rows.first).to_contain_text("a subject access export")
    expect(page.get_by_role("link", name="D100004's records")).to_be_visible()
    context.close()
