//! PostgreSQL: teams and team roles.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::record;
use super::members::lock_org;
use super::orgs::TeamRow;
use super::PgStore;
use crate::domain::audit as ev;
use crate::domain::roles;
use crate::grant::team_perms::{TeamDelete, TeamUserAddAndEdit};
use crate::grant::{perms, Granted, TeamGranted};
use crate::store::audit::NewEntry;
use crate::store::models::{NewTeam, Team};
use crate::store::page::Page;
use crate::store::{StoreError, StoreResult, TeamStore};
use serde_json::json;

const TEAM_COLS: &str = "id, name, organization_id, operations_limit, transfer_limit";

#[async_trait]
impl TeamStore for PgStore {
    async fn teams_in_org(&self, g: &Granted<perms::OrganizationView>, page: &Page) -> StoreResult<Vec<Team>> {
        let col = if page.sort_by == "id" { "id" } else { "name collate \"C\"" };
        let dir = page.sort_dir.sql();
        let rows: Vec<TeamRow> = sqlx::query_as(&format!(
            "select {TEAM_COLS} from teams where organization_id = $1 order by {col} {dir}, id {dir} limit $2 offset $3"
        ))
        .bind(g.org_id())
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn team(&self, team_id: i64) -> StoreResult<Option<Team>> {
        let row: Option<TeamRow> = sqlx::query_as(&format!("select {TEAM_COLS} from teams where id = $1"))
            .bind(team_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(Into::into))
    }

    async fn create_team(&self, g: &Granted<perms::TeamAdd>, t: NewTeam) -> StoreResult<Team> {
        let mut tx = self.write.begin().await?;
        lock_org(&mut tx, g.org_id()).await?;
        let count: i64 = sqlx::query_scalar("select count(*) from teams where organization_id = $1")
            .bind(g.org_id())
            .fetch_one(&mut *tx)
            .await?;
        if count >= t.max_teams {
            return Err(StoreError::LimitExceeded(format!("The organization's plan allows {} teams.", t.max_teams)));
        }
        let row: TeamRow = sqlx::query_as(&format!(
            "insert into teams (organization_id, name, operations_limit, transfer_limit, created_at)
             values ($1, $2, $3, $4, $5) returning {TEAM_COLS}"
        ))
        .bind(g.org_id())
        .bind(&t.name)
        .bind(t.operations_limit)
        .bind(t.transfer_limit)
        .bind(t.now)
        .fetch_one(&mut *tx)
        .await?;
        let team: Team = row.into();
        sqlx::query("insert into team_members (team_id, user_id, users_role_id, created_at) values ($1, $2, $3, $4)")
            .bind(team.id)
            .bind(t.creator_id)
            .bind(roles::TEAM_ADMIN)
            .bind(t.now)
            .execute(&mut *tx)
            .await?;
        let entry = NewEntry::new(g.org_id(), Some(g.user_id()), ev::TEAM_CREATED, team.id).team(team.id);
        record(&mut tx, entry.detail(json!({"name": team.name}))).await?;
        self.commit(tx).await?;
        Ok(team)
    }

    async fn delete_team(&self, g: &TeamGranted<TeamDelete>) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        lock_org(&mut tx, g.org_id()).await?;
        let count: i64 = sqlx::query_scalar("select count(*) from teams where organization_id = $1")
            .bind(g.org_id())
            .fetch_one(&mut *tx)
            .await?;
        if count <= 1 {
            return Err(StoreError::Conflict("An organization keeps at least one team; this is its last.".into()));
        }
        // Written first, so the entry keeps the team's name.
        let entry = NewEntry::new(g.org_id(), Some(g.user_id()), ev::TEAM_DELETED, g.team_id()).team(g.team_id());
        record(&mut tx, entry).await?;
        let done = sqlx::query("delete from teams where id = $1 and organization_id = $2")
            .bind(g.team_id())
            .bind(g.org_id())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("Team {} not found.", g.team_id())));
        }
        self.commit(tx).await?;
        Ok(())
    }

    async fn team_roles_in_org(&self, org_id: i64, user_id: i64) -> StoreResult<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "select tm.team_id, tm.users_role_id from team_members tm join teams t on t.id = tm.team_id
             where t.organization_id = $1 and tm.user_id = $2 order by tm.team_id",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_all(&self.read)
        .await?)
    }

    async fn team_members(&self, team_id: i64) -> StoreResult<Vec<(i64, i64)>> {
        Ok(sqlx::query_as("select user_id, users_role_id from team_members where team_id = $1 order by user_id")
            .bind(team_id)
            .fetch_all(&self.read)
            .await?)
    }

    async fn set_team_role(
        &self,
        g: &TeamGranted<TeamUserAddAndEdit>,
        user_id: i64,
        role: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        lock_org(&mut tx, g.org_id()).await?;
        let member: Option<i64> =
            sqlx::query_scalar("select user_id from organization_members where organization_id = $1 and user_id = $2")
                .bind(g.org_id())
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        if member.is_none() {
            return Err(StoreError::NotFound(format!("User {user_id} is not an active member of this organization.")));
        }
        let old: Option<i64> =
            sqlx::query_scalar("select users_role_id from team_members where team_id = $1 and user_id = $2")
                .bind(g.team_id())
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let entry = NewEntry::new(g.org_id(), Some(g.user_id()), ev::TEAM_ROLE_CHANGED, user_id).team(g.team_id());
        record(&mut tx, entry.detail(json!({"oldUsersRoleId": old, "usersRoleId": role}))).await?;
        match role {
            Some(role) => {
                sqlx::query(
                    "insert into team_members (team_id, user_id, users_role_id, created_at) values ($1, $2, $3, $4)
                     on conflict (team_id, user_id) do update set users_role_id = excluded.users_role_id",
                )
                .bind(g.team_id())
                .bind(user_id)
                .bind(role)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("delete from team_members where team_id = $1 and user_id = $2")
                    .bind(g.team_id())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.commit(tx).await?;
        Ok(())
    }
}
