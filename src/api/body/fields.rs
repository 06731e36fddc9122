//! The field wrappers of body types. A wrapper turns its field's JSON value into its type with [`FromField`], or
//! refuses it with the message of Make's 400 (`name is required`, `countryId must be a positive integer`, …); the
//! reader in `de.rs` records that message against the field and reads on, so no problem ends the reading.

use serde::de::{Error as _, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::de::FIELD;
use crate::domain::email::Email;
use crate::domain::names::Name;

/// A type a body field can hold: built from the field's JSON value (never `null`), or the message of its 400.
pub trait FromField: Sized {
    fn from_field(key: &str, value: &Value) -> Result<Self, String>;
}

/// A field that must be sent and must not be `null`.
#[derive(Debug)]
pub struct Required<T>(Option<T>);

impl<T> Required<T> {
    /// The value; `AppJson` has answered 400 for a body whose required field is missing or refused.
    pub fn into_inner(self) -> T {
        self.0.expect("AppJson and Draft::finish refuse a body whose required field is missing or refused")
    }

    /// The value, if it was sent and accepted (for checks that look at several fields).
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

/// A field that may be absent; `null` counts as absent.
#[derive(Debug)]
pub struct Optional<T> {
    value: Option<T>,
    sent: bool,
}

impl<T> Optional<T> {
    pub fn into_inner(self) -> Option<T> {
        self.value
    }

    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    /// Whether the key was in the body at all (even as `null`).
    pub fn sent(&self) -> bool {
        self.sent
    }
}

impl<'de, T: FromField> Deserialize<'de> for Required<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_newtype_struct(FIELD, KeyAndValue)? {
            None => Ok(Required(None)),
            Some((key, None | Some(Value::Null))) => Err(D::Error::custom(format!("{key} is required"))),
            Some((key, Some(v))) => T::from_field(&key, &v).map(|t| Required(Some(t))).map_err(D::Error::custom),
        }
    }
}

impl<'de, T: FromField> Deserialize<'de> for Optional<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_newtype_struct(FIELD, KeyAndValue)? {
            None => Ok(Optional { value: None, sent: true }),
            Some((_, None)) => Ok(Optional { value: None, sent: false }),
            Some((_, Some(Value::Null))) => Ok(Optional { value: None, sent: true }),
            Some((key, Some(v))) => {
                let value = T::from_field(&key, &v).map_err(D::Error::custom)?;
                Ok(Optional { value: Some(value), sent: true })
            }
        }
    }
}

/// Reads what `de.rs` hands a wrapper: `None` when the field's problem is already reported, else its key and
/// its value (`None` when absent).
struct KeyAndValue;

impl<'de> Visitor<'de> for KeyAndValue {
    type Value = Option<(String, Option<Value>)>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a body field (body types are read by AppJson)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Some(key) = seq.next_element::<String>()? else { return Ok(None) };
        Ok(Some((key, seq.next_element::<Value>()?)))
    }
}

/// A JSON integer that fits `i64` (floats with a fraction, strings and huge numbers are refused).
pub fn int(key: &str, v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
            .ok_or_else(|| format!("{key} must be an integer")),
        _ => Err(format!("{key} must be an integer")),
    }
}

/// A positive integer id.
pub fn id(key: &str, v: &Value) -> Result<i64, String> {
    match int(key, v)? {
        n if n >= 1 => Ok(n),
        _ => Err(format!("{key} must be a positive integer")),
    }
}

/// A positive integer id.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl FromField for Id {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        id(key, v).map(Id)
    }
}

/// A non-negative integer.
#[derive(Debug, Clone, Copy)]
pub struct NonNegative(pub i64);

impl FromField for NonNegative {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        match int(key, v)? {
            n if n >= 0 => Ok(NonNegative(n)),
            _ => Err(format!("{key} must not be negative")),
        }
    }
}

/// An array of positive integer ids.
#[derive(Debug, Default)]
pub struct Ids(pub Vec<i64>);

impl FromField for Ids {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let arr = v.as_array().ok_or_else(|| format!("{key} must be an array of integers"))?;
        let ids = arr.iter().map(|x| id(key, x).map_err(|_| format!("{key} must contain only positive integers")));
        ids.collect::<Result<_, _>>().map(Ids)
    }
}

impl FromField for String {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        v.as_str().map(str::to_owned).ok_or_else(|| format!("{key} must be a string"))
    }
}

impl FromField for bool {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        v.as_bool().ok_or_else(|| format!("{key} must be a boolean"))
    }
}

/// Any JSON value but `null`, checked by the handler (it depends on another field or on the instance).
impl FromField for Value {
    fn from_field(_key: &str, v: &Value) -> Result<Self, String> {
        Ok(v.clone())
    }
}

impl FromField for Name {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        Name::parse(key, &String::from_field(key, v)?)
    }
}

impl FromField for Email {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        Email::parse(&String::from_field(key, v)?)
    }
}
