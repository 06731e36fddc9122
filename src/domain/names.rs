//! Organization and person names: which characters they may contain and how long they may be.

/// Longest accepted name, in characters (Make's documentation names none; docs/compatibility.md).
pub const MAX_NAME_CHARS: usize = 128;

/// A name that passed the name rules: Unicode letters and digits, spaces and `' - . ( ) * + , @ _ /`, not starting or
/// ending with a space, 1–128 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(field: &str, s: &str) -> Result<Name, String> {
        if s.is_empty() {
            return Err(format!("{field} must not be empty"));
        }
        if s.chars().count() > MAX_NAME_CHARS {
            return Err(format!("{field} must be at most {MAX_NAME_CHARS} characters long"));
        }
        if s.starts_with(' ') || s.ends_with(' ') {
            return Err(format!("{field} must not start or end with a space"));
        }
        if let Some(bad) = s.chars().find(|c| !allowed(*c)) {
            return Err(format!(
                "{field} may contain only letters, digits, spaces and ' - . ( ) * + , @ _ / (found {bad:?})"
            ));
        }
        Ok(Name(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn allowed(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "'-.()*+,@_/".contains(c)
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn accepts_the_documented_set_and_unicode_letters() {
        for ok in ["Acme", "Ačkoli Žluťoučký 2", "O'Neil (EU) - A.B.*+,@_/", "東京", "x"] {
            assert!(Name::parse("name", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_edges_and_other_characters() {
        for bad in ["", " lead", "trail ", "semi;colon", "tab\tx", "nul\0", "<b>", &"a".repeat(129)] {
            assert!(Name::parse("name", bad).is_err(), "{bad:?}");
        }
        assert!(Name::parse("name", &"é".repeat(128)).is_ok());
    }
}
