-- The order of a user's organizations (GET /organizations by name or id) is kept in each node's memory
-- (src/store/model/order.rs). A node uses its kept order only while the user's version here is the one the order
-- was read with, so every node sees a membership added, removed or renamed at its next list, notifications or not.
-- A table of its own, not a column of `users`: the token caches watch `users` rows.
create table organization_order_versions (
    user_id bigint primary key,
    version bigint not null
);

-- Statement-level triggers with the changed rows: one bump per user per statement, however many memberships it
-- touched (the benchmark's seed inserts 100 000 of one user's in one statement; row-level bumps of one row in one
-- transaction would pile up 100 000 versions of it). Users in id order, so that two statements bumping the same
-- users lock their rows in the same order. The bump holds the user's row until the commit, so one user's
-- concurrent membership changes commit one after the other: that is what makes the versions follow the commits.
create function organization_order_bump(users bigint[]) returns void language sql as $$
    insert into organization_order_versions (user_id, version)
    select distinct u, 1 from unnest(users) u order by u
    on conflict (user_id) do update set version = organization_order_versions.version + 1;
$$;

create function organization_order_added() returns trigger language plpgsql as $$
begin
    perform organization_order_bump(array(select user_id from added));
    return null;
end
$$;

create function organization_order_removed() returns trigger language plpgsql as $$
begin
    perform organization_order_bump(array(select user_id from removed));
    return null;
end
$$;

-- An update bumps the users of rows whose key or `org_name` changed (a rename reaches the memberships through
-- `organizations_name_to_members`, …0006_member_org_names); a role change bumps nobody.
create function organization_order_updated() returns trigger language plpgsql as $$
begin
    perform organization_order_bump(array(
        select user_id from (
            (select organization_id, user_id, org_name from added
             except select organization_id, user_id, org_name from removed)
            union all
            (select organization_id, user_id, org_name from removed
             except select organization_id, user_id, org_name from added)
        ) changed));
    return null;
end
$$;

create trigger organization_order_insert after insert on organization_members
    referencing new table as added for each statement execute function organization_order_added();

create trigger organization_order_delete after delete on organization_members
    referencing old table as removed for each statement execute function organization_order_removed();

create trigger organization_order_update after update on organization_members
    referencing old table as removed new table as added
    for each statement execute function organization_order_updated();
