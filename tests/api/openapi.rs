//! The OpenAPI document at `/api/v2/openapi.json` against the router and the handlers, and the offline docs page.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options", "trace"];

async fn document(app: &TestApp) -> Value {
    let res = reqwest::get(app.root("/api/v2/openapi.json")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json; charset=utf-8");
    res.json().await.unwrap()
}

/// Every `(METHOD, path)` operation of the document.
fn operations(doc: &Value) -> BTreeMap<(String, String), Value> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                out.insert((method.to_uppercase(), path.clone()), op.clone());
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_has_the_probes_and_not_the_docs_page() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    let doc = document(&app).await;

    // Assert: the API's operations are the router's (each route is registered with its documentation), so only
    // the probes outside it, documented by hand in src/api/openapi/probes.rs, need a check. The docs page (/docs
    // and its assets) is HTML for people, not an API operation.
    let paths = doc["paths"].as_object().unwrap();
    for probe in ["/livez", "/health", "/metrics"] {
        assert!(paths.contains_key(probe), "{probe} is not documented");
    }
    assert!(!paths.keys().any(|p| p.starts_with("/docs")));
}

/// A concrete path for a documented one.
fn concrete(path: &str) -> String {
    path.replace("{variableName}", "userID")
        .replace("{sessionId}", "0b6c1f7e-5d0e-4c8e-9a57-5b8e0c4f2a11")
        .replace("{organizationId}", "1")
        .replace("{teamId}", "1")
        .replace("{userId}", "1")
        .replace("{roleId}", "1")
}

#[tokio::test]
async fn every_documented_operation_is_served_by_its_route() {
    // Arrange: no organizations exist, so nothing below changes anything.
    let app = TestApp::spawn().await;
    let doc = document(&app).await;

    for ((method, path), op) in operations(&doc) {
        // Act
        let res = reqwest::Client::new()
            .request(Method::from_bytes(method.as_bytes()).unwrap(), app.root(&concrete(&path)))
            .header("Authorization", format!("Token {}", app.admin))
            .send()
            .await
            .unwrap();

        // Assert: not the router's fallback, and a status the document lists for the operation.
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(status != StatusCode::METHOD_NOT_ALLOWED, "{method} {path}: 405");
        assert!(!body.contains("Route not found."), "{method} {path}: {status} {body}");
        assert!(op["responses"].get(status.as_str()).is_some(), "{method} {path}: undocumented {status}: {body}");
    }
}

#[tokio::test]
async fn each_operation_accepts_exactly_the_scopes_it_documents() {
    // Arrange
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut tokens: BTreeMap<String, String> = BTreeMap::new();
    let all: Vec<&str> = orgd::domain::scopes::KNOWN.to_vec();

    for ((method, path), op) in operations(&doc) {
        let Some(security) = op.get("security").and_then(Value::as_array) else { continue };
        let alternatives: Vec<Vec<&str>> = security
            .iter()
            .map(|r| r["Token"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect())
            .collect();
        let any_token = alternatives.iter().any(Vec::is_empty);
        let accepted: BTreeSet<&str> = alternatives.iter().flatten().copied().collect();
        let mut cases: Vec<(Vec<&str>, bool)> =
            alternatives.iter().filter(|a| !a.is_empty()).map(|a| (a.clone(), true)).collect();
        let others: Vec<&str> = all.iter().copied().filter(|s| !accepted.contains(s)).collect();
        cases.push((others, any_token));
        for (scopes, allowed) in cases {
            let key = scopes.join(",");
            if !tokens.contains_key(&key) {
                let email = format!("scopes{}@example.com", tokens.len());
                let token = app.user_with_scopes(&email, Some(&key)).await;
                tokens.insert(key.clone(), token);
            }

            // Act
            let res = reqwest::Client::new()
                .request(Method::from_bytes(method.as_bytes()).unwrap(), app.root(&concrete(&path)))
                .header("Authorization", format!("Token {}", tokens[&key]))
                .send()
                .await
                .unwrap();

            // Assert
            let status = res.status();
            let body = res.text().await.unwrap();
            let refused = status == StatusCode::FORBIDDEN && body.contains("lacks the scope");
            assert_eq!(!refused, allowed, "{method} {path} with [{key}]: {status} {body}");
        }
    }
}

#[tokio::test]
async fn every_error_answer_is_the_error_body_and_extensions_are_marked() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    let scheme = &doc["components"]["securitySchemes"]["Token"];
    assert_eq!(
        (&scheme["type"], &scheme["in"], &scheme["name"]),
        (&json!("apiKey"), &json!("header"), &json!("Authorization"))
    );
    let mut extensions = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for ((method, path), op) in operations(&doc) {
        assert!(ids.insert(op["operationId"].as_str().unwrap().to_string()), "duplicate operationId at {path}");
        assert!(op["responses"]["200"].is_object(), "{method} {path}: no 200");
        for (status, res) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &res["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
            }
        }
        for name in path.split('{').skip(1).map(|s| s.split('}').next().unwrap()) {
            let declared =
                op["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"));
            assert!(declared, "{method} {path}: path parameter {name} undeclared");
        }
        if op["x-orgd-extension"] == json!(true) {
            extensions.insert(format!("{method} {path}"));
        }
    }
    let expected: BTreeSet<String> = [
        "GET /livez",
        "GET /health",
        "GET /metrics",
        "GET /api/v2/openapi.json",
        "GET /api/v2/enums/prices",
        "GET /api/v2/checkout/{sessionId}",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(extensions, expected);
}

#[tokio::test]
async fn the_price_ids_of_the_document_are_the_instance_catalogue() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let (_, prices) = app.get("/enums/prices", &app.admin).await;
    let served: Vec<&Value> = prices["prices"].as_array().unwrap().iter().map(|p| &p["id"]).collect();
    let documented: Vec<&Value> = doc["components"]["schemas"]["PriceId"]["enum"].as_array().unwrap().iter().collect();
    assert_eq!(served, documented);
    assert!(documented.contains(&&json!("teams-monthly")));
}

#[tokio::test]
async fn the_docs_page_and_its_scripts_are_served_from_the_binary() {
    // Arrange
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();

    // Act: /docs redirects to /docs/, whose page loads its scripts from the same server.
    let page = client.get(app.root("/docs")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.url().path(), "/docs/");
    let html = page.text().await.unwrap();

    // Assert
    assert!(html.contains("swagger-ui"), "{html}");
    let scripts: Vec<&str> = html.split("<script src=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    assert!(scripts.contains(&"./swagger-ui-bundle.js"), "{scripts:?}");
    assert!(!html.contains("http://") && !html.contains("https://"), "the page loads something from elsewhere");
    for script in scripts {
        let res = client.get(app.root(&format!("/docs/{}", script.trim_start_matches("./")))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{script}");
        assert!(res.headers()["content-type"].to_str().unwrap().contains("javascript"), "{script}");
        let js = res.text().await.unwrap();
        if script.ends_with("swagger-ui-bundle.js") {
            assert!(js.len() > 500_000, "the main script is {} bytes", js.len());
        }
        if script.ends_with("swagger-initializer.js") {
            assert!(js.contains("\"url\": \"/api/v2/openapi.json\""), "{js}");
            assert!(js.contains("\"validatorUrl\": \"none\""), "the page would call the online validator: {js}");
        }
    }
}
