//! Plans and billing without a payment processor: O9 payments, O10–O14 subscription, the price list and the
//! local checkout page. Every plan change takes effect at once and leaves a payment record.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Months, Utc};
use serde_json::{json, Value};

use crate::access::OrgMember;
use crate::api::body::{self, Fields, JsonObject};
use crate::api::openapi::common::OrgPath;
use crate::api::params::{PageSpec, Params, MAX_LIMIT};
use crate::api::path::PathIds;
use crate::api::reply::Reply;
use crate::app::AppState;
use crate::auth::Authed;
use crate::domain::countries;
use crate::domain::email::Email;
use crate::domain::names::Name;
use crate::domain::plans::{Interval, Price};
use crate::domain::scopes::{OrgsRead, OrgsWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::{Org, Payment, PlanChange, PlanChangeKind, Subscription};

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enums/prices", get(prices))
        .route("/organizations/{organizationId}/payments", get(payments))
        .route(
            "/organizations/{organizationId}/subscription",
            get(subscription).post(start).patch(change).delete(cancel),
        )
        .route("/organizations/{organizationId}/subscription-free", post(free))
        .route("/checkout/{sessionId}", get(checkout))
}

const PAGE: PageSpec =
    PageSpec { sortable: &["id", "created", "amount_total"], default_sort: "created", default_limit: MAX_LIMIT };

fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The price of an organization's current plan for a given interval (the free plan has prices too).
fn price_json(p: &Price<'_>) -> Value {
    json!({
        "id": p.id, "planId": p.plan_key, "productName": p.plan.product_name, "interval": p.interval.name(),
        "amount": p.amount, "currency": p.plan.currency, "license": p.plan.license,
    })
}

/// `GET /enums/prices` (orgd extension): the plan catalogue with its prices and licenses.
#[utoipa::path(get, path = "/enums/prices", security(("Token" = [])),
    extensions(("x-orgd-extension" = json!(true))),
    responses((status = 200, description = "Every price of the catalogue.", body = dto::Prices)))]
async fn prices(State(state): State<AppState>, _: Authed) -> Reply {
    let list: Vec<Value> = state.plans.prices().iter().map(price_json).collect();
    Reply(json!({ "prices": list }))
}

fn payment_json(p: &Payment) -> Value {
    json!({
        "id": p.id,
        "invoice_number": format!("ORGD-{:08}", p.id),
        "created": iso(p.created_at),
        "type_name": p.type_name,
        "status_name": "paid",
        "product_name": p.product_name,
        "payment_method": "none",
        "amount_total": p.amount,
        "currency_code": p.currency,
        "invoice_url": null,
        "period_from": iso(p.period_from),
        "period_to": iso(p.period_to),
        "price_id": p.price_id,
    })
}

/// O9 `GET /organizations/{organizationId}/payments`: one entry per paid period or plan change.
#[utoipa::path(get, path = "/organizations/{organizationId}/payments", params(dto::PaymentsQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The payments.", body = dto::Payments),
        (status = 400, description = "A bad id or `pg[...]`.", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payments get`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn payments(State(state): State<AppState>, m: OrgMember<OrgsRead>, q: Params) -> Result<Reply> {
    let g = m.require::<perms::PaymentsGet>()?;
    let page = q.page(&PAGE)?;
    let list: Vec<Value> = state.store.payments(&g, &page).await?.iter().map(payment_json).collect();
    Ok(Reply(json!({ "payments": list, "pg": page })))
}

fn subscription_json(state: &AppState, org: &Org, sub: Option<&Subscription>) -> Value {
    let (plan_key, plan) = state.plan(&org.plan);
    let active = sub.filter(|s| s.status == "active");
    let price_id = active.map(|s| s.price_id.clone()).unwrap_or_else(|| format!("{plan_key}-monthly"));
    let price = state.plans.price(&price_id).map(|p| p.amount).unwrap_or(plan.monthly_price);
    json!({
        "product": {
            "id": price_id,
            "name": plan.product_name,
            "planId": plan_key,
            "price": price,
            "currency": plan.currency,
            "nextBill": active.map(|s| iso(s.period_to)),
        },
        "status": sub.map(|s| s.status.as_str()).unwrap_or("none"),
        "customerId": org.id,
        "subscriptionId": sub.map(|s| s.id),
        "pauseStartsAt": null,
        "pauseEndsAt": null,
        "isSubscriptionPaused": false,
    })
}

/// O10 `GET /organizations/{organizationId}/subscription`.
#[utoipa::path(get, path = "/organizations/{organizationId}/subscription", params(OrgPath),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The subscription.", body = dto::SubscriptionDetail),
        (status = 400, description = "A bad id.", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payments get`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn subscription(State(state): State<AppState>, m: OrgMember<OrgsRead>) -> Result<Reply> {
    let g = m.require::<perms::PaymentsGet>()?;
    let sub = state.store.subscription(&g).await?;
    Ok(Reply(json!({ "subscription": subscription_json(&state, &m.org, sub.as_ref()) })))
}

/// Builds the change to `price`, with the plan's limits for the usage check.
fn plan_change(state: &AppState, kind: PlanChangeKind, price: &Price<'_>, type_name: &str) -> PlanChange {
    let now = state.now();
    PlanChange {
        kind,
        plan: price.plan_key.to_string(),
        price_id: price.id.clone(),
        type_name: type_name.to_string(),
        product_name: price.plan.product_name.clone(),
        amount: price.amount,
        currency: price.plan.currency.clone(),
        period_from: now,
        period_to: now.checked_add_months(Months::new(price.interval.months())).unwrap_or(now),
        customer: None,
        coupon_code: None,
        checkout_session: None,
        max_teams: price.plan.license_i64("teams").unwrap_or(1),
        max_users: price.plan.license_i64("users").unwrap_or(1),
        tfa_allowed: price.plan.license_bool("tfaEnforcement"),
        now,
    }
}

fn price_field(state: &AppState) -> impl Fn(&Value) -> std::result::Result<String, String> + '_ {
    move |v| {
        let id = body::string("priceId")(v)?;
        match state.plans.offered_price(&id) {
            Some(_) => Ok(id),
            None => Err(format!("priceId '{id}' is not in the price list (see GET /enums/prices)")),
        }
    }
}

fn customer_field(v: &Value) -> std::result::Result<Value, String> {
    let c = v.as_object().ok_or("customer must be an object")?;
    let mut problems = Vec::new();
    if let Some(e) = c.get("email").filter(|e| !e.is_null()) {
        if e.as_str().map(Email::parse).is_none_or(|r| r.is_err()) {
            problems.push("customer.email must be a valid e-mail address".to_string());
        }
    }
    if let Some(n) = c.get("name").filter(|n| !n.is_null()) {
        if let Err(e) =
            n.as_str().ok_or("customer.name must be a string".to_string()).and_then(|s| Name::parse("customer.name", s))
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
        _ => problems.push("customer.companyName is required for a business (a string of 1 to 128 characters)".into()),
    }
    if problems.is_empty() {
        Ok(v.clone())
    } else {
        Err(problems.join("; "))
    }
}

/// O11 `POST /organizations/{organizationId}/subscription`: `priceId`, optional `couponCode` and `customer`.
/// The plan takes effect at once; the answer carries a local checkout URL instead of a processor's.
#[utoipa::path(post, path = "/organizations/{organizationId}/subscription", params(OrgPath),
    request_body = dto::StartSubscription,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The plan is in force; the checkout URL shows it.", body = dto::Checkout),
        (status = 400, description = "Validation failed, a subscription is active (`IM005`), or the organization \
            is above the plan's limits (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payment edit`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn start(State(state): State<AppState>, m: OrgMember<OrgsWrite>, body: JsonObject) -> Result<Reply> {
    let g = m.require::<perms::PaymentEdit>()?;
    let mut f = Fields::new(&body);
    let price_id = f.required("priceId", price_field(&state));
    let coupon = f.optional("couponCode", |v| {
        body::string("couponCode")(v)
            .and_then(|s| if s.len() <= 64 { Ok(s) } else { Err("couponCode is too long".into()) })
    });
    let customer = f.optional("customer", customer_field);
    let price_id = f.finish(|| price_id)?;
    let price = state.plans.offered_price(&price_id).ok_or_else(|| ApiError::field("priceId", "unknown priceId"))?;
    let session = uuid::Uuid::new_v4().to_string();
    let mut change = plan_change(&state, PlanChangeKind::Start, &price, "subscription");
    change.customer = customer;
    change.coupon_code = coupon;
    change.checkout_session = Some(session.clone());
    let (sub, payment) = state.store.change_plan(&g, change).await?;
    Ok(Reply(json!({
        "checkoutUrl": format!("http://{}/api/v2/checkout/{session}", state.zone),
        "sessionId": session,
        "customerId": m.org.id,
        "subscriptionId": sub.id,
        "paymentId": payment.id,
    })))
}

/// O13 `PATCH /organizations/{organizationId}/subscription` with `{priceId}`: switches the active subscription.
#[utoipa::path(patch, path = "/organizations/{organizationId}/subscription", params(OrgPath),
    request_body = dto::ChangeSubscription,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The changed subscription.", body = dto::SubscriptionDetail),
        (status = 400, description = "Validation failed, no active subscription or TFA enforcement on (`IM005`), or \
            the organization is above the plan's limits (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payment edit`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn change(State(state): State<AppState>, m: OrgMember<OrgsWrite>, body: JsonObject) -> Result<Reply> {
    let g = m.require::<perms::PaymentEdit>()?;
    let mut f = Fields::new(&body);
    let price_id = f.required("priceId", price_field(&state));
    let price_id = f.finish(|| price_id)?;
    let price = state.plans.offered_price(&price_id).ok_or_else(|| ApiError::field("priceId", "unknown priceId"))?;
    let (sub, _) =
        state.store.change_plan(&g, plan_change(&state, PlanChangeKind::Change, &price, "plan change")).await?;
    let org = Org { plan: sub.plan.clone(), ..m.org.clone() };
    Ok(Reply(json!({ "subscription": subscription_json(&state, &org, Some(&sub)) })))
}

/// O12 `DELETE /organizations/{organizationId}/subscription`: cancels at once; the organization returns to the
/// instance's default plan.
#[utoipa::path(delete, path = "/organizations/{organizationId}/subscription", params(OrgPath),
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "Cancelled.", body = dto::Ok),
        (status = 400, description = "A bad id, no active subscription (`IM005`), or the organization is above \
            the default plan's limits (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payment edit`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn cancel(State(state): State<AppState>, m: OrgMember<OrgsWrite>) -> Result<Reply> {
    let g = m.require::<perms::PaymentEdit>()?;
    let key = state.config.default_plan.clone();
    let price = state.plans.price(&format!("{key}-{}", Interval::Monthly.name()));
    let price = price.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("default plan has no price")))?;
    state.store.change_plan(&g, plan_change(&state, PlanChangeKind::Cancel, &price, "cancellation")).await?;
    Ok(Reply(json!({ "ok": 1 })))
}

/// O14 `POST /organizations/{organizationId}/subscription-free?confirmed=true`: the Free plan, at once.
#[utoipa::path(post, path = "/organizations/{organizationId}/subscription-free", params(dto::FreeQuery),
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "On the Free plan.", body = dto::FreePlan),
        (status = 400, description = "A bad id or `confirmed`, TFA enforcement on (`IM005`), or the organization is \
            above the Free plan's limits (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payment edit`.", body = ErrorBody),
        (status = 404, description = "No such organization, or no free plan.", body = ErrorBody),
        (status = 406, description = "`confirmed=true` is missing (`IM004`).", body = ErrorBody),
    ))]
async fn free(State(state): State<AppState>, m: OrgMember<OrgsWrite>, q: Params) -> Result<Reply> {
    let g = m.require::<perms::PaymentEdit>()?;
    if !q.bool("confirmed", false)? {
        return Err(ApiError::ConfirmationRequired(
            "Moving to the Free plan ends the subscription at once; repeat with confirmed=true.".into(),
        ));
    }
    let price = state
        .plans
        .price("free-monthly")
        .ok_or_else(|| ApiError::NotFound("This instance has no free plan.".into()))?;
    let (sub, _) = state.store.change_plan(&g, plan_change(&state, PlanChangeKind::Free, &price, "free plan")).await?;
    Ok(Reply(json!({ "customerId": m.org.id, "subscriptionId": sub.id })))
}

/// `GET /checkout/{sessionId}` (orgd extension): the local stand-in for a processor's checkout page. It needs no
/// token (a browser opens it); the unguessable session id is the key, and it shows only that the plan is in force.
#[utoipa::path(get, path = "/checkout/{sessionId}", params(dto::CheckoutPath),
    extensions(("x-orgd-extension" = json!(true))),
    responses(
        (status = 200, description = "The session's state.", body = dto::CheckoutPage),
        (status = 404, description = "No such session.", body = ErrorBody),
    ))]
async fn checkout(State(state): State<AppState>, path: PathIds) -> Result<Reply> {
    let session = path.raw("sessionId");
    let sub = match uuid::Uuid::try_parse(session) {
        Ok(_) => state.store.subscription_by_session(session).await?,
        Err(_) => None,
    };
    let sub = sub.ok_or_else(|| ApiError::NotFound("Checkout session not found.".into()))?;
    Ok(Reply(json!({ "checkout": {
        "sessionId": session, "status": "complete", "organizationId": sub.organization_id,
        "priceId": sub.price_id, "paymentRequired": false
    }})))
}
