//! Organization variables (`/organizations/{organizationId}/variables`) and their history.

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use crate::access::OrgMember;
use crate::api::body::{Fields, JsonObject};
use crate::api::openapi::common::OrgPath;
use crate::api::params::Params;
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::domain::scopes::{VarsRead, VarsWrite};
use crate::domain::variables::{check_any, check_value, parse_name, parse_type};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::VariableWrite;

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{organizationId}/variables", get(list_variables).post(create_variable))
        .route(
            "/organizations/{organizationId}/variables/{variableName}",
            axum::routing::patch(update_variable).delete(delete_variable),
        )
        .route("/organizations/{organizationId}/variables/{variableName}/history", get(variable_history))
}

fn is_system(name: &str) -> bool {
    matches!(name, "$organizationId" | "$organizationName" | "$organizationZone")
}

/// Custom variables exist only on plans whose license has `customVariables`; elsewhere they are 404, as in Make.
fn licensed<S: crate::domain::scopes::Requirement>(state: &AppState, m: &OrgMember<S>) -> Result<()> {
    if state.plan(&m.org.plan).1.license.custom_variables() {
        Ok(())
    } else {
        Err(ApiError::NotFound("Custom variables are not available on this organization's plan.".into()))
    }
}

fn variable_name(path: &PathIds) -> Result<String> {
    parse_name(path.raw("variableName")).map_err(|e| ApiError::field("variableName", e))
}

/// `GET /organizations/{organizationId}/variables`: system variables, then custom ones by name.
#[utoipa::path(get, path = "/organizations/{organizationId}/variables", operation_id = "list", params(OrgPath),
    security(("Token" = ["organization-variables:read"]), ("Token" = ["organizations-variables:read"])),
    responses(
        (status = 200, description = "The variables.", body = dto::VariableList),
        (status = 400, description = "A bad id.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn list_variables(State(state): State<AppState>, m: OrgMember<VarsRead>) -> Result<Reply<dto::VariableList>> {
    let g = m.view()?;
    let mut out = Vec::from(dto::Variable::system(&m.org));
    if licensed(&state, &m).is_ok() {
        out.extend(state.store.variables(&g).await?.into_iter().map(dto::Variable::from));
    }
    Ok(Reply(dto::VariableList { organization_variables: out }))
}

/// `POST /organizations/{organizationId}/variables`: `name`, `typeId`, `value`, all required and consistent.
#[utoipa::path(post, path = "/organizations/{organizationId}/variables", operation_id = "create", params(OrgPath),
    request_body = dto::CreateVariable,
    security(("Token" = ["organization-variables:write"]), ("Token" = ["organizations-variables:write"])),
    responses(
        (status = 200, description = "The new variable.", body = dto::VariableDetail),
        (status = 400, description = "Validation failed, or the name is taken or a system variable's (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization edit`.", body = ErrorBody),
        (status = 404, description = "No such organization, or custom variables are not on its plan.", body = ErrorBody),
    ))]
async fn create_variable(
    State(state): State<AppState>,
    m: OrgMember<VarsWrite>,
    body: JsonObject,
) -> Result<Reply<dto::VariableDetail>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    licensed(&state, &m)?;
    let mut f = Fields::new(&body);
    let name =
        f.required("name", |v| v.as_str().ok_or_else(|| "name must be a string".to_string()).and_then(parse_name));
    let type_ = f.required("typeId", parse_type);
    let value = match (type_, f.raw("value")) {
        (Some(t), Some(v)) => f.required("value", |_| check_value(t, v)),
        (None, Some(v)) => f.required("value", |_| check_any(v)),
        (_, None) => f.required("value", |_| Err(String::new())),
    };
    let w = f.finish(|| {
        Some(VariableWrite {
            name: name?,
            type_id: Some(type_?.id()),
            value: Some(value?),
            author: m.caller.user.email.clone(),
            now: state.now(),
        })
    })?;
    if is_system(&w.name) {
        return Err(ApiError::InvalidInput(format!("'{}' is a system variable.", w.name)));
    }
    let v = state.store.create_variable(&g, w).await.map_err(|e| match e {
        crate::store::StoreError::Conflict(_) => ApiError::InvalidInput("Variable already exists.".into()),
        other => other.into(),
    })?;
    Ok(Reply(dto::VariableDetail { organization_variable: v.into() }))
}

/// `PATCH /organizations/{organizationId}/variables/{variableName}`: `typeId` and/or `value`. Only when both are
/// sent are they checked against each other; a lone one is not checked against the stored other half.
#[utoipa::path(patch, path = "/organizations/{organizationId}/variables/{variableName}", operation_id = "update",
    params(dto::VariablePath),
    request_body = dto::UpdateVariable,
    security(("Token" = ["organization-variables:write"]), ("Token" = ["organizations-variables:write"])),
    responses(
        (status = 200, description = "The changed variable.", body = dto::VariableDetail),
        (status = 400, description = "Validation failed, or a system variable (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization edit`.", body = ErrorBody),
        (status = 404, description = "No such organization or variable, or custom variables are not on its plan.", body = ErrorBody),
    ))]
async fn update_variable(
    State(state): State<AppState>,
    m: OrgMember<VarsWrite>,
    path: PathIds,
    body: JsonObject,
) -> Result<Reply<dto::VariableDetail>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    licensed(&state, &m)?;
    let name = variable_name(&path)?;
    if is_system(&name) {
        return Err(ApiError::InvalidInput(format!("'{name}' is a system variable and cannot be changed.")));
    }
    let mut f = Fields::new(&body);
    let type_ = f.optional("typeId", parse_type);
    let value = match (type_, f.raw("value")) {
        (Some(t), Some(v)) => f.optional("value", |_| check_value(t, v)),
        (None, Some(v)) => f.optional("value", |_| check_any(v)),
        (_, None) => None,
    };
    if !f.has("typeId") && !f.has("value") {
        f.error("value", "send typeId and/or value");
    }
    let w = f.finish(|| {
        Some(VariableWrite {
            name: name.clone(),
            type_id: type_.map(|t| t.id()),
            value,
            author: m.caller.user.email.clone(),
            now: state.now(),
        })
    })?;
    let v = state.store.update_variable(&g, w).await?;
    Ok(Reply(dto::VariableDetail { organization_variable: v.into() }))
}

/// `DELETE /organizations/{organizationId}/variables/{variableName}?confirmed=true`.
#[utoipa::path(delete, path = "/organizations/{organizationId}/variables/{variableName}", operation_id = "delete",
    params(dto::DeleteQuery),
    security(("Token" = ["organization-variables:write"]), ("Token" = ["organizations-variables:write"])),
    responses(
        (status = 200, description = "Deleted.", body = dto::Deleted),
        (status = 400, description = "A bad name or `confirmed`, or a system variable (`IM005`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `organization edit`.", body = ErrorBody),
        (status = 404, description = "No such organization or variable, or custom variables are not on its plan.", body = ErrorBody),
        (status = 406, description = "`confirmed=true` is missing (`IM004`).", body = ErrorBody),
    ))]
async fn delete_variable(
    State(state): State<AppState>,
    m: OrgMember<VarsWrite>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::Deleted>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    licensed(&state, &m)?;
    let name = variable_name(&path)?;
    if is_system(&name) {
        return Err(ApiError::InvalidInput(format!("'{name}' is a system variable and cannot be deleted.")));
    }
    if !q.bool("confirmed", false)? {
        return Err(ApiError::ConfirmationRequired("Deleting a variable needs confirmed=true.".into()));
    }
    state.store.delete_variable(&g, &name, &m.caller.user.email, state.now()).await?;
    Ok(Reply(dto::Deleted::OK))
}

/// `GET /organizations/{organizationId}/variables/{variableName}/history`: newest first.
#[utoipa::path(get, path = "/organizations/{organizationId}/variables/{variableName}/history", operation_id = "history",
    params(dto::VariablePath),
    security(("Token" = ["organization-variables:read"]), ("Token" = ["organizations-variables:read"])),
    responses(
        (status = 200, description = "The variable's history.", body = dto::History),
        (status = 400, description = "A bad id or name.", body = ErrorBody),
        (status = 403, description = "The token lacks the scope, or the caller is not a member.", body = ErrorBody),
        (status = 404, description = "No such organization or variable, or custom variables are not on its plan.", body = ErrorBody),
    ))]
async fn variable_history(
    State(state): State<AppState>,
    m: OrgMember<VarsRead>,
    path: PathIds,
) -> Result<Reply<dto::History>> {
    let g = m.view()?;
    licensed(&state, &m)?;
    let name = variable_name(&path)?;
    let entries = state
        .store
        .variable_history(&g, &name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Variable '{name}' not found.")))?;
    Ok(Reply(dto::History { organization_variable_history: entries.iter().map(dto::HistoryEntry::from).collect() }))
}
