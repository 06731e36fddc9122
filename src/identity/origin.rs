//! The `Origin` check on every state-changing request that a cookie alone authorizes (sign-in and sign-out, the
//! console's token, profile changes): a forged cross-site request carries the other site's origin (browsers set
//! `Origin` on every cross-origin request and on every same-origin one that is not GET or HEAD), so it is refused
//! with 403 before anything happens. SameSite=Lax on the cookie is the second line, not the only one.

use axum::http::{header, request::Parts};

use crate::app::AppState;
use crate::error::ApiError;

/// Whether orgd is reached over HTTPS: it serves TLS itself, or its public URL (a TLS-terminating proxy) says so.
pub fn https(state: &AppState) -> bool {
    let serves_tls = !matches!(state.config.tls_mode(), Ok(crate::tls::Mode::Off));
    serves_tls || state.config.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
}

/// The origins orgd's own pages are served from: the one the request was addressed to (`Host`) and the public
/// URL's.
fn own_origins(parts: &Parts, state: &AppState) -> Vec<String> {
    let scheme = if https(state) { "https" } else { "http" };
    let mut own = Vec::with_capacity(2);
    if let Some(host) = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        own.push(format!("{scheme}://{}", host.to_ascii_lowercase()));
    }
    if let Some(url) = state.config.public_url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        own.push(url.origin().ascii_serialization());
    }
    own
}

/// 403 unless the request's `Origin` is orgd's own. A request without one is refused too: every browser sends it
/// on these requests, and a client that is not a browser has no cookie to use.
pub fn check(parts: &Parts, state: &AppState) -> Result<(), ApiError> {
    let origin = parts.headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_ascii_lowercase);
    match origin {
        Some(o) if own_origins(parts, state).contains(&o) => Ok(()),
        Some(o) => {
            tracing::warn!(origin = %o, "a cookie-authorized request from another origin was refused");
            Err(ApiError::Forbidden("This request came from another site's page and was refused.".into()))
        }
        None => Err(ApiError::Forbidden("This request needs an Origin header (orgd's console sends one).".into())),
    }
}
