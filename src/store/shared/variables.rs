//! Organization variables; every change writes its history entry in the same transaction (on SQLite a group
//! commit shared with other waiting writes, `sqlite/commit.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::types::Json;

use super::audit::record as audit_record;
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::variable_change;
use crate::grant::{perms, Granted};
use crate::store::audit::NewEntry;
use crate::store::backend::Backend;
use crate::store::models::{HistoryEntry, Variable, VariableWrite};
use crate::store::{StoreError, StoreResult, VariableStore};

async fn current(conn: &mut Conn, org_id: i64, name: &str) -> StoreResult<Option<Variable>> {
    let row: Option<(String, i64, Json<Value>)> =
        sqlx::query_as("select name, type_id, value from variables where organization_id = $1 and name = $2")
            .bind(org_id)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(name, type_id, value)| Variable { name, type_id, value: value.0 }))
}

async fn record(
    conn: &mut Conn,
    org_id: i64,
    name: &str,
    action: &str,
    diff: &Value,
    author: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "insert into variable_history (organization_id, variable_name, action, diff, author, created_at)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org_id)
    .bind(name)
    .bind(action)
    .bind(Json(diff))
    .bind(author)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

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
        self.write(Some(org_id), move |conn| Box::pin(create(conn, org_id, user_id, w))).await
    }

    async fn update_variable(&self, g: &Granted<perms::OrganizationEdit>, w: VariableWrite) -> StoreResult<Variable> {
        let (org_id, user_id) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |conn| Box::pin(update(conn, org_id, user_id, w))).await
    }

    async fn delete_variable(
        &self,
        g: &Granted<perms::OrganizationEdit>,
        name: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (org_id, user_id, name, author) = (g.org_id(), g.user_id(), name.to_owned(), author.to_owned());
        self.write(Some(org_id), move |conn| Box::pin(delete(conn, org_id, user_id, name, author, now))).await
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

async fn create(conn: &mut Conn, org_id: i64, user_id: i64, w: VariableWrite) -> StoreResult<Variable> {
    let (Some(type_id), Some(value)) = (w.type_id, w.value) else {
        return Err(StoreError::Other(anyhow::anyhow!("create_variable needs typeId and value")));
    };
    if current(conn, org_id, &w.name).await?.is_some() {
        return Err(StoreError::Conflict("Variable already exists.".into()));
    }
    sqlx::query(
        "insert into variables (organization_id, name, type_id, value, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5)",
    )
    .bind(org_id)
    .bind(&w.name)
    .bind(type_id)
    .bind(Json(&value))
    .bind(w.now)
    .execute(&mut *conn)
    .await?;
    let var = Variable { name: w.name.clone(), type_id, value };
    let diff = variable_change::whole(&var);
    record(conn, org_id, &w.name, "organization_variable_created", &diff, &w.author, w.now).await?;
    // The audit entry names the variable and its type; values stay in the variable's own history.
    let entry = NewEntry::new(org_id, Some(user_id), ev::VARIABLE_CREATED, &var.name);
    audit_record(conn, entry.detail(json!({"name": var.name, "typeId": var.type_id}))).await?;
    Ok(var)
}

async fn update(conn: &mut Conn, org_id: i64, user_id: i64, w: VariableWrite) -> StoreResult<Variable> {
    let old = current(conn, org_id, &w.name).await?.ok_or_else(|| missing(&w.name))?;
    let new = variable_change::updated(&old, w.type_id, w.value.clone());
    sqlx::query(
        "update variables set type_id = $1, value = $2, updated_at = $3 where organization_id = $4 and name = $5",
    )
    .bind(new.type_id)
    .bind(Json(&new.value))
    .bind(w.now)
    .bind(org_id)
    .bind(&w.name)
    .execute(&mut *conn)
    .await?;
    let diff = variable_change::update_diff(&old, &new);
    record(conn, org_id, &w.name, "organization_variable_edited", &diff, &w.author, w.now).await?;
    let detail = variable_change::update_audit(&old, &new);
    let entry = NewEntry::new(org_id, Some(user_id), ev::VARIABLE_UPDATED, &new.name);
    audit_record(conn, entry.detail(detail)).await?;
    Ok(new)
}

async fn delete(
    conn: &mut Conn,
    org_id: i64,
    user_id: i64,
    name: String,
    author: String,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let old = current(conn, org_id, &name).await?.ok_or_else(|| missing(&name))?;
    sqlx::query("delete from variables where organization_id = $1 and name = $2")
        .bind(org_id)
        .bind(&name)
        .execute(&mut *conn)
        .await?;
    let diff = variable_change::whole(&old);
    record(conn, org_id, &name, "organization_variable_deleted", &diff, &author, now).await?;
    let entry = NewEntry::new(org_id, Some(user_id), ev::VARIABLE_DELETED, &name);
    audit_record(conn, entry.detail(json!({"name": old.name, "typeId": old.type_id}))).await?;
    Ok(())
}
