//! Entity ids as clients write them in paths and queries.

/// A positive integer written with digits only: `+1`, ` 1`, `01e2` or `0` are not ids even where Rust's parser
/// would take them.
pub fn parse(raw: &str) -> Option<i64> {
    let digits = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    raw.parse::<i64>().ok().filter(|n| *n >= 1 && digits)
}

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
