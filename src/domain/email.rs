//! E-mail addresses, compared case-insensitively.

/// A lower-cased e-mail address with one `@`, a non-empty local part and a dotted-or-local domain, which the
/// mailer (lettre) also takes as an address, so every invitee can be sent their e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Email, String> {
        let s = s.trim();
        let valid = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            })
            && !s.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
            && s.parse::<lettre::Address>().is_ok();
        if valid {
            Ok(Email(s.to_lowercase()))
        } else {
            Err("email must be a valid e-mail address".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn lowercases_and_validates() {
        assert_eq!(Email::parse("Ann@Example.COM").unwrap().as_str(), "ann@example.com");
        assert!(Email::parse("admin@localhost").is_ok());
        for bad in ["", "a", "@x", "a@", "a@@b", "a b@c", "a@.c", "a@c.", "a@b..c", "x@y;drop"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
