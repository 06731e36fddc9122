//! The wire types of the role definitions (`/users/roles`, `/users/roles/{roleId}`, `/users/roles/permissions`)
//! and of `GET /organizations/{organizationId}/check-team-permission`.

use serde::Serialize;
use utoipa::{PartialSchema, ToSchema};

use crate::api::openapi::common::{params, projectable};
use crate::api::params::Selected;
use crate::domain::permissions;
use crate::domain::roles::{self, Category, Role};
use crate::store::roles::CustomRole;

/// A role's category.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleCategory {
    Organization,
    Team,
}

impl From<Category> for RoleCategory {
    fn from(c: Category) -> Self {
        match c {
            Category::Organization => RoleCategory::Organization,
            Category::Team => RoleCategory::Team,
        }
    }
}

projectable! {
/// A role definition; with `cols[]` only the selected keys are present.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRole {
    id: i64,
    name: String,
    /// Absent for custom roles.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    identifier: Option<&'static str>,
    category: RoleCategory,
    subsidiary: bool,
    #[schema(value_type = String, pattern = "^(system_locked|custom_managed)$")]
    management_type: &'static str,
    description: Option<String>,
    #[schema(value_type = Vec<String>)]
    permissions: Vec<&'static str>,
}
}

impl From<UsersRoleFull> for UsersRole {
    fn from(full: UsersRoleFull) -> Self {
        UsersRole {
            id: full.id,
            name: full.name,
            identifier: full.identifier,
            category: full.category,
            subsidiary: full.subsidiary,
            management_type: full.management_type,
            description: full.description,
            permissions: full.permissions,
        }
    }
}

/// One role with every column; a custom role also names its organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRoleFull {
    id: i64,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    identifier: Option<&'static str>,
    category: RoleCategory,
    subsidiary: bool,
    #[schema(value_type = String, pattern = "^(system_locked|custom_managed)$")]
    management_type: &'static str,
    description: Option<String>,
    #[schema(value_type = Vec<String>)]
    permissions: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<i64>,
}

impl From<&Role> for UsersRoleFull {
    fn from(r: &Role) -> Self {
        UsersRoleFull {
            id: r.id,
            name: r.name.to_string(),
            identifier: Some(r.identifier),
            category: r.category.into(),
            // Every built-in role but Owner can be handed out by organization admins.
            subsidiary: r.id != roles::OWNER,
            management_type: "system_locked",
            description: Some(r.description.to_string()),
            permissions: r.permissions(),
            organization_id: None,
        }
    }
}

impl From<&CustomRole> for UsersRoleFull {
    fn from(r: &CustomRole) -> Self {
        let g = r.grants();
        UsersRoleFull {
            id: r.id,
            name: r.name.clone(),
            identifier: None,
            category: g.category.into(),
            subsidiary: true,
            management_type: CUSTOM_MANAGED,
            description: r.description.clone(),
            permissions: g.perms.defs().iter().map(|p| p.name).collect(),
            organization_id: Some(r.organization_id),
        }
    }
}

impl UsersRoleFull {
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn category(&self) -> Category {
        match self.category {
            RoleCategory::Organization => Category::Organization,
            RoleCategory::Team => Category::Team,
        }
    }
}

/// The `managementType` of a custom role.
pub const CUSTOM_MANAGED: &str = "custom_managed";

/// The answer of `GET /users/roles`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRoles {
    #[schema(value_type = Vec<UsersRole>)]
    pub users_roles: Vec<Selected<UsersRole>>,
}

/// `GET /users/roles/{roleId}`'s answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRoleDetail {
    pub users_role: UsersRoleFull,
}

/// One permission of the catalogue.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    id: i64,
    #[schema(value_type = String)]
    name: &'static str,
    #[schema(value_type = String)]
    note: &'static str,
    /// The permission's group (its first word).
    #[schema(value_type = String)]
    category: &'static str,
    role_category: RoleCategory,
    #[schema(value_type = String)]
    label: &'static str,
    custom_roles_hidden: bool,
    #[schema(value_type = Vec<String>)]
    requires: Vec<String>,
}

impl Permission {
    /// A permission of the catalogue with its stable id and prerequisites.
    pub fn new(p: permissions::PermissionDef) -> Self {
        Permission {
            id: p.id,
            name: p.name,
            note: "",
            category: p.name.split(' ').next().unwrap_or(p.name),
            role_category: p.category.into(),
            label: p.name,
            custom_roles_hidden: false,
            requires: permissions::requires(p.name).into_iter().map(String::from).collect(),
        }
    }
}

/// `GET /users/roles/permissions`' answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    pub users_roles_permissions: Vec<Permission>,
}

/// The answer of `GET /organizations/{organizationId}/check-team-permission`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HasPermission {
    pub has_permission: bool,
}

params! {
    /// The query of `GET /users/roles`.
    ListQuery = [
        cols(&super::COLUMNS),
        query_string("category", false, one_of(&["organization", "team"]), "Only roles of this category."),
        query_id("roleId", false, "Only this role."),
        query_ids("excludeRole[]", "Roles to leave out."),
        query_id("organizationId", false, "Also the organization's custom roles (license `customRoles`)."),
        query_id("teamId", false, "Also the custom roles of the team's organization (license `customRoles`)."),
    ];
    /// The permission catalogue's query.
    PermissionsQuery = [
        query_string("roleCategory", false, one_of(&["organization", "team"]), "Only permissions of this category."),
    ];
    /// A role's path.
    RolePath = [path_id("roleId", "The role's id.")];
    /// The path and query of `GET /organizations/{organizationId}/check-team-permission`.
    CheckQuery = [
        org_path(),
        query_string("teamPermission", true, TeamPermission::schema(), "The team permission to check."),
    ];
}
