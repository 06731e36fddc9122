"""Fixtures of the console's browser tests: the real orgd binary on a fresh database, and headless Chromium.

The server is `$ORGD_BIN` (default target/debug/orgd) on 127.0.0.1 and a free port, with a fresh SQLite file, or,
when TEST_POSTGRES_URL is set, a fresh database created on that PostgreSQL server with psql (and dropped at the end).
Chromium is the system one (`/usr/bin/chromium`, or $CHROMIUM), driven by Playwright.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "target" / "console-screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_EMAIL = "admin@localhost"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Orgd:
    """One running orgd server with its database, its bootstrap token and helpers to reach both."""

    def __init__(self) -> None:
        self.bin = os.environ.get("ORGD_BIN") or str(ROOT / "target" / "debug" / "orgd")
        if not os.access(self.bin, os.X_OK):
            raise RuntimeError(f"no orgd binary at {self.bin}: run cargo build --bin orgd")
        self.dir = Path(tempfile.mkdtemp(prefix="orgd-console-"))
        self.pg_admin = os.environ.get("TEST_POSTGRES_URL")
        self.pg_db = None
        if self.pg_admin:
            self.pg_db = f"orgd_console_{uuid.uuid4().hex[:12]}"
            self.psql(self.pg_admin, f'CREATE DATABASE "{self.pg_db}"')
            u = urllib.parse.urlsplit(self.pg_admin)
            self.database_url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + self.pg_db, u.query, ""))
        else:
            self.database_url = f"sqlite://{self.dir}/orgd.db"
        self.token = str(uuid.uuid4())
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            ORGD_BIND=f"127.0.0.1:{self.port}",
            ORGD_DATABASE_URL=self.database_url,
            ORGD_BOOTSTRAP_TOKEN=self.token,
            ORGD_BOOTSTRAP_EMAIL=ADMIN_EMAIL,
            RUST_LOG="orgd=info,tower_http=info",
        )
        env.pop("ORGD_CONFIG", None)
        self.log_path = self.dir / "server.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([self.bin, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/livez", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"orgd did not start:\n{self.log_path.read_text(errors='replace')}")
            time.sleep(0.1)

    # -- the command line and the database -------------------------------------------------------------------

    def cli(self, *args: str) -> str:
        env = dict(os.environ, ORGD_DATABASE_URL=self.database_url)
        out = subprocess.run([self.bin, *args], env=env, capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"orgd {' '.join(args)} failed: {out.stderr}")
        return out.stdout.strip()

    def add_user(self, email: str, name: str, scopes: str | None = None) -> str:
        """`orgd users add`: the new token (printed alone on stdout)."""
        args = ["users", "add", "--email", email, "--name", name]
        if scopes:
            args += ["--scopes", scopes]
        return self.cli(*args)

    @staticmethod
    def psql(url: str, statement: str) -> None:
        subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", statement], check=True, capture_output=True)

    def sql(self, statement: str, params: tuple = ()) -> None:
        """Writes into the database directly (to plant data the API itself would refuse)."""
        if self.pg_db:
            for p in params:
                statement = statement.replace("?", "'" + str(p).replace("'", "''") + "'", 1)
            self.psql(self.database_url, statement)
        else:
            db = sqlite3.connect(str(self.dir / "orgd.db"), timeout=30)
            try:
                db.execute(statement, params)
                db.commit()
            finally:
                db.close()

    # -- the API, for arranging and checking ------------------------------------------------------------------

    def api(self, method: str, path: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict]:
        req = urllib.request.Request(self.base + "/api/v2" + path, method=method)
        req.add_header("Authorization", f"Token {token or self.token}")
        if body is not None:
            req.data = json.dumps(body).encode()
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def until_refused(self, token: str, within: float = 2.0) -> None:
        """Waits until the server refuses `token`. A change made by another process (an `orgd` command) reaches a
        PostgreSQL node's cache through NOTIFY, which the documented bound gives one second; SQLite needs none."""
        deadline = time.monotonic() + within
        while self.api("GET", "/users/me", token)[0] != 401:
            assert time.monotonic() < deadline, f"the token was still accepted {within} s after its change"
            time.sleep(0.05)

    def ok(self, method: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
        status, data = self.api(method, path, token, body)
        assert status == 200, f"{method} {path}: {status} {data}"
        return data

    def create_org(self, name: str, timezone_id: int = 113, token: str | None = None) -> int:
        body = {"name": name, "regionId": 1, "timezoneId": timezone_id, "countryId": 1}
        return self.ok("POST", "/organizations", token, body)["organization"]["id"]

    def add_member(self, org_id: int, email: str, name: str, token: str, role: int = 13) -> int:
        """Invites `email` into the organization (as the bootstrap admin) and accepts with `token`."""
        user_id = self.ok("POST", f"/organizations/{org_id}/invite", body={"email": email, "name": name, "usersRoleId": role})[
            "userOrganizationRole"
        ]["userId"]
        invitations = self.ok("GET", "/users/me/organization-invitations", token)["userOrganizationInvitations"]
        hash_ = next(i["hash"] for i in invitations if i["organizationId"] == org_id)
        self.ok("POST", "/organizations/accept-invitation", token, {"hash": hash_})
        return user_id

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        if self.pg_db:
            try:
                self.psql(self.pg_admin, f'DROP DATABASE IF EXISTS "{self.pg_db}" WITH (FORCE)')
            except subprocess.CalledProcessError:
                pass
        if os.environ.get("CONSOLE_TEST_KEEP"):
            print(f"console test files kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def orgd():
    server = Orgd()
    yield server
    log = server.log_text()
    server.stop()
    # The token must never reach the server's log (it travels only in the Authorization header).
    assert server.token not in log, "the bootstrap token appears in the server log"
    assert "panicked" not in log, log


@pytest.fixture(scope="session")
def bob(orgd):
    """The second user, Bob, with every non-admin scope: (user id, token)."""
    token = orgd.add_user("bob@example.com", "Bob")
    return orgd.ok("GET", "/users/me", token)["authUser"]["id"], token


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Collects what a page must never produce: console errors, uncaught exceptions, CSP violations and dialogs
# (an `alert()` would mean injected script ran). Refused API calls show in Chromium's console as "Failed to load
# resource"; a test that provokes one on purpose declares it with `tab.expect_refusal(path, status)`.
WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


class Tab:
    def __init__(self, context, orgd: Orgd, who: str) -> None:
        self.context = context
        self.orgd = orgd
        self.who = who
        self.page = context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.allowed: list[tuple[str, int]] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)

    def _console(self, msg) -> None:
        if msg.type in ("error", "warning") and not msg.text.startswith("[Deprecation]"):
            url = (msg.location or {}).get("url", "")
            self.errors.append(f"{msg.type}: {msg.text} ({url})")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def expect_refusal(self, path: str, status: int) -> None:
        self.allowed.append((path, status))

    def goto(self, hash_: str = "") -> None:
        self.page.goto(f"{self.orgd.base}/console{hash_}")

    def sign_in(self, token: str) -> None:
        self.goto()
        self.page.get_by_label("API token").fill(token)
        self.page.get_by_role("button", name="Sign in with token").click()
        self.page.get_by_role("heading", name="Organizations", exact=True).wait_for()

    def open(self, hash_: str, heading: str | None = None) -> None:
        """Navigates inside the signed-in tab (the hash router), waiting for the page to finish loading."""
        self.page.evaluate("h => { location.hash = h; }", hash_)
        self.settle()
        if heading:
            self.page.get_by_role("heading", name=heading).first.wait_for()

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")
        self.page.locator("main .loading").first.wait_for(state="detached", timeout=10_000)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.settle()
        self.page.locator("#flash").evaluate("el => el.replaceChildren()")
        self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def problems(self) -> list[str]:
        out = []
        for e in self.errors:
            if any(f"status of {status}" in e and path in e for path, status in self.allowed):
                continue
            out.append(e)
        try:
            out += [f"CSP violation: {v}" for v in self.page.evaluate("window.__cspViolations || []")]
        except Exception:  # the page may be closed
            pass
        out += [f"dialog: {d}" for d in self.dialogs]
        return out


@pytest.fixture
def tabs(browser, orgd):
    """Opens browser tabs, each in its own context (its own sessionStorage: one person each), and checks at the
    end that none logged an error, hit a CSP violation or opened a dialog."""
    opened: list[Tab] = []

    def open_tab(who: str = "admin", width: int = 1280, height: int = 900) -> Tab:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="en-US", timezone_id="UTC")
        ctx.add_init_script(WATCH)
        tab = Tab(ctx, orgd, who)
        opened.append(tab)
        return tab

    yield open_tab
    problems = {t.who: t.problems() for t in opened}
    for t in opened:
        t.context.close()
    assert not any(problems.values()), f"browser problems: {json.dumps(problems, indent=1)}"
