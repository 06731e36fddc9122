//! `orgd sandbox` and `orgd seed`: the process side of the sandbox (`crate::sandbox` holds its parts). The
//! sandbox is `serve` on `sqlite::memory:`: the same router, rate limits and bootstrap token, and no file
//! written — no database, no self-signed certificates (a certificate given with `--tls-cert` is only read).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::sandbox::{seed, Sandbox};
use crate::store::Store;
use crate::tls::{self, Tls};
use crate::{app, commands, router, server};

/// The database URL of a sandbox (`store/sqlite/memory.rs`).
pub const MEMORY_URL: &str = "sqlite::memory:";

pub async fn run(mut config: Config, seed_file: Option<&Path>, clock: Option<DateTime<Utc>>) -> anyhow::Result<()> {
    // A bad seed file is refused before anything starts.
    let doc = seed_file.map(read_seed).transpose()?;
    // Every time the process takes follows the sandbox clock, the store's own stamps (audit entries) included.
    let sandbox = Arc::new(Sandbox::new(clock));
    crate::store::clock::follow(sandbox.clock.source());
    config.database_url = MEMORY_URL.into();
    let mode = config.tls_mode()?;
    if matches!(mode, tls::Mode::SelfSigned { .. }) {
        anyhow::bail!("the sandbox writes no files: serve plain HTTP, or give --tls-cert and --tls-key");
    }
    let store = commands::open_store(&config, true).await?;
    if let Some(token) = commands::bootstrap(&*store, &config).await? {
        eprintln!("bootstrap token: {token}");
    }
    let listener =
        tokio::net::TcpListener::bind(&config.bind).await.with_context(|| format!("binding {}", config.bind))?;
    let addr = listener.local_addr()?;
    let zone = config.zone.clone().unwrap_or_else(|| server::default_zone(addr));
    let tls = Tls::setup(&mode, &server::certificate_hosts(&config, addr))?;
    crate::retention::spawn(store.clone(), config.audit_retention_days);
    let state = app::AppState::new(store.clone(), config, zone)?.with_sandbox(sandbox.clone());
    if let Some(doc) = &doc {
        if let Err(e) = seed::check(doc, &state.plans) {
            anyhow::bail!("{}: {e}", seed_file.map(Path::display).map(|d| d.to_string()).unwrap_or_default());
        }
    }
    sandbox.prepare(&state, doc.as_ref()).await?;
    let drain = state.drain.clone();
    let shutdown = drain.on_signal(router::shutdown_signal());
    match tls {
        None => {
            tracing::info!("listening on {addr}");
            server::until_drained(&drain, router::serve(listener, state, shutdown)).await?;
        }
        Some(tls) => {
            tracing::info!("listening on {addr}");
            let server = router::serve_with(listener, Some(tls.server_config.clone()), state, shutdown);
            server::until_drained(&drain, server).await?;
        }
    }
    Ok(())
}

/// A seed file, parsed; its errors name the file and the JSON path.
fn read_seed(path: &Path) -> anyhow::Result<seed::SeedDoc> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    seed::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// `orgd seed --from FILE`: checks the whole document, then loads it (dated with the real time).
pub async fn seed_from(store: &dyn Store, config: &Config, path: &Path) -> anyhow::Result<()> {
    let doc = read_seed(path)?;
    let plans = config.catalogue()?;
    seed::check(&doc, &plans).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let zone = config.zone.clone().unwrap_or_else(|| config.bind.clone());
    let target = seed::Target {
        store,
        plans: &plans,
        default_plan: &config.default_plan,
        zone: &zone,
        now: crate::store::clock::now(),
    };
    seed::apply(&doc, &target).await.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(())
}
