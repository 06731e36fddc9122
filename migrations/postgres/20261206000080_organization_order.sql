-- The order of a user's organizations (GET /organizations by name or id) is kept in each node's memory
-- (src/store/model/order.rs). A node uses its kept order only while the user's version here is the one the order
-- was read with, so every node sees a membership added, removed or renamed at its next list, notifications or not.
-- A table of its own, not a column of `users`: the token caches watch `users` rows.
create table organization_order_versions (
    user_id bigint primary key,
    version bigint not null
);

create function organization_order_bump(uid bigint) returns void language sql as $$
    insert into organization_order_versions (user_id, version) values (uid, 1)
    on conflict (user_id) do update set version = organization_order_versions.version + 1;
$$;

create function organization_order_changed() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform organization_order_bump(old.user_id);
    end if;
    if tg_op in ('UPDATE', 'INSERT') then
        perform organization_order_bump(new.user_id);
    end if;
    return null;
end
$$;

-- Deferred to the commit: the bump locks the user's version row, and held from the membership's insert to the
-- commit it would serialize a user's concurrent writes (32 organizations created at once by one user) for longer
-- than the commit itself. Bumps of one user still commit in version order, which is what readers rely on.
create constraint trigger organization_order_insert after insert on organization_members
    deferrable initially deferred for each row execute function organization_order_changed();

create constraint trigger organization_order_delete after delete on organization_members
    deferrable initially deferred for each row execute function organization_order_changed();

-- A rename reaches the memberships through `organizations_name_to_members` (…0006_member_org_names).
create constraint trigger organization_order_update after update of org_name, user_id, organization_id
    on organization_members deferrable initially deferred for each row
    when (old.org_name is distinct from new.org_name or old.user_id is distinct from new.user_id
          or old.organization_id is distinct from new.organization_id)
    execute function organization_order_changed();
