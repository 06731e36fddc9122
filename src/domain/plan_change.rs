//! What a plan change may do: the subscription state each kind of change needs, and the downgrade rule (an
//! organization moves to a plan only when what it already has fits that plan).

use super::rules::Refusal;

/// What a plan change does to the subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanChangeKind {
    /// Starting a subscription (`POST …/subscription`): needs no active subscription.
    Start,
    /// Changing the plan (`PATCH …/subscription`): needs an active subscription.
    Change,
    /// Cancelling (`DELETE …/subscription`): ends the active subscription; the organization goes to the default
    /// plan.
    Cancel,
    /// Going to the Free plan (`POST …/subscription-free`), whatever the organization had.
    Free,
}

/// What the organization has now, counted inside the change's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InUse {
    pub teams: i64,
    /// Active members plus open invitations.
    pub seats: i64,
    pub tfa_enforced: bool,
}

/// The limits of the plan the organization moves to.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub product_name: &'a str,
    pub max_teams: i64,
    pub max_users: i64,
    pub tfa_allowed: bool,
}

/// Whether the change may happen, given the current subscription status (`None`: never subscribed); the new
/// subscription status when it may.
pub fn check(kind: PlanChangeKind, status: Option<&str>, now: InUse, to: Target<'_>) -> Result<&'static str, Refusal> {
    let active = status == Some("active");
    match kind {
        PlanChangeKind::Start if active => {
            let why = "The organization already has an active subscription; change it with PATCH.";
            return Err(Refusal::Conflict(why.into()));
        }
        PlanChangeKind::Change | PlanChangeKind::Cancel if !active => {
            return Err(Refusal::Conflict("The organization has no active subscription.".into()));
        }
        _ => {}
    }
    let plan = to.product_name;
    if now.teams > to.max_teams {
        let (teams, max) = (now.teams, to.max_teams);
        let why = format!("The organization has {teams} teams; the {plan} plan allows {max}. Delete teams first.");
        return Err(Refusal::Limit(why));
    }
    if now.seats > to.max_users {
        let (seats, max) = (now.seats, to.max_users);
        return Err(Refusal::Limit(format!(
            "The organization has {seats} users and open invitations; the {plan} plan allows {max}. Remove users first."
        )));
    }
    if now.tfa_enforced && !to.tfa_allowed {
        return Err(Refusal::Conflict(format!("The {plan} plan does not include TFA enforcement; turn it off first.")));
    }
    Ok(match kind {
        PlanChangeKind::Start | PlanChangeKind::Change => "active",
        PlanChangeKind::Cancel | PlanChangeKind::Free => "canceled",
    })
}

#[cfg(test)]
mod tests {
    use super::PlanChangeKind::*;
    use super::*;

    const SMALL: Target = Target { product_name: "Core", max_teams: 2, max_users: 3, tfa_allowed: false };
    const FITS: InUse = InUse { teams: 2, seats: 3, tfa_enforced: false };

    #[test]
    fn each_kind_needs_its_subscription_state() {
        assert_eq!(check(Start, None, FITS, SMALL), Ok("active"));
        assert_eq!(check(Start, Some("canceled"), FITS, SMALL), Ok("active"));
        assert!(matches!(check(Start, Some("active"), FITS, SMALL), Err(Refusal::Conflict(_))));
        assert_eq!(check(Change, Some("active"), FITS, SMALL), Ok("active"));
        assert!(matches!(check(Change, None, FITS, SMALL), Err(Refusal::Conflict(_))));
        assert_eq!(check(Cancel, Some("active"), FITS, SMALL), Ok("canceled"));
        assert!(matches!(check(Cancel, Some("canceled"), FITS, SMALL), Err(Refusal::Conflict(_))));
        assert_eq!(check(Free, None, FITS, SMALL), Ok("canceled"));
        assert_eq!(check(Free, Some("active"), FITS, SMALL), Ok("canceled"));
    }

    #[test]
    fn a_downgrade_needs_what_exists_to_fit() {
        let teams = InUse { teams: 3, ..FITS };
        let Err(Refusal::Limit(why)) = check(Free, None, teams, SMALL) else { panic!("teams over the limit") };
        assert_eq!(why, "The organization has 3 teams; the Core plan allows 2. Delete teams first.");
        let seats = InUse { seats: 4, ..FITS };
        assert!(matches!(check(Free, None, seats, SMALL), Err(Refusal::Limit(m)) if m.contains("4 users")));
        let tfa = InUse { tfa_enforced: true, ..FITS };
        assert!(matches!(check(Free, None, tfa, SMALL), Err(Refusal::Conflict(m)) if m.contains("TFA")));
        assert!(check(Free, None, tfa, Target { tfa_allowed: true, ..SMALL }).is_ok());
    }
}
