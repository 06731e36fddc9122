//! The wire types of private spaces (`/private-spaces`, `/private-spaces/{privateSpaceId}`) and of an
//! organization's settings for them (`/organizations/{organizationId}/private-spaces-settings`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::body::{NonNegative, Optional};
use crate::api::openapi::common::{params, projectable, PgEcho};
use crate::api::params::{Page, Selected};
use crate::domain::plans::License;
use crate::domain::private_spaces;
use crate::store::private_spaces::{PrivateSpace as Row, SpacesSettings};

projectable! {
/// A private space; with `cols[]` only the selected keys are present. Amounts of bytes and centicredits are
/// strings, as Make sends them (the SDK documents them so).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivateSpace {
    id: i64,
    name: String,
    organization_id: i64,
    global_agents_enabled: bool,
    #[schema(value_type = String, pattern = "^personal$")]
    r#type: &'static str,
    private_space_owner_name: String,
    private_space_owner_email: String,
    private_space_owner_id: i64,
    operations_limit: Option<i64>,
    transfer_limit: Option<String>,
    consumed_operations: i64,
    consumed_transfer: String,
    is_paused: bool,
    consumed_centicredits: String,
    operations: String,
    transfer: String,
    centicredits: String,
}
}

impl PrivateSpace {
    /// A stored space under its organization's license (which prices its transfer limit). orgd runs no agents.
    pub fn new(s: &Row, license: &License) -> Self {
        PrivateSpace {
            id: s.id,
            name: s.name.clone(),
            organization_id: s.organization_id,
            global_agents_enabled: false,
            r#type: "personal",
            private_space_owner_name: s.owner_name.clone(),
            private_space_owner_email: s.owner_email.clone(),
            private_space_owner_id: s.owner_id,
            operations_limit: s.operations_limit,
            transfer_limit: private_spaces::transfer_limit(s.operations_limit, license).map(|t| t.to_string()),
            consumed_operations: s.consumed_operations,
            consumed_transfer: s.consumed_transfer.to_string(),
            is_paused: s.is_paused,
            consumed_centicredits: s.consumed_centicredits.to_string(),
            operations: s.consumed_operations.to_string(),
            transfer: s.consumed_transfer.to_string(),
            centicredits: s.consumed_centicredits.to_string(),
        }
    }
}

/// The answer of `GET /private-spaces`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpaceList {
    #[schema(value_type = Vec<PrivateSpace>)]
    pub private_spaces: Vec<Selected<PrivateSpace>>,
    #[schema(value_type = PgEcho)]
    pub pg: Page,
}

/// The answer of `GET /private-spaces/{privateSpaceId}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpaceDetail {
    #[schema(value_type = PrivateSpace)]
    pub private_space: Selected<PrivateSpace>,
}

/// A space after a change: Make's answer carries `transferLimit` as a number here (not a string as in the
/// reads), and `deleted` and `externalId`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedSpace {
    id: i64,
    name: String,
    organization_id: i64,
    global_agents_enabled: bool,
    #[schema(value_type = String, pattern = "^personal$")]
    r#type: &'static str,
    operations_limit: Option<i64>,
    transfer_limit: Option<i64>,
    is_paused: bool,
    deleted: bool,
    external_id: Option<String>,
}

impl UpdatedSpace {
    pub fn new(s: &Row, license: &License) -> Self {
        UpdatedSpace {
            id: s.id,
            name: s.name.clone(),
            organization_id: s.organization_id,
            global_agents_enabled: false,
            r#type: "personal",
            operations_limit: s.operations_limit,
            transfer_limit: private_spaces::transfer_limit(s.operations_limit, license),
            is_paused: s.is_paused,
            deleted: false,
            external_id: s.external_id.clone(),
        }
    }
}

/// The answer of `PATCH /private-spaces/{privateSpaceId}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpaceUpdated {
    pub private_space: UpdatedSpace,
}

/// The body of `PATCH /private-spaces/{privateSpaceId}`: `operationsLimit` `null` is unlimited, absent leaves
/// it as it is.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSpace {
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub(crate) operations_limit: Optional<NonNegative>,
}

/// An organization's settings for private spaces.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    private_spaces_auto_creation_enabled: bool,
    default_operations_limit: Option<i64>,
    add_admins_as_observers: bool,
}

impl From<SpacesSettings> for Settings {
    fn from(s: SpacesSettings) -> Self {
        Settings {
            private_spaces_auto_creation_enabled: s.auto_creation,
            default_operations_limit: s.default_operations_limit,
            add_admins_as_observers: s.admins_observe,
        }
    }
}

/// The answer of the settings' `GET` and `PATCH`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsAnswer {
    pub private_spaces_settings: Settings,
}

/// The body of `PATCH /organizations/{organizationId}/private-spaces-settings`: what is sent changes.
/// `bulkUpdateExistingLimits` gives every existing space the `defaultOperationsLimit` sent with it.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSettings {
    #[schema(value_type = Option<bool>)]
    pub(crate) private_spaces_auto_creation_enabled: Optional<bool>,
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub(crate) default_operations_limit: Optional<NonNegative>,
    #[schema(value_type = Option<bool>)]
    pub(crate) add_admins_as_observers: Optional<bool>,
    #[schema(value_type = Option<bool>)]
    pub(crate) bulk_update_existing_limits: Optional<bool>,
}

params! {
    /// The query of `GET /private-spaces`.
    ListQuery = [
        query_id("organizationId", true, "The organization."),
        query_string("externalId", false, text(512), "Only the spaces with this external id."),
        cols(&super::spaces::COLUMNS),
        page(&super::spaces::PAGE),
    ];
    /// The path and query of `GET /private-spaces/{privateSpaceId}`.
    DetailQuery = [path_id("privateSpaceId", "The space's id."), cols(&super::spaces::COLUMNS)];
    /// The path and query of `PATCH /private-spaces/{privateSpaceId}`.
    UpdateQuery = [
        path_id("privateSpaceId", "The space's id."),
        flag("confirmed", "Needed (true) to set a limit below what the space used this period; it pauses the space."),
    ];
    /// The path and query of the settings' `PATCH`.
    SettingsQuery = [
        org_path(),
        flag("confirmed", "Needed (true) when a bulk update sets a limit below what a space used; it pauses those."),
    ];
}
