use super::*;
use crate::store::StoreResult;

fn org(id: i64) -> Org {
    Org {
        id,
        name: format!("O{id}"),
        country_id: 1,
        timezone_id: 1,
        zone: "z".into(),
        plan: "free".into(),
        external_id: None,
        tfa_enforced: false,
        created_at: chrono::Utc::now(),
    }
}

fn member(id: i64, role: i64) -> OrgAccess {
    OrgAccess::Member { org: org(id), users_role_id: role }
}

async fn access(model: &ReadModel, org_id: i64, answer: OrgAccess) -> (OrgAccess, bool) {
    let mut read = false;
    let got = model
        .access(org_id, 7, |_| {
            read = true;
            async { StoreResult::Ok(answer) }
        })
        .await
        .unwrap();
    (got, read)
}

fn role_of(a: &OrgAccess) -> Option<i64> {
    match a {
        OrgAccess::Member { users_role_id, .. } => Some(*users_role_id),
        _ => None,
    }
}

#[tokio::test]
async fn kept_until_its_organization_changes() {
    let model = ReadModel::new(10, true);
    assert!(access(&model, 1, member(1, 1)).await.1, "first read goes to the database");
    assert!(access(&model, 2, member(2, 1)).await.1);
    let (got, read) = access(&model, 1, member(1, 2)).await;
    assert_eq!((role_of(&got), read), (Some(1), false), "then it is served from memory");
    model.changed(Some(1));
    let (got, read) = access(&model, 1, member(1, 2)).await;
    assert_eq!((role_of(&got), read), (Some(2), true), "a change to it drops it");
    assert!(!access(&model, 2, member(2, 3)).await.1, "another organization's change does not");
    model.committed(&[Named::Nothing]);
    assert!(!access(&model, 2, member(2, 3)).await.1, "a write aside (the outbox) does not");
    model.committed(&[Named::Org(1), Named::Anything]);
    assert!(access(&model, 2, member(2, 3)).await.1, "a change naming none drops everything");
}

#[tokio::test]
async fn nothing_kept_off_across_a_change_or_for_strangers() {
    let model = ReadModel::new(10, false);
    access(&model, 1, member(1, 1)).await;
    assert!(access(&model, 1, member(1, 1)).await.1, "off: nothing kept");
    model.reset(true);
    access(&model, 1, OrgAccess::Stranger).await;
    assert!(access(&model, 1, member(1, 1)).await.1, "strangers are not kept");
    model.changed(Some(1));
    let ticket = model.access_hit(1, 7).unwrap_err();
    model.changed(Some(9)); // a change is committed while the membership is read
    model.keep_access(ticket, 7, &member(1, 1));
    assert!(model.access_hit(1, 7).is_err(), "read across a change: not kept");
    access(&model, 1, member(1, 1)).await;
    assert!(model.access_hit(1, 7).is_ok());
    model.reset(false);
    assert!(model.access_hit(1, 7).is_err(), "a lost listener turns the model off");
}

#[tokio::test]
async fn bounded_least_recently_used_first() {
    let model = ReadModel::new(2, true);
    for id in [1, 2, 1, 3] {
        access(&model, id, member(id, 1)).await;
    }
    assert!(model.access_hit(1, 7).is_ok(), "used recently: kept");
    assert!(model.access_hit(2, 7).is_err(), "least recently used: gone");
    assert!(model.access_hit(3, 7).is_ok());
}

#[tokio::test]
async fn teams_and_usage_are_kept_per_period() {
    let model = ReadModel::new(10, true);
    let period = (chrono::Utc::now(), chrono::Utc::now() + chrono::Duration::days(30));
    let team = Team { id: 5, name: "T".into(), organization_id: 1, operations_limit: None, transfer_limit: None };
    let read = |_| async {
        let usage = UsageTotals { operations: 3, data_transfer: 0, centicredits: 0 };
        StoreResult::Ok((HashMap::from([(1, vec![team.clone()])]), HashMap::from([(1, usage)])))
    };
    model.teams_and_usage(&[1, 2], period, read).await.unwrap();
    let (teams, usage) =
        model.teams_and_usage(&[1, 2], period, |_| async { panic!("served from memory") }).await.unwrap();
    assert_eq!((teams[&1].len(), usage[&1].operations, teams.contains_key(&2)), (1, 3, false));
    assert!(model.usage_hit(&[1], period.1, period.1).is_err(), "another period is read again");
    model.changed(Some(2));
    assert!(model.teams_hit(&[1, 2]).is_err());
    assert!(model.teams_hit(&[1]).is_ok());
}

#[tokio::test]
async fn team_roles_are_kept_per_organization_and_user() {
    use crate::domain::ids::{RoleId, TeamId};
    let model = ReadModel::new(10, true);
    let roles = vec![TeamRole { team_id: TeamId(5), users_role_id: RoleId(14) }];
    let read = |_| async { StoreResult::Ok(roles.clone()) };
    assert_eq!(model.team_roles(1, 7, read).await.unwrap(), roles);
    let kept = model.team_roles(1, 7, |_| async { panic!("served from memory") }).await.unwrap();
    assert_eq!(kept, roles);
    model.changed(Some(1));
    assert!(model.team_roles_hit(1, 7).is_err(), "a change to the organization drops them");
}
