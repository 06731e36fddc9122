//! Command line (operator contract): `serve` (default), `migrate`, `sandbox`, `seed`, `users add`, `tokens revoke`, `usage add`,
//! `audit export`, `outbox list`, `outbox retry`, `backup`, `restore`.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{Map, Value};

use crate::config::{Signup, Switch, TlsSetting};

#[derive(Debug, Parser)]
#[command(name = "orgd", version, about = "A self-hostable server for the Make API v2 Organizations surface")]
pub struct Cli {
    /// TOML settings file; flags beat environment, environment beats the file.
    #[arg(long, global = true, env = "ORGD_CONFIG")]
    pub config: Option<PathBuf>,
    /// `sqlite://PATH` (created if missing) or `postgres://…`.
    #[arg(long, global = true, env = "ORGD_DATABASE_URL")]
    pub database: Option<String>,
    /// A PostgreSQL streaming standby that serves reads (repeatable; the environment takes a comma-separated list).
    #[arg(long = "database-replica", global = true, env = "ORGD_DATABASE_REPLICAS", value_delimiter = ',')]
    pub database_replicas: Vec<String>,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Listen address; port 0 picks a free port.
    #[arg(long, global = true, env = "ORGD_BIND")]
    pub bind: Option<String>,
    /// The zone host reported on organizations (default: the bound host:port).
    #[arg(long, global = true, env = "ORGD_ZONE")]
    pub zone: Option<String>,
    /// Plan given to new organizations.
    #[arg(long, global = true, env = "ORGD_DEFAULT_PLAN")]
    pub default_plan: Option<String>,
    /// Per-organization request limits from the plan's apiLimit.
    #[arg(long, global = true, env = "ORGD_RATE_LIMIT")]
    pub rate_limit: Option<Switch>,
    /// Who may create an account in the console: `invited` (the join page) or `off` (existing accounts only).
    #[arg(long, global = true, env = "ORGD_SIGNUP")]
    pub signup: Option<Signup>,
    /// `self-signed`: serve HTTPS with a local certificate authority made on first start (`off`: plain HTTP).
    #[arg(long, global = true, env = "ORGD_TLS")]
    pub tls: Option<TlsSetting>,
    /// PEM certificate chain to serve HTTPS with (with --tls-key; reloaded on SIGHUP).
    #[arg(long, global = true, env = "ORGD_TLS_CERT")]
    pub tls_cert: Option<String>,
    /// PEM private key of --tls-cert.
    #[arg(long, global = true, env = "ORGD_TLS_KEY")]
    pub tls_key: Option<String>,
    /// Days audit-log entries are kept (0: forever).
    #[arg(long, global = true, env = "ORGD_AUDIT_RETENTION_DAYS")]
    pub audit_retention_days: Option<i64>,
    /// Folder for orgd's own files (self-signed certificates); default: the SQLite database's folder.
    #[arg(long, global = true, env = "ORGD_DATA_DIR")]
    pub data_dir: Option<String>,
    /// Mail server: smtp://[user[:password]@]host[:port][?tls=required|off] or smtps://… (unset: e-mail waits
    /// in the outbox).
    #[arg(long, global = true, env = "ORGD_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Sender of orgd's e-mail.
    #[arg(long, global = true, env = "ORGD_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The address people reach orgd at, used in e-mailed links (default: from the zone).
    #[arg(long, global = true, env = "ORGD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Comma-separated networks of reverse proxies whose X-Forwarded-For is believed (default: none).
    #[arg(long, global = true, env = "ORGD_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// OpenID Connect sign-in against this issuer (the secret: ORGD_OIDC_CLIENT_SECRET only).
    #[arg(long, global = true, env = "ORGD_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The client id registered at the OpenID provider (redirect URI: <public-url>/auth/oidc/callback).
    #[arg(long, global = true, env = "ORGD_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The single-sign-on button's text (default: "Single sign-on").
    #[arg(long, global = true, env = "ORGD_OIDC_LABEL")]
    pub oidc_label: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Serve the same API on an in-memory database with control endpoints under /_orgd/ (a stand-in for Make in
    /// test suites; nothing is written to disk).
    Sandbox {
        /// A seed document (JSON) to load at start and on every reset.
        #[arg(long)]
        seed: Option<PathBuf>,
        /// Start the sandbox clock at this instant (RFC 3339) instead of the real time.
        #[arg(long)]
        clock: Option<DateTime<Utc>>,
    },
    /// Load a seed document into the database (refused whole, naming the JSON path of the first bad value).
    Seed {
        #[arg(long)]
        from: PathBuf,
    },
    /// Manage users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Manage console sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Record usage.
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Outgoing e-mail.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Print the effective settings (secrets redacted).
    PrintConfig,
    /// Write a consistent copy of the database to a new file while servers run (SQLite: VACUUM INTO;
    /// PostgreSQL: pg_dump's custom format).
    Backup {
        /// The backup file to create; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
    /// Bring a backup back into the database (which must be new or empty unless --force), then apply migrations.
    Restore {
        /// A file made by `orgd backup` for the same kind of database.
        #[arg(long)]
        from: PathBuf,
        /// Replace a database that holds data. Stop every server using it first.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List messages, newest first: a table, or one JSON object per line.
    List {
        #[arg(long)]
        status: Option<OutboxStatus>,
        #[arg(long, value_enum, default_value_t = OutboxFormat::Table)]
        format: OutboxFormat,
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Send failed messages again: back to pending with their attempts reset (a pending one becomes due now).
    Retry {
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Stream an organization's audit log, oldest first, one JSON entry per line (for a SIEM).
    Export {
        #[arg(long)]
        organization: i64,
        /// The first day, YYYY-MM-DD, in the organization's timezone.
        #[arg(long)]
        since: Option<NaiveDate>,
        /// JSON lines, the one format there is (the flag stays so scripts may say so).
        #[arg(long, value_enum, default_value_t = AuditFormat::Jsonl)]
        format: AuditFormat,
    },
}

/// `audit export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Jsonl,
}

/// `outbox list --format`: an aligned table for people, or one JSON object per line for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutboxFormat {
    Table,
    Jsonl,
}

/// `outbox list --status`: the states of an outgoing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutboxStatus {
    Pending,
    Sent,
    Failed,
    Cancelled,
}

impl OutboxStatus {
    /// The name the outbox stores.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create the user if the e-mail is new, issue a new API token and print it alone on stdout.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Comma-separated scopes (default: every non-admin scope).
        #[arg(long)]
        scopes: Option<String>,
        /// Mark the user as having two-factor authentication set up.
        #[arg(long)]
        tfa: bool,
        /// The user's timezone (IANA name), used to cut usage days.
        #[arg(long, default_value = "Etc/UTC")]
        timezone: String,
    },
    /// Set the user's console password, read as one line from stdin; ends the user's console sessions.
    Password {
        #[arg(long)]
        email: String,
    },
    /// Record whether a user has two-factor authentication set up.
    Tfa {
        #[arg(long)]
        email: String,
        state: Switch,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// End every console session of the user (and the tokens they minted).
    Revoke {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Revoke a token.
    Revoke { token: String },
}

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Add usage to one day of an organization.
    Add {
        #[arg(long)]
        organization: i64,
        /// The day, YYYY-MM-DD, in the organization's timezone.
        #[arg(long)]
        date: NaiveDate,
        /// The local time the usage is booked at, HH:MM:SS (default 12:00:00).
        #[arg(long)]
        time: Option<NaiveTime>,
        #[arg(long, default_value_t = 0)]
        operations: i64,
        #[arg(long, default_value_t = 0)]
        data_transfer: i64,
        #[arg(long, default_value_t = 0)]
        centicredits: i64,
        /// Book it to this private space of the organization too (`GET /private-spaces`).
        #[arg(long)]
        private_space: Option<i64>,
    },
}

impl Cli {
    /// The flags given, as a settings layer.
    pub fn overrides(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                m.insert(k.into(), Value::from(v.clone()));
            }
        };
        put("database_url", &self.database);
        put("bind", &self.serve.bind);
        put("zone", &self.serve.zone);
        put("default_plan", &self.serve.default_plan);
        put("tls_cert", &self.serve.tls_cert);
        put("tls_key", &self.serve.tls_key);
        put("data_dir", &self.serve.data_dir);
        put("smtp_url", &self.serve.smtp_url);
        put("mail_from", &self.serve.mail_from);
        put("public_url", &self.serve.public_url);
        put("trusted_proxies", &self.serve.trusted_proxies);
        put("oidc_issuer", &self.serve.oidc_issuer);
        put("oidc_client_id", &self.serve.oidc_client_id);
        put("oidc_label", &self.serve.oidc_label);
        // The enumerated flags go in as they are spelled in the file, so one deserializer reads every layer.
        if let Some(v) = self.serve.rate_limit {
            m.insert("rate_limit".into(), serde_json::to_value(v).unwrap_or_default());
        }
        if let Some(v) = self.serve.signup {
            m.insert("signup".into(), serde_json::to_value(v).unwrap_or_default());
        }
        if let Some(v) = self.serve.tls {
            m.insert("tls".into(), serde_json::to_value(v).unwrap_or_default());
        }
        if !self.database_replicas.is_empty() {
            m.insert("database_replicas".into(), Value::from(self.database_replicas.clone()));
        }
        if let Some(days) = self.serve.audit_retention_days {
            m.insert("audit_retention_days".into(), Value::from(days));
        }
        m
    }
}
