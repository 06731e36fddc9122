//! Authorization inside an organization: the caller's role there, resolved per request, and the checks of
//! [`crate::grant`] run on it. A privileged store call takes a proof that only those checks can make.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::auth::{Caller, Scoped};
use crate::domain::ids::{OrgId, UserId};
use crate::domain::roles::{self, Role};
use crate::domain::scopes::Requirement;
use crate::error::ApiError;
use crate::grant::{perms, Asker, Denied, Granted, OwnerOnly, Perm, TeamGranted, TeamPerm};
use crate::rate;
use crate::store::models::{Org, OrgAccess, Team};

/// The caller as an active member of the organization named by the `{organizationId}` path segment, with a
/// token holding one of the scopes `S` accepts.
pub struct OrgMember<S: Requirement> {
    pub caller: Caller,
    pub org: Org,
    pub role: &'static Role,
    _s: PhantomData<S>,
}

impl<S: Requirement> OrgMember<S> {
    fn asker(&self) -> Asker<'_> {
        Asker { org_id: self.org.id, user_id: self.caller.user.id, role: self.role }
    }

    /// Proof of `P`, or 403 naming the missing permission.
    pub fn require<P: Perm>(&self) -> Result<Granted<P>, ApiError> {
        Ok(self.asker().org()?)
    }

    /// Every member may view; the proof of it.
    pub fn view(&self) -> Result<Granted<perms::OrganizationView>, ApiError> {
        self.require()
    }

    /// Proof that the caller is the Owner.
    pub fn owner(&self) -> Result<Granted<OwnerOnly>, ApiError> {
        Ok(self.asker().owner()?)
    }

    /// Proof of the team permission `P` in `team`, or 403 naming it.
    pub async fn require_team<P: TeamPerm>(&self, state: &AppState, team: &Team) -> Result<TeamGranted<P>, ApiError> {
        let mine = self.team_roles(state, team).await?;
        Ok(self.asker().team(team.id, team.organization_id, &mine)?)
    }

    /// The caller's team roles in this organization, read only when the answer can depend on them.
    async fn team_roles(&self, state: &AppState, team: &Team) -> Result<Vec<(i64, i64)>, ApiError> {
        if self.asker().team_answer_without_roles(team.organization_id).is_some() {
            return Ok(Vec::new());
        }
        let mine = state.store.team_roles_in_org(OrgId(self.org.id), UserId(self.caller.user.id)).await?;
        Ok(mine.into_iter().map(|r| (r.team_id.0, r.users_role_id.0)).collect())
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
        let org_id = crate::error::parse_id("organizationId", raw)?;
        let (org, role) = member_of(state, &caller, org_id).await?;
        Ok(OrgMember { caller, org, role, _s: PhantomData })
    }
}

/// Resolves the caller's active role in an organization: 404 if it does not exist, 403 if they are not in it.
pub async fn member_of(state: &AppState, caller: &Caller, org_id: i64) -> Result<(Org, &'static Role), ApiError> {
    match state.store.org_access(OrgId(org_id), UserId(caller.user.id)).await? {
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

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        ApiError::Forbidden(d.0)
    }
}
