//! The caller: `GET /users/me` and `GET /users/me/current-authorization`.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::members::dto::MemberRole;
use crate::api::params::{Columns, Params};
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Authed;
use crate::domain::ids::UserId;
use crate::error::{ErrorBody, Result};

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_current_user)).routes(routes!(get_current_authorization))
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
        "tfaStatus",
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

/// `GET /users/me`.
#[utoipa::path(get, path = "/users/me", operation_id = "me", params(dto::MeQuery), security(("Token" = [])),
    responses(
        (status = 200, description = "The caller.", body = dto::Me),
        (status = 400, description = "A bad `cols[]` or `includeInvitedOrg`.", body = ErrorBody),
    ))]
async fn get_current_user(State(state): State<AppState>, Authed(caller): Authed, q: Params) -> Result<Reply<dto::Me>> {
    let cols = q.cols(&ME)?;
    let _include_invited = q.bool("includeInvitedOrg", false)?;
    let u = &caller.user;
    let mut me = dto::AuthUser::from(u);
    if ME.wants(cols.as_deref(), &["userOrganizationRoles"]) {
        let roles = state.store.memberships_of_user(UserId(u.id)).await?;
        me.user_organization_roles = Some(roles.iter().map(MemberRole::from).collect());
    }
    if ME.wants(cols.as_deref(), &["userTeamRoles"]) {
        let roles = state.store.team_roles_of_user(UserId(u.id)).await?;
        let list = roles
            .into_iter()
            .map(|r| (r.team_id.0, r.users_role_id.0))
            .map(|(team_id, users_role_id)| dto::UserTeamRole { user_id: u.id, team_id, users_role_id });
        me.user_team_roles = Some(list.collect());
    }
    if ME.wants(cols.as_deref(), &["tfaStatus"]) {
        me.tfa_status = crate::factors::totp::status(&*state.store, u).await? as u8;
    }
    Ok(Reply(dto::Me { auth_user: ME.select(me, cols.as_deref()) }))
}

/// `GET /users/me/current-authorization`. Bearer use of an API token still reports `token`: orgd issues no OAuth
/// tokens.
#[utoipa::path(get, path = "/users/me/current-authorization", operation_id = "current_authorization",
    security(("Token" = [])),
    responses((status = 200, description = "The caller's authentication.", body = dto::CurrentAuthorization)))]
async fn get_current_authorization(Authed(caller): Authed) -> Reply<dto::CurrentAuthorization> {
    Reply(dto::CurrentAuthorization {
        authorization: dto::Authorization { auth_used: caller.auth_used, scope: caller.scopes.to_vec() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_the_fields_of_the_wire_type() {
        assert_eq!(crate::api::params::schema_fields::<dto::AuthUser>(), ME.all);
    }
}
