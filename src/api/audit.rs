//! The audit log: Make's `/audit-logs/v2/…` endpoints (and the documented v1 organization path), read by an
//! organization's Owners and Admins, a team's log also by whoever manages the team's members.

use axum::extract::State;
use chrono::{NaiveDate, TimeZone};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::openapi::answers::{BadId, NoSuchOrganization, NoSuchTeam, NotOwnerOrAdmin};
use crate::api::params::{Params, MAX_LIMIT};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Scoped;
use crate::domain::audit as events;
use crate::domain::ids::{OrgId, TeamId};
use crate::domain::scopes::OrgsRead;
use crate::domain::timezones;
use crate::error::{parse_id, ApiError, ErrorBody, Result, SubError};
use crate::grant::perms;
use crate::grant::team_perms::TeamUserAddAndEdit;
use crate::store::audit::{self, Entry, Query, Scope};
use crate::store::models::Org;

pub mod dto;

/// Entries per page when `pg[limit]` is absent.
pub const DEFAULT_LIMIT: i64 = 50;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organization_log_v1))
        .routes(routes!(list_organization_log))
        .routes(routes!(list_organization_log_filters))
        .routes(routes!(list_team_log))
        .routes(routes!(list_team_log_filters))
        .routes(routes!(get_log_entry))
}

/// The team and the caller's membership of its organization, once the caller may read the team's log.
async fn team_reader(state: &AppState, scoped: Scoped<OrgsRead>, path: &PathIds) -> Result<(i64, Org)> {
    let team_id = path.id("teamId")?;
    let team = state
        .store
        .team(TeamId(team_id))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Team {team_id} not found.")))?;
    let m = OrgMember::resolve(state, scoped, team.organization_id).await?;
    if m.require::<perms::OrganizationEdit>().is_err() {
        m.require_team::<TeamUserAddAndEdit>(state, &team).await?;
    }
    Ok((team_id, m.org))
}

/// `GET /audit-logs/v2/organization/{organizationId}` (and the v1 path): the organization's log, newest first.
#[utoipa::path(get, path = "/audit-logs/v2/organization/{organizationId}", operation_id = "organization_log",
    params(dto::OrgLogQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "A page of the log.", body = dto::AuditLogPage),
        (status = 400, description = "A bad id, date, event, author, team or `pg[...]`.", body = ErrorBody),
        NotOwnerOrAdmin,
        NoSuchOrganization,
    ))]
async fn list_organization_log(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
    q: Params,
) -> Result<Reply<dto::AuditLogPage>> {
    m.require::<perms::OrganizationEdit>()?;
    log_page(&state, &m.org, Scope::Organization(m.org.id), &q).await
}

/// `GET /audit-logs/organization/{organizationId}`: Make's first-generation path, answered as v2.
#[utoipa::path(get, path = "/audit-logs/organization/{organizationId}", operation_id = "organization_log_v1",
    params(dto::OrgLogQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "A page of the log.", body = dto::AuditLogPage),
        (status = 400, description = "A bad id, date, event, author, team or `pg[...]`.", body = ErrorBody),
        NotOwnerOrAdmin,
        NoSuchOrganization,
    ))]
async fn list_organization_log_v1(
    state: State<AppState>,
    m: OrgMember<OrgsRead>,
    q: Params,
) -> Result<Reply<dto::AuditLogPage>> {
    list_organization_log(state, m, q).await
}

/// `GET /audit-logs/v2/team/{teamId}`: the entries of one team.
#[utoipa::path(get, path = "/audit-logs/v2/team/{teamId}", operation_id = "team_log", params(dto::TeamLogQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "A page of the team's log.", body = dto::AuditLogPage),
        (status = 400, description = "A bad id, date, event, author, team or `pg[...]`.", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or neither Owner, Admin nor the team's admin.",
            body = ErrorBody),
        NoSuchTeam,
    ))]
async fn list_team_log(
    State(state): State<AppState>,
    scoped: Scoped<OrgsRead>,
    path: PathIds,
    q: Params,
) -> Result<Reply<dto::AuditLogPage>> {
    let (team_id, org) = team_reader(&state, scoped, &path).await?;
    log_page(&state, &org, Scope::Team(team_id), &q).await
}

/// `GET /audit-logs/v2/organization/{organizationId}/filters`: the users, teams and events in the log.
#[utoipa::path(get, path = "/audit-logs/v2/organization/{organizationId}/filters", operation_id = "organization_filters",
    params(dto::OrgPathOnly),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "What the log can be filtered by.", body = dto::AuditFilters),
        BadId,
        NotOwnerOrAdmin,
        NoSuchOrganization,
    ))]
async fn list_organization_log_filters(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
) -> Result<Reply<dto::AuditFilters>> {
    m.require::<perms::OrganizationEdit>()?;
    log_filters(&state, Scope::Organization(m.org.id)).await
}

/// `GET /audit-logs/v2/team/{teamId}/filters`.
#[utoipa::path(get, path = "/audit-logs/v2/team/{teamId}/filters", operation_id = "team_filters",
    params(dto::TeamPathOnly),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "What the team's log can be filtered by.", body = dto::AuditFilters),
        BadId,
        (status = 403, description = "No scope, not a member, or neither Owner, Admin nor the team's admin.",
            body = ErrorBody),
        NoSuchTeam,
    ))]
async fn list_team_log_filters(
    State(state): State<AppState>,
    scoped: Scoped<OrgsRead>,
    path: PathIds,
) -> Result<Reply<dto::AuditFilters>> {
    let (team_id, _) = team_reader(&state, scoped, &path).await?;
    log_filters(&state, Scope::Team(team_id)).await
}

/// `GET /audit-logs/v2/{organizationId}/{uuid}`: one entry with its `detail`.
#[utoipa::path(get, path = "/audit-logs/v2/{organizationId}/{uuid}", operation_id = "entry", params(dto::EntryPath),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The entry.", body = dto::AuditLogDetail),
        (status = 400, description = "A bad id or uuid.", body = ErrorBody),
        NotOwnerOrAdmin,
        (status = 404, description = "No such organization or entry.", body = ErrorBody),
    ))]
async fn get_log_entry(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
    path: PathIds,
) -> Result<Reply<dto::AuditLogDetail>> {
    m.require::<perms::OrganizationEdit>()?;
    let uuid = audit::normalize_uuid(path.raw("uuid"))
        .ok_or_else(|| ApiError::field("uuid", "uuid must be 32 hexadecimal digits, with or without dashes"))?;
    let found = state.store.audit_entry(OrgId(m.org.id), &uuid).await?;
    let e = found.ok_or_else(|| ApiError::NotFound(format!("Audit log entry {uuid} not found.")))?;
    Ok(Reply(dto::AuditLogDetail::from(&e)))
}

/// One page of a log, newest first unless `pg[sortDir]=asc`; `pg.last` is the cursor of the next page.
async fn log_page(state: &AppState, org: &Org, scope: Scope, q: &Params) -> Result<Reply<dto::AuditLogPage>> {
    let query = parse_query(org, scope, q)?;
    let entries: Vec<Entry> = state.store.audit_page(&query).await?;
    let pg = dto::AuditPg {
        sort_by: "triggeredAt",
        sort_dir: if query.newest_first { "desc" } else { "asc" },
        limit: query.limit,
        last: entries.last().map(Entry::imt_id),
    };
    Ok(Reply(dto::AuditLogPage { audit_logs: entries.iter().map(dto::AuditLog::from).collect(), pg }))
}

/// The users, teams and events that occur in a log; events grouped under their headers in catalogue order.
async fn log_filters(state: &AppState, scope: Scope) -> Result<Reply<dto::AuditFilters>> {
    let f = state.store.audit_filters(scope).await?;
    let users = f.users.into_iter().map(|(id, name, email)| dto::FilterUser { id, name, email }).collect();
    let teams = f.teams.into_iter().map(|(id, name)| dto::AuditFilters::team(id, name)).collect();
    let mut events: Vec<dto::FilterGroup> = Vec::new();
    for e in events::ALL.iter().filter(|e| f.events.iter().any(|n| n == e.name)) {
        let item = dto::FilterItem { label: e.label, value: e.name };
        match events.iter_mut().find(|g| g.header == e.header) {
            Some(group) => group.items.push(item),
            None => events.push(dto::FilterGroup { header: e.header, items: vec![item] }),
        }
    }
    Ok(Reply(dto::AuditFilters { users, teams, events }))
}

/// The query string as a log query; every bad parameter is named in one 400.
fn parse_query(org: &Org, scope: Scope, q: &Params) -> Result<Query> {
    let mut errs: Vec<SubError> = Vec::new();
    let mut query = paging(scope, q, &mut errs);
    dates(&mut query, org, q, &mut errs);
    filters(&mut query, q, &mut errs);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    Ok(query)
}

/// `pg[...]`: the log pages by cursor (`pg[last]`), newest first unless `pg[sortDir]=asc`.
fn paging(scope: Scope, q: &Params, errs: &mut Vec<SubError>) -> Query {
    let mut bad = |k: &str, m: String| errs.push(SubError::new(k, m));
    let limit = match q.get("pg[limit]") {
        None => DEFAULT_LIMIT,
        Some(v) => v.parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).unwrap_or_else(|| {
            bad("pg[limit]", format!("pg[limit] must be an integer from 1 to {MAX_LIMIT}"));
            DEFAULT_LIMIT
        }),
    };
    let mut query = Query::new(scope, limit);
    if q.get("pg[sortBy]").is_some_and(|s| s != "triggeredAt") {
        bad("pg[sortBy]", "pg[sortBy] must be triggeredAt".into());
    }
    match q.get("pg[sortDir]").map(str::to_ascii_lowercase).as_deref() {
        None | Some("desc") => {}
        Some("asc") => query.newest_first = false,
        Some(_) => bad("pg[sortDir]", "pg[sortDir] must be asc or desc".into()),
    }
    if q.get("pg[offset]").is_some() {
        bad("pg[offset]", "The audit log pages by cursor: pass the imtId of the last entry seen as pg[last].".into());
    }
    if let Some(c) = q.get("pg[last]") {
        query.after = audit::parse_cursor(c);
        if query.after.is_none() {
            bad("pg[last]", "pg[last] must be the imtId of an entry (<epoch ms>_<uuid>)".into());
        }
    }
    query
}

/// `dateFrom` and `dateTo`: whole days in the organization's timezone, `dateTo` included.
fn dates(query: &mut Query, org: &Org, q: &Params, errs: &mut Vec<SubError>) {
    let tz = timezones::by_id(org.timezone_id).map(|z| z.tz).unwrap_or(chrono_tz::UTC);
    // A day starts at the first instant that exists in the organization's timezone.
    let day_start = |d: NaiveDate| {
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        tz.from_local_datetime(&midnight)
            .earliest()
            .or_else(|| tz.from_local_datetime(&(midnight + chrono::Duration::hours(1))).earliest())
            .map(|t| t.timestamp_millis())
    };
    for (key, is_to) in [("dateFrom", false), ("dateTo", true)] {
        let Some(v) = q.get(key) else { continue };
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) if !is_to => query.from_ms = day_start(d),
            Ok(d) => query.to_ms = d.succ_opt().and_then(day_start),
            Err(_) => errs.push(SubError::new(key, format!("{key} must be a date YYYY-MM-DD"))),
        }
    }
}

/// `event`, `author` (an id or an e-mail) and `team` (an id or a name), each repeatable.
fn filters(query: &mut Query, q: &Params, errs: &mut Vec<SubError>) {
    for name in q.strings("event") {
        match events::by_name(&name) {
            Some(e) => query.events.push(e.name.to_string()),
            None => errs.push(SubError::new("event", format!("Unknown event '{name}'"))),
        }
    }
    for a in q.strings("author") {
        match parse_id("author", &a) {
            Ok(id) => query.author_ids.push(id),
            _ if a.contains('@') => query.author_emails.push(a.trim().to_lowercase()),
            _ => errs.push(SubError::new("author", format!("author '{a}' is neither a user id nor an e-mail"))),
        }
    }
    for t in q.strings("team") {
        match parse_id("team", &t) {
            Ok(id) => query.team_ids.push(id),
            _ => query.team_names.push(t),
        }
    }
}
