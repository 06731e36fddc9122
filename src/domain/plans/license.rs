//! A plan's license, typed where orgd reads it.

use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// A plan's license: the limits and switches orgd enforces, typed and checked when the catalogue is loaded, and the
/// whole object as Make sends it (dozens of keys orgd only reports, in Make's order, plus any an operator adds).
/// It serialises to that object unchanged; the typed fields are read-only views of it, so the two cannot drift (the
/// fields are set only here and by the built-in catalogue in `plans`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Map<String, Value>")]
pub struct License {
    /// Members an organization may have (`users`; 1 when absent).
    pub(super) users: i64,
    /// Teams an organization may have (`teams`; 1 when absent).
    pub(super) teams: i64,
    /// Operations per month (`operations`; 0 when absent).
    pub(super) operations: i64,
    /// Bytes of data transfer per month (`transfer`; 0 when absent).
    pub(super) transfer: i64,
    /// Requests per minute (`apiLimit`; 30 when absent, at least 1).
    pub(super) api_limit: i64,
    /// Whether custom variables exist (`customVariables`).
    pub(super) custom_variables: bool,
    /// Whether the organization may enforce two-factor authentication (`tfaEnforcement`).
    pub(super) tfa_enforcement: bool,
    /// Whether the organization may define custom roles (`customRoles`, Make Enterprise).
    pub(super) custom_roles: bool,
    /// Whether members may have private spaces (`privateSpaces`).
    pub(super) private_spaces: bool,
    /// Whether Owners and Admins may observe every private space (`privateSpacesObservability`).
    pub(super) private_spaces_observability: bool,
    /// Shared, so that the organization answers that carry it (every GET organization) neither copy its 45 keys
    /// nor serialise a copy.
    pub(super) object: Arc<Map<String, Value>>,
}

impl Serialize for License {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.object.serialize(s)
    }
}

impl License {
    pub fn users(&self) -> i64 {
        self.users
    }

    pub fn teams(&self) -> i64 {
        self.teams
    }

    pub fn operations(&self) -> i64 {
        self.operations
    }

    pub fn transfer(&self) -> i64 {
        self.transfer
    }

    pub fn custom_variables(&self) -> bool {
        self.custom_variables
    }

    pub fn tfa_enforcement(&self) -> bool {
        self.tfa_enforcement
    }

    pub fn custom_roles(&self) -> bool {
        self.custom_roles
    }

    pub fn private_spaces(&self) -> bool {
        self.private_spaces
    }

    pub fn private_spaces_observability(&self) -> bool {
        self.private_spaces_observability
    }
}

impl TryFrom<Map<String, Value>> for License {
    type Error = String;

    fn try_from(object: Map<String, Value>) -> Result<Self, String> {
        let int = |key: &str, absent: i64| match object.get(key) {
            None => Ok(absent),
            Some(v) => v.as_i64().ok_or_else(|| format!("license.{key} must be a whole number, not {v}")),
        };
        let flag = |key: &str| match object.get(key) {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| format!("license.{key} must be true or false, not {v}")),
        };
        Ok(License {
            users: int("users", 1)?,
            teams: int("teams", 1)?,
            operations: int("operations", 0)?,
            transfer: int("transfer", 0)?,
            api_limit: int("apiLimit", 30)?.max(1),
            custom_variables: flag("customVariables")?,
            tfa_enforcement: flag("tfaEnforcement")?,
            custom_roles: flag("customRoles")?,
            private_spaces: flag("privateSpaces")?,
            private_spaces_observability: flag("privateSpacesObservability")?,
            object: Arc::new(object),
        })
    }
}

impl From<License> for Map<String, Value> {
    fn from(license: License) -> Self {
        Arc::unwrap_or_clone(license.object)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Catalogue;
    use super::*;

    #[test]
    fn the_license_serialises_to_the_object_make_sends() {
        let c = Catalogue::default();
        let teams = &c.get("teams").unwrap().license;
        let json = serde_json::to_value(teams).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().take(4).cloned().collect();
        assert_eq!(keys, ["apps", "users", "teams", "operations"], "Make's key order");
        assert_eq!((json["teams"].as_i64(), json["apiLimit"].as_i64()), (Some(25), Some(240)));
        assert_eq!(json.as_object().unwrap().len(), 45, "with customRoles and the two privateSpaces keys");
        let back: License = serde_json::from_value(json).unwrap();
        assert_eq!(&back, teams);
    }
}
