//! Invitations: O15 invite, O3 detail by hash, O4 accept, U3 the caller's open invitations.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use chrono::Duration;
use serde_json::{json, Value};

use crate::access::OrgMember;
use crate::api::body::{self, Fields, JsonObject};
use crate::api::members::role_json;
use crate::api::openapi::common::OrgPath;
use crate::api::params::Params;
use crate::api::reply::Reply;
use crate::api::users::user_json;
use crate::app::AppState;
use crate::auth::{Caller, Scoped};
use crate::domain::email::Email;
use crate::domain::names::Name;
use crate::domain::roles;
use crate::domain::scopes::{OrgsRead, OrgsWrite, UserRead};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::{Invitation, NewInvitation};

/// Longest invitation note (spec §9 q.29).
const MAX_NOTE_CHARS: usize = 1000;

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{organizationId}/invite", post(invite))
        .route("/organizations/invitation", get(detail))
        .route("/organizations/accept-invitation", post(accept))
        .route("/users/me/organization-invitations", get(mine))
}

/// O15 `POST /organizations/{organizationId}/invite`: `email`, `name`, `usersRoleId`, optional `note` and
/// `teamsId`. An e-mail without an account gets one (without tokens) that `orgd users add` later completes. The
/// invitation e-mail is queued in the same transaction and sent afterwards; past `invitations_per_hour` of them
/// the organization's invites are refused with 429.
#[utoipa::path(post, path = "/organizations/{organizationId}/invite", params(OrgPath), request_body = dto::InviteBody,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The invitee's pending role.", body = crate::api::members::dto::MemberRoleChanged),
        (status = 400, description = "Validation failed, the user is already a member (`IM005`) or the plan's \
            user limit is reached (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization user add and edit`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
        (status = 429, description = "The organization sent as many invitations as it may per hour \
            (`invitations_per_hour`); `Retry-After` says when it may send again.", body = ErrorBody),
    ))]
async fn invite(State(state): State<AppState>, m: OrgMember<OrgsWrite>, body: JsonObject) -> Result<Reply> {
    let g = m.require::<perms::UserAddAndEdit>()?;
    let mut f = Fields::new(&body);
    let email = f.required("email", |v| body::string("email")(v).and_then(|s| Email::parse(&s)));
    let name = f.required("name", |v| body::string("name")(v).and_then(|s| Name::parse("name", &s)));
    let role = f.required("usersRoleId", |v| {
        let id = body::id("usersRoleId")(v)?;
        match roles::org_role(id) {
            Some(r) if r.id == roles::OWNER => Err("usersRoleId 11 (Owner) cannot be granted by invitation".into()),
            Some(r) => Ok(r.id),
            None => Err(format!("usersRoleId {id} is not an organization role")),
        }
    });
    let note = f.optional("note", |v| {
        let s = body::string("note")(v)?;
        if s.chars().count() > MAX_NOTE_CHARS {
            Err(format!("note must be at most {MAX_NOTE_CHARS} characters long"))
        } else {
            Ok(s)
        }
    });
    let mut team_ids = f.optional("teamsId", body::ids("teamsId")).unwrap_or_default();
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
                f.error("teamsId", format!("Team {id} is not a team of this organization"));
            }
        }
    }
    let now = state.now();
    let (_, plan) = state.plan(&m.org.plan);
    let cmd = f.finish(|| {
        Some(NewInvitation {
            email: email?.as_str().to_string(),
            name: name?.into_string(),
            users_role_id: role?,
            note,
            team_ids,
            hash: uuid::Uuid::new_v4().to_string(),
            now,
            expires_at: now + Duration::days(state.config.invitation_ttl_days),
            max_users: plan.license_i64("users").unwrap_or(1),
            mails_per_hour: state.config.invitations_per_hour,
        })
    })?;
    let role = state.store.invite(&g, cmd).await?;
    state.mail_queued("invitation", g.org_id());
    Ok(Reply(json!({ "userOrganizationRole": role_json(&role, now) })))
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

/// O3 `GET /organizations/invitation?hash=`.
#[utoipa::path(get, path = "/organizations/invitation", params(dto::DetailQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The invitation.", body = dto::InvitationDetail),
        (status = 400, description = "`hash` is missing or too long.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the invitation is for another e-mail.", body = ErrorBody),
        (status = 404, description = "Unknown, used or expired hash.", body = ErrorBody),
    ))]
async fn detail(State(state): State<AppState>, Scoped { caller, .. }: Scoped<OrgsRead>, q: Params) -> Result<Reply> {
    let inv = open_invitation(&state, &caller, hash_of(q.get("hash"))?).await?;
    Ok(Reply(json!({
        "organization": {"id": inv.organization_id, "name": inv.organization_name},
        "user": user_json(&inv.user),
        "userOrganizationRole": {"userId": inv.user.id, "organizationId": inv.organization_id,
                                 "usersRoleId": inv.users_role_id, "invitation": "pending"}
    })))
}

/// O4 `POST /organizations/accept-invitation` with `{hash}`: the caller becomes an active member.
#[utoipa::path(post, path = "/organizations/accept-invitation", request_body = dto::AcceptBody,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The caller and their new role.", body = dto::Accepted),
        (status = 400, description = "Validation failed.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the invitation is for another e-mail.", body = ErrorBody),
        (status = 404, description = "Unknown, used or expired hash.", body = ErrorBody),
    ))]
async fn accept(
    State(state): State<AppState>,
    Scoped { caller, .. }: Scoped<OrgsWrite>,
    body: JsonObject,
) -> Result<Reply> {
    let mut f = Fields::new(&body);
    let hash = f.required("hash", body::string("hash"));
    let hash = f.finish(|| hash)?;
    let inv = open_invitation(&state, &caller, hash_of(Some(&hash))?).await?;
    let now = state.now();
    let role = state.store.accept_invitation(inv.id, now).await?;
    Ok(Reply(json!({ "user": user_json(&caller.user), "userOrganizationRole": role_json(&role, now) })))
}

/// U3 `GET /users/me/organization-invitations`.
#[utoipa::path(get, path = "/users/me/organization-invitations",
    security(("Token" = ["user:read"])),
    responses(
        (status = 200, description = "The caller's open invitations.", body = dto::OpenInvitations),
        (status = 403, description = "The token lacks the scope.", body = ErrorBody),
    ))]
async fn mine(State(state): State<AppState>, Scoped { caller, .. }: Scoped<UserRead>) -> Result<Reply> {
    let list: Vec<Value> = state
        .store
        .open_invitations_of(caller.user.id, state.now())
        .await?
        .into_iter()
        .map(|i| {
            json!({"hash": i.hash, "invitation": "pending", "usersRoleId": i.users_role_id,
                   "organizationId": i.organization_id, "organizationName": i.organization_name, "zone": i.zone})
        })
        .collect();
    Ok(Reply(json!({ "userOrganizationInvitations": list })))
}
