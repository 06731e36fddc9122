//! Subscriptions and payments.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::record;
use super::{BackendStore, Conn};
use crate::domain::audit as ev;
use crate::domain::plan_change::{self, InUse, Target};
use crate::grant::{perms, Granted};
use crate::store::audit::{self, NewEntry};
use crate::store::backend::Backend;
use crate::store::models::{Payment, PlanChange, Subscription};
use crate::store::page::Page;
use crate::store::{BillingStore, StoreResult};
use serde_json::json;

const SUB_COLS: &str = "id, organization_id, price_id, plan, status, checkout_session, period_from, period_to";

const PAY_COLS: &str =
    "id, organization_id, type_name, price_id, plan, product_name, amount, currency, period_from, period_to, created_at";

#[async_trait]
impl BillingStore for BackendStore {
    async fn subscription(&self, g: &Granted<perms::PaymentsGet>) -> StoreResult<Option<Subscription>> {
        let row: Option<Subscription> =
            sqlx::query_as(&format!("select {SUB_COLS} from subscriptions where organization_id = $1"))
                .bind(g.org_id())
                .fetch_optional(&mut *self.reader().await?)
                .await?;
        Ok(row)
    }

    async fn change_plan(
        &self,
        g: &Granted<perms::PaymentEdit>,
        c: PlanChange,
    ) -> StoreResult<(Subscription, Payment)> {
        let (org_id, by) = (g.org_id(), g.user_id());
        self.write(Some(org_id), move |tx| Box::pin(switch_plan(tx, org_id, by, c))).await
    }

    async fn payments(&self, g: &Granted<perms::PaymentsGet>, page: &Page) -> StoreResult<Vec<Payment>> {
        let col = match page.sort_by {
            "id" => "id",
            "amount_total" => "amount",
            _ => "created_at",
        };
        let dir = page.sort_dir.sql();
        let rows: Vec<Payment> = sqlx::query_as(&format!(
            "select {PAY_COLS} from payments where organization_id = $1 order by {col} {dir}, id {dir}
             limit $2 offset $3"
        ))
        .bind(g.org_id())
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        Ok(rows)
    }

    async fn subscription_by_session(&self, session: &str) -> StoreResult<Option<Subscription>> {
        let row: Option<Subscription> =
            sqlx::query_as(&format!("select {SUB_COLS} from subscriptions where checkout_session = $1"))
                .bind(session)
                .fetch_optional(&mut *self.reader().await?)
                .await?;
        Ok(row)
    }
}

/// What the organization has now, for the downgrade rule.
async fn in_use(conn: &mut Conn, org_id: i64, now: DateTime<Utc>) -> StoreResult<InUse> {
    let (teams, seats, tfa_enforced): (i64, i64, bool) = sqlx::query_as(
        "select (select count(*) from teams where organization_id = $1),
                (select count(*) from organization_members where organization_id = $1)
              + (select count(*) from invitations where organization_id = $1 and accepted_at is null
                   and expires_at > $2),
                (select tfa_enforced from organizations where id = $1)",
    )
    .bind(org_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(InUse { teams, seats, tfa_enforced })
}

/// Starts or updates the organization's one subscription row.
async fn upsert_subscription(conn: &mut Conn, org_id: i64, c: &PlanChange, status: &str) -> StoreResult<Subscription> {
    Ok(sqlx::query_as(&format!(
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
    .bind(status)
    .bind(&c.customer)
    .bind(&c.coupon_code)
    .bind(&c.checkout_session)
    .bind(c.period_from)
    .bind(c.period_to)
    .bind(c.now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Records the payment a plan change makes.
async fn insert_payment(conn: &mut Conn, org_id: i64, c: &PlanChange) -> StoreResult<Payment> {
    Ok(sqlx::query_as(&format!(
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
    .fetch_one(&mut *conn)
    .await?)
}

/// Switches the plan, updates the subscription and records the payment.
async fn switch_plan(tx: &mut Conn, org_id: i64, by: i64, c: PlanChange) -> StoreResult<(Subscription, Payment)> {
    let status: Option<String> = sqlx::query_scalar("select status from subscriptions where organization_id = $1")
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?;
    let in_use = in_use(tx, org_id, c.now).await?;
    let to = Target {
        product_name: &c.product_name,
        max_teams: c.max_teams,
        max_users: c.max_users,
        tfa_allowed: c.tfa_allowed,
    };
    let new_status = plan_change::check(c.kind, status.as_deref(), in_use, to)?;
    let old_plan: String =
        sqlx::query_scalar("select plan from organizations where id = $1").bind(org_id).fetch_one(&mut *tx).await?;
    sqlx::query("update organizations set plan = $1 where id = $2")
        .bind(&c.plan)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    let sub = upsert_subscription(tx, org_id, &c, new_status).await?;
    let pay = insert_payment(tx, org_id, &c).await?;
    let detail = json!({"oldPlan": old_plan, "newPlan": c.plan, "priceId": c.price_id, "status": new_status});
    let entry = NewEntry::new(org_id, Some(by), audit::plan_event(c.kind), sub.id).detail(detail);
    record(tx, entry).await?;
    let detail = json!({"priceId": c.price_id, "amount": c.amount, "currency": c.currency, "type": c.type_name});
    record(tx, NewEntry::new(org_id, Some(by), ev::PAYMENT_RECORDED, pay.id).detail(detail)).await?;
    Ok((sub, pay))
}
