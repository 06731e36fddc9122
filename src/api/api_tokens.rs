//! A person's own API tokens, as Make offers them: `GET`/`POST /users/me/api-tokens`,
//! `DELETE /users/me/api-tokens/{timestamp}` (a token is named by its creation time) and the scope catalogue
//! `GET /enums/user-api-token-scopes`. A new token is random (`auth::new_token`), stored as its digest with its
//! first segment in clear for the masked list, and shown in full once, in the creation's answer.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::body::Draft;
use crate::api::openapi::answers::LacksScope;
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::{self, Authed, Caller, Scoped};
use crate::domain::api_tokens;
use crate::domain::ids::UserId;
use crate::domain::scopes::{UserRead, UserWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::store::models::NewApiToken;

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(delete_token))
        .routes(routes!(list_scopes))
}

/// `GET /users/me/api-tokens`: the caller's live tokens, masked, oldest first.
#[utoipa::path(get, path = "/users/me/api-tokens", operation_id = "list", security(("Token" = ["user:read"])),
    responses((status = 200, description = "The caller's tokens, masked.", body = dto::ApiTokens), LacksScope))]
async fn list_tokens(State(state): State<AppState>, scoped: Scoped<UserRead>) -> Result<Reply<dto::ApiTokens>> {
    let rows = state.store.api_tokens(UserId(scoped.caller.user.id)).await?;
    Ok(Reply(dto::ApiTokens { api_tokens: rows.iter().map(dto::ApiTokenView::masked).collect() }))
}

/// `POST /users/me/api-tokens`: a new token for the caller, shown in full in this answer only.
#[utoipa::path(post, path = "/users/me/api-tokens", operation_id = "create", request_body = dto::CreateApiToken,
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "The new token, in full: the only answer that shows it.", body = dto::ApiTokenAnswer),
        (status = 400, description = "Validation failed: a bad label, an unknown scope (`SC400`), or the caller holds 100 tokens already (`IM011`).", body = ErrorBody),
        (status = 403, description = "The token lacks `user:write`, a requested scope is one the calling token does not hold, or the token was minted by a console session whose password was last confirmed more than 15 minutes ago (`Re-authentication required: …`).", body = ErrorBody),
    ))]
async fn create_token(
    State(state): State<AppState>,
    scoped: Scoped<UserWrite>,
    Draft { body, problems }: Draft<dto::CreateApiToken>,
) -> Result<Reply<dto::ApiTokenAnswer>> {
    problems.finish()?;
    let caller = scoped.caller;
    let scopes = body.scope.into_inner().0;
    within_callers_scopes(&caller, &scopes)?;
    recently_authenticated(&state, &caller).await?;
    let uuid = auth::new_token();
    let token = uuid.hyphenated().to_string();
    let new = NewApiToken {
        user_id: UserId(caller.user.id),
        digest: auth::digest(&uuid),
        hint: api_tokens::hint(&token),
        label: body.label.into_inner().into_string(),
        scopes,
        now: state.now(),
    };
    let row = state.store.create_api_token(new).await?;
    tracing::info!(user = caller.user.id, created = %api_tokens::created_text(row.created_at), "API token created");
    Ok(Reply(dto::ApiTokenAnswer { api_token: dto::ApiTokenView::with_token(&row, token) }))
}

/// A token may not hold a scope its creator's token lacks: 403, as a missing scope is (docs/compatibility.md).
fn within_callers_scopes(caller: &Caller, requested: &[String]) -> Result<()> {
    let missing = api_tokens::beyond(requested, &caller.scopes);
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!(
        "Access denied. A new API token cannot hold scopes the calling token lacks: {}.",
        missing.join(", ")
    )))
}

/// A token minted by a console session creates tokens only while the session's last password is fresh
/// (`api_tokens::REAUTH_MINUTES`); other tokens are credentials of their own and need nothing more.
async fn recently_authenticated(state: &AppState, caller: &Caller) -> Result<()> {
    let Some(session_id) = caller.session_id else { return Ok(()) };
    let session = state.store.session_by_id(session_id).await?;
    match session {
        Some(s) if !api_tokens::needs_reauth(s.authenticated_at, state.now()) => Ok(()),
        _ => Err(ApiError::Forbidden(api_tokens::REAUTH_DETAIL.into())),
    }
}

/// `DELETE /users/me/api-tokens/{timestamp}`: revokes the caller's token created at `timestamp`; the token is
/// refused from the next request on, on every node.
#[utoipa::path(delete, path = "/users/me/api-tokens/{timestamp}", operation_id = "delete",
    params(("timestamp" = String, Path, format = DateTime,
        description = "The token's `created`, as the list shows it (`2020-03-27T05:53:27.368Z`).")),
    security(("Token" = ["user:write"])),
    responses(
        (status = 200, description = "Deleted; the answer holds the deleted token, masked.", body = dto::Deleted),
        (status = 400, description = "`timestamp` is no ISO 8601 timestamp.", body = ErrorBody),
        LacksScope,
        (status = 404, description = "No live token of the caller was created at that time.", body = ErrorBody),
    ))]
async fn delete_token(
    State(state): State<AppState>,
    scoped: Scoped<UserWrite>,
    path: PathIds,
) -> Result<Reply<dto::Deleted>> {
    let created = api_tokens::parse_created(path.raw("timestamp")).ok_or_else(|| {
        ApiError::field("timestamp", "timestamp must be an ISO 8601 timestamp such as 2020-03-27T05:53:27.368Z")
    })?;
    let user_id = scoped.caller.user.id;
    let row = state.store.revoke_api_token(UserId(user_id), created, state.now()).await?;
    tracing::info!(user = user_id, created = %api_tokens::created_text(row.created_at), "API token deleted");
    Ok(Reply(dto::Deleted { api_token: api_tokens::masked(row.hint.as_deref()) }))
}

/// `GET /enums/user-api-token-scopes`: the scopes a token can hold, both spellings Make uses.
#[utoipa::path(get, path = "/enums/user-api-token-scopes", operation_id = "scopes", security(("Token" = [])),
    responses((status = 200, description = "The token scopes.", body = dto::UserApiTokenScopes)))]
async fn list_scopes(_: Authed) -> Reply<dto::UserApiTokenScopes> {
    Reply(dto::UserApiTokenScopes::all())
}
