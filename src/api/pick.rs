//! One field of a wire type, serialised straight into the answer: what `cols[]` selections (`params::Selected`) are
//! written with, so that an answer is encoded once, with no `serde_json::Value` tree built and taken apart per
//! entity (bench/RESULTS.md, round three). [`Field`] serialises the entity through [`Pick`], a serializer that
//! passes the one field named on to the real serializer and skips the others; a field the entity does not
//! serialise (skipped because it is `None`) is `null`, as the selection's contract says.

use serde::ser::{self, Error as _, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};

/// The field `key` of `entity`, or `null`.
pub struct Field<'a, T> {
    pub entity: &'a T,
    pub key: &'static str,
}

impl<T: Serialize> Serialize for Field<'_, T> {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        self.entity.serialize(Pick { key: self.key, out })
    }
}

/// A serializer that accepts a struct or a map (a struct with `#[serde(flatten)]` fields serialises as one) and
/// writes only the value under `key` to `out`.
struct Pick<S> {
    key: &'static str,
    out: S,
}

/// The struct or map being walked: `out` until the field is found, then what writing it gave.
struct Walk<S: Serializer> {
    key: &'static str,
    out: Option<S>,
    done: Option<S::Ok>,
    /// The map key just seen (maps give the key and the value in two calls).
    matched: bool,
}

impl<S: Serializer> Walk<S> {
    fn take<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), S::Error> {
        if let Some(out) = self.out.take() {
            self.done = Some(value.serialize(out)?);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<S::Ok, S::Error> {
        match (self.done.take(), self.out.take()) {
            (Some(ok), _) => Ok(ok),
            (None, Some(out)) => out.serialize_unit(),
            (None, None) => Err(S::Error::custom("a selected column was written twice")),
        }
    }
}

impl<S: Serializer> SerializeStruct for Walk<S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V) -> Result<(), S::Error> {
        if name == self.key {
            self.take(value)?;
        }
        Ok(())
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.finish()
    }
}

impl<S: Serializer> SerializeMap for Walk<S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), S::Error> {
        // A wire type's keys are strings; comparing their JSON text avoids a serializer for keys alone.
        let text = serde_json::to_string(key).map_err(S::Error::custom)?;
        self.matched = text.len() == self.key.len() + 2 && text[1..text.len() - 1] == *self.key;
        Ok(())
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), S::Error> {
        if std::mem::take(&mut self.matched) {
            self.take(value)?;
        }
        Ok(())
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.finish()
    }
}

fn not_an_object<E: ser::Error>() -> E {
    E::custom("cols[] selects from a struct or map only")
}

/// The serializer methods for anything but a struct or a map: a wire type is never one of those.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<S::Ok, S::Error> { Err(not_an_object()) })*
    };
}

impl<S: Serializer> Serializer for Pick<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Impossible<S::Ok, S::Error>;
    type SerializeTuple = Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
    type SerializeMap = Walk<S>;
    type SerializeStruct = Walk<S>;
    type SerializeStructVariant = Impossible<S::Ok, S::Error>;

    refuse! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64); serialize_f32(f32);
        serialize_f64(f64); serialize_char(char); serialize_str(&str); serialize_bytes(&[u8]); serialize_none();
        serialize_unit(); serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<V: Serialize + ?Sized>(self, _: &V) -> Result<S::Ok, S::Error> {
        Err(not_an_object())
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(self, _: &'static str, v: &V) -> Result<S::Ok, S::Error> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<S::Ok, S::Error> {
        Err(not_an_object())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        Err(not_an_object())
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, S::Error> {
        Err(not_an_object())
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, S::Error> {
        Err(not_an_object())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        Err(not_an_object())
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Walk<S>, S::Error> {
        Ok(Walk { key: self.key, out: Some(self.out), done: None, matched: false })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Walk<S>, S::Error> {
        Ok(Walk { key: self.key, out: Some(self.out), done: None, matched: false })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        Err(not_an_object())
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::Field;

    #[derive(Serialize)]
    struct Inner {
        name: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        gone: Option<i64>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Outer {
        user_id: i64,
        #[serde(flatten)]
        inner: Inner,
        teams: Vec<i64>,
    }

    fn pick(e: &Outer, key: &'static str) -> String {
        serde_json::to_string(&Field { entity: e, key }).unwrap()
    }

    #[test]
    fn picks_fields_of_structs_and_flattened_maps_with_null_for_the_rest() {
        let e = Outer { user_id: 7, inner: Inner { name: "a\"b", gone: None }, teams: vec![1, 2] };
        assert_eq!(pick(&e, "userId"), "7");
        assert_eq!(pick(&e, "name"), r#""a\"b""#);
        assert_eq!(pick(&e, "teams"), "[1,2]");
        assert_eq!(pick(&e, "gone"), "null");
        assert_eq!(pick(&e, "nope"), "null");
    }
}
