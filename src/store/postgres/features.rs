//! PostgreSQL: feature controls, TFA flags and installed apps.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::record;
use super::PgStore;
use crate::access::{perms, Granted};
use crate::domain::audit as ev;
use crate::store::audit::NewEntry;
use crate::store::models::{FeatureControl, InstalledApp};
use crate::store::{FeatureStore, StoreError, StoreResult};
use serde_json::json;

#[async_trait]
impl FeatureStore for PgStore {
    async fn feature_controls(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<FeatureControl>> {
        let rows: Vec<(i64, String, bool)> = sqlx::query_as(
            "select id, name, enabled from feature_controls where organization_id = $1 order by id desc",
        )
        .bind(g.org_id())
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(|(id, name, enabled)| FeatureControl { id, name, enabled }).collect())
    }

    async fn set_feature_control(
        &self,
        g: &Granted<perms::OrganizationEdit>,
        id: i64,
        enabled: bool,
    ) -> StoreResult<FeatureControl> {
        let mut tx = self.write.begin().await?;
        let old: Option<bool> =
            sqlx::query_scalar("select enabled from feature_controls where id = $1 and organization_id = $2")
                .bind(id)
                .bind(g.org_id())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(old) = old else {
            return Err(StoreError::NotFound(format!("Feature control {id} not found.")));
        };
        let (id, name, enabled): (i64, String, bool) = sqlx::query_as(
            "update feature_controls set enabled = $1 where id = $2 and organization_id = $3 returning id, name, enabled",
        )
        .bind(enabled)
        .bind(id)
        .bind(g.org_id())
        .fetch_one(&mut *tx)
        .await?;
        let detail = json!({"name": name, "enabled": enabled, "oldEnabled": old});
        record(
            &mut tx,
            NewEntry::new(g.org_id(), Some(g.user_id()), ev::FEATURE_CONTROL_CHANGED, &name).detail(detail),
        )
        .await?;
        self.commit(tx).await?;
        Ok(FeatureControl { id, name, enabled })
    }

    async fn set_tfa_enforced(&self, g: &Granted<perms::OrganizationEdit>, enforced: bool) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        let old: Option<bool> = sqlx::query_scalar("select tfa_enforced from organizations where id = $1")
            .bind(g.org_id())
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query("update organizations set tfa_enforced = $1 where id = $2")
            .bind(enforced)
            .bind(g.org_id())
            .execute(&mut *tx)
            .await?;
        let detail = json!({"enabled": enforced, "oldEnabled": old});
        let entry = NewEntry::new(g.org_id(), Some(g.user_id()), ev::TFA_ENFORCEMENT_CHANGED, g.org_id());
        record(&mut tx, entry.detail(detail)).await?;
        self.commit(tx).await?;
        Ok(())
    }

    async fn set_user_tfa(&self, email: &str, enabled: bool) -> StoreResult<bool> {
        let done = sqlx::query("update users set tfa_enabled = $1 where email = $2")
            .bind(enabled)
            .bind(email)
            .execute(&self.write)
            .await?;
        self.cache.forget();
        Ok(done.rows_affected() == 1)
    }

    async fn installed_apps(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<InstalledApp>> {
        let rows: Vec<(String, i64, i64, Option<i64>, DateTime<Utc>)> = sqlx::query_as(
            "select app_name, app_version, organization_id, installed_by, installed_at from installed_apps
             where organization_id = $1 order by app_name",
        )
        .bind(g.org_id())
        .fetch_all(&self.read)
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
