-- The per-node read model (src/store/model/) keeps organizations, their members' organization and team roles, teams, this month's usage,
-- custom roles and the private spaces users see, and each node drops what another node's (or an `orgd`
-- command's) change made wrong when told. The notifications name the organization (`org:<id>`), so that a node
-- drops that organization only; tokens and users keep the empty payload of `…_auth_notify` (everything dropped).
-- Kept answers are lists and sums, so inserts notify too. Identical notifications of one transaction are folded
-- into one, so deleting an organization with its rows sends one.
create function orgd_org_changed() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        perform pg_notify('orgd_auth_changed', 'org:' || old.id);
    end if;
    if tg_op <> 'DELETE' then
        perform pg_notify('orgd_auth_changed', 'org:' || new.id);
    end if;
    return null;
end
$$;

create function orgd_org_part_changed() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        perform pg_notify('orgd_auth_changed', 'org:' || old.organization_id);
    end if;
    if tg_op <> 'DELETE' then
        perform pg_notify('orgd_auth_changed', 'org:' || new.organization_id);
    end if;
    return null;
end
$$;

-- Team roles name their team, not its organization: the team's organization, or (a team already deleted in a
-- cascade, whose own delete notified) an empty payload, which drops everything.
create function orgd_team_member_changed() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        perform pg_notify('orgd_auth_changed',
            coalesce((select 'org:' || organization_id from teams where id = old.team_id), ''));
    end if;
    if tg_op <> 'DELETE' then
        perform pg_notify('orgd_auth_changed',
            coalesce((select 'org:' || organization_id from teams where id = new.team_id), ''));
    end if;
    return null;
end
$$;

-- The statement triggers on these two dropped everything; the row triggers name the organization.
drop trigger organizations_auth_changed on organizations;
drop trigger organization_members_auth_changed on organization_members;

create trigger organizations_model_changed after update or delete on organizations
    for each row execute function orgd_org_changed();
create trigger organization_members_model_changed after insert or update or delete on organization_members
    for each row execute function orgd_org_part_changed();
create trigger teams_model_changed after insert or update or delete on teams
    for each row execute function orgd_org_part_changed();
create trigger team_members_model_changed after insert or update or delete on team_members
    for each row execute function orgd_team_member_changed();
create trigger usage_records_model_changed after insert or update or delete on usage_records
    for each row execute function orgd_org_part_changed();
create trigger custom_roles_model_changed after insert or update or delete on custom_roles
    for each row execute function orgd_org_part_changed();
create trigger private_spaces_model_changed after insert or update or delete on private_spaces
    for each row execute function orgd_org_part_changed();
create trigger private_spaces_settings_model_changed after insert or update or delete on private_spaces_settings
    for each row execute function orgd_org_part_changed();
