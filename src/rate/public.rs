//! Limits on the endpoints anyone can reach without credentials (requests with an invalid token today; sign-in,
//! password reset, invitation pages and the OIDC callback as they arrive): attempts per minute per client
//! address, and per account where the request names one, each surface counted apart so that a flood on one does
//! not lock people out of another. Over a limit: 429 with `Retry-After`. Counted in this node's memory.
//!
//! A new public endpoint calls [`check`] first thing, with its [`Surface`], the address from
//! [`super::address::client_ip`] and the account it is about (the e-mail address typed in), if any.

use std::net::IpAddr;

use super::MemoryCounters;
use crate::app::AppState;
use crate::error::ApiError;

/// An unauthenticated surface, counted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    InvalidToken,
    SignIn,
    PasswordReset,
    SignUp,
    Invitation,
    OidcCallback,
}

impl Surface {
    fn key(self) -> &'static str {
        match self {
            Surface::InvalidToken => "token",
            Surface::SignIn => "sign-in",
            Surface::PasswordReset => "password-reset",
            Surface::SignUp => "sign-up",
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
    let limits = (state.config.public_per_address_per_minute, state.config.public_per_account_per_minute);
    if over(&state.anonymous, minute, surface, addr, account, limits) {
        return Err(ApiError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Counts the attempt in `minute`; whether the address or the account is now past its limit (`limits`: per
/// address, per account). Both are counted either way, so that spreading over addresses does not spare an account.
fn over(
    counters: &MemoryCounters,
    minute: i64,
    surface: Surface,
    addr: Option<IpAddr>,
    account: Option<&str>,
    (per_address, per_account): (i64, i64),
) -> bool {
    let by_address =
        addr.is_some_and(|ip| counters.hit(&format!("{}:address:{ip}", surface.key()), minute) > per_address);
    let by_account = account.is_some_and(|a| {
        let a = a.trim().to_lowercase();
        counters.hit(&format!("{}:account:{a}", surface.key()), minute) > per_account
    });
    by_address || by_account
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_accounts_and_surfaces_count_apart() {
        let c = MemoryCounters::default();
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let limits = (3, 2);
        let sign_in = |ip, account| over(&c, 7, Surface::SignIn, Some(ip), account, limits);
        assert!(!sign_in(a, Some("Ann@example.com")) && !sign_in(b, Some("ann@example.com ")));
        assert!(sign_in(b, Some("ANN@example.com")), "the account's third attempt, from any address");
        assert!(!sign_in(a, Some("bob@example.com")));
        assert!(!sign_in(a, None), "the address's third attempt");
        assert!(sign_in(a, None), "the address's fourth attempt");
        assert!(!over(&c, 7, Surface::PasswordReset, Some(a), None, limits), "another surface");
        assert!(!over(&c, 8, Surface::SignIn, Some(a), None, limits), "the next minute");
    }
}
