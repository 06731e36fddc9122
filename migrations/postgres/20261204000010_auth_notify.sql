-- Every node keeps live tokens and active memberships in memory between requests (src/store/postgres/cache.rs)
-- and drops them when told that one of the tables they are read from changed. Only updates and deletes can make
-- a kept answer wrong (nothing absent is kept), so only those notify; once per statement, and PostgreSQL folds
-- identical notifications of one transaction into one.
create function orgd_auth_changed() returns trigger language plpgsql as $$
begin
    perform pg_notify('orgd_auth_changed', '');
    return null;
end
$$;

create trigger tokens_auth_changed after update or delete on tokens
    for each statement execute function orgd_auth_changed();
create trigger users_auth_changed after update or delete on users
    for each statement execute function orgd_auth_changed();
create trigger organizations_auth_changed after update or delete on organizations
    for each statement execute function orgd_auth_changed();
create trigger organization_members_auth_changed after update or delete on organization_members
    for each statement execute function orgd_auth_changed();
