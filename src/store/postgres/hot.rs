//! PostgreSQL: the reads on every request's path. Tokens, memberships, teams and usage come from the read model
//! (`store/model/`, kept true by `cache.rs`) when it holds them; else each is one statement (`fill.rs`), the teams
//! and usage of an organization's answer one statement together.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;

use super::shared::orgs::ORG_COLS;
use super::shared::users::user_cols_of;
use super::PgStore;
use crate::domain::ids::{OrgId, UserId};
use crate::store::models::{Org, OrgAccess, Team, TokenAuth, UsageTotals, User};
use crate::store::{RequestReads, StoreResult};

#[async_trait]
impl RequestReads for PgStore {
    async fn authenticate(&self, digest: &str) -> StoreResult<Option<TokenAuth>> {
        self.model.token(digest, |_| self.read_token(digest)).await
    }

    /// From the read model (`store/model/`) when it holds the membership, else from the primary.
    async fn org_access(&self, org_id: OrgId, user_id: UserId) -> StoreResult<OrgAccess> {
        let (org_id, user_id) = (org_id.0, user_id.0);
        self.model.access(org_id, user_id, |_| self.read_access(org_id, user_id)).await
    }

    async fn teams_of(&self, org_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Team>>> {
        self.model.teams(org_ids, |fill| self.read_teams(org_ids, fill)).await
    }

    async fn usage_totals(
        &self,
        org_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<HashMap<i64, UsageTotals>> {
        self.model.usage(org_ids, (from, to), |fill| self.read_usage(org_ids, (from, to), fill)).await
    }

    /// With the token and membership cached, GET organization is served from memory, else this one statement.
    async fn teams_and_usage(
        &self,
        org_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<(HashMap<i64, Vec<Team>>, HashMap<i64, UsageTotals>)> {
        self.model
            .teams_and_usage(org_ids, (from, to), |fill| self.read_teams_and_usage(org_ids, (from, to), fill))
            .await
    }
}

/// The token and membership reads fill the cache, so they read the primary, never a standby: the notification
/// that empties the cache may arrive before a standby has the change, and a stale answer would then be kept.
impl PgStore {
    async fn read_token(&self, digest: &str) -> StoreResult<Option<TokenAuth>> {
        #[derive(FromRow)]
        struct Row {
            token_id: i64,
            scopes: Json<Vec<String>>,
            session_id: Option<i64>,
            #[sqlx(flatten)]
            user: User,
        }
        let row: Option<Row> = sqlx::query_as(&format!(
            "select t.id as token_id, t.scopes, t.session_id, {} from tokens t join users u on u.id = t.user_id
             where t.digest = $1 and t.revoked_at is null",
            user_cols_of("u")
        ))
        .bind(digest)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| TokenAuth {
            token_id: r.token_id,
            user: r.user,
            scopes: r.scopes.0.into(),
            session_id: r.session_id,
        }))
    }

    async fn read_access(&self, org_id: i64, user_id: i64) -> StoreResult<OrgAccess> {
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            org: Org,
            users_role_id: Option<i64>,
        }
        let row: Option<Row> = sqlx::query_as(&format!(
            "select {ORG_COLS}, m.users_role_id from organizations o
             left join organization_members m on m.organization_id = o.id and m.user_id = $2
             where o.id = $1"
        ))
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(match row {
            None => OrgAccess::NoSuchOrg,
            Some(Row { users_role_id: None, .. }) => OrgAccess::Stranger,
            Some(Row { org, users_role_id: Some(role) }) => OrgAccess::Member { org, users_role_id: role },
        })
    }
}
