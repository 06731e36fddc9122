//! Reading a body type out of a JSON object so that every offending field gets its own problem, not just the
//! first. serde stops at the first error, so the object is read in passes: the fields are handed to the type in
//! their declared order (serde derive names them in `deserialize_struct`), a field whose value is refused ends
//! the pass with its problem recorded, and the next pass hands that field over as "already reported" (the
//! wrappers of `fields.rs` then hold no value). A body has a handful of fields, so the passes cost nothing.

use std::cell::Cell;

use serde::de::value::StrDeserializer;
use serde::de::{DeserializeOwned, DeserializeSeed, Error as _, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{forward_to_deserialize_any, Deserializer};
use serde_json::{Error, Map, Value};

use crate::error::SubError;

/// The newtype name by which a field wrapper asks for its key and value instead of the value alone.
pub(super) const FIELD: &str = "$orgd::body::field";

/// A body type read from an object: the value, the problems (in the declared field order) and that order.
pub(super) struct Read<T> {
    pub value: T,
    pub problems: Vec<SubError>,
    pub order: &'static [&'static str],
}

/// Reads `T`; `Err` only when `T` is not a struct of fields this reader can hand over (a programming error).
pub(super) fn read<T: DeserializeOwned>(map: &Map<String, Value>) -> Result<Read<T>, String> {
    let mut problems: Vec<SubError> = Vec::new();
    loop {
        let (failed, order) = (Cell::new(None), Cell::new(&[][..]));
        let body = Object { map, reported: &problems, failed: &failed, order: &order };
        match T::deserialize(body) {
            Ok(value) => return Ok(Read { value, problems, order: order.get() }),
            Err(e) => match failed.get() {
                Some(key) if !problems.iter().any(|p| p.path == key) => {
                    problems.push(SubError::new(key, e.to_string()))
                }
                _ => return Err(format!("{} cannot be read as a body: {e}", std::any::type_name::<T>())),
            },
        }
    }
}

/// The whole object; only a struct can be read from it.
struct Object<'a> {
    map: &'a Map<String, Value>,
    reported: &'a [SubError],
    failed: &'a Cell<Option<&'static str>>,
    order: &'a Cell<&'static [&'static str]>,
}

impl<'de> Deserializer<'de> for Object<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(Error::custom("a body type must be a struct with named fields"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.order.set(fields);
        // Every declared field is handed over, absent ones too, so that a required one can say it is missing;
        // keys the type does not declare are ignored, as Make ignores them.
        let entries = fields.iter().map(|key| {
            let reported = self.reported.iter().any(|p| p.path == *key);
            (*key, if reported { Slot::Reported } else { Slot::Sent(self.map.get(*key)) })
        });
        visitor.visit_map(Entries {
            entries: entries.collect::<Vec<_>>().into_iter(),
            current: None,
            failed: self.failed,
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// What a field is given: its value as sent (`None`: absent), or nothing because its problem is already known.
#[derive(Clone, Copy)]
enum Slot<'a> {
    Sent(Option<&'a Value>),
    Reported,
}

struct Entries<'a, I> {
    entries: I,
    current: Option<(&'static str, Slot<'a>)>,
    failed: &'a Cell<Option<&'static str>>,
}

impl<'de, I: Iterator<Item = (&'static str, Slot<'de>)>> MapAccess<'de> for Entries<'de, I> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, slot)) = self.entries.next() else { return Ok(None) };
        self.current = Some((key, slot));
        let key: StrDeserializer<'_, Error> = key.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let (key, slot) = self.current.take().ok_or_else(|| Error::custom("a value was asked before its key"))?;
        seed.deserialize(Field { key, slot }).inspect_err(|_| self.failed.set(Some(key)))
    }
}

/// One field's value. A wrapper asks for `FIELD` and gets `[key, value]` (`[key]` when absent, `[]` when already
/// reported); any other type reads the value itself, `null` when absent.
struct Field<'a> {
    key: &'static str,
    slot: Slot<'a>,
}

impl<'de> Deserializer<'de> for Field<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.slot {
            Slot::Sent(Some(value)) => value.deserialize_any(visitor),
            _ => visitor.visit_unit(),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.slot {
            Slot::Sent(Some(value)) => value.deserialize_option(visitor),
            _ => visitor.visit_none(),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, Error> {
        match (name, self.slot) {
            (FIELD, Slot::Reported) => visitor.visit_seq(KeyAndValue { key: None, value: None }),
            (FIELD, Slot::Sent(value)) => visitor.visit_seq(KeyAndValue { key: Some(self.key), value }),
            (_, Slot::Sent(Some(value))) => value.deserialize_newtype_struct(name, visitor),
            _ => visitor.visit_unit(),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct KeyAndValue<'a> {
    key: Option<&'static str>,
    value: Option<&'a Value>,
}

impl<'de> SeqAccess<'de> for KeyAndValue<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        if let Some(key) = self.key.take() {
            let key: StrDeserializer<'_, Error> = key.into_deserializer();
            return seed.deserialize(key).map(Some);
        }
        self.value.take().map(|v| seed.deserialize(v)).transpose()
    }
}
