-- Feature controls: store only what differs from the default. Every organization used to get one
-- feature_controls row per control of the catalogue (src/domain/features.rs CATALOGUE), all enabled: at 1 000 000
-- organizations about half the database. Now a row exists only for a control that is switched off; the list is
-- the catalogue with these overrides applied, and a control switched back on loses its row.
--
-- Feature-control ids are renumbered by this migration: an id is no longer a stored sequence number but
-- organization_id * 16 + the control's position in the catalogue (0-5) + 1, e.g. organization 1's controls are
-- 17-22. Clients must read the ids again from GET /organizations/{id}/feature-controls. An old id was at most
-- 6 x its organization's id, below that organization's new ids, so a PATCH with an old id answers 404 rather than
-- switching another control. The control's position comes from its name, in catalogue order below.
create table feature_overrides (
    organization_id integer not null references organizations (id) on delete cascade,
    control integer not null, -- position in the catalogue
    enabled integer not null,
    created_at text not null,
    primary key (organization_id, control)
) without rowid;

insert into feature_overrides (organization_id, control, enabled, created_at)
select organization_id,
         case name
             when 'make_ai_tools' then 0
             when 'make_ai_agents' then 1
             when 'make_code' then 2
             when 'custom_functions' then 3
             when 'mcp_server' then 4
             when 'public_templates' then 5
         end,
       enabled, created_at
from feature_controls
where enabled = 0
  and name in ('make_ai_tools', 'make_ai_agents', 'make_code', 'custom_functions', 'mcp_server', 'public_templates');

drop table feature_controls;
