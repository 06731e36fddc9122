//! Documentation-only wire types of U1/U2 and of the user object other endpoints embed; never constructed.

#![allow(dead_code)]

use utoipa::ToSchema;

use crate::api::members::dto::MemberRoleFull;
use crate::api::openapi::common::{params, projectable};

/// The public fields of a user, as invitations and U5 embed them.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicUser {
    id: i64,
    name: String,
    email: String,
    language: String,
    timezone_id: i64,
    /// Always 1 (English): orgd has one locale.
    locale_id: i64,
    country_id: i64,
    #[schema(value_type = Object)]
    features: (),
    /// A Gravatar URL.
    avatar: String,
    /// Always `null`: orgd records no logins.
    #[schema(value_type = Option<String>, required = true)]
    last_login: Option<()>,
    /// The IANA name of the user's timezone.
    timezone: String,
    locale: String,
}

projectable! {
/// U1's user: the default columns, or those chosen with `cols[]`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthUser {
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
    email_notifications: bool,
    /// 1 for an instance administrator, else `null`.
    users_admins_role_id: Option<i64>,
    user_organization_roles: Vec<MemberRoleFull>,
    user_team_roles: Vec<UserTeamRole>,
    force_set_password: bool,
    has_password: bool,
    tfa_enabled: bool,
    is_affiliate_partner: bool,
    has_added_app: bool,
    support_eligible: bool,
}
}

/// One of the caller's team roles.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserTeamRole {
    user_id: i64,
    team_id: i64,
    users_role_id: i64,
}

/// U1's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    auth_user: AuthUser,
}

/// How the caller authenticated.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    /// `token` for API tokens, with either scheme.
    #[schema(pattern = "^token$")]
    auth_used: String,
    /// The token's scopes.
    scope: Vec<String>,
}

/// U2's answer.
#[derive(ToSchema)]
pub struct CurrentAuthorization {
    authorization: Authorization,
}

params! {
    /// U1's query.
    MeQuery = [
        cols(&super::ME),
        flag("includeInvitedOrg", "Accepted for compatibility."),
    ];
}
