//! Proofs of permission, and the checks that alone can make them.
//!
//! A privileged store method takes a `Granted<P>` or `TeamGranted<P>`. Their fields are private and the only
//! constructors are the checks below, so a store call compiles only where a check ran and said yes. This module
//! sits below the store (it knows roles, not requests or databases); `access` runs the checks for a request.

use std::marker::PhantomData;

use std::sync::Arc;

use crate::domain::permissions::Grants;
use crate::domain::roles::{self, OrgPermission};

/// A type-level organization permission.
pub trait Perm {
    const P: OrgPermission;
}

/// One marker type per organization permission.
pub mod perms {
    use super::{OrgPermission, Perm};

    macro_rules! markers {
        ($($name:ident),*) => {$(
            #[derive(Debug)]
            pub struct $name;
            impl Perm for $name {
                const P: OrgPermission = OrgPermission::$name;
            }
        )*};
    }

    markers!(
        CustomRolesEdit,
        AccessAllTeams,
        AppInstall,
        OrganizationDelete,
        OrganizationEdit,
        UserAddAndEdit,
        OrganizationView,
        PaymentEdit,
        PaymentsGet,
        TeamAdd,
        PersonalTeamManage,
        PersonalTeamOwnView
    );
}

/// A type-level team permission (Make's name for it).
pub trait TeamPerm {
    const NAME: &'static str;
}

/// The team permissions a store method asks for.
pub mod team_perms {
    use super::TeamPerm;

    /// "team delete"
    #[derive(Debug)]
    pub struct TeamDelete;
    impl TeamPerm for TeamDelete {
        const NAME: &'static str = "team delete";
    }

    /// "team user add and edit"
    #[derive(Debug)]
    pub struct TeamUserAddAndEdit;
    impl TeamPerm for TeamUserAddAndEdit {
        const NAME: &'static str = "team user add and edit";
    }
}

/// Marker for what only the Owner may do (ownership transfer).
#[derive(Debug)]
pub struct OwnerOnly;

/// Proof that `user_id` holds permission `P` in organization `org_id`.
#[derive(Debug)]
pub struct Granted<P> {
    org_id: i64,
    user_id: i64,
    _p: PhantomData<fn() -> P>,
}

impl<P> Granted<P> {
    pub fn org_id(&self) -> i64 {
        self.org_id
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }
}

/// Proof that `user_id` holds the team permission `P` in team `team_id` of organization `org_id`.
#[derive(Debug)]
pub struct TeamGranted<P> {
    team_id: i64,
    org_id: i64,
    user_id: i64,
    _p: PhantomData<fn() -> P>,
}

impl<P> TeamGranted<P> {
    pub fn team_id(&self) -> i64 {
        self.team_id
    }

    pub fn org_id(&self) -> i64 {
        self.org_id
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }
}

/// Why a check said no, in Make's words for a 403.
#[derive(Debug, PartialEq, Eq)]
pub struct Denied(pub String);

/// A team and what the asker's role in it grants.
pub type TeamGrant = (i64, Arc<Grants>);

/// Who asks, where, and with which organization role: the role's grants (built-in or custom) decide every check.
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    pub org_id: i64,
    pub user_id: i64,
    pub role: &'a Grants,
}

impl Asker<'_> {
    /// Proof of `P` when the role holds it.
    pub fn org<P: Perm>(&self) -> Result<Granted<P>, Denied> {
        if self.role.has_org(P::P) {
            return Ok(self.granted());
        }
        let (role, perm) = (&self.role.name, P::P.name());
        Err(Denied(format!("Access denied. Your role '{role}' lacks the permission '{perm}'.")))
    }

    /// Proof that the asker is the organization's Owner.
    pub fn owner(&self) -> Result<Granted<OwnerOnly>, Denied> {
        if self.role.id == roles::OWNER {
            return Ok(self.granted());
        }
        Err(Denied("Access denied. Only the organization's Owner can do this.".into()))
    }

    /// Whether the asker holds the team permission `name` in `team_id` (a team of organization `team_org_id`):
    /// the Owner (access all teams) in every team of the organization, anyone else through their role in that
    /// team (`team_roles`: the asker's teams in this organization with their roles' grants).
    pub fn holds_team(&self, team_id: i64, team_org_id: i64, name: &str, team_roles: &[TeamGrant]) -> bool {
        self.team_answer_without_roles(team_org_id)
            .unwrap_or_else(|| team_roles.iter().any(|(t, g)| *t == team_id && g.has_team(name)))
    }

    /// Whether the asker holds the team permission `name` in at least one team of their organization.
    pub fn holds_team_anywhere(&self, name: &str, team_roles: &[TeamGrant]) -> bool {
        self.team_answer_without_roles(self.org_id).unwrap_or_else(|| team_roles.iter().any(|(_, g)| g.has_team(name)))
    }

    /// The answer of a team check in a team of organization `team_org_id` when the asker's team roles cannot
    /// change it (no for another organization's team, yes with access to all teams); `None` when they decide.
    pub fn team_answer_without_roles(&self, team_org_id: i64) -> Option<bool> {
        if team_org_id != self.org_id {
            return Some(false);
        }
        self.role.has_org(OrgPermission::AccessAllTeams).then_some(true)
    }

    /// Proof of the team permission `P` in `team_id`, as [`Asker::holds_team`] decides.
    pub fn team<P: TeamPerm>(
        &self,
        team_id: i64,
        team_org_id: i64,
        team_roles: &[TeamGrant],
    ) -> Result<TeamGranted<P>, Denied> {
        if self.holds_team(team_id, team_org_id, P::NAME, team_roles) {
            return Ok(TeamGranted { team_id, org_id: self.org_id, user_id: self.user_id, _p: PhantomData });
        }
        let perm = P::NAME;
        Err(Denied(format!("Access denied. You lack the team permission '{perm}' in team {team_id}.")))
    }

    fn granted<P>(&self) -> Granted<P> {
        Granted { org_id: self.org_id, user_id: self.user_id, _p: PhantomData }
    }
}

#[cfg(test)]
mod tests {
    use super::team_perms::{TeamDelete, TeamUserAddAndEdit};
    use super::*;

    fn asker(role_id: i64) -> Asker<'static> {
        let grants: &'static Grants = Box::leak(Box::new((*roles::built_in(role_id).unwrap()).clone()));
        Asker { org_id: 7, user_id: 3, role: grants }
    }

    fn in_team(team_id: i64, role_id: i64) -> [TeamGrant; 1] {
        [(team_id, roles::built_in(role_id).unwrap())]
    }

    #[test]
    fn organization_permissions_follow_the_role() {
        let g = asker(roles::ADMIN).org::<perms::OrganizationEdit>().unwrap();
        assert_eq!((g.org_id(), g.user_id()), (7, 3));
        let no = asker(roles::MEMBER).org::<perms::OrganizationEdit>().unwrap_err();
        assert_eq!(no.0, "Access denied. Your role 'Member' lacks the permission 'organization edit'.");
        assert!(asker(roles::MEMBER).org::<perms::OrganizationView>().is_ok());
    }

    #[test]
    fn only_the_owner_passes_the_owner_check() {
        assert!(asker(roles::OWNER).owner().is_ok());
        assert!(asker(roles::ADMIN).owner().is_err());
    }

    #[test]
    fn team_permissions_come_from_the_team_role_or_access_to_all_teams() {
        let admin_of_5 = in_team(5, roles::TEAM_ADMIN);
        let member_of_5 = in_team(5, roles::TEAM_MEMBER);
        let member = asker(roles::MEMBER);
        let g = member.team::<TeamDelete>(5, 7, &admin_of_5).unwrap();
        assert_eq!((g.team_id(), g.org_id(), g.user_id()), (5, 7, 3));
        assert!(member.team::<TeamDelete>(6, 7, &admin_of_5).is_err(), "another team");
        assert!(member.team::<TeamDelete>(5, 8, &admin_of_5).is_err(), "a team of another organization");
        let no = member.team::<TeamUserAddAndEdit>(5, 7, &member_of_5).unwrap_err();
        assert_eq!(no.0, "Access denied. You lack the team permission 'team user add and edit' in team 5.");
        assert!(asker(roles::OWNER).team::<TeamDelete>(9, 7, &[]).is_ok(), "the Owner reaches every team");
        assert!(!asker(roles::OWNER).holds_team(9, 8, "team delete", &[]), "but not another organization's");
    }

    #[test]
    fn a_custom_role_grants_exactly_its_permission_set() {
        use crate::domain::permissions::{self, PermSet};
        use crate::domain::roles::Category;
        let view = permissions::org_id(OrgPermission::OrganizationView);
        let pay = permissions::org_id(OrgPermission::PaymentsGet);
        let custom = Grants {
            id: 1001,
            name: "Auditor".into(),
            category: Category::Organization,
            perms: PermSet::of([view, pay]),
        };
        let a = Asker { org_id: 7, user_id: 3, role: &custom };
        assert!(a.org::<perms::PaymentsGet>().is_ok() && a.org::<perms::OrganizationView>().is_ok());
        let no = a.org::<perms::PaymentEdit>().unwrap_err();
        assert_eq!(no.0, "Access denied. Your role 'Auditor' lacks the permission 'payment edit'.");
        let ops =
            PermSet::of([permissions::team_id("team view").unwrap(), permissions::team_id("team delete").unwrap()]);
        let team_role = Arc::new(Grants { id: 1002, name: "Deleter".into(), category: Category::Team, perms: ops });
        let member = asker(roles::MEMBER);
        assert!(member.team::<TeamDelete>(5, 7, &[(5, team_role.clone())]).is_ok());
        assert!(member.team::<TeamUserAddAndEdit>(5, 7, &[(5, team_role.clone())]).is_err());
        assert!(member.holds_team_anywhere("team delete", &[(5, team_role)]));
    }
}
