//! The permission catalogue with its stable ids and prerequisites, and a role's grants: the one set of permission
//! ids that every check of a role (built-in or custom) decides from.
//!
//! Ids are part of the wire contract (`GET /users/roles/permissions`, a custom role's `permissions`): an
//! organization permission's id is fixed in [`org_id`]; a team permission's is `TEAM_BASE` plus its index in
//! [`TEAM_PERMISSIONS`], so new team permissions are only ever appended there.

use std::collections::BTreeSet;

use super::roles::{Category, OrgPermission};

/// Every team permission name Make documents: the values `teamPermission` of
/// `GET /organizations/{organizationId}/check-team-permission` accepts.
/// A permission's id follows from its place here, so new ones are only ever appended.
pub static TEAM_PERMISSIONS: &[&str] = &[
    "connection add",
    "connection delete",
    "connection edit",
    "connection get",
    "datastore add",
    "datastore delete",
    "datastore edit",
    "datastore get",
    "datastore view",
    "device add",
    "device delete",
    "device edit",
    "devices get",
    "dlq edit",
    "dlq view",
    "function add",
    "function delete",
    "function get",
    "hook add",
    "hook delete",
    "hook edit",
    "hooks get",
    "key add",
    "key delete",
    "key edit",
    "keys get",
    "scenario add",
    "scenario delete",
    "scenario edit",
    "scenario view",
    "scenario verify",
    "scenario start",
    "scenario stop",
    "scenario scheduling",
    "scenario notifications",
    "scenario reset counters",
    "scenario logs get",
    "scenarios get",
    "storage edit",
    "storage view",
    "team delete",
    "team edit",
    "team view",
    "team variable edit",
    "team variables get",
    "team user add and edit",
    "template add",
    "template delete",
    "template edit",
    "template view",
    "templates get",
    "udt add",
    "udt delete",
    "udt edit",
    "udt get",
];

/// The id of the first team permission.
pub const TEAM_BASE: i64 = 101;

/// The stable id of an organization permission.
pub fn org_id(p: OrgPermission) -> i64 {
    use OrgPermission::*;
    match p {
        AccessAllTeams => 1,
        AppInstall => 2,
        OrganizationDelete => 3,
        OrganizationEdit => 4,
        UserAddAndEdit => 5,
        OrganizationView => 6,
        PaymentEdit => 7,
        PaymentsGet => 8,
        TeamAdd => 9,
        CustomRolesEdit => 10,
        PersonalTeamManage => 11,
        PersonalTeamOwnView => 12,
    }
}

/// The id of a team permission named `name`, if it is one.
pub fn team_id(name: &str) -> Option<i64> {
    TEAM_PERMISSIONS.iter().position(|p| *p == name).map(|i| TEAM_BASE + i as i64)
}

/// One permission of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionDef {
    pub id: i64,
    pub name: &'static str,
    pub category: Category,
}

/// The whole catalogue: organization permissions, then team permissions, each in Make's order.
pub fn catalogue() -> impl Iterator<Item = PermissionDef> {
    let org = OrgPermission::ALL.into_iter().map(|p| PermissionDef {
        id: org_id(p),
        name: p.name(),
        category: Category::Organization,
    });
    let team = TEAM_PERMISSIONS.iter().map(|n| PermissionDef {
        id: team_id(n).unwrap_or(0),
        name: n,
        category: Category::Team,
    });
    org.chain(team)
}

/// The permission with this id.
pub fn by_id(id: i64) -> Option<PermissionDef> {
    catalogue().find(|p| p.id == id)
}

/// The names a permission cannot be held without (Make's `requires`): every organization permission needs
/// "organization view" (without it a member sees nothing of the organization), every team permission needs
/// "team view", and a change needs the matching read.
pub fn requires(name: &str) -> Vec<&'static str> {
    let base = if by_name(name).is_some_and(|p| p.category == Category::Organization) {
        "organization view"
    } else {
        "team view"
    };
    let mut out: Vec<&'static str> = Vec::new();
    if name != base {
        out.push(base);
    }
    if let Some(read) = read_for(name).filter(|r| *r != name) {
        out.push(read);
        out.extend(requires(read).into_iter().filter(|r| *r != base));
    }
    out.dedup();
    out
}

/// The read a change of the same kind needs.
fn read_for(name: &str) -> Option<&'static str> {
    let (noun, _) = name.rsplit_once(' ')?;
    let read = match noun {
        "connection" => "connection get",
        "datastore" => "datastore view",
        "device" => "devices get",
        "dlq" => "dlq view",
        "function" => "function get",
        "hook" => "hooks get",
        "key" => "keys get",
        "scenario" | "scenario reset" | "scenario logs" => "scenario view",
        "storage" => "storage view",
        "team variable" => "team variables get",
        "template" => "template view",
        "udt" => "udt get",
        "payment" => "payments get",
        _ => return None,
    };
    if name == "scenario view" {
        return Some("scenarios get");
    }
    if name == "template view" {
        return Some("templates get");
    }
    Some(read)
}

fn by_name(name: &str) -> Option<PermissionDef> {
    catalogue().find(|p| p.name == name)
}

/// A set of permission ids, all of one category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermSet(BTreeSet<i64>);

impl PermSet {
    /// The set as given, unchecked (built-in roles, and rows the store wrote after [`PermSet::closed`]).
    pub fn of(ids: impl IntoIterator<Item = i64>) -> Self {
        PermSet(ids.into_iter().collect())
    }

    /// The permissions `ids` of a role of `category` with their prerequisites added, or the message of the 400:
    /// an unknown id, or one of the other category.
    pub fn closed(category: Category, ids: &[i64]) -> Result<Self, String> {
        let mut set = BTreeSet::new();
        for id in ids {
            let p = by_id(*id).ok_or_else(|| format!("Unknown permission {id}."))?;
            if p.category != category {
                let (want, got) = (category.name(), p.category.name());
                return Err(format!("Permission {id} is a {got} permission; the role is a {want} role."));
            }
            set.insert(p.id);
            set.extend(requires(p.name).into_iter().filter_map(|n| by_name(n).map(|d| d.id)));
        }
        Ok(PermSet(set))
    }

    pub fn contains(&self, id: i64) -> bool {
        self.0.contains(&id)
    }

    /// The ids, ascending.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.0.iter().copied()
    }

    /// The permissions in catalogue order.
    pub fn defs(&self) -> Vec<PermissionDef> {
        catalogue().filter(|p| self.contains(p.id)).collect()
    }
}

/// What a role grants: its id, name and category and the permission set the checks read. Built-in roles and
/// custom roles are both this, so a check cannot tell them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    pub id: i64,
    pub name: String,
    pub category: Category,
    pub perms: PermSet,
}

impl Grants {
    /// Whether the role holds the organization permission `p`.
    pub fn has_org(&self, p: OrgPermission) -> bool {
        self.category == Category::Organization && self.perms.contains(org_id(p))
    }

    /// Whether the role holds the team permission named `name`.
    pub fn has_team(&self, name: &str) -> bool {
        self.category == Category::Team && team_id(name).is_some_and(|id| self.perms.contains(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_each_category_keeps_its_range() {
        let all: Vec<PermissionDef> = catalogue().collect();
        let ids: BTreeSet<i64> = all.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), all.len());
        assert!(all.iter().all(|p| (p.category == Category::Organization) == (p.id < TEAM_BASE)));
        assert_eq!(team_id("connection add"), Some(101));
        assert_eq!(org_id(OrgPermission::OrganizationView), 6);
    }

    #[test]
    fn every_prerequisite_is_a_permission_of_the_same_category() {
        for p in catalogue() {
            for r in requires(p.name) {
                let def = by_name(r).unwrap_or_else(|| panic!("{} requires unknown {r}", p.name));
                assert_eq!(def.category, p.category, "{} requires {r}", p.name);
            }
        }
        assert_eq!(requires("scenario edit"), ["team view", "scenario view", "scenarios get"]);
        assert_eq!(requires("payment edit"), ["organization view", "payments get"]);
        assert!(requires("organization view").is_empty() && requires("team view").is_empty());
    }

    #[test]
    fn a_closed_set_adds_prerequisites_and_refuses_strangers() {
        let edit = team_id("scenario edit").unwrap();
        let set = PermSet::closed(Category::Team, &[edit]).unwrap();
        let names: Vec<&str> = set.defs().iter().map(|p| p.name).collect();
        assert_eq!(names, ["scenario edit", "scenario view", "scenarios get", "team view"]);
        assert!(PermSet::closed(Category::Team, &[999]).unwrap_err().contains("Unknown permission 999"));
        assert!(PermSet::closed(Category::Organization, &[edit]).unwrap_err().contains("team permission"));
    }

    #[test]
    fn grants_answer_only_for_their_category() {
        let g = Grants { id: 1001, name: "x".into(), category: Category::Team, perms: PermSet::of([101]) };
        assert!(g.has_team("connection add") && !g.has_team("connection delete"));
        assert!(!g.has_org(OrgPermission::AccessAllTeams), "id 1 is a team role's nothing");
    }
}
