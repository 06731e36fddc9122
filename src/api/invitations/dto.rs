//! The wire types of the invitations (`POST /organizations/{organizationId}/invite`, `GET
//! /organizations/invitation`, `POST /organizations/accept-invitation`, `GET /users/me/organization-invitations`).

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::members::dto::MemberRole;
use crate::api::members::dto::PublicUser;
use crate::api::openapi::common::{params, Email, GrantableOrgRoleId, Name, PositiveIds};
use crate::store::models::Invitation;

/// The body of an invitation.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteBody {
    #[schema(value_type = Email)]
    pub(crate) email: String,
    #[schema(value_type = Name)]
    pub(crate) name: String,
    #[schema(value_type = GrantableOrgRoleId)]
    pub(crate) users_role_id: i64,
    /// A note for the invitee.
    #[schema(max_length = 1000)]
    pub(crate) note: Option<String>,
    /// Teams of this organization the invitee joins.
    #[schema(value_type = Option<PositiveIds>)]
    pub(crate) teams_id: Option<Vec<i64>>,
}

/// The body of an acceptance.
#[derive(ToSchema)]
pub struct AcceptBody {
    /// The invitation's hash (from `GET /users/me/organization-invitations` or `GET /organizations/invitation`).
    #[schema(min_length = 1, max_length = 100)]
    pub(crate) hash: String,
}

/// An invitation's organization.
#[derive(Serialize, ToSchema)]
pub struct OrgRef {
    id: i64,
    name: String,
}

/// An invitee's pending role.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingRole {
    user_id: i64,
    organization_id: i64,
    users_role_id: i64,
    #[schema(value_type = String, pattern = "^pending$")]
    invitation: &'static str,
}

/// The answer of `GET /organizations/invitation`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationDetail {
    organization: OrgRef,
    user: PublicUser,
    user_organization_role: PendingRole,
}

impl From<&Invitation> for InvitationDetail {
    fn from(inv: &Invitation) -> Self {
        InvitationDetail {
            organization: OrgRef { id: inv.organization_id, name: inv.organization_name.clone() },
            user: PublicUser::from(&inv.user),
            user_organization_role: PendingRole {
                user_id: inv.user.id,
                organization_id: inv.organization_id,
                users_role_id: inv.users_role_id,
                invitation: "pending",
            },
        }
    }
}

/// The answer of an acceptance.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    pub user: PublicUser,
    pub user_organization_role: MemberRole,
}

/// One open invitation of the caller.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpenInvitation {
    hash: String,
    #[schema(value_type = String, pattern = "^pending$")]
    invitation: &'static str,
    users_role_id: i64,
    organization_id: i64,
    organization_name: String,
    zone: String,
}

impl From<Invitation> for OpenInvitation {
    fn from(i: Invitation) -> Self {
        OpenInvitation {
            hash: i.hash,
            invitation: "pending",
            users_role_id: i.users_role_id,
            organization_id: i.organization_id,
            organization_name: i.organization_name,
            zone: i.zone,
        }
    }
}

/// The answer of `GET /users/me/organization-invitations`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpenInvitations {
    pub user_organization_invitations: Vec<OpenInvitation>,
}

params! {
    /// The query of `GET /organizations/invitation`.
    DetailQuery = [query_string("hash", true, text(100).min_length(Some(1)), "The invitation's hash.")];
}
