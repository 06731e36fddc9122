//! Custom roles: an organization's own roles and their permission sets.

use async_trait::async_trait;
use serde_json::json;
use sqlx::types::Json;

use super::audit::record;
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::ids::{OrgId, RoleId};
use crate::grant::{perms, Granted};
use crate::store::audit::NewEntry;
use crate::store::backend::Backend;
use crate::store::roles::{CustomRole, CustomRolePatch, CustomRoleStore, NewCustomRole};
use crate::store::{StoreError, StoreResult};

const COLS: &str = "id, organization_id, category, name, description, permissions";

#[async_trait]
impl CustomRoleStore for BackendStore {
    async fn custom_roles(&self, org_id: OrgId) -> StoreResult<Vec<CustomRole>> {
        Ok(sqlx::query_as(&format!("select {COLS} from custom_roles where organization_id = $1 order by id"))
            .bind(org_id)
            .fetch_all(&mut *self.reader().await?)
            .await?)
    }

    /// Read on every request of a member holding a custom role: from the read model when it holds the role.
    async fn custom_role(&self, role_id: RoleId) -> StoreResult<Option<CustomRole>> {
        self.model()
            .role(role_id.0, |fill| async move {
                let mut conn = if fill { self.primary().await? } else { self.reader().await? };
                Ok(sqlx::query_as(&format!("select {COLS} from custom_roles where id = $1"))
                    .bind(role_id)
                    .fetch_optional(&mut *conn)
                    .await?)
            })
            .await
    }

    async fn create_custom_role(
        &self,
        g: &Granted<perms::CustomRolesEdit>,
        role: NewCustomRole,
    ) -> StoreResult<CustomRole> {
        let (org_id, user_id) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(insert_role(tx, org_id, user_id, role))).await
    }

    async fn update_custom_role(
        &self,
        g: &Granted<perms::CustomRolesEdit>,
        role_id: RoleId,
        patch: CustomRolePatch,
    ) -> StoreResult<CustomRole> {
        let (org_id, user_id, role_id) = (g.org_id(), g.user_id(), role_id.0);
        self.write(Some(org_id), move |tx| Box::pin(change_role(tx, org_id, user_id, role_id, patch))).await
    }

    async fn delete_custom_role(&self, g: &Granted<perms::CustomRolesEdit>, role_id: RoleId) -> StoreResult<()> {
        let (org_id, user_id, role_id) = (g.org_id(), g.user_id(), role_id.0);
        self.write(Some(org_id), move |tx| Box::pin(remove_role(tx, org_id, user_id, role_id))).await
    }
}

/// Refuses a name another role of the organization has (the unique index would too, as a database error).
async fn name_free(tx: &mut Conn, org_id: i64, name: &str, except: i64) -> StoreResult<()> {
    let taken: Option<i64> =
        sqlx::query_scalar("select id from custom_roles where organization_id = $1 and name = $2 and id <> $3")
            .bind(org_id)
            .bind(name)
            .bind(except)
            .fetch_optional(&mut *tx)
            .await?;
    match taken {
        Some(_) => Err(StoreError::Conflict(format!("A role named '{name}' already exists in this organization."))),
        None => Ok(()),
    }
}

/// The organization's role `role_id`, NotFound otherwise (another organization's role is not there either).
async fn role_in(tx: &mut Conn, org_id: i64, role_id: i64) -> StoreResult<CustomRole> {
    let row: Option<CustomRole> =
        sqlx::query_as(&format!("select {COLS} from custom_roles where id = $1 and organization_id = $2"))
            .bind(role_id)
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?;
    row.ok_or_else(|| StoreError::NotFound(format!("Custom role {role_id} not found.")))
}

async fn insert_role(tx: &mut Conn, org_id: i64, user_id: i64, r: NewCustomRole) -> StoreResult<CustomRole> {
    name_free(tx, org_id, &r.name, 0).await?;
    let ids: Vec<i64> = r.permissions.ids().collect();
    let row: CustomRole = sqlx::query_as(&format!(
        "insert into custom_roles (organization_id, category, name, description, permissions, created_at)
         values ($1, $2, $3, $4, $5, $6) returning {COLS}"
    ))
    .bind(org_id)
    .bind(r.category.name())
    .bind(&r.name)
    .bind(&r.description)
    .bind(Json(&ids))
    .bind(r.now)
    .fetch_one(&mut *tx)
    .await?;
    let detail = json!({"name": row.name, "category": row.category, "permissions": ids});
    record(tx, NewEntry::new(org_id, Some(user_id), ev::CUSTOM_ROLE_CREATED, row.id).detail(detail)).await?;
    Ok(row)
}

async fn change_role(
    tx: &mut Conn,
    org_id: i64,
    user_id: i64,
    role_id: i64,
    p: CustomRolePatch,
) -> StoreResult<CustomRole> {
    let old = role_in(tx, org_id, role_id).await?;
    if let Some(name) = &p.name {
        name_free(tx, org_id, name, role_id).await?;
    }
    let name = p.name.unwrap_or_else(|| old.name.clone());
    let description = p.description.unwrap_or_else(|| old.description.clone());
    let ids: Vec<i64> = p.permissions.map(|s| s.ids().collect()).unwrap_or_else(|| old.permissions.0.clone());
    let row: CustomRole = sqlx::query_as(&format!(
        "update custom_roles set name = $1, description = $2, permissions = $3 where id = $4 returning {COLS}"
    ))
    .bind(&name)
    .bind(&description)
    .bind(Json(&ids))
    .bind(role_id)
    .fetch_one(&mut *tx)
    .await?;
    let detail = json!({
        "name": row.name, "oldName": old.name, "permissions": ids, "oldPermissions": old.permissions.0,
    });
    record(tx, NewEntry::new(org_id, Some(user_id), ev::CUSTOM_ROLE_UPDATED, role_id).detail(detail)).await?;
    Ok(row)
}

async fn remove_role(tx: &mut Conn, org_id: i64, user_id: i64, role_id: i64) -> StoreResult<()> {
    let old = role_in(tx, org_id, role_id).await?;
    // Role ids are unique across organizations and a custom role is only ever given within its own, so counting
    // every holder of the id counts this organization's.
    let held: i64 = sqlx::query_scalar(
        "select (select count(*) from organization_members where users_role_id = $1)
              + (select count(*) from team_members where users_role_id = $1)
              + (select count(*) from invitations where users_role_id = $1 and accepted_at is null)",
    )
    .bind(role_id)
    .fetch_one(&mut *tx)
    .await?;
    if held > 0 {
        return Err(StoreError::Conflict(format!(
            "The role '{}' is assigned {held} time(s); give its holders another role first.",
            old.name
        )));
    }
    sqlx::query("delete from custom_roles where id = $1").bind(role_id).execute(&mut *tx).await?;
    let detail = json!({"name": old.name, "category": old.category, "permissions": old.permissions.0});
    record(tx, NewEntry::new(org_id, Some(user_id), ev::CUSTOM_ROLE_DELETED, role_id).detail(detail)).await?;
    Ok(())
}
