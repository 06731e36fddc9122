//! What the earlier writes of one transaction left in the rows they changed, for the later writes of the same
//! transaction to use instead of reading those rows back. Under the group commit (`group/`) the writes to one
//! organization wait for each other anyway (PostgreSQL holds the organization's row lock for the transaction;
//! SQLite has one writer), so a value a write of this transaction wrote is the value a later one would read. On
//! PostgreSQL that read was a round trip of three per PATCH of a variable, with 32 writers on one variable.
//!
//! It is sound only while every write that changes such rows keeps it: the quick writes that change variables
//! (`shared/variables.rs`) record what they wrote, and the transaction forgets everything before any other kind of
//! write (which may change anything, such as deleting the organization) and after any write that failed (undone to
//! its savepoint, whatever it recorded).
//!
//! It also keeps whether the write running now has touched the transaction, for a write run without a savepoint
//! (`group/`): whether it sent a change or had a statement fail, after which its failure cannot leave the
//! transaction as it was.

use std::collections::HashMap;

use super::models::Variable;

#[derive(Default)]
pub(crate) struct Known {
    /// Variables by organization and name: `None` for one this transaction deleted.
    variables: HashMap<(i64, String), Option<Variable>>,
    /// The running write sent a change, or a statement of it failed (`shared/trips.rs`).
    touched: bool,
}

impl Known {
    /// The variable as this transaction left it: `None` when it has not written it, `Some(None)` when it deleted it.
    pub(crate) fn variable(&self, org_id: i64, name: &str) -> Option<Option<Variable>> {
        self.variables.get(&(org_id, name.to_owned())).cloned()
    }

    /// Records a variable as a write of this transaction left it (`None`: deleted).
    pub(crate) fn wrote_variable(&mut self, org_id: i64, name: &str, now: Option<Variable>) {
        self.variables.insert((org_id, name.to_owned()), now);
    }

    /// The running write is about to send a change, or a statement of it failed.
    pub(crate) fn touch(&mut self) {
        self.touched = true;
    }

    /// Whether the write that ran last touched the transaction; the next starts untouched.
    pub(crate) fn untouch(&mut self) -> bool {
        std::mem::take(&mut self.touched)
    }

    /// Forgets everything: another kind of write ran, or a write was undone.
    pub(crate) fn forget(&mut self) {
        self.variables.clear();
    }
}
