-- Custom roles (Make Enterprise): an organization's own roles, each a set of permission ids of one category,
-- assignable wherever a role id is taken. Their ids share the numbering of the built-in roles (1–15), so they
-- start at 1001, leaving room for more built-in ones. `permissions` is a JSON array of permission ids
-- (src/domain/permissions.rs), always stored with its prerequisites added.
create table custom_roles (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    category text not null check (category in ('organization', 'team')),
    name text not null,
    description text,
    permissions text not null,
    created_at text not null,
    unique (organization_id, name)
);

insert into sqlite_sequence (name, seq) values ('custom_roles', 1000);
