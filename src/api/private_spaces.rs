//! Private spaces (`/private-spaces`, `/private-spaces/{privateSpaceId}`) and an organization's settings for them
//! (`/organizations/{organizationId}/private-spaces-settings`): members' personal teams with their own operations
//! limits, licensed by the plan's `privateSpaces` (IM903 without it).

use utoipa_axum::router::OpenApiRouter;

use crate::access;
use crate::app::AppState;
use crate::domain::ids::UserId;
use crate::domain::roles::{Category, OrgPermission};
use crate::error::{ApiError, Result};
use crate::store::models::Org;
use crate::store::private_spaces::{Period, SeenSpace};

pub mod dto;
mod settings;
mod spaces;

pub fn router() -> OpenApiRouter<AppState> {
    spaces::router().merge(settings::router())
}

/// The organization's plan licenses private spaces, or Make's IM903.
fn licensed(state: &AppState, org: &Org) -> Result<()> {
    if state.plan(&org.plan).1.license.private_spaces() {
        Ok(())
    } else {
        Err(ApiError::NotLicensed("Private spaces are not available on this organization's plan.".into()))
    }
}

/// The usage period a space's consumption counts: the organization's (the calendar month).
pub fn period(state: &AppState) -> Period {
    crate::api::orgs::view::period(state.now())
}

/// The spaces `user_id` sees, in `org_id` or in every organization: their own (`isOwner`), and every space of
/// an organization whose admins observe spaces where their role grants `personal team manage`.
pub async fn seen_by(state: &AppState, user_id: i64, org_id: Option<i64>) -> Result<Vec<Seen>> {
    let mut out = Vec::new();
    for s in state.store.spaces_seen_by(UserId(user_id)).await? {
        if org_id.is_some_and(|o| o != s.organization_id) {
            continue;
        }
        let is_owner = s.owner_id == user_id;
        let observes = || async {
            let role = access::grants(state, s.organization_id, s.users_role_id, Category::Organization).await?;
            Ok::<_, ApiError>(role.has_org(OrgPermission::PersonalTeamManage))
        };
        if is_owner || (s.admins_observe && observes().await?) {
            out.push(Seen { is_owner, space: s });
        }
    }
    Ok(out)
}

/// A space as its viewer sees it.
pub struct Seen {
    pub space: SeenSpace,
    pub is_owner: bool,
}
