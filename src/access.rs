//! Authorization inside an organization: the caller's role there, resolved per request, and the checks of
//! [`crate::grant`] run on it. A privileged store call takes a proof that only those checks can make.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::app::AppState;
use crate::auth::{Caller, Scoped};
use crate::domain::ids::{OrgId, RoleId, UserId};
use crate::domain::permissions::Grants;
use crate::domain::roles::{self, Category};
use crate::domain::scopes::Requirement;
use crate::error::ApiError;
use crate::grant::{perms, Asker, Denied, Granted, OwnerOnly, Perm, TeamGrant, TeamGranted, TeamPerm};
use crate::rate;
use crate::store::models::{Org, OrgAccess, Team};

/// The caller as an active member of the organization named by the `{organizationId}` path segment, with a
/// token holding one of the scopes `S` accepts.
pub struct OrgMember<S: Requirement> {
    pub caller: Caller,
    pub org: Org,
    /// What the caller's organization role (built-in or custom) grants.
    pub role: Arc<Grants>,
    _s: PhantomData<S>,
}

impl<S: Requirement> OrgMember<S> {
    fn asker(&self) -> Asker<'_> {
        Asker { org_id: self.org.id, user_id: self.caller.user.id, role: &self.role }
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
        let mine = self.team_roles(state, team.organization_id).await?;
        Ok(self.asker().team(team.id, team.organization_id, &mine)?)
    }

    /// Whether the caller holds the team permission `name` in at least one team of the organization.
    pub async fn holds_team_anywhere(&self, state: &AppState, name: &str) -> Result<bool, ApiError> {
        let mine = self.team_roles(state, self.org.id).await?;
        Ok(self.asker().holds_team_anywhere(name, &mine))
    }

    /// The caller's team roles in this organization with what they grant, read only when the answer can depend
    /// on them (the team is of organization `team_org_id`).
    async fn team_roles(&self, state: &AppState, team_org_id: i64) -> Result<Vec<TeamGrant>, ApiError> {
        if self.asker().team_answer_without_roles(team_org_id).is_some() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for r in state.store.team_roles_in_org(OrgId(self.org.id), UserId(self.caller.user.id)).await? {
            out.push((r.team_id.0, grants(state, self.org.id, r.users_role_id.0, Category::Team).await?));
        }
        Ok(out)
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
pub async fn member_of(state: &AppState, caller: &Caller, org_id: i64) -> Result<(Org, Arc<Grants>), ApiError> {
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
            let role = grants(state, org.id, users_role_id, Category::Organization).await?;
            rate::check(state, &format!("org:{}", org.id), state.plan(&org.plan).1.api_limit()).await?;
            Ok((org, role))
        }
    }
}

/// What the role `role_id`, held in organization `org_id` as a role of `category`, grants: a built-in role's from
/// its table, a custom role's from the store (through the read model, which a change to the role drops: it counts
/// from this node's next request, and another node's within a second).
pub async fn grants(state: &AppState, org_id: i64, role_id: i64, category: Category) -> Result<Arc<Grants>, ApiError> {
    let found = match roles::built_in(role_id) {
        Some(g) => Some(g),
        None => state
            .store
            .custom_role(RoleId(role_id))
            .await?
            .filter(|r| r.organization_id == org_id)
            .map(|r| Arc::new(r.grants())),
    };
    found.filter(|g| g.category == category).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "role {role_id} held in organization {org_id} is no {} role",
            category.name()
        ))
    })
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        ApiError::Forbidden(d.0)
    }
}
