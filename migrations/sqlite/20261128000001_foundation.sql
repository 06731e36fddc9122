-- users, their api tokens, organizations, teams and memberships
create table users (
    id integer primary key autoincrement,
    email text not null unique,
    name text not null,
    language text not null default 'en',
    timezone_id integer not null,
    country_id integer not null,
    is_admin integer not null default 0,
    tfa_enabled integer not null default 0,
    created_at text not null
);

create table tokens (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    digest text not null unique,
    scopes text not null,
    created_at text not null,
    revoked_at text
);

create table organizations (
    id integer primary key autoincrement,
    name text not null,
    country_id integer not null,
    timezone_id integer not null,
    zone text not null,
    plan text not null,
    external_id text,
    tfa_enforced integer not null default 0,
    created_at text not null
);

create index organizations_name on organizations (name, id);

create table teams (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    name text not null,
    operations_limit integer,
    transfer_limit integer,
    created_at text not null
);

create index teams_organization on teams (organization_id, name);

create table organization_members (
    organization_id integer not null references organizations (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    users_role_id integer not null,
    created_at text not null,
    primary key (organization_id, user_id)
);

create index organization_members_user on organization_members (user_id, organization_id);

create table team_members (
    team_id integer not null references teams (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    users_role_id integer not null,
    created_at text not null,
    primary key (team_id, user_id)
);

create index team_members_user on team_members (user_id);

-- usage as reported (by `orgd usage add`), keyed by the instant it is booked at; days are cut at read time
-- in whichever timezone the reader asks for
create table usage_records (
    organization_id integer not null references organizations (id) on delete cascade,
    at text not null,
    operations integer not null default 0,
    data_transfer integer not null default 0,
    centicredits integer not null default 0,
    created_at text not null,
    primary key (organization_id, at)
);
