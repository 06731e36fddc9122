-- Paging the caller's organizations (GET /organizations) by name or id from one index: each membership keeps its
-- organization's name, kept in step by triggers, so a page costs its offset in index steps only, without a sort
-- of all the caller's organizations or a visit to each skipped one (bench/RESULTS.md).
alter table organization_members add column org_name text not null default '';

update organization_members set org_name = (select o.name from organizations o where o.id = organization_id);

create index organization_members_user_name on organization_members (user_id, org_name, organization_id);

create trigger organization_members_org_name after insert on organization_members
begin
    update organization_members set org_name = (select o.name from organizations o where o.id = new.organization_id)
    where organization_id = new.organization_id and user_id = new.user_id;
end;

create trigger organizations_name_to_members after update of name on organizations
when old.name is not new.name
begin
    update organization_members set org_name = new.name where organization_id = new.id;
end;
