//! What the subcommands do, and the first-start bootstrap of `serve`.

use std::sync::Arc;

use anyhow::{bail, Context};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use uuid::Uuid;

use crate::auth;
use crate::cli::{OutboxFormat, OutboxStatus};
use crate::config::Config;
use crate::domain::email::Email;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::names::Name;
use crate::domain::{countries, scopes, timezones};
use crate::identity;
use crate::mail::account::{self, CredentialChange};
use crate::store::models::{NewUser, UsageTotals, User};
use crate::store::sessions::EndSessions;
use crate::store::{self, clock, Store, StoreError};

/// Opens the configured store (and applies migrations unless told not to).
pub async fn open_store(config: &Config, migrate: bool) -> anyhow::Result<Arc<dyn Store>> {
    let opts = store::Options {
        max_connections: config.max_connections,
        acquire_timeout: std::time::Duration::from_secs(config.acquire_timeout_secs.max(1)),
        replicas: store::replica::ReplicaOptions {
            urls: config.database_replicas.0.iter().map(|u| u.to_string()).collect(),
            max_lag: std::time::Duration::from_millis(config.replica_max_lag_ms),
            probe_interval: std::time::Duration::from_millis(config.replica_probe_interval_ms),
        },
        read_model_max_orgs: config.read_model_max_orgs,
    };
    let store = store::open(&config.database_url, &opts)
        .await
        .with_context(|| format!("opening {}", crate::config::redact_url(&config.database_url)))?;
    if migrate {
        store.migrate().await.context("applying migrations")?;
    }
    Ok(store)
}

/// On a database without users: creates the administrator and its token. Returns the token when it was
/// generated here (the caller prints it once).
pub async fn bootstrap(store: &dyn Store, config: &Config) -> anyhow::Result<Option<Uuid>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let email = Email::parse(&config.bootstrap_email).map_err(anyhow::Error::msg).context("ORGD_BOOTSTRAP_EMAIL")?;
    let (token, generated) = match &config.bootstrap_token {
        Some(t) => {
            let u = Uuid::try_parse(t.expose().trim()).context("ORGD_BOOTSTRAP_TOKEN must be a UUID")?;
            if u.get_version_num() != 4 {
                bail!("ORGD_BOOTSTRAP_TOKEN must be a UUIDv4 (the official SDK sends other shapes as Bearer)");
            }
            (u, false)
        }
        None => (auth::new_token(), true),
    };
    let now = clock::now();
    let (user, _) = store
        .ensure_user(NewUser {
            email: email.as_str().to_string(),
            name: "Administrator".into(),
            timezone_id: timezones::utc_id(),
            country_id: 1,
            is_admin: true,
            tfa_enabled: false,
            now,
        })
        .await?;
    let scopes: Vec<String> = scopes::ADMIN.iter().map(|s| s.to_string()).collect();
    match store.issue_token(UserId(user.id), &auth::digest(&token), &scopes, now).await {
        // Another node starting at the same moment stored the same configured token first.
        Err(StoreError::Conflict(_)) if !generated => return Ok(None),
        other => other?,
    };
    tracing::info!(user.email = %user.email, "created the bootstrap administrator");
    Ok(generated.then_some(token))
}

/// `orgd users add`: returns the new token.
pub async fn users_add(
    store: &dyn Store,
    email: &str,
    name: &str,
    scope_list: Option<&str>,
    tfa: bool,
    timezone: &str,
) -> anyhow::Result<Uuid> {
    let email = Email::parse(email).map_err(anyhow::Error::msg)?;
    let name = Name::parse("name", name).map_err(anyhow::Error::msg)?;
    let scopes = match scope_list {
        Some(s) => scopes::parse_list(s).map_err(anyhow::Error::msg)?,
        None => scopes::DEFAULT_USER.iter().map(|s| s.to_string()).collect(),
    };
    let zone = timezones::by_code(timezone).with_context(|| format!("unknown timezone '{timezone}'"))?;
    let now = clock::now();
    let (user, _) = store
        .ensure_user(NewUser {
            email: email.as_str().to_string(),
            name: name.into_string(),
            timezone_id: zone.id,
            country_id: countries::by_id(1).map(|c| c.id).unwrap_or(1),
            is_admin: false,
            tfa_enabled: tfa,
            now,
        })
        .await?;
    let token = auth::new_token();
    store.issue_token(UserId(user.id), &auth::digest(&token), &scopes, now).await?;
    Ok(token)
}

/// `orgd tokens revoke`.
pub async fn tokens_revoke(store: &dyn Store, token: &str) -> anyhow::Result<()> {
    let token = Uuid::try_parse(token.trim()).context("a token is a UUID")?;
    if !store.revoke_token(&auth::digest(&token), clock::now()).await? {
        bail!("no live token matches");
    }
    Ok(())
}

/// `orgd usage add`: books the amounts at `time` (local, default noon) of `date` in the organization's timezone.
pub async fn usage_add(
    store: &dyn Store,
    org_id: i64,
    date: NaiveDate,
    time: Option<NaiveTime>,
    amounts: UsageTotals,
) -> anyhow::Result<()> {
    let at = booking_instant(store, org_id, date, time, &amounts).await?;
    store.add_usage(OrgId(org_id), at, amounts, clock::now()).await?;
    Ok(())
}

/// `orgd usage add --private-space ID`: as [`usage_add`], booked to the organization's private space `space_id`
/// too (the organization's total includes its spaces').
pub async fn usage_add_to_space(
    store: &dyn Store,
    org_id: i64,
    space_id: i64,
    date: NaiveDate,
    time: Option<NaiveTime>,
    amounts: UsageTotals,
) -> anyhow::Result<()> {
    let at = booking_instant(store, org_id, date, time, &amounts).await?;
    store.add_space_usage(OrgId(org_id), space_id, at, amounts, clock::now()).await?;
    Ok(())
}

/// The instant usage is booked at: `time` (local, default noon) of `date` in the organization's timezone, once
/// the amounts and the day are checked.
async fn booking_instant(
    store: &dyn Store,
    org_id: i64,
    date: NaiveDate,
    time: Option<NaiveTime>,
    amounts: &UsageTotals,
) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    if [amounts.operations, amounts.data_transfer, amounts.centicredits].iter().any(|a| *a < 0) {
        bail!("usage amounts must not be negative");
    }
    let org = store.org_by_id(OrgId(org_id)).await?.with_context(|| format!("organization {org_id} not found"))?;
    let tz = timezones::by_id(org.timezone_id).map(|z| z.tz).unwrap_or(chrono_tz::UTC);
    let local = date.and_time(time.unwrap_or(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()));
    let at = timezones::instant_at(tz, local).context("invalid local time")?;
    if at > clock::now() + chrono::Duration::days(1) {
        bail!("usage cannot be booked in the future");
    }
    Ok(at)
}

/// `orgd audit export`: the organization's log, oldest first, one entry (with its detail) per line on `out`.
/// `since` is a day in the organization's timezone (UTC once the organization is gone).
pub async fn audit_export(
    store: &dyn Store,
    org_id: i64,
    since: Option<NaiveDate>,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<u64> {
    use crate::api::audit::dto::AuditLogWithDetail;
    use crate::store::audit::{Query, Scope};
    let tz = match store.org_by_id(OrgId(org_id)).await? {
        Some(org) => timezones::by_id(org.timezone_id).map(|z| z.tz).unwrap_or(chrono_tz::UTC),
        None => chrono_tz::UTC,
    };
    let mut q = Query::new(Scope::Organization(org_id), 1_000);
    q.newest_first = false;
    q.from_ms = since
        .and_then(|d| tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()).earliest())
        .map(|t| t.timestamp_millis());
    let mut written = 0;
    loop {
        let page = store.audit_page(&q).await?;
        for e in &page {
            writeln!(out, "{}", serde_json::to_string(&AuditLogWithDetail::from(e))?)?;
        }
        written += page.len() as u64;
        match page.last() {
            Some(last) if page.len() as i64 == q.limit => q.after = Some((last.triggered_ms, last.uuid.clone())),
            _ => break,
        }
    }
    out.flush()?;
    Ok(written)
}

/// `orgd outbox list`: messages newest first, as a table or as JSON lines.
pub async fn outbox_list(
    store: &dyn Store,
    status: Option<OutboxStatus>,
    format: OutboxFormat,
    limit: i64,
    out: &mut (dyn std::io::Write + Send),
) -> anyhow::Result<()> {
    let messages = store.outbox_list(status.map(OutboxStatus::as_str), limit.clamp(1, 100_000)).await?;
    if format == OutboxFormat::Jsonl {
        for m in &messages {
            writeln!(out, "{}", m.to_json())?;
        }
    } else {
        let rows: Vec<[String; 8]> = messages
            .iter()
            .map(|m| {
                let v = m.to_json();
                let when = |k: &str| v[k].as_str().map(|s| s[..19].replace('T', " ")).unwrap_or_default();
                let error: String = m.last_error.as_deref().unwrap_or("").chars().take(60).collect();
                [
                    m.id.to_string(),
                    m.status.clone(),
                    m.kind.clone(),
                    m.organization_id.map(|o| o.to_string()).unwrap_or_default(),
                    m.recipient.clone(),
                    m.attempts.to_string(),
                    if m.status == "sent" { when("sentAt") } else { when("nextAttemptAt") },
                    error.replace(['\r', '\n'], " "),
                ]
            })
            .collect();
        let head = ["ID", "STATUS", "KIND", "ORG", "RECIPIENT", "ATTEMPTS", "SENT / NEXT (UTC)", "LAST ERROR"];
        let mut widths = head.map(str::len);
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: Vec<&str>| {
            let padded: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
            padded.join("  ").trim_end().to_string()
        };
        writeln!(out, "{}", line(head.to_vec()))?;
        for r in &rows {
            writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
        }
    }
    out.flush()?;
    Ok(())
}

/// `orgd outbox retry ID…`: each failed (or waiting) message becomes due now with its attempts reset.
pub async fn outbox_retry(store: &dyn Store, ids: &[i64]) -> anyhow::Result<()> {
    for &id in ids {
        match store.outbox_retry(id, clock::now().timestamp_millis()).await?.as_deref() {
            None => bail!("no message {id} in the outbox"),
            Some("failed" | "pending") => {}
            Some(status) => bail!("message {id} is {status}; only failed or pending messages are sent again"),
        }
    }
    Ok(())
}

/// The user with that e-mail, or an error naming it.
async fn user_by_email(store: &dyn Store, email: &str) -> anyhow::Result<User> {
    match store.user_with_password(email).await? {
        Some((user, _)) => Ok(user),
        None => anyhow::bail!("no user has the e-mail {email}"),
    }
}

/// `orgd users password`: sets the console password (`line` as read from stdin, without its line ending) after
/// the policy every password meets, and ends the user's sessions. Returns how many ended.
pub async fn users_password(store: &dyn Store, email: &str, line: &str) -> anyhow::Result<u64> {
    let (user, before) =
        store.user_with_password(email).await?.with_context(|| format!("no user has the e-mail {email}"))?;
    let password = line.trim_end_matches(['\r', '\n']);
    if let Some(problem) = identity::password::policy_problem(password, &user.email) {
        anyhow::bail!("{problem}");
    }
    let hash = identity::password::hash(password.to_owned()).await?;
    let ended = store.set_password(UserId(user.id), &hash, EndSessions::All).await?;
    tracing::info!(user.id = user.id, sessions.ended = ended, "password set by the operator");
    // A first password is no change to tell of; replacing one is.
    if before.is_some() {
        account::notify(store, &user, CredentialChange::PasswordByOperator, clock::now()).await;
    }
    Ok(ended)
}

/// `orgd users tfa --email E on|off`: records whether the user has two-factor; off is the audited reset for a lost
/// authenticator, and the person hears of it by mail.
pub async fn users_tfa(store: &dyn Store, email: &str, on: bool) -> anyhow::Result<()> {
    let user = user_by_email(store, email).await?;
    if !store.set_user_tfa(&user.email, on).await? {
        bail!("no user has the e-mail {email}");
    }
    if !on && user.tfa_enabled {
        account::notify(store, &user, CredentialChange::TwoFactorOffByOperator, clock::now()).await;
    }
    Ok(())
}

/// `orgd sessions revoke`: ends every console session of the user; how many ended.
pub async fn sessions_revoke(store: &dyn Store, email: &str) -> anyhow::Result<u64> {
    let user = user_by_email(store, email).await?;
    let ended = store.end_sessions_of(UserId(user.id), EndSessions::All).await?;
    tracing::info!(user.id = user.id, sessions.ended = ended, "sessions revoked by the operator");
    Ok(ended)
}
