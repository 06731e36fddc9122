-- 1 000 000 organizations in 0.6 GiB (issue 27): the benchmark's full seed took 931 MiB, more than half of it the
-- membership tables and the audit log (…0091_compact_audit_log). Figures: bench/RESULTS.md.
--
-- Memberships (organization_members, team_members) are `without rowid`: the table is the b-tree of its primary key,
-- so the primary key's own index (a second copy of every row's keys) goes. Both are rebuilt (create, copy, drop,
-- rename) with their indexes and triggers as they were; nothing references them by foreign key. Their `created_at`
-- and the teams', written once and read by nothing, is epoch milliseconds (`store::compact::Created`) instead of 32
-- to 35 characters of RFC 3339 text.

-- teams is not rebuilt: dropping it would cascade to its members. Its column is replaced in place instead (the
-- default only fills the new column for the moment it takes to copy; every insert gives the time).
alter table teams add column created_ms integer not null default 0;
update teams set created_ms = cast(round((julianday(created_at) - 2440587.5) * 86400000) as integer);
alter table teams drop column created_at;
alter table teams rename column created_ms to created_at;

-- The rename below would otherwise trip over this trigger, which names the table while it is gone.
drop trigger organizations_name_to_members;

create table organization_members_compact (
    organization_id integer not null references organizations (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    users_role_id integer not null,
    created_at integer not null,
    org_name text not null default '',
    primary key (organization_id, user_id)
) without rowid;

insert into organization_members_compact (organization_id, user_id, users_role_id, created_at, org_name)
select organization_id, user_id, users_role_id, cast(round((julianday(created_at) - 2440587.5) * 86400000) as integer),
    org_name
from organization_members;

drop table organization_members;
alter table organization_members_compact rename to organization_members;

create index organization_members_user on organization_members (user_id, organization_id);
create index organization_members_user_name on organization_members (user_id, org_name, organization_id);

-- As in …0006_member_org_names.
create trigger organization_members_org_name after insert on organization_members
begin
    update organization_members set org_name = (select o.name from organizations o where o.id = new.organization_id)
    where organization_id = new.organization_id and user_id = new.user_id;
end;

create trigger organizations_name_to_members after update of name on organizations
when old.name is not new.name
begin
    update organization_members set org_name = new.name where organization_id = new.id;
end;

-- As in …0080_organization_order.
create trigger organization_order_insert after insert on organization_members
begin
    insert into organization_order_versions (user_id, version) values (new.user_id, 1)
    on conflict (user_id) do update set version = version + 1;
end;

create trigger organization_order_delete after delete on organization_members
begin
    insert into organization_order_versions (user_id, version) values (old.user_id, 1)
    on conflict (user_id) do update set version = version + 1;
end;

create trigger organization_order_update after update of org_name, user_id, organization_id on organization_members
when old.org_name is not new.org_name or old.user_id is not new.user_id
    or old.organization_id is not new.organization_id
begin
    insert into organization_order_versions (user_id, version) values (old.user_id, 1)
    on conflict (user_id) do update set version = version + 1;
    insert into organization_order_versions (user_id, version) values (new.user_id, 1)
    on conflict (user_id) do update set version = version + 1;
end;

create table team_members_compact (
    team_id integer not null references teams (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    users_role_id integer not null,
    created_at integer not null,
    primary key (team_id, user_id)
) without rowid;

insert into team_members_compact (team_id, user_id, users_role_id, created_at)
select team_id, user_id, users_role_id, cast(round((julianday(created_at) - 2440587.5) * 86400000) as integer)
from team_members;

drop table team_members;
alter table team_members_compact rename to team_members;

create index team_members_user on team_members (user_id);
