-- The order of a user's organizations (GET /organizations by name or id) is kept in each node's memory
-- (src/store/model/order.rs). A node uses its kept order only while the user's version here is the one the order
-- was read with, so every node sees a membership added, removed or renamed at its next list, notifications or not.
-- A table of its own, not a column of `users`: the token caches watch `users` rows.
create table organization_order_versions (
    user_id integer primary key,
    version integer not null
);

create trigger organization_order_insert after insert on organization_members
begin
    insert into organization_order_versions (user_id, version) values (new.user_id, 1)
    on conflict (user_id) do update set version = version + 1;
end;

create trigger organization_order_delete after delete on organization_members
begin
    insert into organization_order_versions (user_id, version) values (old.user_id, 1)
    on conflict (user_id) do update set version = version + 1;
end;

-- A rename reaches the memberships through `organizations_name_to_members` (…0006_member_org_names).
create trigger organization_order_update after update of org_name, user_id, organization_id on organization_members
when old.org_name is not new.org_name or old.user_id is not new.user_id
    or old.organization_id is not new.organization_id
begin
    insert into organization_order_versions (user_id, version) values (old.user_id, 1)
    on conflict (user_id) do update set version = version + 1;
    insert into organization_order_versions (user_id, version) values (new.user_id, 1)
    on conflict (user_id) do update set version = version + 1;
end;
