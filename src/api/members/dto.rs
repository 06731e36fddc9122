//! The wire types of the user–organization roles (`/organizations/{organizationId}/user-organization-roles`,
//! `/users/{userId}/user-organization-roles`) and of the users of an organization (`GET /users`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::{PartialSchema, ToSchema};

use crate::api::body::{id, FromField, Id, Optional, Required};
use crate::api::openapi::common::{params, projectable, GrantableOrgRoleId, PgEcho, TfaStatus};
use crate::api::params::{Page, Selected};
use crate::domain::{roles, timezones};
use crate::store::models::{self, Membership, User};

/// The state of a membership: `null` active, `pending` invited, `expired` an invitation past its date.
#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Invitation {
    Pending,
    Expired,
}

projectable! {
/// A user's role in an organization; with `cols[]` only the selected keys are present.
#[derive(Serialize, ToSchema)]
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

impl MemberRoleFull {
    /// A stored role as of `now` (an invitation past its date is `expired`).
    pub fn at(r: &models::MemberRole, now: DateTime<Utc>) -> Self {
        let invitation = match r.invited_until {
            None => None,
            Some(until) if until > now => Some(Invitation::Pending),
            Some(_) => Some(Invitation::Expired),
        };
        MemberRoleFull {
            user_id: r.user_id,
            organization_id: r.organization_id,
            users_role_id: r.users_role_id,
            invitation,
            organization_teams_count: r.organization_teams_count,
            joined_teams_count: r.joined_teams_count,
        }
    }
}

/// A user's role in an organization, default columns.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRole {
    user_id: i64,
    organization_id: i64,
    users_role_id: i64,
    #[schema(required = true)]
    invitation: Option<Invitation>,
}

impl MemberRole {
    /// A stored role as of `now`, in the default columns.
    pub fn at(r: &models::MemberRole, now: DateTime<Utc>) -> Self {
        let full = MemberRoleFull::at(r, now);
        MemberRole {
            user_id: full.user_id,
            organization_id: full.organization_id,
            users_role_id: full.users_role_id,
            invitation: full.invitation,
        }
    }
}

impl From<&Membership> for MemberRole {
    fn from(m: &Membership) -> Self {
        // The store reports an active membership as `None` and any other as `Some("pending")`.
        let invitation = match m.invitation.as_deref() {
            None => None,
            Some("expired") => Some(Invitation::Expired),
            Some(_) => Some(Invitation::Pending),
        };
        MemberRole {
            user_id: m.user_id,
            organization_id: m.organization_id,
            users_role_id: m.users_role_id,
            invitation,
        }
    }
}

/// The answer of the role lists (an organization's, a user's).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleList {
    #[schema(value_type = Vec<MemberRoleFull>)]
    pub user_organization_roles: Vec<Selected<MemberRoleFull>>,
}

/// The answer of one user's role in one organization.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleDetail {
    #[schema(value_type = MemberRoleFull)]
    pub user_organization_role: Selected<MemberRoleFull>,
}

/// The answer of a role change and of an invitation.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberRoleChanged {
    pub user_organization_role: MemberRole,
}

/// The answer of an ownership transfer: the new Owner's role, then the previous Owner's (now Admin).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transferred {
    #[schema(min_items = 2, max_items = 2)]
    pub user_organization_roles: Vec<MemberRole>,
}

/// The body of `POST /organizations/{organizationId}/user-organization-roles/transfer`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferBody {
    /// The member who becomes Owner.
    #[schema(value_type = i64, minimum = 1)]
    pub(crate) user_id: Required<Id>,
}

/// The body of `POST /users/{userId}/user-organization-roles/{organizationId}`: `usersRoleId` sets the role; an
/// empty body (or `{}`) removes the user from the organization.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetRoleBody {
    #[schema(value_type = Option<GrantableOrgRoleId>)]
    pub(crate) users_role_id: Optional<MemberRoleId>,
}

/// An organization role other than Owner (ownership changes only through the transfer endpoint).
pub struct MemberRoleId(pub i64);

impl FromField for MemberRoleId {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let id = id(key, v)?;
        match roles::org_role(id) {
            Some(r) if r.id == roles::OWNER => Err("Ownership changes only through the transfer endpoint".into()),
            Some(r) => Ok(MemberRoleId(r.id)),
            // A custom role's id: the handler checks it is one of this organization's.
            None if roles::is_custom(id) => Ok(MemberRoleId(id)),
            None => Err(format!("{key} {id} is not an organization role")),
        }
    }
}

projectable! {
/// A user of an organization (`GET /users`); with `cols[]` only the selected keys are present.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgUser {
    #[serde(flatten)]
    #[schema(schema_with = PublicUser::columns)]
    user: PublicUser,
    /// Make's two-factor status: 0 not set up, 1 set up, 2 enrolment started (docs/two-factor.md).
    #[schema(value_type = TfaStatus)]
    tfa_status: u8,
}
}

impl From<&models::OrgUser> for OrgUser {
    fn from(u: &models::OrgUser) -> Self {
        OrgUser { user: PublicUser::from(&u.user), tfa_status: u.tfa_status as u8 }
    }
}

/// The answer of `GET /users`.
#[derive(Serialize, ToSchema)]
pub struct UserList {
    #[schema(value_type = Vec<OrgUser>)]
    pub users: Vec<Selected<OrgUser>>,
    #[schema(value_type = PgEcho)]
    pub pg: Page,
}

params! {
    /// The organization's role list: path and query.
    ListQuery = [org_path(), cols(&super::COLUMNS)];
    /// One role in an organization: path and query.
    DetailQuery = [org_path(), path_id("userId", "The user's id."), cols(&super::COLUMNS)];
    /// A user's role list: path and query.
    OfUserQuery = [path_id("userId", "The user's id."), cols(&super::COLUMNS)];
    /// A user's role in one organization: path and query.
    ByUserQuery = [path_id("userId", "The user's id."), org_path(), cols(&super::COLUMNS)];
    /// The role change's path and query.
    SetQuery = [
        path_id("userId", "The user's id."),
        org_path(),
        flag("confirmed", "Accepted (validated as a boolean)."),
        flag("deleteConnections", "Accepted (validated as a boolean)."),
    ];
    /// The path of the ownership transfer to a user.
    TransferToPath = [path_id("userId", "The member who becomes Owner."), org_path()];
    /// The query of `GET /users`.
    UsersQuery = [
        query_id("organizationId", true, "The organization."),
        query_string("organizationRoleId", false, OrgRoleId::schema(), "Only members with this organization role."),
        query_string("tfaStatus", false, TfaStatus::schema(), "Only members with this two-factor status."),
        cols(&super::USER_COLUMNS),
        page(&super::USER_PAGE),
    ];
}

/// orgd has one locale, English.
const LOCALE_ID: i64 = 1;

/// The public fields of a user, as invitations and `GET /users` embed them.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicUser {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) language: String,
    pub(crate) timezone_id: i64,
    /// Always 1 (English): orgd has one locale.
    pub(crate) locale_id: i64,
    pub(crate) country_id: i64,
    #[schema(value_type = Object)]
    pub(crate) features: Map<String, Value>,
    /// A Gravatar URL.
    pub(crate) avatar: String,
    /// Always `null`: orgd records no logins.
    #[schema(value_type = Option<String>, required = true)]
    pub(crate) last_login: Option<String>,
    /// The IANA name of the user's timezone.
    pub(crate) timezone: &'static str,
    pub(crate) locale: &'static str,
}

impl PublicUser {
    /// The schema of these fields where a `cols[]` selection may leave any of them out: none is required.
    pub(crate) fn columns() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        let mut schema = PublicUser::schema();
        if let utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(object)) = &mut schema {
            object.required.clear();
        }
        schema
    }
}

impl From<&User> for PublicUser {
    fn from(u: &User) -> Self {
        let avatar = format!(
            "https://secure.gravatar.com/avatar/{}?d=mm",
            hex::encode(Sha256::digest(u.email.trim().to_lowercase().as_bytes()))
        );
        PublicUser {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            language: u.language.clone(),
            timezone_id: u.timezone_id,
            locale_id: LOCALE_ID,
            country_id: u.country_id,
            features: Map::new(),
            avatar,
            last_login: None,
            timezone: timezones::by_id(u.timezone_id).map(|z| z.code()).unwrap_or(timezones::UTC_CODE),
            locale: "en",
        }
    }
}
