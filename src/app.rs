//! The application state every handler and extractor shares, and the client address of a connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::plans::{Catalogue, Plan};
use crate::store::Store;

/// Everything a handler may use. Cheap to clone: one reference count, however many parts it has (each
/// extractor of a request takes a clone; thirteen counted references each were measurable per request).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What an [`AppState`] shares.
#[derive(Clone)]
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub plans: Arc<Catalogue>,
    /// The zone host this node reports (`--zone`, else the bound address).
    pub zone: Arc<str>,
    /// Where "now" comes from: the system clock, or a fixed instant in tests.
    pub clock: Clock,
    /// Per-address counters for requests without valid credentials (this node only).
    pub anonymous: Arc<crate::store::counters::MemoryCounters>,
    /// Failed sign-ins per account (this node only): growing delays, then 429 for the rest of the hour.
    pub sign_in_failures: Arc<crate::rate::failures::Failures>,
    /// Request counts and latencies for `/metrics`.
    pub metrics: crate::metrics::Shared,
    /// Wakes this node's outbox worker after a request queued an e-mail.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// Shutdown with work in flight (SIGTERM): see [`crate::drain`].
    pub drain: crate::drain::Drain,
    /// `orgd sandbox`'s own state (clock, fault rules, request log); `None` in `serve`.
    pub sandbox: Option<Arc<crate::sandbox::Sandbox>>,
    /// The OpenID Connect relying party, when `--oidc-issuer` is set.
    pub oidc: Option<Arc<crate::factors::oidc::Oidc>>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// A source of the current time (the store's type: one clock for both).
pub use crate::store::clock::Clock;

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config, zone: String) -> anyhow::Result<Self> {
        let plans = config.catalogue()?;
        let clock: Clock = Arc::new(crate::store::clock::now);
        let (anonymous, metrics, mail_wake) = (Arc::default(), Arc::default(), Arc::default());
        let drain = crate::drain::Drain::new(Duration::from_secs(config.drain_timeout_secs));
        let config = Arc::new(config);
        let plans = Arc::new(plans);
        let oidc = crate::factors::oidc::Oidc::from_config(&config, &zone)?.map(Arc::new);
        let zone = zone.into();
        let sign_in_failures = Arc::default();
        Ok(AppState(Arc::new(Shared {
            store,
            config,
            plans,
            zone,
            clock,
            anonymous,
            sign_in_failures,
            metrics,
            mail_wake,
            drain,
            sandbox: None,
            oidc,
        })))
    }

    /// Tells the outbox worker that a message was queued; without SMTP, logs that it waits.
    pub fn mail_queued(&self, what: &str, org_id: i64) {
        if self.config.smtp_url.as_deref().is_none_or(str::is_empty) {
            tracing::info!(organization.id = org_id, "{what} e-mail kept in the outbox: no SMTP server is configured");
        } else {
            tracing::debug!(organization.id = org_id, "{what} e-mail queued");
        }
        self.mail_wake.notify_one();
    }

    /// The same state with another clock.
    pub fn with_clock(self, clock: Clock) -> Self {
        AppState(Arc::new(Shared { clock, ..self.shared() }))
    }

    /// The same state as a sandbox's: its clock becomes the one everything reads.
    pub fn with_sandbox(self, sandbox: Arc<crate::sandbox::Sandbox>) -> Self {
        let clock = sandbox.clock.source();
        AppState(Arc::new(Shared { clock, sandbox: Some(sandbox), ..self.shared() }))
    }

    /// The parts, to build a changed state from (before serving: nothing else holds them then).
    fn shared(self) -> Shared {
        Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The plan an organization is on; an organization on a plan removed from the configuration gets the
    /// default plan rather than an error.
    pub fn plan(&self, key: &str) -> (&str, &Plan) {
        match self.plans.0.get_key_value(key) {
            Some((k, p)) => (k.as_str(), p),
            None => {
                let d = self.config.default_plan.as_str();
                let p = self.plans.get(d).or_else(|| self.plans.0.values().next()).expect("catalogue is never empty");
                (d, p)
            }
        }
    }
}

/// The client address of a connection, plain or TLS, as orgd's listener hands it to every
/// request (`ConnectInfo<Peer>`).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);
