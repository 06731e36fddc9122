//! PostgreSQL: the reads on every request's path. Tokens and memberships come from the per-node cache
//! (`cache.rs`) when it holds them; everything else is one statement each, the teams and usage of an organization's
//! answer one statement together.

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
        let ticket = match self.cache.token(digest) {
            Ok(hit) => return Ok(Some(hit)),
            Err(ticket) => ticket,
        };
        let found = self.read_token(digest).await?;
        if let Some(auth) = &found {
            self.cache.keep_token(ticket, digest, auth);
        }
        Ok(found)
    }

    async fn org_access(&self, org_id: OrgId, user_id: UserId) -> StoreResult<OrgAccess> {
        let (org_id, user_id) = (org_id.0, user_id.0);
        let ticket = match self.cache.access(org_id, user_id) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let found = self.read_access(org_id, user_id).await?;
        self.cache.keep_access(ticket, org_id, user_id, &found);
        Ok(found)
    }

    async fn teams_of(&self, org_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Team>>> {
        let rows: Vec<Team> = sqlx::query_as(
            "select id, name, organization_id, operations_limit, transfer_limit from teams
             where organization_id = any($1) order by name, id",
        )
        .bind(org_ids)
        .fetch_all(&self.read)
        .await?;
        let mut out: HashMap<i64, Vec<Team>> = HashMap::new();
        for r in rows {
            out.entry(r.organization_id).or_default().push(r);
        }
        Ok(out)
    }

    async fn usage_totals(
        &self,
        org_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<HashMap<i64, UsageTotals>> {
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "select organization_id, sum(operations)::bigint, sum(data_transfer)::bigint, sum(centicredits)::bigint
             from usage_records where organization_id = any($1) and at >= $2 and at < $3 group by organization_id",
        )
        .bind(org_ids)
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, operations, data_transfer, centicredits)| {
                (id, UsageTotals { operations, data_transfer, centicredits })
            })
            .collect())
    }

    async fn teams_and_usage(
        &self,
        org_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<(HashMap<i64, Vec<Team>>, HashMap<i64, UsageTotals>)> {
        type Row =
            (String, i64, Option<i64>, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
        // One round trip for both: the teams as rows of kind 't' (by name, then id), the usage sums as rows of
        // kind 'u'. With the token and membership cached, GET organization is this one statement.
        let rows: Vec<Row> = sqlx::query_as(
            "select 't', organization_id, id, name, operations_limit, transfer_limit, null::bigint, null::bigint,
                    null::bigint
             from teams where organization_id = any($1)
             union all
             select 'u', organization_id, null, null, null, null, sum(operations)::bigint, sum(data_transfer)::bigint,
                    sum(centicredits)::bigint
             from usage_records where organization_id = any($1) and at >= $2 and at < $3 group by organization_id
             order by 1, 4, 3",
        )
        .bind(org_ids)
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        let (mut teams, mut usage): (HashMap<i64, Vec<Team>>, HashMap<i64, UsageTotals>) = Default::default();
        for (kind, org, id, name, operations_limit, transfer_limit, ops, data, credits) in rows {
            if kind == "t" {
                let (id, name) = (id.unwrap_or_default(), name.unwrap_or_default());
                let team = Team { id, name, organization_id: org, operations_limit, transfer_limit };
                teams.entry(org).or_default().push(team);
            } else {
                let totals = UsageTotals {
                    operations: ops.unwrap_or_default(),
                    data_transfer: data.unwrap_or_default(),
                    centicredits: credits.unwrap_or_default(),
                };
                usage.insert(org, totals);
            }
        }
        Ok((teams, usage))
    }
}

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
        Ok(row.map(|r| TokenAuth { token_id: r.token_id, user: r.user, scopes: r.scopes.0, session_id: r.session_id }))
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
