//! The feature-control catalogue (`/organizations/{organizationId}/feature-controls`), every control enabled by
//! default, and the two rules around it: a control's id, and an organization's controls as the defaults merged with
//! its stored overrides. Only the controls that differ from the default are stored (table `feature_overrides`), so
//! an organization that never touched its controls costs no rows.

/// One control: snake_case name, English label, description, tags and warning.
pub struct Control {
    pub name: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub tags: &'static [&'static str],
    pub warning: &'static str,
}

pub static CATALOGUE: &[Control] = &[
    Control {
        name: "make_ai_tools",
        label: "Make AI Tools",
        description: "Built-in AI modules for text, classification and extraction in scenarios.",
        tags: &["ai", "tools"],
        warning: "Turning this off stops scenarios that use AI Tools modules.",
    },
    Control {
        name: "make_ai_agents",
        label: "Make AI Agents",
        description: "Agents that plan and run scenarios as tools.",
        tags: &["ai", "agents"],
        warning: "Turning this off disables every agent of the organization.",
    },
    Control {
        name: "make_code",
        label: "Make Code App",
        description: "Running JavaScript and Python code inside scenarios.",
        tags: &["code"],
        warning: "Scenarios with code modules will fail while this is off.",
    },
    Control {
        name: "custom_functions",
        label: "Custom functions",
        description: "Organization-defined functions usable in mappings.",
        tags: &["functions"],
        warning: "Mappings that call custom functions will fail while this is off.",
    },
    Control {
        name: "mcp_server",
        label: "Make MCP Server",
        description: "Exposing scenarios to AI clients through the Model Context Protocol.",
        tags: &["ai", "mcp"],
        warning: "Connected MCP clients lose access to the organization's scenarios.",
    },
    Control {
        name: "public_templates",
        label: "Public templates",
        description: "Creating scenarios from Make's public template gallery.",
        tags: &["templates"],
        warning: "Members can no longer start from public templates.",
    },
];

pub fn by_name(name: &str) -> Option<&'static Control> {
    CATALOGUE.iter().find(|c| c.name == name)
}

/// A control's state when the organization has no override for it.
pub const DEFAULT_ENABLED: bool = true;

/// Ids are `organization_id * ID_STRIDE + index + 1`: computed rather than stored, so a control needs no row,
/// and an id names its organization. 16 leaves room for 15 controls (slot 0 is unused).
const ID_STRIDE: i64 = 16;

// Growing the catalogue past 15 controls would make ids of neighbouring organizations collide.
const _: () = assert!(CATALOGUE.len() < ID_STRIDE as usize);

/// The API id of the control at `index` of the catalogue in organization `org_id`.
pub fn control_id(org_id: i64, index: usize) -> i64 {
    org_id * ID_STRIDE + index as i64 + 1
}

/// The organization and catalogue index an id stands for; `None` when it names no control of the catalogue.
pub fn control_of(id: i64) -> Option<(i64, usize)> {
    if id <= 0 {
        return None;
    }
    let index = usize::try_from(id % ID_STRIDE - 1).ok()?;
    (index < CATALOGUE.len()).then_some((id / ID_STRIDE, index))
}

/// The catalogue index of `id` when it is a control of organization `org_id`, else `None` (404 for the caller).
pub fn index_in(org_id: i64, id: i64) -> Option<usize> {
    control_of(id).filter(|&(org, _)| org == org_id).map(|(_, index)| index)
}

/// Whether a control in state `enabled` needs a stored override; a control back at the default needs none, so
/// its row is deleted rather than kept.
pub fn needs_override(enabled: bool) -> bool {
    enabled != DEFAULT_ENABLED
}

/// One control of an organization as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlState {
    pub id: i64,
    pub name: &'static str,
    pub enabled: bool,
}

/// Every control of the catalogue for `org_id`, highest id first (the order the API has always used), each
/// enabled unless `overrides` (pairs of catalogue index and state) says otherwise. Indexes outside the catalogue
/// are ignored.
pub fn merge(org_id: i64, overrides: &[(i64, bool)]) -> Vec<ControlState> {
    CATALOGUE
        .iter()
        .enumerate()
        .rev()
        .map(|(index, control)| ControlState {
            id: control_id(org_id, index),
            name: control.name,
            enabled: overrides
                .iter()
                .find(|&&(i, _)| usize::try_from(i).ok() == Some(index))
                .map_or(DEFAULT_ENABLED, |&(_, enabled)| enabled),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_do_not_collide_between_organizations() {
        for org in [1, 2, 7, 1_000_000] {
            for index in 0..CATALOGUE.len() {
                let id = control_id(org, index);
                assert_eq!(control_of(id), Some((org, index)));
                assert_eq!(index_in(org, id), Some(index));
                assert_eq!(index_in(org + 1, id), None, "an id belongs to one organization");
            }
        }
        assert_eq!(control_id(1, 0), 17);
        assert_eq!(control_id(2, CATALOGUE.len() - 1), 32 + CATALOGUE.len() as i64);
    }

    #[test]
    fn ids_outside_the_catalogue_name_nothing() {
        assert_eq!(control_of(0), None);
        assert_eq!(control_of(-17), None);
        assert_eq!(control_of(16), None, "slot 0 is unused");
        assert_eq!(control_of(16 + CATALOGUE.len() as i64 + 1), None, "past the last control");
        assert_eq!(control_of(31), None);
        assert_eq!(control_of(999_999), None);
        assert_eq!(control_of(i64::MAX), None);
    }

    #[test]
    fn merge_lists_the_catalogue_highest_id_first_with_overrides_applied() {
        let all = merge(3, &[]);
        assert_eq!(all.len(), CATALOGUE.len());
        assert!(all.iter().all(|c| c.enabled == DEFAULT_ENABLED));
        assert!(all.windows(2).all(|w| w[0].id > w[1].id));
        let names: Vec<&str> = all.iter().map(|c| c.name).collect();
        let mut expected: Vec<&str> = CATALOGUE.iter().map(|c| c.name).collect();
        expected.reverse();
        assert_eq!(names, expected);

        let some = merge(3, &[(0, false), (2, true), (99, false)]);
        let off: Vec<&str> = some.iter().filter(|c| !c.enabled).map(|c| c.name).collect();
        assert_eq!(off, ["make_ai_tools"]);
        assert_eq!(some.last(), Some(&ControlState { id: control_id(3, 0), name: "make_ai_tools", enabled: false }));
    }

    #[test]
    fn only_a_state_other_than_the_default_is_stored() {
        assert!(needs_override(!DEFAULT_ENABLED));
        assert!(!needs_override(DEFAULT_ENABLED));
    }
}
