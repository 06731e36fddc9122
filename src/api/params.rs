//! Query strings in Make's bracket syntax: `pg[...]`, `cols[]`/`cols[N]`, booleans as `true`/`false`.

use std::borrow::Cow;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::ser::SerializeMap;
use serde::Serialize;

use super::pick::Field;

use crate::error::{parse_id, ApiError, SubError};
pub use crate::store::page::{Page, SortDir};

/// The decoded query: every `key=value` pair in order, brackets decoded whether encoded or not.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let params = Params::parse(parts.uri.query().unwrap_or(""));
        // NUL cannot reach PostgreSQL; refusing it everywhere keeps both backends alike.
        if let Some((k, _)) = params.pairs.iter().find(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(ApiError::field(k, "Query parameters must not contain NUL characters."));
        }
        Ok(params)
    }
}

impl Params {
    pub fn parse(query: &str) -> Self {
        let pairs = form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        Params { pairs }
    }

    /// The last value given for `key` (repeats of scalar parameters: last wins, as in most frameworks).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A boolean flag: absent → `default`; `true`/`false` (also `1`/`0`) → value; anything else → 400.
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") => Ok(false),
            Some(_) => Err(ApiError::field(key, format!("{key} must be true or false"))),
        }
    }

    /// A required positive integer id (e.g. `organizationId` of `/teams`).
    pub fn required_id(&self, key: &str) -> Result<i64, ApiError> {
        match self.get(key) {
            None | Some("") => Err(ApiError::field(key, format!("{key} is required"))),
            Some(v) => parse_id(key, v),
        }
    }

    /// An optional positive integer id.
    pub fn optional_id(&self, key: &str) -> Result<Option<i64>, ApiError> {
        self.get(key).map(|v| parse_id(key, v)).transpose()
    }

    /// Every value of an array parameter given as `key`, `key[]` or `key[N]`, as positive integer ids.
    pub fn id_list(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        self.strings(key).iter().map(|v| parse_id(key, v)).collect()
    }

    /// Every value of an array parameter given as `key`, `key[]` or `key[N]`, as given.
    pub fn strings(&self, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (k, v) in &self.pairs {
            let Some(rest) = k.strip_prefix(key) else { continue };
            let indexed = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
            if rest.is_empty() || indexed.is_some_and(|i| i.is_empty() || i.parse::<u64>().is_ok()) {
                out.push(v.clone());
            }
        }
        out
    }

    /// Selected columns in output order; `None` when no `cols` parameter was given.
    pub fn cols(&self, catalogue: &Columns) -> Result<Option<Vec<&'static str>>, ApiError> {
        let mut indexed: Vec<(u64, &str)> = Vec::new();
        let mut plain: Vec<&str> = Vec::new();
        let mut bad_keys = Vec::new();
        for (k, v) in &self.pairs {
            let Some(rest) = k.strip_prefix("cols") else { continue };
            if rest.is_empty() || rest == "[]" {
                plain.push(v);
            } else if let Some(n) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                match n.parse::<u64>() {
                    Ok(i) => indexed.push((i, v)),
                    Err(_) => bad_keys.push(SubError::new(k.clone(), format!("{k} is not a valid column selector"))),
                }
            }
        }
        if !bad_keys.is_empty() {
            return Err(validation(bad_keys));
        }
        if indexed.is_empty() && plain.is_empty() {
            return Ok(None);
        }
        indexed.sort_by_key(|(i, _)| *i);
        let requested = indexed.into_iter().map(|(_, v)| v).chain(plain);
        let mut out: Vec<&'static str> = Vec::new();
        let mut unknown = Vec::new();
        let mut all = false;
        for name in requested {
            if name == "*" {
                all = true;
            } else if let Some(col) = catalogue.all.iter().find(|c| **c == name) {
                if !out.contains(col) {
                    out.push(col);
                }
            } else {
                unknown.push(SubError::new("cols", format!("Unknown column '{name}'")));
            }
        }
        if !unknown.is_empty() {
            return Err(validation(unknown));
        }
        if all {
            // `*` mixed with names means everything; named columns keep their requested position first.
            for col in catalogue.all {
                if !out.contains(col) {
                    out.push(col);
                }
            }
        }
        Ok(Some(out))
    }

    /// `pg[...]` with validation against the resource's sortable columns.
    pub fn page(&self, spec: &PageSpec) -> Result<Page, ApiError> {
        let mut errs = Vec::new();
        let offset = match self.get("pg[offset]") {
            None => 0,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n >= 0 => n,
                _ => {
                    errs.push(SubError::new("pg[offset]", "pg[offset] must be an integer greater than or equal to 0"));
                    0
                }
            },
        };
        let limit = match self.get("pg[limit]") {
            None => spec.default_limit,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    errs.push(SubError::new(
                        "pg[limit]",
                        format!("pg[limit] must be an integer from 1 to {MAX_LIMIT}"),
                    ));
                    spec.default_limit
                }
            },
        };
        let sort_by = match self.get("pg[sortBy]") {
            None => spec.default_sort,
            Some(v) => match spec.sortable.iter().find(|c| **c == v) {
                Some(c) => c,
                None => {
                    errs.push(SubError::new(
                        "pg[sortBy]",
                        format!("pg[sortBy] must be one of: {}", spec.sortable.join(", ")),
                    ));
                    spec.default_sort
                }
            },
        };
        let sort_dir = match self.get("pg[sortDir]") {
            None => SortDir::Asc,
            Some(v) if v.eq_ignore_ascii_case("asc") => SortDir::Asc,
            Some(v) if v.eq_ignore_ascii_case("desc") => SortDir::Desc,
            Some(_) => {
                errs.push(SubError::new("pg[sortDir]", "pg[sortDir] must be asc or desc"));
                SortDir::Asc
            }
        };
        if !errs.is_empty() {
            return Err(validation(errs));
        }
        Ok(Page { offset, limit, sort_by, sort_dir })
    }
}

fn validation(suberrors: Vec<SubError>) -> ApiError {
    ApiError::validation(suberrors)
}

/// The largest page Make documents.
pub const MAX_LIMIT: i64 = 10_000;

/// What a list endpoint can sort by, and its defaults.
pub struct PageSpec {
    pub sortable: &'static [&'static str],
    pub default_sort: &'static str,
    pub default_limit: i64,
}

/// The columns an entity offers and those it returns when `cols[]` is absent.
pub struct Columns {
    pub all: &'static [&'static str],
    pub default: &'static [&'static str],
}

impl Columns {
    /// The entity with the selected keys, in the selected order (`null` for a key the entity does not carry, as
    /// when a column was not computed). It is encoded when the answer is, field by field (`api/pick.rs`).
    pub fn select<T: Serialize>(&self, entity: T, selected: Option<&[&'static str]>) -> Selected<T> {
        let keys = match selected {
            Some(keys) => Cow::Owned(keys.to_vec()),
            None => Cow::Borrowed(self.default),
        };
        Selected { entity, keys }
    }

    /// Whether any of `wanted` will be in the output (to skip loading what nobody asked for).
    pub fn wants(&self, selected: Option<&[&'static str]>, wanted: &[&str]) -> bool {
        selected.unwrap_or(self.default).iter().any(|c| wanted.contains(c))
    }
}

/// The property names of a wire type's schema, in order: each resource's tests check that its `Columns` name
/// exactly the fields of the type it selects from (a misspelt column would otherwise answer `null`).
#[cfg(test)]
pub fn schema_fields<T: utoipa::PartialSchema>() -> Vec<String> {
    let schema = serde_json::to_value(T::schema()).unwrap_or_default();
    // A type with `#[serde(flatten)]` fields is an `allOf` of the flattened schemas and its own, in field order.
    let parts = schema["allOf"].as_array().cloned().unwrap_or_else(|| vec![schema]);
    parts.iter().filter_map(|p| p["properties"].as_object()).flat_map(|p| p.keys().cloned()).collect()
}

/// The `cols[]` selection of a `T`: it serialises as the selected keys of `T` only, so the type says which wire
/// type the columns come from while the keys follow the request.
pub struct Selected<T> {
    entity: T,
    keys: Cow<'static, [&'static str]>,
}

impl<T: Serialize> Serialize for Selected<T> {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let mut map = out.serialize_map(Some(self.keys.len()))?;
        for &key in self.keys.iter() {
            map.serialize_entry(key, &Field { entity: &self.entity, key })?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: Columns = Columns { all: &["id", "name", "zone", "teams"], default: &["id", "name"] };

    #[test]
    fn encoded_and_raw_brackets_decode_alike() {
        let a = Params::parse("cols%5B%5D=id&cols%5B%5D=zone");
        let b = Params::parse("cols[]=id&cols[]=zone");
        assert_eq!(a.cols(&COLS).unwrap(), b.cols(&COLS).unwrap());
        assert_eq!(a.cols(&COLS).unwrap().unwrap(), vec!["id", "zone"]);
    }

    #[test]
    fn indexed_cols_follow_their_index() {
        let p = Params::parse("cols[3]=id&cols[1]=teams&cols[2]=name");
        assert_eq!(p.cols(&COLS).unwrap().unwrap(), vec!["teams", "name", "id"]);
    }

    #[test]
    fn star_selects_everything_and_duplicates_collapse() {
        let p = Params::parse("cols[]=zone&cols[]=*&cols[]=zone");
        assert_eq!(p.cols(&COLS).unwrap().unwrap(), vec!["zone", "id", "name", "teams"]);
    }

    #[test]
    fn unknown_columns_are_named() {
        let err = Params::parse("cols[]=nope&cols[]=id&cols[]=bad").cols(&COLS).unwrap_err();
        match err {
            ApiError::Validation { suberrors, .. } => assert_eq!(suberrors.len(), 2),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn select_keeps_the_selected_keys_in_order_with_nulls() {
        #[derive(Serialize)]
        struct Entity {
            id: i64,
            name: Option<String>,
            zone: &'static str,
        }
        let e = Entity { id: 7, name: None, zone: "eu1" };
        let out = serde_json::to_string(&COLS.select(&e, Some(&["zone", "teams", "id"]))).unwrap();
        assert_eq!(out, r#"{"zone":"eu1","teams":null,"id":7}"#);
        assert_eq!(serde_json::to_string(&COLS.select(&e, None)).unwrap(), r#"{"id":7,"name":null}"#);
    }

    #[test]
    fn page_rejects_each_bad_value() {
        let spec = PageSpec { sortable: &["id", "name"], default_sort: "name", default_limit: 10_000 };
        let err = Params::parse("pg[offset]=-1&pg[limit]=0&pg[sortBy]=x&pg[sortDir]=up").page(&spec).unwrap_err();
        match err {
            ApiError::Validation { suberrors, .. } => {
                let paths: Vec<_> = suberrors.iter().map(|s| s.path.as_str()).collect();
                assert_eq!(paths, ["pg[offset]", "pg[limit]", "pg[sortBy]", "pg[sortDir]"]);
            }
            other => panic!("unexpected {other:?}"),
        }
        let ok = Params::parse("pg%5Blimit%5D=5&pg[sortDir]=desc").page(&spec).unwrap();
        assert_eq!((ok.limit, ok.offset, ok.sort_by, ok.sort_dir), (5, 0, "name", SortDir::Desc));
    }
}
