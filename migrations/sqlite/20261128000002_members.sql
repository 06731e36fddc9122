-- invitations into organizations; a pending invitation is bound to the invited user (created if new)
create table invitations (
    id integer primary key autoincrement,
    organization_id integer not null references organizations (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    users_role_id integer not null,
    name text not null,
    note text,
    team_ids text not null,
    hash text not null unique,
    invited_by integer references users (id) on delete set null,
    created_at text not null,
    expires_at text not null,
    accepted_at text
);

create index invitations_user on invitations (user_id, accepted_at);
create index invitations_organization on invitations (organization_id, accepted_at);
