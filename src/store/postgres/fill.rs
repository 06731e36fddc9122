//! PostgreSQL: the reads of teams and usage behind the read model. A read whose answer the model will keep
//! (`fill`) goes to the primary, never a standby: the notification that drops the answer may arrive before a
//! standby has the change, and a stale answer would then be kept. Any other may go to a standby.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;

use super::PgStore;
use crate::store::backend::Backend;
use crate::store::model::TeamsAndUsage;
use crate::store::models::{Team, UsageTotals};
use crate::store::StoreResult;

type Period = (DateTime<Utc>, DateTime<Utc>);

impl PgStore {
    async fn conn(&self, fill: bool) -> StoreResult<PoolConnection<sqlx::Postgres>> {
        if fill {
            self.primary().await
        } else {
            self.reader().await
        }
    }

    pub(super) async fn read_teams(&self, org_ids: &[i64], fill: bool) -> StoreResult<HashMap<i64, Vec<Team>>> {
        let rows: Vec<Team> = sqlx::query_as(
            "select id, name, organization_id, operations_limit, transfer_limit from teams
             where organization_id = any($1) order by name, id",
        )
        .bind(org_ids)
        .fetch_all(&mut *self.conn(fill).await?)
        .await?;
        let mut out: HashMap<i64, Vec<Team>> = HashMap::new();
        for r in rows {
            out.entry(r.organization_id).or_default().push(r);
        }
        Ok(out)
    }

    pub(super) async fn read_usage(
        &self,
        org_ids: &[i64],
        (from, to): Period,
        fill: bool,
    ) -> StoreResult<HashMap<i64, UsageTotals>> {
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "select organization_id, sum(operations)::bigint, sum(data_transfer)::bigint, sum(centicredits)::bigint
             from usage_records where organization_id = any($1) and at >= $2 and at < $3 group by organization_id",
        )
        .bind(org_ids)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *self.conn(fill).await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, operations, data_transfer, centicredits)| {
                (id, UsageTotals { operations, data_transfer, centicredits })
            })
            .collect())
    }

    pub(super) async fn read_teams_and_usage(
        &self,
        org_ids: &[i64],
        (from, to): Period,
        fill: bool,
    ) -> StoreResult<TeamsAndUsage> {
        type Row =
            (String, i64, Option<i64>, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
        // One round trip for both: the teams as rows of kind 't' (by name, then id), the usage sums as rows of
        // kind 'u'.
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
        .fetch_all(&mut *self.conn(fill).await?)
        .await?;
        let (mut teams, mut usage): TeamsAndUsage = Default::default();
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
