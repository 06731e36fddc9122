//! The wire types of the organization variables (`/organizations/{organizationId}/variables[/{variableName}]`
//! and its `history`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::api::body::{FromField, Optional, Required};
use crate::api::openapi::common::{params, VariableName, VariableTypeId, VariableValue};
use crate::api::reply::timestamp;
use crate::domain::variables::{parse_name, parse_type, VarType};
use crate::store::models::{self, Org};

/// A variable: the system ones (`$organizationId`, …) first, then the custom ones.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    name: String,
    #[schema(value_type = VariableTypeId)]
    type_id: i64,
    #[schema(value_type = VariableValue)]
    value: Value,
    is_system: bool,
}

impl Variable {
    /// The read-only variables every organization has, derived from its data.
    pub fn system(org: &Org) -> [Variable; 3] {
        let system = |name: &str, type_id, value| Variable { name: name.into(), type_id, value, is_system: true };
        [
            system("$organizationId", 1, json!(org.id)),
            system("$organizationName", 2, json!(org.name)),
            system("$organizationZone", 2, json!(org.zone)),
        ]
    }
}

impl From<models::Variable> for Variable {
    fn from(v: models::Variable) -> Self {
        Variable { name: v.name, type_id: v.type_id, value: v.value, is_system: false }
    }
}

/// The list answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariableList {
    pub organization_variables: Vec<Variable>,
}

/// The answer of a create or an update.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VariableDetail {
    pub organization_variable: Variable,
}

/// The create body: `name`, `typeId` and a `value` of that type. The value is checked by the handler against the
/// type; the schema is written out below because it is a `oneOf` per type the derive cannot express.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateVariable {
    pub(crate) name: Required<Name>,
    pub(crate) type_id: Required<VarType>,
    pub(crate) value: Required<Value>,
}

impl PartialSchema for CreateVariable {
    fn schema() -> RefOr<Schema> {
        let mut one_of = OneOfBuilder::new();
        for t in TYPES {
            one_of = one_of.item(typed(t).property("name", VariableName::schema()).required("name"));
        }
        one_of.description(Some("A name, a typeId and a value of that type.")).into()
    }
}

impl ToSchema for CreateVariable {}

/// The update body: `typeId` and/or `value`; checked against each other only when both are sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateVariable {
    pub(crate) type_id: Optional<VarType>,
    pub(crate) value: Optional<Value>,
}

/// A variable's name (not checked against the system variables here: that answer is not a field error).
pub struct Name(pub String);

impl FromField for Name {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        v.as_str().ok_or_else(|| format!("{key} must be a string")).and_then(parse_name).map(Name)
    }
}

impl FromField for VarType {
    fn from_field(_key: &str, v: &Value) -> Result<Self, String> {
        parse_type(v)
    }
}

impl PartialSchema for UpdateVariable {
    fn schema() -> RefOr<Schema> {
        let lone = |key: &str, schema: RefOr<Schema>| {
            ObjectBuilder::new().property(key, schema).required(key).max_properties(Some(1))
        };
        let mut any_of = AnyOfBuilder::new()
            .item(lone("typeId", VariableTypeId::schema()))
            .item(lone("value", VariableValue::schema()));
        for t in TYPES {
            any_of = any_of.item(typed(t));
        }
        any_of.description(Some("typeId and/or value; when both are sent, the value must be of that type.")).into()
    }
}

impl ToSchema for UpdateVariable {}

/// The four variable types: id and the schema of their values.
const TYPES: [VarType; 4] = [VarType::Number, VarType::Text, VarType::Boolean, VarType::Date];

/// An object with `typeId` fixed to `t` and a `value` of that type.
fn typed(t: VarType) -> ObjectBuilder {
    let value = match t {
        VarType::Number => ObjectBuilder::new().schema_type(Type::Number),
        VarType::Text => ObjectBuilder::new().schema_type(Type::String),
        VarType::Boolean => ObjectBuilder::new().schema_type(Type::Boolean),
        VarType::Date => ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"))
            .examples([json!("1998-03-06T12:31:00.000Z")]),
    };
    ObjectBuilder::new()
        .property("typeId", ObjectBuilder::new().schema_type(Type::Integer).enum_values(Some([t.id()])))
        .required("typeId")
        .property("value", value)
        .required("value")
}

/// One history entry.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    id: i64,
    /// The variable after the change (with `oldValue`/`oldTypeId` when they changed), or as it was for a deletion.
    #[schema(value_type = Object)]
    diff_object: Value,
    #[schema(format = DateTime)]
    changed: String,
    #[schema(pattern = "^organization_variable_(created|edited|deleted)$")]
    action: String,
    /// The e-mail of who made the change.
    author: String,
}

impl From<&models::HistoryEntry> for HistoryEntry {
    fn from(e: &models::HistoryEntry) -> Self {
        HistoryEntry {
            id: e.id,
            diff_object: e.diff.clone(),
            changed: timestamp(e.created_at),
            action: e.action.clone(),
            author: e.author.clone(),
        }
    }
}

/// The history answer, newest first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub organization_variable_history: Vec<HistoryEntry>,
}

/// The `{ok: 1}` answer of a deletion.
#[derive(Serialize, ToSchema)]
pub struct Deleted {
    #[schema(minimum = 1, maximum = 1)]
    ok: i64,
}

impl Deleted {
    pub const OK: Deleted = Deleted { ok: 1 };
}

params! {
    /// A variable's path.
    VariablePath = [org_path(), variable_name()];
    /// The delete path and query.
    DeleteQuery = [org_path(), variable_name(), flag("confirmed", "Must be true; else 406 `IM004`.")];
}

fn variable_name() -> Vec<utoipa::openapi::path::Parameter> {
    let mut p = crate::api::openapi::common::path_string("variableName", "The variable's name.");
    p[0].schema = Some(VariableName::schema());
    p
}
