//! Fault rules and the request log.

use std::time::Instant;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{example_seed, start_seeded, ANN};

#[tokio::test]
async fn a_rule_answers_its_status_times_then_ends_and_the_log_shows_it() {
    let sb = start_seeded(&example_seed(), &[]);
    let rule = json!({"method": "GET", "path": "/api/v2/organizations/*", "status": 503, "retryAfter": 1, "times": 2});
    let (s, _, v) = sb.call(Method::POST, "/_orgd/faults", Some(crate::ADMIN), Some(rule)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    for _ in 0..2 {
        let (s, headers, v) = sb.call(Method::GET, "/api/v2/organizations/1", Some(ANN), None).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(v["code"], "SC503", "Make's error body: {v}");
        assert_eq!(headers["retry-after"], "1");
    }
    assert_eq!(sb.get("/api/v2/organizations/1?x=1", ANN).await.0, StatusCode::OK, "the rule ended");
    assert!(sb.control(Method::GET, "/_orgd/faults", None).await["rules"].as_array().unwrap().is_empty());

    let log = sb.control(Method::GET, "/_orgd/requests?limit=3&path=/api/v2/organizations/*", None).await;
    let statuses: Vec<i64> =
        log["requests"].as_array().unwrap().iter().map(|r| r["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [200, 503, 503], "newest first: {log}");
    let newest = &log["requests"][0];
    assert_eq!((newest["method"].as_str(), newest["query"].as_str()), (Some("GET"), Some("x=1")));
    assert_eq!(newest["userId"], 2);
    assert!(newest["at"].is_string() && newest["durationMs"].is_number());
    assert!(!log.to_string().contains(ANN), "never the token");
    sb.control(Method::DELETE, "/_orgd/requests", None).await;
    assert!(sb.control(Method::GET, "/_orgd/requests", None).await["requests"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_rule_without_status_only_delays_and_bad_rules_are_refused() {
    let sb = start_seeded(&example_seed(), &[]);
    sb.control(Method::POST, "/_orgd/faults", Some(json!({"path": "/api/v2/users/me", "latencyMs": 300}))).await;
    let started = Instant::now();
    assert_eq!(sb.get("/api/v2/users/me", ANN).await.0, StatusCode::OK);
    assert!(started.elapsed().as_millis() >= 300);
    for (rule, field) in [
        (json!({"path": "/x", "status": 418}), "status"),
        (json!({"path": "x"}), "path"),
        (json!({"path": "/x", "probability": 1.5}), "probability"),
        (json!({"path": "/x", "status": "503"}), "status"),
    ] {
        let (s, _, v) = sb.call(Method::POST, "/_orgd/faults", Some(crate::ADMIN), Some(rule)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(v["suberrors"][0]["path"], field, "{v}");
    }
    sb.control(Method::DELETE, "/_orgd/faults", None).await;
    assert!(sb.control(Method::GET, "/_orgd/faults", None).await["rules"].as_array().unwrap().is_empty());
}

/// An MCP tool call (`tools/call` over `/mcp/stateless`, Streamable HTTP with JSON answers): the tool result.
async fn call_tool(sb: &crate::Sandbox, token: &str, name: &str) -> serde_json::Value {
    let msg = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": {}}});
    let res = sb
        .http
        .post(sb.url("/mcp/stateless"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Accept", "application/json, text/event-stream")
        .json(&msg)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    // The answer is JSON, or one server-sent event whose data line is the JSON.
    let json = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or(&text);
    serde_json::from_str::<serde_json::Value>(json).unwrap()["result"].clone()
}

#[tokio::test]
async fn an_mcp_tool_call_meets_the_fault_rules_and_the_request_log_as_its_rest_call_does() {
    let sb = start_seeded(&example_seed(), &[]);
    let rule = json!({"method": "GET", "path": "/api/v2/organizations", "status": 503, "times": 1});
    sb.control(Method::POST, "/_orgd/faults", Some(rule)).await;
    let refused = call_tool(&sb, ANN, "organizations_list").await;
    assert_eq!(refused["isError"], true, "{refused}");
    assert_eq!(refused["structuredContent"]["code"], "SC503", "the rule's answer in Make's body: {refused}");
    let listed = call_tool(&sb, ANN, "organizations_list").await;
    assert!(listed["structuredContent"]["organizations"].is_array(), "the rule ended: {listed}");
    let log = sb.control(Method::GET, "/_orgd/requests?path=/api/v2/organizations", None).await;
    let statuses: Vec<i64> =
        log["requests"].as_array().unwrap().iter().map(|r| r["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [200, 503], "the tool calls' REST requests, newest first: {log}");
}
