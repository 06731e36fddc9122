//! Invitations: inviting a user, an invitation by its hash, accepting it, and the caller's open invitations.

use axum::extract::State;
use chrono::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::body::{AppJson, Draft, Ids, Problems};
use crate::api::custom_roles;
use crate::api::members::dto::PublicUser;
use crate::api::members::dto::{MemberRole, MemberRoleChanged};
use crate::api::openapi::answers::{LacksScope, NoSuchOrganization};
use crate::api::openapi::common::OrgPath;
use crate::api::params::Params;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::{Caller, Scoped};
use crate::domain::ids::UserId;
use crate::domain::roles::Category;
use crate::domain::scopes::{OrgsRead, OrgsWrite, UserRead};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::{Invitation, NewInvitation};

/// Longest invitation note, in characters.
pub(crate) const MAX_NOTE_CHARS: usize = 1000;

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invite_user))
        .routes(routes!(get_invitation))
        .routes(routes!(accept_invitation))
        .routes(routes!(list_my_invitations))
}

/// `POST /organizations/{organizationId}/invite`: `email`, `name`, `usersRoleId`, optional `note` and `teamsId`. An e-mail without an account gets one (without tokens) that `orgd users add` later completes. The
/// invitation e-mail is queued in the same transaction and sent afterwards; past `invitations_per_hour` of them
/// the organization's invites are refused with 429.
#[utoipa::path(post, path = "/organizations/{organizationId}/invite", operation_id = "invite", params(OrgPath),
    request_body = dto::InviteBody,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The invitee's pending role.", body = crate::api::members::dto::MemberRoleChanged),
        (status = 400, description = "Validation failed, the user is already a member (`IM005`) or the plan's \
            user limit is reached (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization user add and edit`.", body = ErrorBody),
        NoSuchOrganization,
        (status = 429, description = "The organization sent as many invitations as it may per hour \
            (`invitations_per_hour`); `Retry-After` says when it may send again.", body = ErrorBody),
    ))]
async fn invite_user(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    Draft { body, mut problems }: Draft<dto::InviteBody>,
) -> Result<Reply<MemberRoleChanged>> {
    let g = m.require::<perms::UserAddAndEdit>()?;
    let team_ids = teams_of_invitation(&state, &m, body.teams_id.into_inner(), &mut problems).await?;
    if let Some(r) = body.users_role_id.get() {
        problems.check("usersRoleId", custom_roles::assignable(&state, &m.org, r.0, Category::Organization).await?);
    }
    problems.finish()?;
    let now = state.now();
    let (_, plan) = state.plan(&m.org.plan);
    let cmd = NewInvitation {
        email: body.email.into_inner().as_str().to_string(),
        name: body.name.into_inner().into_string(),
        users_role_id: body.users_role_id.into_inner().0,
        note: body.note.into_inner().map(|n| n.0),
        team_ids,
        hash: uuid::Uuid::new_v4().to_string(),
        now,
        expires_at: now + Duration::days(state.config.invitation_ttl_days),
        max_users: plan.license.users(),
        mails_per_hour: state.config.invitations_per_hour,
    };
    let role = state.store.invite(&g, cmd).await?;
    state.mail_queued("invitation", g.org_id());
    Ok(Reply(MemberRoleChanged { user_organization_role: MemberRole::at(&role, now) }))
}

/// The invitation's `teamsId`, without repeats; a team of another organization is a field error.
async fn teams_of_invitation(
    state: &AppState,
    m: &OrgMember<OrgsWrite>,
    ids: Option<Ids>,
    problems: &mut Problems,
) -> Result<Vec<i64>> {
    let mut team_ids = ids.unwrap_or_default().0;
    team_ids.sort_unstable();
    team_ids.dedup();
    if !team_ids.is_empty() {
        let page = crate::api::params::Page {
            sort_by: "id",
            sort_dir: crate::api::params::SortDir::Asc,
            limit: crate::api::params::MAX_LIMIT,
            offset: 0,
        };
        let org_teams = state.store.teams_in_org(&m.view()?, &page).await?;
        for id in &team_ids {
            if !org_teams.iter().any(|t| t.id == *id) {
                problems.add("teamsId", format!("Team {id} is not a team of this organization"));
            }
        }
    }
    Ok(team_ids)
}

/// Finds an open invitation for the caller: 404 unknown, used or expired; 403 someone else's.
async fn open_invitation(state: &AppState, caller: &Caller, hash: &str) -> Result<Invitation> {
    let inv = state.store.invitation_by_hash(hash).await?;
    let inv = inv
        .filter(|i| i.accepted_at.is_none() && i.expires_at > state.now())
        .ok_or_else(|| ApiError::NotFound("Invitation not found, already used or expired.".into()))?;
    if inv.user.id != caller.user.id {
        return Err(ApiError::Forbidden("Access denied. This invitation was sent to another e-mail address.".into()));
    }
    Ok(inv)
}

fn hash_of(value: Option<&str>) -> Result<&str> {
    match value.map(str::trim) {
        None | Some("") => Err(ApiError::field("hash", "hash is required")),
        Some(h) if h.len() > 100 => Err(ApiError::field("hash", "hash is too long")),
        Some(h) => Ok(h),
    }
}

/// `GET /organizations/invitation?hash=`.
#[utoipa::path(get, path = "/organizations/invitation", operation_id = "detail", params(dto::DetailQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The invitation.", body = dto::InvitationDetail),
        (status = 400, description = "`hash` is missing or too long.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the invitation is for another e-mail.", body = ErrorBody),
        (status = 404, description = "Unknown, used or expired hash.", body = ErrorBody),
    ))]
async fn get_invitation(
    State(state): State<AppState>,
    Scoped { caller, .. }: Scoped<OrgsRead>,
    q: Params,
) -> Result<Reply<dto::InvitationDetail>> {
    let inv = open_invitation(&state, &caller, hash_of(q.get("hash"))?).await?;
    Ok(Reply(dto::InvitationDetail::from(&inv)))
}

/// `POST /organizations/accept-invitation` with `{hash}`: the caller becomes an active member.
#[utoipa::path(post, path = "/organizations/accept-invitation", operation_id = "accept", request_body = dto::AcceptBody,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The caller and their new role.", body = dto::Accepted),
        (status = 400, description = "Validation failed.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the invitation is for another e-mail.", body = ErrorBody),
        (status = 404, description = "Unknown, used or expired hash.", body = ErrorBody),
    ))]
async fn accept_invitation(
    State(state): State<AppState>,
    Scoped { caller, .. }: Scoped<OrgsWrite>,
    AppJson(body): AppJson<dto::AcceptBody>,
) -> Result<Reply<dto::Accepted>> {
    let inv = open_invitation(&state, &caller, hash_of(Some(&body.hash.into_inner()))?).await?;
    let now = state.now();
    let role = state.store.accept_invitation(inv.id, now).await?;
    Ok(Reply(dto::Accepted {
        user: PublicUser::from(&caller.user),
        user_organization_role: MemberRole::at(&role, now),
    }))
}

/// `GET /users/me/organization-invitations`.
#[utoipa::path(get, path = "/users/me/organization-invitations", operation_id = "mine",
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The caller's open invitations.", body = dto::OpenInvitations),
        LacksScope,
    ))]
async fn list_my_invitations(
    State(state): State<AppState>,
    Scoped { caller, .. }: Scoped<UserRead>,
) -> Result<Reply<dto::OpenInvitations>> {
    let open = state.store.open_invitations_of(UserId(caller.user.id), state.now()).await?;
    Ok(Reply(dto::OpenInvitations { user_organization_invitations: open.into_iter().map(Into::into).collect() }))
}
