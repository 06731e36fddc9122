"""The console's Roles tab (#/orgs/{id}/roles) in headless Chromium: every role with its permissions, and an Owner
creating and editing a custom role (Enterprise and Unlimited license them) while a Member only reads."""

from __future__ import annotations

from playwright.sync_api import expect


def test_roles_are_listed_and_the_owner_creates_and_edits_a_custom_role(orgd, bob, tabs):
    _, bob_token = bob
    org_id = orgd.create_org("Roles Co")
    # The browser tests' server gives new organizations its default plan, unlimited, which licenses custom roles:
    # no change behind the server's back (a PostgreSQL node's caches would not hear of it).
    orgd.add_member(org_id, "bob@example.com", "Bob", bob_token)
    tab = tabs("admin")
    tab.sign_in(orgd.token)
    page = tab.page

    tab.open(f"#/orgs/{org_id}/roles")
    roles = page.get_by_role("table", name="Roles")
    expect(roles).to_contain_text("Team Operator")
    expect(roles).to_contain_text("personal team manage")

    page.get_by_role("button", name="New custom role").click()
    page.get_by_label("Name", exact=True).fill("Billing")
    page.get_by_label("payment edit").check()
    page.get_by_role("button", name="Create role").click()
    expect(page.locator("#flash")).to_contain_text("Billing is created.")
    listed = orgd.ok("GET", f"/users/roles?organizationId={org_id}&cols[]=*")["usersRoles"]
    billing = next(r for r in listed if r["name"] == "Billing")
    assert billing["managementType"] == "custom_managed"
    assert "payments get" in billing["permissions"], "the prerequisite was added"

    tab.settle()
    page.get_by_role("button", name="Edit Billing").click()
    page.get_by_label("Description").fill("Pays the invoices.")
    page.get_by_role("button", name="Save role").click()
    expect(page.locator("#flash")).to_contain_text("Billing is saved.")
    assert orgd.ok("GET", f"/users/roles/{billing['id']}")["usersRole"]["description"] == "Pays the invoices."
    tab.shot("roles")

    member = tabs("bob")
    member.sign_in(bob_token)
    member.open(f"#/orgs/{org_id}/roles")
    expect(member.page.get_by_role("table", name="Roles")).to_contain_text("Billing")
    expect(member.page.get_by_role("button", name="New custom role")).to_have_count(0)
    expect(member.page.get_by_text("Only the Owner and Admins can create and edit custom roles.")).to_be_visible()
