-- Paging the caller's organizations (GET /organizations) by name or id from one index: each membership keeps its
-- organization's name, kept in step by triggers, so a page costs its offset in index steps only, without a sort
-- of all the caller's organizations or a visit to each skipped one (bench/RESULTS.md).
alter table organization_members add column org_name text collate "C" not null default '';

update organization_members m set org_name = o.name from organizations o where o.id = m.organization_id;

create index organization_members_user_name on organization_members (user_id, org_name, organization_id);

create function organization_members_org_name() returns trigger language plpgsql as $$
begin
    new.org_name := (select o.name from organizations o where o.id = new.organization_id);
    return new;
end
$$;

create trigger organization_members_org_name before insert on organization_members
    for each row execute function organization_members_org_name();

create function organizations_name_to_members() returns trigger language plpgsql as $$
begin
    update organization_members set org_name = new.name where organization_id = new.id;
    return null;
end
$$;

create trigger organizations_name_to_members after update of name on organizations
    for each row when (old.name is distinct from new.name) execute function organizations_name_to_members();
