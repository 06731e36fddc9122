//! The authorization matrix: every endpoint against no token, a malformed header, an unknown token, a revoked
//! token, a token without the endpoint's scope, a stranger, a member whose role lacks the permission, and a proper
//! caller. Refused calls must change nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{read, spawn_teams_plan, TestApp};

/// Who the endpoint lets in.
#[derive(Clone, Copy, PartialEq)]
enum Gate {
    /// Any valid token.
    Token,
    /// A token with the right scope.
    Scope,
    /// Scope plus an active role in the organization.
    Member,
    /// Scope plus a role with a permission the Member role lacks.
    Privileged,
}

struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    gate: Gate,
    /// The proper caller's token and expected status.
    ok: (String, u16),
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut req = app.raw(method, path);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    read(req.send().await.unwrap()).await
}

/// Everything a refused call could have changed, read by the owner.
async fn snapshot(app: &TestApp, org: i64, team: i64, invitee: &str) -> Value {
    let mut all = Vec::new();
    for path in [
        format!("/organizations/{org}?cols[]=*"),
        format!("/organizations/{org}/variables"),
        format!("/organizations/{org}/variables/v/history"),
        format!("/organizations/{org}/user-organization-roles?cols[]=*"),
        format!("/teams?organizationId={org}&cols[]=*"),
        format!("/teams/{team}/user-team-roles"),
        format!("/organizations/{org}/subscription"),
        format!("/organizations/{org}/payments"),
        format!("/organizations/{org}/feature-controls"),
        format!("/organizations/{org}/private-spaces-settings"),
        "/organizations?cols[]=id&cols[]=name".to_string(),
        format!("/audit-logs/v2/organization/{org}?pg[limit]=10000"),
    ] {
        all.push(app.get(&path, &app.admin).await.1);
    }
    all.push(app.get("/users/me/organization-invitations", invitee).await.1);
    all.push(app.get("/users/me/api-tokens", &app.admin).await.1);
    Value::Array(all)
}

#[tokio::test]
async fn every_endpoint_refuses_exactly_whom_it_should_and_refusals_change_nothing() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Matrix").await;
    let team = app.first_team(&app.admin, org).await;
    let (_, t2) = app.post("/teams", &app.admin, json!({"name": "Second", "organizationId": org})).await;
    let team2 = t2["team"]["id"].as_i64().unwrap();
    app.post(&format!("/organizations/{org}/variables"), &app.admin, json!({"name": "v", "typeId": 1, "value": 1}))
        .await;
    let member = app.join(org, &app.admin, "member@example.com", 13).await;
    let member_id = app.user_id(&member).await;
    let stranger = app.user("stranger@example.com").await;
    let invitee = app.user("invitee@example.com").await;
    app.post(
        &format!("/organizations/{org}/invite"),
        &app.admin,
        json!({"email": "invitee@example.com", "name": "Invitee", "usersRoleId": 13}),
    )
    .await;
    let hash = app.hash_for(&invitee, org).await;
    let no_scope = app.user_with_scopes("admin@localhost", Some("admin:read")).await;
    let revoked = app.user("admin@localhost").await;
    orgd::commands::tokens_revoke(&*app.store, &revoked).await.unwrap();
    let owner = app.admin.clone();
    let (_, made) = app.post("/users/me/api-tokens", &owner, json!({"label": "matrix", "scope": ["user:read"]})).await;
    let api_token = format!("/users/me/api-tokens/{}", made["apiToken"]["created"].as_str().unwrap());
    let (_, first) = app.get(&format!("/audit-logs/v2/organization/{org}?pg[sortDir]=asc&pg[limit]=1"), &owner).await;
    let entry = first["auditLogs"][0]["uuid"].as_str().unwrap().to_string();
    // The first control's id, read from the list: ids are computed from the organization's id.
    let (_, controls) = app.get(&format!("/organizations/{org}/feature-controls"), &owner).await;
    let control = controls["featureControls"].as_array().unwrap().last().unwrap()["id"].as_i64().unwrap();
    let entries =
        || async { app.db.strings("select cast(count(*) as text) from audit_log").await[0].parse::<i64>().unwrap() };

    use Gate::*;
    let case = |method: Method, path: String, body: Option<Value>, gate: Gate, ok: (&str, u16)| Case {
        method,
        path,
        body,
        gate,
        ok: (ok.0.to_string(), ok.1),
    };
    let o = format!("/organizations/{org}");
    let cases = vec![
        case(Method::GET, "/organizations".into(), None, Scope, (&owner, 200)),
        case(Method::GET, "/users/me".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/users/me/current-authorization".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/enums/countries".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/enums/timezones".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/enums/imt-regions".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/enums/imt-zones".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/enums/variable-types".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/enums/prices".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/enums/connected-system-apps".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/enums/user-api-token-scopes".into(), None, Token, (&owner, 200)),
        case(Method::GET, "/users/me/api-tokens".into(), None, Scope, (&owner, 200)),
        case(
            Method::POST,
            "/users/me/api-tokens".into(),
            Some(json!({"label": "new", "scope": ["teams:read"]})),
            Scope,
            (&owner, 200),
        ),
        case(Method::DELETE, api_token, None, Scope, (&owner, 200)),
        case(Method::GET, "/users/roles".into(), None, Scope, (&owner, 200)),
        case(Method::GET, "/users/roles/11".into(), None, Scope, (&owner, 200)),
        case(Method::GET, "/users/roles/permissions".into(), None, Scope, (&owner, 200)),
        case(Method::GET, "/users/me/organization-invitations".into(), None, Scope, (&invitee, 200)),
        case(Method::GET, format!("/organizations/invitation?hash={hash}"), None, Scope, (&invitee, 200)),
        case(Method::GET, format!("/users/{member_id}/user-organization-roles"), None, Scope, (&owner, 200)),
        case(Method::GET, o.clone(), None, Member, (&member, 200)),
        case(Method::GET, format!("{o}/apps"), None, Member, (&member, 200)),
        case(Method::GET, format!("{o}/usage"), None, Member, (&member, 200)),
        case(Method::GET, format!("{o}/variables"), None, Member, (&member, 200)),
        case(Method::GET, format!("{o}/variables/v/history"), None, Member, (&member, 200)),
        case(Method::GET, format!("{o}/feature-controls"), None, Member, (&member, 200)),
        case(
            Method::GET,
            format!("{o}/check-team-permission?teamPermission=team%20view"),
            None,
            Member,
            (&member, 200),
        ),
        case(Method::GET, format!("{o}/user-organization-roles"), None, Member, (&member, 200)),
        case(Method::GET, format!("{o}/user-organization-roles/1"), None, Member, (&member, 200)),
        case(Method::GET, format!("/users/1/user-organization-roles/{org}"), None, Member, (&member, 200)),
        case(Method::GET, format!("/teams?organizationId={org}"), None, Member, (&member, 200)),
        case(Method::GET, format!("/teams/{team}"), None, Member, (&member, 200)),
        case(Method::GET, format!("/teams/{team}/user-team-roles"), None, Member, (&member, 200)),
        case(Method::GET, format!("/teams/{team}/feature-controls"), None, Member, (&member, 200)),
        case(Method::GET, format!("/users?organizationId={org}"), None, Member, (&member, 200)),
        case(Method::GET, format!("{o}/payments"), None, Privileged, (&owner, 200)),
        case(Method::GET, format!("{o}/subscription"), None, Privileged, (&owner, 200)),
        case(Method::GET, format!("/audit-logs/organization/{org}"), None, Privileged, (&owner, 200)),
        case(Method::GET, format!("/audit-logs/v2/organization/{org}"), None, Privileged, (&owner, 200)),
        case(Method::GET, format!("/audit-logs/v2/organization/{org}/filters"), None, Privileged, (&owner, 200)),
        case(Method::GET, format!("/audit-logs/v2/team/{team}"), None, Privileged, (&owner, 200)),
        case(Method::GET, format!("/audit-logs/v2/team/{team}/filters"), None, Privileged, (&owner, 200)),
        case(Method::GET, format!("/audit-logs/v2/{org}/{entry}"), None, Privileged, (&owner, 200)),
        case(Method::PATCH, o.clone(), Some(json!({"name": "Renamed"})), Privileged, (&owner, 200)),
        case(
            Method::POST,
            format!("{o}/variables"),
            Some(json!({"name": "w", "typeId": 2, "value": "x"})),
            Privileged,
            (&owner, 200),
        ),
        case(Method::PATCH, format!("{o}/variables/v"), Some(json!({"value": 2})), Privileged, (&owner, 200)),
        case(Method::DELETE, format!("{o}/variables/w?confirmed=true"), None, Privileged, (&owner, 200)),
        case(
            Method::PATCH,
            format!("{o}/feature-controls"),
            Some(json!({"id": control, "enabled": false})),
            Privileged,
            (&owner, 200),
        ),
        case(Method::PATCH, format!("{o}/tfa-enforcement"), Some(json!({"enable": false})), Privileged, (&owner, 200)),
        case(
            Method::POST,
            format!("{o}/invite"),
            Some(json!({"email": "new@example.com", "name": "New", "usersRoleId": 13})),
            Privileged,
            (&owner, 200),
        ),
        case(
            Method::POST,
            format!("/users/{member_id}/user-organization-roles/{org}"),
            Some(json!({"usersRoleId": 14})),
            Privileged,
            (&owner, 200),
        ),
        case(
            Method::POST,
            "/teams".into(),
            Some(json!({"name": "Third", "organizationId": org})),
            Privileged,
            (&owner, 200),
        ),
        case(
            Method::POST,
            format!("/users/{member_id}/user-team-roles/{team}"),
            Some(json!({"usersRoleId": 3})),
            Privileged,
            (&owner, 200),
        ),
        case(Method::DELETE, format!("/teams/{team2}?confirmed=true"), None, Privileged, (&owner, 200)),
        case(
            Method::POST,
            format!("{o}/subscription"),
            Some(json!({"priceId": "teams-yearly"})),
            Privileged,
            (&owner, 200),
        ),
        case(
            Method::PATCH,
            format!("{o}/subscription"),
            Some(json!({"priceId": "enterprise-monthly"})),
            Privileged,
            (&owner, 200),
        ),
        // Custom roles, while the organization is on Enterprise (which licenses them): the first is id 1001.
        case(
            Method::POST,
            "/users/custom-roles".into(),
            Some(json!({"name": "Custom", "category": "organization", "organizationId": org, "permissions": [8]})),
            Privileged,
            (&owner, 200),
        ),
        case(
            Method::PATCH,
            "/users/custom-roles/1001".into(),
            Some(json!({"organizationId": org, "name": "Renamed"})),
            Privileged,
            (&owner, 200),
        ),
        case(Method::GET, format!("/users/roles?organizationId={org}"), None, Member, (&member, 200)),
        case(
            Method::DELETE,
            "/users/custom-roles/1001".into(),
            Some(json!({"organizationId": org})),
            Privileged,
            (&owner, 200),
        ),
        case(Method::GET, format!("/private-spaces?organizationId={org}"), None, Privileged, (&owner, 200)),
        case(Method::GET, format!("{o}/private-spaces-settings"), None, Member, (&member, 200)),
        case(
            Method::PATCH,
            format!("{o}/private-spaces-settings"),
            Some(json!({"defaultOperationsLimit": 5})),
            Privileged,
            (&owner, 200),
        ),
        case(Method::DELETE, format!("{o}/subscription"), None, Privileged, (&owner, 200)),
        // Refused for the proper caller too: the Free plan allows one team and the organization has two.
        case(Method::POST, format!("{o}/subscription-free?confirmed=true"), None, Privileged, (&owner, 400)),
        case(
            Method::POST,
            "/organizations/accept-invitation".into(),
            Some(json!({"hash": hash})),
            Scope,
            (&invitee, 200),
        ),
        case(
            Method::POST,
            "/organizations".into(),
            Some(json!({"name": "New", "regionId": 1, "timezoneId": 113, "countryId": 1})),
            Scope,
            (&owner, 200),
        ),
        case(
            Method::POST,
            format!("{o}/user-organization-roles/transfer"),
            Some(json!({"userId": member_id})),
            Privileged,
            (&owner, 200),
        ),
        case(Method::DELETE, format!("{o}?confirmed=true"), None, Privileged, (&member, 200)),
    ];

    let before = snapshot(&app, org, team, &invitee).await;
    let mut cells = 0;
    for c in &cases {
        let b = c.body.as_ref();
        let who = format!("{} {}", c.method, c.path);
        for auth in [
            None,
            Some("Token abc".to_string()),
            Some("Token 0f3c1c8e-5d0e-4c8e-9a57-5b8e0c4f2a11".into()),
            Some(format!("Token {revoked}")),
        ] {
            let got = send(&app, c.method.clone(), &c.path, auth.as_deref(), b).await;
            assert_eq!(
                (got.0.as_u16(), got.1["code"].as_str()),
                (401, Some("IM015")),
                "{who} with {auth:?}: {}",
                got.1
            );
            cells += 1;
        }
        if c.gate != Token {
            let got = send(&app, c.method.clone(), &c.path, Some(&format!("Token {no_scope}")), b).await;
            assert_eq!(
                (got.0.as_u16(), got.1["code"].as_str()),
                (403, Some("SC403")),
                "{who} without scope: {}",
                got.1
            );
            assert!(got.1["detail"].as_str().unwrap().contains("scope"), "{who}: {}", got.1);
            cells += 1;
        }
        if matches!(c.gate, Member | Privileged) {
            let got = send(&app, c.method.clone(), &c.path, Some(&format!("Token {stranger}")), b).await;
            assert_eq!((got.0.as_u16(), got.1["code"].as_str()), (403, Some("SC403")), "{who} as stranger: {}", got.1);
            assert!(got.1["detail"].as_str().unwrap().contains("not a member"), "{who}: {}", got.1);
            cells += 1;
        }
        if c.gate == Privileged && c.ok.0 != member {
            let got = send(&app, c.method.clone(), &c.path, Some(&format!("Token {member}")), b).await;
            assert_eq!((got.0.as_u16(), got.1["code"].as_str()), (403, Some("SC403")), "{who} as member: {}", got.1);
            cells += 1;
        }
    }
    assert_eq!(snapshot(&app, org, team, &invitee).await, before, "refused calls changed something");

    for c in &cases {
        let who = format!("{} {}", c.method, c.path);
        if c.ok.0 == member && c.gate == Privileged {
            // The last case: after the transfer the member is the Owner and may delete.
            let got = send(&app, c.method.clone(), &c.path, Some(&format!("Token {}", c.ok.0)), c.body.as_ref()).await;
            assert_eq!(got.0.as_u16(), c.ok.1, "{who}: {}", got.1);
            cells += 1;
            continue;
        }
        let logged = entries().await;
        let got = send(&app, c.method.clone(), &c.path, Some(&format!("Token {}", c.ok.0)), c.body.as_ref()).await;
        assert_eq!(got.0.as_u16(), c.ok.1, "{who} as the proper caller: {}", got.1);
        // One audit entry per acknowledged change (a subscription change also records its payment), none else.
        let expected = match (c.method == Method::GET, got.0.as_u16()) {
            (false, 200) if c.path.contains("/subscription") => 2,
            // A person's own tokens belong to no organization, and the audit log is an organization's.
            (false, 200) if c.path.starts_with("/users/me/api-tokens") => 0,
            (false, 200) => 1,
            _ => 0,
        };
        assert_eq!(entries().await - logged, expected, "{who}: audit entries written");
        cells += 1;
    }
    assert!(cells > 300, "{cells} cells");
    eprintln!("authorization matrix: {} endpoints, {cells} cells", cases.len());
}
