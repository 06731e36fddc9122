//! Documentation-only wire types of the role endpoints (U4, O25); never constructed.

#![allow(dead_code)]

use utoipa::{PartialSchema, ToSchema};

use crate::api::openapi::common::{params, projectable};

/// A role's category.
#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleCategory {
    Organization,
    Team,
}

projectable! {
/// A role definition; with `cols[]` only the selected keys are present.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRole {
    id: i64,
    name: String,
    identifier: String,
    category: RoleCategory,
    subsidiary: bool,
    #[schema(pattern = "^system_locked$")]
    management_type: String,
    description: String,
    permissions: Vec<String>,
}
}

/// One role with every column.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRoleFull {
    id: i64,
    name: String,
    identifier: String,
    category: RoleCategory,
    subsidiary: bool,
    management_type: String,
    description: String,
    permissions: Vec<String>,
}

/// U4's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRoles {
    users_roles: Vec<UsersRole>,
}

/// `GET /users/roles/{roleId}`'s answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersRoleDetail {
    users_role: UsersRoleFull,
}

/// One permission of the catalogue.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    id: i64,
    name: String,
    note: String,
    /// The permission's group (its first word).
    category: String,
    role_category: RoleCategory,
    label: String,
    custom_roles_hidden: bool,
    #[schema(value_type = Vec<String>)]
    requires: Vec<()>,
}

/// `GET /users/roles/permissions`' answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    users_roles_permissions: Vec<Permission>,
}

/// O25's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HasPermission {
    has_permission: bool,
}

params! {
    /// U4's query.
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
    /// O25's path and query.
    CheckQuery = [
        org_path(),
        query_string("teamPermission", true, TeamPermission::schema(), "The team permission to check."),
    ];
}
