//! `/metrics` in Prometheus text format: request counts and latency histograms by method, matched route and
//! status, the database pool's figures, and the e-mail outbox (messages by status, read from the database so
//! every node shows the same; send latency, attempts and whether the mail server is reachable, per node).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;

/// The node's metrics registry.
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram, fn() -> Histogram>,
    pool_size: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    outbox: Family<Labels, Gauge>,
    mail_send: Histogram,
    mail_attempts: Family<Labels, Counter>,
    mail_up: Gauge,
    replicas: Replicas,
}

/// Each read replica's state (one of `up`, `lagging`, `down` is 1), lag and reads served, by `host:port/database`.
#[derive(Default)]
struct Replicas {
    state: Family<Labels, Gauge>,
    lag_seconds: Family<Labels, Gauge<f64, std::sync::atomic::AtomicU64>>,
    lag_bytes: Family<Labels, Gauge>,
    reads: Family<Labels, Counter>,
}

impl Replicas {
    fn register(&self, registry: &mut Registry) {
        registry.register("db_replica_state", "Read replica state: 1 for the current one", self.state.clone());
        registry.register(
            "db_replica_lag_seconds",
            "How old the newest change a read replica is known to hold may be (last probe)",
            self.lag_seconds.clone(),
        );
        registry.register(
            "db_replica_lag_bytes",
            "WAL bytes a read replica had still to replay",
            self.lag_bytes.clone(),
        );
        registry.register("db_replica_reads", "Reads this node sent to a read replica", self.reads.clone());
    }
}

fn latency_histogram() -> Histogram {
    // 0.25 ms … ~4 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<Labels, Counter>::default();
        let latency = Family::<Labels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let (pool_size, pool_idle, pool_max) = (Gauge::default(), Gauge::default(), Gauge::default());
        let mut registry = Registry::with_prefix("orgd");
        registry.register("http_requests", "HTTP requests by method, route and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency", latency.clone());
        registry.register("db_pool_connections", "Open database connections", pool_size.clone());
        registry.register("db_pool_idle_connections", "Idle database connections", pool_idle.clone());
        registry.register("db_pool_max_connections", "Largest database pool size", pool_max.clone());
        let outbox = Family::<Labels, Gauge>::default();
        // 5 ms … ~80 s.
        let mail_send = Histogram::new(exponential_buckets(0.005, 2.0, 15));
        let (mail_attempts, mail_up) = (Family::<Labels, Counter>::default(), Gauge::default());
        mail_up.set(1);
        registry.register("outbox_messages", "E-mail messages in the outbox by status (all nodes)", outbox.clone());
        registry.register(
            "mail_send_duration_seconds",
            "Time to hand one e-mail to the mail server",
            mail_send.clone(),
        );
        registry.register("mail_attempts", "E-mail send attempts by outcome", mail_attempts.clone());
        registry.register("mail_server_up", "0 while the mail server is unreachable, else 1", mail_up.clone());
        let replicas = Replicas::default();
        replicas.register(&mut registry);
        Metrics {
            registry: Mutex::new(registry),
            requests,
            latency,
            pool_size,
            pool_idle,
            pool_max,
            outbox,
            mail_send,
            mail_attempts,
            mail_up,
            replicas,
        }
    }
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels: Labels = vec![
            ("method".into(), method.into()),
            ("route".into(), route.into()),
            ("status".into(), status.to_string()),
        ];
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels[..2].to_vec()).observe(seconds);
    }

    /// A message handed to the mail server after `seconds`.
    pub fn mail_sent(&self, seconds: f64) {
        self.mail_send.observe(seconds);
    }

    /// One send attempt: `sent`, `refused`, `deferred` or `unreachable`.
    pub fn mail_attempt(&self, outcome: &str) {
        self.mail_attempts.get_or_create(&vec![("outcome".into(), outcome.into())]).inc();
    }

    pub fn mail_server_up(&self, up: bool) {
        self.mail_up.set(up as i64);
    }

    /// Takes the read replicas' figures for the next [`Metrics::render`].
    pub fn replicas(&self, replicas: &[crate::store::replica::ReplicaStatus]) {
        use crate::store::replica::ReplicaState as S;
        let r = &self.replicas;
        for replica in replicas {
            let name = || vec![("replica".to_string(), replica.name.clone())];
            for state in [S::Up, S::Lagging, S::Down] {
                let mut labels = name();
                labels.push(("state".into(), state.as_str().into()));
                r.state.get_or_create(&labels).set((replica.state == state) as i64);
            }
            // Unknown lag (down, or behind every position the probe kept) shows as -1.
            r.lag_seconds.get_or_create(&name()).set(replica.lag_seconds.unwrap_or(-1.0));
            r.lag_bytes.get_or_create(&name()).set(replica.lag_bytes.map_or(-1, |b| b as i64));
            let reads = r.reads.get_or_create(&name());
            reads.inc_by(replica.reads.saturating_sub(reads.get()));
        }
    }

    /// The text answer; `outbox` holds the message count of each status (`None` when the database did not say).
    pub fn render(&self, pool: crate::store::PoolStats, outbox: Option<Vec<(String, i64)>>) -> String {
        if let Some(counts) = outbox {
            for status in crate::store::outbox::STATUSES {
                let n = counts.iter().find(|(s, _)| s == status).map(|(_, n)| *n).unwrap_or(0);
                self.outbox.get_or_create(&vec![("status".into(), status.to_string())]).set(n);
            }
        }
        self.pool_size.set(pool.size as i64);
        self.pool_idle.set(pool.idle as i64);
        self.pool_max.set(pool.max as i64);
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        if encode(&mut out, &registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Records every request under its matched route (unmatched ones as `unmatched`, to keep cardinality low).
pub async fn track(State(metrics): State<Shared>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    metrics.observe(&method, &route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

/// Shared handle in the application state.
pub type Shared = Arc<Metrics>;
