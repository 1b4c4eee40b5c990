"""Signing in with a second factor in a real browser: a new account sets up its authenticator
app (the secret shown to type, a wrong first code named), keeps its ten recovery codes, signs
in again with a code and once with a recovery code, and ends another browser's session from
its list, which is signed out at its next page. Run by web_view_tests.py, with axe on every page.
"""
from playwright.sync_api import expect


def test_a_new_account_sets_up_its_app_signs_in_with_a_code_and_ends_another_session(run):
    username = f"unit.{run.surname.lower()}"
    password = f"Starts {run.surname} today, at last"
    status, body = run.api("POST", "/staff", {"username": username, "displayName": f"Uma {run.surname}", "role": "referral_manager",
                                              "password": password}, token=run.token("admin"))
    assert status == 201, body

    first = run.context()
    page = first.new_page()
    run.visit(page, "/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    assert "/sign-in/enrol" in page.url and not any(c["name"] == "ap_session" for c in first.cookies())
    run.check(page)
    secret = page.locator("#secret").inner_text().replace(" ", "")
    assert len(secret) == 32, secret
    expect(page.locator("#uri")).to_contain_text(f"otpauth://totp/Approved%20Premises%3A{username}?secret={secret}")
    # A wrong first code is named, and focus goes to the summary.
    page.get_by_label("Code").fill("12345")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("The code is wrong")
    run.check(page)
    page.get_by_label("Code").fill(run.code(username, secret))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your second factor is set up")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    run.check(page)
    page.get_by_role("button", name="I have kept my recovery codes: continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referrals")

    # A second browser: the password, then a code from the app.
    second = run.context()
    other = second.new_page()
    run.visit(other, "/sign-in")
    other.get_by_label("Username").fill(username)
    other.get_by_label("Password").fill(password)
    other.get_by_role("button", name="Sign in").click()
    run.enter_code(other, username, secret)
    expect(other.get_by_role("heading", level=1)).to_contain_text("Referrals")

    # A third, with a recovery code: it works once.
    third = run.context()
    lost = third.new_page()
    for attempt in range(2):
        run.visit(lost, "/sign-in")
        lost.get_by_label("Username").fill(username)
        lost.get_by_label("Password").fill(password)
        lost.get_by_role("button", name="Sign in").click()
        lost.get_by_label("Code").fill(codes[0])
        lost.get_by_role("button", name="Sign in").click()
        if attempt == 0:
            expect(lost.get_by_role("heading", level=1)).to_contain_text("Referrals")
            lost.get_by_role("button", name="Sign out").click()
        else:
            expect(lost.locator(".error-summary")).to_contain_text("recovery code used already")
            run.check(lost)
    third.close()

    # The first browser lists its sessions and ends the second's.
    page.get_by_role("link", name="Your sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sessions")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text("This session")
    run.check(page)
    page.locator("tbody tr", has_not=page.locator(".tag")).get_by_role("button", name="End").click()
    expect(page.locator(".notification-banner")).to_contain_text("1 session ended")
    expect(rows).to_have_count(1)
    run.check(page)
    other.goto("/referrals")
    assert "/sign-in" in other.url, "the ended session is signed out at its next page"

    # Changing the password: an 11-character one is refused naming the rule; a good one ends the other sessions.
    page.get_by_role("link", name="Change your password").click()
    page.get_by_label("Your current password").fill(password)
    page.get_by_label("New password").fill("eleven-char")
    page.get_by_role("button", name="Change your password").click()
    expect(page.locator(".error-summary")).to_contain_text("at least 12 characters")
    run.check(page)
    page.get_by_label("Your current password").fill(password)
    page.get_by_label("New password").fill(f"Later {run.surname} chose another")
    page.get_by_role("button", name="Change your password").click()
    expect(page.locator(".notification-banner")).to_contain_text("Your password is changed")
    first.close()
    second.close()
