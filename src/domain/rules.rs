//! The business rules the store enforces inside its transactions, as plain functions over what it has read: the
//! store reads the counts and roles, asks here, and writes only when the answer is yes. Both backends run the same
//! store code (`store/shared/`), so each rule has exactly this one implementation.

use super::roles;

/// Why a change is refused; the store turns it into its own error (409, 422 or 404 on the wire).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The change contradicts the state it would apply to.
    Conflict(String),
    /// A plan limit would be exceeded.
    Limit(String),
    /// The user the change names holds no role there.
    NotFound(String),
}

/// A new member or invitation needs a seat: active members plus open invitations stay within the plan's `users`.
pub fn seat_available(seats_taken: i64, max_users: i64) -> Result<(), Refusal> {
    if seats_taken >= max_users {
        return Err(Refusal::Limit(format!(
            "The organization's plan allows {max_users} users (members and open invitations)."
        )));
    }
    Ok(())
}

/// A new team must stay within the plan's `teams`.
pub fn team_available(teams: i64, max_teams: i64) -> Result<(), Refusal> {
    if teams >= max_teams {
        return Err(Refusal::Limit(format!("The organization's plan allows {max_teams} teams.")));
    }
    Ok(())
}

/// An organization keeps at least one team.
pub fn team_deletable(teams: i64) -> Result<(), Refusal> {
    if teams <= 1 {
        return Err(Refusal::Conflict("An organization keeps at least one team; this is its last.".into()));
    }
    Ok(())
}

/// An active member's organization role may be set, except the Owner's (`active_role`: the member's current role,
/// `None` for an invitee).
pub fn role_settable(active_role: Option<i64>) -> Result<(), Refusal> {
    if active_role == Some(roles::OWNER) {
        return Err(Refusal::Conflict("The Owner's role changes only by transferring ownership.".into()));
    }
    Ok(())
}

/// Anyone may be removed from an organization except its active Owner.
pub fn removable(role: i64, invited: bool) -> Result<(), Refusal> {
    if role == roles::OWNER && !invited {
        return Err(Refusal::Conflict("The Owner cannot be removed; transfer ownership first.".into()));
    }
    Ok(())
}

/// Ownership passes from the current Owner to another active member.
pub fn transferable(owner: i64, owner_role: Option<i64>, to_user: i64, to_role: Option<i64>) -> Result<(), Refusal> {
    if owner_role != Some(roles::OWNER) {
        return Err(Refusal::Conflict("You are no longer the Owner of this organization.".into()));
    }
    if to_user == owner {
        return Err(Refusal::Conflict("You are already the Owner of this organization.".into()));
    }
    if to_role.is_none() {
        return Err(Refusal::NotFound(format!("User {to_user} is not an active member of this organization.")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_and_teams_stop_at_the_plan_limit() {
        assert!(seat_available(4, 5).is_ok());
        assert!(matches!(seat_available(5, 5), Err(Refusal::Limit(m)) if m.contains("allows 5 users")));
        assert!(team_available(2, 3).is_ok());
        assert!(matches!(team_available(3, 3), Err(Refusal::Limit(m)) if m.contains("allows 3 teams")));
    }

    #[test]
    fn the_last_team_stays() {
        assert!(team_deletable(2).is_ok());
        assert!(matches!(team_deletable(1), Err(Refusal::Conflict(_))));
    }

    #[test]
    fn the_owner_changes_only_by_transfer() {
        assert!(role_settable(Some(roles::ADMIN)).is_ok());
        assert!(role_settable(None).is_ok(), "an invitee's pending role");
        assert!(matches!(role_settable(Some(roles::OWNER)), Err(Refusal::Conflict(_))));
        assert!(removable(roles::ADMIN, false).is_ok());
        assert!(removable(roles::OWNER, true).is_ok(), "an invitation to be Owner is withdrawn like any other");
        assert!(matches!(removable(roles::OWNER, false), Err(Refusal::Conflict(_))));
    }

    #[test]
    fn ownership_goes_from_the_owner_to_another_active_member() {
        assert!(transferable(1, Some(roles::OWNER), 2, Some(roles::MEMBER)).is_ok());
        let refused = |r: Result<(), Refusal>| r.unwrap_err();
        assert!(matches!(refused(transferable(1, Some(roles::ADMIN), 2, Some(roles::MEMBER))), Refusal::Conflict(_)));
        assert!(matches!(refused(transferable(1, Some(roles::OWNER), 1, Some(roles::OWNER))), Refusal::Conflict(_)));
        assert!(matches!(refused(transferable(1, Some(roles::OWNER), 2, None)), Refusal::NotFound(_)));
    }
}
