//! Plans and billing without a payment processor: payments, the subscription (read, start, change, cancel, the
//! Free plan), the price list and the local checkout page. Every plan change takes effect at once and leaves a payment record.

use axum::extract::State;
use chrono::Months;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::OrgMember;
use crate::api::body::Draft;
use crate::api::openapi::answers::{BadId, NoPaymentEdit, NoSuchOrganization, NotConfirmed};
use crate::api::openapi::common::OrgPath;
use crate::api::params::{PageSpec, Params, MAX_LIMIT};
use crate::api::path::PathIds;
use crate::api::reply::{timestamp, Reply};
use crate::app::AppState;
use crate::auth::Authed;
use crate::domain::plans::{Interval, Price};
use crate::domain::scopes::{OrgsRead, OrgsWrite};
use crate::error::{ApiError, ErrorBody, Result};
use crate::grant::perms;
use crate::store::models::{Org, PlanChange, PlanChangeKind, Subscription};

pub mod dto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_prices))
        .routes(routes!(list_payments))
        .routes(routes!(get_subscription, start_subscription, change_subscription, cancel_subscription))
        .routes(routes!(switch_to_free_plan))
        .routes(routes!(get_checkout_session))
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
        NoSuchOrganization,
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
        BadId,
        (status = 403, description = "No scope, not a member, or no `payments get`.", body = ErrorBody),
        NoSuchOrganization,
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

/// `Err` with the 400 message when `id` is not a price this instance offers.
fn offered(state: &AppState, id: Option<&String>) -> std::result::Result<(), String> {
    match id {
        Some(id) if state.plans.offered_price(id).is_none() => {
            Err(format!("priceId '{id}' is not in the price list (see GET /enums/prices)"))
        }
        _ => Ok(()),
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
        NoPaymentEdit,
        NoSuchOrganization,
    ))]
async fn start_subscription(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    Draft { body, mut problems }: Draft<dto::StartSubscription>,
) -> Result<Reply<dto::Checkout>> {
    let g = m.require::<perms::PaymentEdit>()?;
    problems.check("priceId", offered(&state, body.price_id.get()));
    problems.finish()?;
    let price_id = body.price_id.into_inner();
    let price = state.plans.offered_price(&price_id).ok_or_else(|| ApiError::field("priceId", "unknown priceId"))?;
    let session = uuid::Uuid::new_v4().to_string();
    let mut change = plan_change(&state, PlanChangeKind::Start, &price, "subscription");
    change.customer = body.customer.into_inner().map(|c| c.0);
    change.coupon_code = body.coupon_code.into_inner().map(|c| c.0);
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
        NoPaymentEdit,
        NoSuchOrganization,
    ))]
async fn change_subscription(
    State(state): State<AppState>,
    m: OrgMember<OrgsWrite>,
    Draft { body, mut problems }: Draft<dto::ChangeSubscription>,
) -> Result<Reply<dto::SubscriptionDetail>> {
    let g = m.require::<perms::PaymentEdit>()?;
    problems.check("priceId", offered(&state, body.price_id.get()));
    problems.finish()?;
    let price_id = body.price_id.into_inner();
    let price = state.plans.offered_price(&price_id).ok_or_else(|| ApiError::field("priceId", "unknown priceId"))?;
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
        NoPaymentEdit,
        NoSuchOrganization,
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
        NoPaymentEdit,
        (status = 404, description = "No such organization, or no free plan.", body = ErrorBody),
        NotConfirmed,
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
