//! Countries (`GET /enums/countries`) from ISO 3166-1 as the `isocountry` crate carries it. Ids: 1 is the Czech
//! Republic (Make's examples), 2–3 are unused, the rest are alphabetical by name from 4 (Afghanistan 4, Åland
//! Islands 5, …). The crate version is pinned in Cargo.lock, and a test pins the ids Make publishes.

use std::sync::OnceLock;

use isocountry::CountryCode;

#[derive(Debug, Clone)]
pub struct Country {
    pub id: i64,
    pub name: &'static str,
    /// ISO alpha-3, upper case.
    pub code: &'static str,
    /// ISO alpha-2, lower case.
    pub code2: String,
}

pub fn all() -> &'static [Country] {
    static ALL: OnceLock<Vec<Country>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut codes: Vec<&CountryCode> = CountryCode::iter().collect();
        codes.sort_by_key(|c| sort_key(c.name()));
        let make =
            |id, c: &CountryCode| Country { id, name: c.name(), code: c.alpha3(), code2: c.alpha2().to_lowercase() };
        let rest = codes.into_iter().filter(|c| **c != CountryCode::CZE);
        std::iter::once(make(1, &CountryCode::CZE)).chain((4..).zip(rest).map(|(id, c)| make(id, c))).collect()
    })
}

pub fn by_id(id: i64) -> Option<&'static Country> {
    all().iter().find(|c| c.id == id)
}

/// Alphabetical order ignoring accents on Latin letters, so "Åland" sorts among the A's.
fn sort_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'À'..='Å' => 'A',
            'Ç' => 'C',
            'È'..='Ë' => 'E',
            'Ì'..='Ï' => 'I',
            'Ñ' => 'N',
            'Ò'..='Ö' | 'Ø' => 'O',
            'Ù'..='Ü' => 'U',
            'à'..='å' => 'a',
            'ç' => 'c',
            'è'..='ë' => 'e',
            'ì'..='ï' => 'i',
            'ñ' => 'n',
            'ò'..='ö' | 'ø' => 'o',
            'ù'..='ü' => 'u',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_ids_hold() {
        assert_eq!(by_id(1).unwrap().code, "CZE");
        assert_eq!(by_id(4).unwrap().code, "AFG");
        assert_eq!(by_id(5).unwrap().code, "ALA");
        assert_eq!(by_id(6).unwrap().code2, "al");
        assert!(by_id(2).is_none() && by_id(3).is_none());
    }

    #[test]
    fn every_iso_country_appears_once() {
        let all = all();
        assert!(all.len() >= 249);
        let mut codes: Vec<_> = all.iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
