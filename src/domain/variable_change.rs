//! What a change makes of an organization variable, and what its history records of it.

use serde_json::{json, Value};

/// A custom organization variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub type_id: i64,
    pub value: Value,
}

/// The variable after an update: the given type and value replace the old ones; what is not given stays.
pub fn updated(old: &Variable, type_id: Option<i64>, value: Option<Value>) -> Variable {
    Variable {
        name: old.name.clone(),
        type_id: type_id.unwrap_or(old.type_id),
        value: value.unwrap_or_else(|| old.value.clone()),
    }
}

/// A history entry's diff for a creation or a deletion: the whole variable.
pub fn whole(v: &Variable) -> Value {
    json!({"name": v.name, "typeId": v.type_id, "value": v.value})
}

/// A history entry's diff for an update: the new state, with `oldValue` and `oldTypeId` where they changed.
pub fn update_diff(old: &Variable, new: &Variable) -> Value {
    let mut diff = whole(new);
    if new.value != old.value {
        diff["oldValue"] = old.value.clone();
    }
    if new.type_id != old.type_id {
        diff["oldTypeId"] = json!(old.type_id);
    }
    diff
}

/// The audit log's detail of an update: names and types only, as values stay in the variable's own history.
pub fn update_audit(old: &Variable, new: &Variable) -> Value {
    json!({"name": new.name, "typeId": new.type_id, "oldTypeId": old.type_id, "valueChanged": new.value != old.value})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(type_id: i64, value: Value) -> Variable {
        Variable { name: "limit".into(), type_id, value }
    }

    #[test]
    fn an_update_keeps_what_it_does_not_give() {
        let old = var(1, json!(5));
        assert_eq!(updated(&old, None, Some(json!(6))), var(1, json!(6)));
        assert_eq!(updated(&old, Some(2), None), var(2, json!(5)));
        assert_eq!(updated(&old, None, None), old);
    }

    #[test]
    fn the_history_names_only_what_changed() {
        let old = var(1, json!(5));
        assert_eq!(
            update_diff(&old, &var(1, json!(6))),
            json!({"name": "limit", "typeId": 1, "value": 6, "oldValue": 5})
        );
        assert_eq!(
            update_diff(&old, &var(2, json!(5))),
            json!({"name": "limit", "typeId": 2, "value": 5, "oldTypeId": 1})
        );
        assert_eq!(update_diff(&old, &old), whole(&old));
        let audit = update_audit(&old, &var(1, json!(6)));
        assert_eq!(audit, json!({"name": "limit", "typeId": 1, "oldTypeId": 1, "valueChanged": true}));
    }
}
