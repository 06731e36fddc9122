//! Organization variables; every change writes its history entry in the same transaction (on SQLite a group
//! commit shared with other waiting writes, `sqlite/commit.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::types::Json;

use super::trips::{self, Trip};
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::variable_change;
use crate::grant::{perms, Granted};
use crate::store::args::Arg;
use crate::store::audit::{self, NewEntry};
use crate::store::backend::{Backend, Trips};
use crate::store::model::Named;
use crate::store::models::{HistoryEntry, Variable, VariableWrite};
use crate::store::{StoreError, StoreResult, VariableStore};

/// The variable as it is now: as an earlier write of this transaction left it (`known.rs`), else read.
async fn current(conn: &mut Trips<'_, Conn>, org_id: i64, name: &str) -> StoreResult<Option<Variable>> {
    if let Some(known) = conn.known.variable(org_id, name) {
        return Ok(known);
    }
    const SQL: &str = "select name, type_id, value from variables where organization_id = $1 and name = $2";
    let args = vec![Arg::Int(org_id), Arg::Text(name.to_owned())];
    let row: Option<(String, i64, Json<Value>)> = trips::row(conn, SQL, args, |r| {
        let value: String = r.get(2)?;
        let value = serde_json::from_str(&value)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into()))?;
        Ok((r.get(0)?, r.get(1)?, Json(value)))
    })
    .await?;
    Ok(row.map(|(name, type_id, value)| Variable { name, type_id, value: value.0 }))
}

/// A variable's history entry: `$9`–`$14` of a [`change`] (after the audit entry's `$1`–`$8`).
const HISTORY: &str = "insert into variable_history (organization_id, variable_name, action, diff, author, created_at)
     values ($9, $10, $11, $12, $13, $14)";

/// One change of a variable: `trip`'s statement (which reads the organization as `$9`, the name as `$10`, the
/// time as `$14` and, with `typed`, the type and value as `$15` and `$16`), then its history entry and its audit
/// entry, in one trip (`trips.rs`).
struct Change<'a> {
    trip: &'static Trip,
    org_id: i64,
    name: &'a str,
    action: &'static str,
    diff: Value,
    author: &'a str,
    now: DateTime<Utc>,
    typed: Option<(i64, Value)>,
}

async fn change(conn: &mut Trips<'_, Conn>, c: Change<'_>, entry: NewEntry) -> StoreResult<()> {
    let mut args = entry.args();
    args.extend([
        Arg::Int(c.org_id),
        Arg::Text(c.name.to_owned()),
        Arg::Text(c.action.to_owned()),
        Arg::Json(c.diff),
        Arg::Text(c.author.to_owned()),
        Arg::Time(c.now),
    ]);
    if let Some((type_id, value)) = c.typed {
        args.extend([Arg::Int(type_id), Arg::Json(value)]);
    }
    trips::run(conn, c.trip, args).await
}

/// What a variable's change drops from the read model: nothing, as it keeps no variables, their history or the
/// audit log; the change still runs under its organization's lock.
const UNREAD: Named = Named::Nothing;

fn missing(name: &str) -> StoreError {
    StoreError::NotFound(format!("Variable '{name}' not found."))
}

#[async_trait]
impl VariableStore for BackendStore {
    async fn variables(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<Variable>> {
        let rows: Vec<(String, i64, Json<Value>)> =
            sqlx::query_as("select name, type_id, value from variables where organization_id = $1 order by name")
                .bind(g.org_id())
                .fetch_all(&mut *self.reader().await?)
                .await?;
        Ok(rows.into_iter().map(|(name, type_id, value)| Variable { name, type_id, value: value.0 }).collect())
    }

    async fn create_variable(&self, g: &Granted<perms::OrganizationEdit>, w: VariableWrite) -> StoreResult<Variable> {
        let (org_id, user_id) = (g.org_id(), g.user_id());
        self.write_quick(Some(org_id), UNREAD, move |conn| Box::pin(create(conn, org_id, user_id, w.clone()))).await
    }

    async fn update_variable(&self, g: &Granted<perms::OrganizationEdit>, w: VariableWrite) -> StoreResult<Variable> {
        let (org_id, user_id) = (g.org_id(), g.user_id());
        self.write_quick(Some(org_id), UNREAD, move |conn| Box::pin(update(conn, org_id, user_id, w.clone()))).await
    }

    async fn delete_variable(
        &self,
        g: &Granted<perms::OrganizationEdit>,
        name: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (org_id, user_id, name, author) = (g.org_id(), g.user_id(), name.to_owned(), author.to_owned());
        self.write_quick(Some(org_id), UNREAD, move |conn| {
            Box::pin(delete(conn, org_id, user_id, name.clone(), author.clone(), now))
        })
        .await
    }

    async fn variable_history(
        &self,
        g: &Granted<perms::OrganizationView>,
        name: &str,
    ) -> StoreResult<Option<Vec<HistoryEntry>>> {
        let rows: Vec<(i64, String, Json<Value>, String, DateTime<Utc>)> = sqlx::query_as(
            "select id, action, diff, author, created_at from variable_history
             where organization_id = $1 and variable_name = $2 order by id desc",
        )
        .bind(g.org_id())
        .bind(name)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        rows.into_iter()
            .map(|(id, action, diff, author, created_at)| {
                Ok(HistoryEntry { id, action, diff: diff.0, author, created_at })
            })
            .collect::<StoreResult<Vec<_>>>()
            .map(Some)
    }
}

// The writes themselves, each run by `Backend::write`.

async fn create(mut conn: Trips<'_, Conn>, org_id: i64, user_id: i64, w: VariableWrite) -> StoreResult<Variable> {
    static TRIP: Trip = Trip::new(&[
        audit::INSERT,
        "insert into variables (organization_id, name, type_id, value, created_at, updated_at)
         values ($9, $10, $15, $16, $14, $14)",
        HISTORY,
    ]);
    let (Some(type_id), Some(value)) = (w.type_id, w.value) else {
        return Err(StoreError::Other(anyhow::anyhow!("create_variable needs typeId and value")));
    };
    if current(&mut conn, org_id, &w.name).await?.is_some() {
        return Err(StoreError::Conflict("Variable already exists.".into()));
    }
    let var = Variable { name: w.name, type_id, value };
    // The audit entry names the variable and its type; values stay in the variable's own history.
    let entry = NewEntry::new(org_id, Some(user_id), ev::VARIABLE_CREATED, &var.name)
        .detail(json!({"name": var.name, "typeId": var.type_id}));
    let c = Change {
        trip: &TRIP,
        org_id,
        name: &var.name,
        action: "organization_variable_created",
        diff: variable_change::whole(&var),
        author: &w.author,
        now: w.now,
        typed: Some((var.type_id, var.value.clone())),
    };
    change(&mut conn, c, entry).await?;
    conn.known.wrote_variable(org_id, &var.name, Some(var.clone()));
    Ok(var)
}

async fn update(mut conn: Trips<'_, Conn>, org_id: i64, user_id: i64, w: VariableWrite) -> StoreResult<Variable> {
    static TRIP: Trip = Trip::new(&[
        audit::INSERT,
        "update variables set type_id = $15, value = $16, updated_at = $14 where organization_id = $9 and name = $10",
        HISTORY,
    ]);
    let old = current(&mut conn, org_id, &w.name).await?.ok_or_else(|| missing(&w.name))?;
    let new = variable_change::updated(&old, w.type_id, w.value);
    let entry = NewEntry::new(org_id, Some(user_id), ev::VARIABLE_UPDATED, &new.name)
        .detail(variable_change::update_audit(&old, &new));
    let c = Change {
        trip: &TRIP,
        org_id,
        name: &new.name,
        action: "organization_variable_edited",
        diff: variable_change::update_diff(&old, &new),
        author: &w.author,
        now: w.now,
        typed: Some((new.type_id, new.value.clone())),
    };
    change(&mut conn, c, entry).await?;
    conn.known.wrote_variable(org_id, &new.name, Some(new.clone()));
    Ok(new)
}

async fn delete(
    mut conn: Trips<'_, Conn>,
    org_id: i64,
    user_id: i64,
    name: String,
    author: String,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    static TRIP: Trip =
        Trip::new(&[audit::INSERT, "delete from variables where organization_id = $9 and name = $10", HISTORY]);
    let old = current(&mut conn, org_id, &name).await?.ok_or_else(|| missing(&name))?;
    let entry = NewEntry::new(org_id, Some(user_id), ev::VARIABLE_DELETED, &name)
        .detail(json!({"name": old.name, "typeId": old.type_id}));
    let c = Change {
        trip: &TRIP,
        org_id,
        name: &name,
        action: "organization_variable_deleted",
        diff: variable_change::whole(&old),
        author: &author,
        now,
        typed: None,
    };
    change(&mut conn, c, entry).await?;
    conn.known.wrote_variable(org_id, &name, None);
    Ok(())
}
