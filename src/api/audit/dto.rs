//! Documentation-only wire types of the audit-log endpoints; never constructed.

#![allow(dead_code)]

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::{ArrayBuilder, Required};
use utoipa::ToSchema;

use crate::api::openapi::common::{one_of, params, string, text};

/// Who made a change: a user, `{id, anonymized: true}` once the user is gone, or the operator.
#[derive(ToSchema)]
pub struct Actor {
    id: Option<i64>,
    name: Option<String>,
    email: Option<String>,
    anonymized: Option<bool>,
    operator: Option<bool>,
}

#[derive(ToSchema)]
pub struct IdName {
    id: i64,
    name: Option<String>,
}

/// One entry.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    /// 32 hexadecimal digits.
    uuid: String,
    /// `<triggeredAt in epoch ms>_<uuid>`: the cursor for `pg[last]`.
    imt_id: String,
    created_at: String,
    triggered_at: String,
    organization_id: i64,
    organization: IdName,
    event_name: String,
    team: Option<IdName>,
    actor: Actor,
    target_id: String,
}

/// A page of a log.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogPage {
    audit_logs: Vec<AuditLog>,
    pg: AuditPg,
}

/// The paging echo: `last` is the cursor for the next page (`null` on an empty page).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPg {
    sort_by: String,
    sort_dir: String,
    limit: i64,
    last: Option<String>,
}

/// One entry with what changed.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogDetail {
    audit_log: AuditLogWithDetail,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogWithDetail {
    uuid: String,
    imt_id: String,
    event_name: String,
    /// What changed (old and new role, plan, variable name and type, …); never a secret.
    detail: serde_json::Value,
}

#[derive(ToSchema)]
pub struct FilterUser {
    id: i64,
    name: String,
    email: String,
}

#[derive(ToSchema)]
pub struct FilterItem {
    label: String,
    value: String,
}

#[derive(ToSchema)]
pub struct FilterGroup {
    header: String,
    items: Vec<FilterItem>,
}

/// The values that occur in a log.
#[derive(ToSchema)]
pub struct AuditFilters {
    users: Vec<FilterUser>,
    teams: Vec<IdName>,
    events: Vec<FilterGroup>,
}

/// An array of strings (`name[]=a&name[]=b`).
fn strings(name: &str, doc: &str) -> Vec<Parameter> {
    vec![ParameterBuilder::new()
        .name(format!("{name}[]"))
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .style(Some(ParameterStyle::Form))
        .explode(Some(true))
        .schema(Some(ArrayBuilder::new().items(text(320))))
        .description(Some(doc))
        .build()]
}

fn log_query() -> Vec<Parameter> {
    use crate::api::openapi::common::query_string;
    let date = || string().pattern(Some(r"^\d{4}-\d{2}-\d{2}$"));
    let mut p = Vec::new();
    p.extend(query_string("dateFrom", false, date(), "First day, YYYY-MM-DD in the organization's timezone."));
    p.extend(query_string("dateTo", false, date(), "Last day, YYYY-MM-DD in the organization's timezone."));
    p.extend(strings("event", "Event names (`team_created`, …)."));
    p.extend(strings("author", "User ids or e-mails."));
    p.extend(strings("team", "Team ids or names."));
    p.extend(query_string("pg[sortBy]", false, one_of(&["triggeredAt"]), "Always `triggeredAt`."));
    p.extend(query_string("pg[sortDir]", false, one_of(&["asc", "desc"]), "`desc` (newest first) by default."));
    p.extend(query_string(
        "pg[limit]",
        false,
        crate::api::openapi::common::integer().minimum(Some(1)).maximum(Some(10_000)),
        "Entries per page, 50 by default.",
    ));
    p.extend(query_string(
        "pg[last]",
        false,
        string().pattern(Some("^[0-9]+_[0-9a-fA-F-]{32,36}$")),
        "The imtId of the last entry already seen.",
    ));
    p
}

params! {
    /// The organization log's path and query.
    OrgLogQuery = [org_path(), super::dto::log_query()];
    /// The team log's path and query.
    TeamLogQuery = [path_id("teamId", "The team's id."), super::dto::log_query()];
    /// An organization's path.
    OrgPathOnly = [org_path()];
    /// A team's path.
    TeamPathOnly = [path_id("teamId", "The team's id.")];
    /// One entry's path.
    EntryPath = [org_path(), path_string("uuid", "The entry's uuid, with or without dashes.")];
}
