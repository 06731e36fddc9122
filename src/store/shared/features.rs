//! Feature controls, TFA flags and installed apps.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::record;
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::features;
use crate::domain::ids::UserId;
use crate::grant::{perms, Granted};
use crate::store::audit::NewEntry;
use crate::store::backend::Backend;
use crate::store::models::{FeatureControl, InstalledApp};
use crate::store::{FeatureStore, StoreError, StoreResult};
use serde_json::json;

#[async_trait]
impl FeatureStore for BackendStore {
    async fn feature_controls(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<FeatureControl>> {
        let overrides: Vec<(i16, bool)> =
            sqlx::query_as("select control, enabled from feature_overrides where organization_id = $1")
                .bind(g.org_id())
                .fetch_all(&mut *self.reader().await?)
                .await?;
        let overrides: Vec<(i64, bool)> = overrides.into_iter().map(|(c, e)| (i64::from(c), e)).collect();
        Ok(features::merge(g.org_id(), &overrides).into_iter().map(Into::into).collect())
    }

    async fn set_feature_control(
        &self,
        g: &Granted<perms::OrganizationEdit>,
        id: i64,
        enabled: bool,
    ) -> StoreResult<FeatureControl> {
        // The id names its organization: one of another organization is as unknown here as one never handed out.
        let Some(index) = features::index_in(g.org_id(), id) else {
            return Err(StoreError::NotFound(format!("Feature control {id} not found.")));
        };
        let (org_id, by) = (g.org_id(), g.user_id());
        // Holding the organization's lock (PostgreSQL), so that simultaneous switches each read the state the one
        // before left, and the audit log's `oldEnabled` chains.
        self.write(Some(org_id), move |tx| Box::pin(switch_control(tx, org_id, by, index, enabled))).await?;
        Ok(FeatureControl { id, name: features::CATALOGUE[index].name.to_string(), enabled })
    }

    async fn set_tfa_enforced(&self, g: &Granted<perms::OrganizationEdit>, enforced: bool) -> StoreResult<()> {
        let (org_id, by) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(switch_tfa(tx, org_id, by, enforced))).await
    }

    async fn set_user_tfa(&self, email: &str, enabled: bool) -> StoreResult<bool> {
        let email = email.to_owned();
        self.write(None, move |tx| {
            Box::pin(async move {
                let id: Option<i64> = sqlx::query_scalar("select id from users where email = $1")
                    .bind(email)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(id) = id else { return Ok::<_, StoreError>(false) };
                if enabled {
                    sqlx::query("update users set tfa_enabled = $1 where id = $2")
                        .bind(true)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                } else {
                    // The audited reset for a lost authenticator: the secret and the recovery codes go too.
                    super::factors::remove(tx, UserId(id), true).await?;
                }
                Ok(true)
            })
        })
        .await
    }

    async fn installed_apps(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<InstalledApp>> {
        let rows: Vec<(String, i64, i64, Option<i64>, DateTime<Utc>)> = sqlx::query_as(
            "select app_name, app_version, organization_id, installed_by, installed_at from installed_apps
             where organization_id = $1 order by app_name",
        )
        .bind(g.org_id())
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(app_name, app_version, organization_id, installed_by, installed_at)| InstalledApp {
                app_name,
                app_version,
                organization_id,
                installed_by,
                installed_at,
            })
            .collect())
    }
}

/// Switches one control and records the change with the state it had.
async fn switch_control(tx: &mut Conn, org_id: i64, by: i64, index: usize, enabled: bool) -> StoreResult<()> {
    let control = index as i16;
    let old: Option<bool> =
        sqlx::query_scalar("select enabled from feature_overrides where organization_id = $1 and control = $2")
            .bind(org_id)
            .bind(control)
            .fetch_optional(&mut *tx)
            .await?;
    let old = old.unwrap_or(features::DEFAULT_ENABLED);
    if features::needs_override(enabled) {
        sqlx::query(
            "insert into feature_overrides (organization_id, control, enabled, created_at) values ($1, $2, $3, $4)
                 on conflict (organization_id, control) do update set enabled = excluded.enabled",
        )
        .bind(org_id)
        .bind(control)
        .bind(enabled)
        .bind(crate::store::clock::now())
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("delete from feature_overrides where organization_id = $1 and control = $2")
            .bind(org_id)
            .bind(control)
            .execute(&mut *tx)
            .await?;
    }
    let name = features::CATALOGUE[index].name;
    let detail = json!({"name": name, "enabled": enabled, "oldEnabled": old});
    record(tx, NewEntry::new(org_id, Some(by), ev::FEATURE_CONTROL_CHANGED, name).detail(detail)).await?;
    Ok(())
}

/// Sets the organization's two-factor enforcement and records the change with the state it had.
async fn switch_tfa(tx: &mut Conn, org_id: i64, by: i64, enforced: bool) -> StoreResult<()> {
    let old: Option<bool> = sqlx::query_scalar("select tfa_enforced from organizations where id = $1")
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?;
    sqlx::query("update organizations set tfa_enforced = $1 where id = $2")
        .bind(enforced)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    let detail = json!({"enabled": enforced, "oldEnabled": old});
    let entry = NewEntry::new(org_id, Some(by), ev::TFA_ENFORCEMENT_CHANGED, org_id);
    record(tx, entry.detail(detail)).await?;
    Ok(())
}
