//! Custom roles: an organization's own roles, each a set of permissions of one category (rows and store trait).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::StoreResult;
use crate::domain::ids::{OrgId, RoleId};
use crate::domain::permissions::{Grants, PermSet};
use crate::domain::roles::Category;
use crate::grant::{perms, Granted};

/// A custom role as stored; `permissions` always holds its prerequisites (written through [`PermSet::closed`]).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CustomRole {
    pub id: i64,
    pub organization_id: i64,
    pub category: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Json<Vec<i64>>,
}

impl CustomRole {
    pub fn category(&self) -> Category {
        if self.category == Category::Team.name() {
            Category::Team
        } else {
            Category::Organization
        }
    }

    /// What the role grants: the one set the permission checks read.
    pub fn grants(&self) -> Grants {
        let perms = PermSet::of(self.permissions.0.iter().copied());
        Grants { id: self.id, name: self.name.clone(), category: self.category(), perms }
    }
}

/// A role to create.
#[derive(Debug)]
pub struct NewCustomRole {
    pub category: Category,
    pub name: String,
    pub description: Option<String>,
    pub permissions: PermSet,
    pub now: DateTime<Utc>,
}

/// A change to a role; `None` leaves a field as it is (`description: Some(None)` clears it).
#[derive(Debug, Default)]
pub struct CustomRolePatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub permissions: Option<PermSet>,
}

/// An organization's custom roles.
#[async_trait]
pub trait CustomRoleStore {
    /// The organization's custom roles, by id.
    async fn custom_roles(&self, org_id: OrgId) -> StoreResult<Vec<CustomRole>>;
    /// One custom role by id, of whichever organization (the caller checks that it is the one it means).
    async fn custom_role(&self, role_id: RoleId) -> StoreResult<Option<CustomRole>>;
    /// Creates the role; Conflict when the organization has a role of that name.
    async fn create_custom_role(
        &self,
        g: &Granted<perms::CustomRolesEdit>,
        role: NewCustomRole,
    ) -> StoreResult<CustomRole>;
    /// Changes the organization's role `role_id`; NotFound when it has none such.
    async fn update_custom_role(
        &self,
        g: &Granted<perms::CustomRolesEdit>,
        role_id: RoleId,
        patch: CustomRolePatch,
    ) -> StoreResult<CustomRole>;
    /// Deletes the organization's role `role_id`; Conflict while a member, team member or invitation holds it.
    async fn delete_custom_role(&self, g: &Granted<perms::CustomRolesEdit>, role_id: RoleId) -> StoreResult<()>;
}
