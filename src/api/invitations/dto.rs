//! Documentation-only wire types of the invitation endpoints (O3, O4, O15, U3); never constructed.

#![allow(dead_code)]

use utoipa::ToSchema;

use crate::api::members::dto::MemberRole;
use crate::api::openapi::common::{params, Email, GrantableOrgRoleId, Name, PositiveIds};
use crate::api::users::dto::PublicUser;

/// O15's body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteBody {
    #[schema(value_type = Email)]
    email: String,
    #[schema(value_type = Name)]
    name: String,
    #[schema(value_type = GrantableOrgRoleId)]
    users_role_id: i64,
    /// A note for the invitee.
    #[schema(max_length = 1000)]
    note: Option<String>,
    /// Teams of this organization the invitee joins.
    #[schema(value_type = Option<PositiveIds>)]
    teams_id: Option<Vec<i64>>,
}

/// O4's body.
#[derive(ToSchema)]
pub struct AcceptBody {
    /// The invitation's hash (from U3 or O3).
    #[schema(min_length = 1, max_length = 100)]
    hash: String,
}

/// An invitation's organization.
#[derive(ToSchema)]
pub struct OrgRef {
    id: i64,
    name: String,
}

/// An invitee's pending role.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingRole {
    user_id: i64,
    organization_id: i64,
    users_role_id: i64,
    #[schema(pattern = "^pending$")]
    invitation: String,
}

/// O3's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationDetail {
    organization: OrgRef,
    user: PublicUser,
    user_organization_role: PendingRole,
}

/// O4's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    user: PublicUser,
    user_organization_role: MemberRole,
}

/// One open invitation of the caller.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpenInvitation {
    hash: String,
    #[schema(pattern = "^pending$")]
    invitation: String,
    users_role_id: i64,
    organization_id: i64,
    organization_name: String,
    zone: String,
}

/// U3's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpenInvitations {
    user_organization_invitations: Vec<OpenInvitation>,
}

params! {
    /// O3's query.
    DetailQuery = [query_string("hash", true, text(100).min_length(Some(1)), "The invitation's hash.")];
}
