//! The wire types of the role definitions (`/users/roles`, `/users/roles/{roleId}`, `/users/roles/permissions`)
//! and of `GET /organizations/{organizationId}/check-team-permission`.

use serde::Serialize;
use utoipa::{PartialSchema, ToSchema};

use crate::api::openapi::common::{params, projectable};
use crate::api::params::Selected;
use crate::domain::roles::{self, Category, Role};

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
    #[schema(value_type = String)]
    name: &'static str,
    #[schema(value_type = String)]
    identifier: &'static str,
    category: RoleCategory,
    subsidiary: bool,
    #[schema(value_type = String, pattern = "^system_locked$")]
    management_type: &'static str,
    #[schema(value_type = String)]
    description: &'static str,
    #[schema(value_type = Vec<String>)]
    permissions: Vec<&'static str>,
}
}

impl From<&Role> for UsersRole {
    fn from(r: &Role) -> Self {
        let full = UsersRoleFull::from(r);
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

/// One role with every column.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRoleFull {
    id: i64,
    #[schema(value_type = String)]
    name: &'static str,
    #[schema(value_type = String)]
    identifier: &'static str,
    category: RoleCategory,
    subsidiary: bool,
    #[schema(value_type = String)]
    management_type: &'static str,
    #[schema(value_type = String)]
    description: &'static str,
    #[schema(value_type = Vec<String>)]
    permissions: Vec<&'static str>,
}

impl From<&Role> for UsersRoleFull {
    fn from(r: &Role) -> Self {
        UsersRoleFull {
            id: r.id,
            name: r.name,
            identifier: r.identifier,
            category: r.category.into(),
            // Every built-in role but Owner can be handed out by organization admins.
            subsidiary: r.id != roles::OWNER,
            management_type: "system_locked",
            description: r.description,
            permissions: r.permissions(),
        }
    }
}

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
    /// The catalogue's `id`th permission (from 1), named `name`, of roles of `role_category`.
    pub fn new(id: i64, name: &'static str, role_category: RoleCategory) -> Self {
        Permission {
            id,
            name,
            note: "",
            category: name.split(' ').next().unwrap_or(name),
            role_category,
            label: name,
            custom_roles_hidden: false,
            requires: Vec::new(),
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
        query_id("organizationId", false, "Accepted (orgd has no custom roles)."),
        query_id("teamId", false, "Accepted (orgd has no custom roles)."),
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
