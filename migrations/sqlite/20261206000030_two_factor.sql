-- Two-factor authentication (TOTP, RFC 6238) and its recovery codes. `users.tfa_enabled` stays the one flag that
-- says whether a person has two-factor; these tables hold what checks the codes.
-- The secret is pending (confirmed_at null) from enrolment until a first code confirms it; a new enrolment replaces
-- a pending one. last_step is the last time step whose code was accepted: a code of that step or an earlier one is
-- refused, so that each code signs in once (ASVS 6.5.5).
create table totp_secrets (
    user_id integer primary key references users (id) on delete cascade,
    secret text not null,
    confirmed_at text,
    last_step integer,
    created_at text not null
);

-- Ten single-use codes per person, stored as SHA-256 digests: each code holds 120 random bits, past the 112 below
-- which ASVS 6.5.2 asks for a salted hash. A new set replaces the old one.
create table recovery_codes (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    digest text not null unique,
    used_at text
);

create index recovery_codes_user on recovery_codes (user_id);
