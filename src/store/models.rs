//! Rows and commands that cross the storage boundary; independent of the wire format and of the backend.

use chrono::{DateTime, Utc};

use crate::domain::ids::{RoleId, TeamId, UserId};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub language: String,
    pub timezone_id: i64,
    pub country_id: i64,
    pub is_admin: bool,
    pub tfa_enabled: bool,
    pub created_at: DateTime<Utc>,
}

/// A member as `GET /users` lists them: the user and Make's `tfaStatus` (`factors::totp::TfaStatus`'s values).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgUser {
    #[sqlx(flatten)]
    pub user: User,
    pub tfa_status: i64,
}

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub timezone_id: i64,
    pub country_id: i64,
    pub is_admin: bool,
    pub tfa_enabled: bool,
    pub now: DateTime<Utc>,
}

impl NewUser {
    /// An account a person makes for themselves (open sign-up, a first single sign-on): no administrator, no
    /// two-factor yet, UTC and the first country until they change them; named `name`, else the address's local
    /// part.
    pub fn person(email: &str, name: Option<String>, now: DateTime<Utc>) -> NewUser {
        let email = email.trim().to_lowercase();
        let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("new user").to_string());
        NewUser {
            email,
            name,
            timezone_id: crate::domain::timezones::utc_id(),
            country_id: 1,
            is_admin: false,
            tfa_enabled: false,
            now,
        }
    }
}

/// A live token resolved to its user.
#[derive(Debug, Clone)]
pub struct TokenAuth {
    pub token_id: i64,
    pub user: User,
    /// Shared: a cached token is handed to every request it authorizes.
    pub scopes: std::sync::Arc<[String]>,
    /// The console session that minted the token (it lives no longer than that session); `None` for the API
    /// tokens people and operators make.
    pub session_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub country_id: i64,
    pub timezone_id: i64,
    pub zone: String,
    pub plan: String,
    pub external_id: Option<String>,
    pub tfa_enforced: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct NewOrg {
    pub name: String,
    pub country_id: i64,
    pub timezone_id: i64,
    pub zone: String,
    pub plan: String,
    pub owner_id: i64,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub country_id: Option<i64>,
    pub timezone_id: Option<i64>,
}

/// Which organizations `list_orgs` returns: those where `user_id` is an active member.
pub struct OrgFilter {
    pub user_id: i64,
    pub zone: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub organization_id: i64,
    pub operations_limit: Option<i64>,
    pub transfer_limit: Option<i64>,
}

/// A user's role in an organization; `invitation` is `None` for active members, `Some("pending")` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub user_id: i64,
    pub organization_id: i64,
    pub users_role_id: i64,
    pub invitation: Option<String>,
}

/// A user's role in one team (the user is the one asked about).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct TeamRole {
    pub team_id: TeamId,
    pub users_role_id: RoleId,
}

/// A member of one team (the team is the one asked about) and their role in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct TeamMember {
    pub user_id: UserId,
    pub users_role_id: RoleId,
}

/// What authorization needs to know about a caller and an organization, in one read.
#[derive(Debug, Clone)]
pub enum OrgAccess {
    NoSuchOrg,
    /// The organization exists; the caller holds no active role in it.
    Stranger,
    Member {
        org: Org,
        users_role_id: i64,
    },
}

/// Usage totals of one organization over a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageTotals {
    pub operations: i64,
    pub data_transfer: i64,
    pub centicredits: i64,
}

/// An invitation to create: the invitee is found or created by e-mail inside the same transaction.
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub users_role_id: i64,
    pub note: Option<String>,
    pub team_ids: Vec<i64>,
    pub hash: String,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The plan's `users` limit: active members plus pending invitations may not exceed it.
    pub max_users: i64,
    /// Invitation e-mails the organization may queue per hour (0: no bound).
    pub mails_per_hour: i64,
}

/// A stored invitation with what an organization's and a user's invitation lists show of it.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub organization_id: i64,
    pub organization_name: String,
    pub zone: String,
    pub user: User,
    pub users_role_id: i64,
    pub hash: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A user's role in an organization as the user-organization-roles endpoints serve it: active (`invited_until`
/// None) or invited.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRole {
    pub user_id: i64,
    pub organization_id: i64,
    pub users_role_id: i64,
    /// `None` active; `Some(expires_at)` for a not yet accepted invitation.
    pub invited_until: Option<DateTime<Utc>>,
    pub organization_teams_count: i64,
    pub joined_teams_count: i64,
}

pub struct NewTeam {
    pub organization_id: i64,
    pub name: String,
    pub operations_limit: Option<i64>,
    pub transfer_limit: Option<i64>,
    pub creator_id: i64,
    pub now: DateTime<Utc>,
    /// The plan's `teams` limit.
    pub max_teams: i64,
}

pub use crate::domain::plan_change::PlanChangeKind;

/// A plan switch with its payment record, applied atomically.
pub struct PlanChange {
    pub kind: PlanChangeKind,
    pub plan: String,
    pub price_id: String,
    pub type_name: String,
    pub product_name: String,
    pub amount: i64,
    pub currency: String,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub customer: Option<serde_json::Value>,
    pub coupon_code: Option<String>,
    pub checkout_session: Option<String>,
    /// The new plan's limits, checked against current usage inside the transaction.
    pub max_teams: i64,
    pub max_users: i64,
    pub tfa_allowed: bool,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscription {
    pub id: i64,
    pub organization_id: i64,
    pub price_id: String,
    pub plan: String,
    pub status: String,
    pub checkout_session: Option<String>,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Payment {
    pub id: i64,
    pub organization_id: i64,
    pub type_name: String,
    pub price_id: String,
    pub plan: String,
    pub product_name: String,
    pub amount: i64,
    pub currency: String,
    pub period_from: DateTime<Utc>,
    pub period_to: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

pub use crate::domain::variable_change::Variable;

/// A create or update of a variable; the store writes the history entry in the same transaction.
#[derive(Clone)]
pub struct VariableWrite {
    pub name: String,
    pub type_id: Option<i64>,
    pub value: Option<serde_json::Value>,
    pub author: String,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub id: i64,
    pub action: String,
    pub diff: serde_json::Value,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeatureControl {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
}

impl From<crate::domain::features::ControlState> for FeatureControl {
    fn from(c: crate::domain::features::ControlState) -> Self {
        FeatureControl { id: c.id, name: c.name.to_string(), enabled: c.enabled }
    }
}

#[derive(Debug, Clone)]
pub struct InstalledApp {
    pub app_name: String,
    pub app_version: i64,
    pub organization_id: i64,
    pub installed_by: Option<i64>,
    pub installed_at: DateTime<Utc>,
}

/// One of a person's live API tokens, as `/users/me/api-tokens` lists it (never the token: only its hint).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    /// The token's first segment (`None` for tokens issued before hints were kept).
    pub hint: Option<String>,
    pub label: Option<String>,
    pub scopes: sqlx::types::Json<Vec<String>>,
    pub created_at: DateTime<Utc>,
}

/// A token a person makes for themselves; its creation time is chosen by the store (`domain::api_tokens`).
pub struct NewApiToken {
    pub user_id: UserId,
    pub digest: String,
    pub hint: String,
    pub label: String,
    pub scopes: Vec<String>,
    pub now: DateTime<Utc>,
}
