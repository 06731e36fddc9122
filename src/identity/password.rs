//! Account passwords: the policy a new password must meet, and argon2id hashing and checking, run on the
//! blocking pool (one hash takes tens of milliseconds of CPU and ~19 MiB: on an async worker it would stall every
//! request sharing that thread).
//!
//! The policy is ASVS's (V6.2, 4.0.3 V2.1): 12 to 128 characters, no composition rules (they make passwords
//! more predictable, not stronger), refused when among the most common passwords or when it contains the
//! e-mail's local part. Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) that carry their own
//! parameters and a per-hash random salt, so a later change of [`PARAMS`] is noticed at the next sign-in and the
//! hash is remade then.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Fewest and most characters (Unicode scalar values) a password may have. The upper bound caps the work a
/// sign-in request can ask of the hash, and is far above what a person or a password manager uses.
pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// argon2id memory (KiB), iterations and lanes: OWASP's and ASVS's minimum (19 MiB, t=2, p=1).
pub const PARAMS: (u32, u32, u32) = (19_456, 2, 1);

/// The 20 000 most common passwords, one a line, lower case. Source: Django's
/// `django/contrib/auth/common-passwords.txt.gz` (Django 5.1.4 from PyPI, BSD-3-Clause), which is Royce
/// Williams' list compiled from breach corpora (https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce).
/// Shipped in the binary so that the check works offline.
static COMMON_TEXT: &str = include_str!("common-passwords.txt");

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| COMMON_TEXT.lines().map(str::trim).filter(|l| !l.is_empty()).collect());

/// How many passwords the shipped list holds.
pub fn common_list_len() -> usize {
    COMMON.len()
}

/// Why a new password is refused, as a person reads it.
pub fn policy_problem(password: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Some(format!("The password must have at least {MIN_CHARS} characters."));
    }
    if chars > MAX_CHARS {
        return Some(format!("The password must have at most {MAX_CHARS} characters."));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Some("This password is among the most common ones; choose another.".into());
    }
    let local = email.split('@').next().unwrap_or("").trim().to_lowercase();
    // A local part of one or two letters would refuse half of all passwords without making any weaker one go.
    if local.chars().count() >= 3 && lower.contains(&local) {
        return Some("The password must not contain your e-mail address's name.".into());
    }
    None
}

fn hasher() -> Argon2<'static> {
    let (m, t, p) = PARAMS;
    let params = Params::new(m, t, p, None).expect("PARAMS are valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `password` with a fresh salt (on the calling thread: use [`hash`] from async code).
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher().hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("argon2: {e}"))?.to_string())
}

/// [`hash_now`] on the blocking pool.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

/// What checking a password found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Wrong password, or no password set, or no such account: callers cannot and need not tell them apart.
    Wrong,
    /// Right; `rehashed` holds a new hash when the stored one was made with other parameters.
    Right { rehashed: Option<String> },
}

/// A hash of a password no one knows, checked when the account does not exist or has no password, so that such
/// a sign-in costs the same time as a wrong password.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash_now("orgd dummy password, never anyone's").expect("hashing a fixed password"));

/// Checks `password` against `stored` (a PHC string; `None`: no account or no password) on the blocking pool.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<Verdict> {
    tokio::task::spawn_blocking(move || verify_now(&password, stored.as_deref())).await?
}

fn verify_now(password: &str, stored: Option<&str>) -> anyhow::Result<Verdict> {
    let Some(stored) = stored else {
        let dummy = PasswordHash::new(&DUMMY).map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        let _ = hasher().verify_password(password.as_bytes(), &dummy);
        return Ok(Verdict::Wrong);
    };
    let Ok(parsed) = PasswordHash::new(stored) else {
        tracing::warn!("a stored password hash is not a PHC string; the sign-in is refused");
        return Ok(Verdict::Wrong);
    };
    // `verify_password` takes the algorithm, version and parameters from the stored hash, not from `hasher()`.
    if hasher().verify_password(password.as_bytes(), &parsed).is_err() {
        return Ok(Verdict::Wrong);
    }
    let rehashed = if is_current(&parsed) { None } else { Some(hash_now(password)?) };
    Ok(Verdict::Right { rehashed })
}

/// Whether a hash was made with today's algorithm, version and parameters.
fn is_current(h: &PasswordHash<'_>) -> bool {
    let (m, t, p) = PARAMS;
    let same_params = Params::try_from(h).is_ok_and(|x| (x.m_cost(), x.t_cost(), x.p_cost()) == (m, t, p));
    h.algorithm == Algorithm::Argon2id.ident() && h.version == Some(Version::V0x13.into()) && same_params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy() {
        let email = "ann.smith@example.com";
        assert!(policy_problem("short pass", email).unwrap().contains("at least 12"));
        assert!(policy_problem(&"x".repeat(129), email).unwrap().contains("at most 128"));
        assert!(policy_problem(&"é".repeat(12), email).is_none(), "characters, not bytes");
        assert!(policy_problem("12345678901234567890", email).unwrap().contains("common"));
        assert!(policy_problem("my ANN.SMITH password", email).unwrap().contains("e-mail"));
        assert!(policy_problem("correct horse battery staple", email).is_none());
        assert!(common_list_len() >= 10_000, "{}", common_list_len());
    }

    #[test]
    fn hashes_check_and_old_parameters_are_remade() {
        let h = hash_now("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_ne!(h, hash_now("correct horse battery staple").unwrap(), "a salt per hash");
        assert_eq!(verify_now("correct horse battery staple", Some(&h)).unwrap(), Verdict::Right { rehashed: None });
        assert_eq!(verify_now("wrong horse battery staple", Some(&h)).unwrap(), Verdict::Wrong);
        assert_eq!(verify_now("anything at all", None).unwrap(), Verdict::Wrong);
        assert_eq!(verify_now("anything at all", Some("not a hash")).unwrap(), Verdict::Wrong);
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap())
            .hash_password(b"correct horse battery staple", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        let Verdict::Right { rehashed: Some(new) } = verify_now("correct horse battery staple", Some(&old)).unwrap()
        else {
            panic!("an old hash is remade")
        };
        assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
    }
}
