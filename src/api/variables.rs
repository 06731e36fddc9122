//! Organization variables (`/organizations/{organizationId}/variables`) and their history.

use axum::extract::State;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::body::Draft;
use crate::api::openapi::answers::{BadId, NoOrganizationEdit, NoSuchOrganization, NotAMember, NotConfirmed};
use crate::api::openapi::common::OrgPath;
use crate::api::params::Params;
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::domain::scopes::{VarsRead, VarsWrite};
use crate::domain::variables::{check_any, check_value, parse_name, VarType};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::VariableWrite;

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_variables, create_variable))
        .routes(routes!(update_variable, delete_variable))
        .routes(routes!(variable_history))
}

/// Checks a sent value against the sent type, or against every type when the type is missing or refused.
fn value_of(t: Option<VarType>, v: &Value) -> std::result::Result<Value, String> {
    t.map_or_else(|| check_any(v), |t| check_value(t, v))
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
        BadId,
        NotAMember,
        NoSuchOrganization,
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
        NoOrganizationEdit,
        (status = 404, description = "No such organization, or custom variables are not on its plan.", body = ErrorBody),
    ))]
async fn create_variable(
    State(state): State<AppState>,
    m: OrgMember<VarsWrite>,
    Draft { body, mut problems }: Draft<dto::CreateVariable>,
) -> Result<Reply<dto::VariableDetail>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    licensed(&state, &m)?;
    if let Some(v) = body.value.get() {
        problems.check("value", value_of(body.type_id.get().copied(), v));
    }
    problems.finish()?;
    let w = VariableWrite {
        name: body.name.into_inner().0,
        type_id: Some(body.type_id.into_inner().id()),
        value: Some(body.value.into_inner()),
        author: m.caller.user.email.clone(),
        now: state.now(),
    };
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
        NoOrganizationEdit,
        (status = 404, description = "No such organization or variable, or custom variables are not on its plan.", body = ErrorBody),
    ))]
async fn update_variable(
    State(state): State<AppState>,
    m: OrgMember<VarsWrite>,
    path: PathIds,
    Draft { body, mut problems }: Draft<dto::UpdateVariable>,
) -> Result<Reply<dto::VariableDetail>> {
    let g = m.require::<perms::OrganizationEdit>()?;
    licensed(&state, &m)?;
    let name = variable_name(&path)?;
    if is_system(&name) {
        return Err(ApiError::InvalidInput(format!("'{name}' is a system variable and cannot be changed.")));
    }
    if let Some(v) = body.value.get() {
        problems.check("value", value_of(body.type_id.get().copied(), v));
    }
    if !body.type_id.sent() && !body.value.sent() {
        problems.add("value", "send typeId and/or value");
    }
    problems.finish()?;
    let w = VariableWrite {
        name: name.clone(),
        type_id: body.type_id.into_inner().map(|t| t.id()),
        value: body.value.into_inner(),
        author: m.caller.user.email.clone(),
        now: state.now(),
    };
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
        NoOrganizationEdit,
        (status = 404, description = "No such organization or variable, or custom variables are not on its plan.", body = ErrorBody),
        NotConfirmed,
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
        NotAMember,
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
