//! The wire types of a person's API tokens (`/users/me/api-tokens`, `/users/me/api-tokens/{created}`) and of
//! `GET /enums/user-api-token-scopes`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::body::{FromField, Required};
use crate::domain::api_tokens::{self, Label};
use crate::domain::scopes::KNOWN;
use crate::store::models::ApiToken;

/// A token as Make answers it: masked in a list and after a deletion, in full once in the creation's answer.
#[derive(Serialize, ToSchema)]
pub struct ApiTokenView {
    /// Masked (`3f0c1c8e-****-****-****-************`) except in the answer that creates it.
    token: String,
    scope: Vec<String>,
    /// The creation time, milliseconds, UTC; it names the token in `DELETE /users/me/api-tokens/{created}`.
    #[schema(value_type = String, format = DateTime)]
    created: String,
    /// Empty for tokens issued by `orgd users add` before labels were kept.
    label: String,
}

impl ApiTokenView {
    /// The stored token, masked.
    pub fn masked(t: &ApiToken) -> Self {
        Self::with_token(t, api_tokens::masked(t.hint.as_deref()))
    }

    /// The stored token with the full token, for the one answer that shows it.
    pub fn with_token(t: &ApiToken, token: String) -> Self {
        ApiTokenView {
            token,
            scope: t.scopes.0.clone(),
            created: api_tokens::created_text(t.created_at),
            label: t.label.clone().unwrap_or_default(),
        }
    }
}

/// `GET /users/me/api-tokens`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokens {
    pub api_tokens: Vec<ApiTokenView>,
}

/// `POST /users/me/api-tokens`: the new token, in full, the only time it is shown.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenAnswer {
    pub api_token: ApiTokenView,
}

/// `DELETE /users/me/api-tokens/{created}`: Make documents a string; orgd answers the deleted token, masked.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Deleted {
    /// The deleted token, masked.
    pub api_token: String,
}

/// The body of `POST /users/me/api-tokens`.
#[derive(Deserialize, ToSchema)]
pub struct CreateApiToken {
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    pub(crate) label: Required<Label>,
    /// Names from `GET /enums/user-api-token-scopes`, each held by the calling token.
    #[schema(value_type = Vec<String>, min_items = 1)]
    pub(crate) scope: Required<ScopeList>,
}

/// Scope names from the catalogue, without repeats, at least one.
#[derive(Debug)]
pub struct ScopeList(pub Vec<String>);

impl FromField for Label {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        Label::parse(key, &String::from_field(key, v)?)
    }
}

impl FromField for ScopeList {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let arr = v.as_array().ok_or_else(|| format!("{key} must be an array of scope names"))?;
        let mut out: Vec<String> = Vec::new();
        for item in arr {
            let name = item.as_str().ok_or_else(|| format!("{key} must contain only strings"))?;
            if !KNOWN.contains(&name) {
                let shown: String = name.chars().take(50).collect();
                return Err(format!("{key} holds an unknown scope {shown:?} (see GET /enums/user-api-token-scopes)"));
            }
            if !out.iter().any(|o| o == name) {
                out.push(name.to_string());
            }
        }
        if out.is_empty() {
            return Err(format!("{key} must name at least one scope"));
        }
        Ok(ScopeList(out))
    }
}

/// A scope of the catalogue.
#[derive(Serialize, ToSchema)]
pub struct ScopeName {
    #[schema(value_type = String)]
    name: &'static str,
}

/// `GET /enums/user-api-token-scopes`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserApiTokenScopes {
    pub user_api_token_scopes: Vec<ScopeName>,
}

impl UserApiTokenScopes {
    pub fn all() -> Self {
        UserApiTokenScopes { user_api_token_scopes: KNOWN.iter().map(|&name| ScopeName { name }).collect() }
    }
}
