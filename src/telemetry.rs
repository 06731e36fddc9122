//! Logging: `RUST_LOG` (default `orgd=info,tower_http=info`), text or JSON lines on stderr.

use tracing_subscriber::{fmt, EnvFilter};

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("orgd=info,tower_http=info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests) is harmless; the first subscriber stays.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
