"""People signing in on their own, in headless Chromium: an invitation e-mail through a real SMTP server (the mail
tests' aiosmtpd sink), its link, a new account, the organization; sign-out and sign-in with a password; a wrong
password and an unknown e-mail answered alike. The server is its own (SMTP configured), started like `orgd`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import ROOT, Orgd, free_port

SINK = ROOT / "tests" / "mail" / "smtp_sink.py"
PASSWORD = "correct horse battery staple"


def sink_python() -> str | None:
    candidates = [os.environ.get("ORGD_SMTP_SINK_PYTHON"), str(Path.home() / ".cache/orgd/smtp-venv/bin/python"), sys.executable]
    for p in filter(None, candidates):
        if subprocess.run([p, "-c", "import aiosmtpd"], capture_output=True).returncode == 0:
            return p
    return None


@pytest.fixture(scope="module")
def sink(tmp_path_factory):
    python = sink_python()
    if python is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the people browser tests need Python with aiosmtpd (tests/mail/requirements.txt)")
        pytest.skip("SKIPPED: no Python with aiosmtpd for the SMTP sink")
    folder = tmp_path_factory.mktemp("mail")
    port = free_port()
    proc = subprocess.Popen([python, str(SINK), "--port", str(port), "--dir", str(folder)], stdout=subprocess.PIPE)
    assert proc.stdout.readline().startswith(b"ready")
    yield port, folder
    proc.kill()
    proc.wait()


@pytest.fixture(scope="module")
def mailing_orgd(sink):
    """An orgd of its own that sends its e-mail to the sink."""
    port, _ = sink
    os.environ["ORGD_SMTP_URL"] = f"smtp://127.0.0.1:{port}?tls=off"
    try:
        server = Orgd()
    finally:
        del os.environ["ORGD_SMTP_URL"]
    yield server
    log = server.log_text()
    server.stop()
    assert PASSWORD not in log, "a password reached the log"
    assert "panicked" not in log, log


def mail_to(folder: Path, address: str, within: float = 30.0, subject: str | None = None) -> dict:
    """The first message to `address` (with `subject`, when given: notices of credential changes go out too)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        # The sink writes ".<name>" and renames it when whole; pathlib's glob matches dot files too.
        for f in sorted(p for p in folder.glob("*.json") if not p.name.startswith(".")):
            m = json.loads(f.read_text())
            if address in m["rcpt_tos"] and subject in (None, m["subject"]):
                return m
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} within {within} s")


def test_invite_mail_link_new_account_then_sign_out_and_in(mailing_orgd, sink, tabs):
    orgd = mailing_orgd
    org_id = orgd.create_org("Acme People")
    orgd.ok("POST", f"/organizations/{org_id}/invite", body={"email": "ann@example.com", "name": "Ann", "usersRoleId": 13})
    message = mail_to(sink[1], "ann@example.com")
    link = re.search(r"http://\S+/console/#/join/[0-9a-f-]+", message["text"]).group(0)

    tab = tabs("ann")
    tab.orgd = orgd
    page = tab.page
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Acme People")).to_be_visible()
    expect(page.get_by_text("invited ann@example.com to Acme People as Member")).to_be_visible()
    page.get_by_label("Your name").fill("Ann Smith")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    expect(page).to_have_url(re.compile(f"#/orgs/{org_id}"))
    expect(page.get_by_role("heading", name="Acme People", exact=True).first).to_be_visible()
    expect(page.locator("#account")).to_contain_text("ann@example.com")
    assert page.evaluate("sessionStorage.length") == 0, "the session's token stays in memory"
    assert page.evaluate("document.cookie") == "", "the session cookie is HttpOnly"

    # A reload: the cookie gives the console a fresh token.
    page.reload()
    expect(page.locator("#account")).to_contain_text("ann@example.com")

    # The organization page's own requests (its timezone's name comes last) end before the session does: one still
    # on its way when the session ends is refused with 401, which the tab would log as an error (seen once in CI).
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("E-mail")).to_be_visible()
    page.reload()
    expect(page.get_by_label("E-mail")).to_be_visible()

    page.get_by_label("E-mail").fill("ann@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    expect(page.get_by_text("Acme People")).to_be_visible()

    # The link again: used, and it says so.
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("already accepted")
    tab.expect_refusal("/auth/invitation", 404)


def test_a_wrong_password_and_an_unknown_email_look_the_same(mailing_orgd, tabs):
    orgd = mailing_orgd
    orgd.add_user("carl@example.com", "Carl")
    set_password(orgd, "carl@example.com", PASSWORD)
    tab = tabs("carl")
    tab.orgd = orgd
    page = tab.page
    tab.expect_refusal("/auth/sign-in", 401)
    page.goto(f"{orgd.base}/console")
    seen = []
    for email in ["carl@example.com", "nobody@example.com"]:
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill("not the password at all")
        page.get_by_role("button", name="Sign in", exact=True).click()
        alert = page.locator("#password-signin").get_by_role("alert")
        expect(alert).to_be_visible()
        seen.append(alert.inner_text())
        page.reload()
    assert seen[0] == seen[1] and "wrong" in seen[0], seen
    # This server does not offer open sign-up: no "Create account" (it is offered only under --signup open).
    expect(page.get_by_role("link", name="Forgot password?")).to_be_visible()
    expect(page.get_by_role("link", name="Create account")).to_have_count(0)


def set_password(orgd: Orgd, email: str, password: str) -> None:
    subprocess.run(
        [orgd.bin, "users", "password", "--email", email],
        input=password + "\n",
        text=True,
        env=dict(os.environ, ORGD_DATABASE_URL=orgd.database_url),
        check=True,
        capture_output=True,
    )


def test_profile_changes_the_password_and_signs_out_everywhere(mailing_orgd, tabs):
    orgd = mailing_orgd
    orgd.add_user("dora@example.com", "Dora")
    set_password(orgd, "dora@example.com", PASSWORD)
    tab = tabs("dora")
    tab.orgd = orgd
    page = tab.page
    page.goto(f"{orgd.base}/console")
    page.get_by_label("E-mail").fill("dora@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    expect(page.get_by_text("(this one)")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("a brand new passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#flash")).to_contain_text("Password changed")
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_label("E-mail")).to_be_visible()
    page.get_by_label("E-mail").fill("dora@example.com")
    page.get_by_label("Password").fill("a brand new passphrase")
    page.get_by_role("button", name="Sign in", exact=True).click()
    # Back where the person was: the profile, under the new password.
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()


def test_forgot_password_mail_link_new_password_then_sign_in(mailing_orgd, sink, tabs):
    orgd = mailing_orgd
    orgd.add_user("erin@example.com", "Erin")
    set_password(orgd, "erin@example.com", PASSWORD)
    tab = tabs("erin")
    tab.orgd = orgd
    page = tab.page
    page.goto(f"{orgd.base}/console")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("E-mail").fill("erin@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("a link to choose a new one is on its way")).to_be_visible()

    message = mail_to(sink[1], "erin@example.com", subject="Reset your orgd password")
    link = re.search(r"http://\S+/console/#/reset/[0-9a-f]{64}", message["text"]).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password").fill("a fresh reset passphrase")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail").fill("erin@example.com")
    page.get_by_label("Password", exact=True).fill("a fresh reset passphrase")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()

    # The link again: used up, and it says so.
    tab.expect_refusal("/auth/reset/password", 404)
    page.goto(link)
    page.get_by_label("New password").fill("yet another passphrase 9")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("alert")).to_contain_text("no longer valid")


def test_open_sign_up_mail_link_name_and_password_then_in(sink, tabs):
    port, folder = sink
    os.environ.update(ORGD_SMTP_URL=f"smtp://127.0.0.1:{port}?tls=off", ORGD_SIGNUP="open")
    try:
        server = Orgd()
    finally:
        del os.environ["ORGD_SMTP_URL"], os.environ["ORGD_SIGNUP"]
    try:
        tab = tabs("fay")
        tab.orgd = server
        page = tab.page
        page.goto(f"{server.base}/console")
        page.get_by_role("link", name="Create account").click()
        expect(page.get_by_role("heading", name="Create account")).to_be_visible()
        page.get_by_label("E-mail").fill("fay@example.com")
        page.get_by_role("button", name="Send the link").click()
        expect(page.get_by_text("A message is on its way to fay@example.com")).to_be_visible()

        message = mail_to(folder, "fay@example.com", subject="Create your orgd account")
        link = re.search(r"http://\S+/console/#/signup/[0-9a-f]{64}", message["text"]).group(0)
        page.goto(link)
        expect(page.get_by_label("E-mail")).to_have_value("fay@example.com")
        page.get_by_label("Your name").fill("Fay")
        page.get_by_label("Password", exact=True).fill("a passphrase of her own 5")
        tab.shot("signup-choose-name-and-password")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
        expect(page.locator("#account")).to_contain_text("Fay")

        # The link again: used up, and it says so.
        tab.expect_refusal("/auth/signup/link", 404)
        page.goto(link)
        expect(page.get_by_role("alert")).to_contain_text("no longer valid")
    finally:
        server.stop()
