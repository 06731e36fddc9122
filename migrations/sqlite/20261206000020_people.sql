-- People sign in to the console on their own (docs/people.md): a password per account (argon2id, a PHC string
-- that carries its own parameters and salt; null: no password set, sign-in refused), server-side sessions, and
-- the short-lived API tokens a session mints for the console's calls to /api/v2, which die with their session.
alter table users add column password_hash text;

-- `digest`: SHA-256 of the cookie's random id (the id itself is never stored). `stage`: how far sign-in got
-- (`password`: a second factor is still owed; `enrol`: may only set one up; `full`). `authenticated_at`: the
-- last time the person proved a credential in this session (recent re-authentication).
create table sessions (
    id integer primary key autoincrement,
    digest text not null unique,
    user_id integer not null references users (id) on delete cascade,
    stage text not null,
    created_at text not null,
    last_seen_at text not null,
    authenticated_at text not null,
    user_agent text not null default ''
);

create index sessions_user on sessions (user_id);

alter table tokens add column session_id integer references sessions (id) on delete cascade;

create index tokens_session on tokens (session_id) where session_id is not null;
