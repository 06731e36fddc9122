//! Joining through an invitation's link (`/console/#/join/<hash>`: the hash stays in the fragment, so it never
//! reaches a server log): `GET /auth/invitation` shows what the link offers, `POST /auth/join` accepts it, for the
//! e-mail address it was sent to only. A person whose account the invitation created chooses a name and password
//! there; one who already has a password signs in first.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::signin::open_session;
use super::{private, Visit};
use crate::api::body::{AppJson, Optional, Required};
use crate::api::reply::timestamp;
use crate::app::AppState;
use crate::domain::ids::UserId;
use crate::domain::names::Name;
use crate::domain::roles;
use crate::error::ApiError;
use crate::identity::{password, steps, Action, SignedIn};
use crate::rate::public::{self, Surface};
use crate::store::models::Invitation;

#[derive(Deserialize)]
pub struct HashQuery {
    hash: Option<String>,
}

/// The invitation behind a link still open, or the 404 that says why it is not, in words for its holder.
async fn open(state: &AppState, visit: &Visit, hash: Option<&str>) -> Result<Invitation, ApiError> {
    public::check(state, Surface::Invitation, visit.ip, None)?;
    let hash = hash.map(str::trim).filter(|h| !h.is_empty() && h.len() <= 100);
    let hash = hash.ok_or_else(|| ApiError::field("hash", "hash is required"))?;
    let gone = "This invitation link is no longer valid: a newer invitation replaced it, or it never existed. \
        Ask the organization for a new one.";
    let inv = state.store.invitation_by_hash(hash).await?.ok_or_else(|| ApiError::NotFound(gone.into()))?;
    if inv.accepted_at.is_some() {
        return Err(ApiError::NotFound(
            "This invitation was already accepted; sign in to use the organization.".into(),
        ));
    }
    if inv.expires_at <= state.now() {
        return Err(ApiError::NotFound(format!(
            "This invitation expired on {}. Ask the organization for a new one.",
            timestamp(inv.expires_at)
        )));
    }
    Ok(inv)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Offer {
    organization_id: i64,
    organization: String,
    inviter: Option<String>,
    role: String,
    email: String,
    expires: String,
    /// `new`: the invitee chooses a name and password here; `existing`: the invitee signs in first.
    account: &'static str,
}

/// `GET /auth/invitation?hash=`: what the link offers.
pub async fn show(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<HashQuery>,
) -> Result<Response, ApiError> {
    let inv = open(&state, &visit, q.hash.as_deref()).await?;
    let has_password = state.store.password_hash(UserId(inv.user.id)).await?.is_some();
    let offer = Offer {
        organization_id: inv.organization_id,
        organization: inv.organization_name.clone(),
        inviter: state.store.inviter_name(inv.id).await?,
        role: roles::org_role(inv.users_role_id).map(|r| r.name.to_string()).unwrap_or_else(|| "Member".into()),
        email: inv.user.email.clone(),
        expires: timestamp(inv.expires_at),
        account: if has_password { "existing" } else { "new" },
    };
    Ok(private(&offer, None))
}

#[derive(Deserialize)]
pub struct JoinBody {
    hash: Required<String>,
    name: Optional<String>,
    password: Optional<String>,
}

/// `POST /auth/join`: accepts the invitation. A new account gets its name and password and a session; an existing
/// one must be the signed-in session's account.
pub async fn join(
    State(state): State<AppState>,
    visit: Visit,
    AppJson(body): AppJson<JoinBody>,
) -> Result<Response, ApiError> {
    let inv = open(&state, &visit, Some(&body.hash.into_inner())).await?;
    let user = &inv.user;
    let claimed = match (body.name.into_inner(), body.password.into_inner()) {
        (Some(name), Some(pw)) => claim(&state, &inv, &name, pw).await?,
        _ => false,
    };
    if !claimed {
        let me = match visit.session_id.as_deref() {
            Some(id) => SignedIn::by_id(&state, id).await?,
            None => {
                return Err(ApiError::Unauthorized(format!("Sign in as {} to accept this invitation.", user.email)))
            }
        };
        steps::require(me.stage, Action::UseConsole)?;
        if me.user.id != user.id {
            return Err(ApiError::Forbidden(format!(
                "This invitation was sent to {}, and you are signed in as {}. Sign out and sign in as {} to accept it.",
                user.email, me.user.email, user.email
            )));
        }
    }
    state.store.accept_invitation(inv.id, state.now()).await?;
    tracing::info!(user.id = user.id, organization.id = inv.organization_id, "invitation accepted in the console");
    let done = serde_json::json!({"organizationId": inv.organization_id});
    if !claimed {
        return Ok(private(&done, None));
    }
    let stage = steps::after_password(&state, user).await?;
    let (_, cookie) = open_session(&state, &visit, user, stage).await?;
    Ok(private(
        &serde_json::json!({"organizationId": inv.organization_id, "next": steps::next_step(stage)}),
        Some(cookie),
    ))
}

/// Gives the invitation's new account its name and password; false when the account already has a password.
async fn claim(state: &AppState, inv: &Invitation, name: &str, pw: String) -> Result<bool, ApiError> {
    if state.store.password_hash(UserId(inv.user.id)).await?.is_some() {
        return Ok(false);
    }
    let name = Name::parse("name", name.trim()).map_err(|e| ApiError::field("name", e))?;
    if let Some(problem) = password::policy_problem(&pw, &inv.user.email) {
        return Err(ApiError::field("password", problem));
    }
    let hash = password::hash(pw).await?;
    Ok(state.store.claim_account(UserId(inv.user.id), name.as_str(), &hash).await?)
}
