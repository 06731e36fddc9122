//! A corpus of bad input against every field and path segment: never a 5xx, refusals change nothing, and what
//! is accepted comes back byte for byte.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{read, spawn_teams_plan, TestApp};

/// Hostile strings: SQL injection, path traversal, format strings, markup, Unicode edge cases.
fn corpus() -> Vec<String> {
    let mut v: Vec<String> = [
        "' OR '1'='1",
        "1; DROP TABLE organizations; --",
        "\"; select * from users; --",
        "admin'--",
        "%27%20OR%201%3D1",
        "../../etc/passwd",
        "..\\..\\windows\\system32",
        "%2e%2e%2f%2e%2e%2f",
        "/dev/null",
        "%s%s%s%n",
        "{{7*7}}",
        "${jndi:ldap://x/a}",
        "<script>alert(1)</script>",
        "\u{202E}txt.exe",
        "e\u{301}\u{301}\u{301}\u{301}",
        "a\u{0}b",
        "\u{FEFF}bom",
        "🙂🙃 emoji",
        "\u{10FFFF}",
        "tab\tnew\nline",
        "",
        " ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("x".repeat(70_000));
    v.push("ž".repeat(200));
    v
}

async fn send(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    app.call(method, path, Some(&app.admin), body).await
}

async fn baseline(app: &TestApp, org: i64) -> Value {
    let mut out = Vec::new();
    for p in [
        format!("/organizations/{org}?cols[]=*"),
        format!("/organizations/{org}/variables"),
        format!("/organizations/{org}/user-organization-roles"),
        format!("/teams?organizationId={org}"),
        format!("/organizations/{org}/payments"),
        format!("/organizations/{org}/feature-controls"),
    ] {
        out.push(app.get(&p, &app.admin).await.1);
    }
    Value::Array(out)
}

#[tokio::test]
async fn hostile_strings_in_every_string_field_never_break_the_server() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Baseline").await;
    let team = app.first_team(&app.admin, org).await;
    app.post(&format!("/organizations/{org}/variables"), &app.admin, json!({"name": "s", "typeId": 2, "value": "v"}))
        .await;
    let scratch = app.create_org(&app.admin, "Scratch").await;
    let before = baseline(&app, org).await;
    let mut requests = 0;
    let mut accepted_names = Vec::new();
    for s in corpus() {
        let o = format!("/organizations/{org}");
        let attempts: Vec<(Method, String, Option<Value>)> = vec![
            (Method::POST, format!("{o}/invite"), Some(json!({"email": s, "name": "X", "usersRoleId": 13}))),
            (
                Method::POST,
                format!("{o}/invite"),
                Some(json!({"email": "a@b.cz", "name": s, "usersRoleId": 13, "note": 5})),
            ),
            (Method::POST, format!("{o}/variables"), Some(json!({"name": s, "typeId": 2, "value": "x"}))),
            (Method::POST, format!("{o}/variables"), Some(json!({"name": "n", "typeId": 4, "value": s}))),
            (Method::POST, format!("{o}/variables"), Some(json!({"name": "n", "typeId": 1, "value": s}))),
            (Method::POST, "/teams".into(), Some(json!({"name": s, "organizationId": "1"}))),
            (
                Method::POST,
                "/users/custom-roles".into(),
                Some(json!({"name": s, "category": "team", "organizationId": "1"})),
            ),
            (
                Method::POST,
                "/users/custom-roles".into(),
                Some(json!({"name": "R", "category": s, "description": s, "organizationId": "1"})),
            ),
            (Method::POST, "/organizations/accept-invitation".into(), Some(json!({"hash": s}))),
            (Method::POST, format!("{o}/subscription"), Some(json!({"priceId": s}))),
            (Method::PATCH, format!("{o}/subscription"), Some(json!({"priceId": s}))),
            (
                Method::POST,
                format!("{o}/subscription"),
                Some(json!({"priceId": "pro-monthly", "couponCode": s, "customer": {"email": s}})),
            ),
            (Method::PATCH, format!("{o}/feature-controls"), Some(json!({"id": s, "enabled": s}))),
            (Method::PATCH, format!("{o}/tfa-enforcement"), Some(json!({"enable": s}))),
            (
                Method::PATCH,
                format!("{o}/private-spaces-settings"),
                Some(json!({"defaultOperationsLimit": s, "privateSpacesAutoCreationEnabled": s})),
            ),
            (Method::PATCH, "/private-spaces/1000000000001".into(), Some(json!({"operationsLimit": s}))),
            (Method::POST, format!("{o}/user-organization-roles/transfer"), Some(json!({"userId": s}))),
            (Method::POST, format!("/users/2/user-organization-roles/{org}"), Some(json!({"usersRoleId": s}))),
            (Method::POST, format!("/users/1/user-team-roles/{team}"), Some(json!({"usersRoleId": s}))),
        ];
        for (method, path, body) in attempts {
            let (status, got) = send(&app, method.clone(), &path, body).await;
            requests += 1;
            assert!(
                status.is_client_error(),
                "{method} {path} with {:?}: {status} {got}",
                s.chars().take(40).collect::<String>()
            );
        }
        // Strings that are legal values are stored and returned byte for byte (NUL is refused on every backend).
        if s.contains('\0') {
            let (status, got) =
                send(&app, Method::PATCH, &format!("/organizations/{org}/variables/s"), Some(json!({"value": s})))
                    .await;
            requests += 1;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{got}");
        } else if s.len() <= 65_535 {
            let (status, got) =
                send(&app, Method::PATCH, &format!("/organizations/{org}/variables/s"), Some(json!({"value": s})))
                    .await;
            requests += 1;
            assert_eq!(status, StatusCode::OK, "{got}");
            assert_eq!(got["organizationVariable"]["value"], Value::String(s.clone()));
        }
        let (status, got) =
            send(&app, Method::PATCH, &format!("/organizations/{scratch}"), Some(json!({"name": s}))).await;
        requests += 1;
        assert!(status.is_client_error() || status == StatusCode::OK, "{status} {got}");
        if status == StatusCode::OK {
            assert_eq!(got["organization"]["name"], Value::String(s.clone()));
            accepted_names.push(s.clone());
        }
        // Request targets beyond 8 KiB are refused before routing (see observability tests); keep these inside it.
        for q in ["externalId", "zone", "pg[sortBy]", "cols[]", "featureControlName", "teamPermission", "hash"]
            .iter()
            .filter(|_| s.len() < 1000)
        {
            let enc: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
            for path in [
                format!("/organizations?{q}={enc}"),
                format!("/organizations/{org}/feature-controls?{q}={enc}"),
                format!("/organizations/{org}/check-team-permission?{q}={enc}"),
                format!("/organizations/invitation?{q}={enc}"),
            ] {
                let (status, got) = send(&app, Method::GET, &path, None).await;
                requests += 1;
                assert!(status.as_u16() < 500, "{path}: {status} {got}");
            }
        }
    }
    // Only names that pass the name rules (src/domain/names.rs) were accepted, and the baseline organization is
    // untouched apart from its variable.
    assert_eq!(accepted_names, ["admin'--", "../../etc/passwd", "/dev/null"]);
    let mut after = baseline(&app, org).await;
    after[1] = before[1].clone();
    assert_eq!(after, before);
    eprintln!("corpus: {} strings, {requests} requests", corpus().len());
}

#[tokio::test]
async fn hostile_path_segments_and_ids_are_4xx() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Paths").await;
    let before = baseline(&app, org).await;
    let mut segments: Vec<String> = corpus().into_iter().filter(|s| !s.is_empty() && s.len() < 1000).collect();
    segments
        .extend(["-1", "0", "1.5", "1e3", "0x10", "99999999999999999999", "+1", "1 ", "%00", "NaN"].map(String::from));
    for s in &segments {
        let seg: String = percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).collect();
        for (method, path) in [
            (Method::GET, format!("/organizations/{seg}")),
            (Method::PATCH, format!("/organizations/{seg}")),
            (Method::DELETE, format!("/organizations/{seg}?confirmed=true")),
            (Method::GET, format!("/teams/{seg}")),
            (Method::GET, format!("/users/{seg}/user-organization-roles")),
            (Method::GET, format!("/users/roles/{seg}")),
            (Method::PATCH, format!("/organizations/{org}/variables/{seg}")),
            (Method::DELETE, format!("/organizations/{org}/variables/{seg}?confirmed=true")),
            (Method::GET, format!("/organizations/{org}/variables/{seg}/history")),
            (Method::GET, format!("/checkout/{seg}")),
        ] {
            let body = if method == Method::PATCH { Some(json!({"name": "x", "value": 1})) } else { None };
            let (status, got) = send(&app, method.clone(), &path, body).await;
            assert!(status.is_client_error(), "{method} {path}: {status} {got}");
        }
    }
    assert_eq!(baseline(&app, org).await, before);
}

#[tokio::test]
async fn odd_numbers_bodies_and_content_types_are_4xx_and_change_nothing() {
    let app = spawn_teams_plan().await;
    let org = app.create_org(&app.admin, "Numbers").await;
    let before = baseline(&app, org).await;
    let o = format!("/organizations/{org}");
    let numbers = [
        json!(1e300),
        json!(-1),
        json!(0),
        json!(1.5),
        json!(u64::MAX),
        json!(i64::MIN),
        json!("12"),
        json!(true),
        json!([1]),
        json!({"n": 1}),
        json!(null),
    ];
    for n in numbers {
        for (method, path, body) in [
            (Method::PATCH, o.clone(), json!({"countryId": n, "timezoneId": n})),
            (
                Method::POST,
                "/organizations".to_string(),
                json!({"name": "N", "regionId": n, "timezoneId": 113, "countryId": 1}),
            ),
            (
                Method::POST,
                format!("{o}/invite"),
                json!({"email": "n@example.com", "name": "N", "usersRoleId": n, "teamsId": [n]}),
            ),
            (Method::POST, "/teams".into(), json!({"name": "N", "organizationId": n, "operationsLimit": n})),
            (Method::POST, format!("{o}/variables"), json!({"name": "n", "typeId": n, "value": 1})),
            (Method::PATCH, format!("{o}/feature-controls"), json!({"id": n, "enabled": true})),
        ] {
            let (status, got) = send(&app, method.clone(), &path, Some(body.clone())).await;
            if status == StatusCode::OK {
                // Only `null` on an optional field can be accepted (it means "absent").
                assert!(body.to_string().contains("null"), "{method} {path} {body}: {got}");
            } else {
                assert!(status.is_client_error(), "{method} {path} {body}: {status} {got}");
            }
        }
    }
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let raw_bodies =
        ["{", "{\"name\": }", "[]", "null", "\"s\"", "{\"name\":\"x\",}", "\u{FEFF}{}", "{\"a\":\"\\ud800\"}", &deep];
    for (method, path) in [
        (Method::POST, "/organizations".to_string()),
        (Method::PATCH, o.clone()),
        (Method::POST, format!("{o}/variables")),
        (Method::POST, "/teams".into()),
    ] {
        for raw in raw_bodies {
            let res = app
                .raw(method.clone(), &path)
                .header("Authorization", format!("Token {}", app.admin))
                .header("Content-Type", "application/json")
                .body(raw.to_string())
                .send()
                .await
                .unwrap();
            let (status, got) = read(res).await;
            assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{method} {path} {}: {got}",
                raw.chars().take(20).collect::<String>()
            );
        }
        for ct in
            ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"]
        {
            let res = app
                .raw(method.clone(), &path)
                .header("Authorization", format!("Token {}", app.admin))
                .header("Content-Type", ct)
                .body("{\"name\":\"x\"}")
                .send()
                .await
                .unwrap();
            let (status, got) = read(res).await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}: {got}");
        }
    }
    assert_eq!(baseline(&app, org).await, before);
}
