//! The tools, each with the REST operation it calls and what that operation's documentation says about it: which
//! arguments are path segments, query parameters or body fields, and which token scopes it accepts. Built once
//! from `make-tools.json` (the SDK's definitions) and orgd's own tools, against the OpenAPI document of `/api/v2`.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{json, Map, Value};

use super::routes::{self, OwnTool, Route};
use crate::auth::Caller;

/// The SDK's tool definitions, exported from the pinned package by `tests/clients/export-mcp-tools.mjs`.
const MAKE_TOOLS: &str = include_str!("make-tools.json");

/// A tool and how it reaches its operation.
#[derive(Debug, Clone)]
pub struct Entry {
    pub tool: Tool,
    pub route: Route,
    /// The scopes of which the token needs one; `None` when any valid token may call the operation.
    pub any_of: Option<Vec<String>>,
    /// The operation's path parameters and query parameters (as documented: `cols[]`, `pg[limit]`).
    pub path_params: Vec<String>,
    pub query_params: Vec<String>,
    /// Whether the operation takes a JSON body, which then receives the arguments that are neither.
    pub has_body: bool,
}

impl Entry {
    /// Whether the caller's token may call the tool: the same scopes the operation itself checks.
    pub fn allows(&self, caller: &Caller) -> bool {
        match &self.any_of {
            None => true,
            Some(any) => any.iter().any(|s| caller.scopes.iter().any(|own| own == s)),
        }
    }
}

/// Every tool, in listing order: the SDK's, then orgd's.
#[derive(Debug)]
pub struct Catalogue(pub Vec<Entry>);

impl Catalogue {
    /// Builds the catalogue against `doc`, orgd's OpenAPI document as JSON. Panics on a tool without
    /// a documented operation: a programming error the unit tests catch.
    pub fn build(doc: &Value) -> Catalogue {
        let sdk: Vec<Value> = serde_json::from_str(MAKE_TOOLS).expect("make-tools.json is a JSON array");
        let mut out = Vec::new();
        for def in sdk {
            let name = def["name"].as_str().unwrap_or_default().to_string();
            let route = routes::sdk_route(&name).unwrap_or_else(|| panic!("no route for SDK tool {name}"));
            let tool: Tool = serde_json::from_value(def).unwrap_or_else(|e| panic!("SDK tool {name}: {e}"));
            out.push(entry(doc, tool, route));
        }
        for own in routes::OWN_TOOLS {
            let op = operation(doc, &own.route);
            out.push(entry(doc, own_tool(doc, own, op), own.route));
        }
        Catalogue(out)
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.0.iter().find(|e| e.tool.name == name)
    }
}

/// The documented operation of a route.
fn operation<'a>(doc: &'a Value, route: &Route) -> &'a Value {
    let method = route.method.method().as_str().to_ascii_lowercase();
    let op = &doc["paths"][format!("/api/v2{}", route.path)][&method];
    assert!(op.is_object(), "{method} {} is not documented", route.path);
    op
}

fn entry(doc: &Value, tool: Tool, route: Route) -> Entry {
    let op = operation(doc, &route);
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let named = |place: &str| -> Vec<String> {
        params.iter().filter(|p| p["in"] == place).filter_map(|p| p["name"].as_str().map(String::from)).collect()
    };
    let any_of = scopes(op);
    Entry {
        tool,
        route,
        any_of,
        path_params: named("path"),
        query_params: named("query"),
        has_body: op["requestBody"].is_object(),
    }
}

/// The operation's scope alternatives (`security`); `None` when one alternative needs no scope.
fn scopes(op: &Value) -> Option<Vec<String>> {
    let alternatives = op["security"].as_array().cloned().unwrap_or_default();
    let mut any = Vec::new();
    for alt in &alternatives {
        let list = alt["Token"].as_array().cloned().unwrap_or_default();
        if list.is_empty() {
            return None;
        }
        any.extend(list.iter().filter_map(|s| s.as_str().map(String::from)));
    }
    Some(any)
}

/// One of orgd's tools, described from its operation: summary and description, and an input schema of its path
/// and query parameters and its body's fields.
fn own_tool(doc: &Value, own: &OwnTool, op: &Value) -> Tool {
    let text = [&op["summary"], &op["description"]].iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join("\n\n");
    let mut annotations = ToolAnnotations::default();
    annotations.read_only_hint = Some(own.read_only);
    annotations.destructive_hint = Some(own.destructive);
    annotations.open_world_hint = Some(false);
    Tool::new(own.name, text, Arc::new(input_schema(doc, op))).with_title(own.title).with_annotations(annotations)
}

/// The JSON Schema of a tool's arguments: every parameter but the `Authorization` header, then the body's fields.
fn input_schema(doc: &Value, op: &Value) -> JsonObject {
    let mut props = Map::new();
    let mut required = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path" || p["in"] == "query") {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        let mut schema = inline(doc, &p["schema"], 0);
        if let (Some(obj), Some(d)) = (schema.as_object_mut(), p["description"].as_str()) {
            obj.insert("description".into(), json!(d));
        }
        if p["required"] == true {
            required.push(json!(name));
        }
        props.insert(name, schema);
    }
    let body = inline(doc, &op["requestBody"]["content"]["application/json"]["schema"], 0);
    let (fields, needed) = body_fields(&body);
    props.extend(fields);
    required.extend(needed);
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema
}

/// A body schema's fields and required ones. A `oneOf` (a variable's value typed by its `typeId`) gives each field
/// the schemas it has in the alternatives (`anyOf` where they differ), required when every alternative needs it.
fn body_fields(body: &Value) -> (Map<String, Value>, Vec<Value>) {
    let alternatives = match body["oneOf"].as_array().or_else(|| body["anyOf"].as_array()) {
        Some(list) => list.clone(),
        None => vec![body.clone()],
    };
    let mut fields: Map<String, Value> = Map::new();
    for alt in &alternatives {
        for (key, schema) in alt["properties"].as_object().into_iter().flatten() {
            match fields.get_mut(key) {
                None => {
                    fields.insert(key.clone(), schema.clone());
                }
                Some(seen) if seen == schema => {}
                Some(seen) => {
                    let mut any = seen["anyOf"].as_array().cloned().unwrap_or_else(|| vec![seen.clone()]);
                    if !any.contains(schema) {
                        any.push(schema.clone());
                    }
                    *seen = json!({ "anyOf": any });
                }
            }
        }
    }
    let required_in = |alt: &Value, key: &str| alt["required"].as_array().is_some_and(|r| r.iter().any(|k| k == key));
    let required = fields.keys().filter(|k| alternatives.iter().all(|a| required_in(a, k))).map(|k| json!(k)).collect();
    (fields, required)
}

/// `schema` with every `$ref` to the document's components replaced by the component itself, so a tool's schema
/// stands alone (depth-limited: the body types are shallow).
fn inline(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 8 {
        return json!({});
    }
    match schema {
        Value::Object(obj) => {
            if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
                let name = r.rsplit('/').next().unwrap_or_default();
                return inline(doc, &doc["components"]["schemas"][name], depth + 1);
            }
            Value::Object(obj.iter().map(|(k, v)| (k.clone(), inline(doc, v, depth + 1))).collect())
        }
        Value::Array(list) => Value::Array(list.iter().map(|v| inline(doc, v, depth + 1)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::build(&serde_json::to_value(crate::api::openapi::base()).unwrap())
    }

    #[test]
    fn every_tool_has_its_documented_operation_and_a_unique_name() {
        let c = catalogue();
        let mut names: Vec<&str> = c.0.iter().map(|e| e.tool.name.as_ref()).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "duplicate tool names");
        let update = c.get("custom-roles_update").unwrap();
        assert_eq!((update.path_params.as_slice(), update.has_body), (&["roleId".to_string()][..], true));
        assert_eq!(c.get("users_me").unwrap().any_of, None, "any token");
        assert_eq!(c.get("teams_list").unwrap().any_of, Some(vec!["teams:read".to_string()]));
    }

    #[test]
    fn own_tools_carry_a_schema_from_the_operation() {
        let c = catalogue();
        let create = &c.get("organization-variables_create").unwrap().tool;
        let props = create.input_schema["properties"].as_object().unwrap();
        for key in ["organizationId", "name", "typeId", "value"] {
            assert!(props.contains_key(key), "{key} in {props:?}");
        }
        assert!(!serde_json::to_string(&*create.input_schema).unwrap().contains("$ref"));
        assert_eq!(create.annotations.as_ref().unwrap().read_only_hint, Some(false));
    }
}
