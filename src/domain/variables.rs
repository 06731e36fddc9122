//! Organization variables (`/organizations/{organizationId}/variables…`): names, the four types, and strict
//! value checks.

use chrono::NaiveDateTime;
use serde_json::Value;

/// Longest variable name, in characters (Make's documentation names none; docs/compatibility.md).
pub const MAX_NAME: usize = 128;
/// Largest string value in bytes (Make's documentation names none; docs/compatibility.md).
pub const MAX_STRING_BYTES: usize = 65_535;

/// A name of letters, digits, `$` and `_`, 1–128 characters.
pub fn parse_name(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("name must not be empty".into());
    }
    if s.chars().count() > MAX_NAME {
        return Err(format!("name must be at most {MAX_NAME} characters long"));
    }
    if let Some(bad) = s.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '$' || *c == '_')) {
        return Err(format!("name may contain only letters, digits, $ and _ (found {bad:?})"));
    }
    Ok(s.to_string())
}

/// `typeId`: 1 number, 2 string, 3 boolean, 4 date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarType {
    Number = 1,
    Text = 2,
    Boolean = 3,
    Date = 4,
}

impl VarType {
    pub fn from_id(id: i64) -> Option<VarType> {
        match id {
            1 => Some(VarType::Number),
            2 => Some(VarType::Text),
            3 => Some(VarType::Boolean),
            4 => Some(VarType::Date),
            _ => None,
        }
    }

    pub fn id(self) -> i64 {
        self as i64
    }

    pub fn name(self) -> &'static str {
        match self {
            VarType::Number => "number",
            VarType::Text => "string",
            VarType::Boolean => "boolean",
            VarType::Date => "date",
        }
    }
}

/// Parses `typeId`.
pub fn parse_type(v: &Value) -> Result<VarType, String> {
    v.as_i64()
        .and_then(VarType::from_id)
        .ok_or_else(|| "typeId must be 1 (number), 2 (string), 3 (boolean) or 4 (date)".into())
}

/// Checks that `value` is a valid value of `t`.
pub fn check_value(t: VarType, value: &Value) -> Result<Value, String> {
    match (t, value) {
        (VarType::Number, Value::Number(n)) if n.as_f64().is_some_and(f64::is_finite) => Ok(value.clone()),
        (VarType::Text, Value::String(s)) if s.len() <= MAX_STRING_BYTES => Ok(value.clone()),
        (VarType::Text, Value::String(_)) => Err(format!("value must be at most {MAX_STRING_BYTES} bytes long")),
        (VarType::Boolean, Value::Bool(_)) => Ok(value.clone()),
        (VarType::Date, Value::String(s)) if is_date(s) => Ok(value.clone()),
        (VarType::Date, _) => Err("value must be a date in the form YYYY-MM-DDTHH:mm:ss.sssZ".into()),
        (t, _) => Err(format!("value must be a {} to match typeId {}", t.name(), t.id())),
    }
}

/// Any JSON scalar a variable can hold (used when `value` is sent without `typeId`).
pub fn check_any(value: &Value) -> Result<Value, String> {
    match value {
        Value::Number(_) => check_value(VarType::Number, value),
        Value::String(_) => check_value(VarType::Text, value),
        Value::Bool(_) => Ok(value.clone()),
        _ => Err("value must be a number, a string or a boolean".into()),
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b[10] == b'T'
        && b[19] == b'.'
        && b[23] == b'Z'
        && NaiveDateTime::parse_from_str(&s[..23], "%Y-%m-%dT%H:%M:%S%.3f").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_the_documented_set() {
        for ok in ["userID", "$x", "a_1", &"n".repeat(128)] {
            assert!(parse_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a-b", "a b", "ř", "a.b", &"n".repeat(129)] {
            assert!(parse_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_type_refuses_every_other_kind_of_value() {
        let samples = [
            json!(42),
            json!(1.5),
            json!("text"),
            json!(true),
            json!("1998-03-06T12:31:00.000Z"),
            json!(null),
            json!([1]),
            json!({"a": 1}),
        ];
        let accepts = |t: VarType| samples.iter().filter(|v| check_value(t, v).is_ok()).cloned().collect::<Vec<_>>();
        assert_eq!(accepts(VarType::Number), [json!(42), json!(1.5)]);
        assert_eq!(accepts(VarType::Text), [json!("text"), json!("1998-03-06T12:31:00.000Z")]);
        assert_eq!(accepts(VarType::Boolean), [json!(true)]);
        assert_eq!(accepts(VarType::Date), [json!("1998-03-06T12:31:00.000Z")]);
    }

    #[test]
    fn dates_must_be_real_and_exactly_formatted() {
        for bad in [
            "1998-02-30T12:31:00.000Z",
            "1998-03-06T12:31:00Z",
            "1998-03-06 12:31:00.000Z",
            "1998-03-06T25:00:00.000Z",
            "1998-03-06T12:31:00.000+01:00",
        ] {
            assert!(check_value(VarType::Date, &json!(bad)).is_err(), "{bad}");
        }
        assert!(check_value(VarType::Text, &json!("x".repeat(65_536))).is_err());
    }
}
