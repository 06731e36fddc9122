//! `orgd serve`: open the store, create the first administrator on an empty database, bind, choose plain HTTP or
//! TLS, start the background work (audit retention, the e-mail outbox), and run until SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use crate::tls::{self, Tls};
use crate::{app, commands, router};

pub async fn run(config: Config) -> anyhow::Result<()> {
    let mode = config.tls_mode()?;
    crate::listener::fds::raise_nofile_limit();
    let store = commands::open_store(&config, config.migrate_on_start).await?;
    if let Some(token) = commands::bootstrap(&*store, &config).await? {
        eprintln!("bootstrap token: {token}");
    }
    let listener =
        tokio::net::TcpListener::bind(&config.bind).await.with_context(|| format!("binding {}", config.bind))?;
    let addr = listener.local_addr()?;
    let zone = config.zone.clone().unwrap_or_else(|| default_zone(addr));
    let tls = Tls::setup(&mode, &certificate_hosts(&config, addr))?.map(Arc::new);
    if config.auth_cache {
        store.watch_changes();
    }
    crate::retention::spawn(store.clone(), config.audit_retention_days);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("{scheme}://{zone}"));
    let mail = crate::mail::Settings::from_config(&config, public_url)?;
    let state = app::AppState::new(store.clone(), config, zone.clone())?;
    crate::mail::worker::Worker::new(store.clone(), mail, state.metrics.clone(), state.mail_wake.clone()).spawn();
    let drain = state.drain.clone();
    let shutdown = drain.on_signal(router::shutdown_signal());
    tracing::info!("zone {zone} (what clients use as their zone, e.g. make-cli --zone {zone})");
    match tls {
        None => {
            tracing::info!("listening on {addr}");
            until_drained(&drain, router::serve(listener, state, shutdown)).await?;
        }
        Some(tls) => {
            if let Some(ca) = &tls.ca {
                let ca = std::fs::canonicalize(ca).unwrap_or_else(|_| ca.clone());
                eprintln!("TLS certificate authority: {} (trust it once, e.g. for Node.js clients:)", ca.display());
                eprintln!("NODE_EXTRA_CA_CERTS={}", ca.display());
            }
            tls.clone().reload_on_sighup();
            // The "listening on" line names the address alone, as the operator contract fixes.
            tracing::info!("serving HTTPS (TLS 1.2/1.3, HTTP/2 and HTTP/1.1)");
            tracing::info!("listening on {addr}");
            let server = router::serve_with(listener, Some(tls.server_config.clone()), state, shutdown);
            until_drained(&drain, server).await?;
        }
    }
    // A connection stuck in a statement (a lock wait cut off by the drain deadline) must not hold the exit up.
    if tokio::time::timeout(std::time::Duration::from_secs(1), store.close()).await.is_err() {
        tracing::warn!("database connections still busy at exit; closing them with the process");
    }
    Ok(())
}

/// Runs the server until every connection closed after the shutdown signal, or until the drain's hard deadline:
/// a client that keeps a connection open must not keep the process alive.
pub(crate) async fn until_drained(
    drain: &crate::drain::Drain,
    server: impl std::future::Future<Output = std::io::Result<()>>,
) -> std::io::Result<()> {
    tokio::select! {
        res = server => res,
        _ = drain.hard_deadline() => {
            tracing::warn!("exiting with connections still open: the drain timeout is over");
            Ok(())
        }
    }
}

/// The zone clients are told to use: the bound address, with a wildcard address shown as `localhost`.
pub(crate) fn default_zone(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("localhost:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// The names a self-signed certificate must carry: loopback in every spelling, the configured zone's host and
/// the bound address when it is a specific one.
pub(crate) fn certificate_hosts(config: &Config, addr: SocketAddr) -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
    let zone_host = config.zone.as_deref().map(tls::host_of).filter(|h| !h.is_empty());
    let bound = (!addr.ip().is_unspecified()).then(|| addr.ip().to_string());
    for h in zone_host.map(str::to_string).into_iter().chain(bound) {
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_cover_loopback_and_the_zone() {
        let config = Config { zone: Some("orgd.example.com:8443".into()), ..Config::default() };
        let hosts = certificate_hosts(&config, "0.0.0.0:8443".parse().unwrap());
        assert_eq!(hosts, ["localhost", "127.0.0.1", "::1", "orgd.example.com"]);
        let hosts = certificate_hosts(&Config::default(), "10.1.2.3:8443".parse().unwrap());
        assert_eq!(hosts.last().unwrap(), "10.1.2.3");
        assert_eq!(default_zone("0.0.0.0:8443".parse().unwrap()), "localhost:8443");
        assert_eq!(default_zone("127.0.0.1:8443".parse().unwrap()), "127.0.0.1:8443");
    }
}
