//! Writing a checked seed document through the store, in file order, as the people it declares would have done
//! it through the API: the Owner creates each organization, invites its members (who accept), creates its teams
//! and variables. Works on every backend (`orgd seed --from`).

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::check::normal;
use super::{SeedDoc, SeedError, SeedMember, SeedOrg, SeedSpacesSettings, SeedUser};
use crate::domain::ids::{OrgId, RoleId, UserId};
use crate::domain::plans::{Catalogue, Plan};
use crate::domain::{roles, scopes, timezones};
use crate::grant::team_perms::TeamUserAddAndEdit;
use crate::grant::{perms, Asker};
use crate::store::models::{NewInvitation, NewOrg, NewTeam, NewUser, Org, UsageTotals, VariableWrite};
use crate::store::private_spaces::SpacesSettings;
use crate::store::{Store, StoreError};

/// Where a document goes.
pub struct Target<'a> {
    pub store: &'a dyn Store,
    pub plans: &'a Catalogue,
    /// The plan of organizations that name none.
    pub default_plan: &'a str,
    /// The zone organizations report.
    pub zone: &'a str,
    /// The time every row is dated (the sandbox clock).
    pub now: DateTime<Utc>,
}

/// Writes the document (checked with [`super::check`] first).
pub async fn apply(doc: &SeedDoc, t: &Target<'_>) -> Result<(), SeedError> {
    for (i, u) in doc.users.iter().enumerate() {
        user(u, t).await.map_err(|e| SeedError::at(format!("users[{i}]"), e.to_string()))?;
    }
    for (i, o) in doc.organizations.iter().enumerate() {
        organization(o, &format!("organizations[{i}]"), t).await?;
    }
    Ok(())
}

async fn ensure_user(
    t: &Target<'_>,
    email: &str,
    name: Option<&str>,
    zone: Option<i64>,
    country: Option<i64>,
) -> Result<i64, StoreError> {
    let email = normal(email);
    let name = name.map(str::to_string).unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
    let new = NewUser {
        email,
        name,
        timezone_id: zone.unwrap_or_else(timezones::utc_id),
        country_id: country.unwrap_or(1),
        is_admin: false,
        tfa_enabled: false,
        now: t.now,
    };
    Ok(t.store.ensure_user(new).await?.0.id)
}

async fn user(u: &SeedUser, t: &Target<'_>) -> Result<(), StoreError> {
    let id = ensure_user(t, &u.email, u.name.as_deref(), u.timezone_id, u.country_id).await?;
    for token in &u.tokens {
        let digest = match (&token.token, &token.digest) {
            (Some(clear), _) => {
                let uuid = uuid::Uuid::try_parse(clear.trim()).map_err(|e| StoreError::Other(e.into()))?;
                crate::auth::digest(&uuid)
            }
            (None, Some(digest)) => digest.to_lowercase(),
            (None, None) => continue,
        };
        let list: Vec<String> = match &token.scopes {
            Some(list) => list.clone(),
            None => scopes::DEFAULT_USER.iter().map(|s| s.to_string()).collect(),
        };
        t.store.issue_token(UserId(id), &digest, &list, t.now).await?;
    }
    Ok(())
}

async fn organization(o: &SeedOrg, at: &str, t: &Target<'_>) -> Result<(), SeedError> {
    let fail = |e: StoreError| SeedError::at(at, e.to_string());
    let owner = ensure_user(t, &o.owner, None, None, None).await.map_err(fail)?;
    let plan_key = o.plan.as_deref().unwrap_or(t.default_plan);
    let plan = t.plans.get(plan_key).ok_or_else(|| SeedError::at(format!("{at}.plan"), "unknown plan"))?;
    let new = NewOrg {
        name: o.name.clone(),
        country_id: o.country_id.unwrap_or(1),
        timezone_id: o.timezone_id.unwrap_or_else(timezones::utc_id),
        zone: t.zone.to_string(),
        plan: plan_key.to_string(),
        owner_id: owner,
        now: t.now,
    };
    let (org, my_team) = t.store.create_org(new).await.map_err(fail)?;
    let owner_grants = roles::built_in(roles::OWNER).expect("the Owner role");
    let asker = Asker { org_id: org.id, user_id: owner, role: &owner_grants };
    if let Some(s) = &o.private_spaces_settings {
        spaces_settings(s, &asker, t)
            .await
            .map_err(|e| SeedError::at(format!("{at}.privateSpacesSettings"), e.to_string()))?;
    }
    for (k, m) in o.members.iter().enumerate() {
        member(m, &asker, plan, t).await.map_err(|e| SeedError::at(format!("{at}.members[{k}]"), e.to_string()))?;
    }
    for (k, team) in o.teams.iter().enumerate() {
        let at = format!("{at}.teams[{k}]");
        let id = match team.name == my_team.name {
            true => my_team.id,
            false => create_team(&team.name, &asker, plan, t).await.map_err(|e| SeedError::at(&at, e.to_string()))?,
        };
        for (j, m) in team.members.iter().enumerate() {
            team_member(id, m, &asker, t)
                .await
                .map_err(|e| SeedError::at(format!("{at}.members[{j}]"), e.to_string()))?;
        }
    }
    variables_and_usage(o, &org, &asker, at, t).await
}

async fn member(m: &SeedMember, asker: &Asker<'_>, plan: &Plan, t: &Target<'_>) -> Result<(), StoreError> {
    let g = asker.org::<perms::UserAddAndEdit>().map_err(|d| StoreError::Conflict(d.0))?;
    let hash = uuid::Uuid::new_v4().to_string();
    let inv = NewInvitation {
        email: normal(&m.email),
        name: m.email.split('@').next().unwrap_or("").to_string(),
        users_role_id: m.users_role_id,
        note: None,
        team_ids: Vec::new(),
        hash: hash.clone(),
        now: t.now,
        expires_at: t.now + Duration::days(7),
        max_users: plan.license.users(),
        mails_per_hour: 0,
    };
    t.store.invite(&g, inv).await?;
    let invitation =
        t.store.invitation_by_hash(&hash).await?.ok_or_else(|| StoreError::NotFound("invitation".into()))?;
    t.store.accept_invitation(invitation.id, t.now).await?;
    Ok(())
}

async fn create_team(name: &str, asker: &Asker<'_>, plan: &Plan, t: &Target<'_>) -> Result<i64, StoreError> {
    let g = asker.org::<perms::TeamAdd>().map_err(|d| StoreError::Conflict(d.0))?;
    let new = NewTeam {
        organization_id: asker.org_id,
        name: name.to_string(),
        operations_limit: None,
        transfer_limit: None,
        creator_id: asker.user_id,
        now: t.now,
        max_teams: plan.license.teams(),
    };
    Ok(t.store.create_team(&g, new).await?.id)
}

async fn team_member(team_id: i64, m: &SeedMember, asker: &Asker<'_>, t: &Target<'_>) -> Result<(), StoreError> {
    let g = asker.team::<TeamUserAddAndEdit>(team_id, asker.org_id, &[]).map_err(|d| StoreError::Conflict(d.0))?;
    let user = ensure_user(t, &m.email, None, None, None).await?;
    t.store.set_team_role(&g, UserId(user), Some(RoleId(m.users_role_id)), t.now).await
}

async fn variables_and_usage(
    o: &SeedOrg,
    org: &Org,
    asker: &Asker<'_>,
    at: &str,
    t: &Target<'_>,
) -> Result<(), SeedError> {
    let g = asker.org::<perms::OrganizationEdit>().map_err(|d| SeedError::at(at, d.0))?;
    for (k, v) in o.variables.iter().enumerate() {
        let write = VariableWrite {
            name: v.name.clone(),
            type_id: Some(v.type_id),
            value: Some(v.value.clone()),
            author: normal(&o.owner),
            now: t.now,
        };
        t.store
            .create_variable(&g, write)
            .await
            .map_err(|e| SeedError::at(format!("{at}.variables[{k}]"), e.to_string()))?;
    }
    let tz = timezones::by_id(org.timezone_id).map(|z| z.tz).unwrap_or(chrono_tz::UTC);
    for (k, day) in o.usage.iter().enumerate() {
        let at = format!("{at}.usage[{k}]");
        let noon = day.date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
        let when =
            timezones::instant_at(tz, noon).ok_or_else(|| SeedError::at(format!("{at}.date"), "no such local time"))?;
        let amounts = UsageTotals {
            operations: day.operations,
            data_transfer: day.data_transfer,
            centicredits: day.centicredits,
        };
        let booked = match &day.private_space {
            None => t.store.add_usage(OrgId(org.id), when, amounts, t.now).await,
            Some(email) => match space_of(org.id, email, t).await {
                Ok(space) => t.store.add_space_usage(OrgId(org.id), space, when, amounts, t.now).await,
                Err(e) => Err(e),
            },
        };
        booked.map_err(|e| SeedError::at(&at, e.to_string()))?;
    }
    Ok(())
}

async fn spaces_settings(s: &SeedSpacesSettings, asker: &Asker<'_>, t: &Target<'_>) -> Result<(), StoreError> {
    let g = asker.org::<perms::PersonalTeamManage>().map_err(|d| StoreError::Conflict(d.0))?;
    let settings = SpacesSettings {
        auto_creation: s.private_spaces_auto_creation_enabled,
        default_operations_limit: s.default_operations_limit,
        admins_observe: s.add_admins_as_observers,
    };
    t.store.set_spaces_settings(&g, settings, None).await
}

/// The id of the private space of the member `email` in the organization.
async fn space_of(org_id: i64, email: &str, t: &Target<'_>) -> Result<i64, StoreError> {
    let user = ensure_user(t, email, None, None, None).await?;
    let seen = t.store.spaces_seen_by(UserId(user)).await?;
    let own = seen.iter().find(|s| s.organization_id == org_id && s.owner_id == user);
    own.map(|s| s.id).ok_or_else(|| StoreError::NotFound(format!("{email} has no private space here")))
}
