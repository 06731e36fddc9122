//! API-token scopes (the names Make's token scope catalogue uses) and what each endpoint accepts, synonyms included.

/// Scopes a token can carry. The catalogue spelling and the endpoint-page spelling are both accepted.
pub static KNOWN: &[&str] = &[
    "organizations:read",
    "organizations:write",
    "organization:read",
    "organizations-variables:read",
    "organizations-variables:write",
    "organization-variables:read",
    "organization-variables:write",
    "teams:read",
    "teams:write",
    "user:read",
    "user:write",
    "admin:read",
    "admin:write",
    "private-spaces:read",
    "private-spaces:write",
];

/// What `orgd users add` grants without `--scopes`: every scope except the administrator ones.
pub static DEFAULT_USER: &[&str] = &[
    "organizations:read",
    "organizations:write",
    "organizations-variables:read",
    "organizations-variables:write",
    "teams:read",
    "teams:write",
    "user:read",
    "user:write",
    "private-spaces:read",
    "private-spaces:write",
];

/// What the bootstrap administrator's token holds.
pub static ADMIN: &[&str] = &[
    "organizations:read",
    "organizations:write",
    "organizations-variables:read",
    "organizations-variables:write",
    "teams:read",
    "teams:write",
    "user:read",
    "user:write",
    "admin:read",
    "admin:write",
    "private-spaces:read",
    "private-spaces:write",
];

/// The scope requirement of an endpoint: a token needs any one of `ANY_OF`.
pub trait Requirement: Send + Sync + 'static {
    const ANY_OF: &'static [&'static str];
}

macro_rules! requirements {
    ($($(#[$doc:meta])* $name:ident = [$($s:literal),+];)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl Requirement for $name {
            const ANY_OF: &'static [&'static str] = &[$($s),+];
        }
    )*};
}

requirements! {
    /// `organizations:read`.
    OrgsRead = ["organizations:read"];
    /// `organizations:write`.
    OrgsWrite = ["organizations:write"];
    /// `POST /organizations`: `organizations:write`, or `admin:write` as Make's docs also list.
    OrgsCreate = ["organizations:write", "admin:write"];
    /// The singular `organization:read` of the endpoint pages, satisfied by the plural too.
    OrgRead = ["organization:read", "organizations:read"];
    /// `PATCH /organizations/{organizationId}/feature-controls`, a write Make documents with a read scope: either
    /// kind of client succeeds.
    FeatureControlsWrite = ["organizations:write", "organization:read"];
    /// Organization variables, both spellings.
    VarsRead = ["organization-variables:read", "organizations-variables:read"];
    VarsWrite = ["organization-variables:write", "organizations-variables:write"];
    UserRead = ["user:read"];
    UserWrite = ["user:write"];
    TeamsRead = ["teams:read"];
    TeamsWrite = ["teams:write"];
    PrivateSpacesRead = ["private-spaces:read"];
    PrivateSpacesWrite = ["private-spaces:write"];
}

/// The catalogue spelling of a scope, so that the endpoint-page spellings compare equal to it.
pub fn canonical(scope: &str) -> &str {
    match scope {
        "organization:read" => "organizations:read",
        "organization-variables:read" => "organizations-variables:read",
        "organization-variables:write" => "organizations-variables:write",
        other => other,
    }
}

/// Parses a comma-separated scope list, refusing unknown names.
pub fn parse_list(s: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if !KNOWN.contains(&part) {
            return Err(format!("unknown scope '{part}' (known: {})", KNOWN.join(", ")));
        }
        if !out.iter().any(|o| o == part) {
            out.push(part.to_string());
        }
    }
    if out.is_empty() {
        return Err("at least one scope is required".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_dedupe() {
        assert_eq!(parse_list("teams:read, teams:read,user:read").unwrap(), ["teams:read", "user:read"]);
        assert!(parse_list("teams:read,nope").is_err());
        assert!(parse_list(" , ").is_err());
    }

    #[test]
    fn spellings_name_known_scopes() {
        for s in KNOWN {
            assert!(KNOWN.contains(&canonical(s)), "{s}");
        }
    }

    #[test]
    fn defaults_are_known_scopes() {
        for s in DEFAULT_USER.iter().chain(ADMIN) {
            assert!(KNOWN.contains(s));
        }
    }
}
