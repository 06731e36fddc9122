//! Migrations `…0090_compact_members` and `…0091_compact_audit_log` (SQLite): a database made by the migrations
//! before them, with members, teams and audit entries in their old shapes, keeps every row, and the server reads
//! and writes the new shapes.

use std::borrow::Cow;
use std::str::FromStr;

use orgd::domain::ids::{OrgId, TeamId, UserId};
use orgd::store::audit::{Query, Scope};
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;

use crate::helpers::{on_postgres, Db, TestApp};

/// The last migration before the compaction.
const BEFORE: i64 = 20261206000080;
const T0: &str = "2026-12-01T10:00:00.123456789+00:00";
const T0_MS: i64 = 1_796_119_200_123;
const MS: i64 = 1_796_119_300_000;
/// Three entries of organization 1, two of them in one millisecond (their uuids order them).
const UUIDS: [&str; 3] =
    ["0190f0f0f0f07000800000000000000a", "0190f0f0f0f07000800000000000000b", "0190f0f0f0f07000800000000000000c"];

async fn old_database(db: &Db) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let mut before = Migrator::new(dir).await.unwrap();
    before.migrations = Cow::Owned(before.migrations.iter().filter(|m| m.version <= BEFORE).cloned().collect());
    let pool = SqlitePool::connect_with(SqliteConnectOptions::from_str(&db.url).unwrap().create_if_missing(true))
        .await
        .unwrap();
    before.run(&pool).await.unwrap();
    let [a, b, c] = UUIDS;
    for sql in [
        format!(
            "insert into users (id, email, name, timezone_id, country_id, created_at)
             values (1, 'owner@example.com', 'Owner', 113, 1, '{T0}'), (2, 'member@example.com', 'Member', 113, 1, '{T0}')"
        ),
        format!(
            "insert into organizations (id, name, country_id, timezone_id, zone, plan, created_at)
             values (1, 'Old Org', 1, 113, 'eu1.make.com', 'free', '{T0}')"
        ),
        format!("insert into teams (id, organization_id, name, created_at) values (5, 1, 'My Team', '{T0}')"),
        format!(
            "insert into organization_members (organization_id, user_id, users_role_id, created_at)
             values (1, 1, 11, '{T0}'), (1, 2, 13, '{T0}')"
        ),
        format!(
            "insert into team_members (team_id, user_id, users_role_id, created_at)
             values (5, 1, 1, '{T0}'), (5, 2, 3, '{T0}')"
        ),
        format!(
            "insert into audit_log (id, uuid, organization_id, organization_name, team_id, team_name, actor_id,
                 event_name, target_id, detail, triggered_ms)
             values (7, '{a}', 1, 'Old Org', null, null, 1, 'organization_created', '1', '{{}}', {MS}),
                    (8, '{c}', 1, 'Old Org', 5, 'My Team', 1, 'team_created', '5', '{{}}', {MS} + 1),
                    (9, '{b}', 1, 'Old Org', 5, 'My Team', 1, 'team_role_changed', '2', '{{}}', {MS} + 1)"
        ),
        // an id given and gone (retention): AUTOINCREMENT must not give it again
        "update sqlite_sequence set seq = 20 where name = 'audit_log'".into(),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

#[tokio::test]
async fn an_existing_database_keeps_its_members_teams_and_audit_log() {
    if on_postgres() {
        return; // PostgreSQL's tables are not changed
    }
    let db = Db::fresh().await;
    old_database(&db).await;
    let app = TestApp::spawn_with(db, |_| {}).await;
    let s = &app.store;

    let mut roles: Vec<(i64, i64)> =
        s.memberships_of_user(UserId(2)).await.unwrap().iter().map(|m| (m.organization_id, m.users_role_id)).collect();
    roles.extend(s.team_members(TeamId(5)).await.unwrap().iter().map(|m| (m.user_id.0, m.users_role_id.0)));
    assert_eq!(roles, [(1, 13), (1, 1), (2, 3)]);
    let times = "select distinct typeof(created_at) || ' ' || created_at from (select created_at from teams
                 union all select created_at from organization_members union all select created_at from team_members)";
    assert_eq!(app.db.strings(times).await, [format!("integer {T0_MS}")]);

    // The log in its order: (triggered ms, uuid), newest first; a cursor inside the shared millisecond.
    let page = s.audit_page(&Query::new(Scope::Organization(1), 50)).await.unwrap();
    let seen: Vec<(&str, i64)> = page.iter().map(|e| (e.uuid.as_str(), e.triggered_ms)).collect();
    assert_eq!(seen, [(UUIDS[2], MS + 1), (UUIDS[1], MS + 1), (UUIDS[0], MS)]);
    assert_eq!(page[1].team_name.as_deref(), Some("My Team"));
    let mut after = Query::new(Scope::Organization(1), 50);
    after.after = Some((MS + 1, UUIDS[2].into()));
    let rest = s.audit_page(&after).await.unwrap();
    assert_eq!(rest.iter().map(|e| e.uuid.as_str()).collect::<Vec<_>>(), [UUIDS[1], UUIDS[0]]);
    let team_log = s.audit_page(&Query::new(Scope::Team(5), 1)).await.unwrap();
    assert_eq!(team_log[0].uuid, UUIDS[2]);
    let one = s.audit_entry(OrgId(1), UUIDS[1]).await.unwrap().unwrap();
    assert_eq!(one.event_name, "team_role_changed");

    // New rows take the new shapes; the renaming trigger reaches the memberships still.
    let token = app.user("new@example.com").await;
    let org = app.create_org(&token, "New Org").await;
    app.db.exec("update organizations set name = 'Renamed' where id = 1").await;
    let shapes = format!(
        "select typeof(created_at) from organization_members where organization_id = {org}
         union all select typeof(uuid) || length(uuid) from audit_log where organization_id = {org}
         union all select org_name from organization_members where organization_id = 1 and user_id = 2
         union all select cast(min(id) as text) from audit_log where organization_id = {org}"
    );
    assert_eq!(app.db.strings(&shapes).await, ["integer", "blob16", "Renamed", "21"]);
    assert!(app.db.strings("select 'x' from pragma_foreign_key_check").await.is_empty());
}
