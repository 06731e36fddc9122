-- People signed in through an OpenID Provider, keyed by (issuer, sub) and never by e-mail alone (ASVS 10.5.2).
create table oidc_identities (
    issuer text not null,
    subject text not null,
    user_id bigint not null references users (id) on delete cascade,
    created_at timestamptz not null,
    primary key (issuer, subject)
);

create index oidc_identities_user on oidc_identities (user_id);
