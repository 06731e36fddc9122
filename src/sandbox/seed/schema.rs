//! The seed format as a JSON Schema (draft 2020-12), made from the same types the loader reads, so editors can
//! check seed files (`/_orgd/seed.schema.json`, `docs/seed.schema.json`).

use serde_json::{json, Map, Value};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::SeedDoc;

/// The schema document.
pub fn document() -> Value {
    let mut parts: Vec<(String, RefOr<Schema>)> = Vec::new();
    SeedDoc::schemas(&mut parts);
    let mut defs = Map::new();
    for (name, schema) in parts {
        defs.insert(name, to_json(&schema));
    }
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://orgd.dev/seed.schema.json",
        "title": "orgd seed document",
    });
    if let (Value::Object(root), Value::Object(body)) = (&mut root, to_json(&SeedDoc::schema())) {
        root.extend(body);
        root.insert("$defs".into(), Value::Object(defs));
    }
    root
}

/// OpenAPI 3.1's schema objects are JSON Schema; only references point at `components` instead of `$defs`.
fn to_json(schema: &RefOr<Schema>) -> Value {
    let text = serde_json::to_string(schema).expect("schemas serialise");
    serde_json::from_str(&text.replace("#/components/schemas/", "#/$defs/")).expect("schemas serialise")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_names_every_part() {
        let doc = super::document();
        let defs = doc["$defs"].as_object().unwrap();
        for name in [
            "SeedUser",
            "SeedOrg",
            "SeedMember",
            "SeedTeam",
            "SeedToken",
            "SeedVariable",
            "SeedUsage",
            "SeedSpacesSettings",
        ] {
            assert!(defs.contains_key(name), "{name}");
        }
        assert_eq!(doc["properties"]["users"]["items"]["$ref"], "#/$defs/SeedUser");
        assert_eq!(doc["additionalProperties"], false);
    }
}
