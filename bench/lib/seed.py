#!/usr/bin/env python3
"""Seeds an orgd database (already migrated, with the two bench users created by `orgd users add`) straight
through SQL: the HTTP API would take far too long for 100 000 or 1 000 000 organizations.

The rows are what `POST /organizations` writes (see src/store/*/orgs.rs `create_org`): the organization, its
first team "My Team", the Owner membership (users_role_id 11) and Team Admin role (1) of user 1 (the six feature
controls at their default need no rows); plus, for the benchmark, user 2 as Member (13) with the Team Member role
(3), so that check-team-permission takes the team-role path, in every OVERRIDE_EVERY-th organization one feature
control switched off (a `feature_overrides` row, so that lists of controls merge stored overrides too), and in
the first min(N, 1000) organizations a number variable `benchVar` (PATCHed under load) and `histVar` with 10
history entries (its history is read under load); one
`organization_created` audit entry per organization and AUDIT entries more in organization 1's log, whose first
and deepest pages are read under load. Prints the cursor (imtId) that makes the deepest page.

usage: seed.py sqlite PATH N ZONE  |  seed.py postgres URL N ZONE
"""
import subprocess
import sys
import time

# The number of feature controls in src/domain/features.rs CATALOGUE; an override names one by its position.
CONTROLS = 6
OVERRIDE_EVERY = 10
VAR_ORGS = 1000
HISTORY = 10
AUDIT = 1_000_000
# The audit entries of organization 1 are one millisecond apart, ending a day before now (inside retention).
AUDIT_T0 = (int(time.time()) - 86_400) * 1000 - AUDIT - 1
OWNER, ADMIN_TEAM, MEMBER, TEAM_MEMBER = 11, 1, 13, 3


def statements(n, zone, now, ts, member_t, b, seq, name, j, hex32):
    """The seeding SQL for either backend; `ts` casts a text literal to the timestamp type, `member_t` is the
    teams' and memberships' `created_at` (epoch ms on SQLite, src/store/compact.rs), `b(x)` a boolean,
    `seq(lo, hi)` is a row source of integers x in lo..hi, `name(expr)` formats 'Org 0000042', `j(expr)` makes
    JSON of a text (jsonb on PostgreSQL, text on SQLite), `hex32(expr)` makes an audit entry's uuid of an integer
    (its 16 bytes on SQLite)."""
    vars_n = min(n, VAR_ORGS)
    t = ts(now)
    mt = member_t
    hist_values = []
    for k in range(HISTORY):
        if k == 0:
            hist_values.append(("organization_variable_created", '{"name": "histVar", "typeId": 1, "value": 0}'))
        else:
            hist_values.append(("organization_variable_edited",
                                f'{{"name": "histVar", "typeId": 1, "value": {k}, "oldValue": {k - 1}}}'))
    bench_created = """'{"name": "benchVar", "typeId": 1, "value": 0}'"""
    hist = " union all ".join(f"select {k} as k, '{a}' as a, '{d}' as d" for k, (a, d) in enumerate(hist_values))
    # names are a permutation of the ids (7919 is prime, coprime to every N used), so name order != id order; rows
    # go in in id order, as the organizations were created (else SQLite reads them by the covering name index)
    return [
        f"""insert into organizations (id, name, country_id, timezone_id, zone, plan, tfa_enforced, created_at)
            select x, {name(f"((x * cast(7919 as bigint)) % {n}) + 1")}, 1, 113, '{zone}', 'teams', {b(0)}, {t}
            from {seq(1, n)}""",
        f"""insert into teams (id, organization_id, name, created_at)
            select id, id, 'My Team', {mt} from organizations order by organizations.id""",
        f"""insert into organization_members (organization_id, user_id, users_role_id, created_at)
            select id, 1, {OWNER}, {mt} from organizations order by organizations.id""",
        f"""insert into organization_members (organization_id, user_id, users_role_id, created_at)
            select id, 2, {MEMBER}, {mt} from organizations order by organizations.id""",
        f"""insert into team_members (team_id, user_id, users_role_id, created_at)
            select id, 1, {ADMIN_TEAM}, {mt} from teams order by teams.id""",
        f"""insert into team_members (team_id, user_id, users_role_id, created_at)
            select id, 2, {TEAM_MEMBER}, {mt} from teams order by teams.id""",
        f"""insert into feature_overrides (organization_id, control, enabled, created_at)
            select id, (id / {OVERRIDE_EVERY}) % {CONTROLS}, {b(0)}, {t} from organizations
            where id % {OVERRIDE_EVERY} = 0 order by organizations.id""",
        f"""insert into variables (organization_id, name, type_id, value, created_at, updated_at)
            select x, v.name, 1, {j('v.value')}, {t}, {t}
            from {seq(1, vars_n)}, (select 'benchVar' as name, '0' as value union all
                                    select 'histVar', '{HISTORY - 1}') v
            order by x, v.name""",
        f"""insert into variable_history (organization_id, variable_name, action, diff, author, created_at)
            select x, 'benchVar', 'organization_variable_created',
                   {j(bench_created)}, 'bench-owner@example.com', {t}
            from {seq(1, vars_n)}""",
        f"""insert into variable_history (organization_id, variable_name, action, diff, author, created_at)
            select x, 'histVar', h.a, {j('h.d')}, 'bench-owner@example.com', {t}
            from {seq(1, vars_n)}, ({hist}) h order by x, h.k""",
        f"""insert into audit_log (uuid, organization_id, organization_name, actor_id, event_name, target_id, detail,
                                   triggered_ms)
            select {hex32('id + ' + str(AUDIT))}, id, name, 1, 'organization_created', cast(id as text), '{{}}',
                   {AUDIT_T0} from organizations order by organizations.id""",
        f"""insert into audit_log (uuid, organization_id, organization_name, actor_id, event_name, target_id, detail,
                                   triggered_ms)
            select {hex32('x')}, 1, 'Org', 1, 'organization_updated', '1', '{{}}', {AUDIT_T0} + x
            from {seq(1, AUDIT)}""",
    ]


def deep_cursor():
    """The imtId after which the newest-first walk has one page (50 entries) left."""
    return f"{AUDIT_T0 + 51}_{51:032x}"


def seed_sqlite(path, n, zone):
    import sqlite3

    # sqlx writes DateTime<Utc> to SQLite as RFC 3339 text; the seed uses the same shape
    at = time.time()
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime(at))
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("pragma foreign_keys = on")
    if sqlite3.sqlite_version_info < (3, 41, 0):
        # unhex() arrived in SQLite 3.41; orgd's own SQLite has it, an older Python's may not
        con.create_function("unhex", 1, bytes.fromhex, deterministic=True)
    seq = lambda lo, hi: (f"(with recursive s(x) as (select {lo} union all select x + 1 from s where x < {hi}) "
                          f"select x from s)")
    con.execute("begin")
    for sql in statements(n, zone, now, lambda s: f"'{s}'", str(int(at) * 1000), str, seq,
                          lambda e: f"printf('Org %07d', {e})", lambda e: e, lambda e: f"unhex(printf('%032x', {e}))"):
        con.execute(sql)
    con.execute("commit")
    con.execute("pragma wal_checkpoint(truncate)")
    con.close()


def seed_postgres(url, n, zone):
    now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
    seq = lambda lo, hi: f"generate_series({lo}, {hi}) as s(x)"
    # The read model's notifications (migration `…_read_model_notify`) fire for each team and membership row: one
    # pending `pg_notify` each, tens of millions in this one transaction at 10 000 000 organizations, for a server
    # that is not running yet. They are off while seeding; every other trigger (the members' `org_name`, the
    # statement-level order versions) runs as in production.
    quiet = [("teams", "teams_model_changed"), ("organization_members", "organization_members_model_changed"),
             ("team_members", "team_members_model_changed")]
    sql = ["begin"]
    sql += [f"alter table {table} disable trigger {trigger}" for table, trigger in quiet]
    sql += statements(n, zone, now, lambda s: f"'{s}'::timestamptz", f"'{now}'::timestamptz",
                      lambda v: "true" if v else "false", seq,
                      lambda e: f"'Org ' || lpad(({e})::text, 7, '0')",
                      lambda e: f"({e})::jsonb", lambda e: f"lpad(to_hex({e}), 32, '0')")
    sql += [f"alter table {table} enable trigger {trigger}" for table, trigger in quiet]
    for table in ["organizations", "teams", "variables", "variable_history", "audit_log"]:
        sql.append(f"select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))")
    sql += ["commit", "vacuum analyze"]
    # psql in a subprocess: no Python driver needed; ON_ERROR_STOP makes any failure fatal
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url], input=";\n".join(sql) + ";\n",
                   text=True, check=True, stdout=subprocess.DEVNULL)


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("sqlite", "postgres"):
        sys.exit(__doc__)
    backend, target, n, zone = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    (seed_sqlite if backend == "sqlite" else seed_postgres)(target, n, zone)
    print(deep_cursor())


if __name__ == "__main__":
    main()
