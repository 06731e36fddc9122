//! Building blocks of the OpenAPI document shared by every resource: the error body, value domains taken from
//! the domain tables (so the document cannot drift from what the server accepts), and the query and path
//! parameters (`pg[...]`, `cols[]`, ids, flags) built from the same `Columns`/`PageSpec` constants the handlers use.

use std::borrow::Cow;

use serde_json::{json, Value};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn, ParameterStyle};
use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Required};
use utoipa::{PartialSchema, ToSchema};

use crate::api::params::{Columns, PageSpec, MAX_LIMIT};
use crate::domain::roles::{self, Category, ROLES, TEAM_PERMISSIONS};
use crate::domain::{countries, names, timezones, variables};
use crate::error::{ErrorBody, SubError};

/// Implements `ToSchema` for a documentation type whose schema is computed.
macro_rules! computed_schema {
    ($($(#[$doc:meta])* $name:ident => $build:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $build.into()
            }
        }
        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    )*};
}

/// A string schema.
pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

pub fn integer() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
}

fn id_enum(ids: impl IntoIterator<Item = i64>) -> ObjectBuilder {
    integer().enum_values(Some(ids))
}

/// Characters a name may not contain among ASCII (control characters and punctuation outside `' - . ( ) * + ,
/// @ _ /`). Beyond ASCII, only letters and digits are accepted, which ECMA-262 patterns without the `u` flag
/// cannot say; the description does.
const NAME_CLASS_NO_SPACE: &str = r##"[^\x00-\x20!"#$%&:;<=>?\[\\\]^`{|}~\x7F-\xA0]"##;
const NAME_CLASS: &str = r##"[^\x00-\x1F!"#$%&:;<=>?\[\\\]^`{|}~\x7F-\xA0]"##;

/// The name rule (organizations, teams, people) as a pattern: 1–128 characters, no leading or trailing space.
pub fn name_pattern() -> String {
    format!("^{NAME_CLASS_NO_SPACE}(?:{NAME_CLASS}{{0,{}}}{NAME_CLASS_NO_SPACE})?$", names::MAX_NAME_CHARS - 2)
}

impl PartialSchema for ErrorBody {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                "Make's error body: `message` is the category, `detail` the cause, `code` `SC<status>` \
            or `IM<nnn>`; validation errors carry one suberror per offending field.",
            ))
            .property("message", string())
            .required("message")
            .property("detail", string())
            .required("detail")
            .property("code", string().pattern(Some("^(SC|IM)[0-9]{3}$")))
            .required("code")
            .property("suberrors", ArrayBuilder::new().items(SubError::schema()))
            .required("suberrors")
            .into()
    }
}

impl ToSchema for ErrorBody {}

impl PartialSchema for SubError {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some("One failed field of a validation error."))
            .property("message", string())
            .required("message")
            .property("path", string().description(Some("The offending field or parameter.")))
            .required("path")
            .into()
    }
}

impl ToSchema for SubError {}

computed_schema! {
    /// A name (organizations, teams, people): Unicode letters and digits, spaces and `' - . ( ) * + , @ _ /`,
    /// not starting or ending with a space, 1–128 characters.
    Name => string()
        .min_length(Some(1))
        .max_length(Some(names::MAX_NAME_CHARS))
        .pattern(Some(name_pattern()))
        .description(Some("Unicode letters and digits, spaces and ' - . ( ) * + , @ _ /; no leading or trailing \
            space; 1–128 characters."))
        .examples([json!("Acme Automation")]);
    /// An e-mail address.
    Email => string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .min_length(Some(3))
        .max_length(Some(254))
        .examples([json!("ann@example.com")]);
    /// A `timezoneId` from `GET /enums/timezones`.
    TimezoneId => id_enum(timezones::all().iter().map(|z| z.id))
        .description(Some("An id from GET /api/v2/enums/timezones."))
        .examples([json!(113)]);
    /// A `countryId` from `GET /enums/countries`.
    CountryId => id_enum(countries::all().iter().map(|c| c.id))
        .description(Some("An id from GET /api/v2/enums/countries."))
        .examples([json!(1)]);
    /// An organization role that can be granted: every organization role but Owner.
    GrantableOrgRoleId => id_enum(ROLES.iter().filter(|r| r.category == Category::Organization && r.id != roles::OWNER).map(|r| r.id))
        .description(Some("An organization role other than Owner (11): 12 Admin, 13 Member, 14 Accountant, \
            15 App Developer."));
    /// An organization role id.
    OrgRoleId => id_enum(ROLES.iter().filter(|r| r.category == Category::Organization).map(|r| r.id))
        .description(Some("An organization role: 11 Owner, 12 Admin, 13 Member, 14 Accountant, 15 App Developer."));
    /// A team role id.
    TeamRoleId => id_enum(ROLES.iter().filter(|r| r.category == Category::Team).map(|r| r.id))
        .description(Some("A team role: 1 Team Admin, 3 Team Member, 4 Team Monitoring, 5 Team Restricted \
            Member, 6 Team Operator."));
    /// Make's `tfaStatus`: 0 not set up, 1 set up, 2 enrolment started.
    TfaStatus => id_enum([0, 1, 2])
        .description(Some("Two-factor status: 0 not set up, 1 set up, 2 enrolment started (no code confirmed it yet)."));
    /// A team permission name, from the role tables.
    TeamPermission => string().enum_values(Some(TEAM_PERMISSIONS.iter().copied()));
    /// A variable's `typeId`: 1 number, 2 string, 3 boolean, 4 date.
    VariableTypeId => id_enum([1, 2, 3, 4])
        .description(Some("1 number, 2 string, 3 boolean, 4 date (a string YYYY-MM-DDTHH:mm:ss.sssZ)."));
    /// A variable name: letters, digits, `$` and `_`, 1–128 characters.
    VariableName => string()
        .pattern(Some(format!("^[A-Za-z0-9$_]{{1,{}}}$", variables::MAX_NAME)))
        .min_length(Some(1))
        .max_length(Some(variables::MAX_NAME))
        .examples([json!("userID")]);
    /// A variable's value, which must match its `typeId`.
    VariableValue => ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::Number, Type::String, Type::Boolean]))
        .description(Some("A JSON number (typeId 1), a string of at most 65 535 bytes (2), a boolean (3) or a \
            date string YYYY-MM-DDTHH:mm:ss.sssZ (4)."));
    /// A `priceId` of the plan catalogue (`GET /enums/prices`); the served document lists this instance's.
    PriceId => string()
        .enum_values(Some(crate::config::Config::default().catalogue().map(|c| c.prices().into_iter().map(|p| p.id).collect::<Vec<_>>()).unwrap_or_default()))
        .description(Some("A price id from GET /api/v2/enums/prices, `<plan>-monthly` or `<plan>-yearly`."));
    /// The pagination echo of list answers.
    PgEcho => ObjectBuilder::new()
        .property("sortBy", string())
        .required("sortBy")
        .property("sortDir", string().enum_values(Some(["asc", "desc"])))
        .required("sortDir")
        .property("limit", integer().minimum(Some(1)).maximum(Some(MAX_LIMIT as f64)))
        .required("limit")
        .property("offset", integer().minimum(Some(0)))
        .required("offset");
    /// An array of positive integer ids.
    PositiveIds => ArrayBuilder::new().items(integer().minimum(Some(1)));
    /// Any JSON object.
    AnyObject => ObjectBuilder::new().schema_type(Type::Object);
    /// `GET /health`'s answer.
    HealthBody => ObjectBuilder::new().property("status", one_of(&["ok"])).required("status");
}

fn param(name: &str, at: ParameterIn, required: bool, schema: impl Into<RefOr<Schema>>, doc: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required { Required::True } else { Required::False })
        .schema(Some(schema))
        .description(Some(doc))
        .build()
}

/// A positive integer path segment.
pub fn path_id(name: &str, doc: &str) -> Vec<Parameter> {
    vec![param(name, ParameterIn::Path, true, integer().minimum(Some(1)).examples([json!(1)]), doc)]
}

/// `{organizationId}`.
pub fn org_path() -> Vec<Parameter> {
    path_id("organizationId", "The organization's id.")
}

/// A string path segment.
pub fn path_string(name: &str, doc: &str) -> Vec<Parameter> {
    vec![param(name, ParameterIn::Path, true, string(), doc)]
}

/// A positive integer query parameter.
pub fn query_id(name: &str, required: bool, doc: &str) -> Vec<Parameter> {
    vec![param(name, ParameterIn::Query, required, integer().minimum(Some(1)), doc)]
}

/// An array of positive integer ids (`name[]=1&name[]=2`).
pub fn query_ids(name: &str, doc: &str) -> Vec<Parameter> {
    vec![ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .style(Some(ParameterStyle::Form))
        .explode(Some(true))
        .schema(Some(ArrayBuilder::new().items(integer().minimum(Some(1)))))
        .description(Some(doc))
        .build()]
}

/// A string query parameter.
pub fn query_string(name: &str, required: bool, schema: impl Into<RefOr<Schema>>, doc: &str) -> Vec<Parameter> {
    vec![param(name, ParameterIn::Query, required, schema, doc)]
}

/// A plain string schema with a length limit, for query parameters.
pub fn text(max: usize) -> ObjectBuilder {
    string().max_length(Some(max))
}

/// A string with one of the given values.
pub fn one_of(values: &[&str]) -> ObjectBuilder {
    string().enum_values(Some(values.iter().copied()))
}

/// A boolean flag (`true`/`false`; `1`/`0` are accepted too).
pub fn flag(name: &str, doc: &str) -> Vec<Parameter> {
    vec![param(
        name,
        ParameterIn::Query,
        false,
        ObjectBuilder::new().schema_type(Type::Boolean).default(Some(json!(false))),
        doc,
    )]
}

/// `cols[]`: the columns to return, from the entity's catalogue; `*` selects all.
pub fn cols(c: &Columns) -> Vec<Parameter> {
    let names: Vec<Value> = c.all.iter().map(|n| json!(n)).chain([json!("*")]).collect();
    let doc = format!(
        "Columns to return (repeat the parameter; `cols[N]=` sets the order; `*` selects all). Default: {}. \
         Unknown columns are refused with 400.",
        c.default.join(", ")
    );
    vec![ParameterBuilder::new()
        .name("cols[]")
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .style(Some(ParameterStyle::Form))
        .explode(Some(true))
        .schema(Some(ArrayBuilder::new().items(string().enum_values(Some(names)))))
        .description(Some(doc))
        .build()]
}

/// `pg[offset]`, `pg[limit]`, `pg[sortBy]`, `pg[sortDir]` of a list.
pub fn page(p: &PageSpec) -> Vec<Parameter> {
    vec![
        param(
            "pg[offset]",
            ParameterIn::Query,
            false,
            integer().minimum(Some(0)).default(Some(json!(0))),
            "Entities to skip.",
        ),
        param(
            "pg[limit]",
            ParameterIn::Query,
            false,
            integer().minimum(Some(1)).maximum(Some(MAX_LIMIT as f64)).default(Some(json!(p.default_limit))),
            "Page size.",
        ),
        param(
            "pg[sortBy]",
            ParameterIn::Query,
            false,
            one_of(p.sortable).default(Some(json!(p.default_sort))),
            "Sort key.",
        ),
        param(
            "pg[sortDir]",
            ParameterIn::Query,
            false,
            one_of(&["asc", "desc"]).default(Some(json!("asc"))),
            "Sort direction.",
        ),
    ]
}

/// Declares a wire struct whose fields the document lists as optional: entities that `cols[]` projects.
macro_rules! projectable {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $vis:vis $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        pub struct $name {
            $($(#[$fm])* #[schema(required = false)] $vis $field: $ty,)*
        }
    };
}
pub(crate) use projectable;

/// Declares unit types whose `IntoParams` lists the given parameter groups, in order.
macro_rules! params {
    ($($(#[$doc:meta])* $name:ident = [$($group:expr),* $(,)?];)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl utoipa::IntoParams for $name {
            fn into_params(
                _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
            ) -> Vec<utoipa::openapi::path::Parameter> {
                #[allow(unused_imports)]
                use $crate::api::openapi::common::*;
                let mut all = Vec::new();
                $(all.extend($group);)*
                all
            }
        }
    )*};
}
pub(crate) use params;

params! {
    /// `{organizationId}` alone.
    OrgPath = [org_path()];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_schema_names_exactly_the_fields_of_error_body() {
        let body = serde_json::to_value(crate::error::ApiError::field("x", "bad").body()).unwrap();
        let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        let schema = serde_json::to_value(ErrorBody::schema()).unwrap();
        let props: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, props);
        let sub: Vec<&str> = body["suberrors"][0].as_object().unwrap().keys().map(String::as_str).collect();
        let sub_schema = serde_json::to_value(SubError::schema()).unwrap();
        let sub_props: Vec<&str> = sub_schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(sub, sub_props);
    }
}
