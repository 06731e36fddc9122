//! Domain types: input parsed at the edge into values that are valid by construction.

pub mod api_tokens;
pub mod audit;
pub mod countries;
pub mod email;
pub mod features;
pub mod ids;
pub mod names;
pub mod permissions;
pub mod plan_change;
pub mod plans;
pub mod private_spaces;
pub mod roles;
pub mod rules;
pub mod scopes;
pub mod timezones;
pub mod totp;
pub mod variable_change;
pub mod variables;
