"""The console's "API tokens" page (#/api-tokens, console/tokens.js) in headless Chromium against the real orgd:
create a token with scopes from the enum, copy it the one time it is shown, see it listed masked, revoke it."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

LIST = "/api/v2/users/me/api-tokens"


def test_create_copy_list_and_revoke_a_token(orgd, tabs):
    tina = orgd.add_user("tina@example.com", "Tina", scopes="teams:read,user:read,user:write")
    tab = tabs("tina")
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
    tab = tabs("olga")
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
    tab = tabs("nick")
    tab.sign_in(narrow)
    tab.open("#/api-tokens", heading="API tokens")
    expect(tab.page.locator("main")).to_contain_text("needs an API token with the scope user:read")


def test_the_page_at_phone_width(orgd, tabs):
    phil = orgd.add_user("phil@example.com", "Phil")
    tab = tabs("phil", width=375, height=740)
    tab.sign_in(phil)
    tab.open("#/api-tokens", heading="API tokens")
    page = tab.page
    expect(page.get_by_role("button", name="Create token")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at phone width: {width}px"
    tab.shot("41-api-tokens-phone")
