//! Timezones (`GET /enums/timezones`) from the IANA database as `chrono-tz` carries it. Ids 113 (Europe/Prague) and
//! 164 (Europe/Rome) are Make's; every other zone gets the next free id in alphabetical order, so ids are stable
//! for a pinned `chrono-tz`. Listed are the geographic `Area/Location` zones plus `Etc/UTC`; legacy aliases such as
//! `US/Eastern`, `EST5EDT` or `GB` are left out (chrono-tz does not mark which names are links).

use std::sync::OnceLock;

use chrono::{DateTime, Offset, TimeZone, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};

const AREAS: &[&str] = &[
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

const FIXED: &[(i64, &str)] = &[(113, "Europe/Prague"), (164, "Europe/Rome")];

/// The zone new users get.
pub const UTC_CODE: &str = "Etc/UTC";

#[derive(Debug, Clone)]
pub struct Zone {
    pub id: i64,
    pub tz: Tz,
}

impl Zone {
    pub fn code(&self) -> &'static str {
        self.tz.name()
    }

    /// The UTC offset in force at `at` as `±HHMM`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> String {
        let secs = self.tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
        let sign = if secs < 0 { '-' } else { '+' };
        let m = secs.abs() / 60;
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    }

    /// Make's display label, e.g. `(GMT+01:00) Europe/Prague`.
    pub fn label_at(&self, at: DateTime<Utc>) -> String {
        let o = self.offset_at(at);
        format!("(GMT{}:{}) {}", &o[..3], &o[3..], self.code())
    }
}

pub fn all() -> &'static [Zone] {
    static ALL: OnceLock<Vec<Zone>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut names: Vec<Tz> = TZ_VARIANTS
            .iter()
            .copied()
            .filter(|tz| tz.name() == UTC_CODE || AREAS.iter().any(|a| tz.name().starts_with(a)))
            .collect();
        names.sort_by_key(|tz| tz.name());
        let mut out: Vec<Zone> = Vec::with_capacity(names.len());
        let mut next = 1;
        for tz in names {
            let id = match FIXED.iter().find(|(_, n)| *n == tz.name()) {
                Some((id, _)) => *id,
                None => {
                    while FIXED.iter().any(|(id, _)| *id == next) {
                        next += 1;
                    }
                    next += 1;
                    next - 1
                }
            };
            out.push(Zone { id, tz });
        }
        out.sort_by_key(|z| z.id);
        out
    })
}

pub fn by_id(id: i64) -> Option<&'static Zone> {
    all().iter().find(|z| z.id == id)
}

pub fn by_code(code: &str) -> Option<&'static Zone> {
    all().iter().find(|z| z.code() == code)
}

/// The id of `Etc/UTC`.
/// The instant a local time of `tz` names; a local time inside a DST gap does not exist and is taken as the
/// first instant after the gap.
pub fn instant_at(tz: Tz, local: chrono::NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
}

pub fn utc_id() -> i64 {
    by_code(UTC_CODE).map(|z| z.id).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_ids_hold_and_ids_are_unique() {
        assert_eq!(by_id(113).unwrap().code(), "Europe/Prague");
        assert_eq!(by_id(164).unwrap().code(), "Europe/Rome");
        let mut ids: Vec<_> = all().iter().map(|z| z.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), all().len());
        assert!(all().len() > 300);
        assert!(by_code("US/Eastern").is_none() && by_code("America/New_York").is_some());
    }

    #[test]
    fn offsets_follow_daylight_saving() {
        let prague = by_code("Europe/Prague").unwrap();
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(prague.offset_at(winter), "+0100");
        assert_eq!(prague.offset_at(summer), "+0200");
        assert_eq!(prague.label_at(winter), "(GMT+01:00) Europe/Prague");
        let kolkata = by_code("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.offset_at(winter), "+0530");
        let noronha = by_code("America/St_Johns").unwrap();
        assert_eq!(noronha.offset_at(winter), "-0330");
    }
}
