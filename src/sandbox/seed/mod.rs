//! Seed documents (operator contract, "Sandbox"): people and organizations declared in JSON, loaded in file order
//! so the same file always gives the same ids. A document is checked whole before anything is written; the first
//! bad value is named by its JSON path (`organizations[0].members[0].usersRoleId: expected an integer`).

mod apply;
mod check;
mod export;
pub mod schema;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use apply::{apply, Target};
pub use check::check;
pub use export::export;

/// A whole seed document.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedDoc {
    /// People, given ids in this order after the bootstrap administrator.
    #[serde(default)]
    pub users: Vec<SeedUser>,
    /// Organizations, given ids in this order.
    #[serde(default)]
    pub organizations: Vec<SeedOrg>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedUser {
    pub email: String,
    /// Default: the part of the e-mail before `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Accepted as the contract's format has it; this orgd has no password sign-in, so it is not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Make's timezone id (default: Etc/UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone_id: Option<i64>,
    /// Make's country id (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<SeedToken>,
}

/// An API token: `token` in the clear (a UUIDv4), or — as an exported state carries it, since orgd keeps no
/// token in the clear — its `digest` (SHA-256, hex).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedToken {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Default: every scope but the administrator's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedOrg {
    pub name: String,
    /// The e-mail of a user declared under `users`.
    pub owner: String,
    /// A plan of the catalogue (default: the configured default plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_id: Option<i64>,
    /// Active members besides the Owner; an e-mail not under `users` gets an account without tokens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<SeedMember>,
    /// Teams besides "My Team", which every organization has (declare it to set its members).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<SeedTeam>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<SeedVariable>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage: Vec<SeedUsage>,
    /// The organization's settings for private spaces, applied before its members join (so that with
    /// auto-creation on, each member gets a space).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_spaces_settings: Option<SeedSpacesSettings>,
}

/// An organization's private-space settings, as `PATCH /organizations/{id}/private-spaces-settings` takes them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedSpacesSettings {
    #[serde(default)]
    pub private_spaces_auto_creation_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_operations_limit: Option<i64>,
    #[serde(default)]
    pub add_admins_as_observers: bool,
}

/// A member with Make's role id: in an organization 12 Admin, 13 Member, 14 Accountant, 15 App Developer; in a
/// team 1 Team Admin, 3 Team Member, 4 Team Monitoring, 6 Team Operator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedMember {
    pub email: String,
    pub users_role_id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedTeam {
    pub name: String,
    /// The Owner or members of the organization, with team role ids.
    #[serde(default)]
    pub members: Vec<SeedMember>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedVariable {
    pub name: String,
    /// 1 number, 2 text, 3 boolean, 4 date.
    pub type_id: i64,
    pub value: serde_json::Value,
}

/// Usage of one day in the organization's timezone, booked at noon of that day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedUsage {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    #[serde(default)]
    pub operations: i64,
    #[serde(default)]
    pub data_transfer: i64,
    #[serde(default)]
    pub centicredits: i64,
    /// The e-mail of the member whose private space the usage is booked to (as well as to the organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_space: Option<String>,
}

/// Why a document was refused: the JSON path of the first bad value and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SeedError {
    pub path: String,
    pub message: String,
}

impl SeedError {
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        SeedError { path: path.into(), message: message.into() }
    }
}

/// Reads a document; a value of the wrong type or an unknown field is named by its path.
pub fn parse(text: &str) -> Result<SeedDoc, SeedError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = match e.path().to_string() {
            p if p.is_empty() || p == "." || p == "?" => "$".to_string(),
            p => p,
        };
        SeedError { path, message: plain(&e.into_inner()) }
    })
}

/// serde's message without the position and in the words of JSON: `invalid type: string "x", expected i64 at
/// line 1 column 9` becomes `expected an integer, found string "x"`.
fn plain(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.is_syntax() || e.is_eof() {
        // Where the JSON itself breaks, the line and column are what the reader needs.
        return text;
    }
    let text = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
    let Some((found, expected)) = text.strip_prefix("invalid type: ").and_then(|t| t.split_once(", expected ")) else {
        return text.to_string();
    };
    let expected = match expected {
        "i64" | "u64" | "i32" | "u32" | "u16" => "an integer",
        "f64" => "a number",
        "a sequence" => "a list",
        e if e.starts_with("struct ") || e == "a map" => "an object",
        e => e,
    };
    format!("expected {expected}, found {found}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_name_the_json_path() {
        let text = r#"{"organizations": [{"name": "A", "owner": "a@example.com",
            "members": [{"email": "b@example.com", "usersRoleId": "13"}]}]}"#;
        let e = parse(text).unwrap_err();
        assert_eq!(e.path, "organizations[0].members[0].usersRoleId");
        assert_eq!(e.to_string(), "organizations[0].members[0].usersRoleId: expected an integer, found string \"13\"");
        let e = parse(r#"{"users": [{"email": "a@example.com", "nmae": "A"}]}"#).unwrap_err();
        assert_eq!(e.path, "users[0].nmae");
        let e = parse("{").unwrap_err();
        assert!(e.to_string().contains("EOF"), "{e}");
    }
}
