-- Single sign-ons on their way through the provider: what the callback must find again (ASVS 10.1.2, 10.2.1).
-- Keyed by the SHA-256 of the `state` sent to the provider, which the browser also holds in a cookie (so that a
-- callback another browser started is refused); taken once, and useless after ten minutes. In the database rather
-- than in one node's memory: the callback may reach another node.
create table oidc_logins (
    state_digest text primary key,
    nonce text not null,
    verifier text not null,
    created_at text not null
);
