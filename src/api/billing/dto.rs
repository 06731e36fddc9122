//! Documentation-only wire types of the billing endpoints (O9–O14, the price list, the checkout page); never
//! constructed.

#![allow(dead_code)]

use utoipa::ToSchema;

use crate::api::openapi::common::{params, CountryId, Email, Name, PgEcho, PriceId};

/// A price of the plan catalogue.
#[derive(ToSchema)]
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
    license: (),
}

/// The price list's answer.
#[derive(ToSchema)]
pub struct Prices {
    prices: Vec<PlanPrice>,
}

/// One payment record (Make's snake_case keys).
#[derive(ToSchema)]
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
    invoice_url: Option<()>,
    #[schema(format = DateTime)]
    period_from: String,
    #[schema(format = DateTime)]
    period_to: String,
    price_id: String,
}

/// O9's answer.
#[derive(ToSchema)]
pub struct Payments {
    payments: Vec<Payment>,
    pg: PgEcho,
}

/// The subscribed product.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    id: String,
    name: String,
    plan_id: String,
    price: i64,
    currency: String,
    #[schema(required = true, format = DateTime)]
    next_bill: Option<String>,
}

/// A subscription's status.
#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    None,
    Active,
    Canceled,
}

/// The organization's subscription.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    product: Product,
    status: SubscriptionStatus,
    customer_id: i64,
    #[schema(required = true)]
    subscription_id: Option<i64>,
    #[schema(value_type = Option<String>, required = true)]
    pause_starts_at: Option<()>,
    #[schema(value_type = Option<String>, required = true)]
    pause_ends_at: Option<()>,
    is_subscription_paused: bool,
}

/// O10's and O13's answer.
#[derive(ToSchema)]
pub struct SubscriptionDetail {
    subscription: Subscription,
}

/// O11's answer: the plan is already in force; the checkout URL is orgd's own page.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Checkout {
    checkout_url: String,
    session_id: String,
    customer_id: i64,
    subscription_id: i64,
    payment_id: i64,
}

/// O12's answer.
#[derive(ToSchema)]
pub struct Ok {
    #[schema(minimum = 1, maximum = 1)]
    ok: i64,
}

/// O14's answer.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FreePlan {
    customer_id: i64,
    subscription_id: i64,
}

/// The billing customer of O11.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[schema(value_type = Option<Email>)]
    email: Option<String>,
    #[schema(value_type = Option<Name>)]
    name: Option<String>,
    is_business: Option<bool>,
    #[schema(value_type = Option<CountryId>)]
    country_id: Option<i64>,
    /// Required (1–128 characters) when `isBusiness` is true.
    #[schema(min_length = 1, max_length = 128)]
    company_name: Option<String>,
}

/// O11's body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StartSubscription {
    #[schema(value_type = PriceId)]
    price_id: String,
    #[schema(max_length = 64)]
    coupon_code: Option<String>,
    customer: Option<Customer>,
}

/// O13's body.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeSubscription {
    #[schema(value_type = PriceId)]
    price_id: String,
}

/// The checkout page's state.
#[derive(ToSchema)]
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
#[derive(ToSchema)]
pub struct CheckoutPage {
    checkout: CheckoutSession,
}

params! {
    /// O9's path and query.
    PaymentsQuery = [org_path(), page(&super::PAGE)];
    /// O14's path and query.
    FreeQuery = [org_path(), flag("confirmed", "Must be true; else 406 `IM004`.")];
    /// The checkout page's path.
    CheckoutPath = [path_string("sessionId", "The checkout session id from O11.")];
}
