//! The wire types of billing: the price list, payments, the subscription and the local checkout page.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::body::{FromField, Optional, Required};
use crate::api::openapi::common::{params, CountryId, Email, Name, PgEcho, PriceId};
use crate::api::params::Page;
use crate::api::reply::timestamp;
use crate::domain::countries;
use crate::domain::email;
use crate::domain::names;
use crate::domain::plans::License;
use crate::domain::plans::Price;
use crate::store::models;

/// A price of the plan catalogue.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanPrice {
    /// `<plan>-monthly` or `<plan>-yearly`.
    id: String,
    plan_id: String,
    product_name: String,
    #[schema(pattern = "^(monthly|yearly)$")]
    interval: String,
    /// In the currency's smallest unit.
    amount: i64,
    currency: String,
    /// The plan's license.
    #[schema(value_type = Object)]
    license: License,
}

impl From<&Price<'_>> for PlanPrice {
    fn from(p: &Price<'_>) -> Self {
        PlanPrice {
            id: p.id.clone(),
            plan_id: p.plan_key.to_string(),
            product_name: p.plan.product_name.clone(),
            interval: p.interval.name().to_string(),
            amount: p.amount,
            currency: p.plan.currency.clone(),
            license: p.plan.license.clone(),
        }
    }
}

/// The price list's answer.
#[derive(Serialize, ToSchema)]
pub struct Prices {
    pub prices: Vec<PlanPrice>,
}

/// One payment record (Make's snake_case keys).
#[derive(Serialize, ToSchema)]
pub struct Payment {
    id: i64,
    invoice_number: String,
    #[schema(format = DateTime)]
    created: String,
    type_name: String,
    #[schema(pattern = "^paid$")]
    status_name: String,
    product_name: String,
    #[schema(pattern = "^none$")]
    payment_method: String,
    amount_total: i64,
    currency_code: String,
    #[schema(value_type = Option<String>, required = true)]
    invoice_url: Option<String>,
    #[schema(format = DateTime)]
    period_from: String,
    #[schema(format = DateTime)]
    period_to: String,
    price_id: String,
}

impl From<&models::Payment> for Payment {
    /// A stored payment; orgd takes no money, so every payment is `paid` by method `none`, without an invoice.
    fn from(p: &models::Payment) -> Self {
        Payment {
            id: p.id,
            invoice_number: format!("ORGD-{:08}", p.id),
            created: timestamp(p.created_at),
            type_name: p.type_name.clone(),
            status_name: "paid".into(),
            product_name: p.product_name.clone(),
            payment_method: "none".into(),
            amount_total: p.amount,
            currency_code: p.currency.clone(),
            invoice_url: None,
            period_from: timestamp(p.period_from),
            period_to: timestamp(p.period_to),
            price_id: p.price_id.clone(),
        }
    }
}

/// The answer of `GET /organizations/{organizationId}/payments`.
#[derive(Serialize, ToSchema)]
pub struct Payments {
    pub payments: Vec<Payment>,
    #[schema(value_type = PgEcho)]
    pub pg: Page,
}

/// The subscribed product.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    pub name: String,
    pub plan_id: String,
    pub price: i64,
    pub currency: String,
    #[schema(required = true, format = DateTime)]
    pub next_bill: Option<String>,
}

/// A subscription's status.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    None,
    Active,
    Canceled,
}

impl SubscriptionStatus {
    /// The status of a stored subscription, `None` without one (the store writes `active` or `canceled`).
    pub fn of(sub: Option<&models::Subscription>) -> Self {
        match sub.map(|s| s.status.as_str()) {
            None => SubscriptionStatus::None,
            Some("active") => SubscriptionStatus::Active,
            Some(_) => SubscriptionStatus::Canceled,
        }
    }
}

/// The organization's subscription.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub product: Product,
    pub status: SubscriptionStatus,
    pub customer_id: i64,
    #[schema(required = true)]
    pub subscription_id: Option<i64>,
    /// Always `null`: subscriptions are never paused.
    #[schema(value_type = Option<String>, required = true)]
    pub pause_starts_at: Option<String>,
    /// Always `null`: subscriptions are never paused.
    #[schema(value_type = Option<String>, required = true)]
    pub pause_ends_at: Option<String>,
    pub is_subscription_paused: bool,
}

/// The answer of the subscription's detail and change.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionDetail {
    pub subscription: Subscription,
}

/// The answer of a new subscription: the plan is already in force; the checkout URL is orgd's own page.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Checkout {
    pub checkout_url: String,
    pub session_id: String,
    pub customer_id: i64,
    pub subscription_id: i64,
    pub payment_id: i64,
}

/// The answer of a cancellation.
#[derive(Serialize, ToSchema)]
pub struct Ok {
    #[schema(minimum = 1, maximum = 1)]
    ok: i64,
}

impl Ok {
    pub const OK: Ok = Ok { ok: 1 };
}

/// The answer of the move to the Free plan.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FreePlan {
    pub customer_id: i64,
    pub subscription_id: i64,
}

// The server keeps the JSON the client sent ([`CustomerJson`]) after checking it, so this type only gives the
// document the customer's shape.
/// The billing customer of a new subscription.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[schema(value_type = Option<Email>)]
    pub email: Option<String>,
    #[schema(value_type = Option<Name>)]
    pub name: Option<String>,
    pub is_business: Option<bool>,
    #[schema(value_type = Option<CountryId>)]
    pub country_id: Option<i64>,
    /// Required (1–128 characters) when `isBusiness` is true.
    #[schema(min_length = 1, max_length = 128)]
    pub company_name: Option<String>,
}

/// The customer as the client sent it, once checked: it is stored as that JSON. Its problems are one suberror
/// (`customer`), joined with `; `.
pub struct CustomerJson(pub Value);

impl FromField for CustomerJson {
    fn from_field(_key: &str, v: &Value) -> Result<Self, String> {
        let c = v.as_object().ok_or("customer must be an object")?;
        let mut problems = Vec::new();
        if let Some(e) = c.get("email").filter(|e| !e.is_null()) {
            if e.as_str().map(email::Email::parse).is_none_or(|r| r.is_err()) {
                problems.push("customer.email must be a valid e-mail address".to_string());
            }
        }
        if let Some(n) = c.get("name").filter(|n| !n.is_null()) {
            if let Err(e) = n
                .as_str()
                .ok_or("customer.name must be a string".to_string())
                .and_then(|s| names::Name::parse("customer.name", s))
            {
                problems.push(e);
            }
        }
        let business = match c.get("isBusiness") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                problems.push("customer.isBusiness must be a boolean".into());
                false
            }
        };
        if let Some(id) = c.get("countryId").filter(|x| !x.is_null()) {
            if id.as_i64().and_then(countries::by_id).is_none() {
                problems.push("customer.countryId must be an id from GET /enums/countries".into());
            }
        }
        match c.get("companyName") {
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 128 => {}
            None | Some(Value::Null) if !business => {}
            _ => problems
                .push("customer.companyName is required for a business (a string of 1 to 128 characters)".into()),
        }
        if problems.is_empty() {
            Ok(CustomerJson(v.clone()))
        } else {
            Err(problems.join("; "))
        }
    }
}

/// The body of a new subscription.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StartSubscription {
    #[schema(value_type = PriceId)]
    pub(crate) price_id: Required<String>,
    #[schema(value_type = Option<String>, max_length = 64)]
    pub(crate) coupon_code: Optional<CouponCode>,
    #[schema(value_type = Option<Customer>)]
    pub(crate) customer: Optional<CustomerJson>,
}

/// A coupon code (at most 64 bytes).
pub struct CouponCode(pub String);

impl FromField for CouponCode {
    fn from_field(key: &str, v: &Value) -> Result<Self, String> {
        let s = String::from_field(key, v)?;
        if s.len() <= 64 {
            Ok(CouponCode(s))
        } else {
            Err(format!("{key} is too long"))
        }
    }
}

/// The body of a subscription change.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSubscription {
    #[schema(value_type = PriceId)]
    pub(crate) price_id: Required<String>,
}

/// The checkout page's state.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSession {
    session_id: String,
    #[schema(pattern = "^complete$")]
    status: String,
    organization_id: i64,
    price_id: String,
    payment_required: bool,
}

/// The checkout page's answer.
#[derive(Serialize, ToSchema)]
pub struct CheckoutPage {
    checkout: CheckoutSession,
}

impl CheckoutPage {
    /// The page of session `session_id`, whose plan is already in force: nothing is left to pay.
    pub fn complete(session_id: &str, sub: &models::Subscription) -> Self {
        let checkout = CheckoutSession {
            session_id: session_id.to_string(),
            status: "complete".into(),
            organization_id: sub.organization_id,
            price_id: sub.price_id.clone(),
            payment_required: false,
        };
        CheckoutPage { checkout }
    }
}

params! {
    /// The path and query of the payments.
    PaymentsQuery = [org_path(), page(&super::PAGE)];
    /// The path and query of the move to the Free plan.
    FreeQuery = [org_path(), flag("confirmed", "Must be true; else 406 `IM004`.")];
    /// The checkout page's path.
    CheckoutPath = [path_string("sessionId", "The checkout session id from `POST /organizations/{organizationId}/subscription`.")];
}
