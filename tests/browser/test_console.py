"""The organization console (/console) in headless Chromium against the real orgd binary.

Every test opens its tabs through the `tabs` fixture, which fails the test when a page logs a console error, hits
a Content-Security-Policy violation or opens a dialog (refusals a test provokes on purpose are declared).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

PRAGUE = 113  # timezone id of Europe/Prague (Make's id; src/domain/timezones.rs)
HOSTILE = "<img src=x onerror=alert(1)>"


def head(orgd, path: str, etag: str | None = None):
    req = urllib.request.Request(orgd.base + path)
    if etag:
        req.add_header("If-None-Match", etag)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def org_id_of(tab) -> int:
    return int(re.search(r"#/orgs/(\d+)", tab.page.url).group(1))


def test_root_redirects_and_the_console_is_served_with_strict_headers(orgd):
    status, headers, _ = head(orgd, "/")
    assert status in (302, 303, 307), status
    assert headers["Location"] == "/console"

    status, headers, body = head(orgd, "/console")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    csp = headers["Content-Security-Policy"]
    for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]:
        assert directive in csp, csp
    assert "unsafe" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    html = body.decode()
    assert "<style" not in html and "style=" not in html
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/console/main.js">']

    # Every file of the page: small in total, revalidated by ETag, never served by a CDN.
    files = set(re.findall(r'(?:href|src)="/console/([\w.-]+)"', html))
    total = len(body)
    for name in ["main.js", "api.js", "dom.js", "orgs.js", "org.js", "members.js", "teams.js", "variables.js", "usage.js", "chart.js", "billing.js", "settings.js", "audit.js", "style.css", "favicon.svg"]:
        files.add(name)
    for name in sorted(files):
        status, headers, content = head(orgd, f"/console/{name}")
        assert status == 200, name
        assert headers["Content-Security-Policy"] == csp
        assert headers["Cache-Control"] == "no-cache"
        etag = headers["ETag"]
        again, _, _ = head(orgd, f"/console/{name}", etag)
        assert again == 304, name
        total += len(content)
        if name.endswith(".js"):
            text = content.decode()
            assert "innerHTML" not in text and "insertAdjacentHTML" not in text, name
    assert total < 128 * 1024, f"the console is {total} bytes in all"

    status, headers, body = head(orgd, "/console/missing.js")
    assert status == 404 and b"SC404" in body


def test_sign_in_keeps_the_token_in_this_tab_only_and_sign_out_forgets_it(orgd, tabs):
    tab = tabs("admin")
    page = tab.page
    tab.goto()
    tab.shot("01-sign-in")
    first_paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0")
    assert 0 < first_paint < 1000, first_paint

    # A wrong token: Make's error detail, nothing stored.
    tab.expect_refusal("/api/v2/users/me", 401)
    page.get_by_label("API token").fill("00000000-0000-4000-8000-000000000000")
    page.get_by_role("button", name="Sign in with token").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid or revoked API token.")
    assert page.evaluate("sessionStorage.length") == 0

    page.get_by_label("API token").fill(orgd.token)
    page.get_by_role("button", name="Sign in with token").click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    assert orgd.token not in page.url
    assert page.evaluate("JSON.stringify(sessionStorage)").count(orgd.token) == 1
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    expect(page.locator("#account")).to_contain_text("admin@localhost")

    # A reload keeps the tab signed in; another tab of the same browser has to sign in itself.
    page.reload()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    other = tab.context.new_page()
    other.goto(f"{orgd.base}/console")
    expect(other.get_by_label("API token")).to_be_visible()
    other.close()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API token")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0

    # A token revoked while the tab uses it: the next request signs the tab out with the server's reason.
    dave = orgd.add_user("dave@example.com", "Dave")
    tab.sign_in(dave)
    orgd.cli("tokens", "revoke", dave)
    orgd.until_refused(dave)
    tab.expect_refusal("/api/v2/", 401)
    tab.open("#/orgs?again")
    expect(page.get_by_role("note")).to_contain_text("You were signed out: Invalid or revoked API token.")
    assert page.evaluate("sessionStorage.length") == 0


def test_invite_accept_change_role_and_transfer_ownership(orgd, bob, tabs):
    bob_id, bob_token = bob
    admin = tabs("admin")
    admin.sign_in(orgd.token)
    page = admin.page
    admin.shot("02-organizations-empty")

    # Create an organization in Europe/Prague.
    form = page.get_by_role("form", name="New organization")
    form.get_by_label("Name").fill("Acme Automation")
    form.get_by_label("Timezone").select_option(str(PRAGUE))
    form.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Automation")
    org_id = org_id_of(admin)
    org = orgd.ok("GET", f"/organizations/{org_id}")["organization"]
    assert (org["name"], org["timezoneId"]) == ("Acme Automation", PRAGUE)
    expect(page.locator(".org-meta")).to_contain_text("Europe/Prague")
    expect(page.locator(".org-meta")).to_contain_text("You: Owner")
    admin.shot("03-overview")

    # Invite Bob as Member into the team.
    admin.open(f"#/orgs/{org_id}/invitations")
    invite = page.get_by_role("form", name="Invite someone")
    invite.get_by_label("E-mail").fill("bob@example.com")
    invite.get_by_label("Name", exact=True).fill("Bob")
    invite.get_by_label("Role").select_option(label="Member")
    invite.get_by_label("My Team").check()
    invite.get_by_role("button", name="Send invitation").click()
    pending = page.get_by_role("table", name="Pending invitations")
    expect(pending).to_contain_text("bob@example.com")
    expect(pending).to_contain_text("pending")
    admin.shot("04-invitations")

    # Bob signs in in his own browser context and accepts.
    b = tabs("bob")
    b.sign_in(bob_token)
    expect(b.page.locator(".invitations-for-me")).to_contain_text("Acme Automation")
    b.shot("05-invitation-for-bob")
    b.page.get_by_role("button", name="Accept the invitation to Acme Automation").click()
    expect(b.page.get_by_role("heading", level=1)).to_have_text("Acme Automation")
    expect(b.page.locator(".org-meta")).to_contain_text("You: Member")
    roles = {r["userId"]: r for r in orgd.ok("GET", f"/organizations/{org_id}/user-organization-roles")["userOrganizationRoles"]}
    assert roles[bob_id]["usersRoleId"] == 13 and roles[bob_id]["invitation"] is None
    team_id = org["teams"][0]["id"]
    assert bob_id in [r["userId"] for r in orgd.ok("GET", f"/teams/{team_id}/user-team-roles")["userTeamRoles"]]

    # The owner makes Bob an Admin.
    admin.open(f"#/orgs/{org_id}/members")
    row = page.locator(f"tr[data-user-id='{bob_id}']")
    expect(row).to_contain_text("bob@example.com")
    row.get_by_label("Role of Bob").select_option(label="Admin")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_contain_text("Bob is now Admin.")
    expect(page.locator(f"tr[data-user-id='{bob_id}']").get_by_label("Role of Bob")).to_have_value("12")
    roles = {r["userId"]: r for r in orgd.ok("GET", f"/organizations/{org_id}/user-organization-roles")["userOrganizationRoles"]}
    assert roles[bob_id]["usersRoleId"] == 12
    admin.shot("06-members")

    # … and hands him the organization; the previous owner becomes Admin.
    page.locator(f"tr[data-user-id='{bob_id}']").get_by_role("button", name="Make Bob the owner").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Transfer ownership?")
    dialog.get_by_role("button", name="Transfer ownership").click()
    expect(page.locator(".org-meta")).to_contain_text("You: Admin")
    expect(page.locator(f"tr[data-user-id='{bob_id}']")).to_contain_text("Owner")
    roles = {r["userId"]: r["usersRoleId"] for r in orgd.ok("GET", f"/organizations/{org_id}/user-organization-roles", bob_token)["userOrganizationRoles"]}
    assert roles[bob_id] == 11 and roles[1] == 12
    b.open(f"#/orgs/{org_id}/members")
    expect(b.page.locator(".org-meta")).to_contain_text("You: Owner")

    # A refused action shows Make's error detail: enforcing TFA without TFA of one's own.
    admin.expect_refusal("/tfa-enforcement", 400)
    admin.open(f"#/orgs/{org_id}/security")
    page.get_by_role("button", name="Enforce two-factor authentication").click()
    page.get_by_role("dialog").get_by_role("button", name="Enforce").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Set up two-factor authentication on your own account before enforcing it")
    expect(alert).to_contain_text("IM005")
    assert orgd.ok("GET", f"/organizations/{org_id}")["organization"]["tfaEnforced"] is False
    admin.shot("07-refused-tfa")


def test_rename_search_paging_and_delete_with_confirmation(orgd, tabs):
    ids = [orgd.create_org(f"Paging {i:02d}") for i in range(23)]
    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page
    orgs = page.get_by_role("table", name="Organizations")

    page.get_by_label("Search organizations").fill("paging")
    expect(page.locator(".pager")).to_contain_text("23 matches")
    expect(orgs.locator("tbody tr")).to_have_count(20)
    page.get_by_role("button", name="Next").click()
    expect(orgs.locator("tbody tr")).to_have_count(3)
    expect(orgs).to_contain_text("Paging 22")
    page.get_by_label("Search organizations").fill("Paging 07")
    expect(orgs.locator("tbody tr")).to_have_count(1)
    tab.shot("08-organizations-search")
    page.get_by_role("link", name="Paging 07").click()
    org_id = ids[7]
    expect(page.get_by_role("heading", level=1)).to_have_text("Paging 07")

    settings = page.get_by_role("form", name="Organization settings")
    settings.get_by_label("Name").fill("Renamed Seven")
    settings.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Renamed Seven")
    assert orgd.ok("GET", f"/organizations/{org_id}")["organization"]["name"] == "Renamed Seven"

    page.get_by_role("button", name="Delete organization…").click()
    dialog = page.get_by_role("dialog")
    confirm = dialog.get_by_role("button", name="Delete organization")
    expect(confirm).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()
    assert orgd.api("GET", f"/organizations/{org_id}")[0] == 200
    page.get_by_role("button", name="Delete organization…").click()
    dialog.get_by_label(re.compile("to confirm")).fill("Renamed Seven")
    dialog.get_by_role("button", name="Delete organization").click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    assert orgd.api("GET", f"/organizations/{org_id}")[0] == 404


def test_a_slow_first_page_does_not_overwrite_the_search(orgd, tabs):
    # The page's first list (20 + 1 rows) is held back until the search typed meanwhile has shown its matches: the
    # late answer must not replace them (the race seen once in CI on PostgreSQL).
    for i in range(3):
        orgd.create_org(f"Slow {i}")
    orgd.create_org("Other")
    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page
    first_page = "pg%5Blimit%5D=21"
    held = []

    def hold(route):
        if first_page in route.request.url and not held:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/api/v2/organizations\?"), hold)
    page.reload()
    page.get_by_label("Search organizations").fill("slow")
    pager = page.locator(".pager")
    expect(pager).to_contain_text("3 matches")
    assert len(held) == 1, "the first page's request was not held"
    with page.expect_response(lambda r: first_page in r.url):
        held[0].continue_()
    page.wait_for_function("() => !document.querySelector('main .loading')")
    page.wait_for_timeout(300)  # the late answer's render, if it were not dropped, runs within this
    assert "3 matches" in pager.inner_text()
    expect(page.get_by_role("table", name="Organizations").locator("tbody tr")).to_have_count(3)


def test_a_variable_edit_shows_in_its_history(orgd, tabs):
    org_id = orgd.create_org("Variables Inc")
    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page
    tab.open(f"#/orgs/{org_id}/variables")
    new = page.get_by_role("form", name="New variable")

    # A bad name: the API's validation error with its field.
    tab.expect_refusal("/variables", 400)
    new.get_by_label("Name").fill("bad name!")
    new.get_by_label("Value").fill("1")
    new.get_by_role("button", name="Create variable").click()
    expect(new.get_by_role("alert")).to_contain_text("Validation failed")
    expect(new.get_by_role("alert")).to_contain_text("name")

    new.get_by_label("Name").fill("userID")
    new.get_by_label("Value").fill("42")
    new.get_by_role("button", name="Create variable").click()
    row = page.locator("tr[data-name='userID']")
    expect(row).to_contain_text("42")
    row.get_by_role("button", name="Edit userID").click()
    edit = page.get_by_role("form", name="Edit userID")
    edit.get_by_label("Value").fill("43")
    edit.get_by_role("button", name="Save").click()
    expect(page.locator("tr[data-name='userID']")).to_contain_text("43")
    assert orgd.ok("GET", f"/organizations/{org_id}/variables")["organizationVariables"][-1]["value"] == 43
    tab.shot("09-variables")

    page.locator("tr[data-name='userID']").get_by_role("link", name="History").click()
    history = page.get_by_role("table", name="History of userID")
    expect(history.locator("tbody tr")).to_have_count(2)
    edited = history.locator("tr[data-action='edited']")
    expect(edited).to_contain_text("43")
    expect(edited).to_contain_text("42")
    expect(edited).to_contain_text("admin@localhost")
    expect(history.locator("tr[data-action='created']")).to_contain_text("42")
    tab.shot("10-variable-history")


def test_the_usage_chart_shows_the_days_booked_on_the_command_line(orgd, tabs):
    org_id = orgd.create_org("Usage Ltd", PRAGUE)
    today = datetime.now(ZoneInfo("Europe/Prague")).date()
    booked = {str(today - timedelta(days=3)): 120, str(today - timedelta(days=12)): 45}
    for day, ops in booked.items():
        orgd.cli("usage", "add", "--organization", str(org_id), "--date", day, "--operations", str(ops), "--data-transfer", "4096")
    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page
    tab.open(f"#/orgs/{org_id}/usage")
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    bars = chart.locator("rect.bar")
    expect(bars).to_have_count(30)
    for day, ops in booked.items():
        bar = chart.locator(f"rect.bar[data-date='{day}']")
        expect(bar).to_have_attribute("data-value", str(ops))
        assert float(bar.get_attribute("height")) > 0
    values = {b.get_attribute("data-date"): int(b.get_attribute("data-value")) for b in bars.all()}
    assert sum(values.values()) == 165 and max(values, key=values.get) == max(booked, key=booked.get)
    # The tallest bar reaches the top tick; the smaller one is proportionally lower.
    big, small = (float(chart.locator(f"rect.bar[data-date='{d}']").get_attribute("height")) for d in sorted(booked, key=booked.get, reverse=True))
    assert abs(small / big - 45 / 120) < 0.02
    expect(page.locator(".tab-body")).to_contain_text("Europe/Prague")
    expect(page.locator(".stats")).to_contain_text("165")
    tab.shot("11-usage")

    page.locator("label[for=metric-dataTransfer]").click()
    expect(chart.locator(f"rect.bar[data-date='{min(booked)}']")).to_have_attribute("data-value", "4096")
    page.get_by_text("Show the numbers").click()
    expect(page.get_by_role("table", name="Usage per day")).to_contain_text(max(booked))


def test_plan_change_payments_and_cancel(orgd, tabs):
    org_id = orgd.create_org("Billing GmbH")
    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page
    tab.open(f"#/orgs/{org_id}/billing")
    expect(page.get_by_role("table", name="Plans")).to_contain_text("Enterprise")
    change = page.get_by_role("form", name="Change plan")
    change.get_by_label("Price").select_option("teams-monthly")
    change.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".org-meta .plan")).to_have_text("Teams")
    expect(page.get_by_role("table", name="Payments")).to_contain_text("$34.58")
    assert orgd.ok("GET", f"/organizations/{org_id}/subscription")["subscription"]["status"] == "active"
    tab.shot("12-billing")

    page.get_by_role("form", name="Change plan").get_by_label("Price").select_option("pro-yearly")
    page.get_by_role("form", name="Change plan").get_by_role("button", name="Change plan").click()
    expect(page.locator(".org-meta .plan")).to_have_text("Pro")

    page.get_by_role("button", name="Cancel subscription…").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel subscription").click()
    expect(page.locator(".org-meta .plan")).to_have_text("Unlimited")
    assert orgd.ok("GET", f"/organizations/{org_id}/subscription")["subscription"]["status"] == "canceled"
    payments = orgd.ok("GET", f"/organizations/{org_id}/payments")["payments"]
    assert len(payments) >= 2
    expect(page.get_by_role("table", name="Payments").locator("tbody tr")).to_have_count(len(payments))


def test_feature_controls_and_teams_with_team_roles(orgd, bob, tabs):
    bob_id, bob_token = bob
    org_id = orgd.create_org("Teams Co")
    orgd.add_member(org_id, "bob@example.com", "Bob", bob_token)
    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page

    tab.open(f"#/orgs/{org_id}/features")
    switch = page.get_by_role("switch", name="Make Code App")
    expect(switch).to_be_checked()
    switch.click()
    page.get_by_role("dialog").get_by_role("button", name="Turn off").click()
    expect(page.locator("#flash")).to_contain_text("Make Code App is off.")
    controls = orgd.ok("GET", f"/organizations/{org_id}/feature-controls")
    assert next(c for c in controls["featureControls"] if c["name"] == "make_code")["enabled"] is False
    tab.shot("13-features")

    # The only team cannot be deleted: Make's error detail.
    tab.open(f"#/orgs/{org_id}/teams")
    page.get_by_role("link", name="My Team").click()
    tab.settle()
    tab.expect_refusal("/teams/", 400)
    page.get_by_role("button", name="Delete team…").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete team").click()
    expect(page.get_by_role("alert")).to_contain_text("IM005")

    tab.open(f"#/orgs/{org_id}/teams")
    new = page.get_by_role("form", name="New team")
    new.get_by_label("Team name").fill("Ops")
    new.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("heading", name="Team: Ops")).to_be_visible()
    team_id = int(re.search(r"/teams/(\d+)", page.url).group(1))
    add = page.get_by_role("form", name="Add a member to the team")
    add.get_by_label("Member").select_option(str(bob_id))
    add.get_by_label("Team role").select_option(label="Team Operator")
    add.get_by_role("button", name="Add to team").click()
    members = page.get_by_role("table", name="Team members")
    expect(members).to_contain_text("Bob")
    page.get_by_label("Team role of Bob").select_option(label="Team Monitoring")
    members.locator("tr", has_text="Bob").get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_contain_text("Bob is now Team Monitoring in Ops.")
    expect(page.get_by_label("Team role of Bob")).to_have_value("4")
    team_roles = {r["userId"]: r["usersRoleId"] for r in orgd.ok("GET", f"/teams/{team_id}/user-team-roles")["userTeamRoles"]}
    assert team_roles[bob_id] == 4
    tab.shot("14-team")


def test_hostile_names_render_as_text(orgd, bob, tabs):
    bob_id, bob_token = bob
    org_id = orgd.create_org("Placeholder")
    carol_token = orgd.add_user("carol@example.com", "Carol")
    carol_id = orgd.add_member(org_id, "carol@example.com", "Carol", carol_token)
    orgd.ok("POST", f"/organizations/{org_id}/invite", body={"email": "bob@example.com", "name": "Bob", "usersRoleId": 13})
    orgd.ok("POST", f"/organizations/{org_id}/variables", body={"name": "payload", "typeId": 2, "value": "<script>alert(3)</script>"})
    # The API refuses these names (its name rules), so plant them in the database: the page must not trust data.
    orgd.sql("UPDATE organizations SET name = ? WHERE id = ?", (HOSTILE, org_id))
    orgd.sql("UPDATE users SET name = ? WHERE email = ?", ('"><svg onload=alert(2)>', "carol@example.com"))
    orgd.sql("UPDATE teams SET name = ? WHERE organization_id = ?", ("<b onmouseover=alert(4)>team</b>", org_id))

    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page
    page.get_by_label("Search organizations").fill("img")
    expect(page.get_by_role("link", name=HOSTILE)).to_be_visible()
    page.get_by_role("link", name=HOSTILE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE)
    expect(page.locator(".tab-body")).to_contain_text("<b onmouseover=alert(4)>team</b>")
    assert HOSTILE in page.title()
    tab.shot("15-hostile-overview")
    tab.open(f"#/orgs/{org_id}/members")
    expect(page.locator(f"tr[data-user-id='{carol_id}']")).to_contain_text('"><svg onload=alert(2)>')
    tab.open(f"#/orgs/{org_id}/variables")
    expect(page.locator("tr[data-name='payload']")).to_contain_text("<script>alert(3)</script>")
    for selector in ["img[src=x]", "main svg[onload]", "main b", "main script"]:
        assert page.locator(selector).count() == 0, selector

    b = tabs("bob")
    b.sign_in(bob_token)
    expect(b.page.locator(".invitations-for-me")).to_contain_text(HOSTILE)
    assert b.page.locator("img[src=x]").count() == 0


def test_a_token_without_scopes_sees_what_it_may_and_why_not_the_rest(orgd, bob, tabs):
    bob_id, bob_token = bob
    org_id = orgd.create_org("Scoped SA")
    orgd.add_member(org_id, "bob@example.com", "Bob", bob_token)
    readonly = orgd.add_user("bob@example.com", "Bob", scopes="organizations:read")
    tab = tabs("bob-readonly")
    tab.sign_in(readonly)
    page = tab.page
    expect(page.get_by_role("link", name="Scoped SA")).to_be_visible()
    expect(page.locator(".card").filter(has_text="New organization")).to_contain_text("organizations:write or admin:write")
    page.get_by_role("link", name="Scoped SA").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scoped SA")
    tab.open(f"#/orgs/{org_id}/members")
    expect(page.locator(".tab-body")).to_contain_text("needs an API token with the scope user:read")
    expect(page.get_by_role("table", name="Members")).to_contain_text("User ")
    tab.open(f"#/orgs/{org_id}/teams")
    expect(page.locator(".tab-body")).to_contain_text("teams:read")
    tab.open(f"#/orgs/{org_id}/variables")
    expect(page.locator(".tab-body")).to_contain_text("organization-variables:read or organizations-variables:read")
    tab.open(f"#/orgs/{org_id}/usage")
    expect(page.locator("svg.chart")).to_be_visible()
    tab.shot("16-readonly-token")


def test_audit_log_page(orgd, tabs):
    """The audit log page: when the server has the endpoint, its entries and filters; otherwise a clear notice."""
    org_id = orgd.create_org("Audited AG")
    orgd.ok("POST", f"/organizations/{org_id}/variables", body={"name": "audited", "typeId": 1, "value": 1})
    status, body = orgd.api("GET", f"/audit-logs/v2/organization/{org_id}")
    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page
    if status == 404:
        tab.expect_refusal("/audit-logs/", 404)
        tab.open(f"#/orgs/{org_id}/audit")
        expect(page.locator(".tab-body")).to_contain_text("The audit log is not available on this server")
        return
    assert status == 200, body
    # More entries than one page (50) holds, so that "Load more" walks the cursor.
    for value in range(2, 62):
        orgd.ok("PATCH", f"/organizations/{org_id}/variables/audited", body={"value": value})
    total = 0
    query = f"/audit-logs/v2/organization/{org_id}?pg[limit]=100"
    while True:
        got = orgd.ok("GET", query)["auditLogs"]
        total += len(got)
        if len(got) < 100:
            break
        query = f"/audit-logs/v2/organization/{org_id}?pg[limit]=100&pg[last]={got[-1]['imtId']}"
    assert total > 60
    tab.open(f"#/orgs/{org_id}/audit")
    table = page.get_by_role("table", name="Audit log")
    expect(table.locator("tbody tr")).to_have_count(50)
    expect(table).to_contain_text("admin@localhost")
    tab.shot("17-audit-log")
    page.get_by_role("button", name="Load more").click()
    expect(table.locator("tbody tr")).to_have_count(total)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    events = {e["eventName"] for e in body["auditLogs"]}
    assert len(events) >= 2, events
    event = sorted(events)[0]
    page.get_by_label("Event").select_option(event)
    page.get_by_role("button", name="Apply").click()
    expect(table.locator(f"tbody tr[data-event='{event}']").first).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(table.locator(f"tbody tr[data-event='{event}']").count())
    assert table.locator("tbody tr").count() < total


def test_phone_width_layout(orgd, tabs):
    org_id = orgd.create_org("Pocket Org")
    tab = tabs("phone", width=390, height=844)
    tab.sign_in(orgd.token)
    page = tab.page
    for hash_ in ["#/orgs", f"#/orgs/{org_id}", f"#/orgs/{org_id}/members", f"#/orgs/{org_id}/usage"]:
        tab.open(hash_)
        # Nothing wider than the screen: the page never scrolls sideways (wide tables scroll inside their box).
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, hash_
    tab.open(f"#/orgs/{org_id}/members")
    tab.shot("18-phone-members")
    tab.open(f"#/orgs/{org_id}/usage")
    tab.shot("19-phone-usage")

    # Each page, loaded afresh, stays under 100 KB of console assets, and paints within a second.
    for hash_ in ["#/orgs", f"#/orgs/{org_id}/members", f"#/orgs/{org_id}/usage", f"#/orgs/{org_id}/variables"]:
        tab.open(hash_)
        page.reload()
        tab.settle()
        loaded = page.evaluate(
            """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                .filter((e) => new URL(e.name).pathname.startsWith('/console'))
                .reduce((sum, e) => sum + e.decodedBodySize, 0)"""
        )
        assert 0 < loaded < 100 * 1024, (hash_, loaded)
        paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0")
        assert 0 < paint < 1000, (hash_, paint)

    # Keyboard only: from the page heading, Tab reaches the Members tab and Enter opens it.
    tab.open(f"#/orgs/{org_id}")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Members":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name="Members")).to_be_visible()
    assert page.url.endswith(f"#/orgs/{org_id}/members")
