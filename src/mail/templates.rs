//! The messages orgd sends, from the templates in `templates/mail/` (one plain-text and one HTML file per
//! message, compiled into the binary). A template has `{{name}}` placeholders and `{{#name}}…{{/name}}` sections
//! shown only when the value is not empty. Values are cleaned of control characters, and HTML-escaped in the
//! HTML part; the subject (the text template's first line) is folded to one line, and names reach no other header.

use chrono::DateTime;
use serde_json::Value;

use super::account;
use crate::domain::{roles, timezones};
use crate::store::outbox::{ACCOUNT_EXISTS, CREDENTIAL_CHANGED, INVITATION, NEW_OWNER, PASSWORD_RESET, SIGNUP};

const INVITATION_TXT: &str = include_str!("../../templates/mail/invitation.txt");
const INVITATION_HTML: &str = include_str!("../../templates/mail/invitation.html");
const NEW_OWNER_TXT: &str = include_str!("../../templates/mail/new_owner.txt");
const NEW_OWNER_HTML: &str = include_str!("../../templates/mail/new_owner.html");
const RESET_TXT: &str = include_str!("../../templates/mail/password_reset.txt");
const RESET_HTML: &str = include_str!("../../templates/mail/password_reset.html");
const SIGNUP_TXT: &str = include_str!("../../templates/mail/signup.txt");
const SIGNUP_HTML: &str = include_str!("../../templates/mail/signup.html");
const EXISTS_TXT: &str = include_str!("../../templates/mail/account_exists.txt");
const EXISTS_HTML: &str = include_str!("../../templates/mail/account_exists.html");
const CHANGED_TXT: &str = include_str!("../../templates/mail/credential_changed.txt");
const CHANGED_HTML: &str = include_str!("../../templates/mail/credential_changed.html");

/// Longest subject, in characters.
const MAX_SUBJECT_CHARS: usize = 150;

/// A message ready to be put into an e-mail.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders a queued message of `kind` with its stored parameters; `public_url` (without a trailing slash)
/// starts every link.
pub fn render(kind: &str, params: &Value, public_url: &str) -> Result<Rendered, String> {
    let (txt, html, values) = match kind {
        INVITATION => (INVITATION_TXT, INVITATION_HTML, invitation_values(params, public_url)?),
        NEW_OWNER => (NEW_OWNER_TXT, NEW_OWNER_HTML, new_owner_values(params, public_url)?),
        PASSWORD_RESET => (RESET_TXT, RESET_HTML, account::link_values(params, public_url, "reset")?),
        SIGNUP => (SIGNUP_TXT, SIGNUP_HTML, account::link_values(params, public_url, "signup")?),
        ACCOUNT_EXISTS => (EXISTS_TXT, EXISTS_HTML, account::account_exists_values(params, public_url)?),
        CREDENTIAL_CHANGED => (CHANGED_TXT, CHANGED_HTML, account::credential_values(params, public_url)?),
        other => return Err(format!("unknown message kind '{other}'")),
    };
    // The subject line is filled on its own, so a line break in a value cannot end it early.
    let (first, body) = txt.split_once('\n').ok_or("a text template starts with its subject line")?;
    let subject = first.strip_prefix("Subject: ").ok_or("a text template starts with 'Subject: '")?;
    Ok(Rendered {
        subject: one_line(&fill(subject, &values, false)?),
        text: fill(body.trim_start_matches('\n'), &values, false)?,
        html: fill(html, &values, true)?,
    })
}

fn text(params: &Value, key: &str) -> String {
    match &params[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn person(name: &str, email: &str) -> String {
    format!("{name} ({email})")
}

fn invitation_values(p: &Value, public_url: &str) -> Result<Vec<(&'static str, String)>, String> {
    let expires = DateTime::parse_from_rfc3339(&text(p, "expiresAt")).map_err(|e| format!("expiresAt: {e}"))?;
    let zone = p["timezoneId"].as_i64().and_then(timezones::by_id);
    let tz = zone.map(|z| z.tz).unwrap_or(chrono_tz::UTC);
    let local = expires.with_timezone(&tz);
    let role = p["usersRoleId"].as_i64().and_then(roles::org_role).map(|r| r.name).unwrap_or("a member");
    Ok(vec![
        ("organization", text(p, "organizationName")),
        ("inviter", person(&text(p, "inviterName"), &text(p, "inviterEmail"))),
        ("inviter_name", text(p, "inviterName")),
        ("invitee", text(p, "inviteeName")),
        ("role", role.to_string()),
        ("note", text(p, "note")),
        ("expires", local.format("%A, %-d %B %Y, %H:%M %Z").to_string()),
        ("timezone", tz.name().to_string()),
        ("hash", text(p, "hash")),
        // The console's join page: organization, inviter and role; a new account chooses its name and password
        // there, an existing one signs in. The hash travels in the fragment, which browsers never send.
        ("accept_url", format!("{public_url}/console/#/join/{}", text(p, "hash"))),
        ("api_url", format!("{public_url}/api/v2/organizations/accept-invitation")),
        ("invitations_url", format!("{public_url}/api/v2/users/me/organization-invitations")),
        ("public_url", public_url.to_string()),
    ])
}

fn new_owner_values(p: &Value, public_url: &str) -> Result<Vec<(&'static str, String)>, String> {
    let org_id = p["organizationId"].as_i64().ok_or("organizationId missing")?;
    Ok(vec![
        ("organization", text(p, "organizationName")),
        ("new_owner", text(p, "newOwnerName")),
        ("previous_owner", person(&text(p, "previousOwnerName"), &text(p, "previousOwnerEmail"))),
        ("previous_owner_name", text(p, "previousOwnerName")),
        ("organization_url", format!("{public_url}/console/#/orgs/{org_id}")),
        ("organization_api_url", format!("{public_url}/api/v2/organizations/{org_id}")),
        ("public_url", public_url.to_string()),
    ])
}

/// Removes control characters but line breaks (and tabs), with every line break as `\n`.
fn clean(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// One line of at most `MAX_SUBJECT_CHARS`: control characters and runs of white space become one space.
fn one_line(s: &str) -> String {
    let flat: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let joined = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(MAX_SUBJECT_CHARS) {
        Some((i, _)) => format!("{}…", &joined[..i]),
        None => joined,
    }
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Fills a template: sections first, then placeholders, in one pass over the template, so a value is never
/// read as template text. An unknown name is an error (caught by the tests for every template).
fn fill(template: &str, values: &[(&str, String)], html: bool) -> Result<String, String> {
    let value = |name: &str| {
        values.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()).ok_or(format!("unknown name '{name}'"))
    };
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or("unclosed {{")?;
        let tag = &after[..end];
        rest = &after[end + 2..];
        if let Some(name) = tag.strip_prefix('#') {
            let close = format!("{{{{/{name}}}}}");
            let inner_end = rest.find(&close).ok_or(format!("section '{name}' is not closed"))?;
            let inner = &rest[..inner_end];
            let inner = inner.strip_prefix('\n').unwrap_or(inner);
            rest = &rest[inner_end + close.len()..];
            if !value(name)?.trim().is_empty() {
                out.push_str(&fill(inner, values, html)?);
            }
            // The lines of the section's tags go with them.
            rest = rest.strip_prefix('\n').unwrap_or(rest);
        } else {
            let v = clean(value(tag)?);
            out.push_str(&if html { escape_html(&v) } else { v });
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invitation(org: &str, note: Option<&str>) -> Value {
        json!({"organizationId": 1, "organizationName": org, "inviterName": "Olga Owner",
               "inviterEmail": "olga@example.com", "inviteeName": "Ann", "usersRoleId": 12,
               "hash": "0f8a52c4-8d56-4d2e-9f4e-0c2a3b4c5d6e", "expiresAt": "2026-12-11T13:00:00+00:00",
               "timezoneId": 113, "note": note})
    }

    #[test]
    fn the_invitation_names_the_organization_role_expiry_and_how_to_accept() {
        let r = render(INVITATION, &invitation("Acme", None), "https://orgd.example.com").unwrap();
        assert_eq!(r.subject, "Olga Owner invited you to Acme");
        for part in [&r.text, &r.html] {
            assert!(part.contains("Acme") && part.contains("Admin") && part.contains("Olga Owner"), "{part}");
            assert!(part.contains("Friday, 11 December 2026, 14:00 CET") && part.contains("Europe/Prague"), "{part}");
            assert!(part.contains("https://orgd.example.com/console/#/join/0f8a52c4-8d56"), "{part}");
            assert!(part.contains("https://orgd.example.com/api/v2/organizations/accept-invitation"), "{part}");
            assert!(part.contains("0f8a52c4-8d56-4d2e-9f4e-0c2a3b4c5d6e"), "{part}");
            assert!(!part.contains("{{") && !part.contains("message to you"), "no empty note section: {part}");
        }
        assert!(r.text.starts_with("Hello Ann,"));
    }

    #[test]
    fn names_and_notes_cannot_inject_headers_or_markup() {
        let evil = "Evil\r\nBcc: victim@example.com\r\n\r\n<script>alert(1)</script> & \"co\"";
        let r = render(INVITATION, &invitation(evil, Some("Hi <b>there</b>\r\nX-Injected: 1")), "http://h").unwrap();
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'), "{:?}", r.subject);
        assert!(r.subject.contains("Evil Bcc: victim@example.com <script>"), "{:?}", r.subject);
        assert!(!r.html.contains("<script>") && !r.html.contains("<b>there"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"), "{}", r.html);
        assert!(r.html.contains("Hi &lt;b&gt;there&lt;/b&gt;\nX-Injected: 1"), "{}", r.html);
        assert!(!r.text.contains('\r') && r.text.contains("Hi <b>there</b>\nX-Injected: 1"), "{}", r.text);
        assert_eq!(one_line(&"x".repeat(400)).chars().count(), MAX_SUBJECT_CHARS + 1);
    }

    #[test]
    fn the_new_owner_message_names_the_previous_owner() {
        let p = json!({"organizationId": 7, "organizationName": "Acme", "previousOwnerName": "Olga",
                       "previousOwnerEmail": "olga@example.com", "newOwnerName": "Ann"});
        let r = render(NEW_OWNER, &p, "http://127.0.0.1:8080").unwrap();
        assert_eq!(r.subject, "You are now the Owner of Acme");
        assert!(r.text.contains("Olga (olga@example.com) transferred") && r.text.contains("Hello Ann,"));
        assert!(r.html.contains("http://127.0.0.1:8080/api/v2/organizations/7"));
    }

    #[test]
    fn the_reset_message_links_to_the_console_and_a_scrubbed_one_is_refused() {
        let p = json!({"name": "Ann", "token": "ab12", "expiresMs": 1_796_994_000_000_i64});
        let r = render(PASSWORD_RESET, &p, "https://o.example").unwrap();
        assert_eq!(r.subject, "Reset your orgd password");
        for part in [&r.text, &r.html] {
            assert!(part.contains("https://o.example/console/#/reset/ab12") && part.contains("Ann"), "{part}");
            assert!(part.contains("13:00 UTC on 11 December 2026"), "{part}");
        }
        assert!(render(PASSWORD_RESET, &json!({}), "https://o.example").is_err());
    }

    #[test]
    fn the_sign_up_message_links_to_the_console_and_a_scrubbed_one_is_refused() {
        let p = json!({"name": "ann", "token": "cd34", "expiresMs": 1_796_994_000_000_i64});
        let r = render(SIGNUP, &p, "https://o.example").unwrap();
        assert_eq!(r.subject, "Create your orgd account");
        for part in [&r.text, &r.html] {
            assert!(part.contains("https://o.example/console/#/signup/cd34"), "{part}");
            assert!(part.contains("13:00 UTC on 11 December 2026"), "{part}");
        }
        assert!(render(SIGNUP, &json!({"expiresMs": 1}), "https://o.example").is_err());
        let r = render(ACCOUNT_EXISTS, &json!({"name": "Ann"}), "https://o.example").unwrap();
        assert_eq!(r.subject, "You already have an orgd account");
        assert!(r.text.contains("https://o.example/console/#/reset") && r.text.contains("Hello Ann,"));
    }

    #[test]
    fn a_credential_notice_says_what_changed_and_when_and_nothing_secret() {
        let p = json!({"name": "Ann", "change": "tfa_off_operator", "atMs": 1_796_994_000_000_i64});
        let r = render(CREDENTIAL_CHANGED, &p, "https://o.example").unwrap();
        assert_eq!(r.subject, "Your orgd account: two-factor off");
        for part in [&r.text, &r.html] {
            assert!(part.contains("operator of this orgd server turned your two-factor"), "{part}");
            assert!(part.contains("13:00 UTC on 11 December 2026"), "{part}");
            assert!(part.contains("https://o.example/console/#/reset"), "{part}");
        }
        assert!(render(CREDENTIAL_CHANGED, &json!({"change": "nope", "atMs": 1}), "http://h").is_err());
    }

    #[test]
    fn unknown_kinds_and_names_are_errors() {
        assert!(render("spam", &json!({}), "http://h").is_err());
        assert!(fill("{{nope}}", &[], false).is_err());
        assert!(fill("{{#a}}x", &[("a", "1".into())], false).is_err());
        assert_eq!(fill("a{{#b}}B{{/b}}c", &[("b", String::new())], false).unwrap(), "ac");
    }
}
