//! Two-factor codes: TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of drift either way, which is
//! what authenticator apps implement) and single-use recovery codes. Pure rules; the store remembers the last
//! accepted step and the recovery codes' digests.

use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

/// Bytes of a new secret: 160 bits, RFC 4226's recommendation (ASVS 6.5.1 asks for at least 128, from a CSPRNG).
const SECRET_BYTES: usize = 20;
/// Seconds in a step.
pub const STEP_SECS: u64 = 30;
/// Recovery codes in a set.
pub const RECOVERY_CODES: usize = 10;
/// Random bytes in a recovery code: 120 bits, enough that an unsalted SHA-256 digest is fine (ASVS 6.5.2 wants a
/// salted hash below 112 bits).
const RECOVERY_BYTES: usize = 15;
/// The name authenticator apps show above the code.
const ISSUER: &str = "orgd";

/// A new secret in base32 (how it is stored, shown and put in the `otpauth://` URL).
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    Secret::new(Box::new(bytes)).to_base32()
}

fn totp(secret: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    // A colon would split issuer from account in the URL's label; e-mail addresses have none, but be sure.
    let account = account.replace(':', "");
    Builder::new().with_secret(secret).with_account_name(account).with_issuer(Some(ISSUER)).build().ok()
}

/// The `otpauth://totp/…` URL an authenticator app reads from the QR code; `None` for a malformed secret.
pub fn otpauth_url(secret: &str, account: &str) -> Option<String> {
    totp(secret, account)?.to_url().ok()
}

/// The code of `step` (for tests, and for the browser tests' counterpart in Python).
pub fn code_at(secret: &str, step: u64) -> Option<String> {
    Some(totp(secret, "")?.generate(step * STEP_SECS).to_string())
}

/// What a typed code proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A code of a step after the last one used: accepted; the store records `step` as the last one.
    Accepted {
        step: i64,
    },
    /// A right code, but of a step already used (or an earlier one): refused, and worth a log line (ASVS 6.5.5).
    Reused {
        step: i64,
    },
    Wrong,
}

/// Checks `code` against the steps around `unix_secs` (one before, the current, one after), accepting only a step
/// after `last_step`. Spaces in the code are ignored (apps show `123 456`).
pub fn check(secret: &str, code: &str, unix_secs: i64, last_step: Option<i64>) -> Check {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(totp) = totp(secret, "") else { return Check::Wrong };
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) || unix_secs < 0 {
        return Check::Wrong;
    }
    let now = unix_secs as u64 / STEP_SECS;
    let mut reused = None;
    for step in now.saturating_sub(1)..=now + 1 {
        if !same(&totp.generate(step * STEP_SECS).to_string(), &code) {
            continue;
        }
        let step = step as i64;
        if last_step.is_none_or(|last| step > last) {
            return Check::Accepted { step };
        }
        reused = Some(step);
    }
    reused.map_or(Check::Wrong, |step| Check::Reused { step })
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new set of recovery codes, as shown once: 24 base32 characters in groups of four (`abcd-efgh-…`).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_BYTES];
            OsRng.fill_bytes(&mut bytes);
            let plain = Secret::new(Box::new(bytes)).to_base32().to_lowercase();
            plain.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// Whether a typed value looks like a recovery code rather than a TOTP code (the sign-in form takes either).
pub fn is_recovery_code(typed: &str) -> bool {
    normalize(typed).len() == 24
}

/// The digest a recovery code is stored and looked up by; case, spaces and dashes do not matter.
pub fn recovery_digest(typed: &str) -> String {
    hex::encode(Sha256::digest(normalize(typed).as_bytes()))
}

fn normalize(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B's SHA-1 secret, "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc_6238_vectors() {
        // The RFC lists 8 digits; the 6-digit code is their last six.
        assert_eq!(code_at(RFC_SECRET, 59 / 30).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1111111109 / 30).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 2000000000 / 30).unwrap(), "279037");
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let secret = new_secret();
        assert_eq!(Secret::try_from_base32(&secret).unwrap().len(), 20, "160 bits");
        let t = 1_800_000_000i64;
        let step = t / 30;
        for (offset, ok) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(&secret, (step + offset) as u64).unwrap();
            let got = check(&secret, &code, t, None);
            assert_eq!(got == (Check::Accepted { step: step + offset }), ok, "offset {offset}: {got:?}");
        }
        assert_eq!(check(&secret, "12345", t, None), Check::Wrong);
        assert_eq!(check(&secret, "abcdef", t, None), Check::Wrong);
    }

    #[test]
    fn each_step_is_accepted_once() {
        let secret = new_secret();
        let t = 1_800_000_015i64;
        let step = t / 30;
        let code = code_at(&secret, step as u64).unwrap();
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(check(&secret, &spaced, t, Some(step - 1)), Check::Accepted { step });
        assert_eq!(check(&secret, &code, t, Some(step)), Check::Reused { step });
        assert_eq!(check(&secret, &code, t + 20, Some(step)), Check::Reused { step }, "still within the window");
        let earlier = code_at(&secret, step as u64 - 1).unwrap();
        assert_eq!(check(&secret, &earlier, t, Some(step)), Check::Reused { step: step - 1 }, "an earlier step");
        let next = code_at(&secret, step as u64 + 1).unwrap();
        assert_eq!(check(&secret, &next, t + 30, Some(step)), Check::Accepted { step: step + 1 });
    }

    #[test]
    fn otpauth_url_names_the_account_and_issuer() {
        let url = otpauth_url(RFC_SECRET, "ann@example.com").unwrap();
        assert!(url.starts_with("otpauth://totp/orgd:ann%40example.com?"), "{url}");
        assert!(url.contains(&format!("secret={RFC_SECRET}")) && url.contains("issuer=orgd"), "{url}");
        assert!(otpauth_url("not base32!", "a@b.c").is_none());
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), 10);
        let c = &codes[0];
        assert_eq!(c.len(), 29, "{c}");
        assert!(is_recovery_code(c) && !is_recovery_code("123456"));
        assert_eq!(recovery_digest(c), recovery_digest(&format!(" {} ", c.to_uppercase().replace('-', " "))));
        assert_ne!(recovery_digest(c), recovery_digest(&codes[1]));
    }
}
