"""Two-factor and single sign-on in headless Chromium (docs/two-factor.md, docs/sso.md): TOTP enrolment from the
profile, sign-in with a code (the same code refused a second time), a recovery code accepted once only; an
organization enforcing two-factor shows a member without it only the enrolment page; single sign-on through a real
OpenID Provider (panva's oidc-provider, tests/oidc, on 127.0.0.1 at a free port) signs an invited person in and into
the organization. TOTP codes are computed here with pyotp, as an authenticator app would.

The server is its own (single sign-on configured), started like `orgd`, on SQLite or on TEST_POSTGRES_URL."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request

import pyotp
import pytest
from playwright.sync_api import expect

from conftest import ROOT, Orgd

PASSWORD = "correct horse battery staple"
OIDC = ROOT / "tests" / "oidc"
LABEL = "Sign in with Example ID"


@pytest.fixture(scope="module")
def provider():
    """oidc-provider with AUTO_LOGIN (its login completes as the account last named with /_test/next-login): the
    test drives orgd's console, not the provider's own development pages. Yields (process, issuer)."""
    if not (OIDC / "node_modules" / "oidc-provider" / "package.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC, check=True, capture_output=True)
    env = dict(os.environ, AUTO_LOGIN="1")
    proc = subprocess.Popen(
        ["node", "provider.mjs"], cwd=OIDC, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline().strip()
    assert line.startswith("issuer "), f"oidc-provider did not start: {line!r}"
    yield proc, line.split(" ", 1)[1]
    proc.kill()
    proc.wait()


@pytest.fixture(scope="module")
def srv(provider):
    """An orgd of its own with single sign-on through `provider`."""
    proc, issuer = provider
    extra = {
        "ORGD_OIDC_ISSUER": issuer,
        "ORGD_OIDC_CLIENT_ID": "orgd",
        "ORGD_OIDC_CLIENT_SECRET": "orgd-test-secret",
        "ORGD_OIDC_LABEL": LABEL,
    }
    os.environ.update(extra)
    try:
        server = Orgd()
    finally:
        for k in extra:
            del os.environ[k]
    # The provider serves once it knows orgd's callback, known only now that orgd listens.
    proc.stdin.write(f"{server.base}/auth/oidc/callback\n")
    proc.stdin.flush()
    yield server
    log = server.log_text()
    server.stop()
    assert PASSWORD not in log, "a password reached the log"


def set_password(orgd: Orgd, email: str) -> None:
    subprocess.run(
        [orgd.bin, "users", "password", "--email", email],
        input=PASSWORD + "\n",
        text=True,
        env=dict(os.environ, ORGD_DATABASE_URL=orgd.database_url),
        check=True,
        capture_output=True,
    )


def person(orgd: Orgd, email: str, name: str) -> str:
    """A person with a password; their API token."""
    token = orgd.add_user(email, name)
    set_password(orgd, email)
    return token


def password_sign_in(page, orgd: Orgd, email: str) -> None:
    page.goto(f"{orgd.base}/console")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def enter_code(page, code: str, recovery: bool = False) -> None:
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    if recovery:
        page.get_by_role("button", name="Use a recovery code instead").click()
        page.get_by_label("Recovery code").fill(code)
    else:
        page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Verify").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_label("E-mail")).to_be_visible()


def enrol(page) -> tuple[pyotp.TOTP, list[str]]:
    """On an enrolment form: checks the QR code loaded, confirms with the app's first code, reads the recovery
    codes shown once."""
    qr = page.get_by_role("img", name="QR code of the two-factor secret")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.tfa-qr')?.naturalWidth > 0")
    totp = pyotp.TOTP(page.get_by_label("Key").input_value())
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10, codes
    page.get_by_role("button", name="I saved them, continue").click()
    return totp, codes


def test_totp_enrolment_sign_in_and_recovery_codes(srv, tabs):
    person(srv, "tess@example.com", "Tess")
    tab = tabs("tess")
    tab.orgd = srv
    tab.expect_refusal("/auth/second-factor", 400)
    page = tab.page
    password_sign_in(page, srv, "tess@example.com")
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    page.get_by_role("link", name="Profile").click()
    card = page.locator("#two-factor")
    expect(card).to_contain_text("Off")
    card.get_by_role("button", name="Set up two-factor authentication").click()
    totp, codes = enrol(page)
    expect(page.locator("#two-factor")).to_contain_text("On. Recovery codes left: 10.")
    tab.shot("factors-profile")
    sign_out(page)

    # The enrolment used this step's code: the next step's (within the one step of drift) signs in.
    code = totp.at(time.time() + 30)
    password_sign_in(page, srv, "tess@example.com")
    tab.shot("factors-code")
    enter_code(page, code)
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    sign_out(page)

    # The same code a second time: refused, and the page stays at the code step.
    password_sign_in(page, srv, "tess@example.com")
    enter_code(page, code)
    expect(page.get_by_role("alert")).to_contain_text("used already")
    expect(page.get_by_label("Authentication code")).to_be_visible()

    # A recovery code instead: once.
    page.get_by_role("button", name="Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    sign_out(page)
    password_sign_in(page, srv, "tess@example.com")
    enter_code(page, codes[0], recovery=True)
    expect(page.get_by_role("alert")).to_contain_text("used already")
    page.get_by_label("Recovery code").fill(codes[1])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    page.get_by_role("link", name="Profile").click()
    expect(page.locator("#two-factor")).to_contain_text("Recovery codes left: 8.")


def test_enforcement_shows_only_the_enrolment_page(srv, tabs):
    # The owner has two-factor (enforcing without it is refused).
    owner = srv.cli("users", "add", "--email", "olga@example.com", "--name", "Olga", "--tfa")
    token = person(srv, "eli@example.com", "Eli")
    org = srv.create_org("Strict Co", token=owner)
    srv.ok("POST", f"/organizations/{org}/invite", owner, {"email": "eli@example.com", "name": "Eli", "usersRoleId": 13})
    invitations = srv.ok("GET", "/users/me/organization-invitations", token)["userOrganizationInvitations"]
    srv.ok("POST", "/organizations/accept-invitation", token, {"hash": invitations[0]["hash"]})
    srv.ok("PATCH", f"/organizations/{org}/tfa-enforcement", owner, {"enable": True})
    tab = tabs("eli")
    tab.orgd = srv
    page = tab.page
    password_sign_in(page, srv, "eli@example.com")
    heading = page.get_by_role("heading", name="Set up two-factor authentication")
    expect(heading).to_be_visible()
    expect(page.get_by_text("requires two-factor authentication")).to_be_visible()
    expect(page.locator("#account")).to_be_empty()
    tab.shot("factors-enforced-enrolment")

    # Any other address, or a reload, shows the same page and nothing else.
    page.goto(f"{srv.base}/console#/orgs/{org}/members")
    expect(heading).to_be_visible()
    expect(page.get_by_text("Strict Co")).to_have_count(0)
    expect(page.locator("#account")).to_be_empty()

    enrol(page)
    # In: the console as usual, at the address asked for.
    # The account bar's link (a breadcrumb may carry the same name once the page has rendered).
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Organizations")).to_be_visible()
    expect(page.get_by_text("Strict Co").first).to_be_visible()


def test_single_sign_on_signs_an_invited_person_in(srv, provider, tabs):
    _, issuer = provider
    org = srv.create_org("Federated Ltd")
    srv.ok("POST", f"/organizations/{org}/invite", body={"email": "sso@example.com", "name": "Sso", "usersRoleId": 13})
    req = urllib.request.Request(
        f"{issuer}/_test/next-login",
        data=json.dumps({"email": "sso@example.com", "emailVerified": True}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(req, timeout=10).close()

    tab = tabs("sso")
    tab.orgd = srv
    page = tab.page
    page.goto(f"{srv.base}/console")
    button = page.get_by_role("link", name=LABEL)
    expect(button).to_be_visible()
    tab.shot("factors-signin-sso")
    button.click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    expect(page.get_by_text("Federated Ltd")).to_be_visible()
    assert page.url.startswith(f"{srv.base}/console")


def test_sign_in_page_without_single_sign_on_has_no_button(orgd, tabs):
    tab = tabs("nobody")
    tab.goto()
    expect(tab.page.get_by_label("E-mail")).to_be_visible()
    tab.page.wait_for_load_state("networkidle")
    expect(tab.page.locator("#sso")).to_have_count(0)


def test_the_code_step_at_phone_width(srv, tabs):
    person(srv, "phil@example.com", "Phil")
    tab = tabs("phil", width=375, height=740)
    tab.orgd = srv
    page = tab.page
    password_sign_in(page, srv, "phil@example.com")
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    tab.open("#/profile", "Profile")
    page.locator("#two-factor").get_by_role("button", name="Set up two-factor authentication").click()
    totp, _ = enrol(page)
    sign_out(page)
    password_sign_in(page, srv, "phil@example.com")
    # Keyboard only: the code field has the focus, Enter submits.
    expect(page.get_by_label("Authentication code")).to_be_focused()
    page.keyboard.type(totp.at(time.time() + 30))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at phone width ({width} px)"
