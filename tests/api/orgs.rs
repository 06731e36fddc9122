//! The organization lifecycle: list, create, read, update and delete (`/organizations`,
//! `/organizations/{organizationId}`).

use orgd::domain::ids::OrgId;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, suberror_paths, TestApp};

fn names(body: &Value) -> Vec<String> {
    body["organizations"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn create_returns_the_full_organization_its_default_team_and_the_owner_role() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .post(
            "/organizations",
            &app.admin,
            json!({"name": "Acme Automation", "regionId": 1, "timezoneId": 113, "countryId": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let org = &body["organization"];
    assert_eq!(org["name"], "Acme Automation");
    assert_eq!((org["timezoneId"].as_i64(), org["countryId"].as_i64()), (Some(113), Some(1)));
    assert_eq!(org["zone"], app.addr.to_string());
    assert_eq!(org["teams"].as_array().unwrap().len(), 1);
    assert_eq!(org["teams"][0]["name"], "My Team");
    assert_eq!(org["productName"], "Free");
    assert_eq!(org["serviceName"], "free");
    assert_eq!(org["license"]["apiLimit"], 30);
    assert_eq!(org["license"]["customVariables"], false);
    assert_eq!((org["operations"].as_str(), org["unusedOperations"].as_str()), (Some("0"), Some("1000")));
    assert_eq!(org["isPaused"], false);
    assert_eq!(
        org["privateSpaces"],
        serde_json::json!([]),
        "as in Make's detail answer; the caller has no private space here"
    );
    let role = &body["userOrganizationRole"];
    assert_eq!(role["organizationId"], org["id"]);
    assert_eq!(role["usersRoleId"], 11);
    assert!(role["invitation"].is_null());
}

#[tokio::test]
async fn create_names_every_bad_field_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let got = app
        .post(
            "/organizations",
            &app.admin,
            json!({"name": " Bad;", "regionId": "1", "timezoneId": 99999, "countryId": 2}),
        )
        .await;
    let body = assert_error(&got, 400, "SC400");
    assert_eq!(body["message"], "Validation failed");
    assert_eq!(suberror_paths(&body), ["name", "regionId", "timezoneId", "countryId"]);

    let got = app.post("/organizations", &app.admin, json!({})).await;
    let body = assert_error(&got, 400, "SC400");
    assert_eq!(suberror_paths(&body), ["name", "regionId", "timezoneId", "countryId"]);

    let got = app
        .post("/organizations", &app.admin, json!({"name": "X", "regionId": 2, "timezoneId": 113, "countryId": 1.5}))
        .await;
    assert_eq!(suberror_paths(&assert_error(&got, 400, "SC400")), ["regionId", "countryId"]);

    let (_, list) = app.get("/organizations", &app.admin).await;
    assert_eq!(list["organizations"], json!([]));
}

#[tokio::test]
async fn names_follow_the_documented_character_rules() {
    let app = TestApp::spawn().await;
    let nul = app
        .post(
            "/organizations",
            &app.admin,
            json!({"name": "nul\u{0}x", "regionId": 1, "timezoneId": 113, "countryId": 1}),
        )
        .await;
    assert_eq!(suberror_paths(&assert_error(&nul, 400, "SC400")), ["body"], "NUL is refused in any string of a body");
    for bad in ["", " x", "x ", "a<b", "a;b", "tab\tname", &"n".repeat(129)] {
        let got = app
            .post("/organizations", &app.admin, json!({"name": bad, "regionId": 1, "timezoneId": 113, "countryId": 1}))
            .await;
        assert_eq!(suberror_paths(&assert_error(&got, 400, "SC400")), ["name"], "{bad:?}");
    }
    for good in ["O'Brien (EU) - A.B.*+,@_/", "Žluťoučký kůň", "東京 Ops 2"] {
        let (status, body) = app
            .post("/organizations", &app.admin, json!({"name": good, "regionId": 1, "timezoneId": 113, "countryId": 1}))
            .await;
        assert_eq!(status, StatusCode::OK, "{good}: {body}");
        assert_eq!(body["organization"]["name"], good);
    }
}

#[tokio::test]
async fn list_returns_default_columns_sorted_by_name_with_the_pg_echo() {
    let app = TestApp::spawn().await;
    for n in ["Charlie", "alpha", "Bravo"] {
        app.create_org(&app.admin, n).await;
    }
    let (status, body) = app.get("/organizations", &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&body), ["Bravo", "Charlie", "alpha"], "binary order: upper case first");
    let first = body["organizations"][0].as_object().unwrap();
    assert_eq!(first.keys().collect::<Vec<_>>(), ["id", "name", "timezoneId"]);
    assert_eq!(body["pg"], json!({"sortBy": "name", "sortDir": "asc", "limit": 10000, "offset": 0}));
}

#[tokio::test]
async fn list_pages_and_sorts_in_both_directions() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for n in ["e", "d", "c", "b", "a"] {
        ids.push(app.create_org(&app.admin, n).await);
    }
    let (_, body) = app.get("/organizations?pg[limit]=2&pg[offset]=1", &app.admin).await;
    assert_eq!(names(&body), ["b", "c"]);
    assert_eq!(body["pg"], json!({"sortBy": "name", "sortDir": "asc", "limit": 2, "offset": 1}));
    let (_, body) = app.get("/organizations?pg%5BsortBy%5D=id&pg%5BsortDir%5D=desc&pg%5Blimit%5D=3", &app.admin).await;
    let got: Vec<i64> = body["organizations"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert_eq!(got, [ids[4], ids[3], ids[2]]);
    let (_, body) = app.get("/organizations?pg[offset]=5", &app.admin).await;
    assert_eq!(body["organizations"], json!([]));
}

#[tokio::test]
async fn list_shows_only_the_callers_organizations_and_filters_by_zone() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    app.create_org(&app.admin, "Admin's").await;
    app.create_org(&ann, "Ann's").await;
    let (_, body) = app.get("/organizations", &ann).await;
    assert_eq!(names(&body), ["Ann's"]);
    let (_, body) = app.get(&format!("/organizations?zone={}", app.addr), &ann).await;
    assert_eq!(names(&body), ["Ann's"]);
    let (_, body) = app.get("/organizations?zone=eu1.make.com", &ann).await;
    assert_eq!(body["organizations"], json!([]));
}

#[tokio::test]
async fn cols_select_add_order_and_expand() {
    let app = TestApp::spawn().await;
    let id = app.create_org(&app.admin, "Cols").await;
    let (_, body) = app.get("/organizations?cols[]=id&cols[]=name", &app.admin).await;
    let o = body["organizations"][0].as_object().unwrap();
    assert_eq!(o.keys().collect::<Vec<_>>(), ["id", "name"]);
    assert!(o.get("zone").is_none());

    let (_, body) = app.get(&format!("/organizations/{id}?cols[3]=teams&cols[1]=id&cols[2]=name"), &app.admin).await;
    let o = body["organization"].as_object().unwrap();
    assert_eq!(o.keys().collect::<Vec<_>>(), ["id", "name", "teams"]);
    assert_eq!(o["teams"][0]["name"], "My Team");

    let (_, body) = app.get(&format!("/organizations/{id}?cols%5B%5D=%2A"), &app.admin).await;
    let o = body["organization"].as_object().unwrap();
    assert!(o.contains_key("privateSpaces") && o.contains_key("license") && o.len() == 30, "{o:?}");

    let got = app.get("/organizations?cols[]=id&cols[]=bogus&cols[]=worse", &app.admin).await;
    let body = assert_error(&got, 400, "SC400");
    assert_eq!(body["suberrors"].as_array().unwrap().len(), 2);
    assert_eq!(body["detail"], "Validation failed for 2 parameter(s).");
    assert!(body["suberrors"][0]["message"].as_str().unwrap().contains("bogus"));
}

#[tokio::test]
async fn detail_answers_404_for_unknown_403_for_strangers_and_400_for_bad_ids() {
    let app = TestApp::spawn().await;
    let stranger = app.user("stranger@example.com").await;
    let id = app.create_org(&app.admin, "Private").await;
    let (status, body) = app.get(&format!("/organizations/{id}?wait=true"), &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["organization"]["name"], "Private");
    assert_error(&app.get("/organizations/999999", &app.admin).await, 404, "SC404");
    assert_error(&app.get(&format!("/organizations/{id}"), &stranger).await, 403, "SC403");
    for bad in ["abc", "-1", "0", "1.5", "99999999999999999999"] {
        let body = assert_error(&app.get(&format!("/organizations/{bad}"), &app.admin).await, 400, "SC400");
        assert_eq!(suberror_paths(&body), ["organizationId"]);
    }
    assert_error(&app.get(&format!("/organizations/{id}?wait=perhaps"), &app.admin).await, 400, "SC400");
}

#[tokio::test]
async fn update_changes_only_given_fields_and_refuses_bad_values_whole() {
    let app = TestApp::spawn().await;
    let id = app.create_org(&app.admin, "Before").await;
    let path = format!("/organizations/{id}");
    let (status, body) = app.patch(&path, &app.admin, json!({"name": "After", "timezoneId": 164})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["organization"]["name"].as_str(), body["organization"]["timezoneId"].as_i64()),
        (Some("After"), Some(164))
    );
    assert_eq!(body["organization"]["countryId"], 1);

    let (status, body) = app.patch(&path, &app.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["organization"]["name"], "After");

    let got = app.patch(&path, &app.admin, json!({"name": "Valid", "countryId": 3, "timezoneId": "164"})).await;
    assert_eq!(suberror_paths(&assert_error(&got, 400, "SC400")), ["timezoneId", "countryId"]);
    let (_, body) = app.get(&path, &app.admin).await;
    assert_eq!(body["organization"]["name"], "After", "a refused PATCH changes nothing");
}

#[tokio::test]
async fn delete_needs_confirmation_then_removes_the_organization() {
    let app = TestApp::spawn().await;
    let id = app.create_org(&app.admin, "Doomed").await;
    let path = format!("/organizations/{id}");
    let body = assert_error(&app.delete(&path, &app.admin).await, 406, "IM004");
    assert_eq!(body["message"], "Confirmation required");
    assert_error(&app.delete(&format!("{path}?confirmed=false"), &app.admin).await, 406, "IM004");
    assert_eq!(app.get(&path, &app.admin).await.0, StatusCode::OK, "still there");

    let (status, body) = app.delete(&format!("{path}?confirmed=true"), &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"organization": id}));
    assert_error(&app.get(&path, &app.admin).await, 404, "SC404");
    assert_error(&app.delete(&format!("{path}?confirmed=true"), &app.admin).await, 404, "SC404");
    let (_, list) = app.get("/organizations", &app.admin).await;
    assert_eq!(list["organizations"], json!([]));
}

#[tokio::test]
async fn usage_of_the_current_month_shows_on_the_organization() {
    let app = TestApp::spawn().await;
    let id = app.create_org(&app.admin, "Busy").await;
    let today = chrono::Utc::now();
    let amounts = orgd::store::models::UsageTotals { operations: 250, data_transfer: 4096, centicredits: 7 };
    app.store.add_usage(OrgId(id), today, amounts.clone(), chrono::Utc::now()).await.unwrap();
    app.store.add_usage(OrgId(id), today, amounts, chrono::Utc::now()).await.unwrap();
    let (_, body) = app.get(&format!("/organizations/{id}"), &app.admin).await;
    let o = &body["organization"];
    assert_eq!((o["operations"].as_str(), o["unusedOperations"].as_str()), (Some("500"), Some("500")));
    assert_eq!(o["transfer"], "8192");
}
