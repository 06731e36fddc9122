//! Authorization inside an organization: the caller's role there, and proofs of permission.
//! A privileged store call takes a `Granted<P>`, which only `OrgMember::require` can make.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::auth::{Caller, Scoped};
use crate::domain::roles::{self, OrgPermission, Role};
use crate::domain::scopes::Requirement;
use crate::error::ApiError;
use crate::rate;
use crate::store::models::{Org, OrgAccess, Team};

/// A type-level organization permission.
pub trait Perm {
    const P: OrgPermission;
}

/// One marker type per organization permission.
pub mod perms {
    use super::{OrgPermission, Perm};

    macro_rules! markers {
        ($($name:ident),*) => {$(
            #[derive(Debug)]
            pub struct $name;
            impl Perm for $name {
                const P: OrgPermission = OrgPermission::$name;
            }
        )*};
    }

    markers!(
        AccessAllTeams,
        AppInstall,
        OrganizationDelete,
        OrganizationEdit,
        UserAddAndEdit,
        OrganizationView,
        PaymentEdit,
        PaymentsGet,
        TeamAdd
    );
}

/// Proof that `user_id` holds permission `P` in organization `org_id`.
#[derive(Debug)]
pub struct Granted<P> {
    org_id: i64,
    user_id: i64,
    _p: PhantomData<fn() -> P>,
}

impl<P> Granted<P> {
    pub fn org_id(&self) -> i64 {
        self.org_id
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }
}

/// Marker for what only the Owner may do (ownership transfer).
#[derive(Debug)]
pub struct OwnerOnly;

/// Proof that `user_id` holds the team permission `perm` in team `team_id` (directly or as Owner).
#[derive(Debug)]
pub struct TeamGranted {
    team_id: i64,
    org_id: i64,
    user_id: i64,
}

impl TeamGranted {
    pub fn team_id(&self) -> i64 {
        self.team_id
    }

    pub fn org_id(&self) -> i64 {
        self.org_id
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }
}

/// The caller as an active member of the organization named by the `{organizationId}` path segment, with a
/// token holding one of the scopes `S` accepts.
pub struct OrgMember<S: Requirement> {
    pub caller: Caller,
    pub org: Org,
    pub role: &'static Role,
    _s: PhantomData<S>,
}

impl<S: Requirement> OrgMember<S> {
    /// Proof of `P`, or 403 naming the missing permission.
    pub fn require<P: Perm>(&self) -> Result<Granted<P>, ApiError> {
        if self.role.has_org(P::P) {
            Ok(Granted { org_id: self.org.id, user_id: self.caller.user.id, _p: PhantomData })
        } else {
            Err(ApiError::Forbidden(format!(
                "Access denied. Your role '{}' lacks the permission '{}'.",
                self.role.name,
                P::P.name()
            )))
        }
    }

    /// Every member may view; the proof of it.
    pub fn view(&self) -> Result<Granted<perms::OrganizationView>, ApiError> {
        self.require()
    }

    /// Proof that the caller is the Owner.
    pub fn owner(&self) -> Result<Granted<OwnerOnly>, ApiError> {
        if self.role.id == roles::OWNER {
            Ok(Granted { org_id: self.org.id, user_id: self.caller.user.id, _p: PhantomData })
        } else {
            Err(ApiError::Forbidden("Access denied. Only the organization's Owner can do this.".into()))
        }
    }

    /// Whether the caller holds a team permission in a team of this organization: the Owner (access all teams)
    /// everywhere, anyone else through their role in that team.
    pub async fn team_permission(
        &self,
        state: &AppState,
        team: &Team,
        perm: &str,
    ) -> Result<Option<TeamGranted>, ApiError> {
        if team.organization_id != self.org.id {
            return Ok(None);
        }
        let grant = TeamGranted { team_id: team.id, org_id: self.org.id, user_id: self.caller.user.id };
        if self.role.has_org(OrgPermission::AccessAllTeams) {
            return Ok(Some(grant));
        }
        let mine = state.store.team_roles_in_org(self.org.id, self.caller.user.id).await?;
        let held = mine.iter().any(|(t, r)| *t == team.id && roles::team_role(*r).is_some_and(|r| r.has_team(perm)));
        Ok(held.then_some(grant))
    }

    /// Like `team_permission`, but 403 when not held.
    pub async fn require_team(&self, state: &AppState, team: &Team, perm: &str) -> Result<TeamGranted, ApiError> {
        self.team_permission(state, team, perm).await?.ok_or_else(|| {
            ApiError::Forbidden(format!("Access denied. You lack the team permission '{perm}' in team {}.", team.id))
        })
    }

    /// Resolves membership for an organization not named in the path (teams, `/users?organizationId=`).
    pub async fn resolve(state: &AppState, scoped: Scoped<S>, org_id: i64) -> Result<Self, ApiError> {
        let caller = scoped.caller;
        let (org, role) = member_of(state, &caller, org_id).await?;
        Ok(OrgMember { caller, org, role, _s: PhantomData })
    }
}

impl<S: Requirement> FromRequestParts<AppState> for OrgMember<S> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Scoped { caller, .. } = Scoped::<S>::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("Route not found.".into()))?;
        let raw = params.iter().find(|(k, _)| *k == "organizationId").map(|(_, v)| v).unwrap_or("");
        let org_id = parse_path_id("organizationId", raw)?;
        let (org, role) = member_of(state, &caller, org_id).await?;
        Ok(OrgMember { caller, org, role, _s: PhantomData })
    }
}

/// Resolves the caller's active role in an organization: 404 if it does not exist, 403 if they are not in it.
pub async fn member_of(state: &AppState, caller: &Caller, org_id: i64) -> Result<(Org, &'static Role), ApiError> {
    match state.store.org_access(org_id, caller.user.id).await? {
        OrgAccess::NoSuchOrg => Err(ApiError::NotFound(format!("Organization {org_id} not found."))),
        OrgAccess::Stranger => {
            Err(ApiError::Forbidden("Access denied. You are not a member of this organization.".into()))
        }
        OrgAccess::Member { org, .. } if org.tfa_enforced && !caller.user.tfa_enabled => Err(ApiError::Forbidden(
            "Access denied. This organization enforces two-factor authentication; set it up on your account first."
                .into(),
        )),
        OrgAccess::Member { org, users_role_id } => {
            let role = roles::org_role(users_role_id)
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown role id {users_role_id} in store")))?;
            rate::check(state, &format!("org:{}", org.id), state.plan(&org.plan).1.api_limit()).await?;
            Ok((org, role))
        }
    }
}

/// A positive integer path segment, else 400 naming it.
pub fn parse_path_id(name: &str, raw: &str) -> Result<i64, ApiError> {
    // Digits only: `+1`, ` 1` or `1e3` are not ids even where Rust's parser would take them.
    let digits = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    match raw.parse::<i64>() {
        Ok(n) if n >= 1 && digits => Ok(n),
        _ => Err(ApiError::field(name, format!("{name} must be a positive integer"))),
    }
}
