//! The whole content a sandbox can export (`GET /_orgd/state`) and the snapshots a reset goes back to: what an
//! in-memory database offers beyond the [`super::Store`] methods.

use chrono::{DateTime, Utc};

use super::models::UsageTotals;
use super::StoreResult;

/// Saved copies of an in-memory database, by name, and its content. Only a database that lives in this process
/// (`sqlite::memory:`) has them: a copy of a database other processes share could not be put back safely.
pub trait Snapshots: Send + Sync {
    /// Copies the whole database (schema, rows, id counters) under `name`, replacing an older copy.
    fn save(&self, name: &str) -> StoreResult<()>;
    /// Puts the copy saved under `name` back, with this process's in-memory rate counters emptied.
    fn restore(&self, name: &str) -> StoreResult<()>;
    /// Everything a seed document can declare, in id order.
    fn dump(&self) -> StoreResult<Dump>;
}

#[derive(Debug, Clone, Default)]
pub struct Dump {
    pub users: Vec<DumpUser>,
    pub orgs: Vec<DumpOrg>,
}

#[derive(Debug, Clone)]
pub struct DumpUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub timezone_id: i64,
    pub country_id: i64,
    pub is_admin: bool,
    pub tfa_enabled: bool,
    /// Live tokens as `(digest, scopes)`: orgd keeps no token in the clear.
    pub tokens: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone)]
pub struct DumpOrg {
    pub id: i64,
    pub name: String,
    pub owner_email: String,
    pub plan: String,
    pub timezone_id: i64,
    pub country_id: i64,
    /// Active members other than the Owner, as `(e-mail, organization role id)`.
    pub members: Vec<(String, i64)>,
    pub teams: Vec<DumpTeam>,
    /// `(name, type id, value)`.
    pub variables: Vec<(String, i64, serde_json::Value)>,
    /// Usage records as booked.
    pub usage: Vec<(DateTime<Utc>, UsageTotals)>,
}

#[derive(Debug, Clone)]
pub struct DumpTeam {
    pub name: String,
    /// `(e-mail, team role id)`.
    pub members: Vec<(String, i64)>,
}
