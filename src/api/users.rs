//! U1 `/users/me` and U2 `/users/me/current-authorization`.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::api::params::{Columns, Params};
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Authed;
use crate::domain::timezones;
use crate::error::{ErrorBody, Result};
use crate::store::models::User;

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new().route("/users/me", get(me)).route("/users/me/current-authorization", get(current_authorization))
}

const ME: Columns = Columns {
    all: &[
        "id",
        "name",
        "email",
        "language",
        "timezoneId",
        "localeId",
        "countryId",
        "features",
        "avatar",
        "lastLogin",
        "timezone",
        "locale",
        "emailNotifications",
        "usersAdminsRoleId",
        "userOrganizationRoles",
        "userTeamRoles",
        "forceSetPassword",
        "hasPassword",
        "tfaEnabled",
        "isAffiliatePartner",
        "hasAddedApp",
        "supportEligible",
    ],
    default: &[
        "id",
        "name",
        "email",
        "language",
        "timezoneId",
        "localeId",
        "countryId",
        "features",
        "avatar",
        "lastLogin",
        "timezone",
        "locale",
    ],
};

/// orgd has one locale, English; its id is 1.
const LOCALE_ID: i64 = 1;

/// The public fields of a user (also used where other endpoints embed a user).
pub fn user_json(u: &User) -> Map<String, Value> {
    let avatar = format!(
        "https://secure.gravatar.com/avatar/{}?d=mm",
        hex::encode(Sha256::digest(u.email.trim().to_lowercase().as_bytes()))
    );
    let v = json!({
        "id": u.id,
        "name": u.name,
        "email": u.email,
        "language": u.language,
        "timezoneId": u.timezone_id,
        "localeId": LOCALE_ID,
        "countryId": u.country_id,
        "features": {},
        "avatar": avatar,
        "lastLogin": null,
        "timezone": timezones::by_id(u.timezone_id).map(|z| z.code()).unwrap_or(timezones::UTC_CODE),
        "locale": "en",
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// U1 `GET /users/me`.
#[utoipa::path(get, path = "/users/me", params(dto::MeQuery), security(("Token" = [])),
    responses(
        (status = 200, description = "The caller.", body = dto::Me),
        (status = 400, description = "A bad `cols[]` or `includeInvitedOrg`.", body = ErrorBody),
    ))]
async fn me(State(state): State<AppState>, Authed(caller): Authed, q: Params) -> Result<Reply> {
    let cols = q.cols(&ME)?;
    let _include_invited = q.bool("includeInvitedOrg", false)?;
    let u = &caller.user;
    let mut full = user_json(u);
    if ME.wants(cols.as_deref(), &["userOrganizationRoles"]) {
        let roles = state.store.memberships_of_user(u.id).await?;
        let list: Vec<Value> = roles
            .iter()
            .map(|m| {
                json!({"userId": m.user_id, "organizationId": m.organization_id,
                            "usersRoleId": m.users_role_id, "invitation": m.invitation})
            })
            .collect();
        full.insert("userOrganizationRoles".into(), Value::Array(list));
    }
    if ME.wants(cols.as_deref(), &["userTeamRoles"]) {
        let roles = state.store.team_roles_of_user(u.id).await?;
        let list: Vec<Value> = roles
            .iter()
            .map(|(team_id, role)| json!({"userId": u.id, "teamId": team_id, "usersRoleId": role}))
            .collect();
        full.insert("userTeamRoles".into(), Value::Array(list));
    }
    for (k, v) in [
        ("emailNotifications", json!(true)),
        ("usersAdminsRoleId", if u.is_admin { json!(1) } else { Value::Null }),
        ("forceSetPassword", json!(false)),
        ("hasPassword", json!(false)),
        ("tfaEnabled", json!(u.tfa_enabled)),
        ("isAffiliatePartner", json!(false)),
        ("hasAddedApp", json!(false)),
        ("supportEligible", json!(false)),
    ] {
        full.insert(k.into(), v);
    }
    Ok(Reply(json!({ "authUser": ME.project(&full, cols.as_deref()) })))
}

/// U2 `GET /users/me/current-authorization`. Bearer use of an API token still reports `token`: orgd issues no
/// OAuth tokens.
#[utoipa::path(get, path = "/users/me/current-authorization", security(("Token" = [])),
    responses((status = 200, description = "The caller's authentication.", body = dto::CurrentAuthorization)))]
async fn current_authorization(Authed(caller): Authed) -> Reply {
    Reply(json!({ "authorization": { "authUsed": caller.auth_used, "scope": caller.scopes } }))
}
