//! Plans and billing without a payment processor: payments, the subscription (read, start, change, cancel, the
//! Free plan), the price list and the local checkout page. Every plan change takes effect at once and leaves a payment record.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use chrono::Months;
use serde_json::Value;

use crate::access::OrgMember;
use crate::api::body::{self, Fields, JsonObject};
use crate::api::openapi::common::OrgPath;
use crate::api::params::{PageSpec, Params, MAX_LIMIT};
use crate::api::path::PathIds;
use crate::api::reply::{timestamp, Reply};
use crate::app::AppState;
use crate::auth::Authed;
use crate::domain::countries;
use crate::domain::email::Email;
use crate::domain::names::Name;
use crate::domain::plans::{Interval, Price};
use crate::domain::scopes::{OrgsRead, OrgsWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::{Org, PlanChange, PlanChangeKind, Subscription};

pub mod dto;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enums/prices", get(list_prices))
        .route("/organizations/{organizationId}/payments", get(list_payments))
        .route(
            "/organizations/{organizationId}/subscription",
            get(get_subscription).post(start_subscription).patch(change_subscription).delete(cancel_subscription),
        )
        .route("/organizations/{organizationId}/subscription-free", post(switch_to_free_plan))
        .route("/checkout/{sessionId}", get(get_checkout_session))
}

const PAGE: PageSpec =
    PageSpec { sortable: &["id", "created", "amount_total"], default_sort: "created", default_limit: MAX_LIMIT };

/// `GET /enums/prices` (orgd extension): the plan catalogue with its prices and licenses.
#[utoipa::path(get, path = "/enums/prices", operation_id = "prices", security(("Token" = [])),
    extensions(("x-orgd-extension" = json!(true))),
    responses((status = 200, description = "Every price of the catalogue.", body = dto::Prices)))]
async fn list_prices(State(state): State<AppState>, _: Authed) -> Reply<dto::Prices> {
    Reply(dto::Prices { prices: state.plans.prices().iter().map(dto::PlanPrice::from).collect() })
}

/// `GET /organizations/{organizationId}/payments`: one entry per paid period or plan change.
#[utoipa::path(get, path = "/organizations/{organizationId}/payments", operation_id = "payments",
    params(dto::PaymentsQuery),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The payments.", body = dto::Payments),
        (status = 400, description = "A bad id or `pg[...]`.", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payments get`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn list_payments(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
    q: Params,
) -> Result<Reply<dto::Payments>> {
    let g = m.require::<perms::PaymentsGet>()?;
    let page = q.page(&PAGE)?;
    let list = state.store.payments(&g, &page).await?.iter().map(dto::Payment::from).collect();
    Ok(Reply(dto::Payments { payments: list, pg: page }))
}

/// The organization's subscription: the product is the active subscription's price, else the plan's monthly one.
fn subscription_of(state: &AppState, org: &Org, sub: Option<&Subscription>) -> dto::Subscription {
    let (plan_key, plan) = state.plan(&org.plan);
    let active = sub.filter(|s| s.status == "active");
    let price_id = active.map(|s| s.price_id.clone()).unwrap_or_else(|| format!("{plan_key}-monthly"));
    let price = state.plans.price(&price_id).map(|p| p.amount).unwrap_or(plan.monthly_price);
    dto::Subscription {
        product: dto::Product {
            id: price_id,
            name: plan.product_name.clone(),
            plan_id: plan_key.to_string(),
            price,
            currency: plan.currency.clone(),
            next_bill: active.map(|s| timestamp(s.period_to)),
        },
        status: dto::SubscriptionStatus::of(sub),
        customer_id: org.id,
        subscription_id: sub.map(|s| s.id),
        pause_starts_at: None,
        pause_ends_at: None,
        is_subscription_paused: false,
    }
}

/// `GET /organizations/{organizationId}/subscription`.
#[utoipa::path(get, path = "/organizations/{organizationId}/subscription", operation_id = "subscription", params(OrgPath),
    security(("Token" = ["organizations:read"])),
    responses(
        (status = 200, description = "The subscription.", body = dto::SubscriptionDetail),
        (status = 400, description = "A bad id.", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payments get`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn get_subscription(
    State(state): State<AppState>,
    m: OrgMember<OrgsRead>,
) -> Result<Reply<dto::SubscriptionDetail>> {
    let g = m.require::<perms::PaymentsGet>()?;
    let sub = state.store.subscription(&g).await?;
    Ok(Reply(dto::SubscriptionDetail { subscription: subscription_of(&state, &m.org, sub.as_ref()) }))
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
        max_teams: price.plan.license.teams(),
        max_users: price.plan.license.users(),
        tfa_allowed: price.plan.license.tfa_enforcement(),
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

/// `POST /organizations/{organizationId}/subscription`: `priceId`, optional `couponCode` and `customer`. The plan
/// takes effect at once; the answer carries a local checkout URL instead of a processor's.
#[utoipa::path(post, path = "/organizations/{organizationId}/subscription", operation_id = "start", params(OrgPath),
    request_body = dto::StartSubscription,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The plan is in force; the checkout URL shows it.", body = dto::Checkout),
        (status = 400, description = "Validation failed, a subscription is active (`IM005`), or the organization \
            is above the plan's limits (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payment edit`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn start_subscription(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    body: JsonObject,
) -> Result<Reply<dto::Checkout>> {
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
    Ok(Reply(dto::Checkout {
        checkout_url: format!("http://{}/api/v2/checkout/{session}", state.zone),
        session_id: session,
        customer_id: m.org.id,
        subscription_id: sub.id,
        payment_id: payment.id,
    }))
}

/// `PATCH /organizations/{organizationId}/subscription` with `{priceId}`: switches the active subscription.
#[utoipa::path(patch, path = "/organizations/{organizationId}/subscription", operation_id = "change", params(OrgPath),
    request_body = dto::ChangeSubscription,
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "The changed subscription.", body = dto::SubscriptionDetail),
        (status = 400, description = "Validation failed, no active subscription or TFA enforcement on (`IM005`), or \
            the organization is above the plan's limits (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payment edit`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn change_subscription(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    body: JsonObject,
) -> Result<Reply<dto::SubscriptionDetail>> {
    let g = m.require::<perms::PaymentEdit>()?;
    let mut f = Fields::new(&body);
    let price_id = f.required("priceId", price_field(&state));
    let req = f.finish(|| Some(dto::ChangeSubscription { price_id: price_id? }))?;
    let price =
        state.plans.offered_price(&req.price_id).ok_or_else(|| ApiError::field("priceId", "unknown priceId"))?;
    let (sub, _) =
        state.store.change_plan(&g, plan_change(&state, PlanChangeKind::Change, &price, "plan change")).await?;
    let org = Org { plan: sub.plan.clone(), ..m.org.clone() };
    Ok(Reply(dto::SubscriptionDetail { subscription: subscription_of(&state, &org, Some(&sub)) }))
}

/// `DELETE /organizations/{organizationId}/subscription`: cancels at once; the organization returns to the
/// instance's default plan.
#[utoipa::path(delete, path = "/organizations/{organizationId}/subscription", operation_id = "cancel", params(OrgPath),
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "Cancelled.", body = dto::Ok),
        (status = 400, description = "A bad id, no active subscription (`IM005`), or the organization is above \
            the default plan's limits (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payment edit`.", body = ErrorBody),
        (status = 404, description = "No such organization.", body = ErrorBody),
    ))]
async fn cancel_subscription(State(state): State<AppState>, m: OrgMember<OrgsWrite>) -> Result<Reply<dto::Ok>> {
    let g = m.require::<perms::PaymentEdit>()?;
    let key = state.config.default_plan.clone();
    let price = state.plans.price(&format!("{key}-{}", Interval::Monthly.name()));
    let price = price.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("default plan has no price")))?;
    state.store.change_plan(&g, plan_change(&state, PlanChangeKind::Cancel, &price, "cancellation")).await?;
    Ok(Reply(dto::Ok::OK))
}

/// `POST /organizations/{organizationId}/subscription-free?confirmed=true`: the Free plan, at once.
#[utoipa::path(post, path = "/organizations/{organizationId}/subscription-free", operation_id = "free",
    params(dto::FreeQuery),
    security(("Token" = ["organizations:write"])),
    responses(
        (status = 200, description = "On the Free plan.", body = dto::FreePlan),
        (status = 400, description = "A bad id or `confirmed`, TFA enforcement on (`IM005`), or the organization is \
            above the Free plan's limits (`IM011`).", body = ErrorBody),
        (status = 403, description = "No scope, not a member, or no `payment edit`.", body = ErrorBody),
        (status = 404, description = "No such organization, or no free plan.", body = ErrorBody),
        (status = 406, description = "`confirmed=true` is missing (`IM004`).", body = ErrorBody),
    ))]
async fn switch_to_free_plan(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    q: Params,
) -> Result<Reply<dto::FreePlan>> {
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
    Ok(Reply(dto::FreePlan { customer_id: m.org.id, subscription_id: sub.id }))
}

/// `GET /checkout/{sessionId}` (orgd extension): the local stand-in for a processor's checkout page. It needs no
/// token (a browser opens it); the unguessable session id is the key, and it shows only that the plan is in force.
#[utoipa::path(get, path = "/checkout/{sessionId}", operation_id = "checkout", params(dto::CheckoutPath),
    extensions(("x-orgd-extension" = json!(true))),
    responses(
        (status = 200, description = "The session's state.", body = dto::CheckoutPage),
        (status = 404, description = "No such session.", body = ErrorBody),
    ))]
async fn get_checkout_session(State(state): State<AppState>, path: PathIds) -> Result<Reply<dto::CheckoutPage>> {
    let session = path.raw("sessionId");
    let sub = match uuid::Uuid::try_parse(session) {
        Ok(_) => state.store.subscription_by_session(session).await?,
        Err(_) => None,
    };
    let sub = sub.ok_or_else(|| ApiError::NotFound("Checkout session not found.".into()))?;
    Ok(Reply(dto::CheckoutPage::complete(session, &sub)))
}
