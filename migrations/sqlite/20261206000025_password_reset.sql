-- Password reset by e-mail (docs/people.md). A reset link carries a random token (256 bits); only its SHA-256
-- `digest` is stored. A link is valid until `expires_ms` (one hour) and once: `used_ms` is set when it is used.
-- Asking again replaces the person's earlier unused links. Times are epoch milliseconds.
create table password_resets (
    id integer primary key autoincrement,
    digest text not null unique,
    user_id integer not null references users (id) on delete cascade,
    created_ms integer not null,
    expires_ms integer not null,
    used_ms integer
);

create index password_resets_user on password_resets (user_id);

-- Account mail (a reset link) belongs to no organization: `organization_id` becomes nullable. SQLite cannot drop
-- a NOT NULL, so the table is rebuilt (nothing references it) with the same columns and indexes.
create table outbox_new (
    id integer primary key autoincrement,
    kind text not null,
    organization_id integer references organizations (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    recipient text not null,
    params text not null,
    status text not null,
    attempts integer not null default 0,
    next_attempt_ms integer not null,
    claimed_by text,
    claimed_until_ms integer,
    last_error text,
    created_ms integer not null,
    sent_ms integer
);

insert into outbox_new select id, kind, organization_id, user_id, recipient, params, status, attempts,
    next_attempt_ms, claimed_by, claimed_until_ms, last_error, created_ms, sent_ms from outbox;
drop table outbox;
alter table outbox_new rename to outbox;

create index outbox_due on outbox (next_attempt_ms, id) where status = 'pending';
create index outbox_status on outbox (status, id);
create index outbox_organization on outbox (organization_id, kind, created_ms);
create index outbox_user on outbox (user_id, organization_id);
