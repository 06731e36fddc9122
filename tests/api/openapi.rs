//! The OpenAPI document at `/api/v2/openapi.json` against the router and the handlers, and the offline docs page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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

/// The `.route("…", get(…).post(…))` calls under `src/`, with the prefix their router is nested under. Routes in
/// `src/api/` are nested under `/api/v2` by `src/router.rs`; the rest are at the root.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let app = std::fs::read_to_string(src.join("router.rs")).unwrap();
    assert!(
        app.contains(r#".nest("/api/v2", api::router())"#),
        "src/router.rs no longer nests api::router() at /api/v2"
    );
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut out = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        if rel.starts_with("sandbox/") {
            // Served and documented only by `orgd sandbox` (nested at /_orgd): tests/sandbox checks them.
            continue;
        }
        if rel == "console.rs" {
            // The console's page and assets are for people, like `/docs`: not operations of the API document.
            continue;
        }
        let nests = text.matches(".nest(").count() + text.matches(".nest_service(").count();
        // router.rs nests the API at /api/v2 and, in a sandbox, the control endpoints at /_orgd.
        let expected_nests = if rel == "router.rs" { 2 } else { 0 };
        assert_eq!(nests, expected_nests, "{rel}: a new nest() changes the prefixes this test assumes; extend it");
        assert!(!text.contains(".route_service("), "{rel}: route_service() is not understood by this test; extend it");
        let prefix = if rel.starts_with("api/") { "/api/v2" } else { "" };
        for (path, methods) in route_calls(&text) {
            assert!(!methods.is_empty(), "{rel}: no method found for route {path}");
            for m in methods {
                out.insert((m, format!("{prefix}{path}")));
            }
        }
    }
    out
}

/// `(path, methods)` of every `.route(` call in a source text.
fn route_calls(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(".route(") {
        let call = &rest[i + ".route(".len()..];
        let mut depth = 1;
        let end = call
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(j, _)| j)
            .expect("balanced route call");
        let args = &call[..end];
        rest = &call[end..];
        let open = args.find('"').expect("a path literal");
        let close = open + 1 + args[open + 1..].find('"').expect("closing quote");
        let path = args[open + 1..close].to_string();
        let mut methods = Vec::new();
        let tail = &args[close + 1..];
        let bytes = tail.as_bytes();
        for m in ["get", "post", "put", "patch", "delete", "head", "options", "trace", "any"] {
            let mut from = 0;
            while let Some(k) = tail[from..].find(m) {
                let at = from + k;
                let before = if at == 0 { b'.' } else { bytes[at - 1] };
                let after = bytes.get(at + m.len()).copied().unwrap_or(b' ');
                if after == b'(' && !(before.is_ascii_alphanumeric() || before == b'_') {
                    methods.push(m.to_uppercase());
                }
                from = at + m.len();
            }
        }
        out.push((path, methods));
    }
    out
}

#[tokio::test]
async fn every_route_of_the_router_is_in_the_document_and_vice_versa() {
    // Arrange
    let app = TestApp::spawn().await;

    // Act
    let doc = document(&app).await;
    let documented: BTreeSet<(String, String)> = operations(&doc).into_keys().collect();
    let routed = routes_in_source();

    // Assert: exact both ways. The probes (/livez, /health, /metrics) are documented as orgd extensions. The only
    // routes not in the document are the docs page's (/docs and its assets, mounted by src/api/docs.rs from
    // utoipa-swagger-ui rather than by .route()): HTML for people, not an API operation.
    assert!(routed.contains(&("GET".into(), "/livez".into())), "the scan found no probes: {routed:?}");
    let missing: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(missing.is_empty(), "routes missing from the document: {missing:?}");
    assert!(unrouted.is_empty(), "documented operations without a route: {unrouted:?}");
    assert!(!doc["paths"].as_object().unwrap().keys().any(|p| p.starts_with("/docs")));
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
