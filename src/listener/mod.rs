//! orgd's own accept loop, in place of `axum::serve`, which bounds neither silent clients nor the number of
//! connections. Every connection gets deadlines (TLS handshake, request headers, idle keep-alive; see
//! [`conn`]); connections over the cap, in total or from one address, are closed at once (see [`gate`]); failed
//! accepts (out of descriptors) are logged once per burst and waited out (see [`fds`]). On shutdown the listener
//! closes, every connection finishes its request in flight, and `serve` returns once all are closed.

mod conn;
pub mod fds;
mod gate;
mod io;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::config::{Config, Networks};

/// The bounds every connection is held to, from the settings.
#[derive(Debug, Clone)]
pub struct Limits {
    /// From a connection's start to its first byte, and from the first byte to the end of the request headers.
    pub header: Duration,
    /// Longest quiet time between requests (HTTP/2; HTTP/1.1 waits for the next request within `header`).
    pub keep_alive: Duration,
    pub handshake: Duration,
    pub max_open: usize,
    pub per_address: usize,
    pub h2_streams: u32,
    pub trusted: Networks,
}

impl Limits {
    /// The settings' bounds; a cap left at 0 is derived from `nofile`, the process's descriptor limit.
    pub fn from_config(config: &Config, nofile: u64) -> anyhow::Result<Limits> {
        let max_open = match config.max_open_connections {
            0 => fds::default_cap(nofile, config.max_connections),
            n => n as usize,
        };
        let per_address = match config.max_connections_per_address {
            0 => (max_open / 4).max(1),
            n => n as usize,
        };
        Ok(Limits {
            header: Duration::from_secs(config.header_timeout_secs),
            keep_alive: Duration::from_secs(config.keep_alive_timeout_secs),
            handshake: Duration::from_secs(config.tls_handshake_timeout_secs),
            max_open,
            per_address,
            h2_streams: config.http2_max_concurrent_streams,
            trusted: config.trusted_proxies.clone(),
        })
    }
}

/// Serves `app` on `tcp` (TLS with `tls`) until `shutdown` resolves and every connection has closed.
pub async fn serve(
    tcp: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    tracing::info!(
        max_open = limits.max_open,
        per_address = limits.per_address,
        header_timeout_secs = limits.header.as_secs(),
        keep_alive_timeout_secs = limits.keep_alive.as_secs(),
        "connection limits"
    );
    let gate = gate::Gate::new(limits.max_open, limits.per_address, limits.trusted.clone());
    let (stop, stopped) = watch::channel(false);
    let shared = Arc::new(conn::Shared { app, limits, tls: tls.map(TlsAcceptor::from), stopped });
    let mut failures = fds::Burst::new("accepting connections fails (out of file descriptors?); backing off");
    let mut refusals = fds::Burst::new("connection cap reached: closing new connections at once");
    tokio::pin!(shutdown);
    loop {
        let (stream, peer): (_, SocketAddr) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = tcp.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    failures.event(&e);
                    // Spinning on EMFILE would burn a core and starve the connections already served.
                    tokio::time::sleep(fds::ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        failures.over();
        let Some(ticket) = gate.admit(peer.ip()) else {
            refusals.event(&peer);
            continue;
        };
        refusals.over();
        tokio::spawn(conn::run(shared.clone(), stream, peer, ticket));
    }
    drop(tcp);
    stop.send_replace(true);
    gate.all_closed().await;
    Ok(())
}
