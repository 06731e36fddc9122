-- Private spaces: a member's personal team in an organization, with its own operations limit. Make numbers them
-- with its teams; orgd keeps them apart from `teams` (no team count, listing or plan limit has to learn to skip
-- them) and numbers them from 1e12, so a space's id never meets a team's.
create table private_spaces (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    owner_id integer not null references users (id) on delete cascade,
    name text not null,
    operations_limit integer,
    is_paused integer not null default 0,
    external_id text,
    created_at text not null,
    unique (organization_id, owner_id)
);

create index private_spaces_owner on private_spaces (owner_id);

insert into sqlite_sequence (name, seq) values ('private_spaces', 1000000000000);

-- Usage booked to a space (it counts for its organization too, in usage_records).
create table private_space_usage (
    private_space_id integer not null references private_spaces (id) on delete cascade,
    at text not null,
    operations integer not null default 0,
    data_transfer integer not null default 0,
    centicredits integer not null default 0,
    created_at text not null,
    primary key (private_space_id, at)
);

-- An organization's private-space settings; no row means the defaults (auto-creation off, no default limit,
-- admins not observers).
create table private_spaces_settings (
    organization_id integer primary key references organizations (id) on delete cascade,
    auto_creation integer not null default 0,
    default_operations_limit integer,
    admins_observe integer not null default 0,
    updated_at text not null
);
