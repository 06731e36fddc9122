//! Settings: defaults, then an optional TOML file, then `ORGD_*` environment variables, then flags.

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::plans::Catalogue;
use crate::tls;

mod values;
pub use values::{redact_url, CredentialUrl, LogFormat, Networks, ReplicaUrls, Secret, Signup, Switch, TlsSetting};

/// Secrets are `Secret` (never printed) or `CredentialUrl` (printed without the password), so the derived `Debug`
/// is what `print-config` shows. Secrets are not serialized: they have no default to layer under the others.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Listen address; port 0 picks a free port.
    pub bind: String,
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: CredentialUrl,
    /// PostgreSQL streaming standbys that serve reads (`--database-replica`, repeatable).
    pub database_replicas: ReplicaUrls,
    /// Milliseconds a standby may be behind the primary and still serve reads; further behind it is skipped.
    pub replica_max_lag_ms: u64,
    /// Milliseconds between two probes of each standby's replay position.
    pub replica_probe_interval_ms: u64,
    /// The zone host reported on organizations; defaults to the bound `host:port`.
    pub zone: Option<String>,
    /// Plan key given to new organizations.
    pub default_plan: String,
    /// Per-organization request limits.
    pub rate_limit: Switch,
    /// Token of the first administrator (a UUIDv4); used only on an empty database.
    #[serde(skip_serializing)]
    pub bootstrap_token: Option<Secret>,
    pub bootstrap_email: String,
    /// Days an invitation stays valid.
    pub invitation_ttl_days: i64,
    /// Connections in the database pool.
    pub max_connections: u32,
    /// Seconds a request waits for a database connection before it fails with 503.
    pub acquire_timeout_secs: u64,
    /// Seconds a request may take before it is cut off.
    pub request_timeout_secs: u64,
    /// PostgreSQL: keep tokens and memberships between requests, invalidated by LISTEN/NOTIFY (off behind a
    /// pooler that does not deliver notifications).
    pub auth_cache: bool,
    /// Organizations the per-node read model keeps in memory at most (least recently used go first).
    pub read_model_max_orgs: usize,
    /// Seconds requests in flight may take to finish after SIGTERM; past it they get 503 and the process exits.
    pub drain_timeout_secs: u64,
    /// Apply migrations when `serve` starts.
    pub migrate_on_start: bool,
    pub log_format: LogFormat,
    /// Whether this instance offers TFA enforcement at all (off:
    /// `PATCH /organizations/{organizationId}/tfa-enforcement` answers 400).
    pub tfa_enforcement_available: bool,
    /// Plan catalogue overrides, merged into the defaults (see docs/api-tour.md, "Plans and billing").
    pub plans: Map<String, Value>,
    /// `off` (plain HTTP) or `self-signed` (a local CA and certificate kept under `data_dir`).
    pub tls: TlsSetting,
    /// PEM certificate chain and private key: serve HTTPS with them.
    pub tls_cert: Option<String>,
    pub tls_key: Option<String>,
    /// Days audit-log entries are kept; 0 keeps them forever.
    pub audit_retention_days: i64,
    /// Where orgd keeps files of its own (the self-signed certificates); defaults to the folder of the SQLite
    /// database, or the working directory on PostgreSQL.
    pub data_dir: Option<String>,
    /// `smtp://host:port` (STARTTLS when offered; `?tls=required` or `?tls=off`) or `smtps://host:port`, with
    /// `user:password@` if the server wants them. Unset: e-mail waits in the outbox.
    pub smtp_url: Option<CredentialUrl>,
    /// The SMTP password, for a user named in `smtp_url` without one.
    #[serde(skip_serializing)]
    pub smtp_password: Option<Secret>,
    /// PEM file of CA certificates trusted for the mail server besides the public roots (a private relay).
    pub smtp_ca_file: Option<String>,
    /// Sender of orgd's e-mail: `orgd@example.com` or `orgd <orgd@example.com>`.
    pub mail_from: String,
    /// The address people reach orgd at, used in links; default from the zone and the TLS setting.
    pub public_url: Option<String>,
    /// Attempts to send a message before it is failed.
    pub mail_max_attempts: i64,
    /// Wait after the first failed attempt, doubled after each further one up to `mail_backoff_max_ms`; also the
    /// pause between tries while the mail server is unreachable.
    pub mail_backoff_base_ms: u64,
    pub mail_backoff_max_ms: u64,
    /// How often the worker looks for due messages (it also wakes when this node queues one).
    pub mail_poll_interval_ms: u64,
    /// Longest time one delivery may take, connection included.
    pub mail_timeout_secs: u64,
    /// Invitation e-mails an organization may send per hour; more invites are refused with 429 (0: no bound).
    pub invitations_per_hour: i64,
    /// Seconds a connection has for a request's whole headers from its start (or the last answer), else closed.
    pub header_timeout_secs: u64,
    /// Seconds an open connection may stay without any traffic between requests (HTTP/2 in particular).
    pub keep_alive_timeout_secs: u64,
    /// Seconds a client may take to finish the TLS handshake.
    pub tls_handshake_timeout_secs: u64,
    /// Open connections above which new ones are closed at once; 0: derived from the descriptor limit.
    pub max_open_connections: u64,
    /// Open connections one client address may hold (trusted proxies: no share); 0: a quarter of the total.
    pub max_connections_per_address: u64,
    /// HTTP/2 streams one connection may have open at once.
    pub http2_max_concurrent_streams: u32,
    /// Comma-separated networks or addresses of proxies whose `X-Forwarded-For` is believed; empty: none.
    pub trusted_proxies: Networks,
    /// Requests per minute one client address may make to unauthenticated endpoints (invalid tokens included).
    pub public_per_address_per_minute: i64,
    /// Attempts per minute on one account through unauthenticated endpoints (sign-in, password reset).
    pub public_per_account_per_minute: i64,
    /// OpenID Connect sign-in against this issuer (exactly as its discovery document spells it); unset: none.
    pub oidc_issuer: Option<String>,
    /// The client id registered at the provider, with the redirect URI `<public-url>/auth/oidc/callback`.
    pub oidc_client_id: Option<String>,
    /// The client secret: from `ORGD_OIDC_CLIENT_SECRET` or the file only, never a flag (a flag shows in `ps`).
    #[serde(skip_serializing)]
    pub oidc_client_secret: Option<Secret>,
    /// The sign-in button's text.
    pub oidc_label: String,
    /// Minutes a console session lives without activity, and hours it lives at most (docs/people.md).
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Who may create an account in the console (docs/people.md).
    pub signup: Signup,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://orgd.db".into(),
            database_replicas: ReplicaUrls::default(),
            replica_max_lag_ms: 1000,
            replica_probe_interval_ms: 250,
            zone: None,
            default_plan: crate::domain::plans::SELF_HOSTED.into(),
            rate_limit: Switch::On,
            bootstrap_token: None,
            bootstrap_email: "admin@localhost".into(),
            invitation_ttl_days: 7,
            max_connections: 8,
            acquire_timeout_secs: 5,
            request_timeout_secs: 30,
            drain_timeout_secs: 20,
            auth_cache: true,
            read_model_max_orgs: 100_000,
            migrate_on_start: true,
            log_format: LogFormat::Text,
            tfa_enforcement_available: true,
            plans: Map::new(),
            audit_retention_days: 365,
            tls: TlsSetting::Off,
            tls_cert: None,
            tls_key: None,
            data_dir: None,
            smtp_url: None,
            smtp_password: None,
            smtp_ca_file: None,
            mail_from: "orgd@localhost".into(),
            public_url: None,
            mail_max_attempts: 15,
            mail_backoff_base_ms: 30_000,
            mail_backoff_max_ms: 3_600_000,
            mail_poll_interval_ms: 2_000,
            mail_timeout_secs: 30,
            invitations_per_hour: 100,
            header_timeout_secs: 10,
            keep_alive_timeout_secs: 60,
            tls_handshake_timeout_secs: 10,
            max_open_connections: 0,
            max_connections_per_address: 0,
            http2_max_concurrent_streams: 100,
            trusted_proxies: Networks::default(),
            public_per_address_per_minute: 120,
            public_per_account_per_minute: 10,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_label: "Single sign-on".into(),
            session_idle_minutes: 30,
            signup: Signup::Invited,
            session_absolute_hours: 12,
        }
    }
}

impl Config {
    /// Loads the layers; `cli` holds only the flags that were given.
    pub fn load(file: Option<&Path>, cli: Map<String, Value>) -> anyhow::Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                anyhow::bail!("config file {} does not exist", path.display());
            }
            fig = fig.merge(Toml::file(path));
        }
        let fig = fig.merge(Env::prefixed("ORGD_")).merge(Serialized::defaults(Value::Object(cli)));
        let config: Config = fig.extract()?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.catalogue()?.get(&self.default_plan).is_none() {
            anyhow::bail!("default plan '{}' is not in the plan catalogue", self.default_plan);
        }
        if self.invitation_ttl_days < 1 {
            anyhow::bail!("invitation_ttl_days must be at least 1");
        }
        if self.audit_retention_days < 0 {
            anyhow::bail!("audit_retention_days must be 0 (keep forever) or more");
        }
        self.tls_mode()?;
        self.validate_mail()?;
        self.validate_connections()?;
        self.database_replicas
            .check(&self.database_url, self.replica_probe_interval_ms, self.replica_max_lag_ms)
            .map_err(anyhow::Error::msg)?;
        crate::factors::oidc::Settings::from_config(self)?;
        Ok(())
    }

    fn validate_mail(&self) -> anyhow::Result<()> {
        if let Some(url) = self.smtp_url.as_deref().filter(|u| !u.is_empty()) {
            crate::mail::smtp::Target::parse(url, self.smtp_password.as_ref().map(Secret::expose))
                .map_err(anyhow::Error::msg)?;
        }
        self.mail_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| anyhow::anyhow!("mail_from '{}' is not an e-mail address: {e}", self.mail_from))?;
        if let Some(url) = self.public_url.as_deref() {
            let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
            if !ok {
                anyhow::bail!("public_url must be an http:// or https:// URL, not '{url}'");
            }
        }
        if self.mail_max_attempts < 1 {
            anyhow::bail!("mail_max_attempts must be at least 1");
        }
        if self.invitations_per_hour < 0 {
            anyhow::bail!("invitations_per_hour must be 0 (no bound) or more");
        }
        Ok(())
    }

    fn validate_connections(&self) -> anyhow::Result<()> {
        let at_least_one = [
            ("header_timeout_secs", self.header_timeout_secs as i64),
            ("keep_alive_timeout_secs", self.keep_alive_timeout_secs as i64),
            ("tls_handshake_timeout_secs", self.tls_handshake_timeout_secs as i64),
            ("http2_max_concurrent_streams", i64::from(self.http2_max_concurrent_streams)),
            ("public_per_address_per_minute", self.public_per_address_per_minute),
            ("public_per_account_per_minute", self.public_per_account_per_minute),
            ("session_idle_minutes", self.session_idle_minutes),
            ("session_absolute_hours", self.session_absolute_hours),
        ];
        if let Some((name, _)) = at_least_one.iter().find(|(_, v)| *v < 1) {
            anyhow::bail!("{name} must be at least 1");
        }
        Ok(())
    }

    /// How `serve` speaks: plain HTTP, HTTPS from the given files, or HTTPS from a local CA.
    pub fn tls_mode(&self) -> anyhow::Result<tls::Mode> {
        let files =
            (self.tls_cert.as_deref().filter(|s| !s.is_empty()), self.tls_key.as_deref().filter(|s| !s.is_empty()));
        match (self.tls, files) {
            (TlsSetting::Off, (None, None)) => Ok(tls::Mode::Off),
            (TlsSetting::Off, (Some(cert), Some(key))) => Ok(tls::Mode::Files { cert: cert.into(), key: key.into() }),
            (TlsSetting::Off, _) => anyhow::bail!("tls_cert and tls_key must be given together"),
            (TlsSetting::SelfSigned, (None, None)) => Ok(tls::Mode::SelfSigned { dir: self.data_dir().join("tls") }),
            (TlsSetting::SelfSigned, _) => {
                anyhow::bail!("tls = 'self-signed' makes its own certificate; drop tls_cert and tls_key")
            }
        }
    }

    /// The data directory: as configured, else next to the SQLite database, else the working directory.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = self.data_dir.as_deref().filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        let sqlite_path =
            self.database_url.strip_prefix("sqlite://").or_else(|| self.database_url.strip_prefix("sqlite:"));
        match sqlite_path.map(|p| Path::new(p.split('?').next().unwrap_or(p))) {
            Some(db) => db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf(),
            None => PathBuf::from("."),
        }
    }

    /// The default catalogue with this configuration's overrides.
    pub fn catalogue(&self) -> anyhow::Result<Catalogue> {
        let mut c = Catalogue::default();
        c.merge(&self.plans).map_err(anyhow::Error::msg)?;
        Ok(c)
    }

    pub fn rate_limit_on(&self) -> bool {
        self.rate_limit.is_on()
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("orgd.toml", "bind = \"0.0.0.0:1\"\ndefault_plan = \"pro\"\nzone = \"file.zone\"")?;
            jail.set_env("ORGD_DEFAULT_PLAN", "teams");
            jail.set_env("ORGD_ZONE", "env.zone");
            let mut cli = Map::new();
            cli.insert("zone".into(), Value::from("cli.zone"));
            let c = Config::load(Some(Path::new("orgd.toml")), cli).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "0.0.0.0:1");
            assert_eq!(c.default_plan, "teams");
            assert_eq!(c.zone.as_deref(), Some("cli.zone"));
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("ORGD_DEFAULT_PLAN", "gold");
            assert!(Config::load(None, Map::new()).is_err());
            jail.set_env("ORGD_DEFAULT_PLAN", "free");
            jail.set_env("ORGD_RATE_LIMIT", "maybe");
            assert!(Config::load(None, Map::new()).is_err());
            Ok(())
        });
    }

    #[test]
    fn the_file_spells_enumerated_settings_like_the_flags() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("orgd.toml", "rate_limit = \"off\"\ntls = \"self-signed\"\nlog_format = \"json\"")?;
            let c = Config::load(Some(Path::new("orgd.toml")), Map::new()).map_err(|e| e.to_string())?;
            assert_eq!((c.rate_limit, c.tls, c.log_format), (Switch::Off, TlsSetting::SelfSigned, LogFormat::Json));
            jail.create_file("bad.toml", "tls = \"on\"")?;
            let err = Config::load(Some(Path::new("bad.toml")), Map::new()).unwrap_err().to_string();
            assert!(err.contains("tls") && err.contains("self-signed"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn tls_modes() {
        let mut c = Config { database_url: "sqlite:///var/lib/orgd/orgd.db".into(), ..Config::default() };
        assert_eq!(c.tls_mode().unwrap(), tls::Mode::Off);
        c.tls = TlsSetting::SelfSigned;
        assert_eq!(c.tls_mode().unwrap(), tls::Mode::SelfSigned { dir: "/var/lib/orgd/tls".into() });
        c.tls_cert = Some("c.pem".into());
        assert!(c.tls_mode().is_err(), "self-signed with files");
        c.tls = TlsSetting::Off;
        assert!(c.tls_mode().is_err(), "a certificate without a key");
        c.tls_key = Some("k.pem".into());
        assert_eq!(c.tls_mode().unwrap(), tls::Mode::Files { cert: "c.pem".into(), key: "k.pem".into() });
        let c = Config { database_url: "sqlite://orgd.db".into(), ..Config::default() };
        assert_eq!(c.data_dir(), PathBuf::from("."));
    }

    #[test]
    fn mail_settings_are_checked() {
        let ok = Config { smtp_url: Some("smtp://u:pw@127.0.0.1:2525".into()), ..Config::default() };
        assert!(ok.validate().is_ok());
        assert!(!format!("{ok:?}").contains("pw@"), "{ok:?}");
        for bad in [
            Config { smtp_url: Some("http://mail".into()), ..Config::default() },
            Config { mail_from: "not an address".into(), ..Config::default() },
            Config { mail_from: "a@b\r\nBcc: c@d".into(), ..Config::default() },
            Config { public_url: Some("orgd.example.com".into()), ..Config::default() },
            Config { mail_max_attempts: 0, ..Config::default() },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
        let named = Config { mail_from: "orgd <orgd@example.com>".into(), ..Config::default() };
        assert!(named.validate().is_ok());
    }

    #[test]
    fn connection_settings_are_checked() {
        assert!(Config { header_timeout_secs: 0, ..Config::default() }.validate().is_err());
    }

    #[test]
    fn secrets_in_the_settings_never_print() {
        let c = Config {
            database_url: "postgres://u:dbpw@h/db".into(),
            bootstrap_token: Some("tok-3f1c".into()),
            smtp_password: Some("mailpw".into()),
            ..Config::default()
        };
        let shown = format!("{c:#?}");
        for secret in ["dbpw", "tok-3f1c", "mailpw"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
