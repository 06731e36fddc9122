//! `GET /users/me`.

use serde_json::json;

use crate::helpers::{assert_error, TestApp};

#[tokio::test]
async fn me_returns_the_callers_profile_in_default_columns() {
    let app = TestApp::spawn().await;
    let token = app.user("me@example.com").await;
    let (_, body) = app.get("/users/me", &token).await;
    let u = body["authUser"].as_object().unwrap();
    assert_eq!(
        u.keys().collect::<Vec<_>>(),
        [
            "id",
            "name",
            "email",
            "language",
            "timezoneId",
            "localeId",
            "countryId",
            "features",
            "avatar",
            "lastLogin",
            "timezone",
            "locale"
        ]
    );
    assert_eq!(
        (u["email"].as_str(), u["name"].as_str(), u["timezone"].as_str()),
        (Some("me@example.com"), Some("Test User"), Some("Etc/UTC"))
    );
    assert!(u["avatar"].as_str().unwrap().starts_with("https://secure.gravatar.com/avatar/"));
}

#[tokio::test]
async fn me_cols_expose_roles_in_organizations_and_teams() {
    let app = TestApp::spawn().await;
    let org = app.create_org(&app.admin, "Mine").await;
    let (_, body) = app
        .get("/users/me?cols[]=id&cols[]=userOrganizationRoles&cols[]=userTeamRoles&cols[]=tfaEnabled", &app.admin)
        .await;
    let u = &body["authUser"];
    assert_eq!(
        u["userOrganizationRoles"],
        json!([{"userId": 1, "organizationId": org, "usersRoleId": 11, "invitation": null}])
    );
    assert_eq!(u["userTeamRoles"][0]["usersRoleId"], 1);
    assert_eq!(u["tfaEnabled"], false);
    assert_error(&app.get("/users/me?cols[]=password", &app.admin).await, 400, "SC400");
}
