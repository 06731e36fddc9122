//! How far a session's sign-in got, and the one place that decides what a session at that stage may do next.
//! Two-factor sign-in extends [`after_password`] (which stage a correct password leads to) and [`may`]; nothing
//! else in orgd decides either.

use serde::Serialize;

use crate::app::AppState;
use crate::error::ApiError;
use crate::factors::totp::Owed;
use crate::store::models::User;

/// A session's stage, stored in `sessions.stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// The password was right; a second factor is still owed.
    Password,
    /// The person must set up two-factor authentication before anything else (their organization enforces it).
    Enrol,
    /// Signed in.
    Full,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Password => "password",
            Stage::Enrol => "enrol",
            Stage::Full => "full",
        }
    }

    /// The stored value; an unknown one (a newer orgd's) counts as the least privileged.
    pub fn parse(s: &str) -> Stage {
        match s {
            "full" => Stage::Full,
            "enrol" => Stage::Enrol,
            _ => Stage::Password,
        }
    }
}

/// What a session asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See who is signed in and at which stage; sign out.
    SeeSelfAndSignOut,
    /// Prove a second factor (two-factor sign-in).
    ProveSecondFactor,
    /// Set up a second factor.
    EnrolSecondFactor,
    /// Everything else: mint the console's API token, change the profile or password, list sessions.
    UseConsole,
}

/// Whether a session at `stage` may do `action`: the rule every session-authorized handler asks.
pub fn may(stage: Stage, action: Action) -> bool {
    matches!(
        (stage, action),
        (_, Action::SeeSelfAndSignOut)
            | (Stage::Password, Action::ProveSecondFactor)
            | (Stage::Enrol, Action::EnrolSecondFactor)
            | (Stage::Full, Action::EnrolSecondFactor | Action::UseConsole)
    )
}

/// The step the console shows next for a session at `stage` (`"secondFactor"`, `"enrol"`, `"console"`).
pub fn next_step(stage: Stage) -> &'static str {
    match stage {
        Stage::Password => "secondFactor",
        Stage::Enrol => "enrol",
        Stage::Full => "console",
    }
}

/// The stage a session starts at once `user`'s password was right: `Password` for a person with a second factor
/// (the code is owed), `Enrol` for one without whose organization enforces it, else `Full`
/// (`factors::totp::owed`).
pub async fn after_password(state: &AppState, user: &User) -> Result<Stage, ApiError> {
    Ok(match crate::factors::totp::owed(&*state.store, user).await? {
        Owed::Code => Stage::Password,
        Owed::Enrolment => Stage::Enrol,
        Owed::Nothing => Stage::Full,
    })
}

/// [`may`], as the 403 a handler returns.
pub fn require(stage: Stage, action: Action) -> Result<(), ApiError> {
    if may(stage, action) {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!("Finish signing in first (next step: {}).", next_step(stage))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_allow_their_steps_only() {
        assert!(may(Stage::Full, Action::UseConsole));
        assert!(!may(Stage::Password, Action::UseConsole) && !may(Stage::Enrol, Action::UseConsole));
        assert!(!may(Stage::Password, Action::EnrolSecondFactor), "enrolling needs the first factor done");
        assert!(may(Stage::Enrol, Action::EnrolSecondFactor) && may(Stage::Password, Action::ProveSecondFactor));
        assert!([Stage::Password, Stage::Enrol, Stage::Full].iter().all(|s| may(*s, Action::SeeSelfAndSignOut)));
        assert_eq!(Stage::parse("something newer"), Stage::Password);
        for s in [Stage::Password, Stage::Enrol, Stage::Full] {
            assert_eq!(Stage::parse(s.as_str()), s);
        }
    }
}
