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

fn auth() -> TokenAuth {
    let user = crate::store::models::User {
        id: 1,
        email: "a@b.c".into(),
        name: "A".into(),
        language: "en".into(),
        timezone_id: 1,
        country_id: 1,
        is_admin: false,
        tfa_enabled: false,
        created_at: chrono::Utc::now(),
    };
    TokenAuth { token_id: 1, user, scopes: Arc::from([]), session_id: None }
}

/// Reads token `digest` through the model; true when the database was asked.
async fn token(model: &ReadModel, digest: &str) -> bool {
    let mut read = false;
    model
        .token(digest, |_| {
            read = true;
            async { StoreResult::Ok(Some(auth())) }
        })
        .await
        .unwrap();
    read
}

#[tokio::test]
async fn tokens_are_kept_until_a_write_names_anything() {
    let model = ReadModel::new(10, false);
    assert!(token(&model, "d").await && token(&model, "d").await, "not listening: nothing kept");
    model.reset(true);
    assert!(token(&model, "d").await);
    assert!(!token(&model, "d").await, "listening: kept");
    model.changed(Some(1));
    assert!(!token(&model, "d").await, "a notification about an organization keeps the tokens");
    model.committed(&[Named::Nothing]);
    assert!(!token(&model, "d").await, "a write aside keeps them");
    model.committed(&[Named::Org(1)]);
    assert!(token(&model, "d").await, "a write of this node that names anything drops them");
    model.changed(None);
    assert!(token(&model, "d").await, "so does a change to anything");
    let ticket = model.token_hit("e").unwrap_err();
    model.changed(Some(1)); // a change arrives while the token is read
    model.keep_token(ticket, "e", &auth());
    assert!(model.token_hit("e").is_err(), "read across a change: not kept");
}

#[tokio::test]
async fn the_watch_is_asked_once_per_request() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let model = ReadModel::new(10, true).watching(move || {
        if counter.fetch_add(1, Ordering::SeqCst) > 0 {
            Seen::Moved
        } else {
            Seen::Same
        }
    });
    one_request(async {
        token(&model, "d").await;
        token(&model, "d").await;
    })
    .await;
    assert_eq!(asked.load(Ordering::SeqCst), 1, "one request, one question");
    one_request(async { assert!(token(&model, "d").await, "moved: the next request reads again") }).await;
    assert!(token(&model, "d").await, "outside a request every lookup asks");
    assert_eq!(asked.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_unsure_request_reads_the_database_keeps_nothing_and_drops_nothing() {
    let seen = Arc::new(Mutex::new(Seen::Same));
    let answer = seen.clone();
    let model = ReadModel::new(10, true).watching(move || *answer.lock().unwrap());
    one_request(async { assert!(token(&model, "d").await, "first read") }).await;
    one_request(async { assert!(!token(&model, "d").await, "kept") }).await;
    *seen.lock().unwrap() = Seen::Unsure;
    one_request(async {
        assert!(token(&model, "d").await, "unsure: not served");
        assert!(token(&model, "e").await);
        assert!(token(&model, "e").await, "unsure: not kept either");
    })
    .await;
    *seen.lock().unwrap() = Seen::Same;
    one_request(async {
        assert!(!token(&model, "d").await, "unsure dropped nothing");
        assert!(token(&model, "e").await, "what was read while unsure was never kept");
    })
    .await;
}
