//! The wire types of the custom roles (`POST /users/custom-roles`, `PATCH`/`DELETE /users/custom-roles/{roleId}`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::body::{FromField, Id, Ids, Optional, Required};
use crate::api::openapi::common::params;
use crate::api::roles::dto::RoleCategory;
use crate::domain::names::Name;
use crate::domain::roles::Category;
use crate::store::roles::CustomRole;

/// The longest role name Make accepts.
pub const MAX_ROLE_NAME_CHARS: usize = 50;
/// The longest description orgd keeps (Make documents none).
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// A permission of a custom role.
#[derive(Serialize, ToSchema)]
pub struct RolePermission {
    id: i64,
    #[schema(value_type = String)]
    name: &'static str,
}

/// A custom role as Make answers it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomRoleView {
    id: i64,
    name: String,
    category: RoleCategory,
    #[schema(value_type = String, pattern = "^custom_managed$")]
    management_type: &'static str,
    description: Option<String>,
    permissions: Vec<RolePermission>,
}

impl From<&CustomRole> for CustomRoleView {
    fn from(r: &CustomRole) -> Self {
        let g = r.grants();
        CustomRoleView {
            id: r.id,
            name: r.name.clone(),
            category: g.category.into(),
            management_type: crate::api::roles::dto::CUSTOM_MANAGED,
            description: r.description.clone(),
            permissions: g.perms.defs().into_iter().map(|p| RolePermission { id: p.id, name: p.name }).collect(),
        }
    }
}

/// The answer of a creation or change: `role`, not `customRole`, as Make answers.
#[derive(Serialize, ToSchema)]
pub struct RoleAnswer {
    pub role: CustomRoleView,
}

/// The answer of a deletion.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleDeleted {
    pub role_id: i64,
}

/// A custom role's name: a name as orgd takes names, 1–50 characters.
pub struct RoleName(pub String);

impl FromField for RoleName {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let name = Name::from_field(key, v)?.into_string();
        if name.chars().count() > MAX_ROLE_NAME_CHARS {
            return Err(format!("{key} must be at most {MAX_ROLE_NAME_CHARS} characters long"));
        }
        Ok(RoleName(name))
    }
}

/// A role's description (`null` clears it on a change).
pub struct Description(pub String);

impl FromField for Description {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let s = String::from_field(key, v)?;
        if s.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(format!("{key} must be at most {MAX_DESCRIPTION_CHARS} characters long"));
        }
        Ok(Description(s))
    }
}

impl FromField for Category {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        match v.as_str() {
            Some("organization") => Ok(Category::Organization),
            Some("team") => Ok(Category::Team),
            _ => Err(format!("{key} must be organization or team")),
        }
    }
}

/// The body of `POST /users/custom-roles`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateRole {
    #[schema(value_type = String, min_length = 1, max_length = 50)]
    pub(crate) name: Required<RoleName>,
    #[schema(value_type = RoleCategory)]
    pub(crate) category: Required<Category>,
    #[schema(value_type = i64, minimum = 1)]
    pub(crate) organization_id: Required<Id>,
    #[schema(value_type = Option<String>, max_length = 500)]
    pub(crate) description: Optional<Description>,
    /// Permission ids of `GET /users/roles/permissions`, of the role's category; their prerequisites are added.
    #[schema(value_type = Option<Vec<i64>>)]
    pub(crate) permissions: Optional<Ids>,
}

/// The body of `PATCH /users/custom-roles/{roleId}`: what is sent changes; `permissions` replaces the set.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRole {
    #[schema(value_type = i64, minimum = 1)]
    pub(crate) organization_id: Required<Id>,
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub(crate) name: Optional<RoleName>,
    /// `null` clears it.
    #[schema(value_type = Option<String>, max_length = 500)]
    pub(crate) description: Optional<Description>,
    #[schema(value_type = Option<Vec<i64>>)]
    pub(crate) permissions: Optional<Ids>,
}

/// The body of `DELETE /users/custom-roles/{roleId}`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteRole {
    #[schema(value_type = i64, minimum = 1)]
    pub(crate) organization_id: Required<Id>,
}

params! {
    /// A custom role's path.
    RolePath = [path_id("roleId", "The custom role's id.")];
}
