//! Entity ids as clients write them in paths and queries.

/// A positive integer written with digits only: `+1`, ` 1`, `01e2` or `0` are not ids even where Rust's parser
/// would take them.
pub fn parse(raw: &str) -> Option<i64> {
    let digits = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    raw.parse::<i64>().ok().filter(|n| *n >= 1 && digits)
}

/// Declares an id newtype: the `i64` the database and the wire hold, with a name saying what it identifies, so that
/// a user id cannot be passed where a team id is meant. Transparent to sqlx and serde: bound, read and written as
/// the number itself.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An organization's id.
    OrgId
);
id_type!(
    /// A user's id.
    UserId
);
id_type!(
    /// A team's id.
    TeamId
);
id_type!(
    /// A role's id (`users_role_id`: organization and team roles share one numbering, see `domain::roles`).
    RoleId
);

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_positive_digit_strings_are_ids() {
        assert_eq!(parse("42"), Some(42));
        assert_eq!(parse("007"), Some(7));
        for bad in ["", "0", "-1", "+1", " 1", "1 ", "1e3", "x", "99999999999999999999"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
