//! The typed values of settings: the enumerated ones (one spelling each, shared by clap, the TOML file and the
//! environment) and the secret ones, whose `Debug` never shows them.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An on/off setting (`--rate-limit`, `users tfa`), spelled `on` or `off` everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    pub fn is_on(self) -> bool {
        self == Switch::On
    }
}

/// `signup`: who may create an account in the console. `invited`: a person an invitation created an account for
/// chooses its name and password on the join page; `open`: that, and anyone through "Create account", after
/// following a link mailed to the address; `off`: nobody (invitations are accepted by existing accounts only;
/// `orgd users add` still makes accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Signup {
    Invited,
    Open,
    Off,
}

/// `tls`: plain HTTP (HTTPS when `tls_cert` and `tls_key` are given) or HTTPS from a local CA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum TlsSetting {
    Off,
    SelfSigned,
}

/// `log_format`: human-readable lines or one JSON object per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A secret setting (a token, a password). It has no `Display` and its `Debug` is redacted, so it cannot reach a
/// log line or `print-config` by accident; `expose` is the one way to read it, where it is used.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

/// A URL that may carry a password (`postgres://user:password@…`, `smtp://user:password@…`). It reads as the whole
/// URL where it is used (it derefs to `str`); its `Debug` shows it with the password replaced by `***`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CredentialUrl(String);

impl std::ops::Deref for CredentialUrl {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CredentialUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redact_url(&self.0), f)
    }
}

impl From<&str> for CredentialUrl {
    fn from(s: &str) -> Self {
        CredentialUrl(s.to_string())
    }
}

impl From<String> for CredentialUrl {
    fn from(s: String) -> Self {
        CredentialUrl(s)
    }
}

/// `database_replicas`: URLs of PostgreSQL standbys, a list in the TOML file, comma-separated in
/// `ORGD_DATABASE_REPLICAS`, one per `--database-replica` flag. Each prints without its password, as the primary's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ReplicaUrls(pub Vec<CredentialUrl>);

impl<'de> Deserialize<'de> for ReplicaUrls {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ReplicaUrls, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            One(String),
            Many(Vec<String>),
        }
        let urls = match Given::deserialize(d)? {
            Given::One(list) => list.split(',').map(str::to_string).collect(),
            Given::Many(urls) => urls,
        };
        let urls = urls.iter().map(|u| u.trim()).filter(|u| !u.is_empty()).map(CredentialUrl::from).collect();
        Ok(ReplicaUrls(urls))
    }
}

impl ReplicaUrls {
    /// Replicas are PostgreSQL standbys of a PostgreSQL primary, probed more often than the lag they may have.
    pub fn check(&self, primary: &str, probe_interval_ms: u64, max_lag_ms: u64) -> Result<(), String> {
        let is_postgres = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
        if self.0.is_empty() {
            return Ok(());
        }
        if !is_postgres(primary) {
            return Err(crate::store::REPLICAS_NEED_POSTGRES.into());
        }
        if let Some(bad) = self.0.iter().find(|u| !is_postgres(u)) {
            return Err(format!("database replica {bad:?} is not a postgres:// URL"));
        }
        if probe_interval_ms == 0 || probe_interval_ms >= max_lag_ms {
            return Err("replica_probe_interval_ms must be at least 1 and below replica_max_lag_ms".into());
        }
        Ok(())
    }
}

/// Hides the password of a URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Networks (`trusted_proxies`): CIDR networks or single addresses, comma-separated in a flag, the environment or
/// the file. Parsed once, when the settings load, so a bad entry stops the start and no request parses it again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks(Vec<ipnet::IpNet>);

impl Networks {
    pub fn contains(&self, ip: &IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(ip))
    }
}

impl FromStr for Networks {
    type Err = String;

    fn from_str(list: &str) -> Result<Networks, String> {
        let parse = |s: &str| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("trusted_proxies: '{s}' is neither an address nor a CIDR network"))
        };
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(parse).collect::<Result<_, _>>().map(Networks)
    }
}

impl<'de> Deserialize<'de> for Networks {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Networks, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Networks {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse() {
        let nets: Networks = " 10.0.0.0/8, 192.168.1.7 ,::1".parse().unwrap();
        assert_eq!(nets.0.len(), 3);
        assert!(nets.contains(&ip("192.168.1.7")) && !nets.contains(&ip("192.168.1.8")));
        assert!(nets.contains(&ip("10.1.2.3")) && nets.contains(&ip("::1")));
        assert_eq!(Networks::from_str("").unwrap(), Networks::default());
        assert!("10.0.0.0/33".parse::<Networks>().is_err() && "proxy.local".parse::<Networks>().is_err());
        assert_eq!(serde_json::to_value(&nets).unwrap(), "10.0.0.0/8,192.168.1.7/32,::1/128");
    }

    #[test]
    fn replica_urls_come_as_a_list_or_comma_separated() {
        let from = |v: serde_json::Value| serde_json::from_value::<ReplicaUrls>(v).unwrap();
        let one = from(serde_json::json!("postgres://u:pw@a/db, postgres://b/db,"));
        assert_eq!(one.0, [CredentialUrl::from("postgres://u:pw@a/db"), CredentialUrl::from("postgres://b/db")]);
        assert_eq!(from(serde_json::json!(["postgres://a/db", "postgres://b/db"])).0.len(), 2);
        assert!(!format!("{one:?}").contains("pw"), "{one:?}");
        assert!(one.check("postgres://primary/db", 250, 1000).is_ok());
        let err = one.check("sqlite://orgd.db", 250, 1000).unwrap_err();
        assert!(err.contains("SQLite") && err.contains("--database-replica"), "{err}");
        assert!(one.check("postgres://primary/db", 1000, 1000).is_err(), "probed less often than the bound");
        assert!(from(serde_json::json!("mysql://a/db")).check("postgres://p/db", 250, 1000).is_err());
        assert!(ReplicaUrls::default().check("sqlite://orgd.db", 0, 0).is_ok(), "none: nothing to check");
    }

    #[test]
    fn secrets_never_print() {
        let token = Secret::from("3f1c2a9e-secret");
        assert_eq!(format!("{token:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(token.clone())), "Some(<redacted>)");
        assert_eq!(token.expose(), "3f1c2a9e-secret");
        let url = CredentialUrl::from("postgres://u:secret@h:5432/db");
        assert_eq!(format!("{url:?}"), "\"postgres://u:***@h:5432/db\"");
        assert_eq!(&*url, "postgres://u:secret@h:5432/db");
        assert_eq!(redact_url("sqlite://orgd.db"), "sqlite://orgd.db");
    }
}
