//! Documentation-only wire types of the user–organization role endpoints (R1–R7, U5); never constructed.

#![allow(dead_code)]

use utoipa::{PartialSchema, ToSchema};

use crate::api::openapi::common::{params, projectable, GrantableOrgRoleId, PgEcho};

/// The state of a membership: `null` active, `pending` invited, `expired` an invitation past its date.
#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Invitation {
    Pending,
    Expired,
}

projectable! {
/// A user's role in an organization; with `cols[]` only the selected keys are present.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleFull {
    user_id: i64,
    organization_id: i64,
    users_role_id: i64,
    invitation: Option<Invitation>,
    organization_teams_count: i64,
    joined_teams_count: i64,
}
}

/// A user's role in an organization, default columns.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRole {
    user_id: i64,
    organization_id: i64,
    users_role_id: i64,
    #[schema(required = true)]
    invitation: Option<Invitation>,
}

/// R1's and R4's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleList {
    user_organization_roles: Vec<MemberRoleFull>,
}

/// R2's and R5's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleDetail {
    user_organization_role: MemberRoleFull,
}

/// R6's, O15's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleChanged {
    user_organization_role: MemberRole,
}

/// R3's and R7's answer: the new Owner's role, then the previous Owner's (now Admin).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transferred {
    #[schema(min_items = 2, max_items = 2)]
    user_organization_roles: Vec<MemberRole>,
}

/// R3's body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferBody {
    /// The member who becomes Owner.
    #[schema(minimum = 1)]
    user_id: i64,
}

/// R6's body: `usersRoleId` sets the role; an empty body (or `{}`) removes the user from the organization.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetRoleBody {
    #[schema(value_type = Option<GrantableOrgRoleId>)]
    users_role_id: Option<i64>,
}

projectable! {
/// A user of an organization (U5); with `cols[]` only the selected keys are present.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgUser {
    id: i64,
    name: String,
    email: String,
    language: String,
    timezone_id: i64,
    locale_id: i64,
    country_id: i64,
    #[schema(value_type = Object)]
    features: (),
    avatar: String,
    #[schema(value_type = Option<String>)]
    last_login: Option<()>,
    timezone: String,
    locale: String,
}
}

/// U5's answer.
#[derive(ToSchema)]
pub struct UserList {
    users: Vec<OrgUser>,
    pg: PgEcho,
}

params! {
    /// R1's path and query.
    ListQuery = [org_path(), cols(&super::COLUMNS)];
    /// R2's path and query.
    DetailQuery = [org_path(), path_id("userId", "The user's id."), cols(&super::COLUMNS)];
    /// R4's path and query.
    OfUserQuery = [path_id("userId", "The user's id."), cols(&super::COLUMNS)];
    /// R5's path and query.
    ByUserQuery = [path_id("userId", "The user's id."), org_path(), cols(&super::COLUMNS)];
    /// R6's path and query.
    SetQuery = [
        path_id("userId", "The user's id."),
        org_path(),
        flag("confirmed", "Accepted (validated as a boolean)."),
        flag("deleteConnections", "Accepted (validated as a boolean)."),
    ];
    /// R7's path.
    TransferToPath = [path_id("userId", "The member who becomes Owner."), org_path()];
    /// U5's query.
    UsersQuery = [
        query_id("organizationId", true, "The organization."),
        query_string("organizationRoleId", false, OrgRoleId::schema(), "Only members with this organization role."),
        cols(&super::USER_COLUMNS),
        page(&super::USER_PAGE),
    ];
}
