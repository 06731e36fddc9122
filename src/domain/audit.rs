//! The audit-log event catalogue: each event's name (Make's snake_case `eventName`), its label and the group it
//! is listed under in the filters answer.

/// One kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub name: &'static str,
    pub label: &'static str,
    pub header: &'static str,
}

macro_rules! events {
    ($($id:ident = $name:literal, $label:literal, $header:literal;)*) => {
        $(pub const $id: Event = Event { name: $name, label: $label, header: $header };)*
        /// Every event, grouped by header in listing order.
        pub const ALL: &[Event] = &[$($id),*];
    };
}

events! {
    ORGANIZATION_CREATED = "organization_created", "Organization created", "Organization";
    ORGANIZATION_UPDATED = "organization_updated", "Organization updated", "Organization";
    ORGANIZATION_DELETED = "organization_deleted", "Organization deleted", "Organization";
    FEATURE_CONTROL_CHANGED = "feature_control_changed", "Feature control changed", "Organization";
    TFA_ENFORCEMENT_CHANGED = "tfa_enforcement_changed", "Two-factor enforcement changed", "Organization";
    USER_INVITED = "user_invited", "User invited", "Members";
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted", "Members";
    USER_ROLE_CHANGED = "user_role_changed", "User role changed", "Members";
    USER_REMOVED = "user_removed", "User removed", "Members";
    USER_TFA_ENABLED = "user_tfa_enabled", "Two-factor set up", "Members";
    USER_TFA_DISABLED = "user_tfa_disabled", "Two-factor turned off", "Members";
    OWNERSHIP_TRANSFERRED = "ownership_transferred", "Ownership transferred", "Members";
    CUSTOM_ROLE_CREATED = "custom_role_created", "Custom role created", "Members";
    CUSTOM_ROLE_UPDATED = "custom_role_updated", "Custom role updated", "Members";
    CUSTOM_ROLE_DELETED = "custom_role_deleted", "Custom role deleted", "Members";
    TEAM_CREATED = "team_created", "Team created", "Teams";
    TEAM_DELETED = "team_deleted", "Team deleted", "Teams";
    TEAM_ROLE_CHANGED = "team_role_changed", "Team role changed", "Teams";
    PRIVATE_SPACE_CREATED = "private_space_created", "Private space created", "Teams";
    PRIVATE_SPACE_UPDATED = "private_space_updated", "Private space updated", "Teams";
    PRIVATE_SPACES_SETTINGS_CHANGED = "private_spaces_settings_changed", "Private space settings changed", "Teams";
    VARIABLE_CREATED = "organization_variable_created", "Variable created", "Variables";
    VARIABLE_UPDATED = "organization_variable_updated", "Variable updated", "Variables";
    VARIABLE_DELETED = "organization_variable_deleted", "Variable deleted", "Variables";
    SUBSCRIPTION_CREATED = "subscription_created", "Subscription created", "Billing";
    SUBSCRIPTION_CHANGED = "subscription_changed", "Subscription changed", "Billing";
    SUBSCRIPTION_CANCELLED = "subscription_cancelled", "Subscription cancelled", "Billing";
    PAYMENT_RECORDED = "payment_recorded", "Payment recorded", "Billing";
    USAGE_BOOKED = "usage_booked", "Usage booked", "Usage";
}

pub fn by_name(name: &str) -> Option<Event> {
    ALL.iter().copied().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case() {
        for (i, e) in ALL.iter().enumerate() {
            assert!(e.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{}", e.name);
            assert!(ALL[i + 1..].iter().all(|o| o.name != e.name), "{} twice", e.name);
        }
        assert_eq!(by_name("team_created"), Some(TEAM_CREATED));
        assert_eq!(by_name("nothing"), None);
    }
}
