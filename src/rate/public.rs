//! Limits on the endpoints anyone can reach without credentials (requests with an invalid token today; sign-in,
//! password reset, invitation pages and the OIDC callback as they arrive): attempts per minute per client
//! address, and per account where the request names one, each surface counted apart so that a flood on one does
//! not lock people out of another. Over a limit: 429 with `Retry-After`. Counted in this node's memory.
//!
//! A new public endpoint calls [`check`] first thing, with its [`Surface`], the address from
//! [`super::address::client_ip`] and the account it is about (the e-mail address typed in), if any.

use std::net::IpAddr;

use crate::app::AppState;
use crate::error::ApiError;

/// An unauthenticated surface, counted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    InvalidToken,
    SignIn,
    PasswordReset,
    Invitation,
    OidcCallback,
}

impl Surface {
    fn key(self) -> &'static str {
        match self {
            Surface::InvalidToken => "token",
            Surface::SignIn => "sign-in",
            Surface::PasswordReset => "password-reset",
            Surface::Invitation => "invitation",
            Surface::OidcCallback => "oidc",
        }
    }
}

/// Counts an attempt on `surface` from `addr` (and on `account`); 429 with `Retry-After` past either limit.
pub fn check(state: &AppState, surface: Surface, addr: Option<IpAddr>, account: Option<&str>) -> Result<(), ApiError> {
    if !state.config.rate_limit_on() {
        return Ok(());
    }
    let (minute, retry_after_secs) = super::window(state.now());
    let over = |key: String, limit: i64| state.anonymous.hit(&key, minute) > limit;
    let by_address = addr
        .is_some_and(|ip| over(format!("{}:address:{ip}", surface.key()), state.config.public_per_address_per_minute));
    let by_account = account.is_some_and(|a| {
        let a = a.trim().to_lowercase();
        over(format!("{}:account:{a}", surface.key()), state.config.public_per_account_per_minute)
    });
    if by_address || by_account {
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    Ok(())
}
