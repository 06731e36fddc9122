//! The wire types of `GET /users/me` and `GET /users/me/current-authorization` (the user object other endpoints
//! embed, `PublicUser`, is in `members::dto`).

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::members::dto::{MemberRole, PublicUser};
use crate::api::openapi::common::{params, projectable};
use crate::store::models::User;

// The role lists are `Option`s so that they are loaded only when selected; `None` is skipped when serialising
// and never selected.
projectable! {
/// The caller (`GET /users/me`): the default columns, or those chosen with `cols[]`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthUser {
    #[serde(flatten)]
    #[schema(schema_with = PublicUser::columns)]
    user: PublicUser,
    email_notifications: bool,
    /// 1 for an instance administrator, else `null`.
    users_admins_role_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<MemberRole>)]
    pub(super) user_organization_roles: Option<Vec<MemberRole>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<UserTeamRole>)]
    pub(super) user_team_roles: Option<Vec<UserTeamRole>>,
    force_set_password: bool,
    has_password: bool,
    tfa_enabled: bool,
    /// Make's two-factor status: 0 not set up, 1 set up, 2 enrolment started (docs/two-factor.md).
    pub(super) tfa_status: u8,
    is_affiliate_partner: bool,
    has_added_app: bool,
    support_eligible: bool,
}
}

impl From<&User> for AuthUser {
    /// The caller without the role lists, which only a selection that names them loads.
    fn from(user: &User) -> Self {
        AuthUser {
            user: PublicUser::from(user),
            email_notifications: true,
            users_admins_role_id: user.is_admin.then_some(1),
            user_organization_roles: None,
            user_team_roles: None,
            force_set_password: false,
            has_password: false,
            tfa_enabled: user.tfa_enabled,
            // 2 (enrolment started) needs the store: `get_current_user` fills it in when selected.
            tfa_status: u8::from(user.tfa_enabled),
            is_affiliate_partner: false,
            has_added_app: false,
            support_eligible: false,
        }
    }
}

/// One of the caller's team roles.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserTeamRole {
    pub user_id: i64,
    pub team_id: i64,
    pub users_role_id: i64,
}

/// The answer of `GET /users/me`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    #[schema(value_type = AuthUser)]
    pub auth_user: crate::api::params::Selected<AuthUser>,
}

/// How the caller authenticated.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    /// `token` for API tokens, with either scheme.
    #[schema(pattern = "^token$")]
    pub auth_used: &'static str,
    /// The token's scopes.
    pub scope: Vec<String>,
}

/// The answer of `GET /users/me/current-authorization`.
#[derive(Serialize, ToSchema)]
pub struct CurrentAuthorization {
    pub authorization: Authorization,
}

params! {
    /// The query of `GET /users/me`.
    MeQuery = [
        cols(&super::ME),
        flag("includeInvitedOrg", "Accepted for compatibility."),
    ];
}
