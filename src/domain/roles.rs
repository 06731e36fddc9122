//! Make's role model as data: organization and team roles with their permission sets.
//! Every authorization decision in orgd reads the grants made from these tables (or a custom role's), through
//! [`Grants`]; nothing else encodes who may do what.

use std::sync::{Arc, LazyLock};

pub use super::permissions::TEAM_PERMISSIONS;
use super::permissions::{self, Grants, PermSet};

/// Organization-level permissions (Make White Label "default organization permissions").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgPermission {
    AccessAllTeams,
    AppInstall,
    OrganizationDelete,
    OrganizationEdit,
    UserAddAndEdit,
    OrganizationView,
    PaymentEdit,
    PaymentsGet,
    TeamAdd,
    CustomRolesEdit,
    PersonalTeamManage,
    PersonalTeamOwnView,
}

impl OrgPermission {
    /// Every organization permission, in Make's catalogue order.
    pub const ALL: [OrgPermission; 12] = [
        Self::AccessAllTeams,
        Self::AppInstall,
        Self::OrganizationDelete,
        Self::OrganizationEdit,
        Self::UserAddAndEdit,
        Self::OrganizationView,
        Self::PaymentEdit,
        Self::PaymentsGet,
        Self::TeamAdd,
        Self::CustomRolesEdit,
        Self::PersonalTeamManage,
        Self::PersonalTeamOwnView,
    ];

    /// Make's permission name.
    pub fn name(self) -> &'static str {
        use OrgPermission::*;
        match self {
            AccessAllTeams => "access all teams",
            AppInstall => "organization app install",
            OrganizationDelete => "organization delete",
            OrganizationEdit => "organization edit",
            UserAddAndEdit => "organization user add and edit",
            OrganizationView => "organization view",
            PaymentEdit => "payment edit",
            PaymentsGet => "payments get",
            TeamAdd => "team add",
            CustomRolesEdit => "organization custom roles edit",
            PersonalTeamManage => "personal team manage",
            PersonalTeamOwnView => "personal team own view",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Organization,
    Team,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Organization => "organization",
            Category::Team => "team",
        }
    }
}

/// One role definition as `/users/roles` serves it.
#[derive(Debug)]
pub struct Role {
    pub id: i64,
    pub name: &'static str,
    pub identifier: &'static str,
    pub category: Category,
    pub description: &'static str,
    org_permissions: &'static [OrgPermission],
    team_permissions: TeamPerms,
}

#[derive(Debug)]
enum TeamPerms {
    None,
    All,
    AllExcept(&'static [&'static str]),
    Only(&'static [&'static str]),
    Plus(&'static [&'static str], &'static [&'static str]),
}

impl Role {
    pub fn has_org(&self, p: OrgPermission) -> bool {
        self.org_permissions.contains(&p)
    }

    /// Whether this (team) role grants the named team permission.
    pub fn has_team(&self, perm: &str) -> bool {
        match &self.team_permissions {
            TeamPerms::None => false,
            TeamPerms::All => true,
            TeamPerms::AllExcept(ex) => !ex.contains(&perm),
            TeamPerms::Only(set) => set.contains(&perm),
            TeamPerms::Plus(a, b) => a.contains(&perm) || b.contains(&perm),
        }
    }

    /// The role's grants: the permission set every check reads.
    pub fn grants(&self) -> Grants {
        let ids = match self.category {
            Category::Organization => self.org_permissions.iter().map(|p| permissions::org_id(*p)).collect::<Vec<_>>(),
            Category::Team => {
                TEAM_PERMISSIONS.iter().filter(|p| self.has_team(p)).filter_map(|p| permissions::team_id(p)).collect()
            }
        };
        Grants { id: self.id, name: self.name.to_string(), category: self.category, perms: PermSet::of(ids) }
    }

    /// Permission names in catalogue order.
    pub fn permissions(&self) -> Vec<&'static str> {
        match self.category {
            Category::Organization => self.org_permissions.iter().map(|p| p.name()).collect(),
            Category::Team => TEAM_PERMISSIONS.iter().copied().filter(|p| self.has_team(p)).collect(),
        }
    }
}

pub const OWNER: i64 = 11;
pub const ADMIN: i64 = 12;
pub const MEMBER: i64 = 13;
pub const ACCOUNTANT: i64 = 14;
/// Not published by Make; orgd's choice.
pub const APP_DEVELOPER: i64 = 15;
pub const TEAM_ADMIN: i64 = 1;
pub const TEAM_MEMBER: i64 = 3;
pub const TEAM_MONITORING: i64 = 4;
pub const TEAM_OPERATOR: i64 = 6;
/// Not published by Make; orgd's choice.
pub const TEAM_RESTRICTED_MEMBER: i64 = 5;

use OrgPermission::*;

const MONITORING: &[&str] = &[
    "dlq view",
    "scenario logs get",
    "scenario notifications",
    "scenario reset counters",
    "scenarios get",
    "scenario view",
    "team variables get",
    "team view",
    "template view",
    "templates get",
];

const OPERATOR_EXTRA: &[&str] = &[
    "connection get",
    "datastore get",
    "datastore view",
    "devices get",
    "function get",
    "hooks get",
    "keys get",
    "udt get",
    "storage view",
    "scenario scheduling",
    "scenario start",
    "scenario stop",
    "scenario verify",
    "team variable edit",
];

/// Every role, ordered by id.
pub static ROLES: &[Role] = &[
    Role {
        id: TEAM_ADMIN,
        name: "Team Admin",
        identifier: "team_admin",
        category: Category::Team,
        description: "Full rights in the team, including its members and its deletion.",
        org_permissions: &[],
        team_permissions: TeamPerms::All,
    },
    Role {
        id: TEAM_MEMBER,
        name: "Team Member",
        identifier: "team_member",
        category: Category::Team,
        description: "Builds and runs scenarios; cannot delete the team or manage its members.",
        org_permissions: &[],
        team_permissions: TeamPerms::AllExcept(&["team delete", "team user add and edit"]),
    },
    Role {
        id: TEAM_MONITORING,
        name: "Team Monitoring",
        identifier: "team_monitoring",
        category: Category::Team,
        description: "Views scenarios, logs and notifications.",
        org_permissions: &[],
        team_permissions: TeamPerms::Only(MONITORING),
    },
    Role {
        id: TEAM_RESTRICTED_MEMBER,
        name: "Team Restricted Member",
        identifier: "team_restricted_member",
        category: Category::Team,
        description: "Like Team Member, without adding or deleting scenarios or editing devices.",
        org_permissions: &[],
        team_permissions: TeamPerms::AllExcept(&[
            "scenario add",
            "scenario delete",
            "device edit",
            "team delete",
            "team user add and edit",
        ]),
    },
    Role {
        id: TEAM_OPERATOR,
        name: "Team Operator",
        identifier: "team_operator",
        category: Category::Team,
        description: "Monitoring plus running and scheduling scenarios.",
        org_permissions: &[],
        team_permissions: TeamPerms::Plus(MONITORING, OPERATOR_EXTRA),
    },
    Role {
        id: OWNER,
        name: "Owner",
        identifier: "owner",
        category: Category::Organization,
        description: "Owns the organization; has every right in it and in all its teams.",
        org_permissions: &OrgPermission::ALL,
        team_permissions: TeamPerms::None,
    },
    Role {
        id: ADMIN,
        name: "Admin",
        identifier: "admin",
        category: Category::Organization,
        description: "Manages the organization, its members, teams and billing.",
        org_permissions: &[
            AppInstall,
            OrganizationDelete,
            OrganizationEdit,
            UserAddAndEdit,
            OrganizationView,
            PaymentEdit,
            PaymentsGet,
            TeamAdd,
            CustomRolesEdit,
            PersonalTeamManage,
            PersonalTeamOwnView,
        ],
        team_permissions: TeamPerms::None,
    },
    Role {
        id: MEMBER,
        name: "Member",
        identifier: "member",
        category: Category::Organization,
        description: "Sees the organization; works in the teams they belong to.",
        org_permissions: &[OrganizationView, PersonalTeamOwnView],
        team_permissions: TeamPerms::None,
    },
    Role {
        id: ACCOUNTANT,
        name: "Accountant",
        identifier: "accountant",
        category: Category::Organization,
        description: "Sees the organization and its payments.",
        org_permissions: &[OrganizationView, PaymentsGet, PersonalTeamOwnView],
        team_permissions: TeamPerms::None,
    },
    Role {
        id: APP_DEVELOPER,
        name: "App Developer",
        identifier: "app_developer",
        category: Category::Organization,
        description: "Sees the organization and installs custom apps into it.",
        org_permissions: &[AppInstall, OrganizationView, PersonalTeamOwnView],
        team_permissions: TeamPerms::None,
    },
];

pub fn role(id: i64) -> Option<&'static Role> {
    ROLES.iter().find(|r| r.id == id)
}

/// The first custom role's id: built-in and custom roles share one numbering, custom ones above the built-in.
pub const CUSTOM_BASE: i64 = 1001;

/// Whether `id` can only be a custom role's (which one, and whether it exists, the store knows).
pub fn is_custom(id: i64) -> bool {
    id >= CUSTOM_BASE
}

/// What each built-in role grants, made once from the tables above.
static BUILT_IN: LazyLock<Vec<Arc<Grants>>> = LazyLock::new(|| ROLES.iter().map(|r| Arc::new(r.grants())).collect());

/// What the built-in role `id` grants, or `None` for an id that is not a built-in role (a custom role's).
pub fn built_in(id: i64) -> Option<Arc<Grants>> {
    BUILT_IN.iter().find(|g| g.id == id).cloned()
}

/// An organization role by id, or `None` for team roles and unknown ids.
pub fn org_role(id: i64) -> Option<&'static Role> {
    role(id).filter(|r| r.category == Category::Organization)
}

/// A team role by id, or `None` for organization roles and unknown ids.
pub fn team_role(id: i64) -> Option<&'static Role> {
    role(id).filter(|r| r.category == Category::Team)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_role_holds_the_prerequisites_of_its_permissions() {
        for r in ROLES {
            let g = built_in(r.id).unwrap();
            let names: Vec<&str> = g.perms.defs().iter().map(|p| p.name).collect();
            assert_eq!(names, r.permissions(), "{}", r.name);
            for p in &names {
                for need in permissions::requires(p) {
                    assert!(names.contains(&need), "{}: {p} needs {need}", r.name);
                }
            }
        }
    }

    #[test]
    fn owner_alone_has_access_to_all_teams() {
        let with: Vec<_> = ROLES.iter().filter(|r| r.has_org(AccessAllTeams)).map(|r| r.id).collect();
        assert_eq!(with, [OWNER]);
    }

    #[test]
    fn accountant_reads_payments_but_edits_nothing() {
        let a = org_role(ACCOUNTANT).unwrap();
        assert!(a.has_org(PaymentsGet) && a.has_org(OrganizationView));
        assert!(!a.has_org(PaymentEdit) && !a.has_org(OrganizationEdit) && !a.has_org(TeamAdd));
    }

    #[test]
    fn operator_is_monitoring_plus_running() {
        let op = team_role(TEAM_OPERATOR).unwrap();
        let mon = team_role(TEAM_MONITORING).unwrap();
        for p in mon.permissions() {
            assert!(op.has_team(p), "{p}");
        }
        assert!(op.has_team("scenario start") && op.has_team("team variable edit"));
        assert!(!op.has_team("scenario add") && !op.has_team("connection add"));
        assert_eq!(op.permissions().len(), MONITORING.len() + OPERATOR_EXTRA.len());
    }

    #[test]
    fn every_listed_team_permission_is_known() {
        for p in MONITORING.iter().chain(OPERATOR_EXTRA) {
            assert!(TEAM_PERMISSIONS.contains(p), "{p}");
        }
        assert_eq!(team_role(TEAM_ADMIN).unwrap().permissions().len(), TEAM_PERMISSIONS.len());
        assert_eq!(team_role(TEAM_MEMBER).unwrap().permissions().len(), TEAM_PERMISSIONS.len() - 2);
        assert_eq!(team_role(TEAM_RESTRICTED_MEMBER).unwrap().permissions().len(), TEAM_PERMISSIONS.len() - 5);
    }
}
