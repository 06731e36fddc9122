-- The audit log: one entry per change of an organization, written in the change's transaction. No foreign keys:
-- entries outlive the organization, team or user they name (names are kept as they were at the time).
create table audit_log (
    id integer primary key autoincrement,
    uuid text not null unique,
    organization_id integer not null,
    organization_name text not null,
    team_id integer,
    team_name text,
    actor_id integer,
    event_name text not null,
    target_id text not null,
    detail text not null,
    triggered_ms integer not null
);

-- Cursor paging costs the same on the first page and deep in the log: (scope, triggered_ms, uuid) is the order.
create index audit_log_organization on audit_log (organization_id, triggered_ms, uuid);
create index audit_log_team on audit_log (team_id, triggered_ms, uuid) where team_id is not null;
