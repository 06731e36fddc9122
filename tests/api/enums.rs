//! `GET /enums/countries`, `/enums/timezones`, `/enums/imt-regions`, `/enums/imt-zones`, `/enums/variable-types` and
//! `/enums/connected-system-apps`.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn countries_are_every_iso_country_with_make_ids() {
    let app = TestApp::spawn().await;
    let (_, body) = app.get("/enums/countries", &app.admin).await;
    let list = body["countries"].as_array().unwrap();
    assert!(list.len() >= 249, "{}", list.len());
    let find = |id: i64| list.iter().find(|c| c["id"] == id).cloned().unwrap();
    assert_eq!(find(1), json!({"id": 1, "name": "Czechia", "code": "CZE", "code2": "cz"}));
    assert_eq!(find(4)["code"], "AFG");
    assert_eq!(find(5)["code2"], "ax");
    assert_eq!(find(6)["name"], "Albania");
}

#[tokio::test]
async fn timezones_carry_make_ids_and_current_offsets() {
    let app = TestApp::spawn().await;
    let (_, body) = app.get("/enums/timezones", &app.admin).await;
    let list = body["timezones"].as_array().unwrap();
    assert!(list.len() > 300);
    let prague = list.iter().find(|z| z["id"] == 113).unwrap();
    assert_eq!(prague["code"], "Europe/Prague");
    let offset = prague["offset"].as_str().unwrap();
    assert!(offset == "+0100" || offset == "+0200", "{offset}");
    assert_eq!(prague["name"], format!("(GMT{}:{}) Europe/Prague", &offset[..3], &offset[3..]));
    assert_eq!(list.iter().find(|z| z["id"] == 164).unwrap()["code"], "Europe/Rome");
    let codes: Vec<&str> = list.iter().map(|z| z["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"Etc/UTC") && codes.contains(&"America/New_York") && !codes.contains(&"US/Pacific"));
}

#[tokio::test]
async fn regions_zones_and_variable_types_describe_this_instance() {
    let app = TestApp::spawn().await;
    let zone = app.addr.to_string();
    assert_eq!(app.get("/enums/imt-regions", &app.admin).await.1, json!({"imtRegions": [{"id": 1, "name": zone}]}));
    assert_eq!(app.get("/enums/imt-zones", &app.admin).await.1, json!({"imtZones": [{"id": 1, "name": zone}]}));
    let (_, types) = app.get("/enums/variable-types", &app.admin).await;
    assert_eq!(types["variableTypes"][3], json!({"id": 4, "name": "date"}));
}

#[tokio::test]
async fn connected_system_apps_are_an_empty_list_in_make_shape() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/enums/connected-system-apps", &app.admin).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"connectedSystemApps": []}));
}
