-- The audit log's uuid is its 16 bytes (`store::compact::EntryId`) instead of 32 hex digits, in the table and in
-- its unique index; the (scope, triggered_ms) indexes no longer carry it at all: a page walks them and orders only
-- the entries of one millisecond by uuid (SQLite's "temp b-tree for right part of order by"), the same order as
-- before. The table is rebuilt (create, copy, drop, rename); nothing references it by foreign key.

create table audit_log_compact (
    id integer primary key autoincrement,
    uuid blob not null unique,
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

insert into audit_log_compact (id, uuid, organization_id, organization_name, team_id, team_name, actor_id, event_name,
    target_id, detail, triggered_ms)
select id, unhex(uuid), organization_id, organization_name, team_id, team_name, actor_id, event_name, target_id,
    detail, triggered_ms
from audit_log order by id;

-- AUTOINCREMENT's high-water mark moves with the table: an id once given is never given again.
delete from sqlite_sequence where name = 'audit_log_compact';
insert into sqlite_sequence (name, seq) select 'audit_log_compact', seq from sqlite_sequence where name = 'audit_log';

drop table audit_log;
alter table audit_log_compact rename to audit_log;

create index audit_log_organization on audit_log (organization_id, triggered_ms);
create index audit_log_team on audit_log (team_id, triggered_ms) where team_id is not null;
