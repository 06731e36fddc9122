//! The wire types of the invitations (`POST /organizations/{organizationId}/invite`, `GET
//! /organizations/invitation`, `POST /organizations/accept-invitation`, `GET /users/me/organization-invitations`).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::body::{id, FromField, Ids, Optional, Required};
use crate::api::invitations::MAX_NOTE_CHARS;
use crate::api::members::dto::MemberRole;
use crate::api::members::dto::PublicUser;
use crate::api::openapi::common::{params, Email, GrantableOrgRoleId, Name, PositiveIds};
use crate::domain::{email, names, roles};
use crate::store::models::Invitation;

/// The body of an invitation.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InviteBody {
    #[schema(value_type = Email)]
    pub(crate) email: Required<email::Email>,
    #[schema(value_type = Name)]
    pub(crate) name: Required<names::Name>,
    #[schema(value_type = GrantableOrgRoleId)]
    pub(crate) users_role_id: Required<InvitedRole>,
    /// A note for the invitee.
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub(crate) note: Optional<Note>,
    /// Teams of this organization the invitee joins.
    #[schema(value_type = Option<PositiveIds>)]
    pub(crate) teams_id: Optional<Ids>,
}

/// An organization role an invitation may grant (not Owner).
pub struct InvitedRole(pub i64);

impl FromField for InvitedRole {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let id = id(key, v)?;
        match roles::org_role(id) {
            Some(r) if r.id == roles::OWNER => Err(format!("{key} 11 (Owner) cannot be granted by invitation")),
            Some(r) => Ok(InvitedRole(r.id)),
            // A custom role's id: the handler checks it is one of this organization's.
            None if roles::is_custom(id) => Ok(InvitedRole(id)),
            None => Err(format!("{key} {id} is not an organization role")),
        }
    }
}

/// The note of an invitation.
pub struct Note(pub String);

impl FromField for Note {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let s = String::from_field(key, v)?;
        if s.chars().count() > MAX_NOTE_CHARS {
            Err(format!("{key} must be at most {MAX_NOTE_CHARS} characters long"))
        } else {
            Ok(Note(s))
        }
    }
}

/// The body of an acceptance.
#[derive(Deserialize, ToSchema)]
pub struct AcceptBody {
    /// The invitation's hash (from `GET /users/me/organization-invitations` or `GET /organizations/invitation`).
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    pub(crate) hash: Required<String>,
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
