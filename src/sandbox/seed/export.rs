//! A database's content as a seed document (`GET /_orgd/state`): loading it into a fresh sandbox gives the same
//! people, organizations, ids and answers. Tokens go out as digests (orgd keeps none in the clear); usage is
//! summed per day of the organization's timezone, as the seed format has it.

use std::collections::BTreeMap;

use super::{SeedDoc, SeedMember, SeedOrg, SeedTeam, SeedToken, SeedUsage, SeedUser, SeedVariable};
use crate::domain::timezones;
use crate::store::dump::{Dump, DumpOrg};

/// The document of a dump; instance administrators (the bootstrap one) are left out, as a sandbox makes its own.
pub fn export(dump: &Dump) -> SeedDoc {
    let users = dump
        .users
        .iter()
        .filter(|u| !u.is_admin)
        .map(|u| SeedUser {
            email: u.email.clone(),
            name: Some(u.name.clone()),
            password: None,
            timezone_id: Some(u.timezone_id),
            country_id: Some(u.country_id),
            tokens: u
                .tokens
                .iter()
                .map(|(digest, scopes)| SeedToken {
                    token: None,
                    digest: Some(digest.clone()),
                    scopes: Some(scopes.clone()),
                })
                .collect(),
        })
        .collect();
    SeedDoc { users, organizations: dump.orgs.iter().map(org).collect() }
}

fn members(list: &[(String, i64)]) -> Vec<SeedMember> {
    list.iter().map(|(email, role)| SeedMember { email: email.clone(), users_role_id: *role }).collect()
}

fn org(o: &DumpOrg) -> SeedOrg {
    let tz = timezones::by_id(o.timezone_id).map(|z| z.tz).unwrap_or(chrono_tz::UTC);
    let mut days: BTreeMap<chrono::NaiveDate, SeedUsage> = BTreeMap::new();
    for (at, u) in &o.usage {
        let date = at.with_timezone(&tz).date_naive();
        let day = days.entry(date).or_insert(SeedUsage {
            date,
            operations: 0,
            data_transfer: 0,
            centicredits: 0,
            private_space: None,
        });
        day.operations += u.operations;
        day.data_transfer += u.data_transfer;
        day.centicredits += u.centicredits;
    }
    SeedOrg {
        name: o.name.clone(),
        owner: o.owner_email.clone(),
        plan: Some(o.plan.clone()),
        timezone_id: Some(o.timezone_id),
        country_id: Some(o.country_id),
        members: members(&o.members),
        teams: o.teams.iter().map(|t| SeedTeam { name: t.name.clone(), members: members(&t.members) }).collect(),
        variables: o
            .variables
            .iter()
            .map(|(name, type_id, value)| SeedVariable { name: name.clone(), type_id: *type_id, value: value.clone() })
            .collect(),
        usage: days.into_values().collect(),
        // Not exported yet: private spaces and their usage (an exported state keeps the organization's totals).
        private_spaces_settings: None,
    }
}
