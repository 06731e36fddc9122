//! Private spaces: a member's personal team in an organization, its usage, and the organization's settings for
//! them (rows and store trait).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::page::Page;
use super::StoreResult;
use crate::domain::ids::{OrgId, UserId};
use crate::grant::{perms, Granted};
use crate::store::models::UsageTotals;

/// A space as stored, with its owner and what it used in the period asked for.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PrivateSpace {
    pub id: i64,
    pub organization_id: i64,
    pub owner_id: i64,
    pub name: String,
    pub operations_limit: Option<i64>,
    pub is_paused: bool,
    pub external_id: Option<String>,
    pub owner_name: String,
    pub owner_email: String,
    pub consumed_operations: i64,
    pub consumed_transfer: i64,
    pub consumed_centicredits: i64,
}

/// A space seen by a user: their own, or one they observe as an Owner or Admin of an organization whose admins
/// observe spaces (the caller checks the role, `users_role_id`, against its grants).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SeenSpace {
    pub organization_id: i64,
    pub id: i64,
    pub name: String,
    pub owner_id: i64,
    pub admins_observe: bool,
    pub users_role_id: i64,
}

/// An organization's settings for private spaces (`/organizations/{id}/private-spaces-settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct SpacesSettings {
    pub auto_creation: bool,
    pub default_operations_limit: Option<i64>,
    pub admins_observe: bool,
}

/// The usage period the consumption columns count (`[from, to)`).
pub type Period = (DateTime<Utc>, DateTime<Utc>);

/// A new operations limit for a space, and whether it pauses it (it was confirmed below the space's use).
#[derive(Debug, Clone, Copy)]
pub struct SpaceLimit {
    pub operations_limit: Option<i64>,
    pub pause: bool,
}

/// Private spaces and their settings.
#[async_trait]
pub trait PrivateSpaceStore {
    /// The organization's spaces (filtered by `external_id` when given), a page of them sorted by name.
    async fn private_spaces(
        &self,
        g: &Granted<perms::PersonalTeamManage>,
        external_id: Option<&str>,
        page: &Page,
        period: Period,
    ) -> StoreResult<Vec<PrivateSpace>>;
    /// One space by id, of whichever organization (the caller checks who may see it).
    async fn private_space(&self, id: i64, period: Period) -> StoreResult<Option<PrivateSpace>>;
    /// The spaces `user_id` owns or, where the organization's admins observe spaces, may observe.
    async fn spaces_seen_by(&self, user_id: UserId) -> StoreResult<Vec<SeenSpace>>;
    /// Sets the organization's space `id`'s limit; NotFound when it has none such.
    async fn set_space_limit(
        &self,
        g: &Granted<perms::PersonalTeamManage>,
        id: i64,
        limit: SpaceLimit,
    ) -> StoreResult<()>;
    /// The organization's settings (the defaults when never set).
    async fn spaces_settings(&self, org_id: OrgId) -> StoreResult<SpacesSettings>;
    /// Stores the settings and, when `limits` is given, gives every listed space its new limit, in one change.
    async fn set_spaces_settings(
        &self,
        g: &Granted<perms::PersonalTeamManage>,
        settings: SpacesSettings,
        limits: Option<Vec<(i64, SpaceLimit)>>,
    ) -> StoreResult<()>;
    /// Books usage to a space and to its organization (the organization's total includes its spaces'); NotFound
    /// when the organization has no such space.
    async fn add_space_usage(
        &self,
        org_id: OrgId,
        space_id: i64,
        at: DateTime<Utc>,
        amounts: UsageTotals,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}
