//! The client address a request is counted against: the connection's, or, when the connection comes from a
//! trusted proxy (`trusted_proxies`), the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
//! Entries left of it were written by the client and prove nothing; with no trusted proxies the header is ignored.

use std::net::IpAddr;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

use crate::app::{AppState, Peer};
use crate::config::Networks;

/// The client address of a request (`None` only for requests that did not come through a listener).
pub fn client_ip(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<Peer>>()?.0 .0.ip();
    let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    Some(resolve(peer, forwarded, &state.config.trusted_proxies))
}

/// The client behind `peer` given the `X-Forwarded-For` header lines (in order) and the trusted networks.
pub fn resolve<'a>(peer: IpAddr, forwarded: impl Iterator<Item = &'a str>, trusted: &Networks) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.contains(ip);
    if !is_trusted(&peer) {
        return peer;
    }
    let entries: Vec<&str> = forwarded.flat_map(|line| line.split(',')).map(str::trim).collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        // An entry that is not an address (a proxy's "unknown", garbage) ends what can be believed.
        let Ok(ip) = entry.parse::<IpAddr>() else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let trusted: Networks = "10.0.0.0/8".parse().unwrap();
        let xff = |lines: &'static [&'static str]| lines.iter().copied();
        assert_eq!(resolve(ip("192.0.2.9"), xff(&["203.0.113.5"]), &trusted), ip("192.0.2.9"), "untrusted peer");
        assert_eq!(
            resolve(ip("10.0.0.2"), xff(&["203.0.113.5"]), &Networks::default()),
            ip("10.0.0.2"),
            "no trusted proxies"
        );
        assert_eq!(resolve(ip("10.0.0.2"), xff(&["1.1.1.1, 203.0.113.5"]), &trusted), ip("203.0.113.5"));
        assert_eq!(resolve(ip("10.0.0.2"), xff(&["1.1.1.1", "203.0.113.5, 10.0.0.3"]), &trusted), ip("203.0.113.5"));
        assert_eq!(resolve(ip("10.0.0.2"), xff(&[]), &trusted), ip("10.0.0.2"), "no header");
        assert_eq!(resolve(ip("10.0.0.2"), xff(&["1.1.1.1, junk"]), &trusted), ip("10.0.0.2"), "garbage ends it");
        assert_eq!(resolve(ip("10.0.0.2"), xff(&["10.0.0.7"]), &trusted), ip("10.0.0.7"), "all trusted");
    }
}
