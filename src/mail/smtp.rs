//! The SMTP connection from `--smtp-url`: `smtp://host[:port]` (STARTTLS when the server offers it;
//! `?tls=required` insists on it, `?tls=off` never uses it), `smtps://host[:port]` (TLS from the first byte), a user
//! and password in the URL or the password from `ORGD_SMTP_PASSWORD`. TLS is rustls with the ring provider; the
//! server's certificate is checked against the Mozilla roots plus the operator's `smtp_ca_file`.

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use percent_encoding::percent_decode_str;

use crate::config::Secret;

/// How a message failed, which decides what happens to it and to the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The server refused this message for good (5xx, e.g. an unknown recipient): failed at once.
    Refused(String),
    /// The server asked to try this message later (4xx): retried with backoff.
    Deferred(String),
    /// The server could not be reached, failed TLS, refused our credentials or did not answer in time: retried,
    /// and the worker knows the server is down.
    Unreachable(String),
}

/// What `--smtp-url` says, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub user: Option<String>,
    /// A `Secret`, so the derived `Debug` never shows it.
    pub password: Option<Secret>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Off,
    Opportunistic,
    Required,
    Implicit,
}

impl Target {
    /// Parses an SMTP URL; `password` (from `ORGD_SMTP_PASSWORD`) stands in for one the URL does not carry.
    pub fn parse(url: &str, password: Option<&str>) -> Result<Target, String> {
        let u = url::Url::parse(url).map_err(|e| format!("smtp_url: {e}"))?;
        let host = u.host_str().filter(|h| !h.is_empty()).ok_or("smtp_url names no host")?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let mut tls = None;
        for (k, v) in u.query_pairs() {
            match (k.as_ref(), v.as_ref()) {
                ("tls", "off" | "none") => tls = Some(TlsMode::Off),
                ("tls", "opportunistic") => tls = Some(TlsMode::Opportunistic),
                ("tls", "required") => tls = Some(TlsMode::Required),
                (k, v) => return Err(format!("smtp_url: unknown parameter {k}={v} (tls=off|opportunistic|required)")),
            }
        }
        let (tls, default_port) = match (u.scheme(), tls) {
            ("smtp", Some(TlsMode::Required)) => (TlsMode::Required, 587),
            ("smtp", mode) => (mode.unwrap_or(TlsMode::Opportunistic), 25),
            ("smtps", None) => (TlsMode::Implicit, 465),
            ("smtps", Some(_)) => return Err("smtp_url: smtps:// always uses TLS; drop the tls parameter".into()),
            (other, _) => return Err(format!("smtp_url: scheme must be smtp or smtps, not {other}")),
        };
        if !matches!(u.path(), "" | "/") {
            return Err("smtp_url takes no path".into());
        }
        let decode = |s: &str| percent_decode_str(s).decode_utf8().map(|c| c.into_owned()).map_err(|e| e.to_string());
        let user = Some(decode(u.username())?).filter(|s| !s.is_empty());
        let password = match u.password() {
            Some(p) => Some(Secret::from(decode(p)?)),
            None => password.filter(|p| !p.is_empty()).map(Secret::from),
        };
        if password.is_some() && user.is_none() {
            return Err("an SMTP password needs a user in smtp_url (smtp://user@host)".into());
        }
        Ok(Target { host, port: u.port().unwrap_or(default_port), tls, user, password })
    }

    /// `host:port` and the TLS mode, for logs (never the credentials).
    pub fn describe(&self) -> String {
        let tls = match self.tls {
            TlsMode::Off => "no TLS",
            TlsMode::Opportunistic => "STARTTLS when offered",
            TlsMode::Required => "STARTTLS required",
            TlsMode::Implicit => "TLS",
        };
        format!("{}:{} ({tls})", self.host, self.port)
    }
}

/// A configured mail server.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    timeout: Duration,
    pub server: String,
}

impl Smtp {
    /// `ca_pem`: extra trusted CA certificates. `timeout` bounds a whole delivery, connection included.
    pub fn new(target: &Target, ca_pem: Option<&[u8]>, timeout: Duration) -> anyhow::Result<Smtp> {
        let params = || -> anyhow::Result<TlsParameters> {
            let mut b = TlsParameters::builder(target.host.clone());
            if let Some(pem) = ca_pem {
                b = b.add_root_certificate(Certificate::from_pem(pem)?);
            }
            Ok(b.build_rustls()?)
        };
        let tls = match target.tls {
            TlsMode::Off => Tls::None,
            TlsMode::Opportunistic => Tls::Opportunistic(params()?),
            TlsMode::Required => Tls::Required(params()?),
            TlsMode::Implicit => Tls::Wrapper(params()?),
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.host.clone())
            .port(target.port)
            .tls(tls)
            .timeout(Some(timeout));
        if let (Some(user), Some(password)) = (&target.user, &target.password) {
            b = b.credentials(Credentials::new(user.clone(), password.expose().to_string()));
        }
        Ok(Smtp { transport: b.build(), timeout, server: target.describe() })
    }

    /// Delivers one message: one connection, bounded by the timeout as a whole.
    pub async fn send(&self, message: Message) -> Result<(), Failure> {
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Err(_) => Err(Failure::Unreachable(format!("no answer within {} s", self.timeout.as_secs_f32()))),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(&e)),
        }
    }
}

/// Auth failures are the server's (or our settings') problem, not the message's.
const AUTH_CODES: &[u16] = &[530, 534, 535, 538, 454];

fn classify(e: &lettre::transport::smtp::Error) -> Failure {
    let text = e.to_string();
    match e.status().map(u16::from) {
        Some(code) if AUTH_CODES.contains(&code) || code == 421 => Failure::Unreachable(text),
        Some(_) if e.is_permanent() => Failure::Refused(text),
        Some(_) if e.is_transient() => Failure::Deferred(text),
        _ => Failure::Unreachable(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_port_tls_and_credentials() {
        let t = Target::parse("smtp://mail.example.com", None).unwrap();
        assert_eq!((t.port, t.tls, t.user.as_deref()), (25, TlsMode::Opportunistic, None));
        let t = Target::parse("smtp://u%40x:p%3Aw@mail.example.com?tls=required", None).unwrap();
        assert_eq!((t.port, t.tls), (587, TlsMode::Required));
        assert_eq!((t.user.as_deref(), t.password.as_ref().map(Secret::expose)), (Some("u@x"), Some("p:w")));
        let t = Target::parse("smtp://127.0.0.1:2525?tls=off", None).unwrap();
        assert_eq!((t.host.as_str(), t.port, t.tls), ("127.0.0.1", 2525, TlsMode::Off));
        let t = Target::parse("smtps://bob@mail.example.com", Some("s3cret")).unwrap();
        assert_eq!((t.port, t.tls, t.password.as_ref().map(Secret::expose)), (465, TlsMode::Implicit, Some("s3cret")));
        assert!(!t.describe().contains("s3cret"));
        let t = Target::parse("smtps://bob:inurl@mail.example.com:4650", Some("env")).unwrap();
        assert_eq!((t.port, t.password.as_ref().map(Secret::expose)), (4650, Some("inurl")));
    }

    #[test]
    fn bad_urls_are_refused() {
        for bad in [
            "http://mail.example.com",
            "smtp://",
            "smtp://h?tls=maybe",
            "smtp://h?x=1",
            "smtps://h?tls=off",
            "smtp://h/path",
            "smtp://:pw@h",
            "not a url",
        ] {
            assert!(Target::parse(bad, None).is_err(), "{bad}");
        }
        assert!(Target::parse("smtp://h", Some("pw")).is_err(), "a password without a user");
    }
}
