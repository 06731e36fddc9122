"""The console's "API tokens" page (#/api-tokens, console/tokens.js) in headless Chromium against the real orgd:
create a token with scopes from the enum, copy it the one time it is shown, see it listed masked, revoke it."""

from __future__ import annotations

import os
import re
import subprocess
import uuid

from playwright.sync_api import expect

LIST = "/api/v2/users/me/api-tokens"


def tab_for(tabs, who: str, **size):
    """A tab; the console's start asks `GET /auth/session` for a password session, which is 401 without one (the
    people branch's console), so that refusal is declared."""
    tab = tabs(who, **size)
    tab.expect_refusal("/auth/session", 401)
    return tab


def test_create_copy_list_and_revoke_a_token(orgd, tabs):
    tina = orgd.add_user("tina@example.com", "Tina", scopes="teams:read,user:read,user:write")
    tab = tab_for(tabs, "tina")
    tab.sign_in(tina)
    page = tab.page
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    tab.settle()
    listed = page.get_by_role("region", name="Your tokens")
    # The token `orgd users add` printed: issued before labels and hints, so no label and fully masked.
    expect(listed).to_contain_text("(no label)")
    expect(listed).to_contain_text("********-****-****-****-************")

    # Scopes come from the enum; those the console's own token lacks cannot be chosen.
    expect(page.get_by_role("checkbox", name="teams:read")).to_be_enabled()
    expect(page.get_by_role("checkbox", name="admin:write")).to_be_disabled()
    expect(page.get_by_role("checkbox", name="teams:write")).to_be_disabled()

    # No scope chosen: Make's validation error, field by field, nothing created.
    tab.expect_refusal(LIST, 400)
    page.get_by_label("Label").fill("CI deploy")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_contain_text("scope must name at least one scope")
    assert len(orgd.ok("GET", "/users/me/api-tokens", tina)["apiTokens"]) == 1

    page.get_by_role("checkbox", name="teams:read").check()
    page.get_by_role("checkbox", name="user:read").check()
    page.get_by_role("button", name="Create token").click()
    shown = page.get_by_label("New token")
    expect(shown).to_be_visible()
    token = shown.input_value()
    uuid.UUID(token)
    expect(page.get_by_role("status").filter(has_text="not shown again")).to_be_visible()
    tab.shot("40-api-token-created")
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#flash")).to_contain_text(re.compile("Token copied|Copying was refused"))

    # The token works, with exactly the chosen scopes.
    auth = orgd.ok("GET", "/users/me/current-authorization", token)["authorization"]
    assert auth["scope"] == ["teams:read", "user:read"], auth

    # "Done" drops the only copy from the page; the list shows it masked.
    page.get_by_role("button", name="Done").click()
    expect(shown).to_be_hidden()
    prefix = token.split("-")[0]
    row = listed.get_by_role("row").filter(has_text="CI deploy")
    expect(row).to_contain_text(f"{prefix}-****-****-****-************")
    expect(row).to_contain_text("teams:read, user:read")
    assert token not in page.content()
    assert token not in page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")

    # Revoking asks first; afterwards the server refuses the token and the list no longer has it.
    page.get_by_role("button", name="Revoke CI deploy").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("refused from its next request")
    dialog.get_by_role("button", name="Revoke").click()
    expect(page.locator("#flash")).to_contain_text('Token "CI deploy" revoked.')
    orgd.until_refused(token)
    expect(listed.get_by_role("row").filter(has_text="CI deploy")).to_have_count(0)


def test_signed_in_with_a_token_made_here_revoking_it_signs_the_console_out(orgd, tabs):
    owner = orgd.add_user("olga@example.com", "Olga", scopes="user:read,user:write")
    made = orgd.ok("POST", "/users/me/api-tokens", owner, {"label": "console", "scope": ["user:read", "user:write"]})
    tab = tab_for(tabs, "olga")
    tab.sign_in(made["apiToken"]["token"])
    tab.open("#/api-tokens", heading="API tokens")
    page = tab.page
    row = page.get_by_role("row").filter(has_text="this console")
    expect(row).to_contain_text("console")
    row.get_by_role("button", name="Revoke console").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("revoking it signs you out")
    tab.expect_refusal("/api/v2/", 401)
    dialog.get_by_role("button", name="Revoke").click()
    expect(page.get_by_label("API token")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_a_token_without_user_scopes_is_told_why(orgd, tabs):
    narrow = orgd.add_user("nick@example.com", "Nick", scopes="organizations:read")
    tab = tab_for(tabs, "nick")
    tab.sign_in(narrow)
    tab.open("#/api-tokens", heading="API tokens")
    expect(tab.page.locator("main")).to_contain_text("needs an API token with the scope user:read")


def test_the_page_at_phone_width(orgd, tabs):
    phil = orgd.add_user("phil@example.com", "Phil")
    tab = tab_for(tabs, "phil", width=375, height=740)
    tab.sign_in(phil)
    tab.open("#/api-tokens", heading="API tokens")
    page = tab.page
    expect(page.get_by_role("button", name="Create token")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at phone width: {width}px"
    tab.shot("41-api-tokens-phone")


PASSWORD = "api tokens browser test 2026"


def age_the_password(orgd, email: str) -> None:
    """Moves the last password proof of the person's sessions 20 minutes back, as if time had passed."""
    if orgd.pg_db:
        orgd.sql("update sessions set authenticated_at = now() - interval '20 minutes' where user_id = "
                 "(select id from users where email = ?)", (email,))
    else:
        orgd.sql("update sessions set authenticated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-20 minutes') "
                 "where user_id = (select id from users where email = ?)", (email,))


def test_signed_in_with_a_password_creating_a_token_asks_for_it_again_after_15_minutes(orgd, tabs):
    orgd.add_user("rita@example.com", "Rita")
    env = dict(os.environ, ORGD_DATABASE_URL=orgd.database_url)
    subprocess.run([orgd.bin, "users", "password", "--email", "rita@example.com"], env=env, input=PASSWORD + "\n",
                   text=True, check=True, capture_output=True, timeout=60)
    tab = tab_for(tabs, "rita")
    page = tab.page
    tab.goto()
    form = page.locator("#password-signin")
    form.get_by_label("E-mail").fill("rita@example.com")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    tab.open("#/api-tokens", heading="API tokens")

    # Fresh from the sign-in: created at once. The session's own token is not in the list.
    page.get_by_label("Label").fill("first")
    page.get_by_role("checkbox", name="user:read").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("New token")).to_be_visible()
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_role("region", name="Your tokens").get_by_role("row")).to_have_count(3)

    # Twenty minutes later: the password first, a wrong one refused, then the token.
    age_the_password(orgd, "rita@example.com")
    tab.expect_refusal(LIST, 403)
    tab.expect_refusal("/auth/reauthenticate", 403)
    page.get_by_label("Label").fill("second")
    page.get_by_role("checkbox", name="user:read").check()
    page.get_by_role("button", name="Create token").click()
    confirm = page.locator("form.reauth-form")
    expect(confirm).to_contain_text("needs your password again")
    confirm.get_by_label("Password").fill("not the password at all")
    confirm.get_by_role("button", name="Confirm password").click()
    expect(confirm.get_by_role("alert")).to_contain_text("The password is wrong.")
    confirm.get_by_label("Password").fill(PASSWORD)
    confirm.get_by_role("button", name="Confirm password").click()
    shown = page.get_by_label("New token")
    expect(shown).to_be_visible()
    auth = orgd.ok("GET", "/users/me/current-authorization", shown.input_value())["authorization"]
    assert auth["scope"] == ["user:read"], auth
    tab.shot("42-api-token-after-reauthentication")
