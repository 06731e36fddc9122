//! Outgoing e-mail: messages are queued in the outbox inside the transaction of the change that causes them,
//! and the worker (`worker`) started by `orgd serve` renders (`templates`) and sends (`smtp`) them afterwards.

pub mod account;
pub mod smtp;
pub mod templates;
pub mod worker;

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use crate::config::Config;

/// Everything the worker needs from the settings.
#[derive(Clone)]
pub struct Settings {
    /// `None`: no SMTP server configured; messages wait in the outbox.
    pub smtp: Option<smtp::Smtp>,
    pub from: Mailbox,
    /// Starts every link, without a trailing slash.
    pub public_url: String,
    pub max_attempts: i64,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub poll_interval: Duration,
    pub timeout: Duration,
}

impl Settings {
    /// From the configuration; `public_url` is the configured one or the one `serve` derived.
    pub fn from_config(config: &Config, public_url: String) -> anyhow::Result<Settings> {
        let timeout = Duration::from_secs(config.mail_timeout_secs.max(1));
        let smtp = match config.smtp_url.as_deref().filter(|u| !u.is_empty()) {
            None => None,
            Some(url) => {
                let target = smtp::Target::parse(url, config.smtp_password.as_ref().map(crate::config::Secret::expose))
                    .map_err(anyhow::Error::msg)?;
                let ca = match config.smtp_ca_file.as_deref().filter(|f| !f.is_empty()) {
                    Some(f) => Some(std::fs::read(f).with_context(|| format!("reading smtp_ca_file {f}"))?),
                    None => None,
                };
                Some(smtp::Smtp::new(&target, ca.as_deref(), timeout)?)
            }
        };
        Ok(Settings {
            smtp,
            from: config.mail_from.parse().map_err(|e| anyhow::anyhow!("mail_from: {e}"))?,
            public_url: public_url.trim_end_matches('/').to_string(),
            max_attempts: config.mail_max_attempts.max(1),
            backoff_base: Duration::from_millis(config.mail_backoff_base_ms.max(1)),
            backoff_max: Duration::from_millis(config.mail_backoff_max_ms.max(config.mail_backoff_base_ms).max(1)),
            poll_interval: Duration::from_millis(config.mail_poll_interval_ms.max(10)),
            timeout,
        })
    }
}

/// The e-mail of a rendered message. The recipient is an address alone (no display name) and the sender the
/// configured one, so no name reaches a header but the subject, which lettre encodes. The Message-ID stays the
/// same when a message is sent again, so a receiver can drop the copy of a delivery that was not recorded.
pub fn build(
    from: &Mailbox,
    id: i64,
    created_ms: i64,
    recipient: &str,
    r: templates::Rendered,
) -> Result<Message, String> {
    let to: Address = recipient.parse().map_err(|e| format!("invalid recipient address: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(r.subject)
        .message_id(Some(format!("<orgd.outbox.{id}.{created_ms}@{}>", from.email.domain())))
        .multipart(MultiPart::alternative_plain_html(r.text, r.html))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_hold_no_names_and_the_message_id_is_stable() {
        let from: Mailbox = "orgd@localhost".parse().unwrap();
        let r = templates::Rendered {
            subject: "Evil Bcc: x@example.com".into(),
            text: "a\nBcc: y@example.com\n".into(),
            html: "<p>a</p>".into(),
        };
        let m = build(&from, 7, 1234, "ann@example.com", r.clone()).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        let (head, _) = raw.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("To: ann@example.com\r\n") && head.contains("From: orgd@localhost\r\n"), "{head}");
        assert!(head.contains("Message-ID: <orgd.outbox.7.1234@localhost>"), "{head}");
        assert!(!head.to_lowercase().contains("\r\nbcc:"), "{head}");
        assert!(build(&from, 7, 1234, "not an address", r.clone()).is_err());
        assert!(build(&from, 7, 1234, "a@b\r\nBcc: c@d", r).is_err());
    }
}
