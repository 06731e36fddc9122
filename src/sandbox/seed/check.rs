//! The checks a seed document passes before anything is written: each failure names its JSON path.

use std::collections::HashSet;

use super::{SeedDoc, SeedError, SeedMember, SeedOrg, SeedUser};
use crate::domain::email::Email;
use crate::domain::names::Name;
use crate::domain::plans::Catalogue;
use crate::domain::{countries, roles, scopes, timezones, variables};

/// Checks the whole document against the plan catalogue; `Ok` means [`super::apply`] has nothing to refuse but
/// what the database itself refuses (a plan's limits).
pub fn check(doc: &SeedDoc, plans: &Catalogue) -> Result<(), SeedError> {
    let mut emails = HashSet::new();
    let mut tokens = HashSet::new();
    for (i, u) in doc.users.iter().enumerate() {
        let at = format!("users[{i}]");
        check_user(u, &at, &mut tokens)?;
        if !emails.insert(normal(&u.email)) {
            return Err(SeedError::at(format!("{at}.email"), "declared twice"));
        }
    }
    for (i, o) in doc.organizations.iter().enumerate() {
        check_org(o, &format!("organizations[{i}]"), &emails, plans)?;
    }
    Ok(())
}

/// The e-mail as orgd keys users by it.
pub(super) fn normal(email: &str) -> String {
    email.trim().to_lowercase()
}

fn check_user(u: &SeedUser, at: &str, seen_tokens: &mut HashSet<String>) -> Result<(), SeedError> {
    Email::parse(&u.email).map_err(|e| SeedError::at(format!("{at}.email"), e))?;
    if let Some(name) = &u.name {
        Name::parse("name", name).map_err(|e| SeedError::at(format!("{at}.name"), e))?;
    }
    zone_and_country(u.timezone_id, u.country_id, at)?;
    for (j, t) in u.tokens.iter().enumerate() {
        let at = format!("{at}.tokens[{j}]");
        let key = match (&t.token, &t.digest) {
            (Some(token), None) => {
                let ok = uuid::Uuid::try_parse(token.trim()).is_ok_and(|u| u.get_version_num() == 4);
                if !ok {
                    return Err(SeedError::at(format!("{at}.token"), "expected a UUIDv4"));
                }
                token.trim().to_lowercase()
            }
            (None, Some(digest)) if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) => {
                digest.to_lowercase()
            }
            (None, Some(_)) => return Err(SeedError::at(format!("{at}.digest"), "expected 64 hex digits")),
            _ => return Err(SeedError::at(at, "give exactly one of token and digest")),
        };
        if let Some(list) = &t.scopes {
            scopes::parse_list(&list.join(",")).map_err(|e| SeedError::at(format!("{at}.scopes"), e))?;
        }
        if !seen_tokens.insert(key) {
            return Err(SeedError::at(at, "this token is declared twice"));
        }
    }
    Ok(())
}

fn zone_and_country(timezone_id: Option<i64>, country_id: Option<i64>, at: &str) -> Result<(), SeedError> {
    if timezone_id.is_some_and(|id| timezones::by_id(id).is_none()) {
        return Err(SeedError::at(format!("{at}.timezoneId"), "no timezone has this id"));
    }
    if country_id.is_some_and(|id| countries::by_id(id).is_none()) {
        return Err(SeedError::at(format!("{at}.countryId"), "no country has this id"));
    }
    Ok(())
}

fn check_org(o: &SeedOrg, at: &str, users: &HashSet<String>, plans: &Catalogue) -> Result<(), SeedError> {
    Name::parse("name", &o.name).map_err(|e| SeedError::at(format!("{at}.name"), e))?;
    if !users.contains(&normal(&o.owner)) {
        return Err(SeedError::at(format!("{at}.owner"), "no user under users has this e-mail"));
    }
    if let Some(plan) = o.plan.as_deref().filter(|p| plans.get(p).is_none()) {
        let known: Vec<&str> = plans.iter().map(|(k, _)| k.as_str()).collect();
        return Err(SeedError::at(
            format!("{at}.plan"),
            format!("unknown plan '{plan}' (known: {})", known.join(", ")),
        ));
    }
    zone_and_country(o.timezone_id, o.country_id, at)?;
    let mut members = HashSet::from([normal(&o.owner)]);
    for (k, m) in o.members.iter().enumerate() {
        let at = format!("{at}.members[{k}]");
        member(
            m,
            &at,
            |id| roles::org_role(id).is_some_and(|r| r.id != roles::OWNER),
            "an organization role other than Owner (12, 13, 14, 15)",
        )?;
        if !members.insert(normal(&m.email)) {
            return Err(SeedError::at(format!("{at}.email"), "already the Owner or a member"));
        }
    }
    let mut team_names = HashSet::new();
    for (t, team) in o.teams.iter().enumerate() {
        let at = format!("{at}.teams[{t}]");
        Name::parse("name", &team.name).map_err(|e| SeedError::at(format!("{at}.name"), e))?;
        if !team_names.insert(team.name.as_str()) {
            return Err(SeedError::at(format!("{at}.name"), "declared twice"));
        }
        for (k, m) in team.members.iter().enumerate() {
            let at = format!("{at}.members[{k}]");
            member(m, &at, |id| roles::team_role(id).is_some(), "a team role (1, 3, 4, 6)")?;
            if !members.contains(&normal(&m.email)) {
                return Err(SeedError::at(format!("{at}.email"), "not the Owner or a member of the organization"));
            }
        }
    }
    check_variables_and_usage(o, at)?;
    check_spaces(o, at, &members)
}

/// Usage booked to a private space names a member who got one: not the Owner (spaces are made for members who
/// join), in an organization that creates them.
fn check_spaces(o: &SeedOrg, at: &str, members: &HashSet<String>) -> Result<(), SeedError> {
    let spaces = o.private_spaces_settings.as_ref().is_some_and(|s| s.private_spaces_auto_creation_enabled);
    if let Some(s) = &o.private_spaces_settings {
        if s.default_operations_limit.is_some_and(|l| l < 0) {
            return Err(SeedError::at(
                format!("{at}.privateSpacesSettings.defaultOperationsLimit"),
                "must not be negative",
            ));
        }
    }
    for (u, day) in o.usage.iter().enumerate() {
        let Some(email) = &day.private_space else { continue };
        let at = format!("{at}.usage[{u}].privateSpace");
        if !spaces {
            return Err(SeedError::at(at, "needs privateSpacesSettings.privateSpacesAutoCreationEnabled"));
        }
        if normal(email) == normal(&o.owner) || !members.contains(&normal(email)) {
            return Err(SeedError::at(at, "not a member of the organization (the Owner has no space)"));
        }
    }
    Ok(())
}

fn member(m: &SeedMember, at: &str, valid: impl Fn(i64) -> bool, expected: &str) -> Result<(), SeedError> {
    Email::parse(&m.email).map_err(|e| SeedError::at(format!("{at}.email"), e))?;
    if !valid(m.users_role_id) {
        return Err(SeedError::at(format!("{at}.usersRoleId"), format!("expected {expected}")));
    }
    Ok(())
}

fn check_variables_and_usage(o: &SeedOrg, at: &str) -> Result<(), SeedError> {
    let mut names = HashSet::new();
    for (v, var) in o.variables.iter().enumerate() {
        let at = format!("{at}.variables[{v}]");
        let name = variables::parse_name(&var.name).map_err(|e| SeedError::at(format!("{at}.name"), e))?;
        if !names.insert(name) {
            return Err(SeedError::at(format!("{at}.name"), "declared twice"));
        }
        let t = variables::VarType::from_id(var.type_id).ok_or_else(|| {
            SeedError::at(format!("{at}.typeId"), "expected 1 (number), 2 (text), 3 (boolean) or 4 (date)")
        })?;
        variables::check_value(t, &var.value).map_err(|e| SeedError::at(format!("{at}.value"), e))?;
    }
    for (u, day) in o.usage.iter().enumerate() {
        for (field, n) in
            [("operations", day.operations), ("dataTransfer", day.data_transfer), ("centicredits", day.centicredits)]
        {
            if n < 0 {
                return Err(SeedError::at(format!("{at}.usage[{u}].{field}"), "must not be negative"));
            }
        }
    }
    Ok(())
}
