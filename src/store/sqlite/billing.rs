//! SQLite: subscriptions and payments.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::audit::record;
use super::SqliteStore;
use crate::domain::audit as ev;
use crate::grant::{perms, Granted};
use crate::store::audit::{self, NewEntry};
use crate::store::models::{Payment, PlanChange, PlanChangeKind, Subscription};
use crate::store::page::Page;
use crate::store::{BillingStore, StoreError, StoreResult};
use serde_json::json;

#[derive(FromRow)]
struct SubscriptionRow {
    id: i64,
    organization_id: i64,
    price_id: String,
    plan: String,
    status: String,
    checkout_session: Option<String>,
    period_from: DateTime<Utc>,
    period_to: DateTime<Utc>,
}

impl From<SubscriptionRow> for Subscription {
    fn from(r: SubscriptionRow) -> Self {
        Subscription {
            id: r.id,
            organization_id: r.organization_id,
            price_id: r.price_id,
            plan: r.plan,
            status: r.status,
            checkout_session: r.checkout_session,
            period_from: r.period_from,
            period_to: r.period_to,
        }
    }
}

const SUB_COLS: &str = "id, organization_id, price_id, plan, status, checkout_session, period_from, period_to";

#[derive(FromRow)]
struct PaymentRow {
    id: i64,
    organization_id: i64,
    type_name: String,
    price_id: String,
    plan: String,
    product_name: String,
    amount: i64,
    currency: String,
    period_from: DateTime<Utc>,
    period_to: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

impl From<PaymentRow> for Payment {
    fn from(r: PaymentRow) -> Self {
        Payment {
            id: r.id,
            organization_id: r.organization_id,
            type_name: r.type_name,
            price_id: r.price_id,
            plan: r.plan,
            product_name: r.product_name,
            amount: r.amount,
            currency: r.currency,
            period_from: r.period_from,
            period_to: r.period_to,
            created_at: r.created_at,
        }
    }
}

const PAY_COLS: &str =
    "id, organization_id, type_name, price_id, plan, product_name, amount, currency, period_from, period_to, created_at";

#[async_trait]
impl BillingStore for SqliteStore {
    async fn subscription(&self, g: &Granted<perms::PaymentsGet>) -> StoreResult<Option<Subscription>> {
        let row: Option<SubscriptionRow> =
            sqlx::query_as(&format!("select {SUB_COLS} from subscriptions where organization_id = $1"))
                .bind(g.org_id())
                .fetch_optional(&mut *self.read.acquire().await?)
                .await?;
        Ok(row.map(Into::into))
    }

    async fn change_plan(
        &self,
        g: &Granted<perms::PaymentEdit>,
        c: PlanChange,
    ) -> StoreResult<(Subscription, Payment)> {
        let org_id = g.org_id();
        let mut tx = self.begin_write().await?;
        let status: Option<String> = sqlx::query_scalar("select status from subscriptions where organization_id = $1")
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?;
        let active = status.as_deref() == Some("active");
        match c.kind {
            PlanChangeKind::Start if active => {
                return Err(StoreError::Conflict(
                    "The organization already has an active subscription; change it with PATCH.".into(),
                ))
            }
            PlanChangeKind::Change | PlanChangeKind::Cancel if !active => {
                return Err(StoreError::Conflict("The organization has no active subscription.".into()))
            }
            _ => {}
        }
        let (teams, seats, tfa): (i64, i64, bool) = sqlx::query_as(
            "select (select count(*) from teams where organization_id = $1),
                    (select count(*) from organization_members where organization_id = $1)
                  + (select count(*) from invitations where organization_id = $1 and accepted_at is null
                       and expires_at > $2),
                    (select tfa_enforced from organizations where id = $1)",
        )
        .bind(org_id)
        .bind(c.now)
        .fetch_one(&mut *tx)
        .await?;
        if teams > c.max_teams {
            return Err(StoreError::LimitExceeded(format!(
                "The organization has {teams} teams; the {} plan allows {}. Delete teams first.",
                c.product_name, c.max_teams
            )));
        }
        if seats > c.max_users {
            return Err(StoreError::LimitExceeded(format!(
                "The organization has {seats} users and open invitations; the {} plan allows {}. Remove users first.",
                c.product_name, c.max_users
            )));
        }
        if tfa && !c.tfa_allowed {
            return Err(StoreError::Conflict(format!(
                "The {} plan does not include TFA enforcement; turn it off first.",
                c.product_name
            )));
        }
        let old_plan: String =
            sqlx::query_scalar("select plan from organizations where id = $1").bind(org_id).fetch_one(&mut *tx).await?;
        sqlx::query("update organizations set plan = $1 where id = $2")
            .bind(&c.plan)
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        let new_status = match c.kind {
            PlanChangeKind::Start | PlanChangeKind::Change => "active",
            PlanChangeKind::Cancel | PlanChangeKind::Free => "canceled",
        };
        let customer = c.customer.as_ref().map(|v| v.to_string());
        let sub: SubscriptionRow = sqlx::query_as(&format!(
            "insert into subscriptions (organization_id, price_id, plan, status, customer, coupon_code, checkout_session,
                                        period_from, period_to, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             on conflict (organization_id) do update set price_id = excluded.price_id, plan = excluded.plan,
                 status = excluded.status, customer = coalesce(excluded.customer, subscriptions.customer),
                 coupon_code = coalesce(excluded.coupon_code, subscriptions.coupon_code),
                 checkout_session = coalesce(excluded.checkout_session, subscriptions.checkout_session),
                 period_from = excluded.period_from, period_to = excluded.period_to, updated_at = excluded.updated_at
             returning {SUB_COLS}"
        ))
        .bind(org_id)
        .bind(&c.price_id)
        .bind(&c.plan)
        .bind(new_status)
        .bind(customer)
        .bind(&c.coupon_code)
        .bind(&c.checkout_session)
        .bind(c.period_from)
        .bind(c.period_to)
        .bind(c.now)
        .fetch_one(&mut *tx)
        .await?;
        let pay: PaymentRow = sqlx::query_as(&format!(
            "insert into payments (organization_id, type_name, price_id, plan, product_name, amount, currency,
                                   period_from, period_to, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning {PAY_COLS}"
        ))
        .bind(org_id)
        .bind(&c.type_name)
        .bind(&c.price_id)
        .bind(&c.plan)
        .bind(&c.product_name)
        .bind(c.amount)
        .bind(&c.currency)
        .bind(c.period_from)
        .bind(c.period_to)
        .bind(c.now)
        .fetch_one(&mut *tx)
        .await?;
        let (sub, pay): (Subscription, Payment) = (sub.into(), pay.into());
        let detail = json!({"oldPlan": old_plan, "newPlan": c.plan, "priceId": c.price_id, "status": new_status});
        let entry = NewEntry::new(org_id, Some(g.user_id()), audit::plan_event(c.kind), sub.id).detail(detail);
        record(&mut tx, entry).await?;
        let detail = json!({"priceId": c.price_id, "amount": c.amount, "currency": c.currency, "type": c.type_name});
        record(&mut tx, NewEntry::new(org_id, Some(g.user_id()), ev::PAYMENT_RECORDED, pay.id).detail(detail)).await?;
        tx.commit().await?;
        Ok((sub, pay))
    }

    async fn payments(&self, g: &Granted<perms::PaymentsGet>, page: &Page) -> StoreResult<Vec<Payment>> {
        let col = match page.sort_by {
            "id" => "id",
            "amount_total" => "amount",
            _ => "created_at",
        };
        let dir = page.sort_dir.sql();
        let rows: Vec<PaymentRow> = sqlx::query_as(&format!(
            "select {PAY_COLS} from payments where organization_id = $1 order by {col} {dir}, id {dir}
             limit $2 offset $3"
        ))
        .bind(g.org_id())
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read.acquire().await?)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn subscription_by_session(&self, session: &str) -> StoreResult<Option<Subscription>> {
        let row: Option<SubscriptionRow> =
            sqlx::query_as(&format!("select {SUB_COLS} from subscriptions where checkout_session = $1"))
                .bind(session)
                .fetch_optional(&mut *self.read.acquire().await?)
                .await?;
        Ok(row.map(Into::into))
    }
}
