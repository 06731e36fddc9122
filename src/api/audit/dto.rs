//! The wire types of the audit log (`/audit-logs/v2/...` and the v1 organization path).

use chrono::{TimeZone, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::{ArrayBuilder, Required};
use utoipa::ToSchema;

use crate::api::openapi::common::{one_of, params, string, text};
use crate::api::reply::timestamp;
use crate::store::audit::Entry;

/// Who made a change: a user, `{id, anonymized: true}` once the user is gone, or the operator.
#[derive(Serialize, ToSchema)]
pub struct Actor {
    id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// Present (possibly `null`) for a user and the operator, absent for an anonymized user.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    anonymized: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operator: Option<bool>,
}

impl Actor {
    fn of(e: &Entry) -> Self {
        let nobody = Actor { id: None, name: None, email: None, anonymized: None, operator: None };
        match (e.actor_id, &e.actor_name) {
            (None, _) => {
                Actor { name: Some("orgd operator".into()), email: Some(None), operator: Some(true), ..nobody }
            }
            (Some(id), Some(name)) => {
                Actor { id: Some(id), name: Some(name.clone()), email: Some(e.actor_email.clone()), ..nobody }
            }
            (Some(id), None) => Actor { id: Some(id), anonymized: Some(true), ..nobody },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IdName {
    id: i64,
    name: Option<String>,
}

/// One entry.
#[derive(Serialize, ToSchema)]
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

impl From<&Entry> for AuditLog {
    fn from(e: &Entry) -> Self {
        let at = timestamp(Utc.timestamp_millis_opt(e.triggered_ms).single().unwrap_or_default());
        AuditLog {
            uuid: e.uuid.clone(),
            imt_id: e.imt_id(),
            created_at: at.clone(),
            triggered_at: at,
            organization_id: e.organization_id,
            organization: IdName { id: e.organization_id, name: Some(e.organization_name.clone()) },
            event_name: e.event_name.clone(),
            team: e.team_id.map(|id| IdName { id, name: e.team_name.clone() }),
            actor: Actor::of(e),
            target_id: e.target_id.clone(),
        }
    }
}

/// A page of a log.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogPage {
    pub audit_logs: Vec<AuditLog>,
    pub pg: AuditPg,
}

/// The paging echo: `last` is the cursor for the next page (`null` on an empty page).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditPg {
    pub sort_by: &'static str,
    pub sort_dir: &'static str,
    pub limit: i64,
    pub last: Option<String>,
}

/// One entry with what changed.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogDetail {
    audit_log: AuditLogWithDetail,
}

/// An entry and its `detail`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogWithDetail {
    uuid: String,
    imt_id: String,
    created_at: String,
    triggered_at: String,
    organization_id: i64,
    organization: IdName,
    event_name: String,
    team: Option<IdName>,
    actor: Actor,
    target_id: String,
    /// What changed (old and new role, plan, variable name and type, …); never a secret.
    detail: Value,
}

impl From<&Entry> for AuditLogDetail {
    fn from(e: &Entry) -> Self {
        AuditLogDetail { audit_log: AuditLogWithDetail::from(e) }
    }
}

impl From<&Entry> for AuditLogWithDetail {
    fn from(e: &Entry) -> Self {
        let a = AuditLog::from(e);
        AuditLogWithDetail {
            uuid: a.uuid,
            imt_id: a.imt_id,
            created_at: a.created_at,
            triggered_at: a.triggered_at,
            organization_id: a.organization_id,
            organization: a.organization,
            event_name: a.event_name,
            team: a.team,
            actor: a.actor,
            target_id: a.target_id,
            // Stored as JSON text by the store; text that does not parse is shown as `null`.
            detail: serde_json::from_str(&e.detail).unwrap_or(Value::Null),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FilterUser {
    pub id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Serialize, ToSchema)]
pub struct FilterItem {
    pub label: &'static str,
    pub value: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct FilterGroup {
    pub header: &'static str,
    pub items: Vec<FilterItem>,
}

/// The values that occur in a log.
#[derive(Serialize, ToSchema)]
pub struct AuditFilters {
    pub users: Vec<FilterUser>,
    pub teams: Vec<IdName>,
    pub events: Vec<FilterGroup>,
}

impl AuditFilters {
    /// Teams as `{id, name}`.
    pub fn team(id: i64, name: String) -> IdName {
        IdName { id, name: Some(name) }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(actor_id: Option<i64>, actor_name: Option<&str>, team_id: Option<i64>) -> Entry {
        Entry {
            uuid: "0123456789abcdef0123456789abcdef".into(),
            organization_id: 7,
            organization_name: "Acme".into(),
            team_id,
            team_name: team_id.map(|_| "Ops".into()),
            actor_id,
            actor_name: actor_name.map(Into::into),
            actor_email: actor_name.map(|_| "ann@example.com".into()),
            event_name: "team_created".into(),
            target_id: "3".into(),
            detail: r#"{"name":"Ops"}"#.into(),
            triggered_ms: 1_767_225_600_123,
        }
    }

    #[test]
    fn entries_serialise_in_make_s_shape_for_every_kind_of_actor() {
        let at = "2026-01-01T00:00:00.123Z";
        let head = |team: Value, actor: Value| {
            json!({
                "uuid": "0123456789abcdef0123456789abcdef",
                "imtId": "1767225600123_0123456789abcdef0123456789abcdef",
                "createdAt": at, "triggeredAt": at, "organizationId": 7,
                "organization": {"id": 7, "name": "Acme"}, "eventName": "team_created",
                "team": team, "actor": actor, "targetId": "3",
            })
        };
        let ops = json!({"id": 5, "name": "Ops"});
        let cases = [
            // The operator, a user, a user since deleted (anonymized); with and without a team.
            (
                entry(None, None, None),
                head(Value::Null, json!({"id": null, "name": "orgd operator", "email": null, "operator": true})),
            ),
            (
                entry(Some(3), Some("Ann"), Some(5)),
                head(ops.clone(), json!({"id": 3, "name": "Ann", "email": "ann@example.com"})),
            ),
            (entry(Some(4), None, Some(5)), head(ops, json!({"id": 4, "anonymized": true}))),
        ];
        for (e, mut expected) in cases {
            assert_eq!(serde_json::to_string(&AuditLog::from(&e)).unwrap(), expected.to_string());
            expected["detail"] = json!({"name": "Ops"});
            let detail = serde_json::to_value(AuditLogDetail::from(&e)).unwrap();
            assert_eq!(detail["auditLog"].to_string(), expected.to_string());
        }
    }
}
