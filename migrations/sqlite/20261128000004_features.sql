-- custom organization variables with their history, feature controls, installed custom apps
create table variables (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    name text not null,
    type_id integer not null,
    value text not null,
    created_at text not null,
    updated_at text not null,
    unique (organization_id, name)
);

create table variable_history (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    variable_name text not null,
    action text not null,
    diff text not null,
    author text not null,
    created_at text not null
);

create index variable_history_variable on variable_history (organization_id, variable_name, id);

create table feature_controls (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    name text not null,
    enabled integer not null default 1,
    created_at text not null,
    unique (organization_id, name)
);

create table installed_apps (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    app_name text not null,
    app_version integer not null,
    installed_by integer references users (id) on delete set null,
    installed_at text not null,
    created_at text not null,
    unique (organization_id, app_name)
);
